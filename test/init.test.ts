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
import { lstatSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mapEntangledSettings, outputPlaces, readEntangledSettings } from '../tangle/entangled-config.js';
import { exists, fence, makeProject, read, REPO, weft, type Run } from './helpers.js';

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
describe('weft init --from-entangled', () => {
  const diagnostics = (stderr: string) => stderr.split('\n').filter((line) => /: (error|warning): /.test(line));
  const SCHEMA = './node_modules/weft-lit/schema/weft.config.schema.json';
  const documents = {
    'docs/index.md': ['# Index\n', fence('{.julia file=src/hello.jl}', 'x = 1'), fence('{.make file=Makefile}', 'all:'), fence('julia', '#| file: src/deep/b.jl\ny = 2')].join('\n'),
    'docs/README.md': fence('{.python file=ignored/x.py}', 'x'),
  };

  it('maps every setting it can, says what it mapped, and warns at each one it cannot', () => {
    const toml = [
      'version = "2.4"',
      'watch_list = ["docs/**/*.md"]',
      'ignore_list = ["README.md"]',
      'hooks = ["quarto_attributes", "build"]',
      'annotation = "standard"',
      'colour = "blue"',
      '',
      '[[languages]]',
      'name = "Dhall"',
      'identifiers = ["dhall"]',
      'comment = { open = "--" }',
      '',
      '[[languages]]',
      'name = "SML"',
      'identifiers = ["sml"]',
      'comment = { open = "(*", close = "*)" }',
      '',
    ].join('\n');
    const dir = makeProject({ 'entangled.toml': toml, ...documents });
    const run = weft(dir, 'init', '--from-entangled');
    expect(run.code).toBe(0);
    expect(JSON.parse(read(dir, 'weft.config.json'))).toEqual({
      $schema: SCHEMA,
      sources: ['docs/**/*.md', '!**/README.md'],
      outputDirs: ['src'],
      outputFiles: ['Makefile'],
      chunkScope: 'project',
      quartoAttributes: true,
      comments: { dhall: '--' },
    });
    expect(diagnostics(run.stderr)).toEqual([
      'entangled.toml:4:1: warning: `hooks` is not mapped: the build hook: Weft runs no build tasks; run them from a Makefile or npm scripts [entangled-unmapped]',
      'entangled.toml:6:1: warning: `colour` is not mapped: Entangled 2.x has no such key [entangled-unmapped]',
      "entangled.toml:13:1: warning: `languages` is not mapped: SML has a comment with a closing marker; Weft's header needs a line comment (set `comments` by hand, or null for no header) [entangled-unmapped]",
    ]);
    expect(run.stdout).toContain(`weft: wrote weft.config.json from entangled.toml (1 document, 3 file targets) in ${dir}\n`);
    expect(run.stdout).toContain(
      [
        'mapped:',
        '  watch_list → sources: docs/**/*.md',
        '  ignore_list → sources: !**/README.md',
        '  file= targets in the documents → outputDirs: src',
        '  file= targets in the project root → outputFiles: Makefile',
        '  namespace_default = "global" (Entangled\'s default) → chunkScope: "project"',
        '  hooks: quarto_attributes → quartoAttributes: true',
        '  [[languages]] comments → comments: dhall "--"',
        'notes:',
        '  Weft writes no `~/~ begin` / `~/~ end` markers: each output gets a one-line "generated from" header, and `weft explain`, the `.map` files and `weft stitch` carry it back to the documents',
        '  version = "2.4": Weft reads Entangled 2.x documents whatever the version',
        '  annotation = "standard": no equivalent, since Weft writes no markers',
        '  the shebang hook: Weft keeps a `#!` line first (its header goes after it) and makes the file executable',
        'not mapped: 3 settings (the warnings above)',
      ].join('\n'),
    );
    // Nothing but the config: no package.json, no sample documents, no outputs yet.
    expect(exists(dir, 'package.json')).toBe(false);
    expect(exists(dir, 'src/hello.jl')).toBe(false);
  });

  it('reads [tool.entangled] in pyproject.toml when there is no entangled.toml, with style "basic" turning on quartoAttributes', () => {
    const dir = makeProject({ 'pyproject.toml': '[project]\nname = "x"\n\n[tool.entangled]\nversion = "2.4"\nstyle = "basic"\nnamespace_default = "private"\nwatch_list = ["docs/**/*.md"]\n', ...documents });
    const run = weft(dir, 'init', '--from-entangled');
    expect(run.code).toBe(0);
    expect(diagnostics(run.stderr)).toEqual([]);
    expect(JSON.parse(read(dir, 'weft.config.json'))).toEqual({ $schema: SCHEMA, sources: ['docs/**/*.md'], outputDirs: ['ignored', 'src'], outputFiles: ['Makefile'], quartoAttributes: true });
    expect(run.stdout).toContain('  style = "basic" → quartoAttributes: true\n');
    expect(run.stdout).toContain('  namespace_default = "private" → chunkScope: "document" (Weft\'s default)\n');
  });

  it("takes Entangled's defaults for what entangled.toml leaves out (watch_list **/*.md, the global namespace)", () => {
    const dir = makeProject({ 'entangled.toml': 'version = "2.0"\n', 'docs/a.md': fence('{.python file=src/a.py}', 'x'), 'docs/b.md': fence('python', '#| file: src/b.py\nx') });
    const run = weft(dir, 'init', '--from-entangled', '--json');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { created: string[]; from: string; config: object; documents: string[]; targets: string[]; ok: boolean; diagnostics: unknown[] };
    expect(result).toMatchObject({ created: ['weft.config.json'], from: 'entangled.toml', documents: ['docs/a.md', 'docs/b.md'], targets: ['src/a.py'], ok: true, diagnostics: [] });
    // Without the quarto_attributes hook, `#| file:` is no target (as in Entangled), and the switch stays off.
    expect(result.config).toEqual({ $schema: SCHEMA, sources: ['**/*.md'], outputDirs: ['src'], chunkScope: 'project' });
    expect(JSON.parse(read(dir, 'weft.config.json'))).toEqual(result.config);
  });

  it('config-exists: never overwrites weft.config.json', () => {
    const dir = makeProject({ 'entangled.toml': 'version = "2.0"\n', 'weft.config.json': '{ "sources": ["x/*.md"] }\n' });
    const run = weft(dir, 'init', '--from-entangled');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['weft.config.json:1:1: error: weft.config.json already exists; init --from-entangled never overwrites it [config-exists]']);
    expect(run.stdout).toBe('weft: nothing written\n');
    expect(read(dir, 'weft.config.json')).toBe('{ "sources": ["x/*.md"] }\n');
  });

  it('entangled-config: invalid TOML is located, and nothing is written', () => {
    const dir = makeProject({ 'entangled.toml': 'version = "2.0"\nwatch_list = ["docs/*.md"\nhooks = []\n' });
    const run = weft(dir, 'init', '--from-entangled');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['entangled.toml:3:1: error: invalid TOML: expected comma or end of structure [entangled-config]']);
    expect(exists(dir, 'weft.config.json')).toBe(false);
  });

  it('entangled-config: a key of the wrong type, and a folder with no Entangled configuration', () => {
    const dir = makeProject({ 'entangled.toml': 'version = "2.0"\n\nwatch_list = "docs"\n' });
    expect(diagnostics(weft(dir, 'init', '--from-entangled').stderr)).toEqual(['entangled.toml:3:1: error: `watch_list` must be a list of strings [entangled-config]']);
    const empty = makeProject({ 'pyproject.toml': '[project]\nname = "x"\n' });
    const run = weft(empty, 'init', '--from-entangled');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['entangled.toml: error: no entangled.toml here, and no [tool.entangled] table in pyproject.toml [entangled-config]']);
    expect(exists(dir, 'weft.config.json') || exists(empty, 'weft.config.json')).toBe(false);
  });

  it('maps hooks with `~` removals, and warns at markers, namespace and line directives', () => {
    const toml = 'version = "2.4"\nstyle = "basic"\nhooks = ["~quarto_attributes", "repl"]\nnamespace = "x"\nuse_line_directives = true\n\n[markers]\nopen = "a"\nclose = "b"\n';
    const read = readEntangledSettings(toml, 'entangled.toml');
    expect(read.messages).toEqual([]);
    expect(read.settings!.hooks).toEqual(['brei', 'repl', 'shebang', 'spdx_license']);
    const mapping = mapEntangledSettings(read.settings!, toml, read.keys, ['src/a/b.jl', 'src/c.jl', 'test/t.jl', 'Makefile', '../out.txt']);
    expect(mapping.config).toEqual({ sources: ['**/*.md'], outputDirs: ['src', 'test'], outputFiles: ['Makefile'], chunkScope: 'project' });
    expect(mapping.messages.map((m) => `${m.line}:${m.column}: ${m.message} [${m.rule}]`)).toEqual([
      '4:1: `namespace` is not mapped: Weft has no namespace prefix; names are per document or, with chunkScope "project", one namespace [entangled-unmapped]',
      '5:1: `use_line_directives` is not mapped: Weft writes no line directives; `.map` files and `weft explain` map outputs to the documents [entangled-unmapped]',
      '7:1: `markers` is not mapped: Weft reads fenced code as CommonMark does; custom fence patterns have no equivalent [entangled-unmapped]',
      '3:1: `hooks` is not mapped: the repl hook: Weft does not collect REPL sessions [entangled-unmapped]',
    ]);
    expect(mapping.notes).toContain('no output folder is made for targets outside the project (../out.txt); `weft tangle` refuses them (output-outside-root)');
  });

  it('infers output folders from targets: each folder once, none inside another', () => {
    expect(outputPlaces(['src/a/b.jl', 'src/c.jl', 'lib/x/y.ts', 'lib/x/z/w.ts', 'Cargo.toml', '/abs.txt'])).toEqual({ dirs: ['lib/x', 'src'], files: ['Cargo.toml'], outside: ['/abs.txt'] });
  });

  it('refuses --weft and --name, which do not apply', () => {
    const dir = makeProject({ 'entangled.toml': 'version = "2.0"\n' });
    const run = weft(dir, 'init', '--from-entangled', '--name', 'x');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--from-entangled writes only weft.config.json; --weft and --name do not apply');
  });
});

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
