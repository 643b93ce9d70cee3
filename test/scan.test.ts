/**
 * The fast path (`scan.ts`) against its oracle (remark, `parse.ts`).
 *
 * The contract: whenever `scanBlocks` returns blocks, they deep-equal what
 * `remarkBlocks` returns for the same text; otherwise it returns undefined and remark
 * decides. Checked three ways: the CommonMark spec's fenced-code examples (and the
 * same examples with an info string added), a differential property test over
 * generated CommonMark built from the constructs that can move or hide a fence, and
 * typical literate documents, which the scanner must accept (else the fast path is
 * never taken and the property would hold vacuously).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Code, Nodes } from 'mdast';
import type { Block } from '../tangle/types.js';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, test } from 'vitest';
import { parseDocument, remarkBlocks } from '../tangle/parse.js';
import { decodeSource } from '../tangle/read.js';
import { scanBlocks, scanDocument } from '../tangle/scan.js';
import { columnOneFenceText, commonmarkText, literateText } from './fixtures/reliability/generators.mjs';

interface SpecExample {
  example: number;
  markdown: string;
  code: { lang: string | null; meta: string | null; value: string }[];
}

const FIXTURES = new URL('./fixtures/reliability/', import.meta.url);
const spec = JSON.parse(readFileSync(new URL('commonmark-fenced-code.json', FIXTURES), 'utf8')) as { examples: SpecExample[] };

/** Every code node remark finds (fenced or indented, with or without an info string). */
function remarkCodeNodes(text: string): SpecExample['code'] {
  const found: SpecExample['code'] = [];
  const visit = (node: Nodes) => {
    if (node.type === 'code') {
      const code = node as Code;
      found.push({ lang: code.lang ?? null, meta: code.meta ?? null, value: code.value });
    } else if ('children' in node) for (const child of node.children) visit(child as Nodes);
  };
  visit(unified().use(remarkParse).parse(text));
  return found;
}

/** Fenced blocks as full remark (inline constructs on) sees them. */
function fullRemarkBlocks(text: string) {
  const found: Pick<Block, 'lang' | 'meta' | 'value' | 'fenceLine' | 'fenceColumn'>[] = [];
  const lines = text.split('\n');
  const visit = (node: Nodes) => {
    if (node.type === 'code' && /[`~]/.test(lines[node.position!.start.line - 1]![node.position!.start.column - 1] ?? '')) {
      found.push({ lang: node.lang ?? null, meta: node.meta ?? null, value: node.value, fenceLine: node.position!.start.line, fenceColumn: node.position!.start.column });
    } else if ('children' in node) for (const child of node.children) visit(child as Nodes);
  };
  visit(unified().use(remarkParse).parse(text));
  return found;
}

/** The spec example with " ts" after its first bare opening fence, so it yields a block. */
function withInfoString(markdown: string): string {
  return markdown.replace(/^( {0,3})(`{3,}|~{3,})$/m, '$1$2ts file=src-generated/a.ts');
}

/** The property itself: the scanner answers exactly like remark, or not at all. */
function agreesWithRemark(text: string): boolean {
  const scanned = scanBlocks(text);
  if (scanned !== undefined) expect(scanned).toEqual(remarkBlocks(text));
  return scanned !== undefined;
}

describe('the CommonMark spec, section 4.5 (fenced code blocks)', () => {
  test('remark reads all 29 examples as the spec says', () => {
    expect(spec.examples.map((e) => e.example)).toEqual(Array.from({ length: 29 }, (_, i) => 119 + i));
    for (const example of spec.examples) {
      expect({ example: example.example, code: remarkCodeNodes(example.markdown) }).toEqual({ example: example.example, code: example.code });
    }
  });

  test('the scanner agrees with remark on every example it accepts, with and without an info string', () => {
    let accepted = 0;
    for (const example of spec.examples) {
      for (const text of [example.markdown, withInfoString(example.markdown)]) if (agreesWithRemark(text)) accepted++;
    }
    // Column-1 fences (most examples) are the scanner's business; it must take them.
    expect(accepted).toBeGreaterThanOrEqual(40);
  });
});

/**
 * Check the property on `numRuns` generated texts (normalised the way `read.ts` does
 * before parsing); return how many the scanner answered.
 */
/** Text full of inline constructs that could (but must not) matter to blocks. */
const INLINE_HEAVY = fc
  .array(fc.constantFrom('*a*', '**', '_', '`', '``', '[x]', '](y)', '![i]', '<a href="x">', '</a>', '<http://x>', '\\', '&amp;', '```ts', '~~~ts', '\n', '\n\n', '\n- ', '\n> ', '\n    '), { maxLength: 60 })
  .map((parts) => parts.join(''));

function acceptedOf(texts: fc.Arbitrary<string>, numRuns: number): number {
  let accepted = 0;
  const normalised = texts.map((text) => decodeSource('doc.lit.md', Buffer.from(text)).text);
  fc.assert(
    fc.property(normalised, (text) => {
      if (agreesWithRemark(text)) accepted++;
    }),
    { numRuns },
  );
  return accepted;
}

describe('the scanner against remark on generated CommonMark', () => {
  test('whenever the scanner answers, it answers exactly like remark (containers, indentation, HTML, definitions, info strings)', () => {
    expect(acceptedOf(commonmarkText, 1000)).toBeGreaterThan(30);
  });

  test('whenever the scanner answers, it answers exactly like remark (column-1 fences: lengths, closers, unclosed, info strings)', () => {
    // About half of these are the scanner's to answer: a fast path that bails is no fast path.
    expect(acceptedOf(columnOneFenceText, 1000)).toBeGreaterThan(350);
  });

  test.each([
    ['a no-break space before the info string', '```\u00a0ts\nx\n```\n'],
    ['a no-break space after the info string', '```ts\u00a0\nx\n```\n'],
    ['a form feed after the info string', '```ts\f\nx\n```\n'],
    ['a form feed before the info string', '```\fts\nx\n```\n'],
    ['an ideographic space after the info string', '```ts\u3000\nx\n```\n'],
    ['a byte-order mark before the info string', '```\ufeffts\nx\n```\n'],
  ])('an info string is trimmed of spaces and tabs only, not of %s', (_, text) => {
    agreesWithRemark(text);
    expect(scanBlocks(text)?.[0]?.lang).toBe(remarkBlocks(text)[0]?.lang);
  });
});

describe('the oracle: remark reading blocks only', () => {
  test('finds the same code blocks as full remark (inline constructs only matter inside paragraphs)', () => {
    const same = (text: string) => {
      const normal = decodeSource('doc.lit.md', Buffer.from(text)).text;
      expect(remarkBlocks(normal).map(({ lang, meta, value, fenceLine, fenceColumn }) => ({ lang, meta, value, fenceLine, fenceColumn }))).toEqual(fullRemarkBlocks(normal));
    };
    for (const example of spec.examples) same(withInfoString(example.markdown));
    fc.assert(fc.property(fc.oneof(commonmarkText, columnOneFenceText, literateText, INLINE_HEAVY), same), { numRuns: 400 });
  });
});

// ---------------------------------------------------------------------------------
// Typical literate documents: the fast path must actually be taken.

describe('the scanner takes typical literate documents', () => {
  test('a literate document with prose, lists, tables, quotes, chunks and files is read by the scanner, exactly like remark', () => {
    const text = readFileSync(new URL('typical.lit.md', FIXTURES), 'utf8');
    const parsed = parseDocument(decodeSource('typical.lit.md', Buffer.from(text)));
    expect(parsed.reader).toBe('scanner');
    expect(parsed.blocks).toEqual(remarkBlocks(text));
    expect(parsed.blocks.map((b) => `${b.lang} ${b.meta}`)).toEqual([
      'ts file=src-generated/slug.ts',
      'ts #fold-case-and-accents',
      'ts #replace-runs-of-other-characters',
      'ts file=src-generated/slug.test.ts',
      'sh null',
    ]);
  });

  test('generated literate documents are all read by the scanner, exactly like remark', () => {
    fc.assert(
      fc.property(literateText, (text) => {
        expect(agreesWithRemark(text)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------
// Line counts and unclosed fences: both readers, the same data.

describe('content lines are counted from the fences, by both readers', () => {
  test.each([
    ['an empty block', '```ts #a\n```\n', { value: '', columns: [] }],
    ['one blank line', '```ts #a\n\n```\n', { value: '', columns: [1] }],
    ['two blank lines', '```ts #a\n\n\n```\n', { value: '\n', columns: [1, 1] }],
    ['an unclosed block at the end of the document, nothing after it', '```ts #a\n', { value: '', columns: [], unclosed: true }],
    ['an unclosed block holding one blank line', '```ts #a\n\n', { value: '', columns: [1], unclosed: true }],
    ['an unclosed block with trailing blank lines', '```ts #a\nx\n\n\n', { value: 'x\n\n', columns: [1, 1, 1], unclosed: true }],
    ['an unclosed block without a final line ending', '```ts #a\nx ```', { value: 'x ```', columns: [1], unclosed: true }],
  ])('%s', (_, text, expected) => {
    const [block] = scanBlocks(text)!;
    expect(block).toEqual({ lang: 'ts', meta: '#a', fenceLine: 1, fenceColumn: 1, ...expected });
    expect(remarkBlocks(text)).toEqual([block]);
  });

  test.each([
    ['a closed block in a list item holding one blank line', '- ```ts #a\n\n  ```\n', { value: '', columns: [1], fenceColumn: 3 }],
    ['a closed block in a block quote holding one blank line', '> ```ts #a\n>\n> ```\n', { value: '', columns: [2], fenceColumn: 3 }],
    ['an unclosed block that ends with its block quote', '> ```ts #a\n> x\n\nafter\n', { value: 'x', columns: [3], fenceColumn: 3, unclosed: true }],
    ['an unclosed block that ends with its list item', '- ```ts #a\n  x\n\nafter\n', { value: 'x', columns: [3], fenceColumn: 3, unclosed: true }],
  ])('remark: %s', (_, text, expected) => {
    expect(scanBlocks(text)).toBeUndefined();
    expect(remarkBlocks(text)).toEqual([{ lang: 'ts', meta: '#a', fenceLine: 1, ...expected }]);
  });
});

describe('link reference definitions', () => {
  test.each([
    ['a definition', '[a]: http://x\n\n```ts #a\nx\n```\n'],
    ['a title left open across a fence', "[a]: /url '\n```ts #a\nx\n```\n'\n"],
    ['a destination left out before a fence', '[a]:\n```ts #a\nx\n```\n'],
    ['a parenthesised title across a tilde fence', '[a]: /u (\n~~~ts #a\nb\n~~~\n)\n'],
  ])('are read by the scanner, exactly as remark reads them: %s', (_, text) => {
    expect(agreesWithRemark(text)).toBe(true);
    expect(scanBlocks(text)).toEqual(fullRemarkBlocks(text).map((block) => expect.objectContaining(block)));
  });
});

describe('where the scanner stops', () => {
  test.each([
    ['a fence in a list item', '# A\n\n- item\n  ```ts\n  x\n  ```\n', 4, 'a fence (or inline code) that does not start a line outside lists and quotes'],
    ['an HTML block', 'text\n\n<div>\n', 3, 'a line that may start an HTML block'],
    ['a NUL character', 'a\nb\0\n', 2, 'a NUL character'],
  ])('names the first line it cannot read: %s', (_, text, line, reason) => {
    expect(scanDocument(text)).toEqual({ line, reason });
  });
});
