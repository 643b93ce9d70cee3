/**
 * One writer at a time: `.weft/lock` holds the writer's pid (and, on Linux, its start
 * time). A lock whose process is gone, or whose pid now names another process, is
 * taken over, one taker at a time (`.weft/lock.takeover`).
 *
 * The lock never exists empty: it is written to a temporary file that is hard-linked
 * into place (an exclusive create where hard links are not supported), so a reader
 * never mistakes a lock being made for garbage to take over.
 */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { unsafeFolder } from './confine.js';
import { WEFT_DIR } from './manifest.js';
import { message } from './messages.js';
import type { Message } from './types.js';

export const LOCK_FILE = '.weft/lock';

/** Take `.weft/lock`, or say who holds it. Returns a release function or an error message. */
export function acquireLock(root: string): { release: () => void } | { error: Message } {
  const path = join(root, LOCK_FILE);
  // Everything Weft writes for itself (lock, journal, manifest, backups) is under .weft/.
  const unsafe = unsafeFolder(root, [WEFT_DIR, `${WEFT_DIR}/backup`, `${WEFT_DIR}/cache`, `${WEFT_DIR}/trash`]);
  if (unsafe) return { error: message(WEFT_DIR, 0, 0, 'error', 'unsafe-weft-folder', unsafe) };
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createWithPid(path)) {
      return {
        release: () => {
          const holder = readPid(path);
          if (typeof holder === 'object' && holder.pid === process.pid) rmSync(path, { force: true });
        },
      };
    }
    const holder = readPid(path);
    if (holder === 'gone') continue; // Released between our attempt and our read: try again.
    if (holder !== undefined && holder.pid !== process.pid && isAlive(holder)) {
      return { error: message(LOCK_FILE, 0, 0, 'error', 'locked', `another weft is running (pid ${holder.pid}); wait for it to finish`, [`if no weft is running, delete ${LOCK_FILE}`]) };
    }
    takeOverStale(path, holder);
  }
  return { error: message(LOCK_FILE, 0, 0, 'error', 'locked', 'cannot take the lock; another weft keeps taking it') };
}

/**
 * Create `path` holding our identity, only if it does not exist. It is written to a
 * temporary file that is then hard-linked into place, so the lock never exists empty
 * (an empty lock would look like garbage to be taken over). Where hard links are not
 * supported, an exclusive create is the fallback.
 */
function createWithPid(path: string): boolean {
  const temporary = `${path}.weft-tmp-${process.pid}`;
  const text = ownLockText();
  try {
    rmSync(temporary, { force: true }); // Ours by name (our pid); a planted link there is removed, never followed.
    writeFileSync(temporary, text, { flag: 'wx' });
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, text);
      closeSync(fd);
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallback;
    }
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * Who holds a lock: a pid and, where the system says (Linux's `/proc`), when that
 * process started. The start time tells a holder that is still running from an
 * unrelated process that got the same pid after the holder died (pids are reused,
 * and after a reboot or in a new container, soon): only the first blocks.
 */
interface Holder {
  pid: number;
  /** Start time of the process in clock ticks after boot, when known. */
  started?: string;
}

let ownLock: string | undefined;
function ownLockText(): string {
  if (ownLock === undefined) {
    const started = startTimeOf(process.pid);
    ownLock = started === undefined ? `${process.pid}\n` : `${process.pid} ${started}\n`;
  }
  return ownLock;
}

/** Field 22 of `/proc/PID/stat` (start time), or undefined without `/proc` or such a process. */
function startTimeOf(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from its end.
  const field = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return field !== undefined && /^\d+$/.test(field) ? field : undefined;
}

/** The holder named in a lock file; undefined when it names none; 'gone' when there is no file. */
function readPid(path: string): Holder | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return 'gone';
  }
  const match = /^(\d{1,10})(?: (\d{1,20}))?\n?$/.exec(text);
  const pid = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return match![2] === undefined ? { pid } : { pid, started: match![2] };
}

const sameHolder = (a: Holder | undefined | 'gone', b: Holder | undefined | 'gone'): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && a.pid === b.pid && a.started === b.started);

/**
 * Remove a lock whose process is gone (or that holds no pid), one process at a time:
 * without this, two wefts that both found the stale lock could each remove it, the
 * second removing the first's fresh lock, and both would write. `path.takeover` is
 * itself a lock, held for the moment of a read and a delete.
 */
function takeOverStale(path: string, stale: Holder | undefined): void {
  const takeover = `${path}.takeover`;
  if (!createWithPid(takeover)) {
    const other = readPid(takeover);
    // One whose process is gone was killed within that moment: clear it for the next attempt.
    if (other !== 'gone' && (other === undefined || !isAlive(other))) rmSync(takeover, { force: true });
    return;
  }
  try {
    if (sameHolder(readPid(path), stale)) rmSync(path, { force: true });
  } finally {
    rmSync(takeover, { force: true });
  }
}

/** Whether the holder is still running: its pid exists and, when both are known, started when it did. */
function isAlive(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.started === undefined) return true;
  const started = startTimeOf(holder.pid);
  return started === undefined || started === holder.started;
}

