/**
 * `weft clean`: remove the outputs Weft wrote, recoverably.
 *
 * What Weft wrote is what `.weft/manifest.json` records (never a glob over the output
 * folders, which may hold hand-written files). Each output is moved, with its `.map`, into
 * `.weft/trash/<run>/<path>` (`<run>` is the UTC time of the clean, `2026-12-04T16-24-25.123Z`),
 * the layout `--force` and orphan deletion use, so nothing is lost; then the manifest goes
 * to the same folder and the stamp state is forgotten, so the next tangle writes
 * everything again.
 *
 * An output whose content is not what the manifest says Weft wrote was edited by hand: it
 * is refused (`hand-edited-output`, exit 1) unless `force`, and then it is trashed too.
 * When anything is refused nothing is removed (all or nothing, like a tangle). A path in
 * the manifest that is unsafe (outside the project, through `.git`), or that is not a
 * regular file (a symbolic link planted there), is refused and never followed. A missing
 * output is skipped. The lock in `.weft/lock` keeps a tangle or watch from writing while
 * the clean runs.
 */
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, rmSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { unsafeRelativePath } from './config.js';
import { message, sortMessages } from './messages.js';
import { hashText } from './read.js';
import { forgetState } from './state.js';
import type { Message } from './types.js';
import { acquireLock, MANIFEST_FILE, readManifest, WEFT_DIR } from './write.js';

/** Where `clean`, `--force` and orphan deletion keep what they remove, by run. */
export const TRASH_DIR = `${WEFT_DIR}/trash`;

export interface CleanOptions {
  /** Absolute project root. */
  root: string;
  /** Also remove hand-edited outputs (into the trash, like the rest). @default false */
  force?: boolean;
  /** The run's folder name under `.weft/trash/`. @default the current UTC time, `:` as `-` */
  run?: string;
}

/** What happened to one output: `removed` (into the trash), `missing` (already gone), `refused`. */
export type CleanAction = 'removed' | 'missing' | 'refused';

export interface CleanResult {
  files: { path: string; action: CleanAction }[];
  /** Project-relative folder the removed files are in, or null when nothing was removed. */
  trash: string | null;
  messages: Message[];
  ok: boolean;
}

/** Decide, for each output the manifest records, whether it may be removed. Reads, never writes. */
export function planClean(root: string, outputs: Record<string, { hash: string; document: string }>, force: boolean): { files: CleanResult['files']; messages: Message[] } {
  const files: CleanResult['files'] = [];
  const messages: Message[] = [];
  for (const path of Object.keys(outputs).sort()) {
    const unsafe = unsafeRelativePath(path) ?? linkedFolder(root, path);
    const stat = unsafe ? undefined : fileStat(root, path);
    if (unsafe || (stat && !stat.isFile())) {
      messages.push(message(MANIFEST_FILE, 0, 0, 'error', 'malformed-manifest', `the manifest names ${JSON.stringify(path)}, which clean will not remove: ${unsafe ?? 'it is not a regular file'}`));
      files.push({ path, action: 'refused' });
    } else if (!stat) files.push({ path, action: 'missing' });
    else if (!force && hashText(readFileSync(join(root, path))) !== outputs[path]!.hash) {
      messages.push(
        message(path, 0, 0, 'error', 'hand-edited-output', `${path} was edited by hand since weft wrote it`, [
          `keep the edit by moving it into ${outputs[path]!.document}, or remove it anyway with weft clean --force (a copy goes to ${TRASH_DIR}/)`,
        ]),
      );
      files.push({ path, action: 'refused' });
    } else files.push({ path, action: 'removed' });
  }
  return { files, messages };
}

/** `lstat` of a project file; undefined when it (or a folder on the way) does not exist. */
function fileStat(root: string, path: string): Stats | undefined {
  try {
    return lstatSync(join(root, path));
  } catch {
    return undefined;
  }
}

/** Why the folders on the way to `path` lead elsewhere (a symbolic link), or undefined. */
function linkedFolder(root: string, path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(join(root, dirname(path)));
  } catch {
    return undefined; // a missing folder: the output is missing
  }
  return real === join(realpathSync(root), dirname(path)) ? undefined : `a folder on the way to it is a symbolic link (to ${real})`;
}

/** Move `path` (project-relative) into `trash`; true when it existed. */
function moveToTrash(root: string, trash: string, path: string): boolean {
  if (!fileStat(root, path)?.isFile()) return false;
  mkdirSync(dirname(join(root, trash, path)), { recursive: true });
  // Copy, then remove: a trash on another device (a bind-mounted .weft) still works.
  copyFileSync(join(root, path), join(root, trash, path));
  rmSync(join(root, path));
  return true;
}

/** Remove the folders the outputs leave empty, up to (not including) the project root. */
function removeEmptyFolders(root: string, paths: readonly string[]): void {
  const folders = new Set<string>();
  for (const path of paths) for (let folder = dirname(path); folder !== '.'; folder = dirname(folder)) folders.add(folder);
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
    const full = join(root, folder);
    if (lstatSync(full, { throwIfNoEntry: false })?.isDirectory() && readdirSync(full).length === 0) rmdirSync(full);
  }
}

/** Remove every output the manifest records into `.weft/trash/<run>/`, or refuse and remove nothing. */
export function clean(options: CleanOptions): CleanResult {
  const { root } = options;
  const lock = acquireLock(root);
  if ('error' in lock) return { files: [], trash: null, messages: [lock.error], ok: false };
  try {
    const { manifest, messages: manifestMessages } = readManifest(root);
    const malformed = manifestMessages.map((m) => ({ ...m, severity: 'error' as const }));
    if (malformed.length > 0) return { files: [], trash: null, messages: malformed, ok: false };
    const plan = planClean(root, manifest.outputs, options.force ?? false);
    if (plan.messages.length > 0) {
      return { files: plan.files.filter((f) => f.action === 'refused'), trash: null, messages: sortMessages(plan.messages), ok: false };
    }
    const removed = plan.files.filter((f) => f.action === 'removed').map((f) => f.path);
    const hasManifest = lstatSync(join(root, MANIFEST_FILE), { throwIfNoEntry: false })?.isFile() ?? false;
    if (removed.length === 0 && !hasManifest) return { files: plan.files, trash: null, messages: [], ok: true };
    const trash = `${TRASH_DIR}/${options.run ?? new Date().toISOString().replace(/:/g, '-')}`;
    for (const path of removed) {
      moveToTrash(root, trash, path);
      moveToTrash(root, trash, `${path}.map`);
    }
    removeEmptyFolders(root, removed);
    moveToTrash(root, trash, MANIFEST_FILE);
    forgetState(root);
    return { files: plan.files, trash, messages: [], ok: true };
  } finally {
    lock.release();
  }
}
