/**
 * Hermeticity: during `weft tangle`, Weft reads only what `weft outputs --json` declares
 * (the documents and the config; the outputs, the manifest and its own transient files,
 * which a committed-mode tangle compares against; the cache) and writes only the
 * declared outputs, its transient files and the cache; the files it writes are exactly
 * the declared ones; and it reads no environment variable that changes an output.
 *
 * The CLI runs in a child process with `test/fixtures/fs-trace.mjs` preloaded, which logs
 * every path the `fs` functions are given and every `process.env` read. esbuild's bundling
 * runs in esbuild's own process and is not traced: its inputs are the outputs (and what
 * they import), its outputs the declared bundle folder, checked by test/outputs.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, type Dirent } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, REPO, WEFT_BIN } from './helpers.js';

const TRACE = join(REPO, 'test/fixtures/fs-trace.mjs');

/** Variables Weft's own code may read: they change how messages look, never an output byte (see the README). */
const PRESENTATION = ['CI', 'FORCE_COLOR', 'GITHUB_ACTIONS', 'GITHUB_WORKSPACE', 'NO_COLOR', 'RUNNER_TEMP', 'TERM', 'WEFT_DEBUG'];
/** Where the cache's signing key lives (cache.ts): which key signs an entry, never what an output holds. */
const CACHE_KEY_HOME = ['XDG_CACHE_HOME', 'HOME'];

interface Entry {
  kind: 'read' | 'look' | 'write' | 'env';
  op?: string;
  path?: string;
  name?: string;
  by?: string;
}

/** Run `weft ARGS` in `dir` under the trace; the entries it logged. */
function traced(dir: string, env: Record<string, string>, ...args: string[]): Entry[] {
  const log = join(makeProject({}), 'trace.jsonl');
  writeFileSync(log, '');
  const run = spawnSync(process.execPath, ['--import', TRACE, WEFT_BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env, WEFT_FS_TRACE: log } });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Entry);
}

/** Every file under `dir`, relative, POSIX, sorted, with its content. */
function tree(dir: string, skip: (path: string) => boolean): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[]) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (!skip(path)) files[path] = readFileSync(join(dir, path), 'utf8');
  }
  return files;
}

/** A temporary file of an atomic write (atomic-write.ts): `NAME.weft-tmp-PID[-RANDOM]`. */
const TEMPORARY = /\.weft-tmp-\d+(?:-[0-9a-f]+)?$/;

/**
 * Check one traced tangle of `dir` against what `weft outputs --json` declared: every
 * read, look and write in its place. Returns the files it wrote outside the bundle folder,
 * the cache and the transient files (an output is written by a rename over it).
 */
function expectHermetic(dir: string, entries: Entry[], declared: ReturnType<typeof JSON.parse>, keyHome: string): string[] {
  const files: string[] = declared.outputs.files;
  const folders = [...declared.outputs.dirs, declared.cacheDir, declared.outputs.trash].filter(Boolean) as string[];
  const transient: string[] = declared.outputs.transient;
  const inputs: string[] = declared.inputs.files;
  const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
  const declaredFile = (path: string) => files.includes(path) || transient.includes(path) || folders.some((folder) => under(path, folder));
  // Written: the declared files, and anything in the folders whose files Weft does not name (cache, bundle, trash).
  const apart = [declared.cacheDir, declared.outputs.bundle, declared.outputs.trash].filter(Boolean) as string[];
  const writable = (path: string) => files.includes(path) || transient.includes(path) || apart.some((folder) => under(path, folder));
  const ancestorOfDeclared = (path: string) => [...files, ...transient, ...inputs, ...folders].some((file) => file.startsWith(`${path}/`));
  const problems: string[] = [];
  const written = new Set<string>();
  for (const entry of entries) {
    if (entry.kind === 'env' || entry.path === undefined) continue;
    const path = relative(dir, entry.path).split(sep).join('/');
    const inside = !path.startsWith('..') && path !== '';
    const bare = path.replace(TEMPORARY, '');
    if (!inside) {
      // Outside the project: Weft's own files and dependencies, the cache key, a lock holder's
      // liveness (/proc), and a look at the folders above (finding the project root).
      const own = entry.path.startsWith(`${REPO}`) && entry.kind !== 'write';
      const key = entry.path.startsWith(join(keyHome, 'weft'));
      const proc = entry.path.startsWith('/proc/') && entry.kind === 'read';
      const above = entry.kind === 'look' && (dir.startsWith(`${dirname(entry.path)}/`) || dir.startsWith(`${entry.path}/`) || path === '');
      if (!own && !key && !proc && !above && path !== '') problems.push(`${entry.kind} ${entry.op} ${entry.path}`);
      continue;
    }
    if (entry.kind === 'write') {
      const isFolder = entry.op === 'mkdir' || entry.op === 'mkdirSync';
      if (!(writable(bare) || (isFolder && (ancestorOfDeclared(path) || declared.outputs.dirs.includes(path))))) problems.push(`write ${entry.op} ${path}`);
      if (!TEMPORARY.test(path) && !isFolder && /^rename/.test(entry.op ?? '')) written.add(path);
      continue;
    }
    const ok =
      inputs.includes(bare) ||
      declaredFile(bare) ||
      // A folder's names: the folders on the way to the documents (the source globs) or a declared folder.
      ancestorOfDeclared(path) ||
      // The project root is found by looking for these, upward.
      (entry.kind === 'look' && ['weft.config.json', 'package.json'].includes(path)) ||
      // lock.ts refuses a .weft/ whose folders are links, including the old backup folder.
      (entry.kind === 'look' && path === '.weft/backup');
    if (!ok) problems.push(`${entry.kind} ${entry.op} ${path}`);
  }
  expect(problems).toEqual([]);
  return [...written].filter((path) => !apart.some((folder) => under(path, folder)) && !transient.includes(path)).sort();
}

/** The environment variables Weft's own code (lib/, bin/) read. */
function ownEnvironment(entries: Entry[]): string[] {
  const own = (by: string | undefined) => by !== undefined && (by.startsWith(join(REPO, 'lib')) || by.startsWith(join(REPO, 'bin')));
  return [...new Set(entries.filter((e) => e.kind === 'env' && own(e.by)).map((e) => e.name!))].sort();
}

function guideProject(): string {
  return makeProject({
    'docs/guide.lit.md': readFileSync(join(REPO, 'docs/guide.lit.md'), 'utf8'),
    'docs/listed.lit.md': '# Listed\n\n- a step:\n\n  ```ts file=src-generated/listed.ts\n  export const listed = 1;\n  ```\n',
    'weft.config.json': JSON.stringify({ sources: ['docs/**/*.lit.md'], bundle: { entryPoints: ['src-generated/guide/cli.ts'], outdir: 'dist', platform: 'node' } }),
  });
}

function generatedProject(documents: number): string {
  const dir = makeProject({});
  execFileSync(process.execPath, [join(REPO, 'bench/generate.mjs'), '--docs', String(documents), '--out', dir]);
  return dir;
}

describe('hermeticity of weft tangle', () => {
  for (const [name, make] of [
    ['the guide', guideProject],
    ['a generated 100-document project', () => generatedProject(100)],
  ] as const) {
    it(`${name}: reads and writes only what weft outputs declares, cold, warm and after an edit, in committed and generated mode`, () => {
      const dir = make();
      const keyHome = makeProject({});
      const env = { XDG_CACHE_HOME: keyHome };
      const declared = JSON.parse(execFileSync(process.execPath, [WEFT_BIN, 'outputs', '--json'], { cwd: dir, encoding: 'utf8' }));
      const cold = traced(dir, env, 'tangle');
      expect(expectHermetic(dir, cold, declared, keyHome)).toEqual(declared.outputs.files);
      expect(ownEnvironment(cold).every((variable) => PRESENTATION.includes(variable) || CACHE_KEY_HOME.includes(variable)), ownEnvironment(cold).join()).toBe(true);
      // Warm: from the stamps and the cache, nothing to write.
      const warm = traced(dir, env, 'tangle');
      expect(warm.filter((e) => e.kind === 'write' && !e.path!.includes('/.weft/'))).toEqual([]);
      // One document edited: the stamps narrow the work; still within the declared sets.
      const document = declared.inputs.files.find((path: string) => path.endsWith('.lit.md'));
      writeFileSync(join(dir, document), `${readFileSync(join(dir, document), 'utf8')}\nA new closing paragraph.\n`);
      expect(expectHermetic(dir, traced(dir, env, 'tangle'), declared, keyHome).every((path) => declared.outputs.files.includes(path))).toBe(true);
      // Generated mode, from scratch in a copy: no manifest read or written.
      const generated = JSON.parse(execFileSync(process.execPath, [WEFT_BIN, 'outputs', '--json', '--no-manifest'], { cwd: dir, encoding: 'utf8' }));
      const fresh = make();
      const entries = traced(fresh, env, 'tangle', '--no-manifest');
      expect(expectHermetic(fresh, entries, generated, keyHome)).toEqual(generated.outputs.files);
      expect(entries.filter((e) => e.path?.endsWith('/.weft/manifest.json'))).toEqual([]);
    });
  }

  it('--out-root: writes only under the out root, exactly the declared files, and reads only the inputs from the project', () => {
    const dir = guideProject();
    const out = join(makeProject({}), 'out');
    const keyHome = makeProject({});
    const declared = JSON.parse(execFileSync(process.execPath, [WEFT_BIN, 'outputs', '--json', '--out-root', out], { cwd: dir, encoding: 'utf8' }));
    const entries = traced(dir, { XDG_CACHE_HOME: keyHome }, 'tangle', '--out-root', out);
    const writes = entries.filter((e) => e.kind === 'write');
    expect(writes.filter((e) => !e.path!.startsWith(`${out}/`) && e.path !== out && !e.path!.startsWith(join(keyHome, 'weft')) && !`${out}/`.startsWith(`${e.path}/`))).toEqual([]);
    const renamed = writes.filter((e) => /^rename/.test(e.op!) && !TEMPORARY.test(e.path!)).map((e) => relative(out, e.path!).split(sep).join('/'));
    expect(renamed.filter((path) => !path.startsWith('.weft/')).sort()).toEqual(declared.outputs.files);
    const projectReads = entries.filter((e) => e.kind === 'read' && e.path!.startsWith(`${dir}/`)).map((e) => relative(dir, e.path!).split(sep).join('/'));
    const inputs: string[] = declared.inputs.files;
    expect(projectReads.filter((path) => !inputs.includes(path) && !inputs.some((file) => file.startsWith(`${path}/`)))).toEqual([]);
  });

  it('the variables Weft reads change how messages look, never an output byte', () => {
    const plain = guideProject();
    const dressed = guideProject();
    const skip = (path: string) => path.startsWith('.weft/cache/');
    traced(plain, { XDG_CACHE_HOME: makeProject({}) }, 'tangle');
    const entries = traced(dressed, { CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: '/', FORCE_COLOR: '3', TERM: 'xterm-256color', WEFT_DEBUG: '1', XDG_CACHE_HOME: makeProject({}) }, 'tangle');
    expect(ownEnvironment(entries).length).toBeGreaterThan(0);
    expect(tree(dressed, skip)).toEqual(tree(plain, skip));
  });
});
