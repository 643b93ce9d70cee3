#!/usr/bin/env node
// generated from docs/cells/benchmark.lit.md by weft — edit the source, not this file
// Run the cells benchmark (src-generated/cells/bench.ts). Node 20 runs no TypeScript, and the
// benchmark's worker and child process need a JavaScript file, so this bundles bench.ts with
// esbuild into a temporary directory, runs it there, and removes it. Flags pass through:
// --quick (fewer requests), --json (one JSON document on stdout).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const directory = await mkdtemp(join(tmpdir(), 'weft-cells-bench-'));
try {
  const outfile = join(directory, 'bench.mjs');
  await build({
    entryPoints: [join(root, 'src-generated/cells/bench.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  await import(pathToFileURL(outfile).href);
} finally {
  await rm(directory, { recursive: true, force: true });
}
//# sourceMappingURL=bench.mjs.map
