/**
 * Writes that lose nothing: only changed files are written, hand edits are refused (or
 * backed up with --force), orphans are deleted unless edited, outputs stay confined, and
 * `--check` writes nothing.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tangle } from '../tangle/index.js';
import { exists, fence, makeProject, read, weft } from './helpers.js';

const twoFiles = (a = 'a();', b = 'b();') =>
  `${fence('ts file=src-generated/a.ts', a)}${fence('ts file=src-generated/b.ts', b)}`;

/** Set every output's mtime into the past, so a rewrite is visible. */
function age(dir: string, paths: string[]) {
  const past = new Date('2020-01-01T00:00:00Z');
  for (const p of paths) utimesSync(join(dir, p), past, past);
}

describe('idempotence', () => {
  it('a second run writes nothing and keeps every mtime', async () => {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles() });
    const first = await tangle({ root: dir, bundle: false });
    expect(first.summary).toMatchObject({ written: 2, unchanged: 0 });
    age(dir, ['src-generated/a.ts', 'src-generated/b.ts', 'src-generated/a.ts.map', '.weft/manifest.json']);
    const second = await tangle({ root: dir, bundle: false });
    expect(second.summary).toMatchObject({ written: 0, unchanged: 2, deleted: 0 });
    for (const p of ['src-generated/a.ts', 'src-generated/b.ts', 'src-generated/a.ts.map', '.weft/manifest.json']) {
      expect(statSync(join(dir, p)).mtime.getUTCFullYear()).toBe(2020);
    }
  });

  it('writes only the outputs whose content changed', async () => {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles() });
    await tangle({ root: dir, bundle: false });
    age(dir, ['src-generated/a.ts', 'src-generated/b.ts']);
    writeFileSync(join(dir, 'docs/a.lit.md'), twoFiles('a();', 'b2();'));
    const result = await tangle({ root: dir, bundle: false });
    expect(result.files).toEqual([
      { path: 'src-generated/a.ts', action: 'unchanged' },
      { path: 'src-generated/b.ts', action: 'written' },
    ]);
    expect(statSync(join(dir, 'src-generated/a.ts')).mtime.getUTCFullYear()).toBe(2020);
  });

  it('prose edits above a block change only the source map, not the output or the manifest', async () => {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles() });
    await tangle({ root: dir, bundle: false });
    const before = { a: read(dir, 'src-generated/a.ts'), manifest: read(dir, '.weft/manifest.json'), map: read(dir, 'src-generated/a.ts.map') };
    writeFileSync(join(dir, 'docs/a.lit.md'), `# A new title\n\nWith a paragraph.\n\n${twoFiles()}`);
    await tangle({ root: dir, bundle: false });
    expect(read(dir, 'src-generated/a.ts')).toBe(before.a);
    expect(read(dir, '.weft/manifest.json')).toBe(before.manifest);
    expect(read(dir, 'src-generated/a.ts.map')).not.toBe(before.map);
  });

  it('repairs a wrong file mode without rewriting the content', async () => {
    const dir = makeProject({ 'docs/a.lit.md': fence('sh file=scripts/x.sh', '#!/bin/sh\necho x') });
    await tangle({ root: dir, bundle: false });
    chmodSync(join(dir, 'scripts/x.sh'), 0o644);
    expect(weft(dir, 'tangle', '--check').code).toBe(1);
    await tangle({ root: dir, bundle: false });
    expect(statSync(join(dir, 'scripts/x.sh')).mode & 0o777).toBe(0o755);
  });
});

describe('hand-edit protection', () => {
  function editedProject() {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles() });
    expect(weft(dir, 'tangle').code).toBe(0);
    writeFileSync(join(dir, 'src-generated/a.ts'), `${read(dir, 'src-generated/a.ts')}// hand edit\n`);
    writeFileSync(join(dir, 'docs/a.lit.md'), twoFiles('a2();', 'b2();'));
    return dir;
  }

  it('refuses to overwrite a hand-edited output and writes nothing else', () => {
    const dir = editedProject();
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('src-generated/a.ts:2:1: error: src-generated/a.ts was edited by hand; refusing to overwrite it [hand-edited-output]');
    expect(run.stderr).toContain('it is generated from docs/a.lit.md');
    expect(read(dir, 'src-generated/a.ts')).toContain('// hand edit');
    expect(read(dir, 'src-generated/b.ts')).toContain('b();');
  });

  it('--force overwrites it, keeps a copy in the trash and says where', () => {
    const dir = editedProject();
    const run = weft(dir, 'tangle', '--force');
    expect(run.code).toBe(0);
    const match = /the edited file was saved to (\.weft\/trash\/[^\s]+)/.exec(run.stderr);
    expect(match).not.toBeNull();
    expect(read(dir, match![1]!)).toContain('// hand edit');
    expect(read(dir, 'src-generated/a.ts')).toContain('a2();');
    expect(read(dir, 'src-generated/b.ts')).toContain('b2();');
  });

  it('never overwrites a file weft did not write', () => {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles(), 'src-generated/a.ts': 'mine\n' });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('src-generated/a.ts:1:1: error: src-generated/a.ts exists and was not written by weft; refusing to overwrite it [hand-edited-output]');
    expect(read(dir, 'src-generated/a.ts')).toBe('mine\n');
    expect(exists(dir, 'src-generated/b.ts')).toBe(false);
  });

  it('adopts an existing file that already has exactly the generated content', async () => {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles() });
    await tangle({ root: dir, bundle: false });
    rmSync(join(dir, '.weft'), { recursive: true });
    const result = await tangle({ root: dir, bundle: false });
    expect(result.ok).toBe(true);
    expect(result.summary.unchanged).toBe(2);
  });
});

describe('orphans', () => {
  it('deletes outputs that no source produces any more, with their maps', () => {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles() });
    expect(weft(dir, 'tangle').code).toBe(0);
    writeFileSync(join(dir, 'docs/a.lit.md'), fence('ts file=src-generated/a.ts', 'a();'));
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 deleted');
    expect(exists(dir, 'src-generated/b.ts')).toBe(false);
    expect(exists(dir, 'src-generated/b.ts.map')).toBe(false);
    expect(JSON.parse(read(dir, '.weft/manifest.json')).outputs).not.toHaveProperty('src-generated/b.ts');
  });

  it('keeps a hand-edited orphan and reports it', () => {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles() });
    expect(weft(dir, 'tangle').code).toBe(0);
    writeFileSync(join(dir, 'src-generated/b.ts'), 'edited\n');
    writeFileSync(join(dir, 'docs/a.lit.md'), fence('ts file=src-generated/a.ts', 'a();'));
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('src-generated/b.ts: warning: src-generated/b.ts is no longer produced by any document but was edited by hand; keeping it [hand-edited-output]');
    expect(read(dir, 'src-generated/b.ts')).toBe('edited\n');
  });

  it('removes the outputs of a deleted document', () => {
    const dir = makeProject({ 'docs/a.lit.md': fence('ts file=src-generated/a.ts', 'a();'), 'docs/b.lit.md': fence('ts file=src-generated/nested/b.ts', 'b();') });
    expect(weft(dir, 'tangle').code).toBe(0);
    rmSync(join(dir, 'docs/b.lit.md'));
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(exists(dir, 'src-generated/nested/b.ts')).toBe(false);
    expect(exists(dir, 'src-generated/nested')).toBe(false);
  });
});

describe('confinement', () => {
  it('refuses to write through a symbolic link that leaves the output directory', () => {
    const outside = makeProject();
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/ok.ts', 'ok();')}${fence('ts file=src-generated/link/evil.ts', 'evil();')}` });
    mkdirSync(join(dir, 'src-generated'));
    symlinkSync(outside, join(dir, 'src-generated/link'));
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('src-generated/link/evil.ts: error: refusing to write src-generated/link/evil.ts: src-generated/link is a symbolic link that leads out of src-generated/ [output-outside-root]');
    expect(readdirSync(outside)).toEqual([]);
    expect(exists(dir, 'src-generated/ok.ts')).toBe(false);
  });

  it('refuses when the output directory itself is a link to elsewhere', () => {
    const outside = makeProject();
    const dir = makeProject({ 'docs/a.lit.md': fence('ts file=src-generated/a.ts', 'a();') });
    symlinkSync(outside, join(dir, 'src-generated'));
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[output-outside-root]');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a symbolic link planted at the output path', () => {
    const outside = makeProject({ 'victim.txt': 'precious\n' });
    const dir = makeProject({ 'docs/a.lit.md': fence('ts file=src-generated/a.ts', 'a();') });
    mkdirSync(join(dir, 'src-generated'));
    symlinkSync(join(outside, 'victim.txt'), join(dir, 'src-generated/a.ts'));
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('a symbolic link is planted at the output path [output-outside-root]');
    expect(read(outside, 'victim.txt')).toBe('precious\n');
    expect(lstatSync(join(dir, 'src-generated/a.ts')).isSymbolicLink()).toBe(true);
  });
});

describe('--check', () => {
  it('passes when everything is up to date', () => {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles() });
    expect(weft(dir, 'tangle').code).toBe(0);
    const run = weft(dir, 'tangle', '--check');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('weft: all outputs are up to date');
  });

  it('writes nothing and exits 1 when outputs are stale, missing or hand-edited', () => {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles() });
    const missing = weft(dir, 'tangle', '--check');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('src-generated/a.ts: error: src-generated/a.ts is missing [stale-output]');
    expect(exists(dir, 'src-generated/a.ts')).toBe(false);
    expect(exists(dir, '.weft/manifest.json')).toBe(false);

    expect(weft(dir, 'tangle').code).toBe(0);
    writeFileSync(join(dir, 'docs/a.lit.md'), twoFiles('a2();'));
    const stale = weft(dir, 'tangle', '--check');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('src-generated/a.ts: error: src-generated/a.ts is stale [stale-output]');
    expect(read(dir, 'src-generated/a.ts')).toContain('a();');

    writeFileSync(join(dir, 'src-generated/b.ts'), 'edited\n');
    const edited = weft(dir, 'tangle', '--check');
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain('[hand-edited-output]');
  });

  it('ignores source maps: a missing or different .map is not stale', () => {
    const dir = makeProject({ 'docs/a.lit.md': twoFiles() });
    expect(weft(dir, 'tangle').code).toBe(0);
    rmSync(join(dir, 'src-generated/a.ts.map'));
    expect(weft(dir, 'tangle', '--check').code).toBe(0);
  });
});
