/**
 * The command line as a user meets it: which project a command works on, usage errors
 * with a "did you mean", summary lines that say what happened, and `--json` on every
 * command. Each test runs the real `bin/weft.js` in a temporary project.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fence, makeProject, weft, writeFiles } from './helpers.js';

const CONFIG = '{ "sources": ["docs/**/*.lit.md"] }\n';
const A = `# A\n\n${fence('ts file=src-generated/a.ts', 'export const a = 1;\n<<pop-a-number>>')}\n${fence('ts #pop-a-number', 'export const b = 2;')}`;
const B = `# B\n\n${fence('ts file=src-generated/b.ts', 'export const c = 3;')}`;

describe('the project root', () => {
  it('is found upward from a subfolder by its weft.config.json, and said on stderr', () => {
    const dir = makeProject({ 'weft.config.json': CONFIG, 'docs/a.lit.md': A });
    const run = weft(join(dir, 'docs'), 'tangle');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('weft: using the project at .. (found weft.config.json there)\n');
    expect(run.stdout).toMatch(/^weft: 1 written, 0 unchanged, 0 deleted from 1 document in \d+ ms\n$/);
    expect(existsSync(join(dir, 'src-generated/a.ts'))).toBe(true);
    expect(existsSync(join(dir, 'docs/.weft'))).toBe(false);
  });

  it('is found from an output folder too, and named in --json', () => {
    const dir = makeProject({ 'weft.config.json': CONFIG, 'docs/a.lit.md': A });
    expect(weft(dir, 'tangle').code).toBe(0);
    const run = weft(join(dir, 'src-generated'), 'tangle', '--check', '--json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect([json.ok, json.root, json.rootFoundBy]).toEqual([true, dir, 'weft.config.json']);
    expect(existsSync(join(dir, 'src-generated/.weft'))).toBe(false);
  });

  it('falls back to the nearest package.json when there is no weft.config.json', () => {
    const dir = makeProject({ 'package.json': '{}\n', 'docs/a.lit.md': A });
    const run = weft(join(dir, 'docs'), 'tangle', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('weft: using the project at .. (found package.json there)\n');
    expect(JSON.parse(run.stdout).rootFoundBy).toBe('package.json');
  });

  it('is the current folder, without a notice, when it has the config', () => {
    const dir = makeProject({ 'weft.config.json': CONFIG, 'docs/a.lit.md': A });
    const run = weft(dir, 'tangle', '--json');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).rootFoundBy).toBe('weft.config.json');
  });

  it('-C names it explicitly; a folder that does not exist is a usage error and is not created', () => {
    const dir = makeProject({ 'weft.config.json': CONFIG, 'docs/a.lit.md': A });
    mkdirSync(join(dir, 'elsewhere'));
    expect(weft(join(dir, 'elsewhere'), 'tangle', '-C', '..').code).toBe(0);
    for (const command of ['tangle', 'check', 'init', 'stats', 'diff', 'explain']) {
      const run = weft(dir, command, ...(command === 'explain' ? ['a'] : []), '-C', 'nowhere');
      expect(run.code).toBe(2);
      expect(run.stderr.split('\n')[0]).toBe(`weft ${command}: -C nowhere: no such folder (weft does not create it)`);
    }
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
    const from = weft(dir, 'diff', '--from', 'nowhere');
    expect([from.code, from.stderr.split('\n')[0]]).toEqual([2, 'weft diff: --from nowhere: no such folder (weft does not create it)']);
    const file = weft(dir, 'tangle', '-C', 'weft.config.json');
    expect([file.code, file.stderr.split('\n')[0]]).toEqual([2, 'weft tangle: -C weft.config.json: not a folder']);
  });
});

describe('usage errors', () => {
  it('suggest the command that was meant', () => {
    const run = weft(makeProject(), 'tangel');
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('weft: unknown command "tangel"; did you mean "tangle"?');
    expect(weft(makeProject(), 'frobnicate').stderr.split('\n')[0]).toBe('weft: unknown command "frobnicate" (commands: tangle, watch, check, init, diff, stats, show, ls, outputs, clean, explain, weave, stitch, lsp)');
  });

  it('suggest the flag that was meant', () => {
    const run = weft(makeProject(), 'tangle', '--forse');
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('weft tangle: unknown option --forse; did you mean --force?');
    expect(weft(makeProject(), 'stats', '--jsno').stderr.split('\n')[0]).toBe('weft stats: unknown option --jsno; did you mean --json?');
  });
});

describe('summary lines', () => {
  it('say "document" for one and "documents" for more', () => {
    const one = makeProject({ 'docs/a.lit.md': A });
    expect(weft(one, 'tangle').stdout).toMatch(/ from 1 document in /);
    expect(weft(one, 'tangle', '--check').stdout).toBe('weft: all outputs are up to date (1 document)\n');
    const two = makeProject({ 'docs/a.lit.md': A, 'docs/b.lit.md': B });
    expect(weft(two, 'tangle').stdout).toMatch(/ from 2 documents in /);
  });

  it('count the outputs a run with errors did not write, instead of calling them unchanged', () => {
    const dir = makeProject({ 'docs/a.lit.md': A, 'docs/b.lit.md': B });
    expect(weft(dir, 'tangle').code).toBe(0);
    writeFiles(dir, {
      'docs/a.lit.md': A.replace('export const a = 1;', 'export const a = 10;'),
      'docs/b.lit.md': B.replace('export const c = 3;', 'export const c = 3;\n<<nope>>'),
    });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^weft: 0 written, 1 not written \(the run has errors\), 0 unchanged, 0 deleted from 2 documents in \d+ ms; 1 error\n$/);
  });

  it('--json marks an output the run did not write because of an unrelated error as not-written, with the reason', () => {
    const dir = makeProject({ 'docs/a.lit.md': A, 'docs/b.lit.md': B.replace('export const c = 3;', '<<nope>>') });
    const json = JSON.parse(weft(dir, 'tangle', '--json').stdout);
    expect(json.ok).toBe(false);
    expect(json.files).toEqual([{ path: 'src-generated/a.ts', action: 'not-written', reason: 'not written: the run has errors' }]);
    expect([json.summary.written, json.summary.notWritten, json.summary.refused]).toEqual([0, 1, 0]);
  });

  it('--json keeps `refused` for an output a message names (hand-edited)', () => {
    const dir = makeProject({ 'docs/a.lit.md': A });
    expect(weft(dir, 'tangle').code).toBe(0);
    writeFiles(dir, { 'src-generated/a.ts': 'mine\n', 'docs/a.lit.md': A.replace('= 1', '= 5') });
    const json = JSON.parse(weft(dir, 'tangle', '--json').stdout);
    expect(json.files).toEqual([{ path: 'src-generated/a.ts', action: 'refused' }]);
    expect(json.diagnostics.map((d: { rule: string }) => d.rule)).toEqual(['hand-edited-output']);
  });

  it('--json gives a message about a whole file null line and column, not 0', () => {
    const dir = makeProject({ 'docs/a.lit.md': A });
    const json = JSON.parse(weft(dir, 'tangle', '--check', '--json').stdout);
    expect(json.diagnostics[0]).toEqual({
      file: 'src-generated/a.ts',
      line: null,
      column: null,
      severity: 'error',
      rule: 'stale-output',
      message: 'src-generated/a.ts is missing',
      notes: ['run `weft tangle` to generate it from docs/a.lit.md'],
    });
  });
});

describe('weft explain names', () => {
  it('takes a bare chunk name (typed unquoted, <<name>> is a here-document)', () => {
    const dir = makeProject({ 'docs/a.lit.md': A });
    const bare = weft(dir, 'explain', 'pop-a-number');
    expect(bare.code).toBe(0);
    expect(bare.stdout).toBe(weft(dir, 'explain', '<<pop-a-number>>').stdout);
    expect(bare.stdout.split('\n')[0]).toBe('<<pop-a-number>> in docs/a.lit.md');
  });

  it('suggests the chunk that was meant, bare or quoted', () => {
    const dir = makeProject({ 'docs/a.lit.md': A });
    for (const query of ['pop-a-numbr', '<<pop-a-numbr>>']) {
      const run = weft(dir, 'explain', query);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('weft explain: chunk `pop-a-numbr` is not defined (did you mean `<<pop-a-number>>`?)\n');
    }
    const file = weft(dir, 'explain', 'src-generated/a.ts');
    expect([file.code, file.stderr.split('\n')[0]]).toEqual([2, 'weft explain: cannot read "src-generated/a.ts": expected FILE:LINE, or a chunk name (chunk `src-generated/a.ts` is not defined)']);
    const json = weft(dir, 'explain', 'pop-a-numbr', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, error: 'chunk `pop-a-numbr` is not defined (did you mean `<<pop-a-number>>`?)' });
  });
});

describe('--json on every command', () => {
  it('prints one JSON document on stdout for tangle, check, init, diff, stats, explain, ls, outputs and show', () => {
    const dir = makeProject();
    const init = weft(dir, 'init', '--json', '--weft', 'file:/nowhere');
    expect(init.code).toBe(0);
    expect(Object.keys(JSON.parse(init.stdout))).toEqual(['root', 'created', 'updated', 'kept', 'tangled', 'weft', 'ok', 'diagnostics']);
    const shapes: Record<string, string[]> = {
      tangle: ['ok', 'root', 'rootFoundBy', 'diagnostics', 'summary', 'files'],
      check: ['ok', 'root', 'rootFoundBy', 'diagnostics', 'summary'],
      stats: ['tokenizer', 'documents', 'chunks', 'outputs', 'largestChunks', 'totals', 'budgets'],
    };
    for (const [command, keys] of Object.entries(shapes)) {
      const run = weft(dir, command, '--json', ...(command === 'tangle' ? ['--no-bundle'] : []));
      expect(Object.keys(JSON.parse(run.stdout)), command).toEqual(keys);
    }
    expect(JSON.parse(weft(dir, 'diff', '--from', '.', '--json').stdout)).toHaveProperty('chunks');
    expect(JSON.parse(weft(dir, 'explain', 'src-generated/greeting.ts:2', '--json').stdout)).toHaveProperty('onDisk', 'same');
    expect(Object.keys(JSON.parse(weft(dir, 'ls', '--json').stdout))).toEqual(['outputs', 'unused']);
    expect(Object.keys(JSON.parse(weft(dir, 'outputs', '--json').stdout))).toEqual(['inputs', 'outputs', 'env', 'tool', 'cacheDir']);
    expect(JSON.parse(weft(dir, 'show', 'src-generated/greeting.ts', '--json').stdout)).toMatchObject({ ok: true, kind: 'output' });
  });
});

describe('weft tangle DOCUMENT…', () => {
  const project = () =>
    makeProject({
      'docs/a.lit.md': `# A\n\n${fence('ts file=src-generated/a.ts', 'export const a = 1;\n<<shared>>')}`,
      'docs/b.lit.md': `# B\n\n${fence('ts file=src-generated/b.ts', 'export const b = 1;')}\n${fence('ts #shared', 'export const s = 1;')}`,
    });

  it('writes only the outputs of the named documents, and leaves the others alone', () => {
    const dir = project();
    expect(weft(dir, 'tangle').code).toBe(0);
    writeFiles(dir, {
      'docs/a.lit.md': `# A\n\n${fence('ts file=src-generated/a.ts', 'export const a = 2;\n<<shared>>')}`,
      'docs/b.lit.md': `# B\n\n${fence('ts file=src-generated/b2.ts', 'export const b = 2;')}\n${fence('ts #shared', 'export const s = 2;')}`,
    });
    const run = weft(dir, 'tangle', 'docs/a.lit.md');
    expect(run.code).toBe(0);
    // a.ts uses b's chunk: the whole project is read, so it gets the new text of both.
    expect(readFileSync(join(dir, 'src-generated/a.ts'), 'utf8')).toContain('export const a = 2;\nexport const s = 2;\n');
    // b's outputs are not written, and its old output is not deleted as an orphan.
    expect(readFileSync(join(dir, 'src-generated/b.ts'), 'utf8')).toContain('export const b = 1;');
    expect(existsSync(join(dir, 'src-generated/b2.ts'))).toBe(false);
    // A full run then finishes the job.
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(existsSync(join(dir, 'src-generated/b.ts'))).toBe(false);
    expect(existsSync(join(dir, 'src-generated/b2.ts'))).toBe(true);
  });

  it('a name that is not a document of the project is a usage error', () => {
    const dir = project();
    const run = weft(dir, 'tangle', 'docs/nope.lit.md');
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(`weft tangle: docs/nope.lit.md is not a document of the project at ${dir}`);
  });
});

describe('a reader that closes the pipe early', () => {
  it('ends the run quietly: no EPIPE stack trace, the exit code of the run', async () => {
    const { spawn } = await import('node:child_process');
    const { WEFT_BIN } = await import('./helpers.js');
    let text = '# Many\n\n';
    for (let i = 0; i < 3000; i++) text += fence(`ts file=src-generated/m${i}.ts`, `export const m${i} = ${i};`) + '\n';
    const dir = makeProject({ 'docs/many.lit.md': text });
    expect(weft(dir, 'tangle', '--no-bundle').code).toBe(0);
    const child = spawn(process.execPath, [WEFT_BIN, 'ls', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Read the first chunk of the (over 64 KiB) JSON document, then close the pipe, as `| head -c 10` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
