/**
 * `weft diff`: chunk-level comparison of two versions of a project. Each test builds a
 * real git repository in a temporary folder, commits one version, edits the working tree
 * (or commits a second version) and compares, with exact expected results.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffSnapshots, formatDiffText, lineEdits, summaryLine, unifiedDiff, type ProjectDiff } from '../tangle/diff.js';
import { readFolder, readRevision, tangleSnapshot } from '../tangle/snapshot.js';
import { fence, makeProject, read, weft, writeFiles } from './helpers.js';

function git(dir: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=Weft Test', '-c', 'user.email=test@weft.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** A git repository whose first commit holds `files`. */
function repository(files: Record<string, string>): string {
  const dir = makeProject(files);
  git(dir, 'init', '-q', '-b', 'main');
  commitAll(dir, 'first');
  return dir;
}

function commitAll(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
}

/** HEAD compared with the working tree, as `weft diff` does it. */
async function diffWorkingTree(dir: string, revision = 'HEAD'): Promise<ProjectDiff> {
  return diffSnapshots(tangleSnapshot(readRevision(dir, revision)), tangleSnapshot(await readFolder(dir, 'working tree')));
}

const BUS = [
  '# Bus\n\nThe bus delivers events.\n\n',
  fence('ts file=src-generated/bus.ts', 'export class Bus {\n  <<deliver-events>>\n}'),
  '\n## Delivery\n\n',
  fence('ts #deliver-events', 'deliver(event: string) {\n  <<retry-a-failed-handler>>\n}'),
  '\n',
  fence('ts #retry-a-failed-handler', 'for (let i = 0; i < 3; i++) {\n  try { return handle(event); } catch {}\n}'),
].join('');

const GUIDE = `# Guide\n\nHow to use the bus.\n\n${fence('ts file=src-generated/guide.ts', 'export const guide = 1;')}`;

describe('weft diff', () => {
  it('reports a chunk whose name changed but not its body as renamed', async () => {
    const dir = repository({ 'docs/bus.lit.md': BUS });
    writeFiles(dir, { 'docs/bus.lit.md': BUS.replaceAll('deliver-events', 'deliver-each-event') });
    const diff = await diffWorkingTree(dir);
    expect(diff.chunks.map((c) => [c.kind, c.before?.name, c.after?.name])).toEqual([
      ['renamed', 'deliver-events', 'deliver-each-event'],
      ['changed', 'src-generated/bus.ts', 'src-generated/bus.ts'],
    ]);
    expect(diff.chunks[0]).toEqual({
      kind: 'renamed',
      before: { kind: 'chunk', name: 'deliver-events', document: 'docs/bus.lit.md', line: 13, column: 1 },
      after: { kind: 'chunk', name: 'deliver-each-event', document: 'docs/bus.lit.md', line: 13, column: 1 },
      diff: '',
      linesAdded: 0,
      linesRemoved: 0,
    });
    // The output's text is the same: a rename alone changes no output.
    expect(diff.outputs.map((o) => o.status)).toEqual(['unchanged']);
    expect(summaryLine(diff)).toBe('1 chunk changed, 0 added, 0 removed, 1 renamed; 0 outputs patched, 0 regenerated');
  });

  it('names as causes of an output the chunks whose text changed, not those only renamed', async () => {
    const dir = repository({ 'docs/bus.lit.md': BUS });
    writeFiles(dir, { 'docs/bus.lit.md': BUS.replaceAll('deliver-events', 'deliver-each-event').replace('i < 3', 'i < 4') });
    const diff = await diffWorkingTree(dir);
    expect(diff.outputs.map((o) => [o.path, o.status, o.causes.map((c) => `${c.kind} ${c.unit.name}`)])).toEqual([
      ['src-generated/bus.ts', 'patched', ['changed src-generated/bus.ts', 'changed retry-a-failed-handler']],
    ]);
  });

  it('reports a chunk that went to another document as moved, with the diff of its edits', async () => {
    const dir = repository({ 'docs/bus.lit.md': BUS });
    const [kept, moved] = BUS.split('\n## Delivery\n\n');
    const retry = fence('ts #retry-a-failed-handler', 'for (let i = 0; i < 5; i++) {\n  try { return handle(event); } catch {}\n}');
    writeFiles(dir, {
      'docs/bus.lit.md': `${kept}\n## Delivery\n\n${moved!.slice(0, moved!.indexOf('\n```ts #retry'))}`,
      'docs/retry.lit.md': `# Retrying\n\n${retry}`,
    });
    const diff = await diffWorkingTree(dir);
    expect(diff.chunks).toEqual([
      {
        kind: 'moved',
        before: { kind: 'chunk', name: 'retry-a-failed-handler', document: 'docs/bus.lit.md', line: 19, column: 1 },
        after: { kind: 'chunk', name: 'retry-a-failed-handler', document: 'docs/retry.lit.md', line: 3, column: 1 },
        diff: [
          '--- a/docs/bus.lit.md#retry-a-failed-handler',
          '+++ b/docs/retry.lit.md#retry-a-failed-handler',
          '@@ -1,3 +1,3 @@',
          '-for (let i = 0; i < 3; i++) {',
          '+for (let i = 0; i < 5; i++) {',
          '   try { return handle(event); } catch {}',
          ' }',
          '',
        ].join('\n'),
        linesAdded: 1,
        linesRemoved: 1,
      },
    ]);
    expect(diff.documents).toEqual([
      { path: 'docs/bus.lit.md', status: 'changed' },
      { path: 'docs/retry.lit.md', status: 'added' },
    ]);
    expect(diff.outputs).toEqual([
      {
        path: 'src-generated/bus.ts',
        status: 'patched',
        lines: 9,
        linesAdded: 1,
        linesRemoved: 1,
        causes: [{ kind: 'moved', unit: { kind: 'chunk', name: 'retry-a-failed-handler', document: 'docs/retry.lit.md', line: 3, column: 1 } }],
      },
    ]);
  });

  it('reports a move without edits as moved with no diff', async () => {
    const dir = repository({ 'docs/bus.lit.md': BUS });
    const retry = BUS.slice(BUS.indexOf('```ts #retry'));
    writeFiles(dir, { 'docs/bus.lit.md': BUS.replace(retry, ''), 'docs/retry.lit.md': retry });
    const diff = await diffWorkingTree(dir);
    expect(diff.chunks.map((c) => [c.kind, c.before?.document, c.after?.document, c.diff])).toEqual([['moved', 'docs/bus.lit.md', 'docs/retry.lit.md', '']]);
    expect(diff.outputs.map((o) => o.status)).toEqual(['unchanged']);
    expect(summaryLine(diff)).toBe('0 chunks changed, 0 added, 0 removed, 1 moved; 0 outputs patched, 0 regenerated');
  });

  it('lists a document whose prose changed but no code as prose only', async () => {
    const dir = repository({ 'docs/bus.lit.md': BUS, 'docs/guide.lit.md': GUIDE });
    writeFiles(dir, { 'docs/guide.lit.md': GUIDE.replace('How to use the bus.', 'How to use the bus,\nand why.\n\nMore prose.') });
    const diff = await diffWorkingTree(dir);
    expect(diff.chunks).toEqual([]);
    expect(diff.documents).toEqual([{ path: 'docs/guide.lit.md', status: 'prose-only' }]);
    expect(diff.outputs.map((o) => [o.path, o.status])).toEqual([
      ['src-generated/bus.ts', 'unchanged'],
      ['src-generated/guide.ts', 'unchanged'],
    ]);
    expect(summaryLine(diff)).toBe('0 chunks changed, 0 added, 0 removed; 0 outputs patched, 0 regenerated; prose only: docs/guide.lit.md');
  });

  it('calls an output regenerated when most of its lines changed, and patched when a few did', async () => {
    const many = (prefix: string) => Array.from({ length: 10 }, (_, i) => `export const ${prefix}${i} = ${i};`).join('\n');
    const doc = (a: string, b: string) => `${fence('ts file=src-generated/a.ts', a)}\n${fence('ts file=src-generated/b.ts', b)}`;
    const dir = repository({ 'docs/x.lit.md': doc(many('a'), many('b')) });
    writeFiles(dir, { 'docs/x.lit.md': doc(many('renamed'), many('b').replace('b9 = 9', 'b9 = 99')) });
    const diff = await diffWorkingTree(dir);
    expect(diff.outputs.map((o) => [o.path, o.status, o.linesAdded, o.linesRemoved, o.lines])).toEqual([
      ['src-generated/a.ts', 'regenerated', 10, 10, 12],
      ['src-generated/b.ts', 'patched', 1, 1, 12],
    ]);
    expect(summaryLine(diff)).toBe('2 chunks changed, 0 added, 0 removed; 1 output patched, 1 regenerated');
  });

  it('reports chunks added and removed, and outputs added and removed', async () => {
    const dir = repository({ 'docs/a.lit.md': `${fence('ts file=src-generated/old.ts', '<<old-helper>>')}\n${fence('ts #old-helper', 'old();')}` });
    writeFiles(dir, { 'docs/a.lit.md': `${fence('ts file=src-generated/new.ts', '<<new-helper>>')}\n${fence('ts #new-helper', 'brand();\nnew();')}` });
    const diff = await diffWorkingTree(dir);
    expect(diff.chunks.map((c) => [c.kind, (c.after ?? c.before)!.name, c.linesAdded, c.linesRemoved])).toEqual([
      ['added', 'src-generated/new.ts', 1, 0],
      ['added', 'new-helper', 2, 0],
      ['removed', 'src-generated/old.ts', 0, 1],
      ['removed', 'old-helper', 0, 1],
    ]);
    expect(diff.outputs.map((o) => [o.path, o.status])).toEqual([
      ['src-generated/new.ts', 'added'],
      ['src-generated/old.ts', 'removed'],
    ]);
    expect(summaryLine(diff)).toBe('0 chunks changed, 2 added, 2 removed; 0 outputs patched, 0 regenerated, 1 added, 1 removed');
  });

  it('compares two revisions with A..B without checking anything out', async () => {
    const dir = repository({ 'docs/bus.lit.md': BUS });
    writeFiles(dir, { 'docs/bus.lit.md': BUS.replace('i < 3', 'i < 4') });
    commitAll(dir, 'second');
    writeFiles(dir, { 'docs/bus.lit.md': BUS.replace('i < 3', 'i < 1000') });
    const status = git(dir, 'status', '--porcelain');
    const run = weft(dir, 'diff', 'HEAD~1..HEAD', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const diff = JSON.parse(run.stdout) as ProjectDiff;
    expect([diff.from, diff.to]).toEqual(['HEAD~1', 'HEAD']);
    expect(diff.chunks.map((c) => c.diff.split('\n').filter((l) => /^[+-]for/.test(l)))).toEqual([['-for (let i = 0; i < 3; i++) {', '+for (let i = 0; i < 4; i++) {']]);
    expect(git(dir, 'status', '--porcelain')).toBe(status);
    expect(read(dir, 'docs/bus.lit.md')).toContain('i < 1000');
  });

  it('compares from the merge base with A...B, as git does: only what the branch changed', async () => {
    const dir = repository({ 'docs/bus.lit.md': BUS });
    const trunk = git(dir, 'rev-parse', '--abbrev-ref', 'HEAD').trim();
    git(dir, 'checkout', '-q', '-b', 'feature');
    writeFiles(dir, { 'docs/bus.lit.md': BUS.replace('i < 3', 'i < 4') });
    commitAll(dir, 'feature: four tries');
    git(dir, 'checkout', '-q', trunk);
    writeFiles(dir, { 'docs/other.lit.md': `# Other\n\n${fence('ts file=src-generated/other.ts', 'export const other = 1;')}` });
    commitAll(dir, 'trunk moved on');

    const symmetric = weft(dir, 'diff', `${trunk}...feature`, '--json');
    expect(symmetric.stderr).toBe('');
    const diff = JSON.parse(symmetric.stdout) as ProjectDiff;
    expect(diff.from).toMatch(new RegExp(`^${trunk}\\.\\.\\.feature \\(merge base [0-9a-f]{12}\\)$`));
    expect(diff.to).toBe('feature');
    // Only the branch's own change: the document added on trunk meanwhile is not "removed".
    expect(diff.chunks.map((c) => c.kind)).toEqual(['changed']);
    expect(diff.outputs.map((o) => o.path)).toEqual(['src-generated/bus.ts']);

    // Two dots compare the tips: trunk's new document shows up as removed on the way to feature.
    const direct = JSON.parse(weft(dir, 'diff', `${trunk}..feature`, '--json').stdout) as ProjectDiff;
    expect(direct.outputs.map((o) => [o.path, o.status])).toContainEqual(['src-generated/other.ts', 'removed']);

    const unrelated = weft(dir, 'diff', 'nope...feature');
    expect(unrelated.code).toBe(2);
    expect(unrelated.stderr).toContain('no merge base of "nope" and "feature"');
  });

  it('reads a project that is a subfolder of the repository', async () => {
    const dir = repository({ 'site/docs/bus.lit.md': BUS });
    writeFiles(dir, { 'site/docs/bus.lit.md': BUS.replace('i < 3', 'i < 4') });
    const run = weft(join(dir, 'site'), 'diff');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('1 chunk changed, 0 added, 0 removed; 1 output patched, 0 regenerated');
  });

  it('compares two folders with --from, outside any git repository', () => {
    const before = makeProject({ 'docs/bus.lit.md': BUS });
    const after = makeProject({ 'docs/bus.lit.md': BUS.replace('i < 3', 'i < 4'), 'docs/guide.lit.md': GUIDE });
    const run = weft(after, 'diff', '--from', before);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        '1 chunk changed, 1 added, 0 removed; 1 output patched, 0 regenerated, 1 added',
        '',
        `${before} → working tree`,
        '',
        'changed  `retry-a-failed-handler` at docs/bus.lit.md:19:1 (+1 −1)',
        `    --- a/docs/bus.lit.md#retry-a-failed-handler`,
        `    +++ b/docs/bus.lit.md#retry-a-failed-handler`,
        '    @@ -1,3 +1,3 @@',
        '    -for (let i = 0; i < 3; i++) {',
        '    +for (let i = 0; i < 4; i++) {',
        '       try { return handle(event); } catch {}',
        '     }',
        'added    file=src-generated/guide.ts at docs/guide.lit.md:5:1 (1 lines)',
        '',
        'outputs:',
        '  patched     src-generated/bus.ts (+1 −1 of 9 lines; `retry-a-failed-handler`)',
        '  added       src-generated/guide.ts (+3 −0 of 3 lines; file=src-generated/guide.ts)',
        '',
        'documents:',
        '  changed     docs/bus.lit.md',
        '  added       docs/guide.lit.md',
        '',
      ].join('\n'),
    );
  });

  it('formats the comparison as Markdown for a pull-request comment', () => {
    const dir = repository({ 'docs/bus.lit.md': BUS, 'docs/guide.lit.md': GUIDE });
    writeFiles(dir, { 'docs/bus.lit.md': BUS.replace('i < 3', 'i < 4'), 'docs/guide.lit.md': GUIDE.replace('How', 'Why') });
    const run = weft(dir, 'diff', '--markdown');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        '### weft diff: `HEAD` → working tree',
        '',
        '**1 chunk changed, 0 added, 0 removed; 1 output patched, 0 regenerated; prose only: docs/guide.lit.md**',
        '',
        '| change | chunk | where | lines |',
        '| --- | --- | --- | --- |',
        '| changed | `retry-a-failed-handler` | docs/bus.lit.md:19:1 | +1 −1 |',
        '',
        '<details><summary>changed `retry-a-failed-handler` in docs/bus.lit.md</summary>',
        '',
        '```diff',
        '--- a/docs/bus.lit.md#retry-a-failed-handler',
        '+++ b/docs/bus.lit.md#retry-a-failed-handler',
        '@@ -1,3 +1,3 @@',
        '-for (let i = 0; i < 3; i++) {',
        '+for (let i = 0; i < 4; i++) {',
        '   try { return handle(event); } catch {}',
        ' }',
        '```',
        '',
        '</details>',
        '',
        '| output | status | lines | caused by |',
        '| --- | --- | --- | --- |',
        '| `src-generated/bus.ts` | patched | +1 −1 of 9 | `retry-a-failed-handler` |',
        '',
        '1 output unchanged.',
        '',
      ].join('\n'),
    );
  });

  it('uses the config of each revision to find its documents', async () => {
    const dir = repository({ 'weft.config.json': '{"sources": ["old/**/*.lit.md"]}', 'old/bus.lit.md': BUS });
    mkdirSync(join(dir, 'docs'));
    writeFiles(dir, { 'weft.config.json': '{"sources": ["docs/**/*.lit.md"]}', 'docs/bus.lit.md': BUS });
    rmSync(join(dir, 'old'), { recursive: true });
    const diff = await diffWorkingTree(dir);
    expect(diff.chunks.map((c) => [c.kind, c.before?.document, c.after?.document])).toEqual([
      ['moved', 'old/bus.lit.md', 'docs/bus.lit.md'],
      ['moved', 'old/bus.lit.md', 'docs/bus.lit.md'],
      ['moved', 'old/bus.lit.md', 'docs/bus.lit.md'],
    ]);
  });

  it('is a usage error outside a git repository without --from, and for an unknown revision', () => {
    const plain = makeProject({ 'docs/bus.lit.md': BUS });
    const outside = weft(plain, 'diff');
    expect(outside.code).toBe(2);
    expect(outside.stderr.split('\n')[0]).toBe(`weft diff: ${plain} is not in a git repository; compare two folders with --from DIR`);
    const dir = repository({ 'docs/bus.lit.md': BUS });
    const unknown = weft(dir, 'diff', 'no-such-branch');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('weft diff: unknown revision "no-such-branch"');
    expect(weft(dir, 'diff', '--', '--output=x').code).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['.git', 'docs']);
  });
});

describe('line diffs', () => {
  it('finds the shortest edit script', () => {
    expect(lineEdits(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd', 'e']).map((e) => `${e.op}${e.line}`)).toEqual([' a', '-b', '+x', ' c', ' d', '+e']);
    expect(lineEdits([], ['a'])).toEqual([{ op: '+', line: 'a' }]);
    expect(lineEdits(['a'], [])).toEqual([{ op: '-', line: 'a' }]);
  });

  it('prints hunks with three lines of context and separate hunks for distant changes', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', '');
    expect(unifiedDiff(before, after, 'x', 'y').text).toBe(
      [
        '--- a/x',
        '+++ b/y',
        '@@ -1,5 +1,5 @@',
        ' line 1',
        '-line 2',
        '+line two',
        ' line 3',
        ' line 4',
        ' line 5',
        '@@ -15,6 +15,5 @@',
        ' line 15',
        ' line 16',
        ' line 17',
        '-line 18',
        ' line 19',
        ' line 20',
        '',
      ].join('\n'),
    );
    expect(unifiedDiff('', 'a', 'x', 'y').text).toBe('--- a/x\n+++ b/y\n@@ -0,0 +1,1 @@\n+a\n');
  });

  it('prints the summary first in the terminal form', async () => {
    const dir = repository({ 'docs/bus.lit.md': BUS });
    const diff = await diffWorkingTree(dir);
    expect(formatDiffText(diff)).toBe('0 chunks changed, 0 added, 0 removed; 0 outputs patched, 0 regenerated\n\nHEAD → working tree\n\noutputs:\n  1 unchanged\n');
  });
});
