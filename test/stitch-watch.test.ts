/**
 * Scenario 27: stitch while watching. A hand edit of an output gives one proposal; `s`
 * stitches it; the watcher's rebuild after the stitch writes nothing. Real folders, real
 * watcher (`createContext(...).watch`), waiting for events rather than sleeping.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type WeftContext } from '../tangle/context.js';
import { createStitchWatcher, loadStitchWatchMode, type StitchProposal, type StitchWatchMode } from '../tangle/stitch/watch.js';
import type { WatchEvent } from '../tangle/watch.js';
import { makeProject, read, WEFT_BIN } from './helpers.js';

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
    expect(await w.watcher.answer('r')).toBe('reverted src-generated/a.ts (the edit is kept under .weft/trash/)');
    expect(read(dir, 'src-generated/a.ts')).toBe(original);
    expect(read(dir, 'docs/a.lit.md')).toBe(twoLines);
  });
});

/** `weft watch --json --no-bundle` in `dir`; `event` waits for the next NDJSON event matching `test`. */
function weftWatch(dir: string) {
  const child = spawn(process.execPath, [WEFT_BIN, 'watch', '--json', '--no-bundle'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let seen = 0;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    /** The first event after the ones already returned that passes `test`. */
    async event(test: (event: Record<string, any>) => boolean, what: string): Promise<Record<string, any>> {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const events = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>);
        const index = events.findIndex((event, i) => i >= seen && test(event));
        if (index >= 0) {
          seen = index + 1;
          return events[index]!;
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    get stdout() {
      return stdout;
    },
    async stop(): Promise<number | null> {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** After the first build, change the output's `return 1;` by hand. */
async function editOutputOnceReady(dir: string, watch: ReturnType<typeof weftWatch>): Promise<void> {
  await watch.event((e) => e.event === 'ready', 'the first build');
  writeFileSync(join(dir, 'src-generated/a.ts'), read(dir, 'src-generated/a.ts').replace('  return 1;', '  return 2;'));
}

describe('stitch in `weft watch` (the command)', () => {
  it('proposes a settled hand edit as one stitch-proposal NDJSON event, and writes nothing', async () => {
    const dir = makeProject({ 'docs/a.lit.md': doc });
    const watch = weftWatch(dir);
    try {
      await editOutputOnceReady(dir, watch);
      const proposal = await watch.event((e) => e.event === 'stitch-proposal', 'a proposal');
      expect(proposal).toMatchObject({ event: 'stitch-proposal', outputs: ['src-generated/a.ts'], ok: true });
      expect(proposal.landings).toMatchObject([{ output: 'src-generated/a.ts', document: 'docs/a.lit.md', chunk: '<<body>>' }]);
      expect(read(dir, 'docs/a.lit.md')).toBe(doc);
    } finally {
      expect(await watch.stop()).toBe(0);
    }
  });

  it('with watch.stitch "auto" applies a clean plan, and the rebuild after it writes nothing', async () => {
    const dir = makeProject({ 'docs/a.lit.md': doc, 'weft.config.json': '{ "watch": { "stitch": "auto" } }\n' });
    const watch = weftWatch(dir);
    try {
      await editOutputOnceReady(dir, watch);
      await watch.event((e) => e.event === 'stitch-proposal', 'a proposal');
      const after = await watch.event((e) => e.event === 'rebuild' && e.changed.includes('docs/a.lit.md'), 'the rebuild after the stitch');
      expect(read(dir, 'docs/a.lit.md')).toBe(doc.replace('return 1;', 'return 2;'));
      expect(after.ok).toBe(true);
      expect(after.files).toEqual([]);
    } finally {
      expect(await watch.stop()).toBe(0);
    }
  });

  it('with watch.stitch "off" proposes nothing', async () => {
    const dir = makeProject({ 'docs/a.lit.md': doc, 'weft.config.json': '{ "watch": { "stitch": "off" } }\n' });
    const watch = weftWatch(dir);
    try {
      await editOutputOnceReady(dir, watch);
      const rebuild = await watch.event((e) => e.event === 'rebuild', 'the rebuild that reports the edit');
      expect(rebuild.diagnostics.map((m: { rule: string }) => m.rule)).toContain('hand-edited-output');
    } finally {
      expect(await watch.stop()).toBe(0);
    }
    // Read after the watch stopped: a proposal would have been printed right after the rebuild.
    expect(watch.stdout).not.toContain('stitch-proposal');
  });
});

describe('watch.stitch in weft.config.json', () => {
  it('is "propose" when absent', () => {
    expect(loadStitchWatchMode(makeProject({}))).toEqual({ mode: 'propose', messages: [] });
  });

  it('rejects a value that is not a mode, naming the three', () => {
    const dir = makeProject({ 'weft.config.json': '{ "watch": { "stitch": "always" } }' });
    expect(loadStitchWatchMode(dir).messages.map((m) => `${m.file}: ${m.message} [${m.rule}]`)).toEqual(['weft.config.json: `watch.stitch` must be "off", "propose" or "auto" [malformed-config]']);
  });

  it('rejects an unknown key under watch, by name', () => {
    const dir = makeProject({ 'weft.config.json': '{ "watch": { "stich": "auto" } }' });
    expect(loadStitchWatchMode(dir).messages.map((m) => m.message)).toEqual(['unknown key `watch.stich` (known: stitch)']);
  });
});
