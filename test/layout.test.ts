/**
 * Where a tangle writes (`tangle/layout.ts`): `--out-root DIR` puts every output and map
 * under DIR, confined as ever, with maps that still lead to the `.lit.md`; `--no-manifest`
 * keeps no record and treats every output as derived; `--cache-dir DIR` moves the cache
 * and nothing else. `weft outputs` declares the same set with the same flags. Each test
 * runs the CLI on a real project in a temporary folder.
 */
import { lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, fence, makeProject, read, weft } from './helpers.js';

const DOCS = {
  'weft.config.json': JSON.stringify({ sources: ['docs/**/*.lit.md'], outputDirs: ['src-generated', 'scripts'], bundle: { entryPoints: ['src-generated/a.ts'], outdir: 'dist' } }),
  'docs/a.lit.md': `# A\n\n${fence('ts file=src-generated/a.ts', 'export const a = 1;')}\n${fence('sh file=scripts/run.sh', '#!/bin/sh\necho a')}`,
  'docs/deep/b.lit.md': `# B\n\n- in a list:\n\n  ${fence('ts file=src-generated/deep/b.ts', 'export const b = 2;').replace(/\n(?=.)/g, '\n  ')}`,
};

/** Every file under `dir`, relative, POSIX, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

function ok(run: { code: number; stderr: string }) {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

describe('--out-root', () => {
  it('writes every output and map under the out root and nothing into the project, as weft outputs declares', () => {
    const dir = makeProject(DOCS);
    const out = join(makeProject({}), 'bazel-out', 'bin');
    const before = filesUnder(dir);
    const declared = JSON.parse(weft(dir, 'outputs', '--json', '--out-root', out).stdout);
    ok(weft(dir, 'tangle', '--out-root', out));
    expect(filesUnder(dir)).toEqual(before);
    expect(filesUnder(out).filter((path) => !path.startsWith('.weft/cache/'))).toEqual(declared.outputs.files);
    expect(declared.outputs).toMatchObject({
      root: out,
      files: ['scripts/run.sh', 'src-generated/a.ts', 'src-generated/a.ts.map', 'src-generated/deep/b.ts', 'src-generated/deep/b.ts.map'],
      manifest: null,
      bundle: null,
    });
    expect(declared.cacheDir).toBe(`${out}/.weft/cache`);
    expect(lstatSync(join(out, 'scripts/run.sh')).mode & 0o777).toBe(0o755);
  });

  it('gives the same outputs as a tangle in place, with map sources that lead from the map to the document', () => {
    const inPlace = makeProject(DOCS);
    ok(weft(inPlace, 'tangle', '--no-bundle'));
    const dir = makeProject(DOCS);
    ok(weft(dir, 'tangle', '--out-root', 'build/out'));
    for (const path of ['src-generated/a.ts', 'src-generated/deep/b.ts', 'scripts/run.sh']) expect(read(dir, `build/out/${path}`)).toBe(read(inPlace, path));
    for (const [path, document] of [['src-generated/a.ts.map', 'docs/a.lit.md'], ['src-generated/deep/b.ts.map', 'docs/deep/b.lit.md']] as const) {
      const map = JSON.parse(read(dir, `build/out/${path}`));
      expect(map.sources).toHaveLength(1);
      expect(join(dir, 'build/out', dirname(path), map.sources[0])).toBe(join(dir, document));
      expect(map.sourceRoot).toBeUndefined();
      expect({ ...map, sources: [] }).toEqual({ ...JSON.parse(read(inPlace, path)), sources: [] });
    }
    expect(JSON.parse(weft(dir, 'outputs', '--json', '--out-root', 'build/out').stdout).outputs.root).toBe('build/out');
  });

  it('is relative to the current folder, like -C', () => {
    const dir = makeProject(DOCS);
    ok(weft(join(dir, 'docs'), 'tangle', '-C', '..', '--out-root', 'out'));
    expect(exists(dir, 'docs/out/src-generated/a.ts')).toBe(true);
  });

  it('confines outputs to the out root: a link in it that leads out is refused and nothing is written', () => {
    const dir = makeProject(DOCS);
    const out = makeProject({});
    const elsewhere = makeProject({});
    symlinkSync(elsewhere, join(out, 'src-generated'));
    const run = weft(dir, 'tangle', '--out-root', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^src-generated\/a\.ts:.*error: .*symbolic link that leads out of src-generated\//m);
    expect(filesUnder(elsewhere)).toEqual([]);
    expect(exists(out, 'scripts/run.sh')).toBe(false);
  });

  it('rewrites what changed on the next run, with no manifest to consult', () => {
    const dir = makeProject(DOCS);
    const out = makeProject({});
    ok(weft(dir, 'tangle', '--out-root', out));
    writeFileSync(join(dir, 'docs/a.lit.md'), DOCS['docs/a.lit.md'].replace('a = 1', 'a = 3'));
    writeFileSync(join(out, 'src-generated/deep/b.ts'), 'edited in the out root\n');
    ok(weft(dir, 'tangle', '--out-root', out));
    expect(read(out, 'src-generated/a.ts')).toContain('a = 3');
    expect(read(out, 'src-generated/deep/b.ts')).toContain('b = 2');
    expect(exists(out, '.weft/manifest.json')).toBe(false);
  });
});

describe('--no-manifest (generated mode)', () => {
  it('neither reads nor writes .weft/manifest.json, and overwrites a hand edit: outputs are derived', () => {
    const dir = makeProject(DOCS);
    ok(weft(dir, 'tangle', '--no-manifest', '--no-bundle'));
    expect(exists(dir, '.weft/manifest.json')).toBe(false);
    writeFileSync(join(dir, 'src-generated/a.ts'), 'a hand edit\n');
    // A manifest that would make every output hand-written is not read.
    mkdirSync(join(dir, '.weft'), { recursive: true });
    writeFileSync(join(dir, '.weft/manifest.json'), '{"weft":"0.0.0","outputs":{}}\n');
    const run = weft(dir, 'tangle', '--no-manifest', '--no-bundle');
    ok(run);
    expect(run.stdout).toMatch(/^weft: 1 written, 2 unchanged, 0 deleted /);
    expect(read(dir, 'src-generated/a.ts')).toContain('export const a = 1;');
    expect(read(dir, '.weft/manifest.json')).toBe('{"weft":"0.0.0","outputs":{}}\n');
  });

  it('--check compares each output with its tangled text', () => {
    const dir = makeProject(DOCS);
    ok(weft(dir, 'tangle', '--no-manifest', '--no-bundle'));
    ok(weft(dir, 'tangle', '--check', '--no-manifest'));
    writeFileSync(join(dir, 'scripts/run.sh'), '#!/bin/sh\necho edited\n');
    const stale = weft(dir, 'tangle', '--check', '--no-manifest');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^scripts\/run\.sh:.*error: .*\[stale-output\]$/m);
    expect(stale.stdout).toMatch(/1 output is stale/);
  });

  it('leaves an output that no document makes any more: nothing records that Weft wrote it', () => {
    const dir = makeProject(DOCS);
    ok(weft(dir, 'tangle', '--no-manifest', '--no-bundle'));
    writeFileSync(join(dir, 'docs/deep/b.lit.md'), '# B\n\nNo code any more.\n');
    ok(weft(dir, 'tangle', '--no-manifest', '--no-bundle'));
    expect(exists(dir, 'src-generated/deep/b.ts')).toBe(true);
  });

  it('builds the bundle without a bundle manifest, and weft outputs declares neither manifest', () => {
    const dir = makeProject(DOCS);
    const declared = JSON.parse(weft(dir, 'outputs', '--json', '--no-manifest').stdout);
    ok(weft(dir, 'tangle', '--no-manifest'));
    expect(exists(dir, 'dist/a.js')).toBe(true);
    expect(filesUnder(dir).filter((path) => path.startsWith('.weft/') && !path.startsWith('.weft/cache/'))).toEqual([]);
    expect(declared.outputs.manifest).toBeNull();
    expect(declared.outputs.files.filter((path: string) => path.startsWith('.weft/'))).toEqual([]);
  });
});

describe('--cache-dir', () => {
  it('keeps the cache in the folder named, and weft outputs reports it', () => {
    const dir = makeProject(DOCS);
    const cache = join(makeProject({}), 'weft-cache');
    ok(weft(dir, 'tangle', '--no-bundle', '--cache-dir', cache));
    expect(exists(dir, '.weft/cache')).toBe(false);
    expect(filesUnder(cache).some((path) => path.startsWith('v'))).toBe(true);
    expect(JSON.parse(weft(dir, 'outputs', '--json', '--cache-dir', cache).stdout).cacheDir).toBe(cache);
    expect(JSON.parse(weft(dir, 'outputs', '--json', '--cache-dir', 'tmp/c').stdout).cacheDir).toBe('tmp/c');
    expect(JSON.parse(weft(dir, 'outputs', '--json', '--no-cache').stdout).cacheDir).toBeNull();
  });

  it('--no-cache writes no cache at all', () => {
    const dir = makeProject(DOCS);
    ok(weft(dir, 'tangle', '--no-bundle', '--no-cache'));
    expect(exists(dir, '.weft/cache')).toBe(false);
  });

  it('--cache-dir with --no-cache is a usage error', () => {
    const run = weft(makeProject(DOCS), 'tangle', '--cache-dir', 'c', '--no-cache');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--cache-dir and --no-cache contradict each other; drop one');
  });
});

