/**
 * `weft explain`: from a generated line to its document, line, section, chunk and chain of
 * references; from a chunk to its parts, its uses and the output lines it became.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainChunk, explainLine } from '../tangle/explain.js';
import { snapshotOfTexts, tangleSnapshot } from '../tangle/snapshot.js';
import { fence, makeProject, weft } from './helpers.js';

const BUS = [
  '# The bus\n\nAn event bus.\n\n',
  fence('ts file=src-generated/bus.ts', 'export class Bus {\n  <<deliver-events>>\n}'),
  '\n## Delivering events\n\n',
  fence('ts #deliver-events', 'deliver(event: string) {\n  for (const handler of this.handlers) {\n    <<retry-a-failed-handler>>\n  }\n}'),
  '\n### Retrying failed handlers\n\nThree tries.\n\n',
  fence('ts #retry-a-failed-handler', 'for (let i = 0; i < 3; i++) {\n  try { return handler(event); } catch {}\n}'),
].join('');

// Document lines of BUS: 5 fence of the file, 7 `<<deliver-events>>`, 13 fence of
// deliver-events, 16 `<<retry-a-failed-handler>>`, 25 its fence, 27 its `try` line.
const FILES = { 'docs/bus.lit.md': BUS };

function inMemory(files: Record<string, string>) {
  return tangleSnapshot(snapshotOfTexts(files));
}

describe('weft explain FILE:LINE', () => {
  it('traces a line reached through two levels of references to its document, section and chunk', () => {
    const dir = makeProject(FILES);
    expect(weft(dir, 'tangle', '--no-bundle').code).toBe(0);
    const run = weft(dir, 'explain', 'src-generated/bus.ts:6');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'src-generated/bus.ts:6  "        try { return handler(event); } catch {}"',
        '  source:  docs/bus.lit.md:27:1',
        '  section: The bus › Delivering events › Retrying failed handlers',
        '  chunk:   `retry-a-failed-handler` defined at docs/bus.lit.md:25:1',
        '  chain:',
        '    file=src-generated/bus.ts  defined at docs/bus.lit.md:5:1',
        '    → <<deliver-events>>  used at docs/bus.lit.md:7:3, defined at docs/bus.lit.md:13:1',
        '    → <<retry-a-failed-handler>>  used at docs/bus.lit.md:16:5, defined at docs/bus.lit.md:25:1',
        '',
      ].join('\n'),
    );
  });

  it('prints the same answer as JSON, with whether the file on disk is current', () => {
    const dir = makeProject(FILES);
    weft(dir, 'tangle', '--no-bundle');
    const run = weft(dir, 'explain', 'src-generated/bus.ts:6', '--json');
    expect(JSON.parse(run.stdout)).toEqual({
      output: 'src-generated/bus.ts',
      line: 6,
      text: '        try { return handler(event); } catch {}',
      source: { document: 'docs/bus.lit.md', line: 27, column: 1 },
      section: ['The bus', 'Delivering events', 'Retrying failed handlers'],
      chunk: { name: 'retry-a-failed-handler', definedAt: { document: 'docs/bus.lit.md', line: 25, column: 1 }, part: 1, parts: 1 },
      chain: [
        { kind: 'file', name: 'src-generated/bus.ts', definedAt: { document: 'docs/bus.lit.md', line: 5, column: 1 }, usedAt: [] },
        {
          kind: 'chunk',
          name: 'deliver-events',
          definedAt: { document: 'docs/bus.lit.md', line: 13, column: 1 },
          usedAt: [{ document: 'docs/bus.lit.md', line: 7, column: 3 }],
        },
        {
          kind: 'chunk',
          name: 'retry-a-failed-handler',
          definedAt: { document: 'docs/bus.lit.md', line: 25, column: 1 },
          usedAt: [{ document: 'docs/bus.lit.md', line: 16, column: 5 }],
        },
      ],
      onDisk: 'same',
    });
  });

  it('explains the file target’s own text and the lines weft adds', () => {
    const project = inMemory(FILES);
    expect(explainLine(project, 'src-generated/bus.ts', 2)).toMatchObject({
      text: 'export class Bus {',
      source: { document: 'docs/bus.lit.md', line: 6, column: 1 },
      section: ['The bus'],
      chunk: null,
      chain: [{ kind: 'file', name: 'src-generated/bus.ts', usedAt: [] }],
    });
    expect(explainLine(project, 'src-generated/bus.ts', 1)).toMatchObject({ source: null, chunk: null, chain: [] });
  });

  it('finds which of two references to the same chunk produced the line', () => {
    const project = inMemory({
      'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', 'first();\n<<log>>\nsecond();\n<<log>>')}\n${fence('ts #log', 'log();')}`,
    });
    expect(explainLine(project, 'src-generated/a.ts', 3).chain[1]!.usedAt).toEqual([{ document: 'docs/a.lit.md', line: 3, column: 1 }]);
    expect(explainLine(project, 'src-generated/a.ts', 5).chain[1]!.usedAt).toEqual([{ document: 'docs/a.lit.md', line: 5, column: 1 }]);
  });

  it('says when the file on disk is not what the sources produce now', () => {
    const dir = makeProject(FILES);
    weft(dir, 'tangle', '--no-bundle');
    writeFileSync(join(dir, 'docs/bus.lit.md'), BUS.replace('An event bus.', 'An event bus,\nwith more prose.'));
    const run = weft(dir, 'explain', 'src-generated/bus.ts:6');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[1]).toBe('  source:  docs/bus.lit.md:28:1');
    expect(run.stderr).toBe('');
    writeFileSync(join(dir, 'docs/bus.lit.md'), BUS.replace('i < 3', 'i < 4'));
    expect(weft(dir, 'explain', 'src-generated/bus.ts:6').stderr).toBe(
      'weft explain: note: src-generated/bus.ts on disk differs from what the sources produce now (stale or edited); line 6 is the line of a fresh `weft tangle`\n',
    );
  });

  it('reports an unknown output or a line past the end as an error', () => {
    const dir = makeProject(FILES);
    const unknown = weft(dir, 'explain', 'src-generated/bux.ts:1');
    expect([unknown.code, unknown.stderr]).toEqual([1, 'weft explain: src-generated/bux.ts is not an output of any document (did you mean src-generated/bus.ts?)\n']);
    const past = weft(dir, 'explain', 'src-generated/bus.ts:99');
    expect([past.code, past.stderr]).toEqual([1, 'weft explain: src-generated/bus.ts has 11 lines; there is no line 99\n']);
    expect(weft(dir, 'explain', 'bus.ts').code).toBe(2);
  });
});

describe("weft explain '<<chunk>>'", () => {
  const TWO_DOCUMENTS = {
    'docs/log.lit.md': `# Logging\n\n${fence('ts #log-the-event', 'console.log(event);')}\n## More\n\n${fence('ts #log-the-event', 'console.log(Date.now());')}`,
    'docs/a.lit.md': `# A\n\n${fence('ts file=src-generated/a.ts', 'function a(event) {\n  <<log-the-event>>\n}')}`,
    'docs/b.lit.md': `# B\n\n## Uses\n\n${fence('ts file=src-generated/b.ts', '<<docs/log.lit.md#log-the-event>>')}`,
  };

  it('prints every part, every use and the output lines it became', () => {
    const dir = makeProject(TWO_DOCUMENTS);
    const run = weft(dir, 'explain', '<<log-the-event>>');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        '<<log-the-event>> in docs/log.lit.md',
        '  defined (2 parts):',
        '    docs/log.lit.md:3:1  line 4  § Logging',
        '    docs/log.lit.md:9:1  line 10  § Logging › More',
        '  used (2):',
        '    docs/a.lit.md:5:3  in file=src-generated/a.ts  § A',
        '    docs/b.lit.md:6:1  in file=src-generated/b.ts  § B › Uses',
        '  outputs:',
        '    src-generated/a.ts  lines 3–4',
        '    src-generated/b.ts  lines 2–3',
        '',
      ].join('\n'),
    );
  });

  it('answers as JSON, accepts a qualified name, and suggests a close name for a typo', () => {
    const project = inMemory(TWO_DOCUMENTS);
    expect(explainChunk(project, 'docs/log.lit.md#log-the-event')[0]!.parts.map((p) => [p.line, p.firstLine, p.lastLine])).toEqual([
      [3, 4, 4],
      [9, 10, 10],
    ]);
    const dir = makeProject(TWO_DOCUMENTS);
    const json = JSON.parse(weft(dir, 'explain', '<<log-the-event>>', '--json').stdout) as { uses: { in: { name: string } }[] }[];
    expect(json[0]!.uses.map((u) => u.in.name)).toEqual(['src-generated/a.ts', 'src-generated/b.ts']);
    const typo = weft(dir, 'explain', '<<log-the-evnt>>');
    expect([typo.code, typo.stderr]).toEqual([1, 'weft explain: chunk `log-the-evnt` is not defined (did you mean `<<log-the-event>>`?)\n']);
  });
});
