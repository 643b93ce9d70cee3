/**
 * The build state (`.weft/cache/state.json`): a `weft tangle` after a previous one does
 * only what the change needs, and always ends exactly where a cold tangle ends.
 */
import { cpSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fence, makeProject, read, weft } from './helpers.js';

/** Every file under `src-generated/`, `scripts/` and the manifest, with contents. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(join(dir, rel));
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = `${rel}/${name}`;
      if (statSync(join(dir, path)).isDirectory()) walk(path);
      else files[path] = readFileSync(join(dir, path), 'utf8');
    }
  };
  walk('src-generated');
  walk('scripts');
  try {
    files['.weft/manifest.json'] = read(dir, '.weft/manifest.json');
  } catch {
    // A failed cold tangle writes nothing.
  }
  return files;
}

/** What a cold tangle of the same documents writes. */
function coldSnapshot(dir: string): { files: Record<string, string>; stderr: string } {
  const cold = makeProject();
  cpSync(join(dir, 'docs'), join(cold, 'docs'), { recursive: true });
  const run = weft(cold, 'tangle');
  return { files: snapshot(cold), stderr: run.stderr };
}

function tangleJson(dir: string) {
  const run = weft(dir, 'tangle', '--json');
  return { code: run.code, data: JSON.parse(run.stdout) };
}

const A = (value: string) =>
  `# A\n\n${fence('ts file=src-generated/a.ts', `export function a() {\n  <<shared-helper>>\n  return ${value};\n}`)}\n${fence('ts #local-unused', 'unused();')}`;
const B = (body: string) => `# B\n\nProse.\n\n${fence('ts #shared-helper', body)}\n${fence('ts file=src-generated/b.ts', 'export const b = 1;')}`;
const C = `# C\n\n${fence('ts file=src-generated/c.ts', 'export const c = 3;')}\n${fence('ts #other-helper', 'other();')}`;

describe('incremental tangles from the build state', () => {
  it('does nothing when nothing changed, and reports the same warnings', () => {
    const dir = makeProject({ 'docs/a.lit.md': A('1'), 'docs/b.lit.md': B('help();'), 'docs/c.lit.md': C });
    const first = tangleJson(dir);
    expect(first.data.summary.written).toBe(3);
    const second = tangleJson(dir);
    expect(second.data.summary).toMatchObject({ written: 0, unchanged: 3, deleted: 0 });
    expect(second.data.outputs).toBeUndefined();
    expect(second.data.diagnostics.map((d: { rule: string }) => d.rule)).toEqual(first.data.diagnostics.map((d: { rule: string }) => d.rule));
    expect(second.data.diagnostics.some((d: { rule: string }) => d.rule === 'unused-chunk')).toBe(true);
  });

  it('ends exactly like a cold tangle after each of a series of edits', () => {
    const dir = makeProject({ 'docs/a.lit.md': A('1'), 'docs/b.lit.md': B('help();'), 'docs/c.lit.md': C });
    expect(weft(dir, 'tangle').code).toBe(0);
    const edits: [string, string][] = [
      ['docs/a.lit.md', A('2')], // a code edit in the document that defines the output
      ['docs/b.lit.md', B('help();\nhelpMore();')], // an edit to a chunk another document uses
      ['docs/b.lit.md', `# B, retitled\n\nMore prose, moving every line.\n\n${B('help();\nhelpMore();').slice(4)}`], // prose only
      ['docs/a.lit.md', A('2').replace('<<shared-helper>>', '<<shared-helper>>\n  <<other-helper>>')], // a new cross-document reference
      ['docs/c.lit.md', C.replace('other-helper', 'renamed-helper')], // a renamed chunk (now undefined in a.lit.md)
      ['docs/c.lit.md', C], // fixed again
      ['docs/a.lit.md', A('3')], // other-helper is unused again: its warning comes back
    ];
    for (const [path, text] of edits) {
      writeFileSync(join(dir, path), text);
      const run = weft(dir, 'tangle');
      const cold = coldSnapshot(dir);
      expect(run.stderr, `after editing ${path}`).toBe(cold.stderr);
      if (run.code === 0) expect(snapshot(dir), `after editing ${path}`).toEqual(cold.files);
    }
  });

  it('writes nothing when a document is touched but not changed', () => {
    const dir = makeProject({ 'docs/a.lit.md': A('1'), 'docs/b.lit.md': B('help();') });
    expect(weft(dir, 'tangle').code).toBe(0);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'docs/a.lit.md'), later, later);
    expect(tangleJson(dir).data.summary).toMatchObject({ written: 0, unchanged: 2 });
    expect(tangleJson(dir).data.summary).toMatchObject({ written: 0, unchanged: 2 });
  });

  it('still detects a hand-edited output', () => {
    const dir = makeProject({ 'docs/a.lit.md': A('1'), 'docs/b.lit.md': B('help();') });
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(weft(dir, 'tangle').code).toBe(0);
    writeFileSync(join(dir, 'src-generated/b.ts'), `${read(dir, 'src-generated/b.ts')}// edit\n`);
    writeFileSync(join(dir, 'docs/b.lit.md'), B('help2();'));
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('src-generated/b.ts was edited by hand');
  });

  it('rebuilds a deleted source map and a deleted output', () => {
    const dir = makeProject({ 'docs/a.lit.md': A('1'), 'docs/b.lit.md': B('help();') });
    expect(weft(dir, 'tangle').code).toBe(0);
    const maps = read(dir, 'src-generated/a.ts.map');
    rmSync(join(dir, 'src-generated/a.ts.map'));
    rmSync(join(dir, 'src-generated/b.ts'));
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(read(dir, 'src-generated/a.ts.map')).toBe(maps);
    expect(read(dir, 'src-generated/b.ts')).toContain('export const b = 1;');
  });

  it('ignores a corrupt or foreign state file', () => {
    const dir = makeProject({ 'docs/a.lit.md': A('1'), 'docs/b.lit.md': B('help();') });
    expect(weft(dir, 'tangle').code).toBe(0);
    writeFileSync(join(dir, '.weft/cache/state.json'), '{"key": "x", "documents": {"../../etc/passwd": 1}}');
    writeFileSync(join(dir, 'docs/a.lit.md'), A('5'));
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(read(dir, 'src-generated/a.ts')).toContain('return 5;');
    writeFileSync(join(dir, '.weft/cache/state.json'), 'not json at all');
    expect(weft(dir, 'tangle', '--check').code).toBe(0);
  });

  it('reads and rewrites the dependencies and names files of the state only when needed, and ignores ones from another state', () => {
    const dir = makeProject({ 'docs/a.lit.md': A('1'), 'docs/b.lit.md': B('help();'), 'docs/c.lit.md': C });
    expect(weft(dir, 'tangle').code).toBe(0);
    const depsPath = join(dir, '.weft/cache/state-deps.json');
    const namesPath = join(dir, '.weft/cache/state-names.json');
    const deps = readFileSync(depsPath, 'utf8');
    const [depsBefore, namesBefore] = [statSync(depsPath), statSync(namesPath)];
    expect(JSON.parse(read(dir, '.weft/cache/state-names.json'))['docs/a.lit.md'].names).toEqual(['local-unused']);
    expect(JSON.parse(deps)['src-generated/a.ts'].deps).toEqual(['docs/a.lit.md', 'docs/b.lit.md']);

    // An edit inside a chunk: the stamps change, the dependencies and names do not (their files are not even replaced).
    writeFileSync(join(dir, 'docs/b.lit.md'), B('help(2);'));
    const edited = tangleJson(dir);
    expect(edited.data.summary).toMatchObject({ written: 1, cached: 2 }); // the incremental path: two documents not read
    for (const [path, before] of [[depsPath, depsBefore], [namesPath, namesBefore]] as const) {
      expect(statSync(path).ino).toBe(before.ino);
      expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    }

    // A new reference to a chunk of another document: the dependencies change, the names do not.
    writeFileSync(join(dir, 'docs/a.lit.md'), A('1').replace('<<shared-helper>>', '<<shared-helper>>\n  <<other-helper>>'));
    expect(tangleJson(dir).data.summary).toMatchObject({ written: 1, cached: 2 }); // incremental, with the names file read
    expect(JSON.parse(read(dir, '.weft/cache/state-deps.json'))['src-generated/a.ts'].deps).toEqual(['docs/a.lit.md', 'docs/b.lit.md', 'docs/c.lit.md']);
    expect(statSync(namesPath).mtimeMs).toBe(namesBefore.mtimeMs);
    expect(snapshot(dir)).toEqual(coldSnapshot(dir).files);

    // A dependencies file that belongs to another state is not used: the full pipeline runs, and ends like a cold tangle.
    writeFileSync(depsPath, deps);
    writeFileSync(join(dir, 'docs/c.lit.md'), C.replace('other();', 'other(3);'));
    expect(tangleJson(dir).data.summary).toMatchObject({ written: 1, cached: 0 });
    expect(snapshot(dir)).toEqual(coldSnapshot(dir).files);

    // Nor a names file of another state, when an edit needs it (a new reference to another document's chunk).
    writeFileSync(namesPath, '{}');
    writeFileSync(join(dir, 'docs/c.lit.md'), C.replace('other();', 'other(3);\n<<shared-helper>>'));
    expect(tangleJson(dir).data.summary).toMatchObject({ cached: 0 });
    expect(snapshot(dir)).toEqual(coldSnapshot(dir).files);
  });

  it('--check trusts an intact state and still fails on a stale output', () => {
    const dir = makeProject({ 'docs/a.lit.md': A('1'), 'docs/b.lit.md': B('help();') });
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(weft(dir, 'tangle', '--check').code).toBe(0);
    writeFileSync(join(dir, 'docs/a.lit.md'), A('7'));
    const stale = weft(dir, 'tangle', '--check');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('src-generated/a.ts is stale');
  });

  it('--check hashes every output: an edit of the same size with its mtime put back is still reported', () => {
    const dir = makeProject({ 'docs/a.lit.md': A('1'), 'docs/b.lit.md': B('help();') });
    expect(weft(dir, 'tangle').code).toBe(0);
    const output = join(dir, 'src-generated/a.ts');
    // A whole-second mtime, recorded by the next run, can be put back exactly.
    utimesSync(output, 1_700_000_000, 1_700_000_000);
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(weft(dir, 'tangle', '--check').code).toBe(0);
    const before = statSync(output);
    const text = readFileSync(output, 'utf8');
    const edited = text.replace('1', '9');
    expect(edited).not.toBe(text);
    expect(Buffer.byteLength(edited)).toBe(before.size);
    writeFileSync(output, edited);
    utimesSync(output, 1_700_000_000, 1_700_000_000);
    expect(statSync(output).mtimeMs).toBe(before.mtimeMs);
    const check = weft(dir, 'tangle', '--check');
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/src-generated\/a\.ts.*\[(hand-edited-output|stale-output)\]/);
  });
});
