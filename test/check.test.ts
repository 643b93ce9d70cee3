/**
 * `weft check`: compiler and shell findings at the `.lit.md` line and column, findings in
 * hand-written files at their own place, the freshness check, and the exit code.
 *
 * A check builds a TypeScript program (a second or more even for a tiny project, much
 * more on a busy machine), so each fixture is checked once and the tests read the one
 * result; the timeouts are generous for the same reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../tangle/check.js';
import { makeProject, weft, WEFT_BIN, weftAsync, writeFiles, type Run } from './helpers.js';

const HAS_SHELLCHECK = spawnSync('shellcheck', ['--version']).status === 0;

/** `path:line:column: severity rule: message` for each finding, for exact comparison. */
function located(result: CheckResult): string[] {
  return result.messages.map((m) => `${m.file}:${m.line}:${m.column}: ${m.severity} ${m.rule}: ${m.message}`);
}

// Line numbers are the array index + 1; the comments give them for the expectations.
const BUS = [
  '# Bus', // 1
  '',
  'The bus counts its passengers.',
  '',
  '```ts file=src-generated/bus.ts', // 5
  "import { seats } from './seats.js';", // 6: a missing module
  '',
  'export function passengers(): number {',
  '  <<count-the-passengers>>', // 9: indented reference
  '}', // 10
  '',
  '// @ts-expect-error', // 12: nothing to expect
  'export const capacity: number = 40;',
  '```',
  '', // 15
  'Counting is the hard part:',
  '',
  '```ts #count-the-passengers',
  "const count: number = 'forty';", // 19: a type error, tangled 2 columns to the right
  'return count + seats;', // 20
  '```',
  '',
].join('\n');

const DEPLOY = [
  '# Deploying the bus', // 1
  '',
  '```sh file=scripts/deploy.sh',
  '#!/usr/bin/env bash',
  'set -euo pipefail', // 5
  'echo $1', // 6: unquoted expansion (ShellCheck SC2086)
  'if true; then',
  '  echo deployed',
  'fi fi', // 9: a syntax error
  '```', // 10
  '',
].join('\n');

describe('weft check: TypeScript diagnostics at the Markdown', { timeout: 120_000 }, () => {
  let dir: string;
  let result: CheckResult;
  beforeAll(async () => {
    dir = makeProject({ 'docs/bus.lit.md': BUS });
    expect(weft(dir, 'tangle').code).toBe(0);
    result = await check({ root: dir });
  }, 120_000);

  it('reports a type error at the line and column of the chunk in the .lit.md', () => {
    expect(located(result)).toContain("docs/bus.lit.md:19:7: error TS2322: Type 'string' is not assignable to type 'number'.");
  });

  it('reports a missing import at the module name in the .lit.md', () => {
    expect(located(result)).toContain("docs/bus.lit.md:6:23: error TS2307: Cannot find module './seats.js' or its corresponding type declarations.");
  });

  it('reports an unused @ts-expect-error at the comment in the .lit.md', () => {
    expect(located(result)).toContain("docs/bus.lit.md:12:1: error TS2578: Unused '@ts-expect-error' directive.");
  });

  it('reports nothing else, and fails', () => {
    expect(result.messages).toHaveLength(3);
    expect(result.ok).toBe(false);
    expect(result.summary).toMatchObject({ typescriptFiles: 1, shellScripts: 0, stale: 0, shellcheck: 'none' });
  });
});

describe('weft check: the command', { timeout: 120_000 }, () => {
  let dir: string;
  let text: Run;
  let json: Run;
  beforeAll(async () => {
    dir = makeProject({ 'docs/bus.lit.md': BUS });
    expect(weft(dir, 'tangle').code).toBe(0);
    [text, json] = await Promise.all([weftAsync(dir, 'check'), weftAsync(join(dir, 'docs'), 'check', '--json', '-C', '..')]);
  }, 120_000);

  it('prints each diagnostic the way tsc does, at the .lit.md position, and exits 1', () => {
    expect(text.code).toBe(1);
    expect(text.stderr).toBe(
      [
        "docs/bus.lit.md:6:23: error TS2307: Cannot find module './seats.js' or its corresponding type declarations.",
        "docs/bus.lit.md:12:1: error TS2578: Unused '@ts-expect-error' directive.",
        "docs/bus.lit.md:19:7: error TS2322: Type 'string' is not assignable to type 'number'.",
        '',
      ].join('\n'),
    );
    expect(text.stdout).toBe('weft: 3 errors in 1 TypeScript file; all outputs are up to date\n');
  });

  it('gives the mapped diagnostics as data with --json (here from another folder, with -C)', () => {
    expect(json.code).toBe(1);
    const data = JSON.parse(json.stdout);
    expect(data.ok).toBe(false);
    expect(data.diagnostics[2]).toEqual({
      file: 'docs/bus.lit.md',
      line: 19,
      column: 7,
      severity: 'error',
      rule: 'TS2322',
      message: "Type 'string' is not assignable to type 'number'.",
      notes: [],
    });
    expect(data.summary).toMatchObject({ typescriptFiles: 1, shellScripts: 0, stale: 0, shellcheck: 'none' });
  });
});

describe('weft check: the project around the tangled files', { timeout: 120_000 }, () => {
  let dir: string;
  let result: CheckResult;
  beforeAll(async () => {
    dir = makeProject({
      'docs/seats.lit.md': '# Seats\n\n```ts file=src-generated/seats.ts\nexport const seats = 40;\n```\n',
      'src/report.ts': "import { seats } from '../src-generated/seats.js';\n\nexport const report: string = seats;\n",
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], noEmit: true }, include: ['src', 'src-generated'] }),
    });
    expect(weft(dir, 'tangle').code).toBe(0);
    // A document edited after the last tangle: its output is stale.
    writeFiles(dir, { 'docs/seats.lit.md': '# Seats\n\n```ts file=src-generated/seats.ts\nexport const seats = 41;\n```\n' });
    result = await check({ root: dir });
  }, 120_000);

  it("keeps a hand-written file's diagnostics at their own position", () => {
    expect(located(result)).toContain("src/report.ts:3:14: error TS2322: Type 'number' is not assignable to type 'string'.");
  });

  it('reports stale outputs, as weft tangle --check does', () => {
    expect(located(result)).toContain('src-generated/seats.ts:0:0: error stale-output: src-generated/seats.ts is stale');
    expect(result.summary.stale).toBe(1);
    expect(result.ok).toBe(false);
  });

  it("checks the project's tsconfig.json files and the tangled ones", () => {
    expect(result.summary.typescriptFiles).toBe(2);
    expect(result.messages).toHaveLength(2);
  });
});

describe('weft check: what is checked is the documents as they are now', { timeout: 120_000 }, () => {
  it('type-checks the tangle in memory, before the first tangle and without touching the disk', async () => {
    const dir = makeProject({
      'docs/seats.lit.md': "# Seats\n\n```ts file=src-generated/seats.ts\nexport const seats: number = '40';\n```\n",
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, lib: ['ES2023'] }, include: ['src-generated'] }),
    });
    const result = await check({ root: dir });
    expect(located(result)).toEqual([
      "docs/seats.lit.md:4:14: error TS2322: Type 'string' is not assignable to type 'number'.",
      'src-generated/seats.ts:0:0: error stale-output: src-generated/seats.ts is missing',
    ]);
    expect(() => statSync(join(dir, 'src-generated'))).toThrow();
  });
});

describe('weft check: shell scripts', { timeout: 120_000 }, () => {
  let dir: string;
  let result: CheckResult;
  beforeAll(async () => {
    dir = makeProject({ 'docs/deploy.lit.md': DEPLOY });
    expect(weft(dir, 'tangle').code).toBe(0);
    result = await check({ root: dir });
  }, 120_000);

  it('reports a bash syntax error at the .lit.md line', () => {
    expect(located(result)).toContain("docs/deploy.lit.md:9:1: error shell-syntax: syntax error near unexpected token `fi'");
  });

  it('reports ShellCheck findings at the .lit.md line and column', () => {
    expect(HAS_SHELLCHECK, 'shellcheck is not installed: apt-get install -y shellcheck (.ci/run installs it)').toBe(true);
    expect(located(result)).toContain('docs/deploy.lit.md:6:6: warning SC2086: Double quote to prevent globbing and word splitting');
    expect(result.summary.shellcheck).toBe('ran');
  });

  it('says when ShellCheck is not installed, and checks with bash -n alone', async () => {
    const without = await check({ root: dir, shellcheck: join(dir, 'no-such-shellcheck') });
    expect(without.summary.shellcheck).toBe('skipped');
    expect(located(without)).toEqual(["docs/deploy.lit.md:9:1: error shell-syntax: syntax error near unexpected token `fi'"]);
  });
});

describe('weft check: a clean project', { timeout: 120_000 }, () => {
  it('passes, and the command says when it skipped ShellCheck', () => {
    const dir = makeProject({
      'docs/hello.lit.md': [
        '# Hello',
        '',
        '```ts file=src-generated/hello.ts',
        "export const greeting: string = 'hello';",
        '```',
        '',
        '```sh file=scripts/hello.sh',
        '#!/usr/bin/env bash',
        'set -euo pipefail',
        'echo "hello"',
        '```',
        '',
      ].join('\n'),
    });
    expect(weft(dir, 'tangle').code).toBe(0);
    // A PATH with bash but no shellcheck.
    const bin = join(dir, '.bin');
    mkdirSync(bin);
    symlinkSync(spawnSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim(), join(bin, 'bash'));
    const run = spawnSync(process.execPath, [WEFT_BIN, 'check'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: bin, NO_COLOR: '1' },
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      'weft: shellcheck is not installed; 1 shell script checked with bash -n only\nweft: no problems in 1 TypeScript file and 1 shell script; all outputs are up to date\n',
    );
    expect(run.status).toBe(0);
  });
});
