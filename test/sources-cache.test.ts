/**
 * The sources cache (`tangle/sources-cache.ts`): stitch's record of the documents as last
 * tangled, one append-only pack plus an index. Real files in temporary folders.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSourcesCache, writeSourcesCache } from '../tangle/sources-cache.js';
import { makeProject, writeFiles } from './helpers.js';

const hash = (text: string) => createHash('sha256').update(text).digest('hex');
const folder = (dir: string) => join(dir, '.weft/cache/sources');
const packSize = (dir: string) => statSync(join(folder(dir), 'pack')).size;

/** Write the documents to disk and record them as tangled. */
function tangled(dir: string, documents: Record<string, string>, options: { inMemory?: boolean } = {}) {
  writeFiles(dir, documents);
  writeSourcesCache(
    dir,
    Object.entries(documents).map(([path, text]) => ({ path, hash: hash(text), bytes: options.inMemory ? Buffer.from(text) : undefined })),
  );
}

describe('sources cache', () => {
  it('gives back the documents as last tangled, after they change on disk', () => {
    const dir = makeProject();
    tangled(dir, { 'docs/a.lit.md': 'a1\n', 'docs/b.lit.md': 'b1\n' });
    writeFiles(dir, { 'docs/a.lit.md': 'edited since\n' });
    expect(readSourcesCache(dir)).toEqual({ 'docs/a.lit.md': 'a1\n', 'docs/b.lit.md': 'b1\n' });
  });

  it('keeps every blob in one pack and appends only what is new', () => {
    const dir = makeProject();
    tangled(dir, { 'docs/a.lit.md': 'a1\n', 'docs/b.lit.md': 'b1\n' });
    expect(packSize(dir)).toBe(6);
    const index = readFileSync(join(folder(dir), 'last'), 'utf8');
    tangled(dir, { 'docs/a.lit.md': 'a1\n', 'docs/b.lit.md': 'b1\n' });
    expect(readFileSync(join(folder(dir), 'last'), 'utf8')).toBe(index); // Unchanged: nothing written.
    tangled(dir, { 'docs/a.lit.md': 'a2 longer\n', 'docs/b.lit.md': 'b1\n' }, { inMemory: true });
    expect(packSize(dir)).toBe(6 + 10);
    expect(readSourcesCache(dir)).toEqual({ 'docs/a.lit.md': 'a2 longer\n', 'docs/b.lit.md': 'b1\n' });
  });

  it('leaves out a document whose file no longer has the hash that was tangled', () => {
    const dir = makeProject();
    writeFiles(dir, { 'docs/a.lit.md': 'changed before the cache was written\n', 'docs/b.lit.md': 'b1\n' });
    writeSourcesCache(dir, [
      { path: 'docs/a.lit.md', hash: hash('a1\n') },
      { path: 'docs/b.lit.md', hash: hash('b1\n') },
    ]);
    expect(readSourcesCache(dir)).toEqual({ 'docs/b.lit.md': 'b1\n' });
  });

  it('compacts the pack once it holds more than twice the live blobs (plus 1 MiB)', () => {
    const dir = makeProject();
    const big = (n: number) => `${String(n).repeat(300_000)}\n`;
    for (let n = 1; n <= 8; n++) tangled(dir, { 'docs/a.lit.md': big(n) });
    // Each version is about 300 KB: without compaction the pack would hold all eight.
    expect(packSize(dir)).toBeLessThanOrEqual(2 * 300_001 + 1024 * 1024 + 300_001);
    expect(readSourcesCache(dir)).toEqual({ 'docs/a.lit.md': big(8) });
  });

  it('survives a torn append (bytes after the last indexed blob) and keeps appending after them', () => {
    const dir = makeProject();
    tangled(dir, { 'docs/a.lit.md': 'a1\n' });
    appendFileSync(join(folder(dir), 'pack'), 'half a blob');
    expect(readSourcesCache(dir)).toEqual({ 'docs/a.lit.md': 'a1\n' });
    tangled(dir, { 'docs/a.lit.md': 'a2\n' });
    expect(readSourcesCache(dir)).toEqual({ 'docs/a.lit.md': 'a2\n' });
  });

  it('refuses a tampered, truncated or foreign cache (null: stitch falls back to git)', () => {
    const dir = makeProject();
    tangled(dir, { 'docs/a.lit.md': 'a1\n' });
    writeFileSync(join(folder(dir), 'pack'), 'X1\n');
    expect(readSourcesCache(dir)).toBeNull();
    writeFileSync(join(folder(dir), 'pack'), '');
    expect(readSourcesCache(dir)).toBeNull();
    writeFileSync(join(folder(dir), 'last'), '{"docs/a.lit.md": "' + hash('a1\n') + '"}');
    expect(readSourcesCache(dir)).toBeNull();
    // The next tangle starts a new pack.
    tangled(dir, { 'docs/a.lit.md': 'a1\n' });
    expect(readSourcesCache(dir)).toEqual({ 'docs/a.lit.md': 'a1\n' });
  });

  it('removes the blob files of the first layout (a file per document) when it starts a pack', () => {
    const dir = makeProject();
    writeFiles(dir, { [`.weft/cache/sources/${hash('old')}`]: 'old', '.weft/cache/sources/last': '{}' });
    tangled(dir, { 'docs/a.lit.md': 'a1\n' });
    expect(existsSync(join(folder(dir), hash('old')))).toBe(false);
    expect(readSourcesCache(dir)).toEqual({ 'docs/a.lit.md': 'a1\n' });
  });
});
