/**
 * Weft in CI and editors without a plugin: the plain format and the problem matchers that
 * read it, GitHub workflow commands with GitHub's caps, `--color`, CI turning colour off,
 * the watch begin/end lines, and the pre-commit hook. Each CLI test runs the real
 * `bin/weft.js` in a temporary project.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMessage, message } from '../tangle/messages.js';
import { formatGithub } from '../tangle/reporters.js';
import { fence, makeProject, REPO, WEFT_BIN } from './helpers.js';

const matchers = JSON.parse(readFileSync(join(REPO, 'matchers/weft.json'), 'utf8')).problemMatcher as {
  name: string;
  fileLocation: unknown;
  pattern: { regexp: string };
  background?: { beginsPattern: string; endsPattern: string };
}[];
const weftMatcher = matchers.find((m) => m.name === 'weft')!;
const watchMatcher = matchers.find((m) => m.name === 'weft-watch')!;
const LINE = new RegExp(weftMatcher.pattern.regexp);

/** A document with `count` references to chunks that do not exist: `count` undefined-chunk errors. */
function brokenDocument(count: number): string {
  const body = Array.from({ length: count }, (_, i) => `<<missing-${String(i).padStart(2, '0')}>>`).join('\n');
  return `# Broken\n\n${fence('ts file=src-generated/a.ts', body)}`;
}

/** Run the CLI with exactly `env` added to a clean environment (no CI, no NO_COLOR unless given). */
function run(cwd: string, env: Record<string, string>, ...args: string[]) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !['CI', 'GITHUB_ACTIONS', 'GITHUB_WORKSPACE', 'NO_COLOR', 'FORCE_COLOR', 'RUNNER_TEMP'].includes(key)));
  const result = spawnSync(process.execPath, [WEFT_BIN, ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the plain format and the $weft problem matcher', () => {
  it('matches every diagnostic line of a failed tangle, with file, line, column, severity, message and rule', () => {
    const dir = makeProject({ 'docs/a.lit.md': brokenDocument(3) });
    const out = run(dir, {}, 'tangle', '--no-bundle');
    expect(out.code).toBe(1);
    const lines = out.stderr.split('\n').filter(Boolean);
    expect(lines).toEqual([
      'docs/a.lit.md:4:1: error: chunk `missing-00` is not defined [undefined-chunk]',
      'docs/a.lit.md:5:1: error: chunk `missing-01` is not defined [undefined-chunk]',
      'docs/a.lit.md:6:1: error: chunk `missing-02` is not defined [undefined-chunk]',
    ]);
    for (const line of lines) expect(LINE.exec(line)?.slice(1)).toEqual(['docs/a.lit.md', expect.stringMatching(/^\d$/), '1', 'error', expect.stringContaining('is not defined'), 'undefined-chunk']);
  });

  it('matches a Windows drive path and a message that contains colons', () => {
    const line = formatMessage(message('C:\\work\\docs\\a.lit.md', 12, 5, 'warning', 'unused-chunk', 'chunk `x` is never used: see docs:12'));
    expect(LINE.exec(line)?.slice(1)).toEqual(['C:\\work\\docs\\a.lit.md', '12', '5', 'warning', 'chunk `x` is never used: see docs:12', 'unused-chunk']);
  });

  it('finds files from the workspace folder, as VS Code resolves relative and absolute paths', () => {
    expect(weftMatcher.fileLocation).toEqual(['autoDetect', '${workspaceFolder}']);
  });

  it('the README tasks.json uses the patterns the package ships', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const tasks = JSON.parse(/```json\n(\{\n {2}"version": "2\.0\.0"[\s\S]*?)```/.exec(readme)![1]!).tasks;
    expect(tasks.map((t: { problemMatcher: { pattern: { regexp: string } } }) => t.problemMatcher.pattern.regexp)).toEqual([weftMatcher.pattern.regexp, watchMatcher.pattern.regexp]);
    expect(tasks[1].problemMatcher.background).toEqual(watchMatcher.background);
  });
});

describe('--reporter github', () => {
  it('writes workflow commands with paths relative to GITHUB_WORKSPACE', () => {
    const dir = makeProject({ 'docs/a.lit.md': brokenDocument(1) });
    const out = run(dir, { GITHUB_WORKSPACE: dirname(dir) }, 'tangle', '--no-bundle', '--reporter', 'github', '--quiet');
    expect(out.code).toBe(1);
    expect(out.stdout).toBe(`::error file=${basename(dir)}/docs/a.lit.md,line=4,col=1,title=undefined-chunk::chunk \`missing-00\` is not defined\n`);
    expect(out.stderr).toBe('');
  });

  it('annotates 10 errors per step and prints the rest as a count and the command that shows them', () => {
    const dir = makeProject({ 'docs/a.lit.md': brokenDocument(12) });
    const out = run(dir, {}, 'tangle', '--no-bundle', '--reporter=github', '--quiet');
    const lines = out.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('::error file=docs/a.lit.md,line=4,col=1,title=undefined-chunk::chunk `missing-00` is not defined');
    expect(lines[9]).toBe('::error file=docs/a.lit.md,line=13,col=1,title=undefined-chunk::chunk `missing-09` is not defined');
    expect(lines[10]).toBe('weft: 2 more errors not annotated (GitHub shows 10 per severity per step); run `weft tangle --no-bundle` to see them all');
  });

  it('escapes newlines, percent signs, and colons and commas in properties', () => {
    const text = formatGithub([message('a,b:c.lit.md', 0, 0, 'warning', 'no-sources', '100% done', ['next line'])], { root: '/p', fixCommand: 'weft tangle' });
    expect(text).toBe('::warning file=a%2Cb%3Ac.lit.md,title=no-sources::100%25 done%0Anext line\n');
  });

  it('counts warnings separately from errors', () => {
    const warnings = Array.from({ length: 11 }, (_, i) => message('d.lit.md', i + 1, 1, 'warning', 'unused-chunk', `w${i}`));
    const text = formatGithub([message('d.lit.md', 1, 1, 'error', 'undefined-chunk', 'e'), ...warnings], { root: '/p', fixCommand: 'weft check' });
    expect(text.split('\n').filter((l) => l.startsWith('::error')).length).toBe(1);
    expect(text.split('\n').filter((l) => l.startsWith('::warning')).length).toBe(10);
    expect(text).toContain('weft: 1 more warning not annotated');
  });

  it('stops at what the job has left of its 50 annotations, and says so', () => {
    const errors = Array.from({ length: 8 }, (_, i) => message('d.lit.md', i + 1, 1, 'error', 'undefined-chunk', `e${i}`));
    const text = formatGithub(errors, { root: '/p', fixCommand: 'weft check', jobBudget: 3 });
    expect(text.split('\n').filter((l) => l.startsWith('::error')).map((l) => l.slice(-2))).toEqual(['e0', 'e1', 'e2']);
    expect(text).toContain('weft: 5 more errors not annotated (GitHub shows 50 per job, 47 of them already used); run `weft check` to see them all\n');
    expect(formatGithub(errors, { root: '/p', fixCommand: 'weft check', jobBudget: 0 }).startsWith('weft: 8 more errors not annotated')).toBe(true);
  });

  it('counts the annotations of every weft step in a job in a ledger under RUNNER_TEMP', () => {
    const dir = makeProject({ 'docs/a.lit.md': brokenDocument(10) });
    const temp = makeProject({});
    const env = { GITHUB_ACTIONS: 'true', RUNNER_TEMP: temp };
    const annotations = (out: { stdout: string }) => out.stdout.split('\n').filter((l) => l.startsWith('::error')).length;
    for (let step = 0; step < 4; step++) expect(annotations(run(dir, env, 'tangle', '--no-bundle', '--reporter=github', '--quiet'))).toBe(10);
    expect(readFileSync(join(temp, 'weft-annotations'), 'utf8')).toBe('40\n');
    const fifth = run(dir, env, 'tangle', '--no-bundle', '--reporter=github', '--quiet');
    expect(annotations(fifth)).toBe(10);
    const sixth = run(dir, env, 'tangle', '--no-bundle', '--reporter=github', '--quiet');
    expect(annotations(sixth)).toBe(0);
    expect(sixth.stdout).toBe('weft: 10 more errors not annotated (GitHub shows 50 per job, 50 of them already used); run `weft tangle --no-bundle` to see them all\n');
    // Another job (another RUNNER_TEMP) starts from 50 again.
    expect(annotations(run(dir, { ...env, RUNNER_TEMP: makeProject({}) }, 'tangle', '--no-bundle', '--reporter=github', '--quiet'))).toBe(10);
  });
});

describe('--reporter json, --color and CI', () => {
  it('--reporter json prints the --json document', () => {
    const dir = makeProject({ 'docs/a.lit.md': brokenDocument(1) });
    const out = run(dir, {}, 'tangle', '--no-bundle', '--reporter', 'json');
    expect(JSON.parse(out.stdout).diagnostics[0]).toMatchObject({ rule: 'undefined-chunk', line: 4, column: 1 });
  });

  it('--color always colours, and CI or GITHUB_ACTIONS leaves auto plain', () => {
    const dir = makeProject({ 'docs/a.lit.md': brokenDocument(1) });
    expect(run(dir, {}, 'tangle', '--no-bundle', '--color', 'always').stderr).toContain('\u001b[');
    expect(run(dir, {}, 'tangle', '--no-bundle', '--color=never').stderr).not.toContain('\u001b[');
    expect(run(dir, { CI: 'true' }, 'tangle', '--no-bundle').stderr).not.toContain('\u001b[');
    expect(run(dir, { GITHUB_ACTIONS: 'true' }, 'tangle', '--no-bundle').stderr).not.toContain('\u001b[');
  });

  it('a bad --color or --reporter value is a usage error naming the good ones', () => {
    const dir = makeProject({});
    const out = run(dir, {}, 'tangle', '--color', 'sometimes');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--color sometimes: expected one of auto, always, never');
    expect(run(dir, {}, 'check', '--reporter=xml').stderr).toContain('--reporter xml: expected one of plain, github, json');
  });

  it('--quiet drops the summary line and --verbose lists each file', () => {
    const dir = makeProject({ 'docs/a.lit.md': `# A\n\n${fence('ts file=src-generated/a.ts', 'export const a = 1;')}` });
    expect(run(dir, {}, 'tangle', '--quiet').stdout).toBe('');
    expect(run(dir, {}, 'tangle', '--check', '--verbose').stdout).toMatch(/^unchanged {3}src-generated\/a\.ts\nweft: all outputs are up to date/);
  });
});

describe('weft watch and the $weft-watch matcher', () => {
  it('prints a begin line before and an end line after each build, matched by the background patterns', async () => {
    const dir = makeProject({ 'docs/a.lit.md': brokenDocument(1) });
    const child = spawn(process.execPath, [WEFT_BIN, 'watch', '--no-bundle'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/ failed .*\n/.test(stdout)) resolve();
      });
    });
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
    const [begin, end] = stdout.split('\n');
    expect(begin).toMatch(new RegExp(watchMatcher.background!.beginsPattern));
    expect(end).toMatch(new RegExp(watchMatcher.background!.endsPattern));
    expect(end).toMatch(/ failed \(last good outputs kept\) initial build: /);
    expect(watchMatcher.pattern.regexp).toBe(weftMatcher.pattern.regexp);
  });
});

describe('the pre-commit hook', () => {
  it('runs weft tangle --check on the whole project when documents, outputs or the manifest change', () => {
    const hooks = readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8');
    expect(hooks).toContain('entry: weft tangle --check\n');
    expect(hooks).toContain('pass_filenames: false\n');
    const files = new RegExp(/files: '(.*)'/.exec(hooks)![1]!);
    for (const path of ['docs/a.lit.md', 'src-generated/a.ts', 'scripts/deploy.sh', '.weft/manifest.json', 'weft.config.json']) expect(path).toMatch(files);
    expect('src/a.ts').not.toMatch(files);
  });
});
