/**
 * Output is deterministic: the same documents give byte-identical outputs, source maps,
 * manifest, bundle and `--json` wherever the project lives and whatever the time zone,
 * locale and umask of the process; and the parse cache changes nothing but speed.
 * Each test tangles real copies of a guide-like project in temporary folders.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, REPO, WEFT_BIN } from './helpers.js';

const CONFIG = JSON.stringify({ sources: ['docs/**/*.lit.md'], bundle: { entryPoints: ['src-generated/guide/cli.ts'], outdir: 'dist', platform: 'node' } });

/** The guide, and a document whose fence is in a list item: the line scanner leaves it to remark, whose parse is cached. */
function guideProject(): string {
  return makeProject({
    'docs/guide.lit.md': readFileSync(join(REPO, 'docs/guide.lit.md'), 'utf8'),
    'docs/listed.lit.md': '# Listed\n\n- a step:\n\n  ```ts file=src-generated/listed.ts\n  export const listed = 1;\n  ```\n',
    'weft.config.json': CONFIG,
  });
}

/** Run weft under a shell with its own umask, TZ and LANG. */
function tangleWith(dir: string, env: { TZ: string; LANG: string; umask: string }, ...args: string[]) {
  const result = spawnSync('sh', ['-c', `umask ${env.umask} && exec "$0" "$@"`, process.execPath, WEFT_BIN, 'tangle', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', TZ: env.TZ, LANG: env.LANG, LC_ALL: env.LANG },
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

/** Every file except the parse cache, with its content and whether it is executable. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[]) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (path.startsWith('.weft/cache/')) continue;
    const executable = (statSync(join(dir, path)).mode & 0o100) !== 0;
    files[path] = `${executable ? 'x' : '-'} ${readFileSync(join(dir, path), 'utf8')}`;
  }
  return files;
}

/** `--json` without what differs by design: timings and the absolute root. */
function stable(json: string) {
  const value = JSON.parse(json);
  delete value.root;
  delete value.summary.tangleMs;
  delete value.summary.bundleMs;
  return value;
}

describe('determinism', () => {
  it('two folders, time zones, locales and umasks give identical outputs, maps, manifest, bundle and --json', () => {
    const a = guideProject();
    const b = guideProject();
    expect(a).not.toBe(b);
    const jsonA = tangleWith(a, { TZ: 'UTC', LANG: 'C', umask: '022' }, '--json');
    const jsonB = tangleWith(b, { TZ: 'Pacific/Kiritimati', LANG: 'tr_TR.UTF-8', umask: '077' }, '--json');
    const treeA = tree(a);
    expect(Object.keys(treeA)).toEqual(expect.arrayContaining(['.weft/manifest.json', 'src-generated/guide/cli.ts', 'src-generated/guide/cli.ts.map']));
    expect(Object.keys(treeA).some((path) => path.startsWith('dist/'))).toBe(true);
    expect(tree(b)).toEqual(treeA);
    expect(stable(jsonB)).toEqual(stable(jsonA));
  });

  it('a tangle from the parse cache writes the same files as one with --no-cache', () => {
    const cached = guideProject();
    const uncached = guideProject();
    const env = { TZ: 'UTC', LANG: 'C', umask: '022' };
    tangleWith(cached, env, '--no-bundle');
    // Outputs removed, cache kept: the second tangle parses nothing, it reads the cache.
    spawnSync('rm', ['-rf', join(cached, 'src-generated'), join(cached, '.weft/manifest.json')]);
    const second = JSON.parse(tangleWith(cached, env, '--no-bundle', '--json'));
    expect(second.summary.cached).toBeGreaterThan(0);
    tangleWith(uncached, env, '--no-bundle', '--no-cache');
    expect(tree(uncached)).toEqual(tree(cached));
  });

  it('a cache in another folder (--cache-dir), cold or warm, writes the same files as --no-cache', () => {
    const env = { TZ: 'UTC', LANG: 'C', umask: '022' };
    const uncached = guideProject();
    tangleWith(uncached, env, '--no-cache');
    const cache = join(makeProject({}), 'cache');
    const cold = guideProject();
    tangleWith(cold, env, '--cache-dir', cache);
    const warm = guideProject();
    const json = JSON.parse(tangleWith(warm, env, '--cache-dir', cache, '--json'));
    expect(json.summary.cached).toBeGreaterThan(0);
    expect(readdirSync(cache).length).toBeGreaterThan(0);
    expect(tree(cold)).toEqual(tree(uncached));
    expect(tree(warm)).toEqual(tree(uncached));
    expect(existsSync(join(cold, '.weft/cache'))).toBe(false);
  });
});
