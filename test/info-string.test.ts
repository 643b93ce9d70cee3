/**
 * Info strings (`info-string.ts`): what each spelling names, and the warning when Weft
 * understood only part of an attempt to name a target.
 */
import { describe, expect, test } from 'vitest';
import { parseInfo, unclearInfoString } from '../tangle/info-string.js';
import type { Block } from '../tangle/types.js';

const read = (info: string) => {
  const { lang, files, ids, attributes, unread } = parseInfo(info);
  return { lang, files, ids, attributes, unread };
};

describe('what an info string names', () => {
  test.each([
    ['a file', 'ts file=src/a.ts', { lang: 'ts', files: ['src/a.ts'], ids: [], attributes: {}, unread: [] }],
    ['a chunk', 'ts #parse-args', { lang: 'ts', files: [], ids: ['parse-args'], attributes: {}, unread: [] }],
    ['a quoted chunk name with spaces', 'ts #"parse the args"', { lang: 'ts', files: [], ids: ['parse the args'], attributes: {}, unread: [] }],
    ['a quoted file path with a space', "ts file='src/a b.ts'", { lang: 'ts', files: ['src/a b.ts'], ids: [], attributes: {}, unread: [] }],
    ['the braces form', '{.ts #name}', { lang: 'ts', files: [], ids: ['name'], attributes: {}, unread: [] }],
    ['braces after the language word', 'ts {#name}', { lang: 'ts', files: [], ids: ['name'], attributes: {}, unread: [] }],
    ['braces that repeat the language', 'ts {.ts #name}', { lang: 'ts', files: [], ids: ['name'], attributes: {}, unread: [] }],
    ['braces with a file and an unknown class and attribute', '{.ts .numberLines file=src/a.ts title="A b"}', { lang: 'ts', files: ['src/a.ts'], ids: [], attributes: { title: 'A b' }, unread: [] }],
    ['both a file and a chunk (Entangled accepts this; collect decides)', '{.ts file=src/a.ts #name}', { lang: 'ts', files: ['src/a.ts'], ids: ['name'], attributes: {}, unread: [] }],
    ['an example', 'sh run this first', { lang: 'sh', files: [], ids: [], attributes: {}, unread: ['run', 'this', 'first'] }],
    ['spaces around =', 'ts file = src/x.ts', { lang: 'ts', files: [], ids: [], attributes: {}, unread: ['file', '=', 'src/x.ts'] }],
    ['an unquoted name with spaces', 'ts #parse the args', { lang: 'ts', files: [], ids: ['parse'], attributes: {}, unread: ['the', 'args'] }],
    ['an unclosed brace', 'ts {#name', { lang: 'ts', files: [], ids: [], attributes: {}, unread: ['{#name'] }],
  ])('%s: `%s`', (_, info, expected) => {
    expect(read(info)).toEqual(expected);
  });
});

/** A block at line 3 whose info string is `info`. */
function blockWith(info: string): Block {
  const space = info.indexOf(' ');
  return { lang: space < 0 ? info : info.slice(0, space), meta: space < 0 ? null : info.slice(space + 1), value: 'x', fenceLine: 3, fenceColumn: 1, columns: [1] };
}

describe('unclear-info-string', () => {
  test('an unquoted chunk name with spaces: shows the chunk it defines and how to quote the name', () => {
    expect(unclearInfoString('docs/a.lit.md', blockWith('ts #parse the args'))).toEqual({
      file: 'docs/a.lit.md',
      line: 3,
      column: 1,
      severity: 'warning',
      rule: 'unclear-info-string',
      message: 'info string `ts #parse the args` is read as chunk `parse` (ts); Weft ignored `the`, `args`',
      notes: ['a chunk name with spaces is quoted: #"parse the args" (or use a kebab-case name: #parse-the-args)'],
    });
  });

  test('spaces around `=`: the block is an example, and the note shows the spelling', () => {
    expect(unclearInfoString('docs/a.lit.md', blockWith('ts file = src/x.ts'))).toMatchObject({
      severity: 'warning',
      rule: 'unclear-info-string',
      message: 'info string `ts file = src/x.ts` is read as an example (ts, no target); Weft ignored `file`, `=`, `src/x.ts`',
      notes: ['write attributes without spaces around `=`: file=src/x.ts'],
    });
  });

  test('an attribute that starts with `file` but is not `file`', () => {
    expect(unclearInfoString('docs/a.lit.md', blockWith('ts filename=src/x.ts'))).toMatchObject({
      message: 'info string `ts filename=src/x.ts` is read as an example (ts, no target); Weft ignored `filename=`',
      notes: ['a file target is written file=PATH'],
    });
  });

  test('an unclosed brace', () => {
    expect(unclearInfoString('docs/a.lit.md', blockWith('ts {#name'))).toMatchObject({
      message: 'info string `ts {#name` is read as an example (ts, no target); Weft ignored `{#name`',
      notes: ['the braces form is one group: {.ts #name} or {.ts file=src/x.ts}'],
    });
  });

  test.each(['ts #name', 'ts {#name}', 'ts {.ts #name}', '{.ts file=src/a.ts .numberLines}', 'ts #"parse the args"', 'sh run this first', 'ts title=x', 'js'])(
    'is quiet when everything was understood or nothing names a target: `%s`',
    (info) => {
      expect(unclearInfoString('docs/a.lit.md', blockWith(info))).toBeUndefined();
    },
  );
});
