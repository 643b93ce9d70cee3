/**
 * Read the `DiskSnapshot` that `planWrites` decides on: what is at each output, its map,
 * each orphan candidate and each folder on the way, and where each symbolic link leads.
 *
 * Read once, just before planning, while the lock is held. Folders are looked at once
 * per folder (2,000 outputs in 100 folders cost about 100 `lstat`s of folders, not
 * 8,000), nothing below a missing folder is looked at, and a link that leads out of the
 * project is not followed. A file whose hash the caller already knows (`known`, from the
 * build state) is not read. `ENOENT` and `ENOTDIR` (a file where a folder was) are
 * "missing": whatever the disk holds, reading it never fails.
 */
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { foldersOf, type PathState } from './confine.js';
import { lstatOrNull, realpathOrNull } from './journal.js';
import { sha256 } from './manifest.js';
import type { Output } from './types.js';

/**
 * Look at `outputs` (their paths and maps, except `trusted` ones) and `others` (orphan
 * candidates and their maps). `known`: output path → SHA-256 already known to be on disk.
 */
export function readDiskSnapshot(
  root: string,
  outputs: readonly Output[],
  others: readonly string[],
  trusted?: ReadonlyMap<string, string>,
  known?: ReadonlyMap<string, string>,
): Map<string, PathState> {
  const paths = new Map<string, PathState>();
  let realRoot: string | null | undefined;
  const look = (path: string, read: 'text' | 'hash', expected?: string) => {
    for (const folder of foldersOf(path)) {
      let state = paths.get(folder);
      if (state === undefined) paths.set(folder, (state = lookAt(folder)));
      if (state.kind === 'missing' || state.kind === 'file' || state.kind === 'other') return;
      if (state.kind === 'link' && state.target === null) return;
    }
    if (paths.has(path)) return;
    const state = lookAt(path);
    if (state.kind === 'file') {
      const hash = known?.get(path);
      if (hash !== undefined && hash === expected) state.hash = hash;
      else {
        const bytes = readOrNull(join(root, path));
        if (bytes === null) return;
        state.hash = sha256(bytes);
        if (read === 'text' && state.hash !== expected) state.text = bytes.toString('utf8');
      }
    }
    paths.set(path, state);
  };
  const lookAt = (path: string): PathState & { hash?: string } => {
    const full = join(root, path);
    const stat = lstatOrNull(full);
    if (stat === null) return { kind: 'missing' };
    if (stat.isSymbolicLink()) {
      realRoot ??= realpathOrNull(root);
      const real = realpathOrNull(full);
      const inside = realRoot !== null && real !== null && (real === realRoot || real.startsWith(realRoot + sep));
      if (real === null) return { kind: 'link', target: null, dangling: true };
      return { kind: 'link', target: inside ? relative(realRoot!, real).split(sep).join('/') : null };
    }
    if (stat.isDirectory()) return { kind: 'folder' };
    if (stat.isFile()) return { kind: 'file', hash: '', mode: stat.mode & 0o777 };
    return { kind: 'other' };
  };
  for (const output of outputs) {
    if (trusted?.has(output.path)) continue;
    look(output.path, 'text', sha256(output.content));
    if (output.map !== null) look(`${output.path}.map`, 'hash');
  }
  for (const path of others) {
    look(path, 'hash');
    look(`${path}.map`, 'hash');
  }
  return paths;
}

function readOrNull(full: string): Buffer | null {
  try {
    return readFileSync(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}
