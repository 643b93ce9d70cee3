/**
 * The collect stage on in-memory documents: blocks become chunks and file targets, each
 * part's `<<references>>` are recorded once as data, and a reference that shares its line
 * with other code is warned about (`reference-not-alone`).
 */
import { describe, expect, it } from 'vitest';
import { collectDocument } from '../tangle/collect.js';
import { parseDocument } from '../tangle/parse.js';
import { decodeSource } from '../tangle/read.js';
import { fence } from './helpers.js';

const collect = (text: string, path = 'docs/a.lit.md') => collectDocument(parseDocument(decodeSource(path, Buffer.from(text))));

describe('collect: references as data', () => {
  it('records each reference with its name, qualifier, place and indentation', () => {
    const doc = collect(`# A\n\n${fence('ts file=src-generated/a.ts', 'class A {\n  <<fields>>\n\t<<docs/b.lit.md#methods>>\n}')}`);
    expect(doc.files[0]!.parts[0]!.references).toEqual([
      { name: 'fields', text: 'fields', line: 5, column: 3, indent: '  ', index: 1 },
      { name: 'methods', document: 'docs/b.lit.md', text: 'docs/b.lit.md#methods', line: 6, column: 2, indent: '\t', index: 2 },
    ]);
    expect(doc.messages).toEqual([]);
  });

  it('locates references inside list items and block quotes at their document column', () => {
    const doc = collect(`> ${'```'}ts #outer\n>     <<inner>>\n> ${'```'}\n`);
    expect(doc.chunks[0]!.parts[0]!.references).toEqual([{ name: 'inner', text: 'inner', line: 2, column: 7, indent: '    ', index: 0 }]);
  });

  it('records no reference for a part without one', () => {
    expect(collect(fence('ts #a', 'const x = 1 << 2;')).chunks[0]!.parts[0]!.references).toEqual([]);
  });
});

describe('collect: reference-not-alone', () => {
  it('warns at the << of a reference that shares its line with other code', () => {
    const doc = collect(`# A\n\n${fence('ts file=src-generated/a.ts', 'function f() {\n  <<b>>;\n  return <<c>>\n}')}`);
    expect(doc.messages).toEqual([
      { file: 'docs/a.lit.md', line: 5, column: 3, severity: 'warning', rule: 'reference-not-alone', message: '`<<b>>` is not alone on its line, so it is not expanded' },
      { file: 'docs/a.lit.md', line: 6, column: 10, severity: 'warning', rule: 'reference-not-alone', message: '`<<c>>` is not alone on its line, so it is not expanded' },
    ]);
    expect(doc.files[0]!.parts[0]!.references).toEqual([]);
  });

  it('says nothing about shifts, templates and names a chunk name would not be', () => {
    const code = ['const x = 1 << 2;', 'const y = a<<b>>c;', 'const z = x << y >> z;', 'cout << "<<not this>>";', 'vector<vector<int>> v;', 'p <<= 1 >> 2;'].join('\n');
    expect(collect(fence('ts file=src-generated/a.ts', code)).messages).toEqual([]);
  });

  it('says nothing about examples, which are not tangled', () => {
    expect(collect(fence('ts', '  <<b>>;')).messages).toEqual([]);
  });
});
