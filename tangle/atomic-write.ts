/**
 * Atomic writes: a file is replaced by staging its new content in a temporary file in
 * the same folder and renaming it over the old one, so a reader (or a SIGKILL) sees the
 * old content or the new, never half a file.
 *
 * The temporary, `NAME.weft-tmp-PID`, is created exclusively and without following links
 * (`O_EXCL | O_NOFOLLOW`): a repository that commits a link at that name cannot make Weft
 * write through it (an earlier version opened it with a plain write and overwrote the
 * link's target). Whatever is found there is an error (`TemporaryInTheWay`), never
 * reused. A failed write removes its temporary.
 *
 * Staging and renaming are separate steps (`stageFile`, then `renameSync`) so that a
 * writer of many files can stage them all first and rename only when every one is
 * staged: a full disk or a read-only folder then stops the run before anything changed.
 *
 * Not done: `fsync`. A rename is atomic against crashes of the process, not against a
 * power loss (the README's Guarantees say so).
 */
import { chmodSync, closeSync, constants, fstatSync, fchmodSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** What Weft's temporary files are called: `NAME.weft-tmp-PID`. */
export const TEMPORARY = /\.weft-tmp-\d+$/;

/** The temporary file this process stages `full` in. */
export const temporaryOf = (full: string): string => `${full}.weft-tmp-${process.pid}`;

/** Something (a link, a file) already sits where a temporary file must be created. */
export class TemporaryInTheWay extends Error {
  constructor(readonly temporary: string) {
    super(`${temporary} already exists`);
  }
}

const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** Write `data` to a new temporary file next to `full` with `mode`; returns its path. The folder must exist. */
export function stageFile(full: string, data: string | Uint8Array, mode: number): string {
  const temporary = temporaryOf(full);
  let fd: number;
  try {
    fd = openSync(temporary, EXCLUSIVE, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ELOOP') throw new TemporaryInTheWay(temporary);
    throw error;
  }
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    // The umask may have removed bits from `mode`.
    let stripped = umaskStrips.get(mode);
    if (stripped === undefined) umaskStrips.set(mode, (stripped = (fstatSync(fd).mode & 0o777) !== mode));
    if (stripped) fchmodSync(fd, mode);
    closeSync(fd);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
    rmSync(temporary, { force: true });
    throw error;
  }
  return temporary;
}

/** Whether the process umask removes bits from a mode (it does not change while we run): one `fstat` per mode. */
const umaskStrips = new Map<number, boolean>();

/** Write `data` to `full` atomically (temporary file in the same folder, then rename), creating the folder. */
export function atomicWrite(full: string, data: string | Uint8Array, mode: number): void {
  mkdirSync(dirname(full), { recursive: true });
  const temporary = stageFile(full, data, mode);
  try {
    renameSync(temporary, full);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Set a file's mode (exported so the writer's I/O is all named here). */
export const setMode = (full: string, mode: number): void => chmodSync(full, mode);

/** Failures of the machine, not of Weft: a full disk, a read-only or protected folder. */
const ENVIRONMENT: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted (a read-only or immutable file or folder)',
};

/** A plain-language reason for an environment failure, or undefined when `error` is not one (a bug, then). */
export function environmentFailure(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined ? ENVIRONMENT[code] : undefined;
}
