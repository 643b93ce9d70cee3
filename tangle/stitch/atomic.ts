/**
 * Atomic file replacement for stitch: a temporary file created with `wx` (so an existing
 * file is never reused) in the same folder, then `rename`, so a reader sees the old
 * content or the new one, never half of either. To be replaced by the shared
 * atomic-write module.
 */
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/** Replace `path` with `data`, optionally setting its mode (e.g. 0o755). */
export function writeFileAtomically(path: string, data: string | Uint8Array, mode?: number): void {
  const temporary = `${path}.weft-tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(temporary, data, { flag: 'wx' });
    if (mode !== undefined) chmodSync(temporary, mode);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
