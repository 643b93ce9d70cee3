// Compile the engine (tangle/*.ts) to lib/*.js with esbuild, one file per module, so
// Node 20 (which has no TypeScript loader) can run it. `--types` also writes .d.ts files
// with tsc (used by `prepare`, so the published package has typings).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const entryPoints = readdirSync('tangle')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => `tangle/${f}`);
rmSync('lib', { recursive: true, force: true });
await build({
  entryPoints,
  outdir: 'lib',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
if (process.argv.includes('--types')) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    tsc = undefined; // Installed as a dependency without devDependencies: no typings needed.
  }
  if (tsc) execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
