// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// Node 20 cannot run TypeScript in a worker, and tests run from a fresh clone with no dist/, so a
// test that needs a worker (or a child process) bundles the entry itself with esbuild into a
// temporary directory — tens of milliseconds — and removes it when done.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export interface Bundle {
  /** The bundled ES module, for `inWorker({ script })` or `node`. */
  readonly script: URL;
  /** Its path on disk. */
  readonly path: string;
  /** Remove the temporary directory. */
  dispose(): Promise<void>;
}

/** Bundle the TypeScript module at `entry` (an absolute path) and its imports into one ES module. */
export async function bundleScript(entry: string): Promise<Bundle> {
  const directory = await mkdtemp(join(tmpdir(), 'weft-cells-'));
  const path = join(directory, basename(entry).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [entry],
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return { script: pathToFileURL(path), path, dispose: () => rm(directory, { recursive: true, force: true }) };
}
//# sourceMappingURL=bundle.ts.map
