/**
 * The parse budget (`parse-pool.ts`, issue 14 item 4): a document that needs remark is
 * parsed in a worker with a time and memory budget and refused with a located
 * `document-too-complex` past it, instead of holding up the run. The shapes are the
 * ones measured in the issue, sized so that an unbudgeted parse takes seconds (lists
 * nested 0-30 deep, 200 KB: over 30 s); the budgets are small so the tests are fast.
 *
 * Workers run the compiled engine (`lib/`, built by `npm test` before vitest), so this
 * file loads `parseMany` from there.
 */
import { describe, expect, it } from 'vitest';
import type * as Pool from '../tangle/parse-pool.js';
import { remarkBlocks } from '../tangle/parse.js';
import { decodeSource } from '../tangle/read.js';
import { fence, makeProject, weftAsync } from './helpers.js';

const { parseMany } = (await import(new URL('../lib/parse-pool.js', import.meta.url).href)) as typeof Pool;

const source = (path: string, text: string) => decodeSource(path, Buffer.from(text));

/** A list item holding a code block, then many lines ending in a hard line break (quadratic in remark). */
const hardBreaks = (bytes: number) => `# Notes\n\n- \`\`\`ts #h\n  x\n  \`\`\`\n\n  ${'a line  \n  '.repeat(Math.ceil(bytes / 11))}end\n`;
/** A list item holding a code block, then lists nested 0 to 30 deep and back, over and over. */
const nestedLists = (bytes: number) => {
  const lines: string[] = ['- ```ts #n', '  x', '  ```'];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const depth = i % 60 < 30 ? i % 60 : 60 - (i % 60);
    const line = `${'  '.repeat(depth)}- item ${i}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
};
/**
 * A list item holding a code block (so remark must read the document), then thousands of
 * link reference definitions (short ones, to stay under the 256 KiB cap). Without the list
 * fence the scanner reads definitions itself, in milliseconds.
 */
const linkDefinitions = (count: number) => '- ```ts #d\n  x\n  ```\n\n' + Array.from({ length: count }, (_, i) => `[${i.toString(36)}]:x`).join('\n') + '\n';

describe('a document that needs remark is parsed within a budget', () => {
  it.each([
    ['a list item of 60 KB of hard line breaks', hardBreaks(60_000), 3],
    ['lists nested 0-30 deep, 200 KB', nestedLists(200_000), 1],
    ['30,000 link reference definitions', linkDefinitions(30_000), 1],
  ])('%s is refused when it runs past the time budget, at the first line the scanner could not read', async (_, text, line) => {
    const started = Date.now();
    const [parsed] = await parseMany([source('docs/slow.lit.md', text)], { budget: { timeMs: 200 } });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(parsed!.blocks).toEqual([]);
    expect(parsed!.messages).toHaveLength(1);
    expect(parsed!.messages[0]).toMatchObject({
      file: 'docs/slow.lit.md',
      line,
      column: 1,
      severity: 'error',
      rule: 'document-too-complex',
      message: 'the full Markdown parser did not finish this document within 200 ms',
    });
  });

  it('refuses a document that needs more memory than the budget', async () => {
    const [parsed] = await parseMany([source('docs/links.lit.md', linkDefinitions(30_000))], { budget: { timeMs: 25_000, memoryMb: 48 } });
    expect(parsed!.messages.map((m) => `${m.line}:${m.column} ${m.rule}: ${m.message}`)).toEqual(['1:1 document-too-complex: the full Markdown parser needed more than 48 MB for this document']);
  });

  it('parses the other documents of the run in full, before and after the refused one', async () => {
    const good = `# Steps\n\n1. First:\n\n   ${fence('ts #first', 'export const first = 1;').replace(/\n(?=.)/g, '\n   ')}`;
    const sources = [source('docs/a.lit.md', good), source('docs/slow.lit.md', hardBreaks(60_000)), source('docs/c.lit.md', good.replace(/first/g, 'third'))];
    const parsed = await parseMany(sources, { budget: { timeMs: 200 }, workers: 1 });
    expect(parsed.map((p) => p.path)).toEqual(['docs/a.lit.md', 'docs/slow.lit.md', 'docs/c.lit.md']);
    expect(parsed[0]!.blocks).toEqual(remarkBlocks(sources[0]!.text));
    expect(parsed[0]!.blocks.map((b) => b.meta)).toEqual(['#first']);
    expect(parsed[1]!.messages.map((m) => m.rule)).toEqual(['document-too-complex']);
    expect(parsed[2]!.blocks.map((b) => b.meta)).toEqual(['#third']);
    expect(parsed[0]!.messages).toEqual([]);
    expect(parsed[2]!.messages).toEqual([]);
  });
});

describe('workers kept between parses', () => {
  it('serve the next parse, and a worker terminated for a refusal is never reused', async () => {
    const good = source('docs/a.lit.md', `- item\n\n  ${fence('ts #a', 'a').replace(/\n(?=.)/g, '\n  ')}`);
    const first = await parseMany([good]);
    const slow = await parseMany([source('docs/slow.lit.md', hardBreaks(60_000))], { budget: { timeMs: 200 } });
    const again = await parseMany([good, good]);
    expect(first[0]!.blocks).toEqual(remarkBlocks(good.text));
    expect(slow[0]!.messages.map((m) => m.rule)).toEqual(['document-too-complex']);
    expect(again.map((p) => p.blocks)).toEqual([first[0]!.blocks, first[0]!.blocks]);
  });
});

describe('the CLI with the default budget', () => {
  it('refuses a slow document within two seconds of the 3 s budget and exits 1, without a stack trace', async () => {
    const dir = makeProject({ 'docs/slow.lit.md': nestedLists(200_000) });
    const started = Date.now();
    const run = await weftAsync(dir, 'tangle');
    // Unbudgeted, this document takes more than 30 s; the slack is for the CLI's and the worker's start on a busy machine.
    expect(Date.now() - started).toBeLessThan(3000 + 2000 + 5000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'docs/slow.lit.md:1:1: error: the full Markdown parser did not finish this document within 3000 ms [document-too-complex]\n' +
        '  note: line 1 is the first that the fast reader cannot read (a fence (or inline code) that does not start a line outside lists and quotes), so the document needs the full parser\n',
    );
    expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  }, 20_000);
});
