/**
 * planWrites, the pure half of the write stage: every hand-edit, orphan, backup, trash,
 * conflict and confinement rule, decided from literal data (no disk).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planWrites, type DiskSnapshot, type PathState, type PlanOptions } from '../tangle/plan-writes.js';
import type { Manifest, Output } from '../tangle/types.js';

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

function output(path: string, content = `${path}\n`, map: string | null = '{"map":1}'): Output {
  return { path, document: 'docs/a.lit.md', content, mode: 0o644, map, origins: [{ document: 'docs/a.lit.md', line: 3, column: 1, indent: 0, chunk: null, via: [] }], chunks: {} };
}

function manifest(entries: Record<string, string> = {}): Manifest {
  return { weft: 'test', outputs: Object.fromEntries(Object.entries(entries).map(([path, content]) => [path, { hash: hash(content), document: 'docs/a.lit.md', chunks: {} }])) };
}

const file = (content: string, mode = 0o644): PathState => ({ kind: 'file', hash: hash(content), mode, text: content });
const folder: PathState = { kind: 'folder' };

function disk(paths: Record<string, PathState> = {}, journalled: Record<string, string[]> = {}): DiskSnapshot {
  return { paths: new Map(Object.entries({ 'src-generated': folder, ...paths })), journalled: new Map(Object.entries(journalled).map(([p, contents]) => [p, new Set(contents.map(hash))])) };
}

const options = (extra: Partial<PlanOptions> = {}): PlanOptions => ({ outputDirs: ['src-generated', 'scripts'], stamp: 'T', ...extra });
const kinds = (plan: ReturnType<typeof planWrites>) => plan.actions.map((a) => `${a.kind} ${a.path}${'to' in a ? ` -> ${a.to}` : ''}`);
const said = (plan: ReturnType<typeof planWrites>) => plan.messages.map((m) => `${m.file}:${m.line} ${m.severity} ${m.rule}: ${m.message}`);

describe('writes', () => {
  it('writes a new output and its map when nothing is on disk', () => {
    const plan = planWrites([output('src-generated/a.ts')], manifest(), disk(), options());
    expect(kinds(plan)).toEqual(['write src-generated/a.ts', 'write src-generated/a.ts.map']);
    expect(plan.files).toEqual([{ path: 'src-generated/a.ts', action: 'written' }]);
    expect(plan.apply).toBe(true);
  });

  it('leaves an output that is already right alone, and only repairs a wrong mode', () => {
    const a = output('src-generated/a.ts');
    const plan = planWrites([a], manifest({ 'src-generated/a.ts': a.content }), disk({ 'src-generated/a.ts': file(a.content, 0o755), 'src-generated/a.ts.map': file(a.map!) }), options());
    expect(kinds(plan)).toEqual(['chmod src-generated/a.ts']);
    expect(plan.files).toEqual([{ path: 'src-generated/a.ts', action: 'unchanged' }]);
  });

  it('rewrites an output whose content on disk is what weft last wrote', () => {
    const plan = planWrites([output('src-generated/a.ts', 'new\n')], manifest({ 'src-generated/a.ts': 'old\n' }), disk({ 'src-generated/a.ts': file('old\n') }), options());
    expect(kinds(plan)).toEqual(['write src-generated/a.ts', 'write src-generated/a.ts.map']);
  });

  it('accepts content an interrupted write had accepted (the journal) as weft\'s own', () => {
    const plan = planWrites([output('src-generated/a.ts', 'new\n')], manifest({ 'src-generated/a.ts': 'old\n' }), disk({ 'src-generated/a.ts': file('half\n') }, { 'src-generated/a.ts': ['half\n'] }), options());
    expect(plan.apply).toBe(true);
    expect([...plan.accepted.get('src-generated/a.ts')!].sort()).toEqual([hash('half\n'), hash('new\n'), hash('old\n')].sort());
  });
});

describe('hand edits', () => {
  const edited = () => disk({ 'src-generated/a.ts': file('one\nTWO\n') });

  it('refuses a hand-edited output at the first line that differs, and plans nothing', () => {
    const plan = planWrites([output('src-generated/a.ts', 'one\ntwo\n')], manifest({ 'src-generated/a.ts': 'one\n' }), edited(), options());
    expect(said(plan)).toEqual(['src-generated/a.ts:2 error hand-edited-output: src-generated/a.ts was edited by hand; refusing to overwrite it']);
    expect(plan.actions).toEqual([]);
    expect(plan.files).toEqual([{ path: 'src-generated/a.ts', action: 'refused' }]);
  });

  it('refuses a file weft never wrote', () => {
    const plan = planWrites([output('src-generated/a.ts', 'one\ntwo\n')], manifest(), edited(), options());
    expect(said(plan)).toEqual(['src-generated/a.ts:2 error hand-edited-output: src-generated/a.ts exists and was not written by weft; refusing to overwrite it']);
  });

  it('with force, backs the edit up first and says where', () => {
    const plan = planWrites([output('src-generated/a.ts', 'one\ntwo\n')], manifest({ 'src-generated/a.ts': 'one\n' }), edited(), options({ force: true }));
    expect(kinds(plan)).toEqual(['backup src-generated/a.ts -> .weft/trash/T/src-generated/a.ts', 'write src-generated/a.ts', 'write src-generated/a.ts.map']);
    expect(said(plan)).toEqual(['src-generated/a.ts:0 warning hand-edited-output: src-generated/a.ts was edited by hand; overwritten because of --force']);
    expect(plan.backups).toEqual(['.weft/trash/T/src-generated/a.ts']);
  });

  it('refuses a hand-written source map beside a new output', () => {
    const plan = planWrites([output('src-generated/foo.ts')], manifest(), disk({ 'src-generated/foo.ts.map': file('{"mine":true}') }), options());
    expect(said(plan)).toEqual(['src-generated/foo.ts.map:0 error hand-edited-output: src-generated/foo.ts.map exists and was not written by weft; refusing to overwrite it']);
    expect(plan.actions).toEqual([]);
  });

  it('with force, backs a hand-written source map up before replacing it', () => {
    const plan = planWrites([output('src-generated/foo.ts')], manifest(), disk({ 'src-generated/foo.ts.map': file('{"mine":true}') }), options({ force: true }));
    expect(kinds(plan)).toEqual(['write src-generated/foo.ts', 'backup src-generated/foo.ts.map -> .weft/trash/T/src-generated/foo.ts.map', 'write src-generated/foo.ts.map']);
  });

  it('rewrites the differing map of an output weft wrote (maps are derived data)', () => {
    const a = output('src-generated/a.ts');
    const plan = planWrites([a], manifest({ 'src-generated/a.ts': a.content }), disk({ 'src-generated/a.ts': file(a.content), 'src-generated/a.ts.map': file('{"old":1}') }), options());
    expect(kinds(plan)).toEqual(['write src-generated/a.ts.map']);
  });
});

describe('conflicts between outputs', () => {
  it('refuses an output nested under another output, before anything is written', () => {
    const plan = planWrites([output('src-generated/a.ts'), output('src-generated/a.ts/b.ts')], manifest(), disk(), options());
    expect(said(plan)).toEqual(['docs/a.lit.md:3 error output-path-conflict: src-generated/a.ts/b.ts is inside src-generated/a.ts, which is also an output file']);
    expect(plan.actions).toEqual([]);
  });

  it('refuses an output written where another output\'s source map goes', () => {
    const plan = planWrites([output('src-generated/x.ts'), output('src-generated/x.ts.map', '{}\n', null)], manifest(), disk(), options());
    expect(said(plan)).toEqual(['docs/a.lit.md:3 error output-path-conflict: src-generated/x.ts.map is where the source map of src-generated/x.ts is written']);
  });

  it('refuses two names that differ only by Unicode normalization (NFC and NFD)', () => {
    const plan = planWrites([output('src-generated/caf\u00e9.ts'), output('src-generated/cafe\u0301.ts')], manifest(), disk(), options());
    expect(plan.messages.map((m) => m.rule)).toEqual(['case-conflict']);
    expect(plan.apply).toBe(false);
  });
});

describe('conflicts asked again (a watch plans the same outputs after every edit)', () => {
  it('still finds a conflict after a clean plan of the same paths, and a map that appears on another output', () => {
    const clean = [output('src-generated/x.ts'), output('src-generated/y.ts', 'y\n', null)];
    expect(planWrites(clean, manifest(), disk(), options()).messages).toEqual([]);
    expect(planWrites(clean, manifest(), disk(), options()).messages).toEqual([]);
    const inside = [...clean, output('src-generated/x.ts/z.ts')];
    expect(said(planWrites(inside, manifest(), disk(), options()))).toEqual(['docs/a.lit.md:3 error output-path-conflict: src-generated/x.ts/z.ts is inside src-generated/x.ts, which is also an output file']);
    // The same paths, once without a source map for y.ts (clean), then with one (it lands on y.ts.map).
    const mapped = [output('src-generated/y.ts'), output('src-generated/y.ts.map', '{}\n', null)];
    const plain = [output('src-generated/y.ts', 'y\n', null), output('src-generated/y.ts.map', '{}\n', null)];
    expect(planWrites(plain, manifest(), disk(), options()).messages).toEqual([]);
    expect(said(planWrites(mapped, manifest(), disk(), options()))).toEqual(['docs/a.lit.md:3 error output-path-conflict: src-generated/y.ts.map is where the source map of src-generated/y.ts is written']);
  });
});

describe('confinement', () => {
  it('refuses to write through a link that leads out of the output folder', () => {
    const plan = planWrites([output('src-generated/link/a.ts')], manifest(), disk({ 'src-generated/link': { kind: 'link', target: 'docs' } }), options());
    expect(said(plan)).toEqual(['src-generated/link/a.ts:0 error output-outside-root: refusing to write src-generated/link/a.ts: src-generated/link is a symbolic link that leads out of src-generated/']);
  });

  it('writes through a link that stays inside the output folder', () => {
    const plan = planWrites([output('src-generated/link/a.ts', 'a\n', null)], manifest(), disk({ 'src-generated/link': { kind: 'link', target: 'src-generated/real' } }), options());
    expect(kinds(plan)).toEqual(['write src-generated/link/a.ts']);
  });

  it('refuses a link planted at the output path, and a file where a folder must be', () => {
    const plan = planWrites([output('src-generated/a.ts'), output('src-generated/f/b.ts')], manifest(), disk({ 'src-generated/a.ts': { kind: 'link', target: null }, 'src-generated/f': file('x') }), options());
    expect(plan.messages.map((m) => m.message)).toEqual([
      'refusing to write src-generated/a.ts: a symbolic link is planted at the output path',
      'refusing to write src-generated/f/b.ts: src-generated/f is a file, not a folder',
    ]);
  });
});

describe('orphans', () => {
  it('moves an orphan weft wrote, and its map, to the trash instead of deleting it', () => {
    const plan = planWrites([], manifest({ 'src-generated/old.ts': 'old\n' }), disk({ 'src-generated/old.ts': file('old\n'), 'src-generated/old.ts.map': file('{}') }), options());
    expect(kinds(plan)).toEqual(['remove src-generated/old.ts -> .weft/trash/T/src-generated/old.ts', 'remove src-generated/old.ts.map -> .weft/trash/T/src-generated/old.ts.map']);
    expect(plan.files).toEqual([{ path: 'src-generated/old.ts', action: 'deleted' }]);
  });

  it('a forged manifest entry claiming a hand-written file gets it moved to the trash, never lost', () => {
    const plan = planWrites([], manifest({ 'src-generated/precious.ts': 'mine\n' }), disk({ 'src-generated/precious.ts': file('mine\n') }), options());
    expect(kinds(plan)).toEqual(['remove src-generated/precious.ts -> .weft/trash/T/src-generated/precious.ts']);
  });

  it('keeps an edited orphan with a warning; with force moves it to the trash', () => {
    const state = disk({ 'src-generated/old.ts': file('edited\n') });
    const kept = planWrites([], manifest({ 'src-generated/old.ts': 'old\n' }), state, options());
    expect(kept.actions).toEqual([]);
    expect(kept.files).toEqual([{ path: 'src-generated/old.ts', action: 'kept' }]);
    const forced = planWrites([], manifest({ 'src-generated/old.ts': 'old\n' }), state, options({ force: true }));
    expect(kinds(forced)).toEqual(['remove src-generated/old.ts -> .weft/trash/T/src-generated/old.ts']);
  });

  it('never touches a recorded path outside the output folders', () => {
    const plan = planWrites([], manifest({ 'docs/a.lit.md': 'x\n', 'src-generated/../docs/a.lit.md': 'x\n' }), disk({ 'docs/a.lit.md': file('x\n') }), options());
    expect(plan.actions).toEqual([]);
  });

  it('keeps the outputs an incremental tangle did not look at', () => {
    const plan = planWrites([], manifest({ 'src-generated/old.ts': 'old\n' }), disk({ 'src-generated/old.ts': file('old\n') }), options({ keep: new Set(['src-generated/old.ts']) }));
    expect(plan.actions).toEqual([]);
    expect(plan.keep).toEqual(['src-generated/old.ts']);
  });
});

describe('check and blocked runs plan but apply nothing', () => {
  it('check reports missing, stale and orphaned outputs and plans no action', () => {
    const plan = planWrites(
      [output('src-generated/new.ts'), output('src-generated/a.ts', 'new\n')],
      manifest({ 'src-generated/a.ts': 'old\n', 'src-generated/gone.ts': 'gone\n' }),
      disk({ 'src-generated/a.ts': file('old\n'), 'src-generated/gone.ts': file('gone\n') }),
      options({ check: true }),
    );
    expect(plan.messages.map((m) => m.message)).toEqual(['src-generated/new.ts is missing', 'src-generated/a.ts is stale', 'src-generated/gone.ts is no longer produced by any document and would be deleted']);
    expect(plan.stale).toBe(3);
    expect(plan.actions).toEqual([]);
    expect(plan.files).toEqual([
      { path: 'src-generated/a.ts', action: 'refused' },
      { path: 'src-generated/new.ts', action: 'refused' },
    ]);
  });

  it('an error in an earlier stage blocks every action', () => {
    const plan = planWrites([output('src-generated/a.ts')], manifest(), disk(), options({ blocked: true }));
    expect(plan.apply).toBe(false);
    expect(plan.actions).toEqual([]);
  });

  it('a trusted output (watch mode) is neither checked nor rewritten, nor is its map', () => {
    const plan = planWrites([output('src-generated/a.ts')], manifest(), disk({ 'src-generated/a.ts': file('whatever\n') }), options({ trusted: new Map([['src-generated/a.ts', hash('src-generated/a.ts\n')]]) }));
    expect(plan.actions).toEqual([]);
    expect(plan.entries.map((e) => e.hash)).toEqual([hash('src-generated/a.ts\n')]);
  });
});
