#!/usr/bin/env node
// The `weft` command. The engine is TypeScript compiled to lib/ (the published tarball
// ships it; a clone builds it with `npm install`, whose "prepare" script runs build.mjs).
// npm 11 does not run a dependency's install scripts unless they are approved, so a copy
// installed from a folder (`npm install --install-links /path/to/clone`) may arrive
// unbuilt: then the first run builds lib/ itself with the esbuild it depends on.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../lib/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  const packageRoot = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write('weft: building the engine (lib/) on first use\n');
  spawnSync(process.execPath, ['build.mjs'], { cwd: packageRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(cli)) {
    process.stderr.write('weft: the engine is not built (lib/cli/main.js is missing) and could not be built here; run `npm install` in the weft package\n');
    process.exit(2);
  }
}
const { runCli } = await import(cli.href);
await runCli();
