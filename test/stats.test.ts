/**
 * `weft stats` and token budgets: exact measures of small real projects, and the exact
 * budget messages in `weft tangle`, `weft tangle --check` and watch mode.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { snapshotOfTexts, tangleSnapshot } from '../tangle/snapshot.js';
import { formatStats, projectStats, proseText } from '../tangle/stats.js';
import { exists, fence, makeProject, weft } from './helpers.js';

const GREET = [
  '# Greeting\n\nGreeting people by **name**, see [the guide](https://example.com/guide).\n\n',
  fence('ts file=src-generated/greet.ts', '<<greet>>'),
  '\n## The function\n\n',
  fence('ts #greet', 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}'),
].join('');
const ANSWER = `# Answer\n\n${fence('ts file=src-generated/answer.ts', 'export const answer = 42;')}`;
const FILES = { 'docs/greet.lit.md': GREET, 'docs/answer.lit.md': ANSWER };

function inMemory(files: Record<string, string>) {
  return tangleSnapshot(snapshotOfTexts(files));
}

/** The first line of each diagnostic printed on stderr. */
function diagnostics(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /: (error|warning): /.test(line));
}

describe('prose', () => {
  it('is the text of the Markdown, not its syntax, code, HTML or link definitions', () => {
    const markdown = [
      '# Title with *emphasis*',
      '',
      'A [link](https://example.com/a/very/long/path) and `code` and ~~struck~~ text.',
      '',
      '```ts #x',
      'const notProse = 1;',
      '```',
      '',
      '| a | b |',
      '| --- | --- |',
      '| 1 | 2 |',
      '',
      '<div>html</div>',
      '',
      '- an item with ![an image](x.png)',
      '',
      '[ref]: https://example.com/ref',
      '',
    ].join('\n');
    expect(proseText(markdown)).toBe('Title with emphasis\nA link and code and struck text.\na\nb\n1\n2\nan item with an image');
  });
});

describe('weft stats', () => {
  it('measures documents, chunks and outputs in lines, bytes and o200k_base tokens', async () => {
    const stats = await projectStats(inMemory(FILES));
    expect(stats.tokenizer).toBe('o200k_base');
    expect(stats.documents).toEqual([
      { path: 'docs/answer.lit.md', lines: 5, bytes: 75, tokens: 22, proseTokens: 1, codeTokens: 7, proseToCode: 0.14, chunks: 0 },
      { path: 'docs/greet.lit.md', lines: 15, bytes: 245, tokens: 68, proseTokens: 13, codeTokens: 23, proseToCode: 0.57, chunks: 1 },
    ]);
    expect(stats.chunks).toEqual([
      { kind: 'file', name: 'src-generated/answer.ts', document: 'docs/answer.lit.md', line: 3, column: 1, parts: 1, lines: 1, bytes: 25, tokens: 7 },
      { kind: 'file', name: 'src-generated/greet.ts', document: 'docs/greet.lit.md', line: 5, column: 1, parts: 1, lines: 1, bytes: 9, tokens: 4 },
      { kind: 'chunk', name: 'greet', document: 'docs/greet.lit.md', line: 11, column: 1, parts: 1, lines: 3, bytes: 75, tokens: 19 },
    ]);
    expect(stats.outputs).toEqual([
      { path: 'src-generated/answer.ts', document: 'docs/answer.lit.md', lines: 3, bytes: 141, tokens: 37 },
      { path: 'src-generated/greet.ts', document: 'docs/greet.lit.md', lines: 5, bytes: 189, tokens: 49 },
    ]);
    expect(stats.largestChunks.map((c) => c.name)).toEqual(['greet', 'src-generated/answer.ts', 'src-generated/greet.ts']);
    expect(stats.totals).toEqual({
      documents: { lines: 20, bytes: 320, tokens: 90, proseTokens: 14, codeTokens: 30 },
      outputs: { lines: 8, bytes: 330, tokens: 86 },
    });
  });

  it('counts a chunk made of several blocks as one, and a document without code has no ratio', async () => {
    const stats = await projectStats(
      inMemory({
        'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', '<<two>>')}\n${fence('ts #two', 'one();')}\nBetween.\n\n${fence('ts #two', 'two();')}`,
        'docs/prose.lit.md': '# Only prose\n\nNo code here.\n',
      }),
    );
    expect(stats.chunks.find((c) => c.name === 'two')).toMatchObject({ parts: 2, lines: 2, bytes: 13 });
    expect(stats.documents.find((d) => d.path === 'docs/prose.lit.md')).toMatchObject({ codeTokens: 0, proseToCode: null });
  });

  it('prints sortable tables in a terminal', async () => {
    const stats = await projectStats(inMemory(FILES));
    expect(formatStats(stats, { sort: 'name', top: 2 })).toBe(
      [
        'Documents (2; tokens: o200k_base)',
        'lines  bytes  tokens  prose  code  prose/code  chunks  document',
        '    5     75      22      1     7        0.14       0  docs/answer.lit.md',
        '   15    245      68     13    23        0.57       1  docs/greet.lit.md',
        'total: 20 lines, 320 bytes, 90 tokens (14 prose, 30 code)',
        '',
        'Outputs (2)',
        'lines  bytes  tokens  output                   from',
        '    3    141      37  src-generated/answer.ts  docs/answer.lit.md',
        '    5    189      49  src-generated/greet.ts   docs/greet.lit.md',
        'total: 8 lines, 330 bytes, 86 tokens',
        '',
        'Chunks by name (2 of 3)',
        'lines  bytes  tokens  parts  chunk                         defined at',
        '    1     25       7      1  file=src-generated/answer.ts  docs/answer.lit.md:3:1',
        '    1      9       4      1  file=src-generated/greet.ts   docs/greet.lit.md:5:1',
        '… 1 more (--top 0 shows all)',
        '',
      ].join('\n'),
    );
  });

  it('sorts by lines with --sort and prints JSON with --json', () => {
    const dir = makeProject(FILES);
    const table = weft(dir, 'stats', '--sort', 'lines');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').slice(2, 4)).toEqual([
      '   15    245      68     13    23        0.57       1  docs/greet.lit.md',
      '    5     75      22      1     7        0.14       0  docs/answer.lit.md',
    ]);
    const json = JSON.parse(weft(dir, 'stats', '--json').stdout) as { documents: { path: string; tokens: number }[]; budgets: unknown[] };
    expect(json.documents.map((d) => [d.path, d.tokens])).toEqual([
      ['docs/answer.lit.md', 22],
      ['docs/greet.lit.md', 68],
    ]);
    expect(json.budgets).toEqual([]);
    expect(weft(dir, 'stats', '--sort', 'size').code).toBe(2);
    expect(exists(dir, '.weft')).toBe(false);
  });
});

describe('token budgets', () => {
  it('never loads the tokenizer when no budget is configured', async () => {
    vi.resetModules();
    const loaded: string[] = [];
    vi.doMock('gpt-tokenizer/encoding/o200k_base', async (importOriginal) => {
      loaded.push('o200k_base');
      return importOriginal();
    });
    try {
      const { tangle } = await import('../tangle/context.js');
      const dir = makeProject(FILES);
      const result = await tangle({ root: dir, bundle: false, cache: false });
      expect(result.ok).toBe(true);
      expect(loaded).toEqual([]);
      writeFileSync(join(dir, 'weft.config.json'), '{"budgets": {"chunk": 1000}}');
      await tangle({ root: dir, bundle: false, cache: false });
      expect(loaded).toEqual(['o200k_base']);
    } finally {
      vi.doUnmock('gpt-tokenizer/encoding/o200k_base');
      vi.resetModules();
    }
  });

  it('warns at the chunk, the document and the output that exceed their budgets, and still writes', () => {
    const dir = makeProject({ ...FILES, 'weft.config.json': '{"budgets": {"chunk": 10, "document": 50, "output": 40}}' });
    const run = weft(dir, 'tangle', '--no-bundle');
    expect(run.code).toBe(0);
    expect(diagnostics(run.stderr)).toEqual([
      'docs/greet.lit.md: warning: document has 68 tokens, over the budget of 50 [token-budget]',
      'docs/greet.lit.md:5:1: warning: output src-generated/greet.ts has 49 tokens, over the budget of 40 [token-budget]',
      'docs/greet.lit.md:11:1: warning: chunk `greet` has 19 tokens, over the budget of 10 [token-budget]',
    ]);
    expect(run.stderr).toContain('note: largest: `greet` (19), file=src-generated/greet.ts (4)');
    expect(exists(dir, 'src-generated/greet.ts')).toBe(true);
  });

  it('is an error with "severity": "error": the tangle fails and writes nothing', () => {
    const dir = makeProject({ ...FILES, 'weft.config.json': '{"budgets": {"chunk": 10, "severity": "error"}}' });
    const run = weft(dir, 'tangle', '--no-bundle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['docs/greet.lit.md:11:1: error: chunk `greet` has 19 tokens, over the budget of 10 [token-budget]']);
    expect(exists(dir, 'src-generated/greet.ts')).toBe(false);
    expect(exists(dir, 'src-generated/answer.ts')).toBe(false);
  });

  it('is reported by a check and by weft stats', () => {
    const dir = makeProject({ ...FILES, 'weft.config.json': '{"budgets": {"chunk": 10, "severity": "error"}}' });
    const check = weft(dir, 'tangle', '--check', '--no-bundle');
    expect(check.code).toBe(1);
    expect(diagnostics(check.stderr)).toContain('docs/greet.lit.md:11:1: error: chunk `greet` has 19 tokens, over the budget of 10 [token-budget]');
    const stats = weft(dir, 'stats');
    expect(stats.code).toBe(1);
    expect(diagnostics(stats.stderr)).toEqual(['docs/greet.lit.md:11:1: error: chunk `greet` has 19 tokens, over the budget of 10 [token-budget]']);
  });

  it('is reported in watch mode when an edit makes a chunk too large', async () => {
    const { createContext } = await import('../tangle/context.js');
    const dir = makeProject({ ...FILES, 'weft.config.json': '{"budgets": {"chunk": 30}}' });
    const context = await createContext({ root: dir, bundle: false });
    const events: { type: string; rules: string[] }[] = [];
    let notify = () => {};
    try {
      await context.watch({
        onEvent: (event) => {
          const rules = 'result' in event ? event.result.messages.map((m) => `${m.rule} ${m.file}:${m.line}`) : [];
          events.push({ type: event.type, rules });
          if (rules.length > 0) notify();
        },
      });
      expect(events).toEqual([{ type: 'ready', rules: [] }]);
      const rebuilt = new Promise<void>((resolve) => (notify = resolve));
      const longer = 'export function greet(name: string): string {\n  const greeting = `Hello, ${name}! Welcome back to the literate programming workshop.`;\n  return greeting;\n}';
      writeFileSync(join(dir, 'docs/greet.lit.md'), GREET.replace(/export function greet[\s\S]*?\n}/, longer));
      await rebuilt;
      expect(events[events.length - 1]).toEqual({ type: 'rebuild', rules: ['token-budget docs/greet.lit.md:11'] });
    } finally {
      await context.dispose();
    }
  });
});
