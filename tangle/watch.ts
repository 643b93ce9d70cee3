/**
 * Watch mode: rebuild when sources, the config or an output change, forever, without ever dying.
 *
 * What it guarantees, and how:
 * - The final state is what a cold `weft tangle` would produce. Every event only marks a
 *   path; rebuilds read the disk, never the event's payload. Events are merged: a rebuild
 *   starts once no event has arrived for `debounceMs` (2 ms while they are all about one
 *   file, as a save's are), and events that arrive during a
 *   rebuild make exactly one more, so a burst (an editor's rename-save, a formatter, a
 *   `git checkout`) costs one or a few rebuilds.
 * - Work follows the change: the rebuild is told which files changed (`RebuildHint`), so
 *   unchanged documents are neither read nor parsed again, outputs that did not change are
 *   neither expanded, emitted nor read back (`context.ts`), and the bundle is rebuilt with
 *   esbuild's incremental context. The hint is only as good as the events, which is why
 *   output folders are watched too: an output changed by anyone else is never trusted.
 * - What is watched, and by whom: chokidar watches the config and each source document as
 *   a file; the source and output folders are watched by `folders.ts` (plain `fs.watch`,
 *   one per folder), because chokidar re-reads a folder, with an `lstat` of every entry, on
 *   every event in it: a save in a folder of 1,000 documents cost 100–200 ms of CPU. A
 *   document that appears is marked by the folder watch, and chokidar watches it from the
 *   next rebuild on; one that is deleted is dropped by chokidar.
 * - Writing outputs never triggers a rebuild loop. `.git`, `node_modules`, `.weft` and the
 *   bundle's folder are not watched. Output folders are watched only to notice hand edits:
 *   an event on an output whose content is not what Weft last wrote there (an edit, a
 *   deletion) makes a rebuild, which reports the edit (or restores a deleted file) exactly
 *   like `weft tangle`; Weft's own writes match and are dropped. The check happens between
 *   rebuilds, so it never races with the rebuild that wrote the file.
 * - A config change reloads the config; when the sources or output folders moved, the
 *   watcher is reopened before the rebuild, so no event falls between the two. A bad
 *   config is reported and the previous one stays in force (`Project.loadConfig`).
 * - No edit is lost to chokidar's throttling: it drops a `change` event that comes within
 *   50 ms of the previous one for the same file (and an `unlink` within 100 ms), with no
 *   trailing event. So every file a rebuild looked at is looked at again once that window
 *   has passed; if it is not what the rebuild saw, it is marked changed again.
 * - Nothing stops the watcher: a rebuild that throws is reported as an `internal-error`
 *   message; watcher errors and a listener that throws are reported and ignored.
 * - `stop()` lets the current rebuild finish (writes are synchronous and atomic, so there is
 *   never half a file), then closes the watcher. The caller disposes esbuild.
 *
 * Rejected: sleeping for chokidar's `awaitWriteFinish` (adds its poll interval to every
 * rebuild; a half-written file only costs one extra rebuild, as its final write sends
 * another event) and watching the source folders only (a hand edit to an output would go
 * unnoticed until its document changed, and incremental writes could not trust the disk).
 */
import chokidar, { type FSWatcher } from 'chokidar';
import { readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { CONFIG_FILE, type ResolvedConfig } from './config.js';
import { type FolderWatch, watchFolders, within } from './folders.js';
import { message } from './messages.js';
import type { Message, RebuildHint, TangleResult } from './types.js';
import type { TangledProject } from './pipeline.js';

/**
 * What watch mode needs of a build (`Project` in context.ts is one): a small interface, so
 * watch.ts does not import the driver, and a test or another driver can be watched.
 */
export interface Rebuildable {
  /** Absolute project root. */
  readonly root: string;
  /** The config in force (a bad config file keeps the previous good one). */
  loadConfig(): { config: ResolvedConfig | undefined; messages: Message[] };
  /** Tangle (and bundle) once; `hint` says which files changed since the previous rebuild. */
  rebuild(hint?: RebuildHint): Promise<TangleResult>;
  /** Project-relative paths of the documents the last rebuild read. */
  sourcePaths(): string[];
  /** Documents whose content changed in the last rebuild. */
  readonly lastDetails: { changedDocuments: string[]; tangled?: TangledProject };
}

/** What the watcher reports. */
export type WatchEvent =
  /** The first build is done and the watcher is ready. */
  | {
      type: 'ready';
      result: TangleResult;
      changed: string[];
      /** The engine's result for every document (see `RebuildDetails.tangled`), when the build tangled them all. */
      tangled?: TangledProject;
    }
  /** A rebuild is done. */
  | {
      type: 'rebuild';
      result: TangleResult;
      /** Documents whose content changed (added, edited, removed), project-relative. */
      changed: string[];
      /** Every path whose event caused this rebuild (documents, the config, hand-edited outputs). */
      trigger: string[];
      /** The previous build had errors and this one has none. */
      recovered: boolean;
      /** The engine's result for every document (see `RebuildDetails.tangled`), when the build tangled them all. */
      tangled?: TangledProject;
    }
  /** The file watcher itself failed (the watch goes on, unless a `stopped` event follows). */
  | { type: 'error'; error: string }
  /**
   * The watch stopped by itself, after an `error` event saying why: the project folder was
   * moved or deleted (a rebuild would only recreate its old path). `weft watch` exits 1.
   */
  | { type: 'stopped'; error: string };

export interface WatchOptions {
  /** Called after the first build, after each rebuild, and on watcher errors. */
  onEvent?: (event: WatchEvent) => void;
  /**
   * Quiet period, in milliseconds, that merges a burst of events into one rebuild. While
   * every pending event is about one file (a save), 2 ms of quiet are enough (or
   * `debounceMs`, if it is shorter). @default 5
   */
  debounceMs?: number;
}

/** Folders never watched, wherever they are. */
const IGNORED_SEGMENTS = new Set(['.git', 'node_modules', '.weft']);

/** The quiet period while the pending events are about a single file (see `debounceMs`). */
const SAVE_QUIET_MS = 2;

/** How often the project folder is checked for having been moved or deleted, in milliseconds. */
const ROOT_CHECK_MS = 250;

/** How long after a file's last event it is checked again (chokidar's longest throttle is 100 ms). */
const RECHECK_MS = 120;

/** Temporary files of atomic writes (`write.ts`, `cache.ts`). */
const TEMPORARY_FILE = /\.weft-tmp-\d+$|\.\d+\.tmp$/;

/** The part of the config that decides what is watched. */
interface Scope {
  sources: readonly string[];
  outputDirs: readonly string[];
  /** The bundle's output folder, never watched. */
  bundleDir: string | null;
  /** Static folders the source globs start in (`docs/**\/*.lit.md` → `docs`). */
  sourceDirs: string[];
  isSource: (path: string) => boolean;
  key: string;
}

function scopeOf(config: ResolvedConfig | undefined): Scope {
  const sources = config?.sources ?? [];
  const outputDirs = config?.outputDirs ?? [];
  const bundleDir = config?.bundle?.outdir ?? null;
  const globs = sources.map((g) => g.replace(/^\.\//, ''));
  const matcher = globs.length > 0 ? picomatch(globs, { dot: false }) : () => false;
  return {
    sources,
    outputDirs,
    bundleDir,
    sourceDirs: [...new Set(globs.map(globBase))],
    isSource: (path) => matcher(path),
    key: JSON.stringify([sources, outputDirs, bundleDir]),
  };
}


/** Start watching; resolves (with a stop function) after the first build, once the watcher is ready. */
export async function startWatching(project: Rebuildable, options: WatchOptions): Promise<() => Promise<void>> {
  const debounceMs = options.debounceMs ?? 5;
  /** The quiet period now: a save (truncate and write, or write and rename) touches one file, a burst several. */
  const quietMs = () => (pending.size <= 1 ? Math.min(SAVE_QUIET_MS, debounceMs) : debounceMs);
  const emit = eventEmitter(options);
  let scope = scopeOf(project.loadConfig().config);

  const watchers = fileWatchers(project, () => scope, (path, folder) => mark(path, folder), emit);

  const { remember, editedByHand } = ownWrites(project.root);

  const safeRebuild = (hint?: RebuildHint) => rebuildSafely(project, hint);

  // Changes waiting for the next rebuild: path → whether it is a folder.
  let pending = new Map<string, boolean>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;
  let lastOk = true;

  let lastEventAt = 0;
  const lastEvent = new Map<string, number>();
  const mark = (path: string, folder: boolean) => {
    if (closed) return;
    lastEventAt = performance.now();
    if (!folder) lastEvent.set(path, lastEventAt);
    pending.set(path, folder || pending.get(path) === true);
    if (!running) schedule();
  };

  const { recheckLater, cancel: cancelRechecks } = rechecker(project.root, lastEvent, (path) => mark(path, false), () => closed);
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!running && !closed) running = drain().finally(() => (running = undefined));
    }, quietMs());
  };

  /** Rebuild until no change is pending. */
  const drain = async () => {
    while (pending.size > 0 && !closed) {
      // Events that came during the previous rebuild: let the burst settle first.
      for (let quiet = quietMs() - (performance.now() - lastEventAt); quiet > 0; quiet = quietMs() - (performance.now() - lastEventAt)) {
        await new Promise((resolve) => setTimeout(resolve, quiet));
      }
      if (closed) return;
      const batch = pending;
      pending = new Map();
      for (const [path, folder] of batch) if (!folder) recheckLater(path);
      const { changed, trigger, rescan, configChanged } = classifyBatch(batch, scope, editedByHand);
      if (trigger.length === 0) continue; // Only Weft's own writes, or files that are not sources.
      if (rootGone()) return stopBecauseRootGone(); // Never rebuild into a recreated old path.
      if (configChanged) {
        const next = scopeOf(project.loadConfig().config);
        if (next.key !== scope.key) {
          scope = next;
          await watchers.reopen(); // Before the rebuild reads the disk: no change is missed.
        }
      }
      const result = await safeRebuild({ changed, rescan: rescan || configChanged });
      remember(result);
      watchers.watchMore();
      if (closed) return;
      emit({ type: 'rebuild', result, changed: project.lastDetails.changedDocuments, trigger: trigger.sort(), recovered: result.ok && !lastOk, tangled: project.lastDetails.tangled });
      lastOk = result.ok;
    }
  };

  /**
   * The project folder, by identity: once it is moved or deleted, a rebuild would write the
   * outputs into a new folder at the old path, so the watch stops instead, saying why.
   */
  const rootIdentity = folderIdentity(project.root);
  const rootGone = (): boolean => folderIdentity(project.root) !== rootIdentity;
  const stopBecauseRootGone = () => {
    if (closed) return;
    const error = `the project folder ${project.root} was moved or deleted; stopping`;
    void stop().then(() => {
      emit({ type: 'error', error });
      emit({ type: 'stopped', error });
    });
  };
  let rootCheck: NodeJS.Timeout | undefined;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      closed = true;
      clearInterval(rootCheck);
      if (timer) clearTimeout(timer);
      cancelRechecks();
      await running;
      await watchers.close();
    })());

  await watchers.open();
  rootCheck = setInterval(() => {
    if (rootGone()) stopBecauseRootGone();
  }, ROOT_CHECK_MS);
  rootCheck.unref();
  const first = await safeRebuild();
  remember(first);
  watchers.watchMore();
  lastOk = first.ok;
  emit({ type: 'ready', result: first, changed: project.lastDetails.changedDocuments, tangled: project.lastDetails.tangled });

  return stop;
}

/**
 * The two watchers and who watches what: chokidar watches the root (not below it), the
 * config and each source document as a file; the source and output folders are left to
 * the folder watch (`folders.ts`). Both report to `mark`; `scope` is read on each call,
 * so `reopen` follows a config change.
 */
function fileWatchers(project: Rebuildable, scope: () => Scope, mark: (path: string, folder: boolean) => void, emit: (event: WatchEvent) => void) {
  const toRelative = (path: string) => relative(project.root, path).split(sep).join('/');
  /** Folders never watched (by chokidar or by the folder watch). */
  const skipped = (rel: string): boolean => {
    const bundleDir = scope().bundleDir;
    return rel.startsWith('..') || rel.split('/').some((segment) => IGNORED_SEGMENTS.has(segment)) || (bundleDir !== null && within(rel, bundleDir));
  };

  /**
   * Whether chokidar should leave `path` alone (called often: string tests only). chokidar
   * watches the root (not below it), the config and each source document as a file; the
   * source and output folders are left to the folder watch (`folders.ts`).
   */
  const ignored = (path: string, stats?: { isDirectory(): boolean }): boolean => {
    const rel = toRelative(path);
    if (rel === '') return false;
    if (skipped(rel) || TEMPORARY_FILE.test(rel)) return true;
    if (rel === CONFIG_FILE) return false;
    return !(scope().isSource(rel) && stats?.isDirectory() !== true);
  };

  /** Source documents chokidar watches (it forgets one that is deleted; it is added again when it comes back). */
  const watchedSources = new Set<string>();
  const openWatcher = async (): Promise<FSWatcher> => {
    watchedSources.clear();
    const watcher = chokidar.watch(project.root, { ignoreInitial: true, followSymlinks: false, ignored });
    const onFile = (path: string) => mark(toRelative(path), false);
    const onUnlink = (path: string) => {
      watchedSources.delete(toRelative(path));
      onFile(path);
    };
    // No folder events: chokidar enters no folder (see `ignored`); folders are the folder watch's.
    watcher.on('add', onFile).on('change', onFile).on('unlink', onUnlink);
    watcher.on('error', (error) => emit({ type: 'error', error: (error as Error).message ?? String(error) }));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    return watcher;
  };
  const openFolders = (): FolderWatch =>
    watchFolders({
      root: project.root,
      folders: [...scope().sourceDirs, ...scope().outputDirs],
      skip: skipped,
      onEntry: (path, folder) => {
        if (!TEMPORARY_FILE.test(path)) mark(path, folder);
      },
      onError: (path, error) => emit({ type: 'error', error: `cannot watch ${path === '.' ? 'the project folder' : path}: ${error.message}` }),
    });

  let folders: FolderWatch | undefined;
  let watcher: FSWatcher | undefined;
  const open = async () => {
    folders = openFolders();
    watcher = await openWatcher();
  };
  const close = async () => {
    folders?.close();
    await watcher?.close();
  };
  return {
    /** Start both watchers; resolves once chokidar is ready. */
    open,
    /** Close both watchers. */
    close,
    /** Close and open again (after the scope changed). */
    reopen: async () => {
      await close();
      await open();
    },
    /** After a rebuild: watch the documents it found, and the output folders it made. */
    watchMore: () => {
      const added = project.sourcePaths().filter((path) => !watchedSources.has(path));
      for (const path of added) watchedSources.add(path);
      if (added.length > 0) watcher?.add(added.map((path) => join(project.root, path)));
      folders?.refresh();
    },
  };
}

/** Calls the listener; one that throws must not stop the watcher: say so on stderr. */
function eventEmitter(options: WatchOptions): (event: WatchEvent) => void {
  return (event) => {
    try {
      options.onEvent?.(event);
    } catch (error) {
      process.emitWarning(`weft watch: an event listener threw: ${(error as Error).message}`);
    }
  };
}

/** One rebuild that never throws: a failure becomes an `internal-error` message. */
async function rebuildSafely(project: Rebuildable, hint?: RebuildHint): Promise<TangleResult> {
  try {
    return await project.rebuild(hint);
  } catch (error) {
    const result = emptyResult();
    result.messages.push(message('(watch)', 0, 0, 'error', 'internal-error', `rebuild failed: ${(error as Error).message}`));
    result.ok = false;
    return result;
  }
}

/**
 * What Weft last left in each output (and `.map`), to tell its own writes from hand
 * edits: `remember` records a rebuild's writes, `editedByHand` says whether an output
 * event is someone else's doing (Weft's writes leave what it expects).
 */
function ownWrites(root: string): { remember: (result: TangleResult) => void; editedByHand: (path: string) => boolean } {
  const expected = new Map<string, string>();
  const remember = (result: TangleResult) => {
    const byPath = new Map(result.outputs.map((o) => [o.path, o]));
    for (const file of result.files) {
      const output = byPath.get(file.path);
      if ((file.action === 'written' || file.action === 'unchanged') && output) {
        expected.set(output.path, output.content);
        if (output.map !== null) expected.set(`${output.path}.map`, output.map);
        else expected.delete(`${output.path}.map`);
      } else if (file.action === 'deleted') {
        expected.delete(file.path);
        expected.delete(`${file.path}.map`);
      }
    }
  };
  const editedByHand = (path: string): boolean => {
    const want = expected.get(path);
    if (want === undefined) return false; // Not an output Weft keeps: not its business.
    try {
      return readFileSync(join(root, path), 'utf8') !== want;
    } catch {
      return true; // Deleted: a cold tangle would write it again.
    }
  };
  return { remember, editedByHand };
}

/** A project file's text, or null when it cannot be read (deleted, a race). */
function readOrNull(root: string, path: string): string | null {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return null;
  }
}

/**
 * Looks at each file of a batch again once chokidar's throttle window has passed (see
 * RECHECK_MS): what it held when its batch was taken, and when to look; a file that
 * changed since is handed to `markChanged`. `lastEvent` (path → time of its last event)
 * is shared with the caller, which sets it.
 */
function rechecker(root: string, lastEvent: Map<string, number>, markChanged: (path: string) => void, isClosed: () => boolean): { recheckLater: (path: string) => void; cancel: () => void } {
  const rechecks = new Map<string, { content: string | null; due: number }>();
  let recheckTimer: NodeJS.Timeout | undefined;
  const recheck = () => {
    recheckTimer = undefined;
    if (isClosed()) return;
    const now = performance.now();
    let next = Infinity;
    for (const [path, { content, due }] of rechecks) {
      if (due > now) {
        next = Math.min(next, due);
        continue;
      }
      rechecks.delete(path);
      lastEvent.delete(path);
      // Changed since its batch was taken (an output that stays hand-edited is not: it was reported).
      if (readOrNull(root, path) !== content) markChanged(path);
    }
    if (next < Infinity) recheckTimer = setTimeout(recheck, next - now);
  };
  const recheckLater = (path: string) => {
    const due = (lastEvent.get(path) ?? performance.now()) + RECHECK_MS;
    rechecks.set(path, { content: readOrNull(root, path), due });
    if (!recheckTimer) recheckTimer = setTimeout(recheck, RECHECK_MS);
  };
  return { recheckLater, cancel: () => recheckTimer && clearTimeout(recheckTimer) };
}

/**
 * What a batch of events asks of the next rebuild: the files to read again (`changed`),
 * the paths that caused it (`trigger`, empty when only Weft's own writes or non-sources
 * moved), whether a folder changed (`rescan`) and whether the config did.
 */
function classifyBatch(batch: ReadonlyMap<string, boolean>, scope: Scope, editedByHand: (path: string) => boolean): { changed: Set<string>; trigger: string[]; rescan: boolean; configChanged: boolean } {
  const changed = new Set<string>();
  const trigger: string[] = [];
  let rescan = false;
  let configChanged = false;
  for (const [path, folder] of batch) {
    if (path === CONFIG_FILE) {
      configChanged = true;
      trigger.push(path);
    } else if (scope.outputDirs.some((dir) => within(path, dir))) {
      if (!folder && editedByHand(path)) {
        changed.add(path); // So the rebuild reads this output again instead of trusting it.
        trigger.push(path);
      }
    } else if (folder) {
      rescan = true;
      trigger.push(path);
    } else if (scope.isSource(path)) {
      changed.add(path);
      trigger.push(path);
    }
  }
  return { changed, trigger, rescan, configChanged };
}

/** A folder's device and inode (`dev:ino`), or null when it is not a folder any more. */
function folderIdentity(path: string): string | null {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat?.isDirectory() ? `${stat.dev}:${stat.ino}` : null;
}

/** The static folder a glob starts in (`docs/**\/*.lit.md` → `docs`, `*.lit.md` → `.`). */
function globBase(glob: string): string {
  const segments = glob.split('/');
  const base: string[] = [];
  for (const segment of segments) {
    if (/[*?[\]{}()!]/.test(segment)) break;
    base.push(segment);
  }
  if (base.length === segments.length) base.pop(); // A plain file path: watch its folder.
  return base.length === 0 ? '.' : base.join('/');
}

function emptyResult(): TangleResult {
  return {
    outputs: [],
    messages: [],
    files: [],
    summary: { written: 0, unchanged: 0, deleted: 0, stale: 0, documents: 0, cached: 0, tangleMs: 0, bundleMs: null },
    ok: true,
  };
}
