/**
 * `weft clean` removes what Weft wrote and nothing else, keeps a copy of each file in
 * `.weft/trash/<run>/`, and refuses hand-edited outputs unless `--force`. Each test runs
 * the real CLI in a temporary project.
 */
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, fence, makeProject, read, weft } from './helpers.js';

const DOC = `# A\n\n${fence('ts file=src-generated/a.ts', 'export const a = 1;')}\n${fence('sh file=scripts/run.sh', '#!/bin/sh\necho hi')}`;

function tangled(): string {
  const dir = makeProject({ 'docs/a.lit.md': DOC, 'src-generated/hand-written.ts': 'export const mine = 1;\n' });
  expect(weft(dir, 'tangle', '--no-bundle').code).toBe(0);
  return dir;
}

/** The one run folder under .weft/trash/. */
function trashRun(dir: string): string {
  const runs = readdirSync(join(dir, '.weft/trash'));
  expect(runs).toHaveLength(1);
  return `.weft/trash/${runs[0]}`;
}

describe('weft clean', () => {
  it('moves the outputs, their maps and the manifest to .weft/trash/<run>/ and keeps hand-written files', () => {
    const dir = tangled();
    const before = read(dir, 'src-generated/a.ts');
    const run = weft(dir, 'clean');
    expect(run.code).toBe(0);
    const trash = trashRun(dir);
    expect(trash).toMatch(/^\.weft\/trash\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    expect(run.stdout).toBe(`weft: removed 2 outputs; a copy of each is in ${trash}/\n`);
    for (const path of ['src-generated/a.ts', 'src-generated/a.ts.map', 'scripts/run.sh', '.weft/manifest.json']) {
      expect(exists(dir, path), path).toBe(false);
      expect(exists(dir, `${trash}/${path}`), path).toBe(true);
    }
    expect(read(dir, `${trash}/src-generated/a.ts`)).toBe(before);
    expect(read(dir, 'src-generated/hand-written.ts')).toBe('export const mine = 1;\n');
    expect(exists(dir, 'scripts')).toBe(false);
  });

  it('leaves a project the next tangle rebuilds completely', () => {
    const dir = tangled();
    weft(dir, 'clean');
    expect(weft(dir, 'tangle', '--no-bundle', '--json').stdout).toContain('"written": 2');
    expect(weft(dir, 'tangle', '--check', '--no-bundle').code).toBe(0);
  });

  it('refuses a hand-edited output and removes nothing, unless --force', () => {
    const dir = tangled();
    writeFileSync(join(dir, 'src-generated/a.ts'), 'export const a = 2; // my fix\n');
    const run = weft(dir, 'clean');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'src-generated/a.ts: error: src-generated/a.ts was edited by hand since weft wrote it [hand-edited-output]\n' +
        '  note: keep the edit by moving it into docs/a.lit.md, or remove it anyway with weft clean --force (a copy goes to .weft/trash/)\n',
    );
    expect(run.stdout).toBe('weft: nothing removed\n');
    expect(exists(dir, 'scripts/run.sh')).toBe(true);
    expect(exists(dir, '.weft/trash')).toBe(false);
    expect(weft(dir, 'clean', '--force').code).toBe(0);
    expect(read(dir, `${trashRun(dir)}/src-generated/a.ts`)).toBe('export const a = 2; // my fix\n');
  });

  it('never follows a symbolic link planted at an output path or on the way to it', () => {
    for (const plant of ['file', 'folder'] as const) {
      const dir = tangled();
      const outside = makeProject({ 'run.sh': 'keep me\n' });
      const manifest = read(dir, '.weft/manifest.json');
      weft(dir, 'clean');
      writeFileSync(join(dir, '.weft/manifest.json'), manifest);
      if (plant === 'file') {
        mkdirSync(join(dir, 'scripts'));
        symlinkSync(join(outside, 'run.sh'), join(dir, 'scripts/run.sh'));
      } else symlinkSync(outside, join(dir, 'scripts'));
      const run = weft(dir, 'clean', '--force', '--json');
      expect(run.code, plant).toBe(1);
      expect(JSON.parse(run.stdout).diagnostics.map((d: { rule: string }) => d.rule)).toEqual(['malformed-manifest']);
      expect(read(outside, 'run.sh')).toBe('keep me\n');
    }
  });

  it('with nothing tangled, has nothing to clean; --json lists what happened', () => {
    expect(weft(makeProject({}), 'clean').stdout).toBe('weft: nothing to clean\n');
    const dir = tangled();
    expect(JSON.parse(weft(dir, 'clean', '--json').stdout).files).toEqual([
      { path: 'scripts/run.sh', action: 'removed' },
      { path: 'src-generated/a.ts', action: 'removed' },
    ]);
  });
});
