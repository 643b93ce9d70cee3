/**
 * The sources as last tangled, kept so `weft stitch` can rebuild the base of an output.
 *
 * Layout, in `.weft/cache/sources/`:
 * - `pack`: the bytes of every document version stored, back to back, only ever appended
 *   to (and compacted, below);
 * - `last`: JSON `{ "version": 3, "documents": { path: [sha256, offset, length] } }`, the
 *   documents last tangled and where each one's bytes are in `pack`.
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
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { atomicWrite } from './atomic-write.js';
import { hashText } from './read.js';

export const SOURCES_CACHE = '.weft/cache/sources';
const INDEX = 'last'; // No extension: not one of the parse cache's signed .json entries.
const PACK = 'pack';
const VERSION = 3;
const SHA256 = /^[0-9a-f]{64}$/;

/** Where a document's bytes are: their SHA-256, and their offset and length in `pack`. */
type Slot = [hash: string, offset: number, length: number];

/** The index file's contents. */
interface SourcesIndex {
  version: typeof VERSION;
  /** Document path → its slot. */
  documents: Record<string, Slot>;
}

/** A document just tangled; `bytes`, when the caller still has them, saves reading the file again. */
export interface TangledDocument {
  path: string;
  hash: string;
  bytes?: Uint8Array;
}


/** The index (and its text) and the pack's size, or an empty index when either is missing or they do not agree. */
function readIndex(folder: string): { index: SourcesIndex; text: string; packSize: number } {
  let text = '';
  try {
    text = readFileSync(join(folder, INDEX), 'utf8');
    const index = JSON.parse(text) as SourcesIndex;
    const packSize = statSync(join(folder, PACK)).size;
    if (index?.version !== VERSION || typeof index.documents !== 'object' || index.documents === null) throw new Error('another layout');
    for (const slot of Object.values(index.documents)) {
      if (!Array.isArray(slot) || !(slot[1] >= 0 && slot[2] >= 0 && slot[1] + slot[2] <= packSize)) throw new Error('outside the pack');
    }
    return { index, text, packSize };
  } catch {
    return { index: { version: VERSION, documents: {} }, text, packSize: 0 };
  }
}

/**
 * Record the documents just tangled, by path and the SHA-256 of the bytes that were
 * tangled. A blob not stored yet is taken from `bytes` or read from disk, and only if the
 * file still has that hash (else it changed since and is left out: stitch then finds the
 * base incomplete and falls back to git). An unchanged run writes nothing. Call it under
 * the project's lock (one writer of the pack at a time). Never throws: it is a cache.
 * `cacheDir` (relative to `root` or absolute) holds it in `sources/`; stitch reads only
 * the default one.
 */
export function writeSourcesCache(root: string, documents: readonly TangledDocument[], cacheDir = '.weft/cache'): void {
  try {
    const folder = join(resolve(root, cacheDir), 'sources');
    mkdirSync(folder, { recursive: true });
    const { index: before, text: beforeText, packSize } = readIndex(folder);
    const stored = new Map<string, Slot>();
    for (const slot of Object.values(before.documents)) stored.set(slot[0], slot);
    const next: Record<string, Slot | { hash: string; bytes: Uint8Array }> = {};
    const added = new Map<string, Uint8Array>();
    let unchanged = Object.keys(before.documents).length === documents.length;
    for (const { path, hash, bytes } of [...documents].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      if (!SHA256.test(hash)) continue;
      const slot = stored.get(hash);
      if (slot) {
        next[path] = slot;
        if (before.documents[path]?.[0] !== hash) unchanged = false;
        continue;
      }
      unchanged = false;
      let data = added.get(hash);
      if (!data) {
        // Bytes handed over were hashed when they were read; a file read now may have changed since.
        data = bytes ?? readFileSync(join(root, path));
        if (!bytes && hashText(data) !== hash) continue;
        added.set(hash, data);
      }
      next[path] = { hash, bytes: data };
    }
    if (unchanged) return; // Nothing changed: no write at all.
    let liveBytes = 0;
    const live = new Set<string>();
    for (const entry of Object.values(next)) {
      const [hash, length] = Array.isArray(entry) ? [entry[0], entry[2]] : [entry.hash, entry.bytes.length];
      if (!live.has(hash)) liveBytes += length;
      live.add(hash);
    }
    let addedBytes = 0;
    for (const bytes of added.values()) addedBytes += bytes.length;
    const fresh = packSize === 0;
    const slots =
      (fresh && added.size > 0) || (!fresh && packSize + addedBytes > 2 * liveBytes + 1024 * 1024)
        ? rewritePack(folder, stored, live, added, fresh)
        : appendToPack(folder, added);
    const index: SourcesIndex = { version: VERSION, documents: {} };
    for (const [path, entry] of Object.entries(next)) index.documents[path] = Array.isArray(entry) ? (slots.get(entry[0]) ?? entry) : slots.get(entry.hash)!;
    const text = `${JSON.stringify(index)}\n`;
    if (text !== beforeText) atomicWrite(join(folder, INDEX), text, 0o644);
  } catch {
    // A cache: stitch falls back to git when it is missing.
  }
}

/** Append new blobs at the pack's end (its real size, whatever the index says); where each went. */
function appendToPack(folder: string, added: ReadonlyMap<string, Uint8Array>): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  if (added.size === 0) return slots;
  const fd = openSync(join(folder, PACK), 'a');
  try {
    let offset = fstatSync(fd).size;
    for (const [hash, bytes] of added) {
      writeSync(fd, bytes);
      slots.set(hash, [hash, offset, bytes.length]);
      offset += bytes.length;
    }
  } finally {
    closeSync(fd);
  }
  return slots;
}

/** Write a new pack of the live blobs only (old ones copied from the current pack), replacing the old one atomically; where each went. */
function rewritePack(folder: string, stored: ReadonlyMap<string, Slot>, live: ReadonlySet<string>, added: ReadonlyMap<string, Uint8Array>, fresh: boolean): Map<string, Slot> {
  if (fresh) removeEarlierLayouts(folder);
  const old = fresh ? undefined : readFileSync(join(folder, PACK));
  const slots = new Map<string, Slot>();
  const path = join(folder, PACK);
  // The name journal recovery cleans up after a kill (`NAME.weft-tmp-PID`); we hold the lock.
  const temporary = `${path}.weft-tmp-${process.pid}`;
  rmSync(temporary, { force: true });
  const fd = openSync(temporary, 'wx');
  try {
    let offset = 0;
    for (const hash of [...live].sort()) {
      const slot = stored.get(hash);
      const bytes = slot && old ? old.subarray(slot[1], slot[1] + slot[2]) : added.get(hash)!;
      writeSync(fd, bytes);
      slots.set(hash, [hash, offset, bytes.length]);
      offset += bytes.length;
    }
    closeSync(fd);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return slots;
}

/** Blob files of the first layout (one file per document, named by its hash): garbage once a pack exists. */
function removeEarlierLayouts(folder: string): void {
  for (const name of readdirSync(folder)) if (SHA256.test(name)) rmSync(join(folder, name), { force: true });
}

/**
 * Every document a run's outputs come from, with its hash: the re-read ones (with the bytes
 * that were read, when `bytes` has them) and, with a plan, the rest as the build state
 * `recorded` them.
 */
export function tangledDocuments(
  documents: readonly { path: string; hash: string }[],
  recorded: Readonly<Record<string, { hash: string }>> = {},
  bytes: ReadonlyMap<string, Uint8Array> = new Map(),
): TangledDocument[] {
  const hashes = new Map(Object.entries(recorded).map(([path, document]) => [path, document.hash]));
  for (const document of documents) hashes.set(document.path, document.hash);
  return [...hashes].map(([path, hash]) => ({ path, hash, bytes: bytes.get(path) }));
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
    for (const [path, [hash, offset, length]] of Object.entries(index.documents)) {
      const bytes = Buffer.alloc(length);
      if (readSync(fd, bytes, 0, length, offset) !== length || hashText(bytes) !== hash) return null;
      texts[path] = bytes.toString('utf8');
    }
    return texts;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
