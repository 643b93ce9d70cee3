/**
 * The driver's reading of documents, with its caches: the sources found by the config's
 * globs, each read from disk and parsed (in the worker pool) only when its bytes are new,
 * otherwise taken from memory or from the disk cache (`.weft/cache/`, see `cache.ts`). A
 * collected document is kept by path and content hash and never mutated, so the pipeline
 * sees the very same object while a document's bytes are unchanged (which is what its memo
 * keys on).
 *
 * With a `RebuildHint` (watch mode), documents nobody touched are not read at all, and the
 * source list is updated from the hint instead of searching the disk again.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import type { DiskCache } from './cache.js';
import { collectDocument, collectVariant } from './collect.js';
import { CONFIG_FILE, type ResolvedConfig } from './config.js';
import { message } from './messages.js';
import { parseMany } from './parse-pool.js';
import { byteOrder, findSources, IGNORED as IGNORED_SOURCE_FOLDERS, readSource, type SourceText } from './read.js';
import type { CollectedDocument, Message, RebuildHint } from './types.js';

/** Reads a project's documents, reusing what did not change since the previous read. */
export class SourceReader {
  private readonly memory = new Map<string, CollectedDocument>();
  private previousHashes = new Map<string, string>();
  /** The previous read's documents, by path, and the source globs they were found with. */
  private previousDocuments = new Map<string, CollectedDocument>();
  private previousSourceGlobs = '';
  private sourceMatcher: { globs: string; isMatch: (path: string) => boolean } | undefined;
  private parsedSinceFlush = 0;
  /** The raw bytes of the documents the last read took from disk, by path (for the sources cache). */
  readBytes = new Map<string, Uint8Array>();
  /** Documents whose content changed in the last read (added, edited, removed). */
  changedDocuments: string[] = [];
  /** Set by watch mode: flush the disk cache now and then, not after every read. */
  longLived = false;

  constructor(
    private readonly root: string,
    private readonly disk: DiskCache | undefined,
  ) {}

  /** Read every source, reusing cached chunks for unchanged documents. */
  async read(
    config: ResolvedConfig,
    hint?: RebuildHint,
    /** The sources, when the caller has just searched for them. */
    found?: string[],
  ): Promise<{ documents: CollectedDocument[]; cached: number; messages: Message[] }> {
    // Collected documents depend on the config's `quartoAttributes` too: a change re-reads them all.
    const variant = collectVariant(config);
    const globs = JSON.stringify([config.sources, variant]);
    const incremental = hint !== undefined && !hint.rescan && globs === this.previousSourceGlobs;
    const paths = incremental ? this.updateSourceList(config, hint.changed) : (found ?? (await findSources(this.root, config.sources)));
    this.previousSourceGlobs = globs;
    const messages: Message[] = [];
    if (paths.length === 0) {
      messages.push(message(CONFIG_FILE, 0, 0, 'warning', 'no-sources', `no documents match ${config.sources.join(', ')}`));
    }
    // With a hint, a document nobody touched is not read again: its previous collected
    // form stands in for it (a document that could not be read is always read again).
    const unchanged = (path: string) => {
      const previous = incremental && !hint.changed.has(path) ? this.previousDocuments.get(path) : undefined;
      return previous && previous.hash !== '' ? previous : undefined;
    };
    const sources: SourceText[] = paths.map((p) => {
      const previous = unchanged(p);
      return previous ? { path: p, text: '', hash: previous.hash, messages: [] } : readSource(this.root, p, config.limits.maxDocumentBytes, config);
    });
    this.readBytes = new Map(sources.flatMap((source) => (source.bytes ? [[source.path, source.bytes] as const] : [])));
    const documents: (CollectedDocument | undefined)[] = new Array(sources.length);
    const misses: { index: number; source: SourceText }[] = [];
    let cached = 0;
    const changed: string[] = [];
    const nextHashes = new Map<string, string>();
    sources.forEach((source, index) => {
      nextHashes.set(source.path, source.hash);
      if (this.previousHashes.size > 0 && this.previousHashes.get(source.path) !== source.hash) changed.push(source.path);
      if (source.hash === '') {
        documents[index] = { path: source.path, hash: '', chunks: [], files: [], messages: source.messages };
        return;
      }
      const same = unchanged(source.path);
      if (same) {
        cached++;
        documents[index] = same; // Already in memory under its key.
        return;
      }
      const key = `${source.path}\0${source.hash}\0${variant}`;
      const hit = this.memory.get(key) ?? this.disk?.get(source.path, source.hash, variant);
      if (hit) {
        cached++;
        documents[index] = hit;
        this.memory.set(key, hit);
      } else {
        misses.push({ index, source });
      }
    });
    for (const path of this.previousHashes.keys()) if (!nextHashes.has(path)) changed.push(path);
    this.changedDocuments = changed.sort();
    this.previousHashes = nextHashes;
    const parsed = await parseMany(misses.map((m) => m.source));
    parsed.forEach((doc, i) => {
      const { index, source } = misses[i]!;
      const collected = collectDocument(doc, config);
      documents[index] = collected;
      this.memory.set(`${source.path}\0${source.hash}\0${variant}`, collected);
      // Only remark's work is worth a file: the scanner reads a document faster than the cache could.
      // A document refused for its parse budget is not cached: the budget is time, which
      // depends on the machine and its load, so the next run tries again.
      if (doc.reader !== 'scanner' && !doc.messages.some((m) => m.rule === 'document-too-complex')) this.disk?.set(collected, variant);
    });
    // Forget documents that no longer exist or changed (bounded memory in long watches);
    // with a hint, nothing is stale unless a document was read again or went away.
    if (!incremental || misses.length > 0 || sources.length < this.previousDocuments.size) {
      const live = new Set(sources.map((s) => `${s.path}\0${s.hash}\0${variant}`));
      for (const key of this.memory.keys()) if (!live.has(key)) this.memory.delete(key);
    }
    // Only a parse adds entries; in a long watch, one edit adds one, so look at the folder now and then.
    this.parsedSinceFlush += misses.length;
    if (this.parsedSinceFlush > (this.longLived ? 64 : 0)) {
      this.disk?.flush(sources.map((s) => s.hash));
      this.parsedSinceFlush = 0;
    }
    this.previousDocuments = new Map((documents as CollectedDocument[]).map((d) => [d.path, d]));
    return { documents: documents as CollectedDocument[], cached, messages };
  }

  /** Project-relative paths of the documents the last rebuild read, sorted. */
  sourcePaths(): string[] {
    return [...this.previousDocuments.keys()];
  }

  /** The previous source list, with `changed` files added (when they exist and match the globs) or removed. */
  private updateSourceList(config: ResolvedConfig, changed: ReadonlySet<string>): string[] {
    const globs = JSON.stringify(config.sources);
    if (this.sourceMatcher?.globs !== globs) {
      // The same matcher, and the same folders left out, as `findSources` (tinyglobby), where
      // a glob starting with `!` leaves out what it matches.
      const clean = (g: string) => g.replace(/^\.\//, '');
      const isSource = picomatch(config.sources.filter((g) => !g.startsWith('!')).map(clean), { dot: false });
      const negated = config.sources.filter((g) => g.startsWith('!')).map((g) => clean(g.slice(1)));
      const isLeftOut = negated.length === 0 ? () => false : picomatch(negated, { dot: true });
      const isIgnored = picomatch(IGNORED_SOURCE_FOLDERS, { dot: true });
      this.sourceMatcher = { globs, isMatch: (path) => isSource(path) && !isLeftOut(path) && !isIgnored(path) };
    }
    const paths = new Set(this.previousDocuments.keys());
    for (const path of changed) {
      if (this.sourceMatcher.isMatch(path) && isFile(join(this.root, path))) paths.add(path);
      else paths.delete(path);
    }
    return [...paths].sort(byteOrder);
  }

}

function isFile(full: string): boolean {
  try {
    return statSync(full).isFile();
  } catch {
    return false; // Gone again (ENOENT is a normal race in watch mode).
  }
}

