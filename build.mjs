// Compile the engine (tangle/**/*.ts) to lib/**/*.js with esbuild, one file per module and
// the folders kept (tangle/cli/main.ts → lib/cli/main.js), so
// Node 20 (which has no TypeScript loader) can run it. `--types` also writes .d.ts files
// with tsc (the `prepare` script, so the published package has typings).
//
// This also runs inside an installed copy of Weft: npm runs `prepare` when Weft is a
// `file:` dependency (as `weft init` writes it). There the devDependencies are absent,
// so each step does what it can and keeps the prebuilt lib/ otherwise; it never leaves
// a copy without a working lib/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const resolvable = (name) => {
  try {
    return require.resolve(name);
  } catch {
    return undefined;
  }
};

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  if (existsSync('lib/cli/main.js')) {
    console.log('build: esbuild is not installed here; keeping the prebuilt lib/');
    process.exit(0);
  }
  // Nothing to build with yet: a folder installed as a dependency gets its own dependencies
  // after its prepare script runs (or never, without --install-links). bin/weft.js builds
  // lib/ on its first run instead, so this is not an error.
  console.log('build: esbuild is not installed here yet; the weft command builds lib/ on its first run');
  process.exit(0);
}

/** Every file under `folder` (POSIX paths, recursively). */
const filesUnder = (folder) =>
  existsSync(folder) ? readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).split('\\').join('/')) : [];

const entryPoints = filesUnder('tangle').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
// Remove the previous build's JavaScript (a module deleted from tangle/ must not linger);
// typings stay until tsc replaces them, so a copy that cannot run tsc keeps its own.
for (const file of filesUnder('lib')) {
  if (file.endsWith('.js') || file.endsWith('.js.map')) rmSync(file);
}
await esbuild.build({
  entryPoints,
  outdir: 'lib',
  outbase: 'tangle',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
if (process.argv.includes('--types')) {
  const tsc = resolvable('typescript/bin/tsc');
  if (tsc && resolvable('@types/node/package.json')) {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  } else {
    console.log(`build: ${tsc ? '@types/node' : 'typescript'} is not installed here; ${existsSync('lib/index.d.ts') ? 'keeping the shipped typings' : 'no typings written'}`);
  }
}
