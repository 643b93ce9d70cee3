/**
 * Stitch on disk: read the project, plan, compare and swap, write.
 *
 * The only part of stitch that touches the disk. It finds the hand-edited outputs (their
 * hash differs from the manifest's), rebuilds the base from `.weft/cache/sources/` (or
 * git: `--base REV`, else `HEAD`), and asks `planStitch` for a plan. A plan is applied
 * only if it has no error, under Weft's write lock, and only if every edited output and
 * every document is still byte-identical to what was planned from (compare and swap: an
 * editor saving again mid-run aborts the stitch with nothing written). Documents and
 * outputs are replaced atomically; then an ordinary tangle records the new hashes in the
 * manifest and rewrites the source maps, and finds nothing else to write.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { tangle } from '../context.js';
import { message } from '../messages.js';
import { findSources } from '../read.js';
import { isGitRepository, readRevision, snapshotOfTexts, tangleSnapshot } from '../snapshot.js';
import { readSourcesCache } from '../sources-cache.js';
import type { Message } from '../types.js';
import { acquireLock, readManifest } from '../write.js';
import { failure } from '../apply-writes.js';
import { stageFile } from '../atomic-write.js';
import { planStitch, type StitchPlan } from './plan.js';

/** Options of `stitch()`. */
export interface StitchOptions {
  /** Project root. @default process.cwd() */
  root?: string;
  /** Outputs to stitch (project-relative paths). @default every hand-edited output */
  outputs?: string[];
  /** Plan and report, write nothing. @default false */
  dryRun?: boolean;
  /** Apply a change of a chunk used in several places everywhere it is used. @default false */
  propagate?: boolean;
  /** Git revision the outputs were last tangled from. @default the sources cache, then `HEAD` */
  base?: string;
  /** Called after planning, before compare and swap (tests use it to save an output mid-run). */
  beforeWrite?: () => void;
}

export interface StitchResult {
  /** The plan (empty when nothing was edited). */
  plan: StitchPlan;
  /** Outputs found edited by hand (or named). */
  edited: string[];
  /** True when documents and outputs were written. */
  written: boolean;
  /** Problems before planning or while writing (usage problems have rule `stitch/unknown-output`). */
  messages: Message[];
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const readText = (root: string, path: string) => {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
};

/** Carry the hand edits of outputs back into the documents. */
export async function stitch(options: StitchOptions = {}): Promise<StitchResult> {
  const root = options.root ?? process.cwd();
  const empty: StitchPlan = { ok: true, documents: {}, current: {}, outputs: [], landings: [], merged: [], messages: [] };
  const messages: Message[] = [];
  const loaded = loadConfig(root);
  if (!loaded.config) return { plan: { ...empty, ok: false }, edited: [], written: false, messages: loaded.messages };
  const config = loaded.config;
  const { manifest } = readManifest(root);
  const paths = await findSources(root, config.sources);
  const current: Record<string, string> = {};
  for (const path of paths) current[path] = readText(root, path) ?? '';
  const now = tangleSnapshot(snapshotOfTexts(current, config, 'working tree'));
  const produced = new Set(now.outputs.map((o) => o.path));
  for (const path of options.outputs ?? []) {
    if (!produced.has(path) && manifest.outputs[path] === undefined) messages.push(message(path, 0, 0, 'error', 'stitch/unknown-output', `${path} is not an output of this project`));
  }
  if (messages.length > 0) return { plan: { ...empty, ok: false }, edited: [], written: false, messages };
  const edited: Record<string, string> = {};
  const hashes: Record<string, string> = {};
  for (const [path, entry] of Object.entries(manifest.outputs)) {
    if (options.outputs && !options.outputs.includes(path)) continue;
    const text = readText(root, path);
    if (text === undefined || sha256(text) === entry.hash) continue;
    edited[path] = text;
    hashes[path] = entry.hash;
  }
  const editedPaths = Object.keys(edited).sort();
  if (editedPaths.length === 0) return { plan: empty, edited: [], written: false, messages };

  // The base: the first candidate whose tangle reproduces every edited output.
  const candidates: (() => Record<string, string> | null)[] = [];
  const fromGit = (revision: string) => () => {
    try {
      return Object.fromEntries(readRevision(root, revision).sources.map((s) => [s.path, s.text]));
    } catch (error) {
      messages.push(message('.', 0, 0, 'warning', 'stitch/base-unreproducible', `cannot read the base from git: ${(error as Error).message}`));
      return null;
    }
  };
  if (options.base) candidates.push(fromGit(options.base));
  else {
    candidates.push(() => readSourcesCache(root));
    if (isGitRepository(root)) candidates.push(fromGit('HEAD'));
  }
  let base: Record<string, string> | null = null;
  for (const candidate of candidates) {
    const texts = candidate();
    if (!texts) continue;
    const outputs = tangleSnapshot(snapshotOfTexts(texts, config, 'base')).outputs;
    base ??= texts;
    if (editedPaths.every((path) => sha256(outputs.find((o) => o.path === path)?.content ?? '') === hashes[path])) {
      base = texts;
      break;
    }
  }
  const plan = planStitch({ config, base: base ?? {}, current, edited, hashes, propagate: options.propagate });
  if (!plan.ok || options.dryRun || (Object.keys(plan.documents).length === 0 && plan.outputs.length === 0)) {
    return { plan, edited: editedPaths, written: false, messages };
  }

  options.beforeWrite?.();
  const lock = acquireLock(root);
  if ('error' in lock) return { plan, edited: editedPaths, written: false, messages: [...messages, lock.error] };
  try {
    const moved = [...editedPaths.filter((path) => readText(root, path) !== edited[path]), ...Object.keys(current).filter((path) => readText(root, path) !== current[path])];
    if (moved.length > 0) {
      for (const path of moved) messages.push(message(path, 0, 0, 'error', 'stitch/changed-during-stitch', `${path} changed while stitch was running; nothing was written`, ['run weft stitch again']));
      return { plan: { ...plan, ok: false }, edited: editedPaths, written: false, messages };
    }
    const failed = writeAll(root, [
      ...Object.entries(plan.documents).map(([path, text]) => ({ path, data: text, mode: statSync(join(root, path)).mode & 0o777 })),
      ...plan.outputs.map((output) => ({ path: output.path, data: output.content, mode: output.mode })),
    ]);
    if (failed) return { plan: { ...plan, ok: false }, edited: editedPaths, written: false, messages: [...messages, failed] };
  } finally {
    lock.release();
  }
  // Record the new hashes and rewrite the source maps: the outputs already hold the new content.
  const after = await tangle({ root, bundle: false });
  // `locked`: a watcher (or another weft) is writing and records the manifest itself.
  messages.push(...after.messages.filter((m) => m.severity === 'error' && m.rule !== 'locked'));
  return { plan, edited: editedPaths, written: true, messages };
}

/**
 * Write every file or none: each is staged in a temporary file first (`atomic-write.ts`)
 * and renamed only when all are staged, so a full disk or a read-only folder leaves the
 * documents and outputs as they were. Returns the located error of a failure of the
 * machine; anything else is a bug and is thrown.
 */
function writeAll(root: string, files: readonly { path: string; data: string; mode: number }[]): Message | undefined {
  const staged: { temporary: string; full: string }[] = [];
  for (const { path, data, mode } of files) {
    const full = join(root, path);
    try {
      staged.push({ temporary: stageFile(full, data, mode), full });
    } catch (error) {
      for (const { temporary } of staged) rmSync(temporary, { force: true });
      return failure(error, path, 'nothing was written');
    }
  }
  for (const { temporary, full } of staged) renameSync(temporary, full);
  return undefined;
}
