/**
 * Apply a `WritePlan`: the only code that changes the disk for a tangle.
 *
 * Order, and why:
 * 1. The journal (`.weft/journal.json`) goes first, so a crash from then on is repaired
 *    by the next run (journal.ts).
 * 2. Every new file is staged in its temporary, and every backup copied, before any
 *    output is replaced. A full disk, a read-only folder or a link planted at a
 *    temporary's name stops the run here: the staged files, backups, new folders and
 *    the journal are removed, and a located error says why. A run that reports an error
 *    has written nothing.
 * 3. The temporaries are renamed over the outputs, modes are set, orphans are moved to
 *    `.weft/trash/` (a forged manifest can make Weft remove a file, never lose it).
 * 4. `onOutputsInPlace` (a bundler starts here), then the manifest, then the journal is
 *    removed, then the trash is cut down to the last `TRASH_RUNS` runs.
 * A failure of the machine in step 3 or 4 (a rename over an immutable file, say) leaves
 * the journal: it is reported, located, and the next run finishes the job.
 */
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { atomicWrite, environmentFailure, setMode, stageFile, temporaryOf, TemporaryInTheWay } from './atomic-write.js';
import { JOURNAL_FILE, removeJournal, writeJournal } from './journal.js';
import { bytesOfOutput, entryTexts, manifestBytes, manifestEntryText, MANIFEST_FILE, rememberManifest, WEFT_DIR } from './manifest.js';
import { message } from './messages.js';
import type { WritePlan } from './plan-writes.js';
import type { Manifest, Message, WriteAction } from './types.js';
import { WEFT_VERSION } from './version.js';

/** How many runs' removed files `.weft/trash/` keeps (one folder per run, oldest removed first). */
export const TRASH_RUNS = 10;

/** What applying needs besides the plan. */
export interface ApplyContext {
  /** The manifest the plan was made from (kept entries are copied from it). */
  manifest: Manifest;
  /** The manifest file's bytes as read (not rewritten when the new one is the same). */
  manifestOnDisk?: Buffer;
  /** The configured output folders: emptied folders are removed up to, not including, these. */
  outputDirs: readonly string[];
  /** The manifest and journal files (the bundle keeps its own). @default `.weft/manifest.json`, `.weft/journal.json` */
  files?: { manifest: string; journal: string };
  /** Called once every output is in place, before the manifest is written. */
  onOutputsInPlace?: () => void;
  /** Write the manifest; false in generated mode (write.ts), which keeps no record. @default true */
  record?: boolean;
}

/** Do what the plan says. Returns the files as they ended up and any failure, located. */
export function applyWrites(root: string, plan: WritePlan, context: ApplyContext): { files: { path: string; action: WriteAction }[]; messages: Message[]; backups: string[] } {
  if (!plan.apply) return { files: plan.files, messages: [], backups: [] };
  const writes = plan.actions.filter((a) => a.kind === 'write');
  const staged: { temporary: string; full: string }[] = [];
  const madeFolders: string[] = [];
  const copied: string[] = [];
  const ensured = new Set<string>();
  const ensureFolder = (folder: string) => {
    if (ensured.has(folder)) return;
    const first = mkdirSync(folder, { recursive: true });
    if (first !== undefined) for (let f = folder; f.length >= first.length; f = dirname(f)) madeFolders.push(f);
    ensured.add(folder);
  };
  const { manifest: manifestFile, journal: journalFile } = context.files ?? { manifest: MANIFEST_FILE, journal: JOURNAL_FILE };
  let current = journalFile;
  try {
    writeJournal(root, plan.accepted, writes.map((w) => temporaryOf(w.path)), journalFile);
    for (const write of writes) {
      current = write.path;
      const full = join(root, write.path);
      ensureFolder(dirname(full));
      staged.push({ temporary: stageFile(full, write.content, write.mode), full });
    }
    for (const action of plan.actions) {
      if (action.kind !== 'backup') continue;
      current = action.to;
      ensureFolder(dirname(join(root, action.to)));
      copyFileSync(join(root, action.path), join(root, action.to));
      copied.push(join(root, action.to));
    }
  } catch (error) {
    for (const { temporary } of staged) rmSync(temporary, { force: true });
    for (const file of copied) rmSync(file, { force: true });
    for (const folder of madeFolders.sort((a, b) => b.length - a.length)) tryRmdir(folder);
    removeJournal(root, journalFile);
    const refused = plan.files.map((f) => (f.action === 'written' || f.action === 'deleted' ? { path: f.path, action: 'refused' as const } : f));
    return { files: refused, messages: [failure(error, current, 'nothing was changed')], backups: [] };
  }

  let renamed = 0;
  try {
    for (; renamed < staged.length; renamed++) {
      const { temporary, full } = staged[renamed]!;
      current = full.slice(root.length + 1);
      renameSync(temporary, full);
    }
    for (const action of plan.actions) {
      current = action.path;
      if (action.kind === 'chmod') setMode(join(root, action.path), action.mode);
      else if (action.kind === 'remove') {
        mkdirSync(dirname(join(root, action.to)), { recursive: true });
        moveFile(join(root, action.path), join(root, action.to));
        removeEmptyParents(root, action.path, context.outputDirs);
      }
    }
    context.onOutputsInPlace?.();
    current = manifestFile;
    if (context.record !== false) writeManifest(root, plan, context, manifestFile);
    removeJournal(root, journalFile);
    pruneTrash(root);
  } catch (error) {
    for (const { temporary } of staged.slice(renamed)) rmSync(temporary, { force: true });
    return { files: plan.files, messages: [failure(error, current, 'the write was interrupted; run `weft tangle` again once that is fixed (the journal in .weft/ lets it finish the job)')], backups: plan.backups };
  }
  return { files: plan.files, messages: [], backups: plan.backups };
}

/** A located error for a failure of the machine (full disk, read-only folder) or a planted temporary; anything else is a bug and is thrown. */
export function failure(error: unknown, path: string, outcome: string): Message {
  if (error instanceof TemporaryInTheWay) {
    return message(path, 0, 0, 'error', 'temporary-in-the-way', `cannot write ${path}: ${posix.basename(error.temporary)} is in the way (weft never writes through a file or link it did not create); ${outcome}`, [
      `delete it: rm ${JSON.stringify(error.temporary)}`,
    ]);
  }
  const reason = environmentFailure(error);
  if (reason === undefined) throw error;
  return message(path, 0, 0, 'error', 'write-failed', `cannot write ${path}: ${reason} (${(error as NodeJS.ErrnoException).code}); ${outcome}`);
}

/** The new manifest, from each entry's cached encoding; written only when it differs. */
function writeManifest(root: string, plan: WritePlan, context: ApplyContext, file: string): void {
  const next: Manifest = { weft: WEFT_VERSION, outputs: {} };
  const encoded = new Map<string, Buffer>();
  for (const { output, hash } of plan.entries) {
    const entry = { hash, document: output.document, chunks: output.chunks };
    next.outputs[output.path] = entry;
    let bytes = bytesOfOutput.get(output);
    // A cached encoding is only valid for the same hash (a trusted output's hash is the one on disk).
    if (bytes === undefined || !bytes.includes(hash)) bytesOfOutput.set(output, (bytes = Buffer.from(manifestEntryText(output.path, entry))));
    encoded.set(output.path, bytes);
  }
  const keptTexts = entryTexts.get(context.manifest.outputs);
  for (const path of plan.keep) {
    // Copy the (possibly still unparsed) entry's text as it is: parsing 2,000 entries to copy them would cost more than the write.
    encoded.set(path, Buffer.from(keptTexts?.get(path) ?? manifestEntryText(path, context.manifest.outputs[path]!)));
  }
  // The default sort compares UTF-16 code units, as `byteOrder` does.
  const bytes = manifestBytes(WEFT_VERSION, [...encoded.keys()].sort().map((path) => encoded.get(path)!));
  const full = join(root, file);
  if (!context.manifestOnDisk?.equals(bytes)) atomicWrite(full, bytes, 0o644);
  // `next` lacks the copied entries (only an incremental tangle copies, once per process): read the file again next time.
  rememberManifest(full, bytes, plan.keep.length > 0 ? undefined : next);
}

/** Move a file (a rename; a copy and delete when the trash is on another device). */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}

/** Keep the trash of the last `TRASH_RUNS` runs (folder names are ISO times: they sort by age). */
function pruneTrash(root: string): void {
  let runs: string[];
  try {
    runs = readdirSync(join(root, WEFT_DIR, 'trash')).sort();
  } catch {
    return;
  }
  for (const run of runs.slice(0, Math.max(0, runs.length - TRASH_RUNS))) rmSync(join(root, WEFT_DIR, 'trash', run), { recursive: true, force: true });
}

function removeEmptyParents(root: string, path: string, outputDirs: readonly string[]): void {
  for (let dir = posix.dirname(path); dir !== '.' && !outputDirs.includes(dir); dir = posix.dirname(dir)) {
    if (!tryRmdir(join(root, dir))) return; // Not empty (or gone): stop climbing.
  }
}

function tryRmdir(full: string): boolean {
  try {
    rmdirSync(full);
    return true;
  } catch {
    return false;
  }
}
