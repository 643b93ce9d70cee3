/**
 * The emit stage on in-memory expansions: header, mode, source-map comment, and a source
 * map whose every segment points back at the document.
 */
import { decode } from '@jridgewell/sourcemap-codec';
import { describe, expect, it } from 'vitest';
import { emitFile, framingOf } from '../tangle/emit.js';
import type { ExpandedFile, LineOrigin } from '../tangle/types.js';

const origin = (line: number, indent = 0): LineOrigin => ({ document: 'docs/a.lit.md', line, column: 1, indent, chunk: null, via: [] });
const file = (path: string, texts: string[], lang: string | null = 'ts'): ExpandedFile => ({
  path,
  document: 'docs/a.lit.md',
  lang,
  texts,
  origins: texts.map((_, i) => origin(i + 2)),
  chunks: {},
  failed: false,
});

describe('emitFile', () => {
  it('adds the header and the source-map comment to a TypeScript output', () => {
    const output = emitFile(file('src-generated/a.ts', ['export const a = 1;']));
    expect(output.content).toBe('// generated from docs/a.lit.md by weft — edit the source, not this file\nexport const a = 1;\n//# sourceMappingURL=a.ts.map\n');
    expect(output.mode).toBe(0o644);
    expect(output.origins.map((o) => o.line)).toEqual([0, 2, 0]);
    expect(JSON.parse(output.map!)).toMatchObject({ version: 3, file: 'a.ts', sources: ['../docs/a.lit.md'] });
  });

  it('puts the header after a #! line, in the shell comment syntax, and makes the file executable', () => {
    const output = emitFile(file('scripts/run', ['#!/bin/sh', 'echo hi'], 'sh'));
    expect(output.content).toBe('#!/bin/sh\n# generated from docs/a.lit.md by weft — edit the source, not this file\necho hi\n');
    expect(output.mode).toBe(0o755);
    expect(output.map).toBeNull();
  });

  it('adds nothing to JSON', () => {
    expect(emitFile(file('src-generated/a.json', ['{}'], 'json')).content).toBe('{}\n');
    expect(framingOf('src-generated/a.json', 'json', 'docs/a.lit.md')).toEqual([]);
  });

  it('frames exactly the lines it adds (what the size limit counts)', () => {
    const output = emitFile(file('src-generated/a.ts', ['x']));
    const framing = framingOf('src-generated/a.ts', 'ts', 'docs/a.lit.md');
    expect(output.content.split('\n').filter((line) => framing.includes(line))).toEqual(framing);
    expect(Buffer.byteLength(output.content)).toBe(2 + framing.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0));
  });

  it('maps every line of a long output back to its document line, across encoding batches', () => {
    const texts = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? '' : `  call(${i}).then(x);`));
    const expanded = file('src-generated/long.ts', texts);
    expanded.origins = texts.map((text, i) => (i % 7 === 0 ? { ...origin(0), document: null } : origin(i + 2, text === '' ? 0 : 2)));
    const output = emitFile(expanded);
    const mappings = decode(JSON.parse(output.map!).mappings);
    expect(mappings).toHaveLength(10_001); // The header and the lines (the map is made before the comment line is added).
    mappings.slice(1).forEach((segments, i) => {
      if (expanded.origins[i]!.document === null) return expect(segments).toEqual([]);
      expect(segments[0]).toEqual([0, 0, i + 1, 0]);
      for (const segment of segments) expect(segment[2]).toBe(i + 1);
    });
  });
});
