/**
 * The sources as last tangled, kept so `weft stitch` can rebuild the base of an output.
 *
 * Layout, in `.weft/cache/sources/`:
 * - `pack`: the bytes of every document version stored, back to back, only ever appended
 *   to (and compacted, below);
 * - `last`: JSON `{ "version": 2, "documents": { path: sha256 }, "blobs": { sha256: [offset, length] } }`,
 *   the documents last tangled and where each one's bytes are in `pack`.
 *
 * A document that did not change costs nothing; a changed one costs one append. One file
 * for all the blobs, not a file per blob: the first layout (a file per document, named by
 * its hash) made a cold `weft tangle` of 1,000 documents create 1,000 more files, which
 * on this project's test machines cost 0.3–0.8 s of system time, a third of the run.
 * The pack is rewritten with only the live blobs once it holds more than twice their
 * size (plus 1 MiB), so a long watch does not grow it without bound.
 *
 * It is git-ignored derived data, and never trusted: every blob is checked against its
 * hash when read, and stitch accepts what it rebuilds from it only when the tangle of
 * those sources hashes to what the manifest records. A stale, partial, torn (a crash
 * between the append and the index) or tampered cache leads to a refusal
 * (`stitch/base-unreproducible`) or to the git fallback, never to a wrong stitch.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './stitch/atomic.js';

export const SOURCES_CACHE = '.weft/cache/sources';
const INDEX = 'last'; // No extension: not one of the parse cache's signed .json entries.
const PACK = 'pack';
const VERSION = 2;
const SHA256 = /^[0-9a-f]{64}$/;

/** The index file's contents. */
interface SourcesIndex {
  version: typeof VERSION;
  /** Document path → SHA-256 of the bytes tangled. */
  documents: Record<string, string>;
  /** SHA-256 → [offset, length] in `pack`. */
  blobs: Record<string, [number, number]>;
}

/** A document just tangled; `bytes`, when the caller still has them, saves reading the file again. */
export interface TangledDocument {
  path: string;
  hash: string;
  bytes?: Uint8Array;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The index and the pack's size, or an empty index when either is missing or does not agree. */
function readIndex(folder: string): { index: SourcesIndex; packSize: number } {
  const empty = { index: { version: VERSION, documents: {}, blobs: {} } as SourcesIndex, packSize: 0 };
  try {
    const index = JSON.parse(readFileSync(join(folder, INDEX), 'utf8')) as SourcesIndex;
    const packSize = statSync(join(folder, PACK)).size;
    if (index?.version !== VERSION || typeof index.documents !== 'object' || typeof index.blobs !== 'object') return empty;
    for (const [offset, length] of Object.values(index.blobs)) if (!(offset >= 0 && length >= 0 && offset + length <= packSize)) return empty;
    return { index, packSize };
  } catch {
    return empty;
  }
}

/**
 * Record the documents just tangled, by path and the SHA-256 of the bytes that were
 * tangled. A blob not stored yet is taken from `bytes` or read from disk, and only if the
 * file still has that hash (else it changed since and is left out: stitch then finds the
 * base incomplete and falls back to git). The index is rewritten only when it changes, so
 * an unchanged rebuild costs one small read. Call it under the project's lock (one writer
 * of the pack at a time). Never throws: it is a cache.
 */
export function writeSourcesCache(root: string, documents: readonly TangledDocument[]): void {
  try {
    const folder = join(root, SOURCES_CACHE);
    mkdirSync(folder, { recursive: true });
    const { index: before, packSize } = readIndex(folder);
    const fresh = packSize === 0;
    const next: SourcesIndex = { version: VERSION, documents: {}, blobs: {} };
    const appended: { hash: string; bytes: Uint8Array }[] = [];
    const pending = new Set<string>();
    for (const { path, hash, bytes } of documents) {
      if (!SHA256.test(hash)) continue;
      if (!before.blobs[hash] && !pending.has(hash)) {
        // Bytes handed over were hashed when they were read; a file read now may have changed since.
        const data = bytes ?? readFileSync(join(root, path));
        if (!bytes && sha256(data) !== hash) continue;
        appended.push({ hash, bytes: data });
        pending.add(hash);
      }
      next.documents[path] = hash;
    }
    const live = new Set(Object.values(next.documents));
    if (appended.length === 0 && sameIndex(before, next.documents, live)) return; // Nothing changed: no write at all.
    let liveBytes = 0;
    const sizes = new Map(appended.map((blob) => [blob.hash, blob.bytes.length]));
    for (const hash of live) liveBytes += before.blobs[hash]?.[1] ?? sizes.get(hash)!;
    const total = packSize + appended.reduce((sum, blob) => sum + blob.bytes.length, 0);
    if (fresh ? appended.length > 0 : total > 2 * liveBytes + 1024 * 1024) {
      rewritePack(folder, before, live, appended, next, fresh);
    } else if (appended.length > 0) {
      appendToPack(folder, appended, next);
    }
    for (const hash of live) next.blobs[hash] ??= before.blobs[hash]!;
    const sorted: SourcesIndex = { version: VERSION, documents: next.documents, blobs: Object.fromEntries(Object.entries(next.blobs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
    const text = `${JSON.stringify(sorted)}\n`;
    let previous = '';
    try {
      previous = readFileSync(join(folder, INDEX), 'utf8');
    } catch {
      // First tangle.
    }
    if (previous !== text) writeFileAtomically(join(folder, INDEX), text);
  } catch {
    // A cache: stitch falls back to git when it is missing.
  }
}

/** Whether `index` already records exactly these documents and no other blobs. */
function sameIndex(index: SourcesIndex, documents: Record<string, string>, live: ReadonlySet<string>): boolean {
  const paths = Object.keys(documents);
  if (paths.length !== Object.keys(index.documents).length || live.size !== Object.keys(index.blobs).length) return false;
  return paths.every((path) => index.documents[path] === documents[path]) && [...live].every((hash) => index.blobs[hash] !== undefined);
}

/** Append new blobs at the pack's end (its real size, whatever the index says), recording where each went. */
function appendToPack(folder: string, blobs: readonly { hash: string; bytes: Uint8Array }[], next: SourcesIndex): void {
  const fd = openSync(join(folder, PACK), 'a');
  try {
    let offset = fstatSync(fd).size;
    for (const { hash, bytes } of blobs) {
      writeSync(fd, bytes);
      next.blobs[hash] = [offset, bytes.length];
      offset += bytes.length;
    }
  } finally {
    closeSync(fd);
  }
}

/** Write a new pack of the live blobs only (old ones copied from the current pack), replacing the old one atomically. */
function rewritePack(folder: string, before: SourcesIndex, live: ReadonlySet<string>, appended: readonly { hash: string; bytes: Uint8Array }[], next: SourcesIndex, fresh: boolean): void {
  if (fresh) removeFirstLayout(folder);
  const old = fresh ? undefined : readFileSync(join(folder, PACK));
  const added = new Map(appended.map((blob) => [blob.hash, blob.bytes]));
  const path = join(folder, PACK);
  const temporary = `${path}.weft-tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(temporary, 'wx');
  try {
    let offset = 0;
    for (const hash of [...live].sort()) {
      const slot = before.blobs[hash];
      const bytes = slot && old ? old.subarray(slot[0], slot[0] + slot[1]) : added.get(hash)!;
      writeSync(fd, bytes);
      next.blobs[hash] = [offset, bytes.length];
      offset += bytes.length;
    }
    closeSync(fd);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Blob files of the first layout (one file per document, named by its hash): garbage once a pack exists. */
function removeFirstLayout(folder: string): void {
  for (const name of readdirSync(folder)) if (SHA256.test(name)) rmSync(join(folder, name), { force: true });
}

/** The documents as last tangled (path → text), or null when the cache is missing, incomplete or does not verify. */
export function readSourcesCache(root: string): Record<string, string> | null {
  let fd: number | undefined;
  try {
    const folder = join(root, SOURCES_CACHE);
    const { index, packSize } = readIndex(folder);
    if (packSize === 0 && Object.keys(index.documents).length === 0) return null;
    fd = openSync(join(folder, PACK), 'r');
    const texts: Record<string, string> = {};
    for (const [path, hash] of Object.entries(index.documents)) {
      const slot = index.blobs[hash];
      if (!SHA256.test(hash) || !slot) return null;
      const bytes = Buffer.alloc(slot[1]);
      if (readSync(fd, bytes, 0, slot[1], slot[0]) !== slot[1] || sha256(bytes) !== hash) return null;
      texts[path] = bytes.toString('utf8');
    }
    return texts;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
