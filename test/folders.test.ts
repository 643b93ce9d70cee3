/**
 * The folder watch of watch mode (`tangle/folders.ts`), on a real temp folder: it names the
 * entries that come and go, follows folders made and removed, and leaves alone what it is
 * told to skip and symbolic links.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FolderWatch, watchFolders } from '../tangle/folders.js';
import { makeProject } from './helpers.js';

const running: FolderWatch[] = [];
afterEach(() => {
  for (const watch of running.splice(0)) watch.close();
});

function start(root: string, folders: string[], skip: (path: string) => boolean = () => false) {
  const entries: { path: string; folder: boolean }[] = [];
  let wake = () => {};
  const watch = watchFolders({
    root,
    folders,
    skip,
    onEntry: (path, folder) => {
      entries.push({ path, folder });
      wake();
    },
  });
  running.push(watch);
  /** Resolves once an entry for which `accept` holds has been reported. */
  const reported = async (accept: (entry: { path: string; folder: boolean }) => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!entries.some(accept)) {
      if (Date.now() > deadline) throw new Error(`not reported; saw ${JSON.stringify(entries)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  return { watch, entries, reported };
}

describe('folder watch', () => {
  it('watches every folder below the given ones, except those skipped and symbolic links', () => {
    const root = makeProject({ 'docs/a/x.lit.md': '', 'docs/b/c/y.lit.md': '', 'docs/node_modules/z.lit.md': '', 'other/w.lit.md': '' });
    symlinkSync(join(root, 'other'), join(root, 'docs/link'));
    const { watch } = start(root, ['docs'], (path) => path.split('/').includes('node_modules'));
    expect(watch.folders()).toEqual(['docs', 'docs/a', 'docs/b', 'docs/b/c']);
  });

  it('follows a top folder that is a link to a folder, as weft tangle reads it', async () => {
    const root = makeProject({ 'elsewhere/a.lit.md': 'one', 'elsewhere/sub/b.lit.md': 'two' });
    symlinkSync(join(root, 'elsewhere'), join(root, 'docs'));
    const { watch, reported } = start(root, ['docs']);
    expect(watch.folders()).toEqual(['docs', 'docs/sub']);
    writeFileSync(join(root, 'elsewhere/a.lit.md'), 'three');
    await reported((e) => e.path === 'docs/a.lit.md' && !e.folder);
  });

  it('names files written, added and removed, and folders made, renamed and removed', async () => {
    const root = makeProject({ 'docs/a.lit.md': 'one' });
    const { watch, reported } = start(root, ['docs']);
    writeFileSync(join(root, 'docs/a.lit.md'), 'two');
    await reported((e) => e.path === 'docs/a.lit.md' && !e.folder);
    writeFileSync(join(root, 'docs/b.lit.md'), 'new');
    await reported((e) => e.path === 'docs/b.lit.md' && !e.folder);

    mkdirSync(join(root, 'docs/sub/deeper'), { recursive: true });
    await reported((e) => e.path === 'docs/sub' && e.folder);
    expect(watch.folders()).toEqual(['docs', 'docs/sub', 'docs/sub/deeper']);
    writeFileSync(join(root, 'docs/sub/deeper/c.lit.md'), 'deep');
    await reported((e) => e.path === 'docs/sub/deeper/c.lit.md');

    renameSync(join(root, 'docs/sub'), join(root, 'docs/moved'));
    await reported((e) => e.path === 'docs/moved' && e.folder);
    await reported((e) => e.path === 'docs/sub' && e.folder);
    expect(watch.folders()).toEqual(['docs', 'docs/moved', 'docs/moved/deeper']);

    rmSync(join(root, 'docs/moved'), { recursive: true });
    await reported((e) => e.path === 'docs/moved' && e.folder && !watch.folders().includes('docs/moved'));
    expect(watch.folders()).toEqual(['docs']);
  });

  it('waits for a missing top folder, and for one deleted, and watches it once it is there', async () => {
    const root = makeProject({ 'docs/a.lit.md': 'one' });
    const { watch, entries, reported } = start(root, ['docs', 'out/generated']);
    expect(watch.folders()).toEqual(['docs']);
    mkdirSync(join(root, 'out/generated/sub'), { recursive: true });
    await reported((e) => e.path === 'out/generated' && e.folder);
    expect(watch.folders()).toEqual(['docs', 'out/generated', 'out/generated/sub']);
    writeFileSync(join(root, 'out/generated/sub/x.ts'), 'x');
    await reported((e) => e.path === 'out/generated/sub/x.ts');

    rmSync(join(root, 'docs'), { recursive: true });
    await reported((e) => e.path === 'docs' && e.folder && !watch.folders().includes('docs'));
    entries.length = 0;
    mkdirSync(join(root, 'docs'));
    await reported((e) => e.path === 'docs' && e.folder);
    expect(watch.folders()).toContain('docs');
    writeFileSync(join(root, 'docs/b.lit.md'), 'two');
    await reported((e) => e.path === 'docs/b.lit.md');
  });

  it('watches a folder made by the caller as soon as it asks (refresh)', () => {
    const root = makeProject({ 'docs/a.lit.md': 'one' });
    const { watch } = start(root, ['docs', 'src-generated']);
    mkdirSync(join(root, 'src-generated'));
    watch.refresh();
    expect(watch.folders()).toEqual(['docs', 'src-generated']);
  });

  it('reports nothing once closed', async () => {
    const root = makeProject({ 'docs/a.lit.md': 'one' });
    const { watch, entries } = start(root, ['docs']);
    watch.close();
    writeFileSync(join(root, 'docs/a.lit.md'), 'two');
    mkdirSync(join(root, 'docs/sub'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(entries).toEqual([]);
    expect(watch.folders()).toEqual([]);
  });
});
