/**
 * Source maps: every tangled JS/TS output maps back to the `.lit.md` line and column, and
 * esbuild bundles chain those maps so Node's stack traces name the Markdown.
 */
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tangle } from '../tangle/index.js';
import { fence, makeProject, read, weft } from './helpers.js';

const DOC = [
  '# Thrower', // 1
  '', // 2
  'Some prose.', // 3
  '', // 4
  '```ts file=src-generated/main.ts', // 5
  'import { explode } from "./explode.js";', // 6
  'explode(3);', // 7
  '```', // 8
  '', // 9
  '```ts file=src-generated/explode.ts', // 10
  'export function explode(n: number): void {', // 11
  '  if (n > 2) {', // 12
  '    <<throw-when-too-big>>', // 13
  '  }', // 14
  '}', // 15
  '```', // 16
  '', // 17
  '- In a list item, indented:', // 18
  '', // 19
  '  ```ts #throw-when-too-big', // 20
  '  const limit = 2;', // 21
  '  throw new Error(`too big: ${n} > ${limit}`);', // 22
  '  ```', // 23
  '',
].join('\n');

describe('source maps', () => {
  it('map each generated token to its line and column in the .lit.md, through reference indentation', async () => {
    const dir = makeProject({ 'docs/a.lit.md': DOC });
    const result = await tangle({ root: dir, bundle: false });
    expect(result.ok).toBe(true);
    const generated = read(dir, 'src-generated/explode.ts').split('\n');
    expect(generated.at(-2)).toBe('//# sourceMappingURL=explode.ts.map');
    const map = new TraceMap(read(dir, 'src-generated/explode.ts.map'));
    const throwLine = generated.findIndex((l) => l.includes('throw new Error')) + 1;
    const column = generated[throwLine - 1]!.indexOf('new');
    // `new` is at column 9 (1-based) of line 22 of the document: 2 spaces of list indentation, then `throw `.
    expect(originalPositionFor(map, { line: throwLine, column })).toMatchObject({ source: '../docs/a.lit.md', line: 22, column: 8 });
    const ifLine = generated.findIndex((l) => l.includes('if (n > 2)')) + 1;
    expect(originalPositionFor(map, { line: ifLine, column: 2 })).toMatchObject({ line: 12, column: 2 });
  });

  it('a bundled exception is reported by node --enable-source-maps at the .lit.md line of the throw', () => {
    const dir = makeProject({
      'docs/a.lit.md': DOC,
      'weft.config.json': JSON.stringify({ bundle: { entryPoints: ['src-generated/main.ts'], outdir: 'dist' } }),
    });
    const run = weft(dir, 'tangle');
    expect(run.code, run.stderr).toBe(0);
    const node = spawnSync(process.execPath, ['--enable-source-maps', 'dist/main.js'], { cwd: dir, encoding: 'utf8' });
    expect(node.status).not.toBe(0);
    expect(node.stderr).toContain('Error: too big: 3 > 2');
    expect(node.stderr).toMatch(new RegExp(`at explode \\(${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/docs/a\\.lit\\.md:22:9\\)`));
  });

  it("the bundle's map names the documents without copying them, unless bundle.sourcesContent asks for it", () => {
    const bundle = { entryPoints: ['src-generated/main.ts'], outdir: 'dist' };
    const lean = makeProject({ 'docs/a.lit.md': DOC, 'weft.config.json': JSON.stringify({ bundle }) });
    expect(weft(lean, 'tangle').code).toBe(0);
    const leanMap = JSON.parse(read(lean, 'dist/main.js.map'));
    expect(leanMap.sources).toContain('../docs/a.lit.md');
    expect(leanMap.sourcesContent).toBeUndefined();

    const full = makeProject({ 'docs/a.lit.md': DOC, 'weft.config.json': JSON.stringify({ bundle: { ...bundle, sourcesContent: true } }) });
    expect(weft(full, 'tangle').code).toBe(0);
    const fullMap = JSON.parse(read(full, 'dist/main.js.map'));
    expect(fullMap.sourcesContent[fullMap.sources.indexOf('../docs/a.lit.md')]).toBe(DOC);
  });

  it('esbuild errors in a bundled module are reported at the .lit.md line', () => {
    const dir = makeProject({
      'docs/a.lit.md': `# Broken\n\n${fence('ts file=src-generated/main.ts', 'const a = 1;\n  <<broken-syntax>>')}\n${fence('ts #broken-syntax', 'let x = ;')}`,
      'weft.config.json': JSON.stringify({ bundle: { entryPoints: ['src-generated/main.ts'] } }),
    });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('docs/a.lit.md:9:9: error: Unexpected ";" [bundle-error]');
    expect(run.stderr).toContain('note: in src-generated/main.ts:3:11');
  });

  it('--no-bundle skips esbuild, and is accepted without a bundle configured', () => {
    const dir = makeProject({
      'docs/a.lit.md': DOC,
      'weft.config.json': JSON.stringify({ bundle: { entryPoints: ['src-generated/main.ts'] } }),
    });
    expect(weft(dir, 'tangle', '--no-bundle').code).toBe(0);
    expect(spawnSync('ls', ['dist'], { cwd: dir }).status).not.toBe(0);
    const plain = makeProject({ 'docs/a.lit.md': DOC });
    expect(weft(plain, 'tangle', '--no-bundle').code).toBe(0);
  });
});
