/**
 * Every diagnostic, as a user sees it: `weft tangle` in a real project, the exact
 * `path:line:column: severity: message [rule]` line, the exit code, and no stack trace.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readSource } from '../tangle/read.js';
import { describe, expect, it } from 'vitest';
import { exists, fence, makeProject, weft } from './helpers.js';

/** The first line of each diagnostic printed on stderr. */
function diagnostics(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /: (error|warning): /.test(line));
}

function expectNoStackTrace(stderr: string) {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(stderr).not.toContain('internal error');
}

describe('diagnostics', () => {
  it('undefined-chunk points at the reference line and suggests a close name', () => {
    const dir = makeProject({
      'docs/a.lit.md': `# A\n\n${fence('ts file=src-generated/a.ts', 'function f() {\n  <<parse-arg>>\n}')}\n${fence('ts #parse-args', 'x();')}`,
    });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['docs/a.lit.md:5:3: error: chunk `parse-arg` is not defined [undefined-chunk]']);
    expect(run.stderr).toContain('note: did you mean `<<parse-args>>`?');
    expect(exists(dir, 'src-generated/a.ts')).toBe(false);
    expectNoStackTrace(run.stderr);
  });

  it('ambiguous-chunk lists the candidates', () => {
    const dir = makeProject({
      'docs/a.lit.md': fence('ts file=src-generated/a.ts', '<<helper>>'),
      'docs/b.lit.md': fence('ts #helper', 'b();'),
      'docs/c.lit.md': `\n${fence('ts #helper', 'c();')}`,
    });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['docs/a.lit.md:2:1: error: chunk `helper` is defined in 2 other documents [ambiguous-chunk]']);
    expect(run.stderr).toContain('note: defined at docs/b.lit.md:1:1');
    expect(run.stderr).toContain('note: defined at docs/c.lit.md:2:1');
    expect(run.stderr).toContain('<<docs/b.lit.md#helper>>');
  });

  it('chunk-cycle reports the whole chain at the reference that closes it', () => {
    const dir = makeProject({
      'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', '<<a>>')}${fence('ts #a', '<<b>>')}${fence('ts #b', '  <<a>>')}`,
    });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['docs/a.lit.md:8:3: error: reference cycle: <<a>> → <<b>> → <<a>> [chunk-cycle]']);
  });

  it('a self-reference is a cycle', () => {
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', '<<self>>')}${fence('ts #self', '<<self>>')}` });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['docs/a.lit.md:5:1: error: reference cycle: <<self>> → <<self>> [chunk-cycle]']);
  });

  it('duplicate-file names both places', () => {
    const dir = makeProject({
      'docs/a.lit.md': fence('ts file=src-generated/x.ts', 'a();'),
      'docs/b.lit.md': `\n\n${fence('ts file=src-generated/x.ts', 'b();')}`,
    });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([
      'docs/a.lit.md:1:1: error: src-generated/x.ts is also defined in another document; a file belongs to one document [duplicate-file]',
      'docs/b.lit.md:3:1: error: src-generated/x.ts is also defined in another document; a file belongs to one document [duplicate-file]',
    ]);
    expect(run.stderr).toContain('note: also defined at docs/b.lit.md:3:1');
    expect(run.stderr).toContain('note: also defined at docs/a.lit.md:1:1');
  });

  it('output-outside-root refuses paths outside the output directories and writes nothing', () => {
    const dir = makeProject({
      'docs/a.lit.md': `${fence('ts file=src-generated/ok.ts', 'ok();')}${fence('ts file=../escape.ts', 'no();')}${fence('ts file=/tmp/abs.ts', 'no();')}${fence('ts file=lib/x.ts', 'no();')}`,
    });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([
      'docs/a.lit.md:4:1: error: output path "../escape.ts" is refused: it leaves the project through .. [output-outside-root]',
      'docs/a.lit.md:7:1: error: output path "/tmp/abs.ts" is refused: it is absolute [output-outside-root]',
      'docs/a.lit.md:10:1: error: output path "lib/x.ts" is outside the output directories (scripts/, src-generated/) [output-outside-root]',
    ]);
    expect(exists(dir, 'src-generated/ok.ts')).toBe(false);
  });

  it('unused-chunk is a warning and does not fail the tangle', () => {
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', 'a();')}${fence('ts #forgotten', 'b();')}` });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(0);
    expect(diagnostics(run.stderr)).toEqual(['docs/a.lit.md:4:1: warning: chunk `forgotten` is never used [unused-chunk]']);
    expect(exists(dir, 'src-generated/a.ts')).toBe(true);
  });

  it('empty-target: an empty file= path or chunk name is an error, an empty output a warning', () => {
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=', 'a();')}${fence('ts #', 'b();')}` });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([
      'docs/a.lit.md:1:1: error: block has an empty `file=` path [empty-target]',
      'docs/a.lit.md:4:1: error: block has an empty chunk name after `#` [empty-target]',
    ]);
    const empty = makeProject({ 'docs/a.lit.md': '```ts file=src-generated/a.ts\n```\n' });
    const second = weft(empty, 'tangle');
    expect(second.code).toBe(0);
    expect(diagnostics(second.stderr)).toEqual(['docs/a.lit.md:1:1: warning: src-generated/a.ts is empty [empty-target]']);
  });

  it('conflicting-target: a block naming two chunks (one file and one chunk is Entangled\'s form, accepted)', () => {
    const dir = makeProject({ 'docs/a.lit.md': fence('ts #a #b', 'a();') });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([
      'docs/a.lit.md:1:1: error: block names 2 targets (#a, #b); a block defines one file or one chunk [conflicting-target]',
    ]);
  });

  it('expansion-limit: an expansion bomb stops quickly with an error, not exhausted memory', () => {
    // <<l0>> → ten <<l1>> → ten <<l2>> ... ten levels deep: 10^10 lines if expanded.
    let doc = fence('ts file=src-generated/bomb.ts', '<<l0>>');
    for (let level = 0; level < 10; level++) doc += fence(`ts #l${level}`, Array.from({ length: 10 }, () => `<<l${level + 1}>>`).join('\n'));
    doc += fence('ts #l10', 'boom();');
    const dir = makeProject({ 'docs/a.lit.md': doc });
    const started = Date.now();
    const run = weft(dir, 'tangle');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([
      'docs/a.lit.md:1:1: error: src-generated/bomb.ts would be larger than limits.maxOutputBytes (4194304 bytes) [output-too-large]',
    ]);
    expect(exists(dir, 'src-generated/bomb.ts')).toBe(false);
  });

  it('expansion-limit: nesting deeper than limits.maxDepth', () => {
    let doc = fence('ts file=src-generated/deep.ts', '<<d0>>');
    for (let level = 0; level < 5; level++) doc += fence(`ts #d${level}`, `<<d${level + 1}>>`);
    doc += fence('ts #d5', 'deep();');
    const dir = makeProject({ 'docs/a.lit.md': doc, 'weft.config.json': '{"limits": {"maxDepth": 3}}' });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([
      'docs/a.lit.md:11:1: error: references nest deeper than limits.maxDepth (3) while expanding src-generated/deep.ts [expansion-limit]',
    ]);
  });

  it('malformed-config names the unknown key and the wrong type, at its line', () => {
    const dir = makeProject({
      'docs/a.lit.md': fence('ts file=src-generated/a.ts', 'a();'),
      'weft.config.json': '{\n  "sources": "docs/*.lit.md",\n  "outputDir": ["out"]\n}\n',
    });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual([
      'weft.config.json:2:3: error: `sources` must be a list of strings [malformed-config]',
      'weft.config.json:3:3: error: unknown config key `outputDir`; did you mean `outputDirs`? [malformed-config]',
    ]);
    expect(exists(dir, 'src-generated/a.ts')).toBe(false);
  });

  it('malformed-config: invalid JSON is located', () => {
    const dir = makeProject({ 'weft.config.json': '{\n  "sources": [,]\n}\n' });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)[0]).toMatch(/^weft\.config\.json:2:\d+: error: invalid JSON: .* \[malformed-config\]$/);
    expectNoStackTrace(run.stderr);
  });

  it('hand-edited-output refuses to overwrite, writes nothing else, and exits 1', () => {
    const dir = makeProject({
      'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', 'a();')}${fence('ts file=src-generated/b.ts', 'b();')}`,
    });
    expect(weft(dir, 'tangle').code).toBe(0);
    // Hand edit a.ts, change the source of both.
    const a = `${dir}/src-generated/a.ts`;
    writeFileSync(a, readFileSync(a, 'utf8').replace('a();', 'a(); // my fix'));
    writeFileSync(`${dir}/docs/a.lit.md`, `${fence('ts file=src-generated/a.ts', 'a2();')}${fence('ts file=src-generated/b.ts', 'b2();')}`);
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['src-generated/a.ts:2:1: error: src-generated/a.ts was edited by hand; refusing to overwrite it [hand-edited-output]']);
    expect(run.stderr).toContain(
      '  note: it is generated from docs/a.lit.md: move the edit there (`weft stitch` does it for you, `weft stitch --dry-run` shows where it would land), or run with --force to overwrite it (a copy is kept under .weft/trash/)\n',
    );
    expect(readFileSync(a, 'utf8')).toContain('// my fix');
    expect(readFileSync(`${dir}/src-generated/b.ts`, 'utf8')).toContain('b();');
  });

  it('prints a code frame under each message in a terminal only', async () => {
    const { main, outputStyle } = await import('../tangle/cli/main.js');
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', '  <<missing>>')}` });
    let stderr = '';
    const io = { stdout: () => {}, stderr: (t: string) => (stderr += t), ...outputStyle({}, true), cwd: dir };
    expect(await main(['tangle', '--no-bundle'], io)).toBe(1);
    const plain = stderr.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).not.toBe(stderr);
    expect(plain).toContain('docs/a.lit.md:2:3: error: chunk `missing` is not defined [undefined-chunk]\n 2 |   <<missing>>\n   |   ^');
    expect(weft(dir, 'tangle').stderr).not.toContain(' | ');
  });

  it('NO_COLOR removes the colour and keeps the code frame', async () => {
    const { main, outputStyle } = await import('../tangle/cli/main.js');
    expect(outputStyle({ NO_COLOR: '1' }, true)).toEqual({ color: false, frames: true });
    expect(outputStyle({ NO_COLOR: '1' }, false)).toEqual({ color: false, frames: false });
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', '  <<missing>>')}` });
    let stderr = '';
    const io = { stdout: () => {}, stderr: (t: string) => (stderr += t), ...outputStyle({ NO_COLOR: '1' }, true), cwd: dir };
    expect(await main(['tangle', '--no-bundle'], io)).toBe(1);
    expect(stderr).toBe('docs/a.lit.md:2:3: error: chunk `missing` is not defined [undefined-chunk]\n 2 |   <<missing>>\n   |   ^\n');
  });
});

describe('diagnostics about documents', () => {
  it('invalid-chunk-name: a chunk name containing << or >>', () => {
    const dir = makeProject({ 'docs/a.lit.md': fence('ts #a<<b', 'a();') });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnostics(run.stderr)).toEqual(['docs/a.lit.md:1:1: error: chunk name `a<<b` may not contain << or >> [invalid-chunk-name]']);
  });

  it('no-sources: a warning, not an error, when no document matches the config', () => {
    const dir = makeProject({ 'weft.config.json': '{ "sources": ["notes/**/*.lit.md"] }\n', 'notes/a.md': '# not a source\n' });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(0);
    expect(diagnostics(run.stderr)).toEqual(['weft.config.json: warning: no documents match notes/**/*.lit.md [no-sources]']);
  });

  it('no-sources: without a config it names the project folder and the default, not a weft.config.json', () => {
    const dir = makeProject({ 'notes/a.md': '# not a source\n' });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(0);
    expect(diagnostics(run.stderr)).toEqual([`.: warning: no documents match docs/**/*.lit.md (the default sources: there is no weft.config.json in ${dir}) [no-sources]`]);
  });

  it('no-sources: with no documents and no config, tangle --check and check fail', () => {
    const dir = makeProject({ 'notes/a.md': '# not a source\n' });
    for (const args of [['tangle', '--check'], ['check']]) {
      const run = weft(dir, ...args);
      expect(run.code).toBe(1);
      expect(diagnostics(run.stderr)).toEqual([`.: error: no documents match docs/**/*.lit.md (the default sources: there is no weft.config.json in ${dir}) [no-sources]`]);
    }
  });

  it('unreadable-document: a document that cannot be read is an error, not an exception (read stage)', () => {
    const dir = makeProject({ 'docs/a.lit.md': '# A\n' });
    // A source that vanished between the search and the read (a normal race in an editor's save).
    const source = readSource(dir, 'docs/gone.lit.md', 1024);
    expect(source.messages).toEqual([
      { file: 'docs/gone.lit.md', line: 0, column: 0, severity: 'error', rule: 'unreadable-document', message: 'cannot read document: ENOENT' },
    ]);
  });
});

describe('exit codes and usage', () => {
  it('usage errors exit 2 with the usage', () => {
    const dir = makeProject();
    const unknown = weft(dir, 'tangle', '--frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('weft tangle: unknown option --frobnicate (options: --no-bundle, --force, --json, --check, --no-cache, --cache-dir, --no-manifest, --out-root, --root, --help)\n');
    expect(unknown.stderr).toContain('Usage: weft tangle');
    const command = weft(dir, 'frobnicate');
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('weft: unknown command "frobnicate"');
  });

  it('--help and --version exit 0', () => {
    const dir = makeProject();
    const help = weft(dir, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: weft <command> [options]');
    expect(help.stdout).toMatch(/tangle\s+tangle the literate sources/);
    for (const command of ['tangle', 'watch', 'check', 'init', 'diff', 'stats', 'explain']) {
      const usage = weft(dir, command, '--help');
      expect(usage.code).toBe(0);
      expect(usage.stdout).toMatch(new RegExp(`^Usage: weft ${command} `));
    }
    const version = weft(dir, '--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--json prints one JSON document with diagnostics and a summary', () => {
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', '<<nope>>')}` });
    const run = weft(dir, 'tangle', '--json');
    expect(run.code).toBe(1);
    const data = JSON.parse(run.stdout);
    expect(data.ok).toBe(false);
    expect(data.diagnostics).toEqual([
      { file: 'docs/a.lit.md', line: 2, column: 1, severity: 'error', rule: 'undefined-chunk', message: 'chunk `nope` is not defined', notes: [] },
    ]);
    expect(data.summary).toMatchObject({ written: 0, unchanged: 0, deleted: 0, documents: 1 });
    expect(typeof data.summary.tangleMs).toBe('number');
  });
});
