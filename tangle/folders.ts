/**
 * Watch mode's folder watch: what changes in the source and output folders.
 *
 * chokidar re-reads a folder, and `lstat`s every entry in it, on every event in that
 * folder, an edit to a file included. With 1,000 documents in one folder, each save cost
 * 100–200 ms of CPU (two or three re-reads, throttled), taken from the rebuild and esbuild
 * on a two-core machine; a flat output folder paid the same on every write. So chokidar
 * watches the config and each document as a file (a save costs it one `stat`), and the
 * folders are watched here with plain `fs.watch`, one per folder, which reads nothing: an
 * event only marks the entry it names. What the entry is, and the documents in a new
 * folder, are found by the rebuild, which reads the disk.
 *
 * A watched folder that is deleted (or replaced: its watcher follows the old folder) is
 * dropped with everything below it and reported; a top folder (`folders`) that is missing
 * is waited for from its nearest existing parent, and watched again once it is back.
 * Symbolic links below a top folder are not followed, as `weft tangle` does not follow
 * them to sources; a top folder that is a link to a folder is watched, as it is read.
 */
import { type Dirent, type FSWatcher, lstatSync, readdirSync, statSync, watch } from 'node:fs';
import { join, posix } from 'node:path';

/** Options of `watchFolders`. */
export interface FolderWatchOptions {
  /** Absolute project root. */
  root: string;
  /** Project-relative folders to watch, each with every folder below it (`.` is the root). */
  folders: readonly string[];
  /** Folders not to enter, project-relative (`node_modules`, the bundle's folder, …). */
  skip: (path: string) => boolean;
  /**
   * An entry of a watched folder changed: added, removed, renamed or written. `folder`
   * says that it is or was a folder, or that the system did not name the entry (then
   * `path` is the folder itself): either way, the sources have to be searched again.
   */
  onEntry: (path: string, folder: boolean) => void;
  /**
   * A folder that exists could not be watched (the system's limit on watches, say): its
   * changes go unseen, so the caller should say so. @default ignore
   */
  onError?: (path: string, error: Error) => void;
}

/** A running folder watch. */
export interface FolderWatch {
  /** Stop every watcher. */
  close(): void;
  /**
   * Look again for missing top folders now (the caller may just have made them: a rebuild
   * makes the output folders) instead of when their parent's event arrives.
   */
  refresh(): void;
  /** Project-relative folders watched now, sorted (for tests). */
  folders(): string[];
}

const child = (folder: string, name: string) => (folder === '.' ? name : `${folder}/${name}`);
/** Whether `path` is `folder` or inside it (project-relative paths; `.` holds everything). */
export const within = (path: string, folder: string) => folder === '.' || path === folder || path.startsWith(`${folder}/`);

/** Watch `folders` and every folder below them. */
export function watchFolders(options: FolderWatchOptions): FolderWatch {
  /** Watched folders, with the inode they had when the watch began. */
  const watchers = new Map<string, { watcher: FSWatcher; ino: number }>();
  /** Missing top folders, by the nearest existing parent that is watched for them. */
  const waiting = new Map<string, { watcher: FSWatcher; folders: Set<string> }>();
  let closed = false;

  const folderStat = (path: string) => folderStatOf(options, path);
  const open = (path: string, listener: FolderListener, onError: () => void) => openFolderWatcher(options, path, listener, onError);
  const unwatch = (path: string) => closeWithin(watchers, path);

  /** A watched folder went away (or was replaced): report it, and watch again what is still wanted. */
  const gone = (path: string) => {
    if (closed || !watchers.has(path)) return;
    unwatch(path);
    options.onEntry(path, true);
    for (const top of options.folders) if (within(top, path)) watchTop(top);
  };

  const add = (path: string) => {
    if (closed || options.skip(path)) return;
    const stat = folderStat(path);
    if (!stat) return;
    const known = watchers.get(path);
    if (known?.ino === stat.ino) return;
    if (known) unwatch(path); // Replaced by another folder of the same name.
    const watcher = open(
      path,
      (event, name) => onEvent(path, event, name),
      () => gone(path),
    );
    if (!watcher) return;
    watchers.set(path, { watcher, ino: stat.ino });
    for (const name of subfolderNames(fullPath(options.root, path))) add(child(path, name));
  };

  const onEvent = (folder: string, event: string, name: string | Buffer | null) => {
    if (closed) return;
    if (name === null) {
      options.onEntry(folder, true);
      return;
    }
    const path = child(folder, name.toString());
    if (event !== 'rename') {
      options.onEntry(path, false); // Written.
      return;
    }
    if (folderStat(folder)?.ino !== watchers.get(folder)?.ino) {
      gone(folder); // The folder itself was deleted or renamed: this watcher sees no more.
      return;
    }
    if (folderStat(path)) {
      add(path); // Before the rebuild searches it: nothing made in it from now on is missed.
      options.onEntry(path, true);
    } else if (watchers.has(path)) {
      gone(path);
    } else {
      options.onEntry(path, false);
    }
  };

  const nearestParent = (top: string) => nearestExistingParent(top, folderStat);

  const stopWaiting = (parent: string, top: string) => {
    const entry = waiting.get(parent);
    if (!entry) return;
    entry.folders.delete(top);
    if (entry.folders.size > 0) return;
    entry.watcher.close();
    waiting.delete(parent);
  };

  /** Watch a top folder, or, while it is missing, its nearest existing parent for it. */
  const watchTop = (top: string) => {
    if (closed || options.skip(top)) return;
    if (!folderStat(top)) {
      const parent = nearestParent(top);
      let entry = waiting.get(parent);
      if (!entry) {
        const watcher = open(parent, () => recheckWaiting(parent), () => recheckWaiting(parent));
        if (!watcher) return;
        waiting.set(parent, (entry = { watcher, folders: new Set() }));
      }
      entry.folders.add(top);
      if (!folderStat(top)) return; // The parent's events say when it comes.
      stopWaiting(parent, top); // Made between the look and the watch.
      options.onEntry(top, true);
    }
    add(top);
  };

  const recheckWaiting = (parent: string) => {
    const entry = waiting.get(parent);
    if (closed || !entry) return;
    for (const top of [...entry.folders]) {
      if (folderStat(top)) {
        stopWaiting(parent, top);
        add(top);
        options.onEntry(top, true);
      } else if (nearestParent(top) !== parent) {
        stopWaiting(parent, top); // A folder on the way came, or the parent went.
        watchTop(top);
      }
    }
  };

  for (const folder of options.folders) watchTop(folder);

  return {
    close() {
      closed = true;
      closeWithin(watchers, '.');
      closeWithin(waiting, '.');
    },
    refresh() {
      for (const parent of [...waiting.keys()]) recheckWaiting(parent);
    },
    folders: () => [...watchers.keys()].sort(),
  };
}

/** What `fs.watch` calls with each event in a folder. */
type FolderListener = (event: string, name: string | Buffer | null) => void;

/** A project-relative path made absolute (`.` is the root). */
function fullPath(root: string, path: string): string {
  return path === '.' ? root : join(root, path);
}

/** The folder's stat, or undefined when it is not a folder; a link is followed for a top folder only. */
function folderStatOf(options: FolderWatchOptions, path: string) {
  const stat = (options.folders.includes(path) ? statSync : lstatSync)(fullPath(options.root, path), { throwIfNoEntry: false });
  return stat?.isDirectory() ? stat : undefined;
}

/** An `fs.watch` on one folder, or undefined when it cannot be watched. */
function openFolderWatcher(options: FolderWatchOptions, path: string, listener: FolderListener, onError: () => void): FSWatcher | undefined {
  try {
    const watcher = watch(fullPath(options.root, path), { persistent: true }, listener);
    watcher.on('error', onError);
    return watcher;
  } catch (error) {
    // Gone already: whoever watches its parent reports it. Anything else goes unseen: say so.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') options.onError?.(path, error as Error);
    return undefined;
  }
}

/** Close and forget the watchers of `path` and every folder below it. */
function closeWithin(watchers: Map<string, { watcher: FSWatcher }>, path: string): void {
  for (const [folder, { watcher }] of watchers) {
    if (within(folder, path)) {
      watcher.close();
      watchers.delete(folder);
    }
  }
}

/** The names of the folders directly in `folder` (none when it was removed meanwhile: its parent's event, or its own, reports it). */
function subfolderNames(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true }).filter((entry: Dirent) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** The nearest parent of `top` that exists (the project root always does). */
function nearestExistingParent(top: string, folderStat: (path: string) => unknown): string {
  let parent = posix.dirname(top);
  while (parent !== '.' && !folderStat(parent)) parent = posix.dirname(parent);
  return parent;
}
