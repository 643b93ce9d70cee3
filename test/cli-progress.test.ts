/**
 * The progress line: shown on stderr only in a terminal, only for runs longer than a
 * second, and erased when the run ends; never under --json or --quiet.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Io } from '../tangle/cli/args.js';
import { PROGRESS_DELAY_MS, withProgress } from '../tangle/cli/print.js';

function terminal(extra: Partial<Io> = {}): Io & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => {}, stderr: (text) => err.push(text), color: false, frames: true, cwd: '.', terminal: true, ...extra };
}

describe('the progress line', () => {
  it('appears after a second in a terminal and is erased when the run ends', async () => {
    const io = terminal();
    expect(await withProgress(io, 'tangling', false, async () => (await sleep(PROGRESS_DELAY_MS + 200), 42))).toBe(42);
    expect(io.err).toEqual(['weft: tangling\u2026', '\r\u001b[K']);
  });

  it('never appears for a short run', async () => {
    const io = terminal();
    await withProgress(io, 'tangling', false, async () => sleep(10));
    await sleep(PROGRESS_DELAY_MS + 100);
    expect(io.err).toEqual([]);
  });

  it('never appears off a terminal, under --json or under --quiet', async () => {
    for (const [io, json] of [[terminal({ terminal: false }), false], [terminal(), true], [terminal({ quiet: true }), false]] as const) {
      await withProgress(io, 'tangling', json, async () => sleep(PROGRESS_DELAY_MS + 100));
      expect(io.err).toEqual([]);
    }
  });

  it('is erased when the run throws, too', async () => {
    const io = terminal();
    await expect(withProgress(io, 'tangling', false, async () => (await sleep(PROGRESS_DELAY_MS + 100), Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
    expect(io.err).toEqual(['weft: tangling\u2026', '\r\u001b[K']);
  });
});
