/**
 * `weft stitch` on the command line: the dry run, --json, and the exit codes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatStitchProposal } from '../tangle/cli/stitch-command.js';
import { makeProject, read, weft } from './helpers.js';

const doc = ['# A', '', '```ts file=src-generated/a.ts', 'export function f() {', '  <<body>>', '}', '```', '', '```ts #body', 'return 1;', '```', ''].join('\n');

function tangled(text = doc): string {
  const dir = makeProject({ 'docs/a.lit.md': text });
  expect(weft(dir, 'tangle', '--no-bundle').code).toBe(0);
  return dir;
}

describe('weft stitch (CLI)', () => {
  it('--dry-run lists where each change lands and the diff of the .lit.md, writes nothing, exits 0', () => {
    const dir = tangled();
    writeFileSync(join(dir, 'src-generated/a.ts'), read(dir, 'src-generated/a.ts').replace('  return 1;', '  return 2;'));
    const run = weft(dir, 'stitch', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'src-generated/a.ts',
        '  line 3 → <<body>> at docs/a.lit.md:10 (1 removed, 1 added)',
        '--- a/docs/a.lit.md',
        '+++ b/docs/a.lit.md',
        '@@ -8,4 +8,4 @@',
        ' ',
        ' ```ts #body',
        '-return 1;',
        '+return 2;',
        ' ```',
        'would stitch 1 output(s) into 1 document(s): 1 change(s)',
        '',
      ].join('\n'),
    );
    expect(read(dir, 'docs/a.lit.md')).toBe(doc);
  });

  it('stitches, after which weft tangle writes nothing', () => {
    const dir = tangled();
    writeFileSync(join(dir, 'src-generated/a.ts'), read(dir, 'src-generated/a.ts').replace('  return 1;', '  return 2;'));
    expect(weft(dir, 'stitch').code).toBe(0);
    expect(read(dir, 'docs/a.lit.md')).toContain('return 2;');
    expect(weft(dir, 'tangle', '--no-bundle').stdout).toMatch(/0 written, 1 unchanged/);
  });

  it('exits 1 on a conflict, printing the rule id and the place, and --json says why', () => {
    const twoLines = doc.replace('return 1;', 'const x = 1;\nreturn x;');
    const dir = tangled(twoLines);
    writeFileSync(join(dir, 'src-generated/a.ts'), read(dir, 'src-generated/a.ts').replace('  return x;', 'debugger;\n  return x;'));
    const run = weft(dir, 'stitch');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('src-generated/a.ts:4:1: error: an inserted line starts left of the indentation of every chunk it could belong to [stitch/dedent-below-reference]');
    const json = JSON.parse(weft(dir, 'stitch', '--json').stdout);
    expect(json.ok).toBe(false);
    expect(json.messages.map((m: { rule: string }) => m.rule)).toEqual(['stitch/dedent-below-reference']);
    expect(read(dir, 'docs/a.lit.md')).toBe(twoLines);
  });

  it('exits 2 on a usage error: an unknown flag, or a path that is not an output', () => {
    const dir = tangled();
    expect(weft(dir, 'stitch', '--nope').code).toBe(2);
    const run = weft(dir, 'stitch', 'src-generated/missing.ts');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('src-generated/missing.ts is not an output of this project');
  });

  it('with nothing edited, says so and exits 0', () => {
    const dir = tangled();
    const run = weft(dir, 'stitch');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('nothing to stitch: no output was edited by hand\n');
  });

  it('a watch proposal is one line with the key prompt in a terminal, and an NDJSON stitch-proposal event with --json', () => {
    const proposal = { type: 'stitch-proposal' as const, outputs: ['src-generated/a.ts'], ok: true, landings: [], messages: [], summary: 'src-generated/a.ts edited by hand: 1 change(s) → <<body>> (docs/a.lit.md:10)' };
    expect(formatStitchProposal(proposal, { json: false, tty: true })).toBe('weft: src-generated/a.ts edited by hand: 1 change(s) → <<body>> (docs/a.lit.md:10)  [s]titch [d]iff [r]evert [i]gnore\n');
    expect(formatStitchProposal(proposal, { json: false, tty: false })).toBe('weft: src-generated/a.ts edited by hand: 1 change(s) → <<body>> (docs/a.lit.md:10) (run weft stitch)\n');
    const event = JSON.parse(formatStitchProposal(proposal, { json: true, tty: false }));
    expect(event).toMatchObject({ event: 'stitch-proposal', outputs: ['src-generated/a.ts'], ok: true });
    expect(event.type).toBeUndefined();
  });
});
