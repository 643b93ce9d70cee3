/**
 * weft stitch: the scenarios on real temp projects. Each test tangles a real
 * `.lit.md`, edits the generated file as a person, agent or formatter would, stitches,
 * and checks the document, the messages, and that the next tangle writes nothing.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tangle } from '../tangle/context.js';
import { stitch, type StitchOptions } from '../tangle/stitch/run.js';
import { makeProject, read } from './helpers.js';

const fence = (info: string, body: string) => `\`\`\`${info}\n${body}\n\`\`\`\n`;

/** A tangled project with one document. */
async function project(doc: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = makeProject({ 'docs/a.lit.md': doc, ...extra });
  const result = await tangle({ root: dir, bundle: false });
  expect(result.messages.filter((m) => m.severity === 'error')).toEqual([]);
  return dir;
}

/** Replace `from` by `to` in a file (exactly once). */
function edit(dir: string, path: string, from: string, to: string): void {
  const text = read(dir, path);
  expect(text.includes(from), `${path} contains ${JSON.stringify(from)}`).toBe(true);
  writeFileSync(join(dir, path), text.replace(from, to));
}

async function run(dir: string, options: StitchOptions = {}) {
  const result = await stitch({ root: dir, ...options });
  const messages = [...result.messages, ...result.plan.messages];
  return { ...result, rules: messages.map((m) => `${m.severity}:${m.rule}`), messages };
}

/** After a successful stitch: the next tangle writes nothing and the output is what was edited. */
async function expectSettled(dir: string, path: string, edited: string): Promise<void> {
  expect(read(dir, path)).toBe(edited);
  const again = await tangle({ root: dir, bundle: false });
  expect(again.messages.filter((m) => m.severity === 'error')).toEqual([]);
  expect(again.files.filter((f) => f.action !== 'unchanged').map((f) => f.path)).toEqual([]);
}

/** Snapshot of every file a refused stitch must leave alone. */
function snapshot(dir: string, paths: string[]): Record<string, string> {
  return Object.fromEntries(paths.map((p) => [p, read(dir, p)]));
}

const nested = [
  '# Greeter',
  '',
  fence('ts file=src-generated/a.ts', '<<imports>>\n\nexport function greet(name: string): string {\n  <<body>>\n}'),
  'Imports:',
  '',
  fence('ts #imports', "import { join } from 'node:path';\nimport { tmpdir } from 'node:os';"),
  'The body:',
  '',
  fence('ts #body', "const greeting = 'Hello, ' + name;\nreturn greeting;"),
].join('\n');

describe('weft stitch: scenarios', () => {
  it('1: a changed line inside a nested chunk goes to that chunk, without the reference indentation', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', "  const greeting = 'Hello, ' + name;", "  const greeting = 'Hi, ' + name;");
    const edited = read(dir, 'src-generated/a.ts');
    const result = await run(dir);
    expect(result.rules).toEqual([]);
    expect(result.written).toBe(true);
    expect(read(dir, 'docs/a.lit.md')).toBe(nested.replace("const greeting = 'Hello, ' + name;", "const greeting = 'Hi, ' + name;"));
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('2: a line appended at the end of a function body goes to the end of the body chunk', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', '  return greeting;\n}', '  return greeting;\n  console.log(greeting);\n}');
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain('return greeting;\nconsole.log(greeting);\n```');
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('3: an import after the last import goes to the end of <<imports>>', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', "import { tmpdir } from 'node:os';\n", "import { tmpdir } from 'node:os';\nimport { readFileSync } from 'node:fs';\n");
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain("import { tmpdir } from 'node:os';\nimport { readFileSync } from 'node:fs';\n```");
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('4: an import above the first one, just below the header, goes to the start of <<imports>>', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', "import { join }", "import { readFileSync } from 'node:fs';\nimport { join }");
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain("```ts #imports\nimport { readFileSync } from 'node:fs';\nimport { join }");
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('5: a new function between two top-level references goes to the file block, with a warning', async () => {
    const doc = [fence('ts file=src-generated/a.ts', '<<first>>\n\n<<second>>'), fence('ts #first', 'export const a = 1;'), fence('ts #second', 'export const b = 2;')].join('\n');
    const dir = await project(doc);
    edit(dir, 'src-generated/a.ts', 'export const a = 1;\n\n', 'export const a = 1;\n\nexport function c() {\n  return 3;\n}\n\n');
    const edited = read(dir, 'src-generated/a.ts');
    const result = await run(dir);
    expect(result.rules).toEqual(['warning:stitch/new-code-in-skeleton']);
    expect(read(dir, 'docs/a.lit.md')).toContain('```ts file=src-generated/a.ts\n<<first>>\n\nexport function c() {\n  return 3;\n}\n\n<<second>>\n```');
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('6: a line at column 0 inside an indented expansion is refused with dedent-below-reference, nothing written', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', '  return greeting;', 'debugger;\n  return greeting;');
    const before = snapshot(dir, ['docs/a.lit.md', 'src-generated/a.ts', '.weft/manifest.json']);
    const result = await run(dir);
    expect(result.rules).toEqual(['error:stitch/dedent-below-reference']);
    expect(result.messages[0]).toMatchObject({ file: 'src-generated/a.ts', line: 7 });
    expect(result.written).toBe(false);
    expect(snapshot(dir, Object.keys(before))).toEqual(before);
  });

  it('7: deleting every line of a once-used expansion removes its reference line', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', "import { join } from 'node:path';\nimport { tmpdir } from 'node:os';\n", '');
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain('```ts file=src-generated/a.ts\n\nexport function greet');
    const again = await tangle({ root: dir, bundle: false });
    expect(again.messages.map((m) => m.rule)).toEqual(['unused-chunk']);
    expect(read(dir, 'src-generated/a.ts')).toBe(edited);
  });

  it('8: an agent wrapping an expansion in if (ok) {…} re-indents the reference and puts if and } in the parent', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', "  const greeting = 'Hello, ' + name;\n  return greeting;\n", "  if (name) {\n    const greeting = 'Hello, ' + name;\n    return greeting;\n  }\n  return '';\n");
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain("export function greet(name: string): string {\n  if (name) {\n    <<body>>\n  }\n  return '';\n}");
    expect(read(dir, 'docs/a.lit.md')).toContain("```ts #body\nconst greeting = 'Hello, ' + name;\nreturn greeting;\n```");
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  const sharedDoc = [
    fence('ts file=src-generated/a.ts', '<<helper>>\nexport const a = helper();'),
    fence('ts file=src-generated/b.ts', '<<helper>>\nexport const b = helper();'),
    fence('ts #helper', 'function helper() {\n  return 1;\n}'),
  ].join('\n');

  it('9: a shared chunk edited only in a.ts is refused naming the b.ts site; --propagate applies it and updates b.ts', async () => {
    const dir = await project(sharedDoc);
    edit(dir, 'src-generated/a.ts', '  return 1;', '  return 2;');
    const edited = read(dir, 'src-generated/a.ts');
    const before = snapshot(dir, ['docs/a.lit.md', 'src-generated/a.ts', 'src-generated/b.ts', '.weft/manifest.json']);
    const refused = await run(dir);
    expect(refused.rules).toEqual(['error:stitch/shared-chunk']);
    expect(refused.messages[0]!.notes).toContain('also used at src-generated/b.ts:2');
    expect(snapshot(dir, Object.keys(before))).toEqual(before);
    const applied = await run(dir, { propagate: true });
    expect(applied.rules).toEqual(['warning:stitch/propagated']);
    expect(read(dir, 'docs/a.lit.md')).toContain('function helper() {\n  return 2;\n}');
    expect(read(dir, 'src-generated/b.ts')).toContain('  return 2;');
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('10: both copies of a shared chunk edited the same way are applied; edited differently, instances-differ', async () => {
    const dir = await project(sharedDoc);
    edit(dir, 'src-generated/a.ts', '  return 1;', '  return 2;');
    edit(dir, 'src-generated/b.ts', '  return 1;', '  return 2;');
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain('  return 2;');
    await expectSettled(dir, 'src-generated/a.ts', edited);
    edit(dir, 'src-generated/a.ts', '  return 2;', '  return 3;');
    edit(dir, 'src-generated/b.ts', '  return 2;', '  return 4;');
    const before = snapshot(dir, ['docs/a.lit.md', 'src-generated/a.ts', 'src-generated/b.ts', '.weft/manifest.json']);
    expect((await run(dir)).rules).toEqual(['error:stitch/instances-differ']);
    expect(snapshot(dir, Object.keys(before))).toEqual(before);
  });

  it('11: an edit that spans two chunks and changes the line count is refused with spans-chunks', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', "import { tmpdir } from 'node:os';\n\nexport function", 'export function');
    const before = snapshot(dir, ['docs/a.lit.md', 'src-generated/a.ts', '.weft/manifest.json']);
    const result = await run(dir);
    expect(result.rules).toEqual(['error:stitch/spans-chunks']);
    expect(snapshot(dir, Object.keys(before))).toEqual(before);
  });

  it('12: a formatter pass over the whole output (quotes, semicolons) updates each chunk line for line', async () => {
    const dir = await project(nested);
    writeFileSync(join(dir, 'src-generated/a.ts'), read(dir, 'src-generated/a.ts').replaceAll("'", '"').replaceAll(';\n', '\n'));
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain('```ts #imports\nimport { join } from "node:path"\nimport { tmpdir } from "node:os"\n```');
    expect(read(dir, 'docs/a.lit.md')).toContain('```ts #body\nconst greeting = "Hello, " + name\nreturn greeting\n```');
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('13: an edited or deleted header is ignored with a warning, and the next tangle restores it', async () => {
    const dir = await project(nested);
    const original = read(dir, 'src-generated/a.ts');
    edit(dir, 'src-generated/a.ts', '// generated from docs/a.lit.md by weft — edit the source, not this file\n', '');
    const result = await run(dir);
    expect(result.rules).toEqual(['warning:stitch/header-edited']);
    expect(read(dir, 'docs/a.lit.md')).toBe(nested);
    await tangle({ root: dir, bundle: false, force: true });
    expect(read(dir, 'src-generated/a.ts')).toBe(original);
    edit(dir, 'src-generated/a.ts', 'by weft', 'by hand');
    expect((await run(dir)).rules).toEqual(['warning:stitch/header-edited']);
    expect(read(dir, 'docs/a.lit.md')).toBe(nested);
  });

  it('14: an edited shebang is stitched; a deleted one is stitched with a mode warning', async () => {
    const doc = fence('sh file=scripts/run.sh', '#!/bin/sh\necho hello');
    const dir = await project(doc);
    edit(dir, 'scripts/run.sh', '#!/bin/sh', '#!/bin/bash');
    let edited = read(dir, 'scripts/run.sh');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toBe(fence('sh file=scripts/run.sh', '#!/bin/bash\necho hello'));
    await expectSettled(dir, 'scripts/run.sh', edited);
    edit(dir, 'scripts/run.sh', '#!/bin/bash\n', '');
    edited = read(dir, 'scripts/run.sh');
    expect((await run(dir)).rules).toEqual(['warning:stitch/mode-change']);
    expect(read(dir, 'docs/a.lit.md')).toBe(fence('sh file=scripts/run.sh', 'echo hello'));
    expect(statSync(join(dir, 'scripts/run.sh')).mode & 0o777).toBe(0o644);
  });

  it('15: an output converted to CRLF only has nothing to stitch', async () => {
    const dir = await project(nested);
    writeFileSync(join(dir, 'src-generated/a.ts'), read(dir, 'src-generated/a.ts').replace(/\n/g, '\r\n'));
    const result = await run(dir);
    expect(result.rules).toEqual([]);
    expect(result.plan.landings).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toBe(nested);
  });

  it('16: CRLF lines added to an LF output, into a CRLF .lit.md: stitched, each file keeps its line endings', async () => {
    const crlf = nested.replace(/\n/g, '\r\n');
    const dir = await project(crlf);
    edit(dir, 'src-generated/a.ts', '  return greeting;\n', '  return greeting;\r\n  // done\r\n');
    const result = await run(dir);
    expect(result.rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toBe(crlf.replace('return greeting;\r\n', 'return greeting;\r\n// done\r\n'));
    expect(read(dir, 'src-generated/a.ts')).not.toContain('\r');
    expect(read(dir, 'src-generated/a.ts')).toContain('  return greeting;\n  // done\n}');
  });

  it('17: a line appended at EOF where the last chunk is shared goes to the file block (unshared preferred)', async () => {
    const doc = [fence('ts file=src-generated/a.ts', 'export const a = 1;\n<<helper>>'), fence('ts file=src-generated/b.ts', '<<helper>>'), fence('ts #helper', 'export function helper() {}')].join('\n');
    const dir = await project(doc);
    edit(dir, 'src-generated/a.ts', 'export function helper() {}\n', 'export function helper() {}\nexport const z = 26;\n');
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual(['warning:stitch/new-code-in-skeleton']);
    expect(read(dir, 'docs/a.lit.md')).toContain('```ts file=src-generated/a.ts\nexport const a = 1;\n<<helper>>\nexport const z = 26;\n```');
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('18: an insertion between two blocks of the same chunk goes to the end of the first block', async () => {
    const doc = [fence('ts file=src-generated/a.ts', '<<steps>>'), 'First:', '', fence('ts #steps', 'step(1);'), 'Then:', '', fence('ts #steps', 'step(2);')].join('\n');
    const dir = await project(doc);
    edit(dir, 'src-generated/a.ts', 'step(1);\n', 'step(1);\nstep(1.5);\n');
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain('```ts #steps\nstep(1);\nstep(1.5);\n```\n\nThen:');
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('19: .lit.md prose and the output both changed without overlap: three-way merge keeps both', async () => {
    const dir = await project(nested);
    edit(dir, 'docs/a.lit.md', 'The body:', 'The body, which greets:');
    edit(dir, 'src-generated/a.ts', "'Hello, '", "'Hi, '");
    const edited = read(dir, 'src-generated/a.ts');
    const result = await run(dir);
    expect(result.rules).toEqual([]);
    expect(result.plan.merged).toEqual(['docs/a.lit.md']);
    expect(read(dir, 'docs/a.lit.md')).toBe(nested.replace('The body:', 'The body, which greets:').replace("'Hello, '", "'Hi, '"));
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('20: the same line changed in the .lit.md and in the output is both-changed, both sides shown, nothing written', async () => {
    const dir = await project(nested);
    edit(dir, 'docs/a.lit.md', "'Hello, '", "'Howdy, '");
    edit(dir, 'src-generated/a.ts', "'Hello, '", "'Hi, '");
    const before = snapshot(dir, ['docs/a.lit.md', 'src-generated/a.ts', '.weft/manifest.json']);
    const result = await run(dir);
    expect(result.rules).toEqual(['error:stitch/both-changed']);
    expect(result.messages[0]!.notes!.join('\n')).toContain("Howdy");
    expect(result.messages[0]!.notes!.join('\n')).toContain("'Hi, '");
    expect(snapshot(dir, Object.keys(before))).toEqual(before);
  });

  it('21: new code containing ``` lengthens the fence, and the document re-parses', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', '  return greeting;', '  const md = `\n  ```\n  `;\n  return greeting;');
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain("````ts #body\nconst greeting = 'Hello, ' + name;\nconst md = `\n```\n`;\nreturn greeting;\n````");
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('22: a chunk inside a blockquote or a list item: new lines get the "> " or list prefix', async () => {
    const doc = [fence('ts file=src-generated/a.ts', '<<quoted>>\n<<listed>>'), '> Quoted:', '>', '> ```ts #quoted', '> quoted(1);', '> ```', '', '- Listed:', '', '  ```ts #listed', '  listed(1);', '  ```', ''].join('\n');
    const dir = await project(doc);
    edit(dir, 'src-generated/a.ts', 'quoted(1);\nlisted(1);\n', 'quoted(1);\nquoted(2);\nlisted(1);\nlisted(2);\n');
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain('> ```ts #quoted\n> quoted(1);\n> quoted(2);\n> ```');
    expect(read(dir, 'docs/a.lit.md')).toContain('  ```ts #listed\n  listed(1);\n  listed(2);\n  ```');
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('23: a missing base, or one made by another Weft version, is base-unreproducible', async () => {
    const dir = await project(nested);
    writeFileSync(join(dir, '.weft/cache/sources/last'), '{}');
    edit(dir, 'src-generated/a.ts', "'Hello, '", "'Hi, '");
    const before = snapshot(dir, ['docs/a.lit.md', 'src-generated/a.ts', '.weft/manifest.json']);
    expect((await run(dir)).rules).toEqual(['error:stitch/base-unreproducible']);
    expect(snapshot(dir, Object.keys(before))).toEqual(before);
    // Another version's header: the base re-tangles to a different hash than the manifest records.
    const other = await project(nested);
    const manifest = JSON.parse(read(other, '.weft/manifest.json'));
    manifest.outputs['src-generated/a.ts'].hash = '0'.repeat(64);
    writeFileSync(join(other, '.weft/manifest.json'), JSON.stringify(manifest));
    expect((await run(other)).rules).toEqual(['error:stitch/base-unreproducible']);
    expect(read(other, 'docs/a.lit.md')).toBe(nested);
  });

  it('24: an output saved again while stitch runs aborts the compare and swap, nothing written', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', "'Hello, '", "'Hi, '");
    const result = await run(dir, { beforeWrite: () => edit(dir, 'src-generated/a.ts', "'Hi, '", "'Hey, '") });
    expect(result.rules).toEqual(['error:stitch/changed-during-stitch']);
    expect(result.written).toBe(false);
    expect(read(dir, 'docs/a.lit.md')).toBe(nested);
    expect(read(dir, 'src-generated/a.ts')).toContain("'Hey, '");
  });

  it('25: a prefix of mixed tabs and spaces, re-indented, moves the reference by the positional delta and verifies', async () => {
    const doc = [fence('ts file=src-generated/a.ts', 'class A {\n\tm() {\n\t  <<body>>\n\t}\n}'), fence('ts #body', 'if (x) {\n  y();\n}')].join('\n');
    const dir = await project(doc);
    edit(dir, 'src-generated/a.ts', '\t  if (x) {\n\t    y();\n\t  }\n', '\t\t    if (x) {\n\t\t      y();\n\t\t    }\n');
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir)).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toContain('\t\t    <<body>>\n');
    expect(read(dir, 'docs/a.lit.md')).toContain('```ts #body\nif (x) {\n  y();\n}\n```');
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('26: whitespace-only lines typed by the editor are emptied, with a warning', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', '  return greeting;', '  \n  return greeting;');
    const result = await run(dir);
    expect(result.rules).toEqual(['warning:stitch/whitespace-only-line']);
    expect(read(dir, 'docs/a.lit.md')).toContain("const greeting = 'Hello, ' + name;\n\nreturn greeting;");
    expect(read(dir, 'src-generated/a.ts')).toContain("name;\n\n  return greeting;");
  });

  it('a second run after a stitch finds nothing to do (idempotence)', async () => {
    const dir = await project(nested);
    edit(dir, 'src-generated/a.ts', "'Hello, '", "'Hi, '");
    expect((await run(dir)).written).toBe(true);
    const doc = read(dir, 'docs/a.lit.md');
    const second = await run(dir);
    expect(second.edited).toEqual([]);
    expect(second.written).toBe(false);
    expect(read(dir, 'docs/a.lit.md')).toBe(doc);
  });

  it('without the sources cache, the base comes from git HEAD; --base names another revision', async () => {
    const dir = await project(nested);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('add', 'docs');
    git('commit', '-qm', 'sources');
    rmSync(join(dir, '.weft/cache/sources'), { recursive: true });
    edit(dir, 'src-generated/a.ts', "'Hello, '", "'Hi, '");
    const edited = read(dir, 'src-generated/a.ts');
    expect((await run(dir, { dryRun: true })).rules).toEqual([]);
    const unknown = await run(dir, { base: 'no-such-revision' });
    expect(unknown.rules).toEqual(['warning:stitch/base-unreproducible', 'error:stitch/base-unreproducible']);
    expect(read(dir, 'docs/a.lit.md')).toBe(nested);
    expect((await run(dir, { base: 'HEAD' })).rules).toEqual([]);
    expect(read(dir, 'docs/a.lit.md')).toBe(nested.replace("'Hello, '", "'Hi, '"));
    await expectSettled(dir, 'src-generated/a.ts', edited);
  });

  it('19b: code changed in one chunk of the .lit.md and another chunk changed in the output: both kept', async () => {
    const dir = await project(nested);
    edit(dir, 'docs/a.lit.md', "import { tmpdir } from 'node:os';", "import { homedir } from 'node:os';");
    edit(dir, 'src-generated/a.ts', "'Hello, '", "'Hi, '");
    const result = await run(dir);
    expect(result.rules).toEqual([]);
    expect(result.plan.merged).toEqual(['docs/a.lit.md']);
    const both = nested.replace("import { tmpdir } from 'node:os';", "import { homedir } from 'node:os';").replace("'Hello, '", "'Hi, '");
    expect(read(dir, 'docs/a.lit.md')).toBe(both);
    expect(read(dir, 'src-generated/a.ts')).toContain("import { homedir } from 'node:os';");
    expect(read(dir, 'src-generated/a.ts')).toContain("'Hi, '");
    const again = await tangle({ root: dir, bundle: false });
    expect(again.files.filter((f) => f.action !== 'unchanged')).toEqual([]);
  });
});
