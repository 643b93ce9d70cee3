/**
 * The authoring syntax, rule by rule: what a block tangles to.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tangle } from '../tangle/index.js';
import { fence, makeProject, read } from './helpers.js';

const HEADER = '// generated from docs/a.lit.md by weft — edit the source, not this file\n';
const MAP = (name: string) => `//# sourceMappingURL=${name}.map\n`;

/** Tangle a one-document project and return the text of `output` without header and map comment. */
async function body(doc: string, output = 'src-generated/a.ts'): Promise<string> {
  const dir = makeProject({ 'docs/a.lit.md': doc });
  const result = await tangle({ root: dir, bundle: false });
  expect(result.messages.filter((m) => m.severity === 'error')).toEqual([]);
  const text = read(dir, output);
  return text.replace(HEADER, '').replace(/\/\/# sourceMappingURL=.*\n$/, '');
}

describe('file targets', () => {
  it('tangles a block with file= into that file, with a header and a source-map comment', async () => {
    const dir = makeProject({ 'docs/a.lit.md': `# A\n\n${fence('ts file=src-generated/a.ts', 'export const a = 1;')}` });
    await tangle({ root: dir, bundle: false });
    expect(read(dir, 'src-generated/a.ts')).toBe(`${HEADER}export const a = 1;\n${MAP('a.ts')}`);
  });

  it('accepts the Pandoc/Entangled braces form and quoted values', async () => {
    const doc = `${fence('{.ts file="src-generated/a b.ts"}', 'export const a = 1;')}`;
    expect(await body(doc, 'src-generated/a b.ts')).toBe('export const a = 1;\n');
  });

  it('keeps and ignores unknown attributes', async () => {
    expect(await body(fence('ts file=src-generated/a.ts title="x y" eval=no', 'let a;'))).toBe('let a;\n');
    expect(await body(fence('{.ts file=src-generated/a.ts .numberLines startFrom=3}', 'let b;'))).toBe('let b;\n');
  });

  it('does not tangle blocks that name no target (examples)', async () => {
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts', 'example();')}${fence('', 'plain')}${fence('ts file=src-generated/a.ts', 'real();')}` });
    const result = await tangle({ root: dir, bundle: false });
    expect(result.outputs.map((o) => o.path)).toEqual(['src-generated/a.ts']);
    expect(read(dir, 'src-generated/a.ts')).toContain('real();');
    expect(read(dir, 'src-generated/a.ts')).not.toContain('example');
  });

  it('concatenates blocks of the same file in document order', async () => {
    const doc = `${fence('ts file=src-generated/a.ts', 'one();')}\nprose\n\n${fence('ts file=src-generated/a.ts', 'two();')}`;
    expect(await body(doc)).toBe('one();\ntwo();\n');
  });

  it('writes files starting with #! with mode 0755 and others with 0644, header after the #! line', async () => {
    const dir = makeProject({ 'docs/a.lit.md': `${fence('sh file=scripts/run.sh', '#!/usr/bin/env bash\necho hi')}${fence('ts file=src-generated/a.ts', 'let a;')}` });
    await tangle({ root: dir, bundle: false });
    expect(statSync(join(dir, 'scripts/run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'src-generated/a.ts')).mode & 0o777).toBe(0o644);
    expect(read(dir, 'scripts/run.sh')).toBe('#!/usr/bin/env bash\n# generated from docs/a.lit.md by weft — edit the source, not this file\necho hi\n');
  });

  it('gives JSON and unknown languages no header comment, and CSS a block comment', async () => {
    const dir = makeProject({
      'docs/a.lit.md': `${fence('json file=src-generated/a.json', '{"a": 1}')}${fence('zzz file=src-generated/a.zzz', 'data')}${fence('css file=src-generated/a.css', 'a {}')}`,
    });
    await tangle({ root: dir, bundle: false });
    expect(read(dir, 'src-generated/a.json')).toBe('{"a": 1}\n');
    expect(read(dir, 'src-generated/a.zzz')).toBe('data\n');
    expect(read(dir, 'src-generated/a.css')).toBe('/* generated from docs/a.lit.md by weft — edit the source, not this file */\na {}\n');
  });
});

describe('references', () => {
  it('replaces a reference line with the chunk, indenting every non-blank line', async () => {
    const doc = `${fence('ts file=src-generated/a.ts', 'function f() {\n    <<body>>\n}')}${fence('ts #body', 'const a = 1;\n\nreturn a;')}`;
    expect(await body(doc)).toBe('function f() {\n    const a = 1;\n\n    return a;\n}\n');
  });

  it('nests references and accumulates indentation', async () => {
    const doc = `${fence('ts file=src-generated/a.ts', 'class A {\n  <<methods>>\n}')}${fence('ts #methods', 'm() {\n  <<method-body>>\n}')}${fence('ts #method-body', 'return 1;')}`;
    expect(await body(doc)).toBe('class A {\n  m() {\n    return 1;\n  }\n}\n');
  });

  it('treats << inside a line of code as code', async () => {
    const doc = fence('ts file=src-generated/a.ts', 'const x = 1 << 2; // <<not-a-reference>>\nconst y = a<<b>>c;');
    expect(await body(doc)).toBe('const x = 1 << 2; // <<not-a-reference>>\nconst y = a<<b>>c;\n');
  });

  it('joins the parts of a chunk defined in several blocks, in document order', async () => {
    const doc = `${fence('ts file=src-generated/a.ts', '<<steps>>')}${fence('ts #steps', 'first();')}text\n\n${fence('ts #steps', 'second();')}`;
    expect(await body(doc)).toBe('first();\nsecond();\n');
  });

  it('resolves a name in the same document before other documents', async () => {
    const dir = makeProject({
      'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', '<<name>>')}${fence('ts #name', 'local();')}`,
      'docs/b.lit.md': `${fence('ts file=src-generated/b.ts', '<<name>>')}${fence('ts #name', 'other();')}`,
    });
    const result = await tangle({ root: dir, bundle: false });
    expect(result.ok).toBe(true);
    expect(read(dir, 'src-generated/a.ts')).toContain('local();');
    expect(read(dir, 'src-generated/b.ts')).toContain('other();');
  });

  it('resolves a name defined in exactly one other document', async () => {
    const dir = makeProject({
      'docs/a.lit.md': fence('ts file=src-generated/a.ts', '<<shared-helper>>'),
      'docs/lib/b.lit.md': fence('ts #shared-helper', 'helper();'),
    });
    const result = await tangle({ root: dir, bundle: false });
    expect(result.ok).toBe(true);
    expect(read(dir, 'src-generated/a.ts')).toContain('helper();');
  });

  it('resolves a qualified reference docs/x.lit.md#name', async () => {
    const dir = makeProject({
      'docs/a.lit.md': fence('ts file=src-generated/a.ts', '<<docs/c.lit.md#name>>'),
      'docs/b.lit.md': fence('ts #name', 'from_b();'),
      'docs/c.lit.md': fence('ts #name', 'from_c();'),
    });
    const result = await tangle({ root: dir, bundle: false });
    expect(result.messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(read(dir, 'src-generated/a.ts')).toContain('from_c();');
  });

  it('accepts non-ASCII chunk names', async () => {
    const doc = `${fence('ts file=src-generated/a.ts', '<<grüße-ausgeben>>')}${fence('ts #grüße-ausgeben', 'console.log("grüß dich");')}`;
    expect(await body(doc)).toBe('console.log("grüß dich");\n');
  });

  it('leaves blank lines empty (no trailing white space) in indented expansions', async () => {
    const doc = `${fence('ts file=src-generated/a.ts', '    <<x>>')}${fence('ts #x', 'a();\n   \nb();')}`;
    expect(await body(doc)).toBe('    a();\n\n    b();\n');
  });
});

describe('CommonMark edge cases', () => {
  it('tangles fences inside list items and block quotes, without the container markers', async () => {
    const doc = `- item\n\n  ${'```'}ts file=src-generated/a.ts\n  inList();\n    indented();\n  ${'```'}\n\n> quoted\n>\n> ${'```'}ts file=src-generated/a.ts\n> inQuote();\n> ${'```'}\n`;
    expect(await body(doc)).toBe('inList();\n  indented();\ninQuote();\n');
  });

  it('tangles tilde fences and longer fences that contain shorter ones', async () => {
    const doc = `~~~ts file=src-generated/a.ts\ntilde();\n~~~\n\n${'````'}ts file=src-generated/a.ts\nconst s = \`\n${'```'}\n\`;\n${'````'}\n`;
    expect(await body(doc)).toBe('tilde();\nconst s = `\n```\n`;\n');
  });

  it('reads CRLF documents and writes LF outputs', async () => {
    const doc = `# A\r\n\r\n${'```'}ts file=src-generated/a.ts\r\nconst a = 1;\r\n<<b>>\r\n${'```'}\r\n\r\n${'```'}ts #b\r\nconst b = 2;\r\n${'```'}\r\n`;
    expect(await body(doc)).toBe('const a = 1;\nconst b = 2;\n');
  });

  it('ignores a UTF-8 byte-order mark', async () => {
    expect(await body(`\uFEFF${fence('ts file=src-generated/a.ts', 'bom();')}`)).toBe('bom();\n');
  });

  it('does not tangle indented code blocks or fences inside HTML blocks', async () => {
    const doc = `    ${'```'}ts file=src-generated/b.ts\n    no();\n\n<div>\n${'```'}ts file=src-generated/c.ts\nno();\n</div>\n\n${fence('ts file=src-generated/a.ts', 'yes();')}`;
    const dir = makeProject({ 'docs/a.lit.md': doc });
    const result = await tangle({ root: dir, bundle: false });
    expect(result.outputs.map((o) => o.path)).toEqual(['src-generated/a.ts']);
  });
});

describe('determinism', () => {
  it('gives byte-identical outputs and maps on two runs in two folders', async () => {
    const files = {
      'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', 'export function f() {\n  <<x>>\n}')}${fence('ts #x', 'return 1;')}`,
      'docs/b.lit.md': fence('sh file=scripts/b.sh', '#!/bin/sh\necho b'),
    };
    const one = makeProject(files);
    const two = makeProject(files);
    await tangle({ root: one, bundle: false });
    await tangle({ root: two, bundle: false });
    for (const path of ['src-generated/a.ts', 'src-generated/a.ts.map', 'scripts/b.sh', '.weft/manifest.json']) {
      expect(read(one, path)).toBe(read(two, path));
    }
  });
});
