/**
 * The weave's highlighter: a line is tokenized once per grammar state and text, and the
 * result reused. Reuse must never change what a block looks like: a block highlights the
 * same after any other code as in a highlighter that has seen nothing, and the same line
 * in two different states (code, comment, template string) keeps its own colours.
 */
import { describe, expect, it } from 'vitest';
import { BlockHighlighter } from '../tangle/weave/highlight.js';

const THEMES = { light: 'github-light-default', dark: 'github-dark-default' };

async function fresh(lang: string): Promise<BlockHighlighter> {
  const highlighter = await BlockHighlighter.create(THEMES);
  await highlighter.load([lang]);
  return highlighter;
}

const STATEFUL = [
  'const open = `',
  '}',
  'return x;',
  '`;',
  '/*',
  '}',
  'return x;',
  '*/',
  'function f() {',
  '  return x;',
  '}',
  '}',
].join('\n');

describe('highlighting with the line cache', () => {
  it('colours one line text by the state it is in: code, template string, comment', async () => {
    const { lines } = (await fresh('ts')).highlight(STATEFUL, 'ts');
    // `}` inside the template string, inside the comment, and as code: three different markups.
    expect(new Set([lines[1], lines[5], lines[10]]).size).toBe(3);
    // `return x;` in the template string and in the comment differ from the statement in the function.
    expect(lines[2]).not.toBe(lines[9]!.trimStart());
    expect(lines[6]).not.toBe(lines[2]);
  });

  it('highlights a block after other code exactly as a highlighter that has seen nothing', async () => {
    const others = [
      'class A {\n  m() {\n    return `a ${1 + 2} b`;\n  }\n}',
      '/** doc\n * }\n */\nexport interface I { x: number }',
      "const s = '}';\nconst t = \"/*\";\n}",
      STATEFUL.split('\n').reverse().join('\n'),
    ];
    const reference = (await fresh('ts')).highlight(STATEFUL, 'ts');
    const used = await fresh('ts');
    for (const code of others) used.highlight(code, 'ts');
    expect(used.highlight(STATEFUL, 'ts')).toEqual(reference);
    // And the others, once more, as fresh highlighters give them.
    for (const code of others) expect(used.highlight(code, 'ts')).toEqual((await fresh('ts')).highlight(code, 'ts'));
  });
});
