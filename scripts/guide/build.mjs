// generated from docs/guide.lit.md by weft — edit the source, not this file
// Bundle the guide's command with esbuild; Weft tangles inside the build.
import * as esbuild from 'esbuild';
import { weft } from 'weft-lit/esbuild';

const options = {
  entryPoints: ['src-generated/guide/cli.ts'],
  outdir: 'dist/guide',
  bundle: true,
  platform: 'node',
  format: 'esm',
  sourcemap: true,
  plugins: [weft()],
};
if (process.argv.includes('--watch')) {
  await (await esbuild.context(options)).watch();
} else {
  await esbuild.build(options);
}
//# sourceMappingURL=build.mjs.map
