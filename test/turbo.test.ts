/**
 * Weft as a Turborepo task, run by the real `turbo` (a devDependency): a temporary
 * monorepo with the README's `turbo.json` (test/fixtures/monorepo/turbo.json) at its root
 * and the fixture package in `packages/lit`. The second `turbo run tangle` is a cache hit;
 * deleting the outputs and running again restores them byte for byte, modes included; in
 * committed mode a hand edit is reported by `tangle-check` (whose inputs include the
 * outputs, so the edit misses the cache) and never overwritten.
 *
 * Offline and quiet: telemetry, the update check and any user or remote-cache config are
 * kept out (a HOME of its own, no TURBO_* from the caller). Nx is not installed (89 direct
 * dependencies and a native binary, see the README); its snippet is checked against
 * `weft outputs` in test/outputs.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProject, REPO, WEFT_BIN } from './helpers.js';

const TURBO = join(REPO, 'node_modules', '.bin', 'turbo');
const FIXTURE = join(REPO, 'test/fixtures/monorepo');

/** A monorepo root with the fixture's turbo.json, `weft` on the path, and the fixture package in packages/lit. */
function monorepo(): { root: string; lit: string } {
  const root = makeProject({
    'package.json': `${JSON.stringify({ name: 'mono', private: true, packageManager: 'npm@10.9.0', workspaces: ['packages/*'] }, null, 2)}\n`,
  });
  cpSync(join(FIXTURE, 'turbo.json'), join(root, 'turbo.json'));
  const lit = join(root, 'packages/lit');
  cpSync(FIXTURE, lit, { recursive: true, filter: (path) => !/(turbo|project)\.json$/.test(path) });
  mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
  symlinkSync(WEFT_BIN, join(root, 'node_modules/.bin/weft'));
  return { root, lit };
}

/** `turbo run TASK` in `root`, offline and with nothing from the caller's turbo set-up. */
function turbo(root: string, task: string): { code: number; output: string } {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('TURBO_') && !name.startsWith('npm_')) env[name] = value;
  const home = join(root, '.home');
  mkdirSync(home, { recursive: true });
  Object.assign(env, { HOME: home, XDG_CONFIG_HOME: home, XDG_CACHE_HOME: home, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', TURBO_NO_UPDATE_NOTIFIER: '1', NO_COLOR: '1', CI: '1' });
  const run = spawnSync(TURBO, ['run', task, '--log-order=grouped'], { cwd: root, encoding: 'utf8', env, timeout: 120_000 });
  return { code: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

/** Every file of the package except what is never an output (Weft's cache, turbo's logs), with its mode. */
function snapshot(lit: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(lit, { recursive: true, withFileTypes: true }) as Dirent[]) {
    if (!entry.isFile()) continue;
    const path = relative(lit, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (path.startsWith('.weft/cache/') || path.startsWith('.turbo/')) continue;
    files[path] = `${(statSync(join(lit, path)).mode & 0o777).toString(8)} ${readFileSync(join(lit, path), 'base64')}`;
  }
  return files;
}

describe('weft under turbo run', () => {
  beforeAll(() => {
    if (!existsSync(TURBO)) throw new Error(`turbo is not installed (${TURBO} is missing): run \`npm ci\` (turbo is a devDependency), or \`npm install --save-dev turbo\``);
  });

  it('tangle: the second run is a cache hit, and deleted outputs are restored byte for byte', () => {
    const { root, lit } = monorepo();
    const first = turbo(root, 'tangle');
    expect(first.output).toContain('lit:tangle: cache miss, executing');
    expect(first.code, first.output).toBe(0);
    const tangled = snapshot(lit);
    expect(Object.keys(tangled)).toEqual(expect.arrayContaining(['.weft/manifest.json', '.weft/bundle-manifest.json', 'src-generated/main.ts', 'src-generated/main.ts.map', 'scripts/run.sh', 'dist/main.js']));
    expect(tangled['scripts/run.sh']).toMatch(/^755 /);

    const second = turbo(root, 'tangle');
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('lit:tangle: cache hit, replaying logs');
    expect(second.output).toMatch(/Cached:\s+1 cached, 1 total/);

    for (const path of ['src-generated', 'scripts', 'dist', '.weft']) rmSync(join(lit, path), { recursive: true, force: true });
    const restored = turbo(root, 'tangle');
    expect(restored.code, restored.output).toBe(0);
    expect(restored.output).toContain('lit:tangle: cache hit, replaying logs');
    expect(snapshot(lit)).toEqual(tangled);

    // A changed document misses the cache and is tangled.
    writeFileSync(join(lit, 'docs/main.lit.md'), readFileSync(join(lit, 'docs/main.lit.md'), 'utf8').replace('main = 1', 'main = 2'));
    const changed = turbo(root, 'tangle');
    expect(changed.output).toContain('lit:tangle: cache miss, executing');
    expect(readFileSync(join(lit, 'src-generated/main.ts'), 'utf8')).toContain('main = 2');
  });

  it('tangle-check (committed mode): a pass is cached, a hand edit misses the cache, is reported and is never overwritten', () => {
    const { root, lit } = monorepo();
    expect(spawnSync(process.execPath, [WEFT_BIN, 'tangle'], { cwd: lit }).status).toBe(0);
    const pass = turbo(root, 'tangle-check');
    expect(pass.code, pass.output).toBe(0);
    expect(pass.output).toContain('weft: all outputs are up to date');
    expect(turbo(root, 'tangle-check').output).toContain('lit:tangle-check: cache hit, replaying logs');

    const edited = `${readFileSync(join(lit, 'src-generated/main.ts'), 'utf8')}// a hand edit\n`;
    writeFileSync(join(lit, 'src-generated/main.ts'), edited);
    const check = turbo(root, 'tangle-check');
    expect(check.code).not.toBe(0);
    expect(check.output).toContain('lit:tangle-check: cache miss, executing');
    expect(check.output).toMatch(/src-generated\/main\.ts:\d+:\d+: error: .*hand/);
    expect(readFileSync(join(lit, 'src-generated/main.ts'), 'utf8')).toBe(edited);

    // Weft itself refuses to overwrite it, too.
    const tangle = spawnSync(process.execPath, [WEFT_BIN, 'tangle'], { cwd: lit, encoding: 'utf8' });
    expect(tangle.status).toBe(1);
    expect(tangle.stderr).toContain('[hand-edited-output]');
    expect(readFileSync(join(lit, 'src-generated/main.ts'), 'utf8')).toBe(edited);
  });
});
