#!/usr/bin/env node
// The `weft` command. The engine is TypeScript compiled to lib/ by `npm install`
// (the "prepare" script); this file only starts it.
import { existsSync } from 'node:fs';

const cli = new URL('../lib/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('weft: the engine is not built (lib/cli/main.js is missing); run `npm install` or `npm run build` in the weft package\n');
  process.exit(2);
}
const { runCli } = await import(cli.href);
await runCli();
