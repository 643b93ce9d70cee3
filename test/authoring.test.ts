/**
 * Authoring mistakes (issue 15): each one is a located message with a rule id and a
 * note that says how to fix it, never a silent change to what Weft writes. The real
 * CLI on real folders, with the exact messages.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../tangle/parse.js';
import { decodeSource } from '../tangle/read.js';
import { exists, fence, makeProject, read, weft } from './helpers.js';

/** The printed messages of the given rules, each with its notes, one string per line. */
function printed(stderr: string, rules: string[]): string[] {
  const result: string[] = [];
  let keep = false;
  for (const line of stderr.split('\n')) {
    if (/: (error|warning): /.test(line)) {
      keep = rules.some((rule) => line.endsWith(`[${rule}]`));
      if (keep) result.push(line);
    } else if (keep && line.startsWith('  note: ')) result.push(line);
  }
  return result;
}

const HEADER = '// generated from docs/a.lit.md by weft — edit the source, not this file\n';

describe('unclosed-fence', () => {
  it('is an error when the block is a file: nothing is written, and weft check fails too', () => {
    const dir = makeProject({ 'docs/a.lit.md': '# Run\n\n```sh file=scripts/run.sh\n#!/bin/sh\necho hi\n\nMore prose, not code.\n' });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(printed(run.stderr, ['unclosed-fence'])).toEqual([
      'docs/a.lit.md:3:1: error: code block is never closed; it runs to the end of the document [unclosed-fence]',
      '  note: close it with a line of ``` after its last line of code',
      '  note: the rest of the document would become part of file `scripts/run.sh` (sh)',
    ]);
    expect(exists(dir, 'scripts/run.sh')).toBe(false);
    const check = weft(dir, 'check');
    expect(check.code).toBe(1);
    expect(printed(check.stderr, ['unclosed-fence'])[0]).toBe('docs/a.lit.md:3:1: error: code block is never closed; it runs to the end of the document [unclosed-fence]');
  });

  it('is a warning when the block is an example, and the rest still tangles', () => {
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', 'export const a = 1;')}\nRun it:\n\n~~~sh\nnode a.js\n` });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(0);
    expect(printed(run.stderr, ['unclosed-fence'])).toEqual([
      'docs/a.lit.md:7:1: warning: code block is never closed; it runs to the end of the document [unclosed-fence]',
      '  note: close it with a line of ~~~ after its last line of code',
    ]);
    expect(read(dir, 'src-generated/a.ts')).toContain('export const a = 1;');
  });

  it('is a warning for a block without an info string (a stray fence at the end)', () => {
    const run = weft(makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', 'export const a = 1;')}\`\`\`\n` }), 'tangle');
    expect(run.code).toBe(0);
    expect(printed(run.stderr, ['unclosed-fence'])).toEqual([
      'docs/a.lit.md:4:1: warning: code block is never closed; it runs to the end of the document [unclosed-fence]',
      '  note: close it with a line of ``` after its last line of code',
    ]);
  });

  it('names the fences it swallowed, which would have opened blocks of their own', () => {
    const doc = `\`\`\`\`ts file=src-generated/a.ts\nexport const a = 1;\n<<b>>\n\nProse.\n\n${fence('ts #b', 'export const b = 2;')}`;
    const run = weft(makeProject({ 'docs/a.lit.md': doc }), 'tangle');
    expect(run.code).toBe(1);
    expect(printed(run.stderr, ['unclosed-fence', 'swallowed-fence'])).toEqual([
      'docs/a.lit.md:1:1: error: code block is never closed; it runs to the end of the document [unclosed-fence]',
      '  note: close it with a line of ```` after its last line of code',
      '  note: the rest of the document would become part of file `src-generated/a.ts` (ts)',
      '  note: line 7 (`` ```ts #b ``) looks like the start of another block, but it is code inside this one',
    ]);
  });

  it('is an error for a chunk in a list item, which runs to the end of the item (read by remark)', () => {
    const doc = `${fence('ts file=src-generated/a.ts', '<<step>>')}\n1. Step one:\n\n   \`\`\`ts #step\n   export const step = 1;\n\nAfter the list.\n`;
    const run = weft(makeProject({ 'docs/a.lit.md': doc }), 'tangle');
    expect(run.code).toBe(1);
    expect(printed(run.stderr, ['unclosed-fence'])).toEqual([
      'docs/a.lit.md:7:4: error: code block is never closed; it runs to the end of the list item or block quote that holds it (line 8) [unclosed-fence]',
      '  note: close it with a line of ``` after its last line of code',
      '  note: every line up to line 8 would become part of chunk `step` (ts)',
    ]);
  });

  it('is found the same way by the line scanner and by remark', () => {
    const source = decodeSource('docs/a.lit.md', Buffer.from('# A\n\n```ts #a\nconst a = 1;\n```ts #b\n\nprose\n'));
    const scanned = parseDocument(source);
    const parsed = parseDocument(source, { reader: 'remark' });
    expect(scanned.reader).toBe('scanner');
    expect(parsed.blocks).toEqual(scanned.blocks);
    expect(parsed.messages).toEqual(scanned.messages);
    expect(scanned.messages.map((m) => `${m.line}:${m.column} ${m.severity} ${m.rule}`)).toEqual(['5:1 warning swallowed-fence', '3:1 error unclosed-fence']);
  });
});

describe('swallowed-fence', () => {
  it('points at the block that swallowed a fence when a block is closed only after the next one', () => {
    const doc = '```ts file=src-generated/a.ts\n<<b>>\n\nProse.\n\n```ts #b\nexport const b = 1;\n```\n';
    const run = weft(makeProject({ 'docs/a.lit.md': doc }), 'tangle');
    expect(run.code).toBe(1);
    expect(printed(run.stderr, ['swallowed-fence'])).toEqual([
      'docs/a.lit.md:6:1: warning: `` ```ts #b `` is a line of code inside the block at line 1, not the start of chunk `b` (ts) [swallowed-fence]',
      '  note: the block at docs/a.lit.md:1:1 (`` ```ts file=src-generated/a.ts ``) is not closed before this line; close it with ``` on a line of its own',
    ]);
  });

  it('catches a stray fence line, which opens a block without an info string that swallows the next block', () => {
    const doc = `${fence('ts file=src-generated/a.ts', '<<b>>')}\`\`\`\n\nProse.\n\n${fence('ts #b', 'export const b = 1;')}`;
    const run = weft(makeProject({ 'docs/a.lit.md': doc }), 'tangle');
    expect(run.code).toBe(1);
    expect(printed(run.stderr, ['swallowed-fence', 'unclosed-fence'])).toEqual([
      'docs/a.lit.md:8:1: warning: `` ```ts #b `` is a line of code inside the block at line 4, not the start of chunk `b` (ts) [swallowed-fence]',
      '  note: the block at docs/a.lit.md:4:1 (`` ``` ``) is not closed before this line; close it with ``` on a line of its own',
    ]);
  });

  it('leaves a Weft block shown as an example inside a longer fence alone', () => {
    const doc = `${fence('markdown', fence('ts #example', 'x'), '````')}\n${fence('ts file=src-generated/a.ts', 'export const a = 1;')}`;
    const run = weft(makeProject({ 'docs/a.lit.md': doc }), 'tangle');
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('[swallowed-fence]');
  });
});

describe('unclear-info-string', () => {
  it('warns when an unquoted chunk name has spaces, and says how to quote it', () => {
    const doc = `${fence('ts file=src-generated/a.ts', '<<parse>>')}\n${fence('ts #parse the args', 'export const parse = 1;')}`;
    const run = weft(makeProject({ 'docs/a.lit.md': doc }), 'tangle');
    expect(run.code).toBe(0);
    expect(printed(run.stderr, ['unclear-info-string'])).toEqual([
      'docs/a.lit.md:5:1: warning: info string `ts #parse the args` is read as chunk `parse` (ts); Weft ignored `the`, `args` [unclear-info-string]',
      '  note: a chunk name with spaces is quoted: #"parse the args" (or use a kebab-case name: #parse-the-args)',
    ]);
  });

  it('warns when spaces around = make a file block an example', () => {
    const run = weft(makeProject({ 'docs/a.lit.md': fence('ts file = src-generated/x.ts', 'export const x = 1;') }), 'tangle');
    expect(printed(run.stderr, ['unclear-info-string'])).toEqual([
      'docs/a.lit.md:1:1: warning: info string `ts file = src-generated/x.ts` is read as an example (ts, no target); Weft ignored `file`, `=`, `src-generated/x.ts` [unclear-info-string]',
      '  note: write attributes without spaces around `=`: file=src/x.ts',
    ]);
  });

  it('tangles a quoted chunk name with spaces', () => {
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', '<<parse the args>>')}\n${fence('ts #"parse the args"', 'export const parse = 1;')}` });
    const run = weft(dir, 'tangle');
    expect(run.stderr).toBe('');
    expect(read(dir, 'src-generated/a.ts')).toContain(`${HEADER}export const parse = 1;\n`);
  });

  it('reads the braces form after the language word: ts {#name} and ts {.ts #name} define `name`', () => {
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', '<<one>>\n<<two>>')}\n${fence('ts {#one}', 'export const one = 1;')}\n${fence('ts {.ts #two}', 'export const two = 2;')}` });
    const run = weft(dir, 'tangle');
    expect(run.stderr).toBe('');
    expect(read(dir, 'src-generated/a.ts')).toContain(`${HEADER}export const one = 1;\nexport const two = 2;\n`);
  });
});

describe('invalid-utf8', () => {
  const bytes = Buffer.concat([Buffer.from('# A\n\nbad '), Buffer.from([0xff]), Buffer.from(` byte\n\n${fence('ts file=src-generated/a.ts', 'ok();')}`)]);

  it('is an error located at the first invalid byte; nothing is written', () => {
    const dir = makeProject();
    mkdirSync(`${dir}/docs`);
    writeFileSync(`${dir}/docs/a.lit.md`, bytes);
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(printed(run.stderr, ['invalid-utf8'])).toEqual([
      'docs/a.lit.md:3:5: error: document is not valid UTF-8, so its outputs would not reproduce it [invalid-utf8]',
      '  note: save the document as UTF-8 (the first invalid byte is here)',
      '  note: to tangle it anyway, with each invalid byte sequence as U+FFFD, set "allowInvalidUtf8": true in weft.config.json',
    ]);
    expect(exists(dir, 'src-generated/a.ts')).toBe(false);
  });

  it('is a warning when the config sets allowInvalidUtf8, and the document tangles', () => {
    const dir = makeProject({ 'weft.config.json': '{ "allowInvalidUtf8": true }\n' });
    mkdirSync(`${dir}/docs`);
    writeFileSync(`${dir}/docs/a.lit.md`, bytes);
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(0);
    expect(printed(run.stderr, ['invalid-utf8'])).toEqual([
      'docs/a.lit.md:3:5: warning: document is not valid UTF-8; invalid bytes were read as U+FFFD [invalid-utf8]',
      '  note: allowInvalidUtf8 is set in weft.config.json',
    ]);
    expect(read(dir, 'src-generated/a.ts')).toContain('ok();');
  });
});
