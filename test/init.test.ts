/**
 * `weft init`: the files it writes, what it adds to an existing project without
 * overwriting anything, and — with the
 * dependencies "installed" from this repository — a new project whose `npm test`,
 * `weft tangle`, `weft check` and deploy script all pass.
 *
 * Installing: the new project's package.json depends on this copy of Weft
 * (`file:<path>`), so `npm install` would link it; the test lays out node_modules the
 * way that install would, from this repository's own node_modules (symbolic links), so
 * it needs no network and leaves the repository's node_modules untouched.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProject, read, REPO, weft, type Run } from './helpers.js';

const CREATED = [
  '.gitignore',
  '.prettierignore',
  'docs/deploy.lit.md',
  'docs/greeting.lit.md',
  'package.json',
  'tsconfig.json',
  'vitest.config.ts',
  'weft.config.json',
];
const TANGLED = ['scripts/deploy.sh', 'src-generated/greeting.test.ts', 'src-generated/greeting.ts'];

/** Every file under `dir`, project-relative, sorted; `.weft/` left out. */
function listFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (path !== '.weft' && path !== 'node_modules') files.push(...listFiles(dir, path));
    } else files.push(path);
  }
  return files.sort();
}

/** node_modules as `npm install` would lay it out: weft linked to this repository, the rest from its node_modules. */
function linkDependencies(dir: string): void {
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '.bin'), { recursive: true });
  for (const name of readdirSync(join(REPO, 'node_modules'))) {
    if (name.startsWith('.')) continue;
    symlinkSync(join(REPO, 'node_modules', name), join(modules, name));
  }
  symlinkSync(REPO, join(modules, 'weft-lit'));
  symlinkSync('../weft-lit/bin/weft.js', join(modules, '.bin', 'weft'));
  symlinkSync('../vitest/vitest.mjs', join(modules, '.bin', 'vitest'));
  symlinkSync('../typescript/bin/tsc', join(modules, '.bin', 'tsc'));
}

/** This process's environment without vitest's own variables (the child runs its own vitest). */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [key, value] of Object.entries(process.env)) if (!/^(VITEST|TEST$|NODE_ENV$|FORCE_COLOR$)/.test(key)) env[key] = value;
  return env;
}

function run(dir: string, command: string, ...args: string[]): Run {
  const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', env: childEnvironment() });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe('weft init', () => {
  it('creates the project files, tangles them, and says what to do next', () => {
    const dir = makeProject();
    const result = weft(dir, 'init');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `weft: created 8 files and tangled 3 outputs in ${dir}`,
        ...CREATED.map((p) => `  ${p}`),
        ...TANGLED.map((p) => `  ${p}`),
        `package.json depends on weft-lit as "${JSON.parse(read(dir, 'package.json')).devDependencies['weft-lit']}" (this copy of weft; see --weft)`,
        '',
        'Next:',
        '  npm install',
        '  npm test           tangle, then run the test plans with vitest',
        '  npx weft check     type-check and lint, reported at the .lit.md lines',
        "  npm run deploy     run the deployment guide's script",
        '',
      ].join('\n'),
    );
    expect(listFiles(dir)).toEqual([...CREATED, ...TANGLED, ...TANGLED.filter((p) => p.endsWith('.ts')).map((p) => `${p}.map`)].sort());
  });

  it('writes a package.json with the scripts and the dev dependencies, weft among them', () => {
    const dir = makeProject();
    mkdirSync(join(dir, 'My Project'));
    expect(weft(join(dir, 'My Project'), 'init').code).toBe(0);
    const manifest = JSON.parse(read(join(dir, 'My Project'), 'package.json'));
    const own = JSON.parse(read(REPO, 'package.json'));
    expect(manifest).toEqual({
      name: 'my-project',
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: { tangle: 'weft tangle', check: 'weft check', test: 'weft tangle && vitest run', deploy: 'scripts/deploy.sh' },
      devDependencies: {
        '@types/node': own.devDependencies['@types/node'],
        typescript: own.dependencies.typescript,
        vitest: own.devDependencies.vitest,
        'weft-lit': `file:${relative(join(dir, 'My Project'), REPO)}`,
      },
    });
  });

  it('depends on weft the way --weft says', () => {
    const dir = makeProject();
    expect(weft(dir, 'init', '--weft', 'github:example/weft#v0.1.0', '--name', 'bus').code).toBe(0);
    const manifest = JSON.parse(read(dir, 'package.json'));
    expect(manifest.name).toBe('bus');
    expect(manifest.devDependencies['weft-lit']).toBe('github:example/weft#v0.1.0');
  });

  it('makes the deployment guide an executable script that stops at the first error', () => {
    const dir = makeProject();
    expect(weft(dir, 'init').code).toBe(0);
    expect(statSync(join(dir, 'scripts/deploy.sh')).mode & 0o777).toBe(0o755);
    expect(read(dir, 'scripts/deploy.sh')).toMatch(/^#!\/usr\/bin\/env bash\n.*\n(?:.*\n)?set -euo pipefail\n/);
  });

  it('adds itself to an existing package.json: only missing scripts and devDependencies, keeping the indentation', () => {
    const mine = '{\n    "name": "mine",\n    "scripts": {\n        "test": "jest"\n    },\n    "dependencies": {\n        "typescript": "^5.0.0"\n    }\n}\n';
    const dir = makeProject({ 'package.json': mine });
    const result = weft(dir, 'init', '--weft', 'file:../weft');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(read(dir, 'package.json')).toBe(
      [
        '{',
        '    "name": "mine",',
        '    "scripts": {',
        '        "test": "jest",',
        '        "tangle": "weft tangle",',
        '        "check": "weft check",',
        '        "deploy": "scripts/deploy.sh"',
        '    },',
        '    "dependencies": {',
        '        "typescript": "^5.0.0"',
        '    },',
        '    "devDependencies": {',
        `        "@types/node": "${JSON.parse(read(REPO, 'package.json')).devDependencies['@types/node']}",`,
        `        "vitest": "${JSON.parse(read(REPO, 'package.json')).devDependencies.vitest}",`,
        '        "weft-lit": "file:../weft"',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
    expect(result.stdout.split('\n')[0]).toBe(`weft: created 7 files, added to package.json and tangled 3 outputs in ${dir}`);
    expect(listFiles(dir)).toEqual([...CREATED, ...TANGLED, ...TANGLED.filter((p) => p.endsWith('.ts')).map((p) => `${p}.map`)].sort());
  });

  it("adds Weft's lines to an existing .gitignore, and keeps every other existing file as it is", () => {
    const dir = makeProject({ '.gitignore': 'node_modules/\n.weft/cache/\n', 'tsconfig.json': '{ "mine": true }\n' });
    const result = weft(dir, 'init', '--weft', 'file:../weft');
    expect(result.code).toBe(0);
    expect(read(dir, '.gitignore')).toBe(
      'node_modules/\n.weft/cache/\n# Derived data, rewritten by `weft tangle` (and so by `npm test`).\nsrc-generated/**/*.map\nscripts/**/*.map\n.weft/lock\n.weft/journal.json\n.weft/backup/\n.weft/trash/\n.weft/bundle-manifest.json\n.weft/bundle-journal.json\n*.weft-tmp-*\n',
    );
    expect(read(dir, 'tsconfig.json')).toBe('{ "mine": true }\n');
    expect(result.stdout).toContain('\nkept as they are: tsconfig.json\n');
    expect(result.stdout.split('\n')[0]).toBe(`weft: created 6 files, added to .gitignore and tangled 3 outputs in ${dir}`);
  });

  it('tells Prettier to leave the outputs alone, adding to an existing .prettierignore', () => {
    const fresh = makeProject();
    expect(weft(fresh, 'init', '--weft', 'file:../weft').code).toBe(0);
    expect(read(fresh, '.prettierignore')).toBe('# Generated by `weft tangle`: formatting them would look like a hand edit. Format docs/ instead.\nsrc-generated/\nscripts/\n.weft/\n');
    const existing = makeProject({ '.prettierignore': 'build/\nscripts/' });
    expect(weft(existing, 'init', '--weft', 'file:../weft').code).toBe(0);
    expect(read(existing, '.prettierignore')).toBe('build/\nscripts/\n# Generated by `weft tangle`: formatting them would look like a hand edit. Format docs/ instead.\nsrc-generated/\n.weft/\n');
  });

  it('never overwrites a document or an output: a sample document whose output exists is left out', () => {
    const dir = makeProject({ 'src-generated/greeting.ts': 'mine\n', 'docs/deploy.lit.md': 'mine\n' });
    const result = weft(dir, 'init', '--json', '--weft', 'file:../weft');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.kept).toEqual(['docs/deploy.lit.md', 'docs/greeting.lit.md']);
    expect(json.created).toEqual(['.gitignore', '.prettierignore', 'package.json', 'tsconfig.json', 'vitest.config.ts', 'weft.config.json']);
    expect(read(dir, 'src-generated/greeting.ts')).toBe('mine\n');
    expect(read(dir, 'docs/deploy.lit.md')).toBe('mine\n');
  });

  it('a second init has nothing to add and changes nothing', () => {
    const dir = makeProject();
    expect(weft(dir, 'init').code).toBe(0);
    const before = listFiles(dir).map((path) => [path, read(dir, path)]);
    const again = weft(dir, 'init');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('weft: nothing to add; 8 files already there, kept as they are\n');
    expect(listFiles(dir).map((path) => [path, read(dir, path)])).toEqual(before);
  });

  it('malformed-package-json: a package.json it cannot read stops it before anything is written', () => {
    const dir = makeProject({ 'package.json': '{\n  "name": "mine",\n}\n' });
    const result = weft(dir, 'init');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("package.json:3:1: error: cannot add weft's scripts to package.json: invalid JSON: property name expected [malformed-package-json]\n");
    expect(listFiles(dir)).toEqual(['package.json']);
    expect(() => lstatSync(join(dir, '.weft'))).toThrow();
  });
});

// Each of these runs npm, vitest or the compiler in a child process: seconds each, more on a busy machine.
describe('a project made by weft init, once installed', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = makeProject();
    expect(weft(dir, 'init').code).toBe(0);
    linkDependencies(dir);
  });

  it('passes npm test: it tangles, then runs the test plan with vitest', () => {
    const result = run(dir, 'npm', 'test');
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('weft: 0 written, 3 unchanged, 0 deleted from 2 documents');
    expect(result.stdout).toMatch(/✓ src-generated\/greeting\.test\.ts \(2 tests\)/);
    expect(result.stdout).toMatch(/Tests +2 passed \(2\)/);
  });

  it('passes weft tangle with nothing to write', () => {
    const result = run(dir, join(dir, 'node_modules/.bin/weft'), 'tangle');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^weft: 0 written, 3 unchanged, 0 deleted from 2 documents in \d+ ms\n$/);
  });

  it('passes weft check', () => {
    const result = run(dir, join(dir, 'node_modules/.bin/weft'), 'check');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/weft: no problems in 3 TypeScript files and 1 shell script; all outputs are up to date\n$/);
  });

  it("deploys with its deployment guide's script, and never over an earlier release", () => {
    const first = run(dir, 'npm', 'run', '--silent', 'deploy');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('deploy: released 0.1.0 to dist/release/0.1.0\n');
    expect(listFiles(join(dir, 'dist'))).toEqual(['release/0.1.0/greeting.ts']);
    const again = run(dir, 'npm', 'run', '--silent', 'deploy');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('deploy: dist/release/0.1.0 already exists; raise the version in package.json\n');
  });

});
