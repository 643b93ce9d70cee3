/**
 * `weft diff`: what changed between two versions of a project, told in chunks, not lines.
 *
 * When an agent rewrites a whole document, a line diff of the Markdown shows everything
 * moved; reviewers need to see which pieces of code changed, which were only renamed or
 * moved to another document, which documents changed only in their prose, and what that
 * did to every output. Both sides are tangled in memory (`snapshot.ts`); this module is
 * pure: two tangled snapshots in, a `ProjectDiff` (plain JSON) out, plus its text and
 * Markdown forms.
 *
 * Units of code are the named chunks and each file target's own text (the blocks with
 * `file=`); a unit is identified by its kind, document and name (or path). Pairing an
 * old unit with a new one, in this order:
 * 1. same document and name: `changed` when the body differs (else unchanged);
 * 2. same name, same body, other document: `moved`;
 * 3. same body (not empty), other name: `renamed` (perhaps also to another document);
 * 4. same name, other body, other document: `moved` (with the body's diff).
 * Whatever is left is `added` or `removed`. Bodies are compared exactly; the language in
 * the info string is not part of the body.
 *
 * An output is `patched` when at least half of its lines are still there, else
 * `regenerated`. "Still there" counts lines as a multiset (order ignored), which is
 * linear in the output's size and, unlike a line diff, does not call an output
 * regenerated because one large chunk moved within it.
 */
import { posix } from 'node:path';
import pc from 'picocolors';
import { bodyText } from './budgets.js';
import { byteOrder } from './read.js';
import type { TangledSnapshot } from './snapshot.js';
import type { Chunk, CollectedDocument, FileTarget, Message, Output } from './types.js';

/** What happened to a unit of code. */
export type ChunkChangeKind = 'changed' | 'added' | 'removed' | 'renamed' | 'moved';

/** A unit of code on one side: a named chunk, or a file target's own text. */
export interface UnitPlace {
  /** `chunk` for `#name` blocks, `file` for a file target's own `file=` blocks. */
  kind: 'chunk' | 'file';
  /** The chunk's name, or the output path of a file target. */
  name: string;
  /** Project-relative path of the defining document. */
  document: string;
  /** 1-based line and column of the first block's opening fence. */
  line: number;
  column: number;
}

/** One changed unit of code. */
export interface ChunkChange {
  kind: ChunkChangeKind;
  /** The unit before the change; absent when added. */
  before?: UnitPlace;
  /** The unit after the change; absent when removed. */
  after?: UnitPlace;
  /** Unified diff of the body (3 lines of context), empty when the body is the same. */
  diff: string;
  /** Body lines added and removed. */
  linesAdded: number;
  linesRemoved: number;
}

/** What happened to one output file. */
export interface OutputChange {
  /** Project-relative path. */
  path: string;
  status: 'unchanged' | 'patched' | 'regenerated' | 'added' | 'removed';
  /** Lines in the new (or, when removed, the old) content. */
  lines: number;
  /** Lines that are new, and lines that are gone (counted as a multiset). */
  linesAdded: number;
  linesRemoved: number;
  /** The changed units of code that went into this output on either side. */
  causes: { kind: ChunkChangeKind; unit: UnitPlace }[];
}

/** What happened to one document. `prose-only`: its text changed but none of its code. */
export interface DocumentChange {
  path: string;
  status: 'added' | 'removed' | 'changed' | 'prose-only';
}

/** The whole comparison: the `--json` contract of `weft diff`. */
export interface ProjectDiff {
  /** Labels of the two sides, e.g. `HEAD` and `working tree`. */
  from: string;
  to: string;
  /** Changed units, ordered by kind (renamed, moved, changed, added, removed), then place. */
  chunks: ChunkChange[];
  /** Every output of either side, in path order, unchanged ones included. */
  outputs: OutputChange[];
  /** Documents that differ, in path order. */
  documents: DocumentChange[];
  summary: {
    changed: number;
    added: number;
    removed: number;
    renamed: number;
    moved: number;
    outputsPatched: number;
    outputsRegenerated: number;
    outputsAdded: number;
    outputsRemoved: number;
    outputsUnchanged: number;
    /** Documents whose prose changed but no code. */
    proseOnly: string[];
  };
  /** Problems tangling either side (outputs that fail to tangle are left out). */
  messages: { side: 'from' | 'to'; message: Message }[];
}

interface Unit {
  place: UnitPlace;
  body: string;
  /** Key of this unit in `Output.chunks` (qualified chunk name), or null for file text. */
  qualified: string | null;
}

const KIND_ORDER: ChunkChangeKind[] = ['renamed', 'moved', 'changed', 'added', 'removed'];

function unitsOf(documents: readonly CollectedDocument[]): Map<string, Unit> {
  const units = new Map<string, Unit>();
  const place = (kind: UnitPlace['kind'], name: string, target: Chunk | FileTarget): UnitPlace => ({
    kind,
    name,
    document: target.document,
    line: target.parts[0]!.fenceLine,
    column: target.parts[0]!.fenceColumn,
  });
  for (const doc of documents) {
    for (const chunk of doc.chunks) {
      units.set(keyOf('chunk', doc.path, chunk.name), { place: place('chunk', chunk.name, chunk), body: bodyText(chunk), qualified: `${doc.path}#${chunk.name}` });
    }
    for (const file of doc.files) {
      const path = posix.normalize(file.path);
      units.set(keyOf('file', doc.path, path), { place: place('file', path, file), body: bodyText(file), qualified: null });
    }
  }
  return units;
}

function keyOf(kind: string, document: string, name: string): string {
  return `${kind}\0${document}\0${name}`;
}

/** Compare two tangled snapshots. Pure. */
export function diffSnapshots(before: TangledSnapshot, after: TangledSnapshot): ProjectDiff {
  const old = unitsOf(before.documents);
  const now = unitsOf(after.documents);
  const changes: ChunkChange[] = [];
  const change = (kind: ChunkChangeKind, a: Unit | undefined, b: Unit | undefined): ChunkChange => {
    const lines = a && b && a.body !== b.body ? unifiedDiff(a.body, b.body, label(a.place), label(b.place)) : { text: '', added: 0, removed: 0 };
    return {
      kind,
      ...(a ? { before: a.place } : {}),
      ...(b ? { after: b.place } : {}),
      diff: lines.text,
      linesAdded: a ? lines.added : lineCount(b!.body),
      linesRemoved: b ? lines.removed : lineCount(a!.body),
    };
  };
  const removed: Unit[] = [];
  for (const [key, unit] of old) {
    const next = now.get(key);
    if (!next) removed.push(unit);
    else if (next.body !== unit.body) changes.push(change('changed', unit, next));
  }
  const added = [...now].filter(([key]) => !old.has(key)).map(([, unit]) => unit);
  const pair = (kind: ChunkChangeKind, matches: (a: Unit, b: Unit) => boolean) => {
    for (const b of [...added]) {
      const candidates = removed.filter((a) => a.place.kind === b.place.kind && matches(a, b));
      // Several equal bodies: prefer the one from the same document.
      const a = candidates.find((c) => c.place.document === b.place.document) ?? candidates[0];
      if (!a) continue;
      removed.splice(removed.indexOf(a), 1);
      added.splice(added.indexOf(b), 1);
      changes.push(change(kind, a, b));
    }
  };
  pair('moved', (a, b) => a.place.name === b.place.name && a.body === b.body);
  pair('renamed', (a, b) => a.body === b.body && a.body.trim() !== '');
  pair('moved', (a, b) => a.place.name === b.place.name);
  for (const unit of added) changes.push(change('added', undefined, unit));
  for (const unit of removed) changes.push(change('removed', unit, undefined));
  changes.sort(compareChanges);

  const outputs = diffOutputs(before.outputs, after.outputs, changes, old, now);
  const documents = diffDocuments(before, after, changes);
  const count = (kind: ChunkChangeKind) => changes.filter((c) => c.kind === kind).length;
  const countOutputs = (status: OutputChange['status']) => outputs.filter((o) => o.status === status).length;
  return {
    from: before.label,
    to: after.label,
    chunks: changes,
    outputs,
    documents,
    summary: {
      changed: count('changed'),
      added: count('added'),
      removed: count('removed'),
      renamed: count('renamed'),
      moved: count('moved'),
      outputsPatched: countOutputs('patched'),
      outputsRegenerated: countOutputs('regenerated'),
      outputsAdded: countOutputs('added'),
      outputsRemoved: countOutputs('removed'),
      outputsUnchanged: countOutputs('unchanged'),
      proseOnly: documents.filter((d) => d.status === 'prose-only').map((d) => d.path),
    },
    messages: [
      ...before.messages.filter((m) => m.severity === 'error').map((message) => ({ side: 'from' as const, message })),
      ...after.messages.filter((m) => m.severity === 'error').map((message) => ({ side: 'to' as const, message })),
    ],
  };
}

function compareChanges(a: ChunkChange, b: ChunkChange): number {
  const kind = KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
  if (kind !== 0) return kind;
  const pa = (a.after ?? a.before)!;
  const pb = (b.after ?? b.before)!;
  return byteOrder(pa.document, pb.document) || pa.line - pb.line || byteOrder(pa.name, pb.name);
}

function diffOutputs(before: readonly Output[], after: readonly Output[], changes: ChunkChange[], old: Map<string, Unit>, now: Map<string, Unit>): OutputChange[] {
  const oldByPath = new Map(before.map((o) => [o.path, o]));
  const newByPath = new Map(after.map((o) => [o.path, o]));
  const paths = [...new Set([...oldByPath.keys(), ...newByPath.keys()])].sort(byteOrder);
  const qualifiedOf = (units: Map<string, Unit>, place: UnitPlace | undefined) =>
    place ? units.get(keyOf(place.kind, place.document, place.name))?.qualified : undefined;
  return paths.map((path): OutputChange => {
    const a = oldByPath.get(path);
    const b = newByPath.get(path);
    const oldLines = a ? splitLines(a.content) : [];
    const newLines = b ? splitLines(b.content) : [];
    const common = commonLineCount(oldLines, newLines);
    const linesAdded = newLines.length - common;
    const linesRemoved = oldLines.length - common;
    const uses = (output: Output | undefined, place: UnitPlace | undefined, units: Map<string, Unit>) => {
      if (!output || !place) return false;
      if (place.kind === 'file') return place.name === path;
      const qualified = qualifiedOf(units, place);
      return qualified !== undefined && qualified !== null && qualified in output.chunks;
    };
    let status: OutputChange['status'];
    if (!a) status = 'added';
    else if (!b) status = 'removed';
    else if (a.content === b.content && a.mode === b.mode) status = 'unchanged';
    else status = common * 2 >= Math.max(oldLines.length, newLines.length) ? 'patched' : 'regenerated';
    // A chunk renamed or moved with its body intact changes no line of any output.
    const changesText = (c: ChunkChange) => c.diff !== '' || c.kind === 'added' || c.kind === 'removed' || (c.after ?? c.before)!.kind === 'file';
    const causes =
      status === 'unchanged'
        ? []
        : changes.filter((c) => changesText(c) && (uses(a, c.before, old) || uses(b, c.after, now))).map((c) => ({ kind: c.kind, unit: (c.after ?? c.before)! }));
    return { path, status, lines: (b ? newLines : oldLines).length, linesAdded, linesRemoved, causes };
  });
}

function diffDocuments(before: TangledSnapshot, after: TangledSnapshot, changes: ChunkChange[]): DocumentChange[] {
  const oldHashes = new Map(before.sources.map((s) => [s.path, s.text]));
  const newHashes = new Map(after.sources.map((s) => [s.path, s.text]));
  const touched = new Set<string>();
  for (const c of changes) {
    if (c.before) touched.add(c.before.document);
    if (c.after) touched.add(c.after.document);
  }
  const paths = [...new Set([...oldHashes.keys(), ...newHashes.keys()])].sort(byteOrder);
  const result: DocumentChange[] = [];
  for (const path of paths) {
    const a = oldHashes.get(path);
    const b = newHashes.get(path);
    if (a === undefined) result.push({ path, status: 'added' });
    else if (b === undefined) result.push({ path, status: 'removed' });
    else if (a !== b) result.push({ path, status: touched.has(path) ? 'changed' : 'prose-only' });
  }
  return result;
}

/** Lines of an output or body; the final newline does not start another line. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

function lineCount(body: string): number {
  return splitLines(body).length;
}

/** How many lines the two texts share, as multisets. */
function commonLineCount(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const line of a) counts.set(line, (counts.get(line) ?? 0) + 1);
  let common = 0;
  for (const line of b) {
    const left = counts.get(line) ?? 0;
    if (left > 0) {
      common++;
      counts.set(line, left - 1);
    }
  }
  return common;
}

function label(place: UnitPlace): string {
  return place.kind === 'file' ? `${place.document}#file=${place.name}` : `${place.document}#${place.name}`;
}

type Edit = { op: ' ' | '-' | '+'; line: string };

/** Beyond this many edits, a body is shown as all removed and all added (bounded time and memory). */
const MAX_EDITS = 2000;

/** The shortest edit script from `a` to `b` (Myers' O(ND) algorithm). */
export function lineEdits(a: readonly string[], b: readonly string[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const head: Edit[] = a.slice(0, start).map((line) => ({ op: ' ', line }));
  const tail: Edit[] = a.slice(endA).map((line) => ({ op: ' ', line }));
  const x0 = a.slice(start, endA);
  const y0 = b.slice(start, endB);
  const n = x0.length;
  const m = y0.length;
  const max = n + m;
  const trace: Int32Array[] = [];
  const v = new Int32Array(2 * max + 2);
  let found = -1;
  for (let d = 0; d <= Math.min(max, MAX_EDITS); d++) {
    // Keep only the diagonals step d can look at: O(D²) memory, not O(D·(N+M)).
    trace.push(v.slice(max - d - 1 < 0 ? 0 : max - d - 1, max + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[max + k - 1]! < v[max + k + 1]!) ? v[max + k + 1]! : v[max + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && x0[x] === y0[y]) {
        x++;
        y++;
      }
      v[max + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) break;
  }
  let middle: Edit[];
  if (found < 0) {
    middle = [...x0.map((line): Edit => ({ op: '-', line })), ...y0.map((line): Edit => ({ op: '+', line }))];
  } else {
    middle = [];
    let x = n;
    let y = m;
    for (let d = found; d > 0; d--) {
      const saved = trace[d]!;
      const base = max - d - 1 < 0 ? 0 : max - d - 1;
      const previous = (diagonal: number) => saved[max + diagonal - base]!;
      const k = x - y;
      const down = k === -d || (k !== d && previous(k - 1) < previous(k + 1));
      const prevK = down ? k + 1 : k - 1;
      const prevX = previous(prevK);
      const prevY = prevX - prevK;
      while (x > prevX && y > prevY) middle.push({ op: ' ', line: x0[--x]! }), y--;
      if (down) middle.push({ op: '+', line: y0[--y]! });
      else middle.push({ op: '-', line: x0[--x]! });
    }
    while (x > 0 && y > 0) middle.push({ op: ' ', line: x0[--x]! }), y--;
    middle.reverse();
  }
  return [...head, ...middle, ...tail];
}

/** A unified diff of two texts, 3 lines of context, with `---`/`+++` labels. */
export function unifiedDiff(before: string, after: string, fromLabel: string, toLabel: string): { text: string; added: number; removed: number } {
  const edits = lineEdits(splitLines(before), splitLines(after));
  const context = 3;
  const changed = edits.map((e, i) => (e.op === ' ' ? -1 : i)).filter((i) => i >= 0);
  if (changed.length === 0) return { text: '', added: 0, removed: 0 };
  // Group changed edits whose context windows touch into hunks.
  const hunks: [number, number][] = [];
  for (const i of changed) {
    const last = hunks[hunks.length - 1];
    if (last && i - last[1] <= context * 2 + 1) last[1] = i;
    else hunks.push([i, i]);
  }
  const out = [`--- a/${fromLabel}`, `+++ b/${toLabel}`];
  // Line numbers before each edit, on both sides.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 1;
  let p = 1;
  for (const e of edits) {
    oldAt.push(o);
    newAt.push(p);
    if (e.op !== '+') o++;
    if (e.op !== '-') p++;
  }
  for (const [first, last] of hunks) {
    const from = Math.max(0, first - context);
    const to = Math.min(edits.length - 1, last + context);
    const slice = edits.slice(from, to + 1);
    const oldCount = slice.filter((e) => e.op !== '+').length;
    const newCount = slice.filter((e) => e.op !== '-').length;
    const oldStart = oldCount === 0 ? oldAt[from]! - 1 : oldAt[from]!;
    const newStart = newCount === 0 ? newAt[from]! - 1 : newAt[from]!;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const e of slice) out.push(`${e.op}${e.line}`);
  }
  return {
    text: `${out.join('\n')}\n`,
    added: edits.filter((e) => e.op === '+').length,
    removed: edits.filter((e) => e.op === '-').length,
  };
}

/** The line a reviewer or an agent reads first. */
export function summaryLine(diff: ProjectDiff): string {
  const s = diff.summary;
  const chunkParts = [`${s.changed} chunk${s.changed === 1 ? '' : 's'} changed`, `${s.added} added`, `${s.removed} removed`];
  if (s.renamed) chunkParts.push(`${s.renamed} renamed`);
  if (s.moved) chunkParts.push(`${s.moved} moved`);
  const outputParts = [`${s.outputsPatched} output${s.outputsPatched === 1 ? '' : 's'} patched`, `${s.outputsRegenerated} regenerated`];
  if (s.outputsAdded) outputParts.push(`${s.outputsAdded} added`);
  if (s.outputsRemoved) outputParts.push(`${s.outputsRemoved} removed`);
  const sections = [chunkParts.join(', '), outputParts.join(', ')];
  if (s.proseOnly.length > 0) sections.push(`prose only: ${s.proseOnly.join(', ')}`);
  return sections.join('; ');
}

function unitName(place: UnitPlace): string {
  return place.kind === 'file' ? `file=${place.name}` : `\`${place.name}\``;
}

function where(place: UnitPlace): string {
  return `${place.document}:${place.line}:${place.column}`;
}

/** One line per changed unit: what happened and where, without the body's diff. */
function describeChange(c: ChunkChange): string {
  const a = c.before;
  const b = c.after;
  switch (c.kind) {
    case 'renamed':
      return `${unitName(a!)} → ${unitName(b!)} at ${where(b!)}${a!.document === b!.document ? '' : ` (moved from ${a!.document})`}`;
    case 'moved':
      return `${unitName(b!)} from ${a!.document} to ${where(b!)}${c.diff ? `, edited (+${c.linesAdded} −${c.linesRemoved})` : ''}`;
    case 'changed':
      return `${unitName(b!)} at ${where(b!)} (+${c.linesAdded} −${c.linesRemoved})`;
    case 'added':
      return `${unitName(b!)} at ${where(b!)} (${c.linesAdded} lines)`;
    case 'removed':
      return `${unitName(a!)} from ${where(a!)} (${c.linesRemoved} lines)`;
  }
}

function describeCauses(output: OutputChange): string {
  const names = [...new Set(output.causes.map((c) => unitName(c.unit)))];
  return names.length > 0 ? `; ${names.join(', ')}` : '';
}

/** The terminal form: summary line first, then chunks with their diffs, then outputs. */
export function formatDiffText(diff: ProjectDiff, options: { color?: boolean } = {}): string {
  const c = options.color ? pc : pc.createColors(false);
  const lines = [c.bold(summaryLine(diff)), '', `${diff.from} → ${diff.to}`];
  if (diff.chunks.length > 0) lines.push('');
  for (const change of diff.chunks) {
    lines.push(`${c.bold(change.kind.padEnd(8))} ${describeChange(change)}`);
    if (change.diff) {
      for (const line of change.diff.trimEnd().split('\n')) {
        const colour = line.startsWith('+') ? c.green : line.startsWith('-') ? c.red : line.startsWith('@@') ? c.cyan : (s: string) => s;
        lines.push(`    ${colour(line)}`);
      }
    }
  }
  const changedOutputs = diff.outputs.filter((o) => o.status !== 'unchanged');
  if (diff.outputs.length > 0) {
    lines.push('', 'outputs:');
    for (const o of changedOutputs) {
      lines.push(`  ${o.status.padEnd(11)} ${o.path} (+${o.linesAdded} −${o.linesRemoved} of ${o.lines} lines${describeCauses(o)})`);
    }
    if (diff.summary.outputsUnchanged > 0) lines.push(`  ${diff.summary.outputsUnchanged} unchanged`);
  }
  const docs = diff.documents;
  if (docs.length > 0) {
    lines.push('', 'documents:');
    for (const d of docs) lines.push(`  ${d.status.padEnd(11)} ${d.path}`);
  }
  for (const { side, message } of diff.messages) {
    lines.push('', `note: ${side === 'from' ? diff.from : diff.to} has errors (${message.file}:${message.line}: ${message.message}); outputs that fail to tangle are left out`);
  }
  return `${lines.join('\n')}\n`;
}

/** The pull-request comment form. */
export function formatDiffMarkdown(diff: ProjectDiff): string {
  const out = [`### weft diff: \`${diff.from}\` → ${diff.to === 'working tree' ? 'working tree' : `\`${diff.to}\``}`, '', `**${summaryLine(diff)}**`, ''];
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  if (diff.chunks.length > 0) {
    out.push('| change | chunk | where | lines |', '| --- | --- | --- | --- |');
    for (const c of diff.chunks) {
      const name = c.kind === 'renamed' ? `${unitName(c.before!)} → ${unitName(c.after!)}` : unitName((c.after ?? c.before)!);
      const place = c.kind === 'moved' || (c.kind === 'renamed' && c.before!.document !== c.after!.document) ? `${c.before!.document} → ${where(c.after!)}` : where((c.after ?? c.before)!);
      out.push(`| ${c.kind} | ${cell(name)} | ${cell(place)} | +${c.linesAdded} −${c.linesRemoved} |`);
    }
    out.push('');
    for (const c of diff.chunks.filter((x) => x.diff)) {
      const fence = c.diff.includes('```') ? '~~~~' : '```';
      out.push(`<details><summary>${c.kind} ${unitName(c.after!)} in ${c.after!.document}</summary>`, '', `${fence}diff`, c.diff.trimEnd(), fence, '', '</details>', '');
    }
  }
  const changedOutputs = diff.outputs.filter((o) => o.status !== 'unchanged');
  if (changedOutputs.length > 0) {
    out.push('| output | status | lines | caused by |', '| --- | --- | --- | --- |');
    for (const o of changedOutputs) {
      const causes = [...new Set(o.causes.map((x) => unitName(x.unit)))].join(', ');
      out.push(`| \`${cell(o.path)}\` | ${o.status} | +${o.linesAdded} −${o.linesRemoved} of ${o.lines} | ${cell(causes)} |`);
    }
    out.push('');
  }
  if (diff.summary.outputsUnchanged > 0) out.push(`${diff.summary.outputsUnchanged} output${diff.summary.outputsUnchanged === 1 ? '' : 's'} unchanged.`, '');
  for (const { side, message } of diff.messages) {
    out.push(`> **Note:** ${side === 'from' ? diff.from : diff.to} has errors (\`${message.file}:${message.line}\`: ${message.message}); outputs that fail to tangle are left out.`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
