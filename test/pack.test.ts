/**
 * Installing Weft the way a new user does: `npm pack`, then `npm install <tarball>` into
 * an empty project, then `npx weft tangle` there.
 *
 * The tarball is packed from a copy of the package (with this repo's node_modules linked
 * in for the build), so the `prepare` build of the copy cannot disturb the lib/ other
 * tests are running at the same time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, fence, makeProject, read } from './helpers.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('npm pack', () => {
  it('produces a tarball that installs into an empty project and tangles there', { timeout: 240_000 }, () => {
    const copy = makeProject();
    for (const entry of ['package.json', 'build.mjs', 'tsconfig.json', 'tsconfig.build.json', 'README.md']) {
      try {
        copyFileSync(join(REPO, entry), join(copy, entry));
      } catch {
        // README.md may not exist yet in a partial checkout; pack works without it.
      }
    }
    for (const entry of ['.pre-commit-hooks.yaml']) copyFileSync(join(REPO, entry), join(copy, entry));
    for (const folder of ['bin', 'tangle', 'schema', 'matchers']) cpSync(join(REPO, folder), join(copy, folder), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
    const packed = execFileSync(npm, ['pack', '--silent'], { cwd: copy, encoding: 'utf8' }).trim().split('\n').pop()!;
    const tarball = join(copy, packed);
    expect(statSync(tarball).size).toBeGreaterThan(1000);

    const project = makeProject({
      'package.json': JSON.stringify({ name: 'empty-project', version: '1.0.0', private: true, type: 'module' }),
      'docs/hello.lit.md': `# Hello\n\n${fence('ts file=src-generated/hello.ts', 'export function hello(): string {\n  <<say-hello>>\n}')}\n${fence('ts #say-hello', "return 'hello';")}`,
      'weft.config.json': JSON.stringify({ bundle: { entryPoints: ['src-generated/hello.ts'], outdir: 'dist' } }),
    });
    const install = spawnSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    expect(readdirSync(join(project, 'node_modules/weft-lit/lib/cli'))).toContain('main.js');
    expect(readdirSync(join(project, 'node_modules/weft-lit/schema'))).toEqual(['weft.config.schema.json']);
    expect(readdirSync(join(project, 'node_modules/weft-lit/lib'))).toContain('index.d.ts');

    const run = spawnSync(join(project, 'node_modules/.bin/weft'), ['tangle'], { cwd: project, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(read(project, 'src-generated/hello.ts')).toContain("  return 'hello';");
    expect(read(project, 'dist/hello.js')).toContain('hello');

    // The programmatic API is importable by name.
    const api = spawnSync(process.execPath, ['--input-type=module', '-e', "import { tangle } from 'weft-lit'; const r = await tangle({ bundle: false }); console.log(r.ok, r.summary.unchanged);"], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(api.stdout.trim()).toBe('true 1');

    // A project that depends on that installed copy as a `file:` dependency, as `weft init`
    // writes it: npm links it and runs its `prepare` there, without devDependencies.
    const installed = join(project, 'node_modules/weft-lit');
    const dependent = makeProject({
      'package.json': JSON.stringify({ name: 'dependent', version: '1.0.0', private: true, type: 'module', dependencies: { 'weft-lit': `file:${installed}` } }),
      'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', 'export const a = 1;')}`,
    });
    const linked = spawnSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dependent, encoding: 'utf8' });
    expect(linked.status, linked.stderr).toBe(0);
    const tangled = spawnSync(join(dependent, 'node_modules/.bin/weft'), ['tangle'], { cwd: dependent, encoding: 'utf8' });
    expect(tangled.status, tangled.stderr).toBe(0);
    expect(read(dependent, 'src-generated/a.ts')).toContain('export const a = 1;');

    // `npx weft-lit init` in an empty folder: the package's one bin, `weft`, runs init there.
    const empty = makeProject();
    const fetched = spawnSync(npm, ['install', '--offline', '--no-audit', '--no-fund', '--no-save', tarball], { cwd: empty, encoding: 'utf8' });
    expect(fetched.status, fetched.stderr).toBe(0);
    const npx = spawnSync(npm, ['exec', '--offline', '--', 'weft-lit', 'init', '--weft', `file:${tarball}`], { cwd: empty, encoding: 'utf8' });
    expect(npx.stderr).toBe('');
    expect(npx.status).toBe(0);
    expect(JSON.parse(read(empty, 'package.json')).devDependencies['weft-lit']).toBe(`file:${tarball}`);
    expect(read(empty, 'src-generated/greeting.ts')).toContain('generated from docs/greeting.lit.md');
    // The problem matchers and the pre-commit hook ship in the package.
    expect(readdirSync(join(empty, 'node_modules/weft-lit/matchers'))).toEqual(['weft.json']);
    expect(read(empty, 'node_modules/weft-lit/.pre-commit-hooks.yaml')).toContain('entry: weft tangle --check');
  });
});
