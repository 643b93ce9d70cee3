/**
 * The sources as last tangled, kept so `weft stitch` can rebuild the base of an output.
 *
 * After a tangle writes, each document's bytes are stored under
 * `.weft/cache/sources/<sha256 of the bytes>` (content-addressed, so an entry never
 * changes and a document that did not change costs nothing), and `last` there (JSON) maps
 * each document path to its hash. The cache is git-ignored derived data: stitch accepts
 * what it rebuilds from it only when the tangle of those sources hashes to what the
 * manifest records, so a stale, partial or tampered cache leads to a refusal
 * (`stitch/base-unreproducible`) or to the git fallback, never to a wrong stitch.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomically } from './stitch/atomic.js';

export const SOURCES_CACHE = '.weft/cache/sources';
const INDEX = 'last'; // No extension: not one of the parse cache's signed .json entries.

/**
 * Record the documents just tangled, by path and the SHA-256 of the bytes that were
 * tangled. Only a blob not stored yet is read from disk, and only if the file still has
 * that hash (else it changed since and is left out: stitch then finds the base
 * incomplete and falls back to git). The index is rewritten only when it changes, so an
 * unchanged rebuild costs one small read. Never throws: it is a cache. `cacheDir` (relative
 * to `root` or absolute) holds it in `sources/`; stitch reads only the default one.
 */
export function writeSourcesCache(root: string, documents: readonly { path: string; hash: string }[], cacheDir = '.weft/cache'): void {
  try {
    const folder = join(resolve(root, cacheDir), 'sources');
    mkdirSync(folder, { recursive: true });
    const index: Record<string, string> = {};
    for (const { path, hash } of documents) {
      if (!/^[0-9a-f]{64}$/.test(hash)) continue;
      if (!existsSync(join(folder, hash))) {
        const bytes = readFileSync(join(root, path));
        if (createHash('sha256').update(bytes).digest('hex') !== hash) continue;
        writeFileAtomically(join(folder, hash), bytes);
      }
      index[path] = hash;
    }
    const text = `${JSON.stringify(index, null, 2)}\n`;
    let before = '';
    try {
      before = readFileSync(join(folder, INDEX), 'utf8');
    } catch {
      // First tangle.
    }
    if (before !== text) writeFileAtomically(join(folder, INDEX), text);
  } catch {
    // A cache: stitch falls back to git when it is missing.
  }
}

/** Every document a run's outputs come from, with its hash: the re-read ones and, with a plan, the rest as the build state `recorded` them. */
export function tangledDocuments(documents: readonly { path: string; hash: string }[], recorded: Readonly<Record<string, { hash: string }>> = {}): { path: string; hash: string }[] {
  const hashes = new Map(Object.entries(recorded).map(([path, document]) => [path, document.hash]));
  for (const document of documents) hashes.set(document.path, document.hash);
  return [...hashes].map(([path, hash]) => ({ path, hash }));
}

/** The documents as last tangled (path → text), or null when the cache is missing or incomplete. */
export function readSourcesCache(root: string): Record<string, string> | null {
  try {
    const folder = join(root, SOURCES_CACHE);
    const index = JSON.parse(readFileSync(join(folder, INDEX), 'utf8')) as Record<string, string>;
    const texts: Record<string, string> = {};
    for (const [path, hash] of Object.entries(index)) {
      if (!/^[0-9a-f]{64}$/.test(hash)) return null;
      const bytes = readFileSync(join(folder, hash));
      if (createHash('sha256').update(bytes).digest('hex') !== hash) return null;
      texts[path] = bytes.toString('utf8');
    }
    return texts;
  } catch {
    return null;
  }
}
