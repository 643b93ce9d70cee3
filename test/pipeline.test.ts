/**
 * `tangleSources`, the one pipeline every driver calls, on in-memory sources: no disk, no
 * process. A memo passed back in makes a second call cheap, never different: untouched
 * outputs come back as the very same objects, and the result equals a cold call's.
 */
import { describe, expect, it } from 'vitest';
import { collectDocument } from '../tangle/collect.js';
import { DEFAULT_CONFIG } from '../tangle/config.js';
import { parseDocument } from '../tangle/parse.js';
import { tangleSources } from '../tangle/pipeline.js';
import { decodeSource } from '../tangle/read.js';
import type { Source } from '../tangle/types.js';
import { fence } from './helpers.js';

const source = (path: string, text: string) => decodeSource(path, Buffer.from(text));
const A = (value: string) => `# A\n\n${fence('ts file=src-generated/a.ts', '<<value>>\n<<shared>>')}${fence('ts #value', `export const a = ${value};`)}`;
const sources = (a: string) => [
  source('docs/a.lit.md', A(a)),
  source('docs/b.lit.md', `# B\n\n${fence('ts #shared', 'export const shared = 1;')}${fence('ts file=src-generated/b.ts', 'export const b = 2;')}`),
  source('docs/c.lit.md', `# C\n\n${fence('ts file=src-generated/c.ts', 'export const c = 3;')}`),
];

/** A result without its memo, for comparing two calls. */
const plain = ({ documents, outputs, messages }: ReturnType<typeof tangleSources>) => ({ documents, outputs, messages });

describe('tangleSources', () => {
  it('tangles texts into outputs and messages', () => {
    const result = tangleSources(sources('1'), DEFAULT_CONFIG);
    expect(result.outputs.map((o) => o.path)).toEqual(['src-generated/a.ts', 'src-generated/b.ts', 'src-generated/c.ts']);
    expect(result.outputs[0]!.content).toContain('export const a = 1;\n');
    expect(result.messages).toEqual([]);
    expect(result.documents.map((d) => d.path)).toEqual(['docs/a.lit.md', 'docs/b.lit.md', 'docs/c.lit.md']);
  });

  it('accepts each source as text, parsed blocks or collected chunks, with the same result', () => {
    const texts = sources('1');
    const mixed: Source[] = [texts[0]!, parseDocument(texts[1]!), collectDocument(parseDocument(texts[2]!))];
    expect(plain(tangleSources(mixed, DEFAULT_CONFIG))).toEqual(plain(tangleSources(texts, DEFAULT_CONFIG)));
  });

  it('with the memo, re-makes only what an edit touches and returns the same objects for the rest', () => {
    const first = tangleSources(sources('1'), DEFAULT_CONFIG);
    const second = tangleSources(sources('2'), DEFAULT_CONFIG, first.memo);
    expect(second.outputs[0]).not.toBe(first.outputs[0]);
    expect(second.outputs[0]!.content).toContain('export const a = 2;\n');
    expect(second.outputs[1]).toBe(first.outputs[1]);
    expect(second.outputs[2]).toBe(first.outputs[2]);
    expect(second.documents[1]).toBe(first.documents[1]);
    expect(plain(second)).toEqual(plain(tangleSources(sources('2'), DEFAULT_CONFIG)));
  });

  it('re-expands the outputs that read an edited chunk of another document', () => {
    const first = tangleSources(sources('1'), DEFAULT_CONFIG);
    const edited = sources('1');
    edited[1] = source('docs/b.lit.md', `# B\n\n${fence('ts #shared', 'export const shared = 9;')}${fence('ts file=src-generated/b.ts', 'export const b = 2;')}`);
    const second = tangleSources(edited, DEFAULT_CONFIG, first.memo);
    expect(second.outputs[0]!.content).toContain('export const shared = 9;');
    expect(second.outputs[2]).toBe(first.outputs[2]);
    expect(plain(second)).toEqual(plain(tangleSources(edited, DEFAULT_CONFIG)));
  });

  it('never changes the memo it is given: an old memo still gives the right answer', () => {
    const first = tangleSources(sources('1'), DEFAULT_CONFIG);
    tangleSources([sources('2')[0]!, sources('2')[2]!], DEFAULT_CONFIG, first.memo); // A document gone, a chunk unused.
    const again = tangleSources(sources('1'), DEFAULT_CONFIG, first.memo);
    expect(plain(again)).toEqual(plain(first));
    expect(again.outputs.every((output, i) => output === first.outputs[i])).toBe(true);
  });

  it('reports errors and warnings the same with or without a memo', () => {
    const broken = sources('1');
    broken[1] = source('docs/b.lit.md', `# B\n\n${fence('ts #sharde', 'x')}${fence('ts file=src-generated/b.ts', '  <<b>>;')}`);
    const cold = tangleSources(broken, DEFAULT_CONFIG);
    expect(cold.messages.map((m) => `${m.file}:${m.line}:${m.column} ${m.rule}`)).toEqual(['docs/a.lit.md:5:1 undefined-chunk', 'docs/b.lit.md:7:3 reference-not-alone']);
    const warm = tangleSources(broken, DEFAULT_CONFIG, tangleSources(sources('1'), DEFAULT_CONFIG).memo);
    expect(plain(warm)).toEqual(plain(cold));
    // Fixed again: the unused-chunk check runs once the project resolves.
    const fixed = tangleSources(sources('1'), DEFAULT_CONFIG, warm.memo);
    expect(plain(fixed)).toEqual(plain(tangleSources(sources('1'), DEFAULT_CONFIG)));
  });

  it('reports an unreadable source and tangles the rest', () => {
    const unreadable = { path: 'docs/d.lit.md', text: '', hash: '', messages: [{ file: 'docs/d.lit.md', line: 0, column: 0, severity: 'error' as const, rule: 'document-too-large', message: 'too large' }] };
    const result = tangleSources([...sources('1'), unreadable], DEFAULT_CONFIG);
    expect(result.messages.map((m) => m.rule)).toEqual(['document-too-large']);
    expect(result.outputs).toHaveLength(3);
  });
});
