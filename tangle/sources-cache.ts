/**
 * The sources as last tangled, kept so `weft stitch` can rebuild the base of an output.
 *
 * After a tangle writes, each document's bytes are stored under
 * `.weft/cache/sources/<sha256 of the bytes>` (content-addressed, so an entry never
 * changes and a document that did not change costs nothing), and `last.json` there maps
 * each document path to its hash. The cache is git-ignored derived data: stitch accepts
 * what it rebuilds from it only when the tangle of those sources hashes to what the
 * manifest records, so a stale, partial or tampered cache leads to a refusal
 * (`stitch/base-unreproducible`) or to the git fallback, never to a wrong stitch.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from './stitch/atomic.js';

export const SOURCES_CACHE = '.weft/cache/sources';
const INDEX = 'last.json';

/** Record the documents just tangled (project-relative paths), reading their bytes from disk. Never throws. */
export function writeSourcesCache(root: string, paths: readonly string[]): void {
  try {
    const folder = join(root, SOURCES_CACHE);
    mkdirSync(folder, { recursive: true });
    const index: Record<string, string> = {};
    for (const path of paths) {
      const bytes = readFileSync(join(root, path));
      const hash = createHash('sha256').update(bytes).digest('hex');
      if (!existsSync(join(folder, hash))) writeFileAtomically(join(folder, hash), bytes);
      index[path] = hash;
    }
    writeFileAtomically(join(folder, INDEX), `${JSON.stringify(index, null, 2)}\n`);
  } catch {
    // A cache: stitch falls back to git when it is missing.
  }
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
