/**
 * Name lookup and expansion on in-memory documents, and the expansion bomb that once
 * killed Weft: refused in a measurement, before a single line is allocated.
 */
import { describe, expect, it } from 'vitest';
import { collectDocument } from '../tangle/collect.js';
import { DEFAULT_CONFIG } from '../tangle/config.js';
import { expandCache, expandTarget } from '../tangle/expand.js';
import { lookupChunk, lookupIndex } from '../tangle/lookup.js';
import { parseDocument } from '../tangle/parse.js';
import { decodeSource } from '../tangle/read.js';
import type { CollectedDocument, Reference } from '../tangle/types.js';
import { fence, makeProject, weft } from './helpers.js';

const collect = (path: string, text: string) => collectDocument(parseDocument(decodeSource(path, Buffer.from(text))));
const reference = (text: string): Reference => {
  const hash = text.lastIndexOf('#');
  return { name: hash > 0 ? text.slice(hash + 1) : text, ...(hash > 0 ? { document: text.slice(0, hash) } : {}), text, line: 3, column: 1, indent: '', index: 0 };
};

/** The bomb of issue 14: 23 chunks, each referencing the next twice, then a one-letter line: 2^23 lines of 2 bytes, 16 MiB. */
function bomb(levels = 23): string {
  const blocks = [fence('ts file=src-generated/bomb.ts', '<<c1>>')];
  for (let i = 1; i <= levels; i++) blocks.push(fence(`ts #c${i}`, `<<c${i + 1}>>\n<<c${i + 1}>>`));
  blocks.push(fence(`ts #c${levels + 1}`, 'x'));
  return blocks.join('\n');
}

describe('lookupChunk', () => {
  const a = collect('docs/a.lit.md', `${fence('ts #local', 'a();')}${fence('ts #shared', 'a();')}`);
  const b = collect('docs/b.lit.md', `${fence('ts #shared', 'b();')}${fence('ts #only-b', 'b();')}`);
  const c = collect('docs/c.lit.md', fence('ts #shared', 'c();'));
  const index = lookupIndex([a, b, c]);
  const chunk = (doc: CollectedDocument, name: string) => doc.chunks.find((x) => x.name === name);

  it('finds the same document first, then the single other document, then by qualifier', () => {
    expect(lookupChunk(reference('shared'), 'docs/a.lit.md', index)).toBe(chunk(a, 'shared'));
    expect(lookupChunk(reference('only-b'), 'docs/a.lit.md', index)).toBe(chunk(b, 'only-b'));
    expect(lookupChunk(reference('docs/c.lit.md#shared'), 'docs/a.lit.md', index)).toBe(chunk(c, 'shared'));
  });

  it('answers with the message when a name is ambiguous or undefined; the caller reports it', () => {
    expect(lookupChunk(reference('shared'), 'docs/d.lit.md', index)).toMatchObject({ rule: 'ambiguous-chunk', file: 'docs/d.lit.md', line: 3, column: 1 });
    expect(lookupChunk(reference('lokal'), 'docs/a.lit.md', index)).toMatchObject({ rule: 'undefined-chunk', message: 'chunk `lokal` is not defined', notes: ['did you mean `<<local>>`?'] });
    expect(lookupChunk(reference('docs/b.lit.md#onlyb'), 'docs/a.lit.md', index)).toMatchObject({
      rule: 'undefined-chunk',
      message: 'chunk `onlyb` is not defined in docs/b.lit.md',
      notes: ['did you mean `<<docs/b.lit.md#only-b>>`?'],
    });
  });
});

describe('expandTarget', () => {
  const expand = (text: string, limits = DEFAULT_CONFIG.limits) => {
    const doc = collect('docs/a.lit.md', text);
    return expandTarget(doc.files[0]!, lookupIndex([doc]), limits, expandCache());
  };

  it('indents every non-blank line of a chunk like its reference, and records where each came from', () => {
    const { file, messages, used, documents } = expand(`${fence('ts file=src-generated/a.ts', 'f() {\n  <<body>>\n}')}${fence('ts #body', 'a();\n\nb();')}`);
    expect(file.texts).toEqual(['f() {', '  a();', '', '  b();', '}']);
    expect(file.origins.map((o) => [o.line, o.column, o.indent, o.chunk, o.via])).toEqual([
      [2, 1, 0, null, []],
      [7, 1, 2, 'body', ['body']],
      [8, 1, 0, 'body', ['body']],
      [9, 1, 2, 'body', ['body']],
      [4, 1, 0, null, []],
    ]);
    expect(messages).toEqual([]);
    expect(used.map((c) => c.name)).toEqual(['body']);
    expect(documents).toEqual(['docs/a.lit.md']);
    expect(file.failed).toBe(false);
  });

  it('counts the header and the source-map comment against limits.maxOutputBytes', () => {
    // 'x\n' is 2 bytes; with the header and `//# sourceMappingURL=a.ts.map` it is more.
    const doc = `${fence('ts file=src-generated/a.ts', 'x')}`;
    const fits = expand(doc, { ...DEFAULT_CONFIG.limits, maxOutputBytes: 2 + 200 });
    expect(fits.file.failed).toBe(false);
    const tooSmall = expand(doc, { ...DEFAULT_CONFIG.limits, maxOutputBytes: 2 + 40 });
    expect(tooSmall.messages.map((m) => m.rule)).toEqual(['output-too-large']);
    expect(tooSmall.file.texts).toEqual([]);
  });

  it('refuses the 2^23-line bomb in a measurement, naming the chain, without expanding it', () => {
    const started = performance.now();
    const { file, messages } = expand(bomb());
    expect(performance.now() - started).toBeLessThan(1000);
    expect(file).toMatchObject({ failed: true, texts: [] });
    expect(messages).toHaveLength(1);
    const [tooLarge] = messages;
    expect(tooLarge).toMatchObject({ file: 'docs/a.lit.md', line: 1, column: 1, severity: 'error', rule: 'output-too-large', message: 'src-generated/bomb.ts would be larger than limits.maxOutputBytes (4194304 bytes)' });
    // 2^23 lines of 'x\n', the header line and the source-map comment: the real size.
    const framing = '// generated from docs/a.lit.md by weft — edit the source, not this file\n//# sourceMappingURL=bomb.ts.map\n';
    expect(tooLarge!.notes![0]).toBe(`measured ${2 ** 24 + Buffer.byteLength(framing)} bytes`);
    expect(tooLarge!.notes![1]).toBe(`most of it comes through ${Array.from({ length: 24 }, (_, i) => `<<c${i + 1}>>`).join(' → ')}`);
  });

  it('shares one origin per repeated line: a chunk used 2^16 times costs array slots, not objects', () => {
    const { file } = expand(bomb(16));
    expect(file.texts).toHaveLength(2 ** 16);
    expect(new Set(file.origins).size).toBe(1);
  });
});

describe('weft tangle on the expansion bomb', () => {
  it('exits 1 with a located output-too-large in well under 5 s, writing nothing', () => {
    const dir = makeProject({ 'docs/bomb.lit.md': bomb() });
    const started = performance.now();
    const run = weft(dir, 'tangle', '--no-bundle');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('docs/bomb.lit.md:1:1: error: src-generated/bomb.ts would be larger than limits.maxOutputBytes (4194304 bytes) [output-too-large]');
    expect(run.stdout + run.stderr).not.toContain('FATAL');
  });
});
