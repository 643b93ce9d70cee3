/**
 * Write stage: put outputs on disk without ever losing anybody's work.
 *
 * Guarantees, and how:
 * - Nothing is written when any error was found (in any document or here): a tangle is
 *   all or nothing, so the last good outputs stay on disk untouched.
 * - Only changed files are written (unchanged files keep their mtime); every write is a
 *   temporary file in the same folder, then `rename`, so a reader (or a SIGKILL) sees
 *   either the old content or the new one, never half a file.
 * - Hand edits are detected: `.weft/manifest.json` records the hash of what Weft last
 *   wrote; a file whose content differs from both that and the new content was edited
 *   by someone else and is not overwritten (nor deleted) without `--force`, which keeps
 *   a backup under `.weft/backup/` and says where. A file Weft never wrote is never
 *   overwritten either.
 * - Outputs stay where they were told: every existing folder on the way to an output is
 *   checked with `lstat`/`realpath`, so a symbolic link that leads out of the output
 *   directory (or a link planted at the output path) is refused.
 * - A crash mid-write is repaired by the next run: before writing, a journal
 *   (`.weft/journal.json`) lists each temporary file and each file's old and new hash;
 *   the next run deletes leftover temporary files and accepts either hash as "written
 *   by Weft". The manifest is replaced atomically after the outputs.
 * - One writer at a time: `.weft/lock` holds the writer's pid (and, on Linux, its start
 *   time); a lock whose process is gone, or whose pid now names another process, is
 *   taken over.
 *
 * Source maps (`.map`) are derived data: always rewritten when they differ, never
 * recorded in the manifest, never part of the staleness verdict.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, posix, sep } from 'node:path';
import { unsafeRelativePath, type ResolvedConfig } from './config.js';
import { message } from './messages.js';
import { byteOrder } from './read.js';
import type { Manifest, ManifestEntry, Message, Output, WriteAction } from './types.js';
import { WEFT_VERSION } from './version.js';

export const WEFT_DIR = '.weft';
export const MANIFEST_FILE = '.weft/manifest.json';
const JOURNAL_FILE = '.weft/journal.json';
const LOCK_FILE = '.weft/lock';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

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
 * `.weft/journal.json`: written before the first file a write touches, removed after the
 * new manifest is in place. A SIGKILL in between leaves outputs the manifest does not
 * describe; the journal says which contents are still Weft's own and what to clean up.
 */
interface Journal {
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

/** Read `.weft/manifest.json`; a missing or malformed one is empty (malformed: a warning). */
export function readManifest(root: string): { manifest: Manifest; messages: Message[] } {
  const { manifest, messages } = loadManifest(root);
  return { manifest, messages };
}

/** `readManifest`, and the file's bytes (undefined when there is no manifest). */
function loadManifest(root: string): { manifest: Manifest; messages: Message[]; bytes?: Buffer } {
  const empty: Manifest = { weft: WEFT_VERSION, outputs: {} };
  const full = join(root, MANIFEST_FILE);
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch {
    return { manifest: empty, messages: [] };
  }
  if (lastManifest?.path === full && lastManifest.bytes.equals(bytes)) return { manifest: lastManifest.manifest, messages: [], bytes };
  const text = bytes.toString('utf8');
  const split = splitManifest(text);
  if (split) {
    const manifest: Manifest = { weft: split.weft, outputs: lazyEntries(split.entries) };
    lastManifest = { path: full, bytes, manifest };
    return { manifest, messages: [], bytes };
  }
  try {
    const data = JSON.parse(text) as unknown;
    if (!isManifest(data)) throw new Error('unexpected shape');
    lastManifest = { path: full, bytes, manifest: data };
    return { manifest: data, messages: [], bytes };
  } catch (error) {
    return {
      bytes,
      manifest: empty,
      messages: [
        message(MANIFEST_FILE, 0, 0, 'warning', 'malformed-manifest', `manifest is unreadable (${(error as Error).message}); every existing output is treated as hand-written`),
      ],
    };
  }
}

/**
 * A manifest in exactly the layout `manifestText` writes, cut into its entries' texts
 * without parsing the JSON (1–2 MB for a thousand documents; an incremental tangle needs
 * a handful of entries). Anything else, a hand-formatted or merged manifest say, gives
 * undefined and is parsed as JSON instead.
 */
function splitManifest(text: string): { weft: string; entries: Map<string, string> } | undefined {
  const head = /^\{\n {2}"weft": ("(?:[^"\\]|\\.)*"),\n {2}"outputs": \{\n/.exec(text);
  if (!head || !text.endsWith('\n  }\n}\n')) return undefined;
  let weft: string;
  try {
    weft = JSON.parse(head[1]!) as string;
  } catch {
    return undefined;
  }
  const entries = new Map<string, string>();
  const end = text.length - '\n  }\n}\n'.length;
  let at = head[0].length;
  const opening = /^ {4}("(?:[^"\\]|\\.)*"): \{$/;
  while (at < end) {
    const lineEnd = text.indexOf('\n', at);
    const first = opening.exec(text.slice(at, lineEnd));
    if (!first) return undefined;
    const close = text.indexOf('\n    }', lineEnd);
    if (close < 0 || close >= end) return undefined;
    let path: string;
    try {
      path = JSON.parse(first[1]!) as string;
    } catch {
      return undefined;
    }
    entries.set(path, text.slice(at, close + '\n    }'.length));
    at = close + '\n    }'.length;
    if (text.startsWith(',\n', at)) at += 2;
    else if (at !== end) return undefined;
  }
  return { weft, entries };
}

/** Manifest entries parsed on first access (an invalid one reads as an entry matching no file). */
function lazyEntries(texts: Map<string, string>): Record<string, ManifestEntry> {
  const outputs: Record<string, ManifestEntry> = {};
  for (const [path, text] of texts) {
    Object.defineProperty(outputs, path, {
      enumerable: true,
      configurable: true,
      get(this: Record<string, ManifestEntry>) {
        let entry: ManifestEntry = { hash: '', document: '', chunks: {} };
        try {
          const data = JSON.parse(text.slice(text.indexOf(': {') + 2)) as ManifestEntry;
          if (isManifest({ outputs: { [path]: data } })) entry = data;
        } catch {
          // Keep the entry that matches no file: the output is then treated as hand-written.
        }
        Object.defineProperty(this, path, { value: entry, enumerable: true, configurable: true });
        return entry;
      },
    });
  }
  entryTexts.set(outputs, texts);
  return outputs;
}

/** The original text of each lazily parsed manifest's entries, so kept entries are copied, not re-encoded. */
const entryTexts = new WeakMap<object, Map<string, string>>();

function isManifest(data: unknown): data is Manifest {
  if (!data || typeof data !== 'object') return false;
  const outputs = (data as Manifest).outputs;
  if (!outputs || typeof outputs !== 'object' || Array.isArray(outputs)) return false;
  return Object.values(outputs).every(
    (e) => e && typeof e === 'object' && typeof e.hash === 'string' && /^[0-9a-f]{64}$/.test(e.hash) && typeof e.document === 'string',
  );
}

/**
 * The last manifest read or written, with its text. A long-lived context (watch mode)
 * reads the same manifest, 1–2 MB for a thousand documents, before every rebuild; parsing
 * it again would cost more than the rest of the write. Reused only when the file's text
 * is identical. Never mutated (nobody writes into a manifest that was read).
 */
let lastManifest: { path: string; bytes: Buffer; manifest: Manifest } | undefined;

/** Stable JSON: sorted keys, two-space indent, final newline (merges cleanly). */
export function serialiseManifest(manifest: Manifest): string {
  const entries = Object.keys(manifest.outputs)
    .sort(byteOrder)
    .map((path) => manifestEntryText(path, manifest.outputs[path]!));
  return manifestText(manifest.weft, entries);
}

/** `JSON.stringify(manifest, null, 2)` from its entries' texts (so they can be reused, not re-encoded). */
function manifestText(weft: string, entries: readonly string[]): string {
  if (entries.length === 0) return `${JSON.stringify({ weft, outputs: {} }, null, 2)}\n`;
  return `{\n  "weft": ${JSON.stringify(weft)},\n  "outputs": {\n${entries.join(',\n')}\n  }\n}\n`;
}

/** One `"path": {...}` member of the manifest's `outputs`, indented as in the whole file. */
function manifestEntryText(path: string, entry: ManifestEntry): string {
  const chunks: Record<string, string> = {};
  for (const name of Object.keys(entry.chunks ?? {}).sort(byteOrder)) chunks[name] = entry.chunks[name]!;
  const value = JSON.stringify({ hash: entry.hash, document: entry.document, chunks }, null, 2).replace(/\n/g, '\n    ');
  return `    ${JSON.stringify(path)}: ${value}`;
}

/**
 * Each output's manifest entry, encoded, by output: an entry depends only on its output
 * (immutable); kept apart from `entryTexts`, the texts of a manifest read from disk. Kept
 * as bytes: a watch rewrites a 1–2 MB manifest after each edit, and concatenating cached
 * bytes costs a fifth of joining the texts and encoding the result.
 */
const bytesOfOutput = new WeakMap<Output, Buffer>();

/** `manifestText`, from entries already encoded. */
function manifestBytes(weft: string, entries: readonly Buffer[]): Buffer {
  if (entries.length === 0) return Buffer.from(manifestText(weft, []));
  const parts: Buffer[] = [Buffer.from(`{\n  "weft": ${JSON.stringify(weft)},\n  "outputs": {\n`)];
  const separator = Buffer.from(',\n');
  entries.forEach((entry, index) => {
    if (index > 0) parts.push(separator);
    parts.push(entry);
  });
  parts.push(Buffer.from('\n  }\n}\n'));
  return Buffer.concat(parts);
}

/**
 * Why one of `folders` (project-relative, outermost first) must not be written into: it
 * is a symbolic link (a cloned repository may carry a `.weft` link to anywhere) or not a
 * folder. Absent folders are fine: they are created as real folders.
 */
export function unsafeFolder(root: string, folders: readonly string[]): string | undefined {
  for (const folder of folders) {
    const stat = lstatSync(join(root, folder), { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) return `${folder} is a symbolic link; refusing to write through it`;
    if (stat && !stat.isDirectory()) return `${folder} is not a folder`;
  }
  return undefined;
}

/** Take `.weft/lock`, or say who holds it. Returns a release function or an error message. */
export function acquireLock(root: string): { release: () => void } | { error: Message } {
  const path = join(root, LOCK_FILE);
  // Everything Weft writes for itself (lock, journal, manifest, backups) is under .weft/.
  const unsafe = unsafeFolder(root, [WEFT_DIR, `${WEFT_DIR}/backup`, `${WEFT_DIR}/cache`]);
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
    writeFileSync(temporary, text);
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

/** Why writing `path` (project-relative) would leave the output directory on disk, if it would. */
export function symlinkProblem(root: string, path: string, config: ResolvedConfig, view: DiskView = new DiskView(root)): string | undefined {
  const dir = config.outputDirs.find((d) => path.startsWith(`${d}/`));
  if (!dir) return 'it is outside the output directories';
  const realRoot = view.realRoot();
  if (realRoot === null) return 'the project root cannot be resolved';
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const last = i === segments.length - 1;
    const prefix = segments.slice(0, i + 1).join('/');
    const known = last ? undefined : view.folders.get(prefix);
    if (known !== undefined) {
      if (known === 'missing') {
        view.absent.add(path);
        return undefined;
      }
      if (known === 'ok') continue;
      return known;
    }
    const problem = checkSegment(root, realRoot, dir, prefix, last);
    if (!last) view.folders.set(prefix, problem ?? 'ok');
    if (problem === 'missing') {
      view.absent.add(path); // Does not exist yet: created by us as a real folder.
      return undefined;
    }
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** What is wrong with one folder (or, `last`, the file) on the way to an output; 'missing' when absent. */
function checkSegment(root: string, realRoot: string, dir: string, prefix: string, last: boolean): string | undefined {
  const current = join(root, prefix);
  const stat = lstatSync(current, { throwIfNoEntry: false });
  if (!stat) return 'missing';
  if (stat.isSymbolicLink()) {
    if (last) return 'a symbolic link is planted at the output path';
    let real: string;
    try {
      real = realpathSync(current);
    } catch {
      return `${prefix} is a dangling symbolic link`;
    }
    const allowed = join(realRoot, dir);
    if (real !== allowed && !real.startsWith(allowed + sep)) return `${prefix} is a symbolic link that leads out of ${dir}/`;
    return undefined;
  }
  if (!last && !stat.isDirectory()) return `${prefix} is a file, not a folder`;
  if (last && !stat.isFile()) return 'the output path is not a regular file';
  return undefined;
}

/**
 * What one write has learnt about the disk, so that 2,000 outputs in 100 folders cost
 * about 100 folder checks and 100 `mkdir` calls, not 8,000 of each. Lives for one
 * `writeOutputs` call only (the disk may change between calls).
 */
export class DiskView {
  /** Project-relative folder → 'ok', 'missing', or the problem with it. */
  readonly folders = new Map<string, string>();
  /** Absolute folders known to exist (created or checked). */
  readonly made = new Set<string>();
  /** Project-relative paths of outputs found not to exist (no need to try reading them). */
  readonly absent = new Set<string>();
  private real: string | null | undefined;

  constructor(private readonly root: string) {}

  realRoot(): string | null {
    if (this.real === undefined) {
      try {
        this.real = realpathSync(this.root);
      } catch {
        this.real = null;
      }
    }
    return this.real;
  }
}

function readIfExists(full: string): Buffer | undefined {
  try {
    return readFileSync(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** First 1-based line where two texts differ. */
function firstDifference(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) if (left[i] !== right[i]) return i + 1;
  return 1;
}

/** Remove temporary files left by an interrupted run; return the contents it had accepted as Weft's. */
function recoverJournal(root: string): Map<string, Set<string>> {
  const accepted = new Map<string, Set<string>>();
  // Weft's own atomic writes (journal, manifest, lock, build state) leave `NAME.weft-tmp-PID`; we hold the lock.
  for (const folder of [WEFT_DIR, `${WEFT_DIR}/cache`]) {
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
    journal = JSON.parse(readFileSync(join(root, JOURNAL_FILE), 'utf8')) as Partial<Journal>;
  } catch {
    return accepted; // None, or not ours to read: nothing was promised.
  }
  if (!journal || typeof journal !== 'object') return accepted;
  const realRoot = realpathOrNull(root);
  for (const temporary of Array.isArray(journal.temporaries) ? journal.temporaries : []) {
    // The journal is untrusted input: only delete names Weft makes, in real folders inside the project.
    if (typeof temporary !== 'string' || !TEMPORARY.test(temporary) || unsafeRelativePath(temporary)) continue;
    const folder = realpathOrNull(dirname(join(root, temporary)));
    if (realRoot !== null && folder !== null && folder.startsWith(realRoot + sep)) rmSync(join(root, temporary), { force: true });
  }
  if (journal.accepted && typeof journal.accepted === 'object') {
    for (const [path, hashes] of Object.entries(journal.accepted)) {
      if (Array.isArray(hashes)) accepted.set(path, new Set(hashes.filter((h): h is string => typeof h === 'string')));
    }
  }
  return accepted;
}

/** What Weft's temporary files are called: `NAME.weft-tmp-PID`. */
const TEMPORARY = /\.weft-tmp-\d+$/;

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** Write `data` to `full` atomically (temporary file in the same folder, then rename). */
export function atomicWrite(
  full: string,
  data: string | Uint8Array,
  mode: number,
  temporary = `${full}.weft-tmp-${process.pid}`,
  view?: DiskView,
): void {
  const folder = dirname(full);
  if (!view?.made.has(folder)) {
    mkdirSync(folder, { recursive: true });
    view?.made.add(folder);
  }
  writeFileSync(temporary, data, { mode });
  // The umask may have removed bits from `mode`; look once per mode, then only chmod if it does.
  let stripped = umaskStrips.get(mode);
  if (stripped === undefined) {
    stripped = (statSync(temporary).mode & 0o777) !== mode;
    umaskStrips.set(mode, stripped);
  }
  if (stripped) chmodSync(temporary, mode);
  renameSync(temporary, full);
}

/** Whether the process umask removes bits from a mode (it does not change while we run). */
const umaskStrips = new Map<number, boolean>();

/**
 * Bring the disk in line with `outputs`: write what changed, delete orphans, record the
 * manifest. With `check`, write nothing and report what is out of date.
 */
export function writeOutputs(root: string, outputs: readonly Output[], config: ResolvedConfig, options: WriteOptions = {}): WriteResult {
  const messages: Message[] = [];
  const files: { path: string; action: WriteAction }[] = [];
  const backups: string[] = [];
  // Read once: we hold the lock, so the text is still the file's when the new one is compared.
  const { manifest, messages: manifestMessages, bytes: manifestOnDisk } = loadManifest(root);
  messages.push(...manifestMessages);
  const journalled = options.check ? new Map<string, Set<string>>() : recoverJournal(root);
  const blocked = (options.messages ?? []).some((m) => m.severity === 'error');
  let stale = 0;

  interface Plan {
    output: Output;
    hash: string;
    write: boolean;
    backup: boolean;
    trusted?: boolean;
    /** Hash of the content on disk when it was accepted as Weft's own (and will be replaced). */
    ours?: string;
  }
  const plans: Plan[] = [];
  const view = new DiskView(root);
  const staleMessage = (path: string, text: string, notes?: string[]) => {
    stale++;
    messages.push(message(path, 0, 0, 'error', 'stale-output', text, notes));
  };

  for (const output of outputs) {
    const trusted = options.check ? undefined : options.trusted?.get(output.path);
    if (trusted !== undefined) {
      plans.push({ output, hash: trusted, write: false, backup: false, trusted: true });
      continue;
    }
    const full = join(root, output.path);
    const hash = sha256(output.content);
    const problem = symlinkProblem(root, output.path, config, view);
    if (problem) {
      messages.push(message(output.path, 0, 0, 'error', 'output-outside-root', `refusing to write ${output.path}: ${problem}`, [`defined in ${output.document}`]));
      files.push({ path: output.path, action: 'refused' });
      continue;
    }
    const known = options.onDisk?.get(output.path);
    if (known === hash) {
      plans.push({ output, hash, write: false, backup: false });
      continue;
    }
    const disk = view.absent.has(output.path) ? undefined : readIfExists(full);
    if (disk !== undefined && sha256(disk) === hash) {
      const modeDiffers = (statSync(full).mode & 0o777) !== output.mode;
      if (modeDiffers && options.check) staleMessage(output.path, `${output.path} has the wrong file mode`, ['run `weft tangle` to fix it']);
      plans.push({ output, hash, write: false, backup: false });
      continue;
    }
    if (disk === undefined) {
      if (options.check) staleMessage(output.path, `${output.path} is missing`, [`run \`weft tangle\` to generate it from ${output.document}`]);
      plans.push({ output, hash, write: true, backup: false });
      continue;
    }
    const diskHash = sha256(disk);
    const recorded = manifest.outputs[output.path]?.hash;
    const ours = diskHash === recorded || journalled.get(output.path)?.has(diskHash) === true;
    if (ours) {
      if (options.check) staleMessage(output.path, `${output.path} is stale`, [`run \`weft tangle\` to regenerate it from ${output.document}`]);
      plans.push({ output, hash, write: true, backup: false, ours: diskHash });
      continue;
    }
    const line = firstDifference(disk.toString('utf8'), output.content);
    const why = recorded === undefined ? `${output.path} exists and was not written by weft` : `${output.path} was edited by hand`;
    if (options.force && !options.check) {
      plans.push({ output, hash, write: true, backup: true });
      continue;
    }
    if (options.check) stale++;
    messages.push(
      message(output.path, line, 1, 'error', 'hand-edited-output', `${why}; refusing to overwrite it`, [
        `it is generated from ${output.document}: move the edit there, or run with --force to overwrite it (a backup is kept under .weft/backup/)`,
      ]),
    );
    files.push({ path: output.path, action: 'refused' });
  }

  const produced = new Set(outputs.map((o) => o.path));
  const orphans: { path: string; backup: boolean }[] = [];
  /** Orphans already deleted by an interrupted run that did not get to their maps. */
  const orphanedMaps: string[] = [];
  // Orphans: what the manifest records, and what an interrupted write had begun to write.
  const candidates = [...new Set([...Object.keys(manifest.outputs), ...journalled.keys()])].filter((path) => !produced.has(path) && !options.keep?.has(path));
  for (const path of candidates.sort(byteOrder)) {
    // The manifest and the journal are untrusted: only a normal, safe path inside an output directory
    // (`src-generated/../../x` starts with `src-generated/` but is not inside it).
    if (unsafeRelativePath(path) || posix.normalize(path) !== path || !config.outputDirs.some((d) => path.startsWith(`${d}/`))) continue;
    if (symlinkProblem(root, path, config, view)) continue;
    const disk = readIfExists(join(root, path));
    if (disk === undefined) {
      if (!options.check && lstatSync(join(root, `${path}.map`), { throwIfNoEntry: false })?.isFile()) orphanedMaps.push(`${path}.map`);
      continue;
    }
    const diskHash = sha256(disk);
    if (diskHash === manifest.outputs[path]?.hash || journalled.get(path)?.has(diskHash)) {
      if (options.check) staleMessage(path, `${path} is no longer produced by any document and would be deleted`);
      orphans.push({ path, backup: false });
    } else if (options.force && !options.check) {
      orphans.push({ path, backup: true });
    } else {
      messages.push(
        message(path, 0, 0, 'warning', 'hand-edited-output', `${path} is no longer produced by any document but was edited by hand; keeping it`, [
          'delete it yourself if it is not needed, or run with --force to delete it (a backup is kept)',
        ]),
      );
      files.push({ path, action: 'kept' });
    }
  }

  const errors = blocked || messages.some((m) => m.severity === 'error');
  if (options.check || errors) {
    for (const plan of plans) files.push({ path: plan.output.path, action: plan.write ? (errors && !options.check ? 'refused' : 'written') : 'unchanged' });
    if (options.check) {
      // In check mode "written" means "would be written"; report them as stale only.
      for (const f of files) if (f.action === 'written') f.action = 'refused';
    }
    return { files: sortFiles(files), messages, stale, backups };
  }

  // The journal goes first, before any file is touched, so that a crash from then on is recoverable.
  let journalWritten = false;
  const beforeWriting = () => {
    if (journalWritten) return;
    journalWritten = true;
    const accepted = new Map<string, Set<string>>(journalled);
    const accept = (path: string, hash: string | undefined) => {
      if (hash === undefined) return;
      let hashes = accepted.get(path);
      if (!hashes) accepted.set(path, (hashes = new Set()));
      hashes.add(hash);
    };
    const temporaries: string[] = [];
    for (const plan of plans) {
      const path = plan.output.path;
      const recorded = manifest.outputs[path]?.hash;
      if (plan.write || plan.hash !== recorded) [recorded, plan.ours, plan.hash].forEach((hash) => accept(path, hash));
      if (plan.write) temporaries.push(`${path}.weft-tmp-${process.pid}`);
      if (plan.output.map !== null && !plan.trusted) temporaries.push(`${path}.map.weft-tmp-${process.pid}`);
    }
    const journal: Journal = { pid: process.pid, accepted: Object.fromEntries([...accepted].map(([path, hashes]) => [path, [...hashes].sort()])), temporaries };
    atomicWrite(join(root, JOURNAL_FILE), JSON.stringify(journal), 0o644);
  };
  const stamp = backupStamp();
  const backup = (path: string) => {
    beforeWriting();
    const to = posix.join(WEFT_DIR, 'backup', stamp, path);
    mkdirSync(dirname(join(root, to)), { recursive: true });
    copyFileSync(join(root, path), join(root, to));
    backups.push(to);
    messages.push(message(path, 0, 0, 'warning', 'hand-edited-output', `${path} was edited by hand; overwritten because of --force`, [`the edited file was saved to ${to}`]));
  };

  for (const plan of plans) {
    if (plan.trusted) {
      files.push({ path: plan.output.path, action: 'unchanged' });
      continue;
    }
    const full = join(root, plan.output.path);
    if (plan.write) {
      if (plan.backup) backup(plan.output.path);
      beforeWriting();
      atomicWrite(full, plan.output.content, plan.output.mode, `${full}.weft-tmp-${process.pid}`, view);
      files.push({ path: plan.output.path, action: 'written' });
    } else {
      if ((statSync(full).mode & 0o777) !== plan.output.mode) chmodSync(full, plan.output.mode);
      files.push({ path: plan.output.path, action: 'unchanged' });
    }
    writeMap(root, plan.output, view, beforeWriting);
  }
  for (const orphan of orphans) {
    beforeWriting();
    if (orphan.backup) backup(orphan.path);
    rmSync(join(root, orphan.path), { force: true });
    rmSync(join(root, `${orphan.path}.map`), { force: true });
    removeEmptyParents(root, orphan.path, config);
    files.push({ path: orphan.path, action: 'deleted' });
  }
  for (const map of orphanedMaps) {
    beforeWriting();
    rmSync(join(root, map), { force: true });
    removeEmptyParents(root, map, config);
  }

  options.onOutputsInPlace?.();

  const next: Manifest = { weft: WEFT_VERSION, outputs: {} };
  /** Each entry, encoded, by output path. */
  const encoded = new Map<string, Buffer>();
  for (const plan of plans) {
    const entry = { hash: plan.hash, document: plan.output.document, chunks: plan.output.chunks };
    next.outputs[plan.output.path] = entry;
    let bytes = bytesOfOutput.get(plan.output);
    if (bytes === undefined) bytesOfOutput.set(plan.output, (bytes = Buffer.from(manifestEntryText(plan.output.path, entry))));
    encoded.set(plan.output.path, bytes);
  }
  const keptTexts = entryTexts.get(manifest.outputs);
  let copied = false;
  for (const path of options.keep ?? []) {
    if (encoded.has(path) || !Object.hasOwn(manifest.outputs, path)) continue;
    // Copy the (possibly still unparsed) entry's text as it is: parsing 2,000 entries to copy them would cost more than the write.
    encoded.set(path, Buffer.from(keptTexts?.get(path) ?? manifestEntryText(path, manifest.outputs[path]!)));
    copied = true;
  }
  // The default sort compares UTF-16 code units, as `byteOrder` does.
  const bytes = manifestBytes(WEFT_VERSION, [...encoded.keys()].sort().map((path) => encoded.get(path)!));
  const manifestPath = join(root, MANIFEST_FILE);
  if (!manifestOnDisk?.equals(bytes)) atomicWrite(manifestPath, bytes, 0o644);
  // `next` lacks the copied entries (only an incremental tangle copies, once per process): read the file again next time.
  lastManifest = copied ? undefined : { path: manifestPath, bytes, manifest: next };
  rmSync(join(root, JOURNAL_FILE), { force: true });
  return { files: sortFiles(files), messages, stale, backups };
}

/** Write the sibling `.map` when it differs (derived data: no manifest, no hand-edit check). */
function writeMap(root: string, output: Output, view: DiskView, beforeWriting: () => void): void {
  if (output.map === null) return;
  const full = join(root, `${output.path}.map`);
  const folderWasMissing = view.folders.get(posix.dirname(output.path)) === 'missing';
  const stat = folderWasMissing ? undefined : lstatSync(full, { throwIfNoEntry: false });
  if (stat && !stat.isFile()) return; // Never write through a link (or over a folder).
  if (stat && stat.size === Buffer.byteLength(output.map) && readFileSync(full, 'utf8') === output.map) return;
  beforeWriting();
  atomicWrite(full, output.map, 0o644, undefined, view);
}

function removeEmptyParents(root: string, path: string, config: ResolvedConfig): void {
  let dir = posix.dirname(path);
  while (dir !== '.' && !config.outputDirs.includes(dir)) {
    try {
      rmdirSync(join(root, dir));
    } catch {
      return; // Not empty (or gone): stop climbing.
    }
    dir = posix.dirname(dir);
  }
}

function backupStamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

function sortFiles(files: { path: string; action: WriteAction }[]) {
  return files.sort((a, b) => byteOrder(a.path, b.path));
}
