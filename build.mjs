// Compile the engine (tangle/*.ts) to lib/*.js with esbuild, one file per module, so
// Node 20 (which has no TypeScript loader) can run it. `--types` also writes .d.ts files
// with tsc (the `prepare` script, so the published package has typings).
//
// This also runs inside an installed copy of Weft: npm runs `prepare` when Weft is a
// `file:` dependency (as `weft init` writes it). There the devDependencies are absent,
// so each step does what it can and keeps the prebuilt lib/ otherwise; it never leaves
// a copy without a working lib/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
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
  if (existsSync('lib/cli.js')) {
    console.log('build: esbuild is not installed here; keeping the prebuilt lib/');
    process.exit(0);
  }
  console.error('build: esbuild is not installed and there is no prebuilt lib/; run npm install first');
  process.exit(1);
}

const entryPoints = readdirSync('tangle', { recursive: true })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => `tangle/${f}`);
// Remove the previous build's JavaScript (a module deleted from tangle/ must not linger);
// typings stay until tsc replaces them, so a copy that cannot run tsc keeps its own.
for (const file of existsSync('lib') ? readdirSync('lib', { recursive: true }) : []) {
  if (file.endsWith('.js') || file.endsWith('.js.map')) rmSync(`lib/${file}`);
}
await esbuild.build({
  entryPoints,
  outdir: 'lib',
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
