/**
 * The persistent parse cache under `.weft/cache/`.
 *
 * One entry per document: its `CollectedDocument`, keyed by the document's path and the
 * SHA-256 of its bytes, in a folder named for Weft's version, so a new version never reads
 * an old version's entries. Entries are untrusted input: anything that does not parse,
 * has the wrong shape, or names another path or hash is ignored (and later replaced),
 * never trusted. Writes are atomic (temporary file, rename), so a crash leaves either no
 * entry or a whole one. The cache is an optimisation only: deleting `.weft/cache` is
 * always safe.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CollectedDocument } from './types.js';
import { unsafeFolder, WEFT_DIR } from './write.js';
import { WEFT_VERSION } from './version.js';

export const CACHE_DIR = '.weft/cache';

export class DiskCache {
  private readonly dir: string;
  private created = false;
  private readonly used = new Set<string>();

  private readonly root: string;
  private readonly folders: string[];
  private safe: boolean | undefined;

  constructor(root: string) {
    const version = `v${WEFT_VERSION.replace(/[^0-9A-Za-z.-]/g, '_')}`;
    this.root = root;
    this.dir = join(root, CACHE_DIR, version);
    this.folders = [WEFT_DIR, CACHE_DIR, `${CACHE_DIR}/${version}`];
  }

  /** Whether the cache folder may be written to and pruned: no link on the way (checked once). */
  private writable(): boolean {
    this.safe ??= unsafeFolder(this.root, this.folders) === undefined;
    return this.safe;
  }

  private file(path: string, hash: string): string {
    const key = createHash('sha256').update(`${path}\0${hash}`).digest('hex');
    this.used.add(key);
    return join(this.dir, `${key}.json`);
  }

  /** The cached chunks of `path` at content `hash`, or undefined. */
  get(path: string, hash: string): CollectedDocument | undefined {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(this.file(path, hash), 'utf8'));
    } catch {
      return undefined;
    }
    return isCollected(data, path, hash) ? data : undefined;
  }

  set(document: CollectedDocument): void {
    if (!this.writable()) return;
    try {
      if (!this.created) {
        mkdirSync(this.dir, { recursive: true });
        this.created = true;
      }
      const file = this.file(document.path, document.hash);
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(document));
      renameSync(temporary, file);
    } catch {
      // A cache that cannot be written (read-only checkout, full disk) only costs speed.
    }
  }

  /** Drop entries not used by this build, once they outnumber the live ones (bounded disk use). */
  flush(_liveHashes: string[]): void {
    if (!this.writable()) return;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    if (names.length <= this.used.size * 2 + 16) return;
    for (const name of names) {
      if (!this.used.has(name.replace(/\.json$/, ''))) rmSync(join(this.dir, name), { force: true });
    }
  }
}

/** Shape check of an untrusted cache entry. */
function isCollected(data: unknown, path: string, hash: string): data is CollectedDocument {
  if (!data || typeof data !== 'object') return false;
  const doc = data as CollectedDocument;
  if (doc.path !== path || doc.hash !== hash) return false;
  if (!Array.isArray(doc.chunks) || !Array.isArray(doc.files) || !Array.isArray(doc.messages)) return false;
  const partsOk = (parts: unknown) =>
    Array.isArray(parts) &&
    parts.length > 0 &&
    parts.every(
      (p) =>
        p &&
        typeof p === 'object' &&
        p.document === path &&
        typeof p.value === 'string' &&
        Number.isInteger(p.line) &&
        Number.isInteger(p.fenceLine) &&
        Number.isInteger(p.fenceColumn) &&
        Array.isArray(p.columns),
    );
  return (
    doc.chunks.every((c) => c && typeof c.name === 'string' && c.document === path && partsOk(c.parts)) &&
    doc.files.every((f) => f && typeof f.path === 'string' && f.document === path && partsOk(f.parts)) &&
    doc.messages.every((m) => m && typeof m.message === 'string' && typeof m.rule === 'string' && m.file === path)
  );
}
