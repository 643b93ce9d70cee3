/**
 * The fixture workspace of the language server tests: two documents whose chunks refer to
 * each other (a global name, a qualified name, a chunk in two parts, an indented reference)
 * and tangle into two TypeScript modules, one importing the other.
 */
import { fence } from './helpers.js';

// Lines of docs/a.lit.md: 3 file fence, 6 `  <<build-the-greeting>>` (indented), 12 and 17
// the two parts of build-the-greeting, 13-14 its code, 21 the fence of `banner`.
export const A = [
  '# Greeting\n\n',
  fence('ts file=src-generated/greet.ts', "import { shout } from './shout.js';\nexport function greet(name: string): string {\n  <<build-the-greeting>>\n}"),
  '\n## Building\n\n',
  fence('ts #build-the-greeting', 'const text = `hello ${name}`;\nreturn shout(text);'),
  '\n',
  fence('ts #build-the-greeting', '// said twice'),
  '\n',
  fence('ts #banner', '// greeting kit'),
].join('');

// Lines of docs/b.lit.md: 3 file fence, 4 `<<banner>>` (global, from a), 6 `shout`,
// 7 `  <<docs/b.lit.md#upper-case>>` (qualified), 11 the fence of upper-case.
export const B = [
  '# Shouting\n\n',
  fence('ts file=src-generated/shout.ts', '<<banner>>\n/** Upper-case a text. */\nexport function shout(text: string): string {\n  <<docs/b.lit.md#upper-case>>\n}'),
  '\n',
  fence('ts #upper-case', 'return text.toUpperCase();'),
].join('');

export const WORKSPACE = {
  'docs/a.lit.md': A,
  'docs/b.lit.md': B,
  'package.json': '{ "type": "module" }\n',
};
