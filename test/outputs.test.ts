/**
 * `weft outputs` says exactly what `weft tangle` writes, so a build system that caches by
 * declared outputs restores everything and nothing more; and `weft ls` lists the roots
 * and the unused chunks. Each test tangles a real project in a temporary folder and
 * compares the declared set with the files that appeared on disk.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { fence, makeProject, REPO, weft } from './helpers.js';

/** Every file under `dir`, project-relative, POSIX, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Tangle `dir` and check that the files it wrote are exactly what `weft outputs --json` declared. */
function expectDeclaredEqualsWritten(dir: string) {
  const before = new Set(filesUnder(dir));
  const declared = JSON.parse(weft(dir, 'outputs', '--json').stdout);
  const run = weft(dir, 'tangle');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const written = filesUnder(dir).filter((path) => !before.has(path));
  const inFolder = (folder: string | null) => (path: string) => folder !== null && path.startsWith(`${folder}/`);
  expect(written.filter((path) => !inFolder(declared.cacheDir)(path) && !inFolder(declared.outputs.bundle)(path))).toEqual(declared.outputs.files);
  expect(declared.inputs.files).toEqual([...before].filter((path) => path.endsWith('.lit.md') || path === 'weft.config.json').sort());
  return { declared, written };
}

describe('weft outputs', () => {
  it('declares exactly the files a tangle of a guide-like project writes, and the bundle folder it fills', () => {
    const dir = makeProject({
      'docs/guide.lit.md': readFileSync(join(REPO, 'docs/guide.lit.md'), 'utf8'),
      'weft.config.json': JSON.stringify({ sources: ['docs/**/*.lit.md'], bundle: { entryPoints: ['src-generated/guide/cli.ts'], outdir: 'dist', platform: 'node' } }),
    });
    const { declared, written } = expectDeclaredEqualsWritten(dir);
    expect(declared.outputs.bundle).toBe('dist');
    expect(written.some((path) => path.startsWith('dist/'))).toBe(true);
    expect(declared).toMatchObject({ env: [], cacheDir: '.weft/cache', outputs: { manifest: '.weft/manifest.json' }, inputs: { globs: ['docs/**/*.lit.md'] } });
    expect(declared.tool.name).toBe('weft');
  });

  it('declares exactly the files a tangle of a generated 100-document project writes', () => {
    const dir = makeProject({});
    execFileSync(process.execPath, [join(REPO, 'bench/generate.mjs'), '--docs', '100', '--out', dir]);
    const { declared } = expectDeclaredEqualsWritten(dir);
    expect(declared.inputs.files.filter((path: string) => path.endsWith('.lit.md'))).toHaveLength(100);
    expect(declared.outputs.files).toHaveLength(100 * 2 * 2 + 1);
  });

  it('prints a turbo.json task, an Nx target and a Bazel rule from the same sets', () => {
    const dir = makeProject({ 'weft.config.json': '{}\n', 'docs/a.lit.md': `# A\n\n${fence('ts file=src-generated/a.ts', 'export const a = 1;')}` });
    expect(JSON.parse(weft(dir, 'outputs', '--format', 'turbo').stdout)).toEqual({
      tasks: { tangle: { inputs: ['docs/**/*.lit.md', 'weft.config.json'], outputs: ['.weft/manifest.json', 'src-generated/a.ts', 'src-generated/a.ts.map'], env: [] } },
    });
    const nx = JSON.parse(weft(dir, 'outputs', '--format', 'nx').stdout).targets.tangle;
    expect(nx.inputs).toEqual(['{projectRoot}/docs/**/*.lit.md', '{projectRoot}/weft.config.json', { externalDependencies: ['weft-lit'] }]);
    expect(nx.outputs).toEqual(['{projectRoot}/.weft/manifest.json', '{projectRoot}/src-generated/a.ts', '{projectRoot}/src-generated/a.ts.map']);
    expect(weft(dir, 'outputs', '--format', 'bazel').stdout).toContain('        "src-generated/a.ts.map",\n');
  });

  it('rejects an unknown --format with the ones it knows', () => {
    const run = weft(makeProject({}), 'outputs', '--format', 'make');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--format make: expected one of turbo, nx, bazel');
  });
});

describe('weft ls', () => {
  const DOC = `# A\n\n${fence('ts file=src-generated/a.ts', 'export const a = 1;')}\n${fence('ts #never-used', 'const x = 1;')}`;

  it('lists each output with its document, then the chunks no output uses', () => {
    const dir = makeProject({ 'docs/a.lit.md': DOC });
    const run = weft(dir, 'ls');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('src-generated/a.ts  (docs/a.lit.md)\nunused chunks:\n  <<never-used>>  docs/a.lit.md:7\n');
  });

  it('--json gives the same lists', () => {
    const dir = makeProject({ 'docs/a.lit.md': DOC });
    expect(JSON.parse(weft(dir, 'ls', '--json').stdout)).toEqual({
      outputs: [{ path: 'src-generated/a.ts', document: 'docs/a.lit.md' }],
      unused: [{ name: 'never-used', document: 'docs/a.lit.md', line: 7 }],
    });
  });
});

describe('the monorepo snippets in the README', () => {
  const FIXTURE = join(REPO, 'test/fixtures/monorepo');
  const fixture = (name: string) => readFileSync(join(FIXTURE, name), 'utf8');

  /** A copy of the fixture package in a temporary folder. */
  function fixtureProject(): string {
    const dir = makeProject({});
    cpSync(FIXTURE, dir, { recursive: true });
    return dir;
  }

  it('turbo.json declares the inputs weft outputs gives and outputs that cover every file a tangle writes', () => {
    const dir = fixtureProject();
    const declared = JSON.parse(weft(dir, 'outputs', '--format', 'turbo').stdout).tasks.tangle;
    const turbo = JSON.parse(fixture('turbo.json')).tasks;
    expect(turbo.tangle.inputs).toEqual(declared.inputs);
    expect(turbo.tangle.env).toEqual(declared.env);
    const covered = picomatch(turbo.tangle.outputs, { dot: true });
    for (const path of declared.outputs) expect(path === 'dist/**' ? turbo.tangle.outputs.includes(path) : covered(path), path).toBe(true);
    expect(weft(dir, 'tangle').code).toBe(0);
    const written = filesUnder(dir).filter((path) => !path.startsWith('.weft/cache/') && !['turbo.json', 'project.json', 'package.json', 'weft.config.json'].includes(path) && !path.startsWith('docs/'));
    for (const path of written) expect(covered(path), path).toBe(true);
    // The check reads everything the tangle writes except the bundle and its record, and caches nothing.
    expect(turbo['tangle-check'].outputs).toEqual([]);
    expect(new Set(turbo['tangle-check'].inputs)).toEqual(new Set([...turbo.tangle.inputs, ...turbo.tangle.outputs.filter((glob: string) => glob !== 'dist/**' && glob !== '.weft/bundle-manifest.json')]));
    expect(JSON.parse(fixture('package.json')).scripts['tangle-check']).toBe('weft tangle --check');
  });

  it('project.json declares the Nx inputs weft outputs gives, weft-lit external, and output folders that cover its files', () => {
    const dir = fixtureProject();
    const declared = JSON.parse(weft(dir, 'outputs', '--format', 'nx').stdout).targets.tangle;
    const nx = JSON.parse(fixture('project.json')).targets.tangle;
    expect(nx.inputs).toEqual(declared.inputs);
    expect(nx.cache).toBe(true);
    for (const path of declared.outputs) expect(nx.outputs.some((folder: string) => path === folder || path.startsWith(`${folder}/`) || (path.endsWith('/**') && path.slice(0, -3) === folder)), path).toBe(true);
  });

  it('the README shows these files as they are', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const name of ['turbo.json', 'project.json']) expect(readme, name).toContain(fixture(name));
  });
});
