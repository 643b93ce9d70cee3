/**
 * Stitch properties (fast-check) over random documents: chunk DAGs, several blocks per
 * chunk, reuse, indented references (spaces, tabs, mixed), and a second output.
 *
 * P1 round trip, P2 safety, P3 idempotence, P4 prose, P5 commutation, P6 line endings,
 * as in the issue. The pure planner is exercised on many documents; P2 also runs on disk,
 * where a refusal must leave every file byte-identical.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../tangle/config.js';
import { tangle } from '../tangle/context.js';
import { snapshotOfTexts, tangleSnapshot } from '../tangle/snapshot.js';
import { planStitch } from '../tangle/stitch/plan.js';
import { stitch } from '../tangle/stitch/run.js';
import type { Output } from '../tangle/types.js';
import { makeProject } from './helpers.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const DOC = 'docs/a.lit.md';
const A = 'src-generated/a.ts';
const B = 'src-generated/b.ts';

type Line = { kind: 'code'; indent: string; text: string } | { kind: 'ref'; indent: string; to: number } | { kind: 'blank' };
interface Shape {
  chunks: Line[][][]; // chunk → blocks → lines
  a: Line[];
  b: Line[] | null;
}

const indent = fc.constantFrom('', '', '  ', '    ', '\t', ' \t');
let counter = 0;
/** A random document: chunk i may reference only chunks after it (a DAG). */
const shape: fc.Arbitrary<Shape> = fc.integer({ min: 1, max: 4 }).chain((count) => {
  const line = (from: number): fc.Arbitrary<Line> =>
    fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('code' as const), indent, text: fc.constantFrom('x();', 'y = 1;', 'if (a) {', '}', 'return z;', 'f(g);') }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'blank' as const }) },
      ...(from < count ? [{ weight: 2, arbitrary: fc.record({ kind: fc.constant('ref' as const), indent, to: fc.integer({ min: from, max: count - 1 }) }) }] : []),
    );
  const block = (from: number) => fc.array(line(from), { minLength: 1, maxLength: 3 });
  return fc.record({
    chunks: fc.tuple(...Array.from({ length: count }, (_, i) => fc.array(block(i + 1), { minLength: 1, maxLength: 2 }))),
    a: fc.array(line(0), { minLength: 1, maxLength: 4 }),
    b: fc.option(fc.array(line(0), { minLength: 1, maxLength: 3 }), { nil: null }),
  });
});

function render(lines: Line[]): string {
  return lines.map((l) => (l.kind === 'blank' ? '' : l.kind === 'ref' ? `${l.indent}<<c${l.to}>>` : `${l.indent}${l.text}`)).join('\n');
}

/** The document's Markdown; each code line gets a unique token so edits are unambiguous. */
function documentOf(s: Shape): string {
  const unique = (lines: Line[]) => lines.map((l) => (l.kind === 'code' ? { ...l, text: l.text.replace(/;|\{|\}/, (m) => `/*${++counter}*/${m}`) } : l));
  const parts = ['# Random', '', `\`\`\`ts file=${A}`, render(unique(s.a)), '```', ''];
  if (s.b) parts.push('A second output:', '', `\`\`\`ts file=${B}`, render(unique(s.b)), '```', '');
  s.chunks.forEach((blocks, i) => blocks.forEach((lines, k) => parts.push(`Chunk ${i}, block ${k}.`, '', `\`\`\`ts #c${i}`, render(unique(lines)), '```', '')));
  return parts.join('\n');
}

function tangleTexts(texts: Record<string, string>): { outputs: Output[]; ok: boolean } {
  const t = tangleSnapshot(snapshotOfTexts(texts));
  return { outputs: t.outputs, ok: !t.messages.some((m) => m.severity === 'error') };
}

/** A document that tangles, with its outputs. */
const project = shape
  .map((s) => {
    const doc = documentOf(s);
    return { doc, ...tangleTexts({ [DOC]: doc }) };
  })
  .filter((p) => p.ok && p.outputs.some((o) => o.path === A));

type Edit = { kind: 'modify' | 'insert' | 'delete' | 'reindent'; at: number; count: number; text: string; pad: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('modify', 'insert', 'delete', 'reindent'),
  at: fc.nat(),
  count: fc.integer({ min: 1, max: 3 }),
  text: fc.constantFrom('w();', 'q = 2;', '', '}', 'if (b) {'),
  pad: fc.constantFrom('', '  ', '\t'),
});

/** Apply an edit to the code lines of an output (never the header or trailer). */
function applyEdit(content: string, e: Edit): string {
  const lines = content.slice(0, -1).split('\n');
  const first = lines[0]!.startsWith('// generated') ? 1 : 0;
  const last = lines[lines.length - 1]!.startsWith('//# sourceMappingURL') ? lines.length - 1 : lines.length;
  if (last <= first) return content;
  const at = first + (e.at % (last - first));
  const lead = (s: string) => /^[ \t]*/.exec(s)![0];
  if (e.kind === 'modify') lines[at] = lead(lines[at]!) + e.text;
  else if (e.kind === 'insert') lines.splice(at, 0, ...Array.from({ length: e.count }, (_, i) => (e.text === '' ? '' : lead(lines[at]!) + e.pad + e.text.replace(';', `${i};`))));
  else if (e.kind === 'delete') lines.splice(at, Math.min(e.count, last - at));
  else for (let i = at; i < Math.min(at + e.count, last); i++) if (lines[i] !== '') lines[i] = e.pad + lines[i];
  return `${lines.join('\n')}\n`;
}

function plan(doc: string, outputs: Output[], edited: string, extra: { current?: string; propagate?: boolean } = {}) {
  const a = outputs.find((o) => o.path === A)!;
  return planStitch({
    config: DEFAULT_CONFIG,
    base: { [DOC]: doc },
    current: extra.current === undefined ? undefined : { [DOC]: extra.current },
    edited: { [A]: edited },
    hashes: { [A]: sha256(a.content) },
    propagate: extra.propagate,
  });
}

/** The lines of a document outside code blocks (fences themselves excluded). */
function proseOf(doc: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of doc.split('\n')) {
    if (/^ {0,3}(`{3,}|~{3,})/.test(line)) inside = !inside;
    else if (!inside) out.push(line);
  }
  return out;
}

const RUNS = 300;

describe('stitch properties', () => {
  it('P2 safety: any edit either round-trips byte for byte (other outputs unchanged) or is refused with nothing to write', () => {
    let applied = 0;
    fc.assert(
      fc.property(project, edit, ({ doc, outputs }, e) => {
        const a = outputs.find((o) => o.path === A)!;
        const edited = applyEdit(a.content, e);
        const result = plan(doc, outputs, edited);
        if (!result.ok) {
          expect(result.documents).toEqual({});
          expect(result.outputs).toEqual([]);
          return;
        }
        applied++;
        const next = tangleTexts({ [DOC]: result.documents[DOC] ?? doc });
        expect(next.ok).toBe(true);
        // Header edits are never generated here, so the edit must come back exactly (whitespace-only lines emptied).
        expect(next.outputs.find((o) => o.path === A)!.content).toBe(edited.replace(/^[ \t]+$/gm, ''));
        for (const other of outputs) if (other.path !== A) expect(next.outputs.find((o) => o.path === other.path)!.content).toBe(other.content);
      }),
      { numRuns: RUNS },
    );
    expect(applied).toBeGreaterThan(RUNS / 4);
  });

  it('P1 round trip: a changed line of a part expanded once is always stitched, and tangles back byte for byte', () => {
    fc.assert(
      fc.property(project, fc.nat(), fc.constantFrom('w();', 'q = 2;', 'return 0;'), ({ doc, outputs }, pick, text) => {
        const a = outputs.find((o) => o.path === A)!;
        // Lines whose text occurs once in the whole project come from a part expanded once.
        const all = outputs.flatMap((o) => o.content.split('\n')).map((x) => x.trim());
        const lines = a.content.slice(0, -1).split('\n');
        const candidates = lines.map((l, i) => ({ l, i })).filter(({ l }) => /\/\*\d+\*\//.test(l) && all.filter((x) => x === l.trim()).length === 1);
        fc.pre(candidates.length > 0);
        const { l, i } = candidates[pick % candidates.length]!;
        lines[i] = /^[ \t]*/.exec(l)![0] + text + l.replace(/^[ \t]*/, '').replace(/^[^/]*/, ' ');
        const edited = `${lines.join('\n')}\n`;
        const result = plan(doc, outputs, edited);
        expect(result.messages.filter((m) => m.severity === 'error')).toEqual([]);
        const next = tangleTexts({ [DOC]: result.documents[DOC]! });
        expect(next.outputs.find((o) => o.path === A)!.content).toBe(edited);
        for (const other of outputs) if (other.path !== A) expect(next.outputs.find((o) => o.path === other.path)!.content).toBe(other.content);
      }),
      { numRuns: RUNS },
    );
  });

  it('P3 idempotence: stitching the unchanged output changes nothing, and stitching twice changes nothing more', () => {
    fc.assert(
      fc.property(project, edit, ({ doc, outputs }, e) => {
        const a = outputs.find((o) => o.path === A)!;
        const same = plan(doc, outputs, a.content);
        expect(same.ok).toBe(true);
        expect(same.documents).toEqual({});
        expect(same.landings).toEqual([]);
        const edited = applyEdit(a.content, e);
        const once = plan(doc, outputs, edited);
        fc.pre(once.ok);
        const stitched = once.documents[DOC] ?? doc;
        const twice = plan(stitched, tangleTexts({ [DOC]: stitched }).outputs, edited);
        expect(twice.ok).toBe(true);
        expect(twice.documents).toEqual({});
      }),
      { numRuns: RUNS },
    );
  });

  it('P4 prose: Markdown outside code-block bodies never changes', () => {
    fc.assert(
      fc.property(project, edit, ({ doc, outputs }, e) => {
        const result = plan(doc, outputs, applyEdit(outputs.find((o) => o.path === A)!.content, e));
        fc.pre(result.ok && result.documents[DOC] !== undefined);
        expect(proseOf(result.documents[DOC]!)).toEqual(proseOf(doc));
      }),
      { numRuns: RUNS },
    );
  });

  it('P5 commutation: a prose edit of the .lit.md and an output edit give the same result as applying both by hand', () => {
    fc.assert(
      fc.property(project, edit, fc.nat(), ({ doc, outputs }, e, which) => {
        const a = outputs.find((o) => o.path === A)!;
        const edited = applyEdit(a.content, e);
        const twoWay = plan(doc, outputs, edited);
        fc.pre(twoWay.ok && twoWay.documents[DOC] !== undefined);
        // A prose line ("Chunk i, block k." or the title) changed in the .lit.md meanwhile.
        const proseLines = doc.split('\n').filter((l) => /^(Chunk \d+, block \d+\.|# Random)$/.test(l));
        const line = proseLines[which % proseLines.length]!;
        const current = doc.replace(`\n${line}\n`, `\n${line} Edited.\n`).replace(/^# Random\n/, line === '# Random' ? '# Random Edited.\n' : '# Random\n');
        const threeWay = plan(doc, outputs, edited, { current });
        expect(threeWay.messages.filter((m) => m.severity === 'error')).toEqual([]);
        const byHand = twoWay.documents[DOC]!.replace(`\n${line}\n`, `\n${line} Edited.\n`).replace(/^# Random\n/, line === '# Random' ? '# Random Edited.\n' : '# Random\n');
        expect(threeWay.documents[DOC]).toBe(byHand);
      }),
      { numRuns: RUNS },
    );
  });

  it('P6 line endings: converting the edited output to CRLF never changes the plan', () => {
    fc.assert(
      fc.property(project, edit, ({ doc, outputs }, e) => {
        const edited = applyEdit(outputs.find((o) => o.path === A)!.content, e);
        const lf = plan(doc, outputs, edited);
        const crlf = plan(doc, outputs, edited.replace(/\n/g, '\r\n'));
        expect(crlf.ok).toBe(lf.ok);
        expect(crlf.documents).toEqual(lf.documents);
        expect(crlf.messages.map((m) => m.rule)).toEqual(lf.messages.map((m) => m.rule));
      }),
      { numRuns: RUNS },
    );
  });

  it('P2 on disk: a refused stitch leaves sources, outputs and manifest byte-identical; an applied one re-tangles to nothing', async () => {
    await fc.assert(
      fc.asyncProperty(project, edit, async ({ doc }, e) => {
        const dir = makeProject({ [DOC]: doc });
        await tangle({ root: dir, bundle: false });
        const files = [DOC, A, '.weft/manifest.json', ...(doc.includes(`file=${B}`) ? [B] : [])];
        const edited = applyEdit(readFileSync(join(dir, A), 'utf8'), e);
        writeFileSync(join(dir, A), edited);
        const normalised = edited.replace(/^[ \t]+$/gm, '');
        const before = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
        const result = await stitch({ root: dir });
        const after = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
        if (!result.written) {
          expect(after).toEqual(before);
          return;
        }
        expect(after[A]).toBe(normalised);
        const again = await tangle({ root: dir, bundle: false });
        expect(again.files.filter((f) => f.action !== 'unchanged')).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
