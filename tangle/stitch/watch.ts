/**
 * Stitch while watching: a settled hand edit of an output becomes one proposal.
 *
 * The watch reports a hand-edited output as a rebuild with a `hand-edited-output` error
 * (it never overwrites the edit). This module listens to those events through the public
 * `createContext(...).watch({ onEvent })` API, plans a stitch for the edited outputs (a dry
 * run: nothing is written), and reports one proposal per edited content: the same content
 * is never proposed twice. The answer is `s` (stitch), `d` (the diff), `r` (revert: tangle
 * with `force`, which keeps the edit in a backup) or `i` (ignore). In `auto` mode a clean,
 * two-way plan (no conflict, no three-way merge; shared chunks are refused anyway without
 * `--propagate`) is applied at once. After a stitch the outputs already hold what the new
 * documents tangle to, so the watcher's rebuild writes nothing.
 *
 * `watch.stitch` (`off | propose | auto`, default `propose`) selects the mode; the CLI
 * adapter turns proposals into a prompt line in a terminal or an NDJSON
 * `stitch-proposal` event with `--json`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { parse as parseJsonc } from 'jsonc-parser';
import { CONFIG_FILE } from '../config.js';
import { message } from '../messages.js';
import { tangle } from '../context.js';
import type { Message } from '../types.js';
import type { WatchEvent } from '../watch.js';
import type { Landing } from './plan.js';
import { stitch } from './run.js';

/** What the watch does with a hand edit. `off`: nothing; `propose`: ask; `auto`: apply clean plans. */
export type StitchWatchMode = 'off' | 'propose' | 'auto';

/** The stitch modes `watch.stitch` accepts. */
const STITCH_WATCH_MODES: readonly StitchWatchMode[] = ['off', 'propose', 'auto'];

/**
 * `watch.stitch` of `weft.config.json` in `root` (`propose` when the file or the key is
 * absent). The top-level key is accepted by `config.ts`; its content is checked here, so
 * a bad value is a `malformed-config` error and the mode falls back to `propose`. A file
 * that is not JSON is `config.ts`'s to report.
 */
export function loadStitchWatchMode(root: string): { mode: StitchWatchMode; messages: Message[] } {
  let data: unknown;
  try {
    data = parseJsonc(readFileSync(join(root, CONFIG_FILE), 'utf8').replace(/^\uFEFF/, ''), [], { allowTrailingComma: true });
  } catch {
    return { mode: 'propose', messages: [] };
  }
  const watch = data && typeof data === 'object' ? (data as Record<string, unknown>).watch : undefined;
  if (watch === undefined) return { mode: 'propose', messages: [] };
  const fail = (text: string) => ({ mode: 'propose' as const, messages: [message(CONFIG_FILE, 0, 0, 'error', 'malformed-config', text)] });
  if (!watch || typeof watch !== 'object' || Array.isArray(watch)) return fail('`watch` must be an object');
  const unknown = Object.keys(watch).filter((key) => key !== 'stitch');
  if (unknown.length > 0) return fail(`unknown key \`watch.${unknown[0]}\` (known: stitch)`);
  const stitchMode = (watch as Record<string, unknown>).stitch;
  if (stitchMode === undefined) return { mode: 'propose', messages: [] };
  if (!STITCH_WATCH_MODES.includes(stitchMode as StitchWatchMode)) return fail('`watch.stitch` must be "off", "propose" or "auto"');
  return { mode: stitchMode as StitchWatchMode, messages: [] };
}

/** One proposal, also the NDJSON `stitch-proposal` event. */
export interface StitchProposal {
  type: 'stitch-proposal';
  /** The edited outputs. */
  outputs: string[];
  /** True when the plan can be applied. */
  ok: boolean;
  landings: Landing[];
  /** Conflicts and warnings of the plan. */
  messages: Message[];
  /** One line for people. */
  summary: string;
}

export interface StitchWatcherOptions {
  root: string;
  /** @default 'propose' */
  mode?: StitchWatchMode;
  /** Called with each proposal (in `auto` mode too, before it is applied). */
  onProposal?: (proposal: StitchProposal) => void;
  /** Called after a proposal was applied (`s`, or `auto`). */
  onApplied?: (result: { written: boolean; messages: Message[] }) => void;
}

export interface StitchWatcher {
  /** Give it every watch event. Resolves once any proposal is made (and, in auto mode, applied). */
  onEvent(event: WatchEvent): Promise<void>;
  /** Answer the pending proposal. `d` returns the unified diff of the documents; the others return a status line. */
  answer(key: 's' | 'd' | 'r' | 'i'): Promise<string>;
  /** The proposal waiting for an answer, if any. */
  readonly pending: StitchProposal | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Make the listener. */
export function createStitchWatcher(options: StitchWatcherOptions): StitchWatcher {
  const mode = options.mode ?? 'propose';
  const proposed = new Set<string>(); // output path + content hash already proposed
  let pending: StitchProposal | null = null;
  let diff = '';
  const apply = async () => {
    const result = await stitch({ root: options.root, outputs: pending?.outputs });
    pending = null;
    const messages = [...result.messages, ...result.plan.messages];
    options.onApplied?.({ written: result.written, messages });
    return result.written ? `stitched ${result.edited.join(', ')}` : `not stitched: ${messages.filter((m) => m.severity === 'error').map((m) => m.rule).join(', ') || 'nothing to do'}`;
  };
  return {
    get pending() {
      return pending;
    },
    async onEvent(event) {
      if (mode === 'off' || event.type === 'error' || event.type === 'stopped') return;
      const edited = [...new Set(event.result.messages.filter((m) => m.rule === 'hand-edited-output' && m.severity === 'error').map((m) => m.file))].sort();
      const fresh = edited.filter((path) => {
        let text: string;
        try {
          text = readFileSync(join(options.root, path), 'utf8');
        } catch {
          return false;
        }
        const key = `${path}\0${sha256(text)}`;
        if (proposed.has(key)) return false;
        proposed.add(key);
        return true;
      });
      if (fresh.length === 0) return;
      const plan = await stitch({ root: options.root, outputs: edited, dryRun: true });
      const messages = [...plan.messages, ...plan.plan.messages];
      const ok = plan.plan.ok && !messages.some((m) => m.severity === 'error');
      const places = [...new Set(plan.plan.landings.map((l) => `${l.chunk} (${l.document}:${l.line})`))];
      const summary = ok
        ? `${edited.join(', ')} edited by hand: ${plan.plan.landings.length} change(s) → ${places.join(', ')}`
        : `${edited.join(', ')} edited by hand: cannot stitch (${messages.filter((m) => m.severity === 'error').map((m) => m.rule).join(', ')})`;
      pending = { type: 'stitch-proposal', outputs: edited, ok, landings: plan.plan.landings, messages, summary };
      diff = Object.keys(plan.plan.documents)
        .sort()
        .map((path) => createTwoFilesPatch(`a/${path}`, `b/${path}`, plan.plan.current[path] ?? '', plan.plan.documents[path]!))
        .join('');
      options.onProposal?.(pending);
      if (mode === 'auto' && ok && plan.plan.merged.length === 0) await apply();
    },
    async answer(key) {
      if (!pending) return 'no stitch proposal is waiting';
      if (key === 'd') return diff;
      if (key === 'i') {
        pending = null;
        return 'ignored';
      }
      if (key === 'r') {
        const outputs = pending.outputs;
        pending = null;
        const result = await tangle({ root: options.root, force: true, bundle: false });
        return result.ok ? `reverted ${outputs.join(', ')} (the edit is kept under .weft/trash/)` : 'revert failed';
      }
      if (!pending.ok) return 'this edit cannot be stitched; edit the .lit.md by hand, or revert';
      return apply();
    },
  };
}
