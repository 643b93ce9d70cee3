/**
 * Scenario 27: stitch while watching. A hand edit of an output gives one proposal; `s`
 * stitches it; the watcher's rebuild after the stitch writes nothing. Real folders, real
 * watcher (`createContext(...).watch`), waiting for events rather than sleeping.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type WeftContext } from '../tangle/context.js';
import { createStitchWatcher, type StitchProposal, type StitchWatchMode } from '../tangle/stitch/watch.js';
import type { WatchEvent } from '../tangle/watch.js';
import { makeProject, read } from './helpers.js';

const doc = ['# A', '', '```ts file=src-generated/a.ts', 'export function f() {', '  <<body>>', '}', '```', '', '```ts #body', 'return 1;', '```', ''].join('\n');

const open: WeftContext[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((context) => context.dispose()));
});

/** Watch `dir` with a stitch watcher; `until` waits for a condition on what has been seen. */
async function watching(dir: string, mode: StitchWatchMode) {
  const events: WatchEvent[] = [];
  const proposals: StitchProposal[] = [];
  let wake = () => {};
  const watcher = createStitchWatcher({ root: dir, mode, onProposal: (p) => proposals.push(p) });
  const context = await createContext({ root: dir, bundle: false });
  open.push(context);
  let work = Promise.resolve();
  await context.watch({
    onEvent: (event) => {
      events.push(event);
      work = work.then(() => watcher.onEvent(event)).then(() => wake());
    },
  });
  const until = async (test: () => boolean, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await work;
  };
  return { watcher, events, proposals, until };
}

const rebuilds = (events: WatchEvent[]) => events.filter((e): e is Extract<WatchEvent, { type: 'rebuild' }> => e.type === 'rebuild');

describe('stitch in watch mode', () => {
  it('27: a hand edit gives one proposal; s stitches it; the re-tangle after it writes nothing', async () => {
    const dir = makeProject({ 'docs/a.lit.md': doc });
    const w = await watching(dir, 'propose');
    writeFileSync(join(dir, 'src-generated/a.ts'), read(dir, 'src-generated/a.ts').replace('  return 1;', '  return 2;'));
    await w.until(() => w.proposals.length === 1, 'a proposal');
    expect(w.proposals[0]).toMatchObject({ type: 'stitch-proposal', outputs: ['src-generated/a.ts'], ok: true, summary: 'src-generated/a.ts edited by hand: 1 change(s) → <<body>> (docs/a.lit.md:10)' });
    expect(await w.watcher.answer('d')).toContain('-return 1;\n+return 2;');
    const seen = rebuilds(w.events).length;
    expect(await w.watcher.answer('s')).toBe('stitched src-generated/a.ts');
    expect(read(dir, 'docs/a.lit.md')).toBe(doc.replace('return 1;', 'return 2;'));
    await w.until(() => rebuilds(w.events).slice(seen).some((e) => e.trigger.includes('docs/a.lit.md')), 'the rebuild after the stitch');
    const after = rebuilds(w.events).slice(seen);
    for (const event of after) {
      expect(event.result.messages.filter((m) => m.severity === 'error')).toEqual([]);
      expect(event.result.files.filter((f) => f.action === 'written')).toEqual([]);
    }
    expect(w.proposals).toHaveLength(1);
  });

  it('auto applies a clean plan at once; off proposes nothing', async () => {
    const dir = makeProject({ 'docs/a.lit.md': doc });
    const w = await watching(dir, 'auto');
    writeFileSync(join(dir, 'src-generated/a.ts'), read(dir, 'src-generated/a.ts').replace('  return 1;', '  return 3;'));
    await w.until(() => read(dir, 'docs/a.lit.md').includes('return 3;'), 'the automatic stitch');
    expect(w.proposals).toHaveLength(1);
    expect(w.watcher.pending).toBeNull();

    const quiet = makeProject({ 'docs/a.lit.md': doc });
    const q = await watching(quiet, 'off');
    writeFileSync(join(quiet, 'src-generated/a.ts'), read(quiet, 'src-generated/a.ts').replace('  return 1;', '  return 4;'));
    await q.until(() => rebuilds(q.events).length > 0, 'the rebuild that reports the edit');
    expect(q.proposals).toEqual([]);
    expect(read(quiet, 'docs/a.lit.md')).toBe(doc);
  });

  it('a proposal that cannot be stitched says why, and r reverts the output', async () => {
    const twoLines = doc.replace('return 1;', 'const x = 1;\nreturn x;');
    const dir = makeProject({ 'docs/a.lit.md': twoLines });
    const w = await watching(dir, 'auto');
    const original = read(dir, 'src-generated/a.ts');
    writeFileSync(join(dir, 'src-generated/a.ts'), original.replace('  return x;', 'debugger;\n  return x;'));
    await w.until(() => w.proposals.length === 1, 'a proposal');
    expect(w.proposals[0]!.ok).toBe(false);
    expect(w.proposals[0]!.summary).toBe('src-generated/a.ts edited by hand: cannot stitch (stitch/dedent-below-reference)');
    expect(await w.watcher.answer('s')).toBe('this edit cannot be stitched; edit the .lit.md by hand, or revert');
    expect(await w.watcher.answer('r')).toBe('reverted src-generated/a.ts (the edit is kept under .weft/backup/)');
    expect(read(dir, 'src-generated/a.ts')).toBe(original);
    expect(read(dir, 'docs/a.lit.md')).toBe(twoLines);
  });
});
