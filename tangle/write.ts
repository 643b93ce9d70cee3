/**
 * Write stage: put outputs on disk without ever losing anybody's work.
 *
 * `writeOutputs` is plan, then apply: it reads the manifest, recovers from an
 * interrupted write (journal.ts), reads what is on disk (disk-snapshot.ts), lets the pure
 * `planWrites` (plan-writes.ts) decide every write, refusal, backup and removal, and,
 * unless checking or an error was found, lets `applyWrites` (apply-writes.ts) do it.
 *
 * Guarantees (each stated and argued in the file that keeps it):
 * - All or nothing: a run that reports an error writes nothing (apply-writes.ts stages
 *   every file before replacing any; earlier errors stop it before it starts).
 * - Only changed files are written, atomically (atomic-write.ts), never through a link
 *   or out of the output folders (confine.ts).
 * - Hand edits are never overwritten or deleted without `--force`, which keeps a backup;
 *   orphans go to `.weft/trash/`, not away (plan-writes.ts).
 * - A crash mid-write is repaired by the next run (journal.ts); one writer at a time
 *   (lock.ts).
 *
 * Generated mode (`manifest: false`, for outputs that are not committed) keeps no record:
 * the manifest is neither read nor written, every file found at an output path is taken
 * as Weft's own (it is derived data: overwritten when it differs, reported stale by a
 * check), and nothing is an orphan (nothing records what an earlier run wrote). It is
 * planned by the same rules, with a manifest made from the disk: "recorded hash == hash on
 * disk" is exactly "Weft's own", so confinement, links and maps are handled as ever.
 */
import type { ResolvedConfig } from './config.js';
import { applyWrites } from './apply-writes.js';
import { readDiskSnapshot } from './disk-snapshot.js';
import { recoverJournal } from './journal.js';
import { loadManifest } from './manifest.js';
import { orphanCandidates, planWrites, type PlanOptions } from './plan-writes.js';
import type { PathState } from './confine.js';
import type { Manifest, Message, Output, WriteAction } from './types.js';
import { WEFT_VERSION } from './version.js';

export { atomicWrite } from './atomic-write.js';
export { unsafeFolder } from './confine.js';
export { acquireLock } from './lock.js';
export { MANIFEST_FILE, readManifest, serialiseManifest, WEFT_DIR } from './manifest.js';

/** Options of one write. */
export interface WriteOptions {
  /** Overwrite (and delete) hand-edited outputs, keeping a backup. @default false */
  force?: boolean;
  /** Write nothing; report stale, missing and hand-edited outputs as errors. @default false */
  check?: boolean;
  /** Messages from earlier stages; when any is an error, nothing is written. */
  messages?: Message[];
  /**
   * Outputs known to be on disk exactly as given, path → SHA-256 of the content (watch
   * mode: written or checked by its previous rebuild, and no file event since). They are
   * not read, checked or rewritten again, nor are their maps. @default none
   */
  trusted?: ReadonlyMap<string, string>;
  /**
   * Outputs not in `outputs` that stay as they are (an incremental tangle that did not
   * look at them): their manifest entries are kept and they are not orphans. @default none
   */
  keep?: ReadonlySet<string>;
  /**
   * Known SHA-256 of what is on disk, by output path (from the build state's stamps), so
   * the file need not be read to compare it. @default none
   */
  onDisk?: ReadonlyMap<string, string>;
  /**
   * Called once every output and map is in place and the orphans are gone, before the
   * manifest is written: a bundler started here reads the new outputs while the manifest
   * is being written. Not called when the write stops on an error, nor in check mode.
   * @default none
   */
  onOutputsInPlace?: () => void;
  /** Keep the manifest; false is generated mode (see the top of this file). @default true */
  manifest?: boolean;
}

export interface WriteResult {
  files: { path: string; action: WriteAction }[];
  messages: Message[];
  /** Number of outputs that `check` found stale, missing or hand-edited. */
  stale: number;
  /** Backups made by `force`, project-relative. */
  backups: string[];
}

/**
 * Bring the disk in line with `outputs`: write what changed, remove orphans, record the
 * manifest. With `check`, plan only and report what is out of date.
 */
export function writeOutputs(root: string, outputs: readonly Output[], config: ResolvedConfig, options: WriteOptions = {}): WriteResult {
  return planAndApply(root, outputs, {
    outputDirs: config.outputDirs,
    outputFiles: config.outputFiles,
    force: options.force,
    check: options.check,
    blocked: (options.messages ?? []).some((m) => m.severity === 'error'),
    trusted: options.trusted,
    keep: options.keep,
    onDisk: options.onDisk,
    onOutputsInPlace: options.onOutputsInPlace,
    manifest: options.manifest,
  });
}

/** Where one kind of output keeps its record. @default the tangle's: `.weft/manifest.json` and `.weft/journal.json` */
export interface RecordFiles {
  manifest: string;
  journal: string;
}

/** `planWrites` then `applyWrites` for any set of outputs (the tangle's, the bundle's) with its own manifest and journal. */
export function planAndApply(
  root: string,
  outputs: readonly Output[],
  options: Omit<PlanOptions, 'stamp'> & Pick<WriteOptions, 'onDisk' | 'onOutputsInPlace' | 'manifest'> & { files?: RecordFiles },
): WriteResult {
  const generated = options.manifest === false;
  // Read once: we hold the lock, so the text is still the file's when the new one is compared.
  const loaded = generated ? { manifest: { weft: WEFT_VERSION, outputs: {} }, messages: [] } : loadManifest(root, options.files?.manifest);
  const { messages: manifestMessages, bytes: manifestOnDisk } = loaded;
  const recovered = options.check ? { accepted: new Map<string, Set<string>>(), messages: [] } : recoverJournal(root, options.files?.journal);
  const planOptions: PlanOptions = { ...options, blocked: options.blocked || recovered.messages.length > 0, stamp: new Date().toISOString().replace(/[:.]/g, '-') };
  const others = generated ? [] : orphanCandidates(outputs, loaded.manifest, recovered.accepted, planOptions);
  const paths = readDiskSnapshot(root, outputs, others, options.check ? undefined : options.trusted, options.onDisk);
  const manifest = generated ? manifestOfDisk(outputs, paths) : loaded.manifest;
  const plan = planWrites(outputs, manifest, { paths, journalled: recovered.accepted }, planOptions);
  const applied = applyWrites(root, plan, { manifest, manifestOnDisk, outputDirs: options.outputDirs, files: options.files, onOutputsInPlace: options.onOutputsInPlace, record: !generated });
  return { files: applied.files, messages: [...manifestMessages, ...recovered.messages, ...plan.messages, ...applied.messages], stale: plan.stale, backups: applied.backups };
}

/** Generated mode's record: every output found on disk, as it is there (so the planner takes it as Weft's own). */
function manifestOfDisk(outputs: readonly Output[], paths: ReadonlyMap<string, PathState>): Manifest {
  const manifest: Manifest = { weft: WEFT_VERSION, outputs: {} };
  for (const output of outputs) {
    const state = paths.get(output.path);
    if (state?.kind === 'file') manifest.outputs[output.path] = { hash: state.hash, document: output.document, chunks: output.chunks };
  }
  return manifest;
}
