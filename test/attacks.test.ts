/**
 * Attacks on a tangle: output paths that try to leave the project, resources that try
 * to exhaust it, hand edits that a write could destroy, documents whose code would do
 * something if it ran.
 *
 * Every project lives in `box/project`, beside `box/outside/` (a sentinel folder): a
 * write that escapes the project lands in the box and is caught by comparing the box
 * before and after. "Nothing written anywhere" means the box is unchanged except for
 * Weft's own `.weft/` folder (lock, parse cache).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { outputPathProblem } from '../tangle/resolve.js';
import { DEFAULT_CONFIG } from '../tangle/config.js';
import { tangle, type TangleOptions } from '../tangle/context.js';
import type { TangleResult } from '../tangle/types.js';
import { snapshot } from './fixtures/reliability/properties.mjs';
import { exists, fence, makeProject, read, REPO, weft, WEFT_BIN, writeFiles } from './helpers.js';

const DOC = 'docs/attack.lit.md';
const SENTINEL = 'outside/precious.txt';

/** `box/project` with `files`, and `box/outside/precious.txt`. */
function boxed(files: Record<string, string>): { box: string; root: string } {
  const box = makeProject({ [SENTINEL]: 'precious\n' });
  const root = join(box, 'project');
  mkdirSync(root);
  writeFiles(root, files);
  return { box, root };
}

/** The box without Weft's own folder: what a refused tangle must leave exactly as it was. */
function visible(box: string) {
  return Object.fromEntries(Object.entries(snapshot(box)).filter(([path]) => path !== 'project/.weft/' && !path.startsWith('project/.weft/')));
}

const run = (root: string, options: TangleOptions = {}): Promise<TangleResult> => tangle({ root, bundle: false, ...options });
const rules = (result: TangleResult) => result.messages.filter((m) => m.severity === 'error').map((m) => m.rule);

/** Tangle in a box; expect it refused with `rule`, and nothing changed outside `.weft/`. */
async function expectRefused(files: Record<string, string>, rule: string, prepare?: (box: string, root: string) => void): Promise<TangleResult> {
  const { box, root } = boxed(files);
  prepare?.(box, root);
  const before = visible(box);
  const result = await run(root);
  expect(result.ok).toBe(false);
  expect(rules(result)).toContain(rule);
  expect(visible(box)).toEqual(before);
  return result;
}

const targeting = (path: string) => ({ [DOC]: fence(`ts file=${path}`, 'export const attack = 1;') });

// ---------------------------------------------------------------------------------

const PATH_ATTACKS: [string, string, string][] = [
  ['`..` out of the project', '../escape.ts', 'output-outside-root'],
  ['`..` after an output folder', 'src-generated/../../escape.ts', 'output-outside-root'],
  ['`a/../../x`', 'a/../../x', 'output-outside-root'],
  ['`..` that stays inside but leaves the output folders', 'src-generated/../docs/x.ts', 'output-outside-root'],
  ['an absolute path', '/tmp/weft-attack-absolute.ts', 'output-outside-root'],
  ['a path starting with ~', '~/weft-attack-home.ts', 'output-outside-root'],
  ['backslashes', 'src-generated\\..\\..\\escape.ts', 'output-outside-root'],
  ['a drive letter', 'C:/escape.ts', 'output-outside-root'],
  ['a drive letter with a backslash', 'c:\\escape.ts', 'output-outside-root'],
  ['a NUL byte (read as U+FFFD)', 'src-generated/a\u0000.ts', 'output-outside-root'],
  ['a control character', 'src-generated/a\u001b[2J.ts', 'output-outside-root'],
  ['a target inside docs/', 'docs/x.ts', 'output-outside-root'],
  ['a target inside .git/', '.git/hooks/pre-commit', 'output-outside-root'],
  ['a .git/ folder inside an output folder', 'src-generated/.git/config', 'output-outside-root'],
  ['a target inside node_modules/', 'node_modules/left-pad/index.js', 'output-outside-root'],
  ['a node_modules/ folder inside an output folder', 'scripts/node_modules/x.js', 'output-outside-root'],
  ['the manifest', '.weft/manifest.json', 'output-outside-root'],
  ['a .weft/ folder inside an output folder', 'src-generated/.weft/manifest.json', 'output-outside-root'],
  ['a literate source inside an output folder', 'src-generated/x.lit.md', 'output-is-source'],
  ['an output folder itself', 'src-generated/', 'output-outside-root'],
  ['a file name over 255 bytes', `src-generated/${'n'.repeat(256)}.ts`, 'path-too-long'],
  ['a path over 1024 bytes', `src-generated/${'folder/'.repeat(150)}x.ts`, 'path-too-long'],
];

const LINK_ATTACKS: [string, (box: string, root: string) => void, string][] = [
  ['an output folder that is a symbolic link out of the project', (box, root) => symlinkSync(join(box, 'outside'), join(root, 'src-generated')), 'src-generated/a.ts'],
  ['a parent folder that is a symbolic link out of the project', (box, root) => (mkdirSync(join(root, 'src-generated')), symlinkSync(join(box, 'outside'), join(root, 'src-generated/deep'))), 'src-generated/deep/a.ts'],
  ['a relative symbolic link out of the output folder', (_box, root) => (mkdirSync(join(root, 'src-generated')), symlinkSync('../docs', join(root, 'src-generated/deep'))), 'src-generated/deep/a.ts'],
  ['a symbolic link planted at the output path', (box, root) => (mkdirSync(join(root, 'src-generated')), symlinkSync(join(box, SENTINEL), join(root, 'src-generated/a.ts'))), 'src-generated/a.ts'],
  ['a dangling symbolic link planted at the output path', (box, root) => (mkdirSync(join(root, 'src-generated')), symlinkSync(join(box, 'outside/new.ts'), join(root, 'src-generated/a.ts'))), 'src-generated/a.ts'],
  ['a folder where the output file should be', (_box, root) => mkdirSync(join(root, 'src-generated/a.ts'), { recursive: true }), 'src-generated/a.ts'],
];

describe('path attacks: refused with a message, nothing written anywhere', () => {
  test.each(PATH_ATTACKS)('%s (%j)', async (_, path, rule) => {
    const result = await expectRefused(targeting(path), rule);
    const refusal = result.messages.find((m) => m.rule === rule)!;
    expect(refusal).toMatchObject({ file: DOC, line: 1, column: 1, severity: 'error' });
  });

  test.each(LINK_ATTACKS)('%s', async (_, prepare, path) => {
    const result = await expectRefused(targeting(path), 'output-outside-root', prepare);
    expect(result.messages.find((m) => m.rule === 'output-outside-root')).toMatchObject({ file: path, severity: 'error' });
  });

  test('a .weft folder that is a symbolic link out of the project: no lock, cache or manifest is written through it', async () => {
    const result = await expectRefused(targeting('src-generated/a.ts'), 'unsafe-weft-folder', (box, root) => symlinkSync(join(box, 'outside'), join(root, '.weft')));
    expect(result.messages.find((m) => m.rule === 'unsafe-weft-folder')?.message).toBe('.weft is a symbolic link; refusing to write through it');
  });

  test('names that differ only by case are a conflict, and neither is written', async () => {
    const files = { [DOC]: fence('ts file=src-generated/Parser.ts', 'export const a = 1;') + fence('ts file=src-generated/parser.ts', 'export const b = 2;') };
    const result = await expectRefused(files, 'case-conflict');
    expect(result.messages.find((m) => m.rule === 'case-conflict')).toMatchObject({
      file: DOC,
      line: 4,
      message: 'src-generated/parser.ts and src-generated/Parser.ts differ only by case; they are the same file on case-insensitive file systems',
    });
  });

  test('a config whose output folder is docs/ cannot overwrite a literate source', async () => {
    const files = { 'weft.config.json': JSON.stringify({ outputDirs: ['docs'] }), [DOC]: fence(`ts file=${DOC}`, 'overwritten') };
    await expectRefused(files, 'output-is-source');
  });

  test('orphan deletion never follows a symbolic link out of the output folder', async () => {
    const { box, root } = boxed(targeting('src-generated/old.ts'));
    expect((await run(root)).ok).toBe(true);
    // The output folder is swapped for a link to a folder holding the same file, then the output is dropped.
    writeFileSync(join(box, 'outside/old.ts'), read(root, 'src-generated/old.ts'));
    rmSync(join(root, 'src-generated'), { recursive: true });
    symlinkSync(join(box, 'outside'), join(root, 'src-generated'));
    writeFiles(root, { [DOC]: 'no code any more\n' });
    await run(root);
    expect(readdirSync(join(box, 'outside')).sort()).toEqual(['old.ts', 'precious.txt']);
  });

  test('the CLI prints the refusal at the document and exits 1', () => {
    const { root } = boxed(targeting('../escape.ts'));
    const result = weft(root, 'tangle', '--no-bundle');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${DOC}:1:1: error: output path "../escape.ts" is refused: it leaves the project through .. [output-outside-root]`);
  });

  test('every refusal is also made by the pure check, for any output folder', () => {
    for (const [, path] of PATH_ATTACKS.filter(([, , rule]) => rule !== 'output-is-source')) {
      expect(outputPathProblem(path.replace('\u0000', '\uFFFD'), DEFAULT_CONFIG)).toBeDefined();
    }
    expect(outputPathProblem('src-generated/a\u0000.ts', DEFAULT_CONFIG)?.text).toContain('control character');
  });
});

// ---------------------------------------------------------------------------------

/** Run the CLI in `root` and report its exit code, output, wall time and peak memory (also printed, as `label`). */
function measured(label: string, root: string, ...args: string[]) {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--require', fileURLToPath(new URL('./fixtures/reliability/report-memory.cjs', import.meta.url)), WEFT_BIN, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  const rss = /weft-test-max-rss-kb=(\d+)/.exec(result.stderr);
  const megabytes = rss ? Number(rss[1]) / 1024 : NaN;
  console.log(`resource attack: ${label}: ${seconds.toFixed(1)} s, peak ${Math.round(megabytes)} MB`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, seconds, megabytes };
}

/** `n` chunks, each referencing the next `fanout` times: fanout^n lines if nothing stopped it. */
function exponential(levels: number, fanout: number): string {
  let text = fence('ts file=src-generated/bomb.ts', '<<level-0>>');
  for (let i = 0; i < levels; i++) text += fence(`ts #level-${i}`, Array(fanout).fill(`<<level-${i + 1}>>`).join('\n'));
  return text + fence(`ts #level-${levels}`, 'x();');
}

describe('resource attacks: a quick clear error or a correct result, in bounded memory', () => {
  test('an exponential expansion (40 levels, each chunk referenced 4 times: 4^40 lines) stops at limits.maxOutputBytes', () => {
    const { root } = boxed({ [DOC]: exponential(40, 4) });
    const result = measured('exponential expansion', root, 'tangle', '--no-bundle');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${DOC}:1:1: error: src-generated/bomb.ts would be larger than limits.maxOutputBytes (4194304 bytes) [output-too-large]`);
    expect(result.seconds).toBeLessThan(20);
    expect(result.megabytes).toBeLessThan(1024);
    expect(exists(root, 'src-generated/bomb.ts')).toBe(false);
  });

  test('a self-reference and a longer cycle are reported with the whole chain', async () => {
    const { root } = boxed({
      [DOC]: fence('ts file=src-generated/a.ts', '<<self>>\n<<ping>>') + fence('ts #self', '<<self>>') + fence('ts #ping', '<<pong>>') + fence('ts #pong', '<<ping>>'),
    });
    const result = await run(root);
    expect(result.messages.filter((m) => m.rule === 'chunk-cycle').map((m) => `${m.line}:${m.column} ${m.message}`)).toEqual([
      '6:1 reference cycle: <<self>> → <<self>>',
      '12:1 reference cycle: <<ping>> → <<pong>> → <<ping>>',
    ]);
    expect(exists(root, 'src-generated/a.ts')).toBe(false);
  });

  test('a reference chain 10,000 deep stops at limits.maxDepth', async () => {
    let text = fence('ts file=src-generated/deep.ts', '<<c0>>');
    for (let i = 0; i < 10_000; i++) text += fence(`ts #c${i}`, `<<c${i + 1}>>`);
    const { root } = boxed({ [DOC]: text + fence('ts #c10000', 'end();') });
    const result = await run(root);
    expect(rules(result)).toEqual(['expansion-limit']);
    expect(result.messages.find((m) => m.rule === 'expansion-limit')?.message).toBe('references nest deeper than limits.maxDepth (50) while expanding src-generated/deep.ts');
  });

  test('a 50 MB document is tangled correctly in seconds', () => {
    const section = `${'Prose about the program, with *emphasis*, `code` and [a link](https://example.com). '.repeat(12)}\n\n`;
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 50_000_000; i++) {
      const part = (i % 1000 === 0 ? fence('ts file=src-generated/big.ts', `export const part${i} = ${i};`) : '') + section;
      parts.push(part);
      size += part.length;
    }
    const { root } = boxed({ [DOC]: parts.join('') });
    const result = measured('50 MB document', root, 'tangle', '--no-bundle');
    expect(result.stderr).toMatch(/^\s*weft-test-max-rss-kb=\d+\s*$/);
    expect(result.code).toBe(0);
    const lines = read(root, 'src-generated/big.ts').split('\n');
    expect(lines.filter((l) => l.startsWith('export const part'))).toHaveLength(Math.ceil(parts.length / 1000));
    expect(result.seconds).toBeLessThan(30);
    expect(result.megabytes).toBeLessThan(1024);
  });

  test('a 50 MB document that needs the full Markdown parser is refused at once', () => {
    const text = `> ${fence('ts file=src-generated/q.ts', 'x')}${'Prose. '.repeat(7_200_000)}\n`;
    const { root } = boxed({ [DOC]: text });
    const result = measured('50 MB document for remark', root, 'tangle', '--no-bundle');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${DOC}: error: document is ${text.length} characters and needs the full Markdown parser, which reads at most 262144 [document-too-complex]`);
    expect(result.seconds).toBeLessThan(20);
  });

  test('a line nesting 200,000 block quotes is refused at once', async () => {
    const { root } = boxed({ [DOC]: `${'>'.repeat(200_000)} ${fence('ts file=src-generated/q.ts', 'x')}` });
    const started = performance.now();
    const result = await run(root);
    expect(rules(result)).toEqual(['document-too-complex']);
    expect(result.messages[0]).toMatchObject({ line: 1, message: 'line nests more than 32 lists and block quotes, more than the full Markdown parser reads' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  test('100 KB of emphasis markers next to a fence in a list is parsed in seconds, not minutes', async () => {
    const { root } = boxed({ [DOC]: `${'*a'.repeat(50_000)}\n\n- item\n\n  ${fence('ts file=src-generated/e.ts', 'x();').replace(/\n(?=.)/g, '\n  ')}` });
    const started = performance.now();
    const result = await run(root);
    expect(result.ok).toBe(true);
    expect(read(root, 'src-generated/e.ts')).toContain('x();');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test('100,000 tiny chunks in one file are tangled correctly', () => {
    const count = 100_000;
    const names = Array.from({ length: count }, (_, i) => `c${i}`);
    const { root } = boxed({ [DOC]: fence('ts file=src-generated/many.ts', names.map((n) => `<<${n}>>`).join('\n')) + names.map((n, i) => fence(`ts #${n}`, `f(${i});`)).join('') });
    const result = measured('100,000 chunks', root, 'tangle', '--no-bundle');
    expect(result.code).toBe(0);
    const lines = read(root, 'src-generated/many.ts').split('\n');
    expect(lines.slice(1, 4)).toEqual(['f(0);', 'f(1);', 'f(2);']);
    expect(lines.filter((l) => l.startsWith('f('))).toHaveLength(count);
    expect(result.seconds).toBeLessThan(30);
    expect(result.megabytes).toBeLessThan(1024);
  });

  test('100,000 references to chunks that do not exist are reported quickly', async () => {
    const { root } = boxed({ [DOC]: fence('ts file=src-generated/missing.ts', Array.from({ length: 100_000 }, (_, i) => `<<missing-${i}>>`).join('\n')) + fence('ts #missing', 'x') });
    const started = performance.now();
    const result = await run(root);
    expect(result.messages.filter((m) => m.rule === 'undefined-chunk')).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  test('limits.maxDocumentBytes refuses a larger document before reading it', async () => {
    const text = fence('ts file=src-generated/a.ts', 'x'.repeat(2000));
    const { root } = boxed({ 'weft.config.json': JSON.stringify({ limits: { maxDocumentBytes: 1000 } }), [DOC]: text });
    const result = await run(root);
    expect(result.messages.map((m) => `${m.file} ${m.rule} ${m.message}`)).toEqual([`${DOC} document-too-large document is ${text.length} bytes, more than limits.maxDocumentBytes (1000)`]);
  });
});

// ---------------------------------------------------------------------------------

describe('hand edits survive every path that writes', () => {
  const v1 = { [DOC]: fence('ts file=src-generated/a.ts', 'export const a = 1;') + fence('ts file=src-generated/b.ts', 'export const b = 1;') };
  const v2 = { [DOC]: fence('ts file=src-generated/a.ts', 'export const a = 2;') + fence('ts file=src-generated/b.ts', 'export const b = 2;') };
  const edited = (root: string, path: string) => {
    const text = `${read(root, path)}// my edit\n`;
    writeFileSync(join(root, path), text);
    return text;
  };

  test('tangle refuses to overwrite a hand-edited output, says where, and writes nothing else', async () => {
    const { root } = boxed(v1);
    await run(root);
    const mine = edited(root, 'src-generated/a.ts');
    writeFiles(root, v2);
    const result = await run(root);
    expect(result.messages.filter((m) => m.severity === 'error').map((m) => `${m.file}:${m.line}: ${m.message}`)).toEqual([
      'src-generated/a.ts:2: src-generated/a.ts was edited by hand; refusing to overwrite it',
    ]);
    expect(read(root, 'src-generated/a.ts')).toBe(mine);
    expect(read(root, 'src-generated/b.ts')).toContain('export const b = 1;');
  });

  test('a file weft never wrote is never overwritten', async () => {
    const { root } = boxed(v1);
    writeFiles(root, { 'src-generated/a.ts': 'my own file\n' });
    const result = await run(root);
    expect(rules(result)).toEqual(['hand-edited-output']);
    expect(result.messages[0]?.message).toBe('src-generated/a.ts exists and was not written by weft; refusing to overwrite it');
    expect(read(root, 'src-generated/a.ts')).toBe('my own file\n');
  });

  test('--force overwrites, keeps a backup of the edit and says where', async () => {
    const { root } = boxed(v1);
    await run(root);
    const mine = edited(root, 'src-generated/a.ts');
    writeFiles(root, v2);
    const result = weft(root, 'tangle', '--no-bundle', '--force');
    expect(result.code).toBe(0);
    const backup = /the edited file was saved to (\.weft\/trash\/\S+\/src-generated\/a\.ts)/.exec(result.stderr)?.[1];
    expect(backup).toBeDefined();
    expect(read(root, backup!)).toBe(mine);
    expect(read(root, 'src-generated/a.ts')).toContain('export const a = 2;');
  });

  test('an orphan edited by hand is kept (with a warning); an unedited orphan is deleted', async () => {
    const { root } = boxed(v1);
    await run(root);
    const mine = edited(root, 'src-generated/a.ts');
    writeFiles(root, { [DOC]: 'both blocks are gone\n' });
    const result = await run(root);
    expect(result.messages.map((m) => `${m.severity} ${m.rule}: ${m.message}`)).toEqual([
      'warning hand-edited-output: src-generated/a.ts is no longer produced by any document but was edited by hand; keeping it',
    ]);
    expect(read(root, 'src-generated/a.ts')).toBe(mine);
    expect(exists(root, 'src-generated/b.ts')).toBe(false);
  });

  test('--force deletes an edited orphan only after backing it up', async () => {
    const { root } = boxed(v1);
    await run(root);
    const mine = edited(root, 'src-generated/a.ts');
    writeFiles(root, { [DOC]: 'both blocks are gone\n' });
    const result = await run(root, { force: true });
    const note = result.messages.find((m) => m.file === 'src-generated/a.ts')?.notes?.[0];
    expect(note).toMatch(/^the edited file was saved to \.weft\/trash\/.+\/src-generated\/a\.ts$/);
    expect(read(root, note!.replace('the edited file was saved to ', ''))).toBe(mine);
    expect(exists(root, 'src-generated/a.ts')).toBe(false);
  });

  test('a lost manifest makes every differing output count as hand-written, never silently overwritten', async () => {
    const { root } = boxed(v1);
    await run(root);
    rmSync(join(root, '.weft/manifest.json'));
    writeFiles(root, v2);
    const result = await run(root);
    expect(rules(result).sort()).toEqual(['hand-edited-output', 'hand-edited-output']);
    expect(read(root, 'src-generated/a.ts')).toContain('export const a = 1;');
  });
});

// ---------------------------------------------------------------------------------

describe('no code from a document runs while tangling or checking', () => {
  test('tangle, tangle --check and check leave no trace of the code they handled', () => {
    const marker = (name: string) => `/tmp/weft-attack-${process.pid}-${name}`;
    const files = {
      [DOC]: [
        fence('js file=scripts/run.js', `require('node:fs').writeFileSync(${JSON.stringify(marker('js'))}, 'ran');`),
        fence('ts file=src-generated/side.ts', `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker('ts'))}, 'ran');\nexport {};`),
        fence('sh file=scripts/run.sh', `#!/bin/sh\ntouch ${marker('sh')}\necho "$(touch ${marker('subst')})"`),
        fence('json file=src-generated/package.json', JSON.stringify({ scripts: { postinstall: `touch ${marker('npm')}` } })),
        fence('ts #chunk', `writeFileSync(${JSON.stringify(marker('chunk'))}, 'ran');`),
      ].join('\n'),
      'weft.config.json': JSON.stringify({ bundle: { entryPoints: ['src-generated/side.ts'] } }),
    };
    const { root } = boxed(files);
    expect(weft(root, 'tangle').code).toBe(0);
    weft(root, 'tangle', '--check');
    weft(root, 'check');
    for (const name of ['js', 'ts', 'sh', 'subst', 'npm', 'chunk']) expect(exists('/', marker(name)), name).toBe(false);
    expect(readFileSync(join(root, 'scripts/run.sh'), 'utf8')).toContain(`touch ${marker('sh')}`);
  });
});

// ---------------------------------------------------------------------------------
// Issue 14: writes that could escape the project, jam it, or lose a file.

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Run `body` with a small tmpfs mounted at `folder` (tests run as root). */
function withTmpfs(folder: string, size: string, body: () => void): void {
  mkdirSync(folder, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', folder]);
  try {
    body();
  } finally {
    execFileSync('umount', [folder]);
  }
}

/** Run `body` with `path` made immutable (`chattr +i`: even root cannot write into it). */
function withImmutable(path: string, body: () => void): void {
  execFileSync('chattr', ['+i', path]);
  try {
    body();
  } finally {
    execFileSync('chattr', ['-i', path]);
  }
}

describe('issue 14: writes', () => {
  test('a link planted at a temporary file name is an error, never written through', async () => {
    const { box, root } = boxed(targeting('src-generated/a.ts'));
    mkdirSync(join(root, 'src-generated'));
    symlinkSync(join(box, SENTINEL), join(root, `src-generated/a.ts.weft-tmp-${process.pid}`));
    const result = await run(root);
    expect(rules(result)).toEqual(['temporary-in-the-way']);
    expect(readFileSync(join(box, SENTINEL), 'utf8')).toBe('precious\n');
    expect(exists(root, 'src-generated/a.ts')).toBe(false);
    expect(exists(root, '.weft/journal.json')).toBe(false);
  });

  test('an output nested under another output is refused, located, before anything is written', () => {
    const { box, root } = boxed({ [DOC]: fence('ts file=src-generated/a.ts', 'a();') + fence('ts file=src-generated/a.ts/b.ts', 'b();') });
    const before = visible(box);
    const result = weft(root, 'tangle', '--no-bundle');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${DOC}:5:1: error: src-generated/a.ts/b.ts is inside src-generated/a.ts, which is also an output file [output-path-conflict]`);
    expect(visible(box)).toEqual(before);
  });

  test('journal recovery never wedges: a journal naming temporaries under what is now a file is finished', () => {
    const { root } = boxed(targeting('src-generated/a.ts'));
    writeFiles(root, {
      'src-generated/x.ts': 'x\n',
      '.weft/journal.json': JSON.stringify({ pid: 1, accepted: { 'src-generated/x.ts/b.ts': [sha('b\n')] }, temporaries: ['src-generated/x.ts/b.ts.weft-tmp-1', 'src-generated/x.ts/b.ts.map.weft-tmp-1'] }),
    });
    const result = weft(root, 'tangle', '--no-bundle');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(exists(root, '.weft/journal.json')).toBe(false);
  });

  test('a journal that cannot be finished is a located error naming the command that clears it, not a crash', () => {
    const { root } = boxed(targeting('src-generated/a.ts'));
    writeFiles(root, {
      'src-generated/a.ts.weft-tmp-1': 'half\n',
      '.weft/journal.json': JSON.stringify({ pid: 1, accepted: {}, temporaries: ['src-generated/a.ts.weft-tmp-1'] }),
    });
    withImmutable(join(root, 'src-generated'), () => {
      const result = weft(root, 'tangle', '--no-bundle');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^\.weft\/journal\.json: error: cannot recover from the interrupted write this journal describes \(.*EPERM.*\) \[journal-unrecoverable\]\n {2}note: check the outputs, then run `rm \.weft\/journal\.json` and `weft tangle` again$/m);
    });
    expect(readdirSync(join(root, 'src-generated'))).toEqual(['a.ts.weft-tmp-1']);
  });

  test('a hand-written source map beside a new output is not replaced', async () => {
    await expectRefused(targeting('src-generated/foo.ts'), 'hand-edited-output', (_box, root) => writeFiles(root, { 'src-generated/foo.ts.map': '{"mine":true}\n' }));
  });

  test('an output written where another output\'s source map goes is refused', async () => {
    await expectRefused({ [DOC]: fence('ts file=src-generated/x.ts', 'x();') + fence('json file=src-generated/x.ts.map', '{}') }, 'output-path-conflict');
  });

  test('café.ts in NFC from one document and in NFD from another clash like a case-only difference', async () => {
    await expectRefused({ 'docs/one.lit.md': fence('ts file=src-generated/caf\u00e9.ts', 'a();'), 'docs/two.lit.md': fence('ts file=src-generated/cafe\u0301.ts', 'b();') }, 'case-conflict');
  });

  test('a full disk is a located error with exit 1, and the run writes nothing (not one output of two)', () => {
    const { root } = boxed({ [DOC]: fence('ts file=src-generated/a.ts', 'a();') + fence('ts file=src-generated/z.ts', `const z = "${'z'.repeat(200_000)}";`) });
    withTmpfs(join(root, 'src-generated'), '64k', () => {
      const result = weft(root, 'tangle', '--no-bundle');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('src-generated/z.ts: error: cannot write src-generated/z.ts: the disk is full (ENOSPC); nothing was changed [write-failed]');
      expect(result.stderr).not.toContain('internal error');
      expect(readdirSync(join(root, 'src-generated'))).toEqual([]);
      expect(exists(root, '.weft/journal.json')).toBe(false);
    });
  });

  test('a read-only (immutable) output folder is a located error with exit 1, and the outputs stay as they were', () => {
    const { root } = boxed({ [DOC]: fence('ts file=src-generated/a.ts', 'a();') });
    expect(weft(root, 'tangle', '--no-bundle').code).toBe(0);
    const before = read(root, 'src-generated/a.ts');
    writeFiles(root, { [DOC]: fence('ts file=src-generated/a.ts', 'a2();') });
    withImmutable(join(root, 'src-generated'), () => {
      const result = weft(root, 'tangle', '--no-bundle');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^src-generated\/a\.ts: error: cannot write src-generated\/a\.ts: the operation is not permitted .*; nothing was changed \[write-failed\]$/m);
      expect(result.stderr).not.toContain('internal error');
    });
    expect(read(root, 'src-generated/a.ts')).toBe(before);
    expect(readdirSync(join(root, 'src-generated')).sort()).toEqual(['a.ts', 'a.ts.map']);
  });

  test('an immutable output met while renaming is a located error; nothing is left staged and the next run finishes the job', () => {
    const { root } = boxed({ [DOC]: fence('ts file=src-generated/a.ts', 'a();') + fence('ts file=src-generated/b.ts', 'b();') });
    expect(weft(root, 'tangle', '--no-bundle').code).toBe(0);
    writeFiles(root, { [DOC]: fence('ts file=src-generated/a.ts', 'a2();') + fence('ts file=src-generated/b.ts', 'b2();') });
    withImmutable(join(root, 'src-generated/a.ts'), () => {
      const result = weft(root, 'tangle', '--no-bundle');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^src-generated\/a\.ts: error: cannot write src-generated\/a\.ts: the operation is not permitted .*; the write was interrupted; run `weft tangle` again once that is fixed .* \[write-failed\]$/m);
      expect(result.stderr).not.toContain('internal error');
      expect(readdirSync(join(root, 'src-generated')).filter((name) => name.includes('.weft-tmp-'))).toEqual([]);
    });
    expect(weft(root, 'tangle', '--no-bundle').code).toBe(0);
    expect(read(root, 'src-generated/a.ts')).toContain('a2();');
    expect(read(root, 'src-generated/b.ts')).toContain('b2();');
    expect(exists(root, '.weft/journal.json')).toBe(false);
  });

  test('a forged manifest entry claiming a hand-written file moves it to .weft/trash/, never loses it', async () => {
    const { root } = boxed(targeting('src-generated/a.ts'));
    writeFiles(root, {
      'src-generated/precious.ts': 'mine\n',
      '.weft/manifest.json': JSON.stringify({ weft: '0', outputs: { 'src-generated/precious.ts': { hash: sha('mine\n'), document: DOC, chunks: {} } } }),
    });
    expect((await run(root)).ok).toBe(true);
    const runs = readdirSync(join(root, '.weft/trash'));
    expect(runs).toHaveLength(1);
    expect(read(root, `.weft/trash/${runs[0]}/src-generated/precious.ts`)).toBe('mine\n');
  });

  test('the trash keeps the removed files of the last 10 runs only', async () => {
    const { root } = boxed({});
    for (let i = 0; i < 13; i++) {
      writeFiles(root, targeting(`src-generated/o${i}.ts`));
      expect((await run(root)).ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 2)); // Distinct run stamps (milliseconds).
    }
    const runs = readdirSync(join(root, '.weft/trash')).sort();
    expect(runs).toHaveLength(10);
    expect(readdirSync(join(root, '.weft/trash', runs[9]!, 'src-generated'))).toEqual(['o11.ts', 'o11.ts.map']);
  });
});

describe('issue 14: the bundle follows the rules the outputs follow', () => {
  const bundled = (bundle: Record<string, unknown> = {}) => ({
    'weft.config.json': `${JSON.stringify({ bundle: { entryPoints: ['src-generated/main.ts'], ...bundle } }, null, 2)}\n`,
    [DOC]: fence('ts file=src-generated/main.ts', 'export const main = 1;'),
  });
  const bundleRun = (root: string) => tangle({ root, bundle: true });

  test.each([['.'], ['docs'], ['docs/..'], ['src-generated/dist']])('outdir "%s" is refused at weft.config.json, and nothing is bundled', async (outdir) => {
    const { root } = boxed(bundled({ outdir }));
    const result = await bundleRun(root);
    expect(result.messages.filter((m) => m.severity === 'error').map((m) => `${m.file}:${m.line} ${m.rule}`)).toEqual(['weft.config.json:6 bundle-outdir']);
    expect(exists(root, 'main.js')).toBe(false);
    expect(exists(root, 'docs/main.js')).toBe(false);
  });

  test('an outdir that is a symbolic link out of the project is never written through', async () => {
    const { box, root } = boxed(bundled());
    symlinkSync(join(box, 'outside'), join(root, 'dist'));
    const result = await bundleRun(root);
    expect(rules(result)).toContain('output-outside-root');
    expect(readdirSync(join(box, 'outside'))).toEqual(['precious.txt']);
  });

  test('a hand-written file in outdir is not replaced; the bundle Weft wrote is recorded and rewritten freely', async () => {
    const { root } = boxed(bundled());
    writeFiles(root, { 'dist/main.js': '// mine\n' });
    const refused = await bundleRun(root);
    expect(refused.messages.filter((m) => m.severity === 'error').map((m) => `${m.file} ${m.rule}`)).toEqual(['dist/main.js hand-edited-output']);
    expect(read(root, 'dist/main.js')).toBe('// mine\n');
    rmSync(join(root, 'dist/main.js'));
    expect((await bundleRun(root)).ok).toBe(true);
    expect(Object.keys(JSON.parse(read(root, '.weft/bundle-manifest.json')).outputs)).toEqual(['dist/main.js', 'dist/main.js.map']);
    writeFiles(root, { [DOC]: fence('ts file=src-generated/main.ts', 'export const main = 2;') });
    expect((await bundleRun(root)).ok).toBe(true);
    expect(read(root, 'dist/main.js')).toContain('main = 2');
  });

  test('with force, a hand-written file in outdir is backed up before it is replaced', async () => {
    const { root } = boxed(bundled());
    writeFiles(root, { 'dist/main.js': '// mine\n' });
    expect((await bundleRun(root)).ok).toBe(false);
    const { Bundler } = await import('../tangle/bundle.js');
    const { loadConfig } = await import('../tangle/config.js');
    const { config } = loadConfig(root);
    const bundler = new Bundler(root, { force: true });
    const messages = await bundler.build(config!, [], false);
    await bundler.dispose();
    expect(messages.map((m) => `${m.severity} ${m.rule} ${m.notes?.[0]?.replace(/\/trash\/[^/]+\//, '/trash/T/')}`)).toEqual([
      'warning hand-edited-output the edited file was saved to .weft/trash/T/dist/main.js',
    ]);
    expect(read(root, 'dist/main.js')).toContain('main = 1');
  });
});

describe('the attack case list (test/attacks/cases.json)', () => {
  interface Case {
    id: string;
    issue?: string;
    status: 'holds' | 'fixed' | 'other-branch';
    test?: { file: string; match: string };
  }
  const { cases } = JSON.parse(readFileSync(join(REPO, 'test/attacks/cases.json'), 'utf8')) as { cases: Case[] };

  test('covers each of the eleven failures of issue 14', () => {
    const items = new Set(cases.map((c) => c.issue?.replace(/^14\./, '')).filter((item) => item !== undefined));
    expect([...items].map(Number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test('every case this branch holds names a test, and every named test exists', () => {
    const missing = cases.filter((c) => c.status !== 'other-branch' && c.test === undefined).map((c) => c.id);
    expect(missing).toEqual([]);
    const unknown = cases.filter((c) => c.test && c.status !== 'other-branch' && !readFileSync(join(REPO, c.test.file), 'utf8').includes(c.test.match)).map((c) => c.id);
    expect(unknown).toEqual([]);
  });
});
