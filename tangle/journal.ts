/**
 * The crash journal, `.weft/journal.json`: written before the first file a write
 * touches, removed after the new manifest is in place. A SIGKILL in between leaves
 * outputs the manifest does not describe; the journal says which contents are still
 * Weft's own (so they are not mistaken for hand edits) and which temporary files to
 * delete.
 *
 * Recovery never wedges a project: the journal is untrusted input (a repository can
 * commit one), so recovery only deletes names Weft makes, in real folders inside the
 * project, tolerates any shape and any state of the disk (a file where a folder was,
 * say), and when it still cannot finish it reports a located error naming the one
 * command that clears it, instead of failing the same way on every run.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { atomicWrite, TEMPORARY } from './atomic-write.js';
import { unsafeRelativePath } from './config.js';
import { WEFT_DIR } from './manifest.js';
import { message } from './messages.js';
import type { Message } from './types.js';

export const JOURNAL_FILE = '.weft/journal.json';

/** What `.weft/journal.json` holds. */
export interface Journal {
  pid: number;
  /**
   * Per output path, every content hash that is Weft's: the manifest's, the content on
   * disk that this write accepted as its own, the new one, and those an interrupted
   * earlier write had accepted (carried over, so crashes in a row lose nothing).
   */
  accepted: Record<string, string[]>;
  /** Project-relative temporary files this write may leave behind (outputs and maps). */
  temporaries: string[];
}

/** Per output path, the content hashes an interrupted write had accepted as Weft's. */
export type Accepted = Map<string, Set<string>>;

/**
 * Finish what an interrupted write left: delete its temporary files (and those of Weft's
 * own atomic writes under `.weft/`) and return the contents it had accepted as Weft's.
 * The journal itself stays until the next manifest is written. Never throws.
 */
export function recoverJournal(root: string, file = JOURNAL_FILE): { accepted: Accepted; messages: Message[] } {
  const accepted: Accepted = new Map();
  try {
    // Weft's own atomic writes (journal, manifest, lock, build state, stitch's source copy)
    // leave `NAME.weft-tmp-PID` when killed; we hold the lock.
    for (const folder of [WEFT_DIR, `${WEFT_DIR}/cache`, `${WEFT_DIR}/cache/sources`]) {
      let names: string[] = [];
      try {
        names = readdirSync(join(root, folder));
      } catch {
        // Not there yet.
      }
      for (const name of names) if (TEMPORARY.test(name)) rmSync(join(root, folder, name), { force: true });
    }
    let journal: Partial<Journal>;
    try {
      journal = JSON.parse(readFileSync(join(root, file), 'utf8')) as Partial<Journal>;
    } catch {
      return { accepted, messages: [] }; // None, or not ours to read: nothing was promised.
    }
    if (!journal || typeof journal !== 'object') return { accepted, messages: [] };
    const realRoot = realpathOrNull(root);
    for (const temporary of Array.isArray(journal.temporaries) ? journal.temporaries : []) {
      // Only delete names Weft makes, in real folders inside the project, and never a folder.
      if (typeof temporary !== 'string' || !TEMPORARY.test(temporary) || unsafeRelativePath(temporary)) continue;
      const folder = realpathOrNull(dirname(join(root, temporary)));
      if (realRoot === null || folder === null || !folder.startsWith(realRoot + sep)) continue;
      // `unlink`, not `rm`: a refusal (an immutable folder) is then reported as such, not as a failed folder scan.
      if (lstatOrNull(join(root, temporary))?.isDirectory() === false) unlinkUnlessGone(join(root, temporary));
    }
    if (journal.accepted && typeof journal.accepted === 'object') {
      for (const [path, hashes] of Object.entries(journal.accepted)) {
        if (Array.isArray(hashes)) accepted.set(path, new Set(hashes.filter((h): h is string => typeof h === 'string')));
      }
    }
    return { accepted, messages: [] };
  } catch (error) {
    return {
      accepted,
      messages: [
        message(file, 0, 0, 'error', 'journal-unrecoverable', `cannot recover from the interrupted write this journal describes (${(error as Error).message})`, [
          `check the outputs, then run \`rm ${file}\` and \`weft tangle\` again`,
        ]),
      ],
    };
  }
}

/** Write the journal (atomically) before any output is touched. */
export function writeJournal(root: string, accepted: Accepted, temporaries: string[], file = JOURNAL_FILE): void {
  const journal: Journal = { pid: process.pid, accepted: Object.fromEntries([...accepted].map(([path, hashes]) => [path, [...hashes].sort()])), temporaries };
  atomicWrite(join(root, file), JSON.stringify(journal), 0o644);
}

/** Remove the journal: the manifest now describes the disk. */
export function removeJournal(root: string, file = JOURNAL_FILE): void {
  rmSync(join(root, file), { force: true });
}

function unlinkUnlessGone(full: string): void {
  try {
    unlinkSync(full);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** `lstat`, or null when the path (or a folder on the way) is not there. */
export function lstatOrNull(full: string) {
  try {
    return lstatSync(full, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // ENOTDIR: a file where a folder was.
  }
}

export function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
