/**
 * Weft's own files as untrusted input: `weft.config.json`, the parse cache and build
 * state under `.weft/cache/`, the manifest and the journal. A malformed or malicious
 * one gives an error or is discarded; it never crashes Weft and never makes it write
 * (or delete) anything outside the output folders.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { signed } from '../tangle/cache.js';
import { tangle } from '../tangle/context.js';
import type { TangleResult } from '../tangle/types.js';
import { snapshot } from './fixtures/reliability/properties.mjs';
import { fence, makeProject, read, weft, WEFT_BIN, writeFiles } from './helpers.js';

const DOC = 'docs/a.lit.md';
/** A document only remark can read (a fence in a list item), so its parse is cached on disk. */
const LISTED = `# A\n\n- step one\n\n  ${fence('ts file=src-generated/a.ts', 'export const a = 1;').replace(/\n(?=.)/g, '\n  ')}\n${fence('ts file=src-generated/b.ts', 'export const b = 2;')}`;

/** `box/project` with `files` and a sentinel beside it. */
function boxed(files: Record<string, string>): { box: string; root: string } {
  const box = makeProject({ 'outside/precious.txt': 'precious\n' });
  const root = join(box, 'project');
  mkdirSync(root);
  writeFiles(root, files);
  return { box, root };
}
const run = (root: string, cache = true): Promise<TangleResult> => tangle({ root, bundle: false, cache });
const errors = (result: TangleResult) => result.messages.filter((m) => m.severity === 'error').map((m) => `${m.rule}: ${m.message}`);
const visible = (box: string) => Object.fromEntries(Object.entries(snapshot(box)).filter(([p]) => !p.startsWith('project/.weft/')));

// ---------------------------------------------------------------------------------

const CONFIGS: [string, string, string][] = [
  ['truncated JSON', '{"outputDirs": ["src-generated"', 'malformed-config: invalid JSON'],
  ['an empty file', '', 'malformed-config: invalid JSON'],
  ['JSON nested 100,000 deep', '['.repeat(100_000), 'malformed-config: invalid JSON'],
  ['JSON objects nested 100,000 deep', '{"a":'.repeat(100_000), 'malformed-config: invalid JSON'],
  ['an array', '[]', 'malformed-config: config must be a JSON object'],
  ['null', 'null', 'malformed-config: config must be a JSON object'],
  ['a string', '"src-generated"', 'malformed-config: config must be a JSON object'],
  ['an unknown key', '{"outputDir": ["x"]}', 'malformed-config: unknown config key `outputDir`'],
  ['__proto__', '{"__proto__": {"outputDirs": ["/tmp"]}}', 'malformed-config: unknown config key `__proto__`'],
  ['constructor', '{"constructor": {"prototype": {"polluted": true}}}', 'malformed-config: unknown config key `constructor`'],
  ['an absolute output folder', '{"outputDirs": ["/tmp/weft-evil"]}', 'malformed-config: output directory "/tmp/weft-evil" is not allowed: it is absolute'],
  ['an output folder outside the project', '{"outputDirs": ["../outside"]}', 'malformed-config: output directory "../outside" is not allowed: it leaves the project through ..'],
  ['an output folder escaping after a folder', '{"outputDirs": ["src/../../outside"]}', 'malformed-config: output directory "src/../../outside" is not allowed: it leaves the project through ..'],
  ['an output folder under ~', '{"outputDirs": ["~/out"]}', 'malformed-config: output directory "~/out" is not allowed: it starts with ~'],
  ['.git as output folder', '{"outputDirs": [".git"]}', 'malformed-config: output directory ".git" is not allowed: it is inside .git/'],
  ['node_modules as output folder', '{"outputDirs": ["node_modules/pkg"]}', 'malformed-config: output directory "node_modules/pkg" is not allowed: it is inside node_modules/'],
  ['.weft as output folder', '{"outputDirs": [".weft"]}', 'malformed-config: output directory ".weft" is not allowed: it is inside .weft/'],
  ['the project root as output folder', '{"outputDirs": ["."]}', 'malformed-config: output directory "." is the project root; name a folder inside it'],
  ['a backslash output folder', '{"outputDirs": ["..\\\\outside"]}', 'malformed-config: output directory "..\\outside" is not allowed: it contains a backslash (use / to separate folders)'],
  ['a drive letter output folder', '{"outputDirs": ["C:/out"]}', 'malformed-config: output directory "C:/out" is not allowed: it starts with a drive letter'],
  ['a NUL in an output folder', '{"outputDirs": ["out\\u0000"]}', 'malformed-config: output directory "out\u0000" is not allowed: it contains a control character'],
  ['no output folder', '{"outputDirs": []}', 'malformed-config: `outputDirs` must name at least one folder'],
  ['output folders of the wrong type', '{"outputDirs": "src-generated"}', 'malformed-config: `outputDirs` must be a list of strings'],
  ['sources outside the project', '{"sources": ["../outside/*.lit.md"]}', 'malformed-config: source glob "../outside/*.lit.md" is not allowed: sources must be inside the project'],
  ['absolute sources', '{"sources": ["/etc/*.lit.md"]}', 'malformed-config: source glob "/etc/*.lit.md" is not allowed: sources must be inside the project'],
  ['sources escaping through braces', '{"sources": ["{docs,../outside}/*.lit.md"]}', 'malformed-config: source glob "{docs,../outside}/*.lit.md" is not allowed: sources must be inside the project'],
  ['a bundle folder outside the project', '{"bundle": {"entryPoints": ["src-generated/a.ts"], "outdir": "../dist"}}', 'malformed-config: bundle outdir "../dist" is not allowed: it leaves the project through ..'],
  ['a negative limit', '{"limits": {"maxDepth": -1}}', 'malformed-config: `limits.maxDepth` must be a positive integer'],
  ['an infinite limit', '{"limits": {"maxOutputBytes": 1e400}}', 'malformed-config: `limits.maxOutputBytes` must be a number'],
  ['a depth that would overflow the stack', '{"limits": {"maxDepth": 100000}}', 'malformed-config: `limits.maxDepth` must be at most 1000'],
  ['a limit of the wrong type', '{"limits": {"maxDocumentBytes": "64 MB"}}', 'malformed-config: `limits.maxDocumentBytes` must be a number'],
];

describe('weft.config.json is untrusted', () => {
  test.each(CONFIGS)('%s is an error, and nothing is written anywhere', async (_, config, expected) => {
    const { box, root } = boxed({ 'weft.config.json': config, [DOC]: fence('ts file=src-generated/a.ts', 'export const a = 1;') });
    const before = visible(box);
    const result = await run(root);
    expect(result.ok).toBe(false);
    expect(errors(result).some((e) => e.startsWith(expected)), errors(result).join('\n')).toBe(true);
    expect(visible(box)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('the CLI reports a malicious config as an error (exit 1), never as a crash (exit 70)', () => {
    for (const [, config] of CONFIGS.slice(0, 12)) {
      const { root } = boxed({ 'weft.config.json': config, [DOC]: fence('ts file=src-generated/a.ts', 'x') });
      const result = weft(root, 'tangle', '--no-bundle');
      expect(result.code, config.slice(0, 40)).toBe(1);
      expect(result.stderr).not.toContain('internal error');
    }
  });

  test('a config that is a folder is an error', async () => {
    const { root } = boxed({ 'weft.config.json/x': '', [DOC]: fence('ts file=src-generated/a.ts', 'x') });
    expect(errors(await run(root))).toEqual(['malformed-config: cannot read config: EISDIR: illegal operation on a directory, read']);
  });

  test('a document reached through a source glob that leaves the project is not read', async () => {
    const { box, root } = boxed({ 'weft.config.json': '{"sources": ["docs/*.lit.md", "docs/link/*.lit.md"]}', [DOC]: fence('ts file=src-generated/a.ts', 'x') });
    writeFiles(box, { 'outside/secret.lit.md': fence('ts file=src-generated/stolen.ts', 'secret') });
    symlinkSync(join(box, 'outside'), join(root, 'docs/link'));
    const result = await run(root);
    expect(result.summary.documents).toBe(1);
    expect(result.outputs.map((o) => o.path)).toEqual(['src-generated/a.ts']);
  });
});

// ---------------------------------------------------------------------------------

/** The cache entry files of a project. */
function cacheEntries(root: string): string[] {
  const base = join(root, '.weft/cache');
  return readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((d) => readdirSync(join(base, d.name)).map((name) => join(base, d.name, name)));
}

/** An entry's JSON (after its signature line). */
const entryJson = (file: string) => JSON.parse(readFileSync(file, 'utf8').split('\n').slice(1).join('\n'));

describe('the cache is untrusted', () => {
  // Signed with this process's key, as if this user's Weft had written them: the shape is still checked.
  const poisons: [string, (original: Record<string, unknown>) => string][] = [
    ['garbage bytes', () => signed('\u0000\u00ff garbage {')],
    ['an empty file', () => ''],
    ['JSON of another shape', () => signed('[1, 2, 3]')],
    ['an entry for another document', (original) => signed(JSON.stringify({ ...original, path: 'docs/other.lit.md' }))],
    ['an entry for other content', (original) => signed(JSON.stringify({ ...original, hash: '0'.repeat(64) }))],
    ['parts that are not parts', (original) => signed(JSON.stringify({ ...original, files: [{ path: 'src-generated/a.ts', document: DOC, parts: [{ value: 42 }] }] }))],
    ['JSON nested 100,000 deep', () => signed('['.repeat(100_000))],
    ['well-formed but unsigned', (original) => JSON.stringify(original)],
  ];

  test.each(poisons)('an entry that is %s is discarded: the result is what a fresh parse gives', async (_, poison) => {
    const { root } = boxed({ [DOC]: LISTED });
    const clean = await run(root, false);
    await run(root);
    const entries = cacheEntries(root).filter((p) => p.endsWith('.json'));
    expect(entries).toHaveLength(1);
    writeFileSync(entries[0]!, poison(entryJson(entries[0]!)));
    writeFiles(root, { 'src-generated/a.ts': 'hand edit\n' }); // Make the next run look at everything again.
    const again = await run(root);
    expect(again.summary.cached).toBe(0);
    expect(again.outputs).toEqual(clean.outputs);
  });

  test('an entry signed with another key (another user or machine, or one that came with the project) is not read, however well-formed', async () => {
    const { root } = boxed({ [DOC]: LISTED });
    const clean = await run(root, false);
    await run(root);
    const [entry] = cacheEntries(root).filter((p) => p.endsWith('.json'));
    // What a committed entry could say: the document's code (its hash is public) is anything.
    const forged = entryJson(entry!) as { files: { parts: { value: string }[] }[] };
    forged.files[0]!.parts[0]!.value = 'export const a = stealSecrets();';
    const json = JSON.stringify(forged);
    writeFileSync(entry!, `weft-cache-entry-1 ${createHmac('sha256', randomBytes(32)).update(json).digest('hex')}\n${json}`);
    writeFiles(root, { 'src-generated/a.ts': read(root, 'src-generated/a.ts') }); // Touched: the next run reads the cache.
    const again = await run(root);
    expect(again.summary.cached).toBe(0);
    expect(again.outputs).toEqual(clean.outputs);
    expect(read(root, 'src-generated/a.ts')).toContain('export const a = 1;');

    // Across processes: another user's Weft (another key folder) does not read this user's entries.
    const env = (folder: string) => ({ ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(root, '..', folder) });
    const cli = (folder: string) => JSON.parse(spawnSync(process.execPath, [WEFT_BIN, 'tangle', '--json', '--no-bundle', '--force'], { cwd: root, encoding: 'utf8', env: env(folder) }).stdout);
    expect(cli('alice').summary.cached).toBe(0); // Alice's first run writes her entry...
    expect(cli('alice').summary.cached).toBe(1); // ...and reads it the next time (--force: no state, every document is looked up).
    expect(cli('bob').summary.cached).toBe(0);
    expect(readFileSync(join(root, '..', 'alice', 'weft', 'cache-key'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    // A relative XDG_CACHE_HOME is ignored (as the XDG spec says), never resolved inside the project.
    const relative = spawnSync(process.execPath, [WEFT_BIN, 'tangle', '--no-bundle', '--force'], { cwd: root, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: 'keys' } });
    expect(relative.status).toBe(0);
    expect(existsSync(join(root, 'keys'))).toBe(false);
  });

  test('an entry that names outputs outside the project cannot make weft write there', async () => {
    const { box, root } = boxed({ [DOC]: LISTED });
    await run(root);
    const [entry] = cacheEntries(root).filter((p) => p.endsWith('.json'));
    const original = entryJson(entry!) as { files: { path: string }[] };
    for (const path of ['../escape.ts', '/tmp/weft-cache-escape.ts', 'src-generated/../../escape.ts', '.git/hooks/pre-commit']) {
      original.files[0]!.path = path;
      writeFileSync(entry!, signed(JSON.stringify(original))); // Signed with this user's key: only the confinement stands in the way.
      const before = visible(box);
      const result = await run(root);
      expect(result.ok, path).toBe(false);
      expect(errors(result).join('\n')).toContain('output-outside-root');
      expect(visible(box)).toEqual(before);
    }
  });

  test('a garbage build state is ignored', () => {
    const { root } = boxed({ [DOC]: fence('ts file=src-generated/a.ts', 'export const a = 1;') });
    expect(weft(root, 'tangle', '--no-bundle').code).toBe(0);
    for (const garbage of ['{', '[]', JSON.stringify({ key: 'x', documents: 5 }), '\u0000'.repeat(100)]) {
      writeFiles(root, { '.weft/cache/state.json': garbage, [DOC]: fence('ts file=src-generated/a.ts', `export const a = ${garbage.length};`) });
      const result = weft(root, 'tangle', '--no-bundle');
      expect(result.code).toBe(0);
      expect(read(root, 'src-generated/a.ts')).toContain(`export const a = ${garbage.length};`);
    }
  });

  test('a cache folder that is a symbolic link out of the project is refused, and nothing is written through it', async () => {
    const { box, root } = boxed({ [DOC]: LISTED });
    mkdirSync(join(root, '.weft'));
    symlinkSync(join(box, 'outside'), join(root, '.weft/cache'));
    const result = await run(root);
    expect(errors(result)).toEqual(['unsafe-weft-folder: .weft/cache is a symbolic link; refusing to write through it']);
    expect(readdirSync(join(box, 'outside'))).toEqual(['precious.txt']);
  });
});

// ---------------------------------------------------------------------------------

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the manifest and the journal are untrusted', () => {
  test('a garbage manifest is a warning, and every existing output counts as hand-written', async () => {
    const { root } = boxed({ [DOC]: fence('ts file=src-generated/a.ts', 'export const a = 1;') });
    await run(root);
    writeFiles(root, { '.weft/manifest.json': '{"outputs": 7', [DOC]: fence('ts file=src-generated/a.ts', 'export const a = 2;') });
    const result = await run(root);
    expect(result.messages.map((m) => `${m.severity} ${m.rule}`)).toEqual(['warning malformed-manifest', 'error hand-edited-output']);
    expect(read(root, 'src-generated/a.ts')).toContain('export const a = 1;');
  });

  test.each([
    ['the manifest', '.weft/manifest.json'],
    ['the journal', '.weft/journal.json'],
  ])('%s cannot make weft delete a file outside the output folders', async (_, file) => {
    const { box, root } = boxed({ [DOC]: fence('ts file=src-generated/a.ts', 'export const a = 1;') });
    await run(root);
    const victims = ['src-generated/../../outside/precious.txt', 'src-generated/../docs/a.lit.md', '../outside/precious.txt', `${box}/outside/precious.txt`];
    const hashes = { '../outside/precious.txt': sha256('precious\n'), 'docs/a.lit.md': sha256(read(root, DOC)) };
    const hashOf = (victim: string) => (victim.includes('docs/') ? hashes['docs/a.lit.md'] : hashes['../outside/precious.txt']);
    const manifest = JSON.parse(read(root, '.weft/manifest.json')) as { outputs: Record<string, unknown> };
    if (file === '.weft/manifest.json') {
      for (const victim of victims) manifest.outputs[victim] = { hash: hashOf(victim), document: DOC, chunks: {} };
      writeFiles(root, { [file]: JSON.stringify(manifest) });
    } else {
      writeFiles(root, { [file]: JSON.stringify({ pid: 1, accepted: Object.fromEntries(victims.map((v) => [v, [hashOf(v)]])), temporaries: ['../outside/precious.txt', 'docs/a.lit.md'] }) });
    }
    const before = visible(box);
    await run(root);
    expect(visible(box)).toEqual(before);
  });
});
