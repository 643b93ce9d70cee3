/**
 * A `TangleResult` from what a rebuild did: the counts of its summary are derived from the
 * files' actions, so they can never disagree with them.
 */
import { hasErrors } from './messages.js';
import type { Message, Output, TangleResult } from './types.js';

/** The files of a write, with the outputs it kept as they were reported unchanged, in path order. */
export function withKept(files: TangleResult['files'], keep: ReadonlySet<string>): TangleResult['files'] {
  const actions = new Map<string, TangleResult['files'][number]['action']>(files.map((f) => [f.path, f.action]));
  for (const path of keep) if (!actions.has(path)) actions.set(path, 'unchanged');
  return [...actions.keys()].sort().map((path) => ({ path, action: actions.get(path)! }));
}

export const round = (ms: number) => Math.round(ms * 10) / 10;

export function result(
  outputs: Output[],
  messages: Message[],
  files: TangleResult['files'],
  stale: number,
  documents: number,
  cached: number,
  started: number,
  bundleMs: number | null,
  tangleMs = performance.now() - started,
): TangleResult {
  const count = (action: string) => files.filter((f) => f.action === action).length;
  return {
    outputs,
    messages,
    files,
    summary: {
      written: count('written'),
      unchanged: count('unchanged'),
      deleted: count('deleted'),
      stale,
      documents,
      cached,
      tangleMs: Math.round(tangleMs * 10) / 10,
      bundleMs: bundleMs === null ? null : Math.round(bundleMs * 10) / 10,
    },
    ok: !hasErrors(messages),
  };
}

