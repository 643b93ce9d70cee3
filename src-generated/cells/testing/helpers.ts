// generated from docs/cells/testing.lit.md by weft — edit the source, not this file
// Helpers shared by the cells test plans. Each waits for an event (a supervision event, a listening
// socket, a finished build) rather than for a time, so the tests hold on a loaded machine.
// Node 20 cannot run TypeScript in a worker or a child process, and tests run from a fresh clone with
// no dist/, so a test that needs one bundles the entry itself with esbuild — tens of milliseconds.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { SupervisionEvent } from '../supervisor.js';

/** Anything that reports supervision events: a bus. */
export interface Observable {
  observe(listener: (event: SupervisionEvent) => void): () => void;
}

/** Resolves with the next event from `source` that matches `predicate`. */
export function nextEvent(source: Observable, predicate: (event: SupervisionEvent) => boolean): Promise<SupervisionEvent> {
  return new Promise((resolve) => {
    const stop = source.observe((event) => {
      if (predicate(event)) {
        stop();
        resolve(event);
      }
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Run `test` with a fresh temporary directory, and remove it afterwards whatever happens. */
export async function inTemporaryDirectory<T>(test: (directory: string) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(join(tmpdir(), 'weft-cells-'));
  try {
    return await test(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export interface Bundle {
  /** The bundled ES module, for `inWorker({ script })`, `inChildProcess({ script })` or `node`. */
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
    // CommonJS dependencies (the NATS client's) call `require` for Node's built-ins, which an ES
    // module does not have; give the bundle one.
    banner: { js: "import { createRequire as __cellsCreateRequire } from 'node:module'; const require = __cellsCreateRequire(import.meta.url);" },
  });
  return { script: pathToFileURL(path), path, dispose: () => rm(directory, { recursive: true, force: true }) };
}
//# sourceMappingURL=helpers.ts.map
