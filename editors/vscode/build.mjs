// Build the extension: one CommonJS file, out/extension.js, with vscode-languageclient
// bundled in (VS Code loads extensions as CommonJS and provides only `vscode` itself).
// Run by the build smoke test in `npm test` (test/lsp-vscode.test.ts); not published.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
await build({
  absWorkingDir: here,
  entryPoints: ['src/extension.ts'],
  outfile: 'out/extension.js',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
});
