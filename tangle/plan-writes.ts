// generated from docs/engine/plan-writes.lit.md by weft — edit the source, not this file
import { confinementProblem, outputConflicts, stateOf, type PathState } from './confine.js';
import { sha256, WEFT_DIR } from './manifest.js';
import { message } from './messages.js';
import { byteOrder } from './read.js';
import type { Manifest, Message, Output, WriteAction } from './types.js';

export type { PathState } from './confine.js';

/** What is on disk where a write will go, read just before planning. */
export interface DiskSnapshot {
  /**
   * Project-relative path → what is there: each output and its `.map`, each orphan
   * candidate and its `.map`, and each existing folder on the way to them. A path not
   * held is missing.
   */
  paths: ReadonlyMap<string, PathState>;
  /** Per output path, the content hashes an interrupted write had accepted as Weft's (its journal). */
  journalled: ReadonlyMap<string, ReadonlySet<string>>;
}

/** How to plan. */
export interface PlanOptions {
  /** The configured output folders, project-relative. */
  outputDirs: readonly string[];
  /** The root-level output files (config `outputFiles`), each confined to exactly itself. @default none */
  outputFiles?: readonly string[];
  /** Overwrite (and remove) hand-edited outputs, keeping a backup. @default false */
  force?: boolean;
  /** Plan only: report stale, missing and hand-edited outputs as errors. @default false */
  check?: boolean;
  /** An earlier stage reported an error: plan, but apply nothing. @default false */
  blocked?: boolean;
  /** Outputs known to be on disk as given, path → SHA-256 (watch mode): not checked, maps not written. @default none */
  trusted?: ReadonlyMap<string, string>;
  /** Recorded outputs not in `outputs` that stay as they are (an incremental tangle): not orphans. @default none */
  keep?: ReadonlySet<string>;
  /** Names this run's backup and trash folders (`.weft/trash/STAMP/`). */
  stamp: string;
}

/** One step of a plan, in the order applied (after every `write` is staged). */
export type PlannedAction =
  /** Replace `path` with `content` (staged in a temporary file, renamed once all are staged). */
  | { kind: 'write'; path: string; content: string; mode: number }
  /** Copy `path` to `to` before it is overwritten. */
  | { kind: 'backup'; path: string; to: string }
  /** Set `path`'s permission bits. */
  | { kind: 'chmod'; path: string; mode: number }
  /** Move `path` to `to` (under `.weft/trash/`), then remove folders it leaves empty. */
  | { kind: 'remove'; path: string; to: string };

export interface WritePlan {
  actions: PlannedAction[];
  messages: Message[];
  /** What happens to each output (and each orphan looked at), sorted by path. */
  files: { path: string; action: WriteAction }[];
  /** Outputs that `check` found stale, missing or hand-edited. */
  stale: number;
  /** Whether `actions` are to be applied: no error anywhere, not `check`. */
  apply: boolean;
  /** The next manifest: each output that stays, with the hash of its content. */
  entries: { output: Output; hash: string }[];
  /** Recorded outputs whose manifest entries are copied as they are (`keep`). */
  keep: string[];
  /** For the journal: per output path, every content hash that is Weft's during this write. */
  accepted: Map<string, Set<string>>;
  /** Backups made (project-relative), when applied. */
  backups: string[];
}

/** Recorded (or journalled) paths no longer produced that may be orphans to remove: normal paths inside an output folder. */
export function orphanCandidates(outputs: readonly Output[], manifest: Manifest, journalled: ReadonlyMap<string, unknown>, options: Pick<PlanOptions, 'outputDirs' | 'outputFiles' | 'keep'>): string[] {
  const produced = new Set(outputs.map((o) => o.path));
  return [...new Set([...Object.keys(manifest.outputs), ...journalled.keys()])]
    .filter((path) => !produced.has(path) && !options.keep?.has(path) && confinementProblem(path, options.outputDirs, new Map(), options.outputFiles) === undefined)
    .sort(byteOrder);
}

/** Decide every write, refusal, backup and removal. Pure. */
export function planWrites(outputs: readonly Output[], manifest: Manifest, disk: DiskSnapshot, options: PlanOptions): WritePlan {
  const plan = startPlan(outputs, disk, options);
  for (const output of outputs) planOutput(output, manifest, plan);
  planOrphans(outputs, manifest, plan);
  return finishPlan(outputs, manifest, plan);
}

/** A plan being made: what is decided so far, and the small steps every rule uses. */
type Plan = ReturnType<typeof startPlan>;

/** An empty plan for `outputs`, with the conflicts between them already found. */
function startPlan(outputs: readonly Output[], disk: DiskSnapshot, options: PlanOptions) {
  const actions: PlannedAction[] = [];
  const removals: PlannedAction[] = [];
  const files: { path: string; action: WriteAction }[] = [];
  const entries: WritePlan['entries'] = [];
  const accepted = new Map<string, Set<string>>([...disk.journalled].map(([path, hashes]) => [path, new Set(hashes)]));
  const backups: string[] = [];
  /** Warnings that only hold when the plan is applied (`--force` overwrote something). */
  const forced: Message[] = [];
  const check = options.check === true;
  const force = options.force === true && !check;
  const { messages, conflicted } = outputConflicts(outputs);
  /** How many outputs `check` found stale, missing or hand-edited. */
  const counts = { stale: 0 };
  const staleMessage = (path: string, text: string, notes?: string[]) => {
    counts.stale++;
    messages.push(message(path, 0, 0, 'error', 'stale-output', text, notes));
  };
  const accept = (path: string, ...hashes: (string | undefined)[]) => {
    let set = accepted.get(path);
    if (!set) accepted.set(path, (set = new Set()));
    for (const hash of hashes) if (hash !== undefined) set.add(hash);
  };
  const backup = (path: string, why: string) => {
    const to = `${WEFT_DIR}/trash/${options.stamp}/${path}`;
    actions.push({ kind: 'backup', path, to });
    backups.push(to);
    forced.push(message(path, 0, 0, 'warning', 'hand-edited-output', `${path} ${why}; overwritten because of --force`, [`the edited file was saved to ${to}`]));
  };
  const isWefts = (path: string, hash: string, recorded: string | undefined) => hash === recorded || disk.journalled.get(path)?.has(hash) === true;

  /** Plan the sibling `.map`: derived data, rewritten when it differs, when `owned` (its output is Weft's). */
  function planMap(output: Output, owned: boolean): void {
    if (output.map === null) return;
    const path = `${output.path}.map`;
    const state = stateOf(disk.paths, path);
    if (state.kind !== 'missing' && state.kind !== 'file') return; // Never write through a link, nor over a folder.
    if (state.kind === 'file') {
      if (state.hash === sha256(output.map)) return;
      if (!owned) {
        if (!force) {
          messages.push(
            message(path, 0, 0, 'error', 'hand-edited-output', `${path} exists and was not written by weft; refusing to overwrite it`, [
              `weft writes the source map of ${output.path} there: move the file away, or run with --force to overwrite it (a copy is kept under .weft/trash/)`,
            ]),
          );
          return;
        }
        backup(path, 'exists and was not written by weft');
      }
    }
    actions.push({ kind: 'write', path, content: output.map, mode: 0o644 });
  }

  function trashed(path: string): string {
    return `${WEFT_DIR}/trash/${options.stamp}/${path}`;
  }

  return { actions, removals, files, entries, accepted, backups, forced, check, force, messages, conflicted, counts, disk, options, staleMessage, accept, backup, isWefts, planMap, trashed };
}

/** The fate of one output: unchanged, written, refused or (with `force`) overwritten. */
function planOutput(output: Output, manifest: Manifest, plan: Plan): void {
  const { actions, files, entries, messages, conflicted, check, force, counts, disk, options, staleMessage, accept, backup, isWefts, planMap } = plan;
  const path = output.path;
  if (conflicted.has(path)) {
    files.push({ path, action: 'refused' });
    return;
  }
  const recorded = manifest.outputs[path]?.hash;
  const trusted = check ? undefined : options.trusted?.get(path);
  if (trusted !== undefined) {
    if (trusted !== recorded) accept(path, recorded, trusted);
    entries.push({ output, hash: trusted });
    files.push({ path, action: 'unchanged' });
    return;
  }
  const hash = sha256(output.content);
  const problem = confinementProblem(path, options.outputDirs, disk.paths, options.outputFiles);
  if (problem) {
    messages.push(message(path, 0, 0, 'error', 'output-outside-root', `refusing to write ${path}: ${problem}`, [`defined in ${output.document}`]));
    files.push({ path, action: 'refused' });
    return;
  }
  const state = stateOf(disk.paths, path);
  const write = () => {
    actions.push({ kind: 'write', path, content: output.content, mode: output.mode });
    files.push({ path, action: 'written' });
    entries.push({ output, hash });
  };
  if (state.kind === 'file' && state.hash === hash) {
    if (hash !== recorded) accept(path, recorded, hash);
    if (state.mode !== output.mode) {
      if (check) staleMessage(path, `${path} has the wrong file mode`, ['run `weft tangle` to fix it']);
      actions.push({ kind: 'chmod', path, mode: output.mode });
    }
    entries.push({ output, hash });
    files.push({ path, action: 'unchanged' });
    planMap(output, true);
    return;
  }
  if (state.kind !== 'file') {
    if (check) staleMessage(path, `${path} is missing`, [`run \`weft tangle\` to generate it from ${output.document}`]);
    accept(path, recorded, hash);
    write();
    planMap(output, recorded !== undefined || disk.journalled.has(path));
    return;
  }
  if (isWefts(path, state.hash, recorded)) {
    if (check) staleMessage(path, `${path} is stale`, [`run \`weft tangle\` to regenerate it from ${output.document}`]);
    accept(path, recorded, state.hash, hash);
    write();
    planMap(output, true);
    return;
  }
  const why = recorded === undefined ? 'exists and was not written by weft' : 'was edited by hand';
  if (force) {
    backup(path, why);
    accept(path, recorded, hash);
    write();
    planMap(output, true);
    return;
  }
  if (check) counts.stale++;
  messages.push(
    message(path, firstDifference(state.text ?? '', output.content), 1, 'error', 'hand-edited-output', `${path} ${why}; refusing to overwrite it`, [
      `it is generated from ${output.document}: move the edit there (\`weft stitch\` does it for you, \`weft stitch --dry-run\` shows where it would land), or run with --force to overwrite it (a copy is kept under .weft/trash/)`,
    ]),
  );
  files.push({ path, action: 'refused' });
}

/** The fate of each recorded output no document produces any more. */
function planOrphans(outputs: readonly Output[], manifest: Manifest, plan: Plan): void {
  const { removals, files, backups, forced, messages, check, force, disk, options, staleMessage, isWefts, trashed } = plan;
  for (const path of orphanCandidates(outputs, manifest, disk.journalled, options)) {
    if (confinementProblem(path, options.outputDirs, disk.paths, options.outputFiles)) continue;
    const state = stateOf(disk.paths, path);
    const map = `${path}.map`;
    const mapIsFile = stateOf(disk.paths, map).kind === 'file';
    if (state.kind !== 'file') {
      // Deleted by an interrupted run that did not get to its map.
      if (state.kind === 'missing' && mapIsFile) removals.push({ kind: 'remove', path: map, to: trashed(map) });
      continue;
    }
    if (isWefts(path, state.hash, manifest.outputs[path]?.hash)) {
      if (check) staleMessage(path, `${path} is no longer produced by any document and would be deleted`);
      removals.push({ kind: 'remove', path, to: trashed(path) });
      if (mapIsFile) removals.push({ kind: 'remove', path: map, to: trashed(map) });
      files.push({ path, action: 'deleted' });
    } else if (force) {
      const to = `${WEFT_DIR}/trash/${options.stamp}/${path}`;
      removals.push({ kind: 'remove', path, to });
      if (mapIsFile) removals.push({ kind: 'remove', path: map, to: trashed(map) });
      backups.push(to);
      forced.push(message(path, 0, 0, 'warning', 'hand-edited-output', `${path} was edited by hand and is no longer produced; deleted because of --force`, [`the edited file was saved to ${to}`]));
      files.push({ path, action: 'deleted' });
    } else {
      messages.push(
        message(path, 0, 0, 'warning', 'hand-edited-output', `${path} is no longer produced by any document but was edited by hand; keeping it`, [
          'delete it yourself if it is not needed, or run with --force to delete it (a copy is kept under .weft/trash/)',
        ]),
      );
      files.push({ path, action: 'kept' });
    }
  }
}

/** The plan as decided, or, when anything is wrong, a plan that changes nothing. */
function finishPlan(outputs: readonly Output[], manifest: Manifest, plan: Plan): WritePlan {
  const { actions, removals, files, entries, accepted, backups, forced, check, messages, counts, options } = plan;
  const stale = counts.stale;
  const apply = !check && !options.blocked && !messages.some((m) => m.severity === 'error');
  if (!apply) {
    // Nothing happens: what would have been written is refused (in check mode: stale), orphans stay.
    const shown = files.filter((f) => f.action !== 'deleted').map((f) => (f.action === 'written' ? { path: f.path, action: 'refused' as const } : f));
    return { actions: [], messages, files: shown.sort((a, b) => byteOrder(a.path, b.path)), stale, apply, entries, keep: [], accepted, backups: [] };
  }
  return {
    actions: [...actions, ...removals],
    messages: [...messages, ...forced],
    files: files.sort((a, b) => byteOrder(a.path, b.path)),
    stale,
    apply,
    entries,
    keep: [...(options.keep ?? [])].filter((path) => Object.hasOwn(manifest.outputs, path) && !outputs.some((o) => o.path === path)),
    accepted,
    backups,
  };
}

/** First 1-based line where two texts differ. */
function firstDifference(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) if (left[i] !== right[i]) return i + 1;
  return 1;
}
//# sourceMappingURL=plan-writes.ts.map
