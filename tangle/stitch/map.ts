/**
 * Map stage: each aligned change of one output → edits of the parts that own its lines.
 *
 * The rules (README "Stitch"), in the order they are tried:
 * - a uniform re-indent of every line of one expansion re-indents its reference line;
 * - a changed line (or a same-count rewrite, as a formatter makes) goes, line for line, to
 *   the part that produced it, minus the indentation the references added;
 * - a line-count change must lie within one part, else `stitch/spans-chunks`; deleting
 *   every line of an expansion deletes its reference line;
 * - an insertion between two parts goes to the candidate with the longest compatible
 *   indentation, then to an unshared part, then to the part above (the part below when
 *   there is none above); a line that fits no indentation is `stitch/dedent-below-reference`;
 * - the header and trailer Weft adds are not source: edits to them are ignored with a warning.
 *
 * Pure. Every edit records its expansion instance, so `plan.ts` can decide what to do with
 * a chunk that is used more than once.
 */
import { message, type RuleId } from '../messages.js';
import type { Chunk, Message, Part } from '../types.js';
import { slid, type Alignment, type Hunk } from './align.js';
import { instanceKey, partKey, referencesOf, type Frame, type Trace } from './trace.js';

/** Lines to replace in one part, in one of its expansions. */
export interface PartEdit {
  part: Part;
  /** Which expansion of the part the change was seen in (see `instanceKey`). */
  instance: string;
  /** 0-based line in the part where the replaced lines start. */
  start: number;
  deleteCount: number;
  /** New part lines (without the indentation references add). */
  lines: string[];
  /** The output and its 1-based edited line the change came from (for reports). */
  output: string;
  at: number;
}

/** The result of mapping one output's changes. */
export interface OutputMapping {
  edits: PartEdit[];
  /** The output the edits must tangle to: the edit minus ignored header and trailer changes. */
  expected: string[];
  /** Conflicts (errors) and warnings. */
  messages: Message[];
}

/** How many expansions each part has, over every output (`partKey` → instance keys). */
export type InstanceIndex = Map<string, Set<string>>;

/** Index every part's expansions in the traces. */
export function indexInstances(traces: readonly Trace[]): InstanceIndex {
  const index: InstanceIndex = new Map();
  for (const trace of traces)
    for (const line of trace.lines) {
      if (line.kind !== 'code') continue;
      line.frames.forEach((frame, depth) => {
        const key = partKey(frame.part);
        if (!index.has(key)) index.set(key, new Set());
        index.get(key)!.add(instanceKey(line.frames, depth));
      });
    }
  return index;
}

const blank = (line: string) => line.trim() === '';
const prefixKey = (frames: readonly Frame[], depth: number) => frames.slice(0, depth).map((f) => `${partKey(f.part)}@${f.index}`).join('/');
const sameFrame = (a: Frame, b: Frame) => a.part === b.part && a.index === b.index;

/** Map one output's alignment to part edits. */
export function mapOutput(trace: Trace, alignment: Alignment, instances: InstanceIndex, chunkOf: ReadonlyMap<Part, Chunk | null>): OutputMapping {
  const base = trace.lines;
  const edited = alignment.edited;
  const messages: Message[] = [];
  const edits: PartEdit[] = [];
  const conflict = (at: number, rule: RuleId, text: string, notes: string[]) => messages.push(message(trace.path, at, 1, 'error', rule, text, notes));
  const warn = (at: number, rule: RuleId, text: string, notes?: string[]) => messages.push(message(trace.path, at, 1, 'warning', rule, text, notes));
  const header = { warned: false };
  const headerEdited = (at: number) => {
    if (!header.warned) warn(at, 'stitch/header-edited', 'the header or trailer Weft adds was edited; the edit is ignored and the next tangle restores it');
    header.warned = true;
  };
  if (alignment.emptied > 0) warn(0, 'stitch/whitespace-only-line', `${alignment.emptied} line(s) of only spaces or tabs were emptied`);

  // Lines under each expansion, by the reference path that leads to it.
  const members = new Map<string, number[]>();
  base.forEach((line, i) => {
    if (line.kind !== 'code') return;
    for (let depth = 1; depth < line.frames.length; depth++) {
      const key = prefixKey(line.frames, depth);
      if (!members.has(key)) members.set(key, []);
      members.get(key)!.push(i);
    }
  });
  /** New indentation of expansions that were re-indented as a whole, by `prefixKey`. */
  const reindented = new Map<string, { from: string; to: string }>();
  const prefixFor = (frames: readonly Frame[], depth: number): string => {
    for (let j = 1; j <= depth; j++) {
      const moved = reindented.get(prefixKey(frames, j));
      if (moved) return moved.to + frames[depth]!.indent.slice(moved.from.length);
    }
    return frames[depth]!.indent;
  };
  const shared = (frame: Frame) => (instances.get(partKey(frame.part))?.size ?? 0) > 1;

  // Expected output: base lines with the accepted changes.
  const replaced = new Map<number, string>();
  const accepted: { base: number; baseEnd: number; lines: string[] }[] = [];

  // 1. Changed lines: pairs whose text differs, and same-count rewrites.
  const changed = new Map<number, number>(); // base line → edited line
  for (const pair of alignment.pairs) if (base[pair.base]!.text !== edited[pair.edited]) changed.set(pair.base, pair.edited);
  const counted: Hunk[] = [];
  for (const hunk of alignment.hunks) {
    if (hunk.baseEnd - hunk.base === hunk.editedEnd - hunk.edited) for (let i = 0; i < hunk.baseEnd - hunk.base; i++) changed.set(hunk.base + i, hunk.edited + i);
    else counted.push(hunk);
  }
  for (const [b, e] of changed) {
    if (base[b]!.kind === 'added') {
      headerEdited(e + 1);
      changed.delete(b);
    }
  }

  // 2. A uniform re-indent of a whole expansion re-indents its reference.
  mapReindents({ trace, base, edited, members, reindented, prefixFor, conflict }, changed, edits, replaced);

  // 3. Other changed lines, line for line.
  for (const [b, e] of changed) {
    const line = base[b]!;
    if (line.kind !== 'code') continue;
    const depth = line.frames.length - 1;
    const text = stripped(edited[e]!, prefixFor(line.frames, depth));
    if (text === null) {
      conflict(e + 1, 'stitch/dedent-below-reference', 'a changed line starts left of the indentation of its reference', [
        `the line belongs to ${describe(line.frames[depth]!, chunkOf)}, whose reference adds ${JSON.stringify(prefixFor(line.frames, depth))}; indent the line at least that far`,
      ]);
      continue;
    }
    edits.push({ part: line.frames[depth]!.part, instance: instanceKey(line.frames, depth), start: line.frames[depth]!.index, deleteCount: 1, lines: [text], output: trace.path, at: e + 1 });
    replaced.set(b, edited[e]!);
  }

  // 4. Line-count changes: try each position the hunk may slide to, lowest first.
  for (const original of counted) {
    let first: { messages: Message[] } | null = null;
    let done = false;
    for (let delta = original.down; delta >= -original.up && !done; delta--) {
      const hunk = slid(original, delta);
      const attempt = mapHunk({ trace, base, edited, chunkOf, members, prefixFor, shared, header }, hunk);
      if (attempt.messages.every((m) => m.severity !== 'error')) {
        done = true;
        messages.push(...attempt.messages);
        edits.push(...attempt.edits);
        if (attempt.accepted) accepted.push(attempt.accepted);
      } else first ??= attempt;
    }
    if (!done) messages.push(...first!.messages);
  }

  return { edits, expected: expectedOutput(base, accepted, replaced), messages };
}

/** A change the expected output takes over: edited `lines` in place of base lines `base` to `baseEnd` (exclusive). */
type Accepted = { base: number; baseEnd: number; lines: string[] };

/** What mapping one hunk needs of its output's mapping. */
interface HunkContext {
  trace: Trace;
  base: Trace['lines'];
  edited: readonly string[];
  chunkOf: ReadonlyMap<Part, Chunk | null>;
  /** Lines under each expansion, by the reference path that leads to it (`prefixKey`). */
  members: ReadonlyMap<string, number[]>;
  /** The indentation the lines of `frames[depth]` have in the edited output. */
  prefixFor: (frames: readonly Frame[], depth: number) => string;
  /** Whether a part is used by more than one expansion. */
  shared: (frame: Frame) => boolean;
  /** Whether `stitch/header-edited` was reported for this output (once is enough). */
  header: { warned: boolean };
}

/** Step 4 for one hunk at one position: an insertion, a deletion, or a replacement that changes the line count. */
function mapHunk(context: HunkContext, hunk: Hunk): { edits: PartEdit[]; messages: Message[]; accepted?: Accepted } {
  const { trace, base, edited, chunkOf, members, prefixFor, shared, header } = context;
  const out: Message[] = [];
  const lines = edited.slice(hunk.edited, hunk.editedEnd);
  const at = hunk.edited + 1;
  const fail = (rule: RuleId, text: string, notes: string[]) => ({ edits: [], messages: [message(trace.path, at, 1, 'error', rule, text, notes)] });
  const removed = base.slice(hunk.base, hunk.baseEnd);
  if (removed.some((line) => line.kind === 'added')) {
    return { edits: [], messages: header.warned ? [] : ((header.warned = true), [message(trace.path, at, 1, 'warning', 'stitch/header-edited', 'the header or trailer Weft adds was edited; the edit is ignored and the next tangle restores it')]) };
  }
  if (removed.length === 0) {
    // An insertion: after the line above, before the line below. Lines appended after the trailer go before it.
    let position = hunk.base;
    if (position === base.length && position > 0 && base[position - 1]!.kind === 'added' && base.some((l) => l.kind === 'code')) position--;
    const above = base[position - 1];
    const below = base[position];
    const A = above?.kind === 'code' ? above.frames : [];
    const B = below?.kind === 'code' ? below.frames : [];
    let common = 0;
    while (common < A.length && common < B.length && sameFrame(A[common]!, B[common]!)) common++;
    type Candidate = { frames: readonly Frame[]; depth: number; after: boolean; order: number };
    const candidates: Candidate[] = [];
    const partLines = (part: Part) => (part.columns.length === 0 ? 0 : part.value.split('\n').length);
    const isLastPart = (frame: Frame) => {
      const chunk = chunkOf.get(frame.part);
      return !chunk || chunk.parts[chunk.parts.length - 1] === frame.part;
    };
    const isFirstPart = (frame: Frame) => {
      const chunk = chunkOf.get(frame.part);
      return !chunk || chunk.parts[0] === frame.part;
    };
    for (let j = A.length - 1; j >= common; j--) {
      if (A.slice(j + 1).every((f) => f.index === partLines(f.part) - 1 && isLastPart(f))) candidates.push({ frames: A, depth: j, after: true, order: candidates.length });
    }
    for (let j = B.length - 1; j >= common; j--) {
      if (B.slice(j + 1).every((f) => f.index === 0 && isFirstPart(f))) candidates.push({ frames: B, depth: j, after: false, order: candidates.length });
    }
    const fitting = candidates.filter((c) => lines.every((line) => blank(line) || line.startsWith(prefixFor(c.frames, c.depth))));
    if (fitting.length === 0) {
      return fail('stitch/dedent-below-reference', 'an inserted line starts left of the indentation of every chunk it could belong to', [
        candidates.length > 0 ? `candidates: ${candidates.map((c) => `${describe(c.frames[c.depth]!, chunkOf)} (indentation ${JSON.stringify(prefixFor(c.frames, c.depth))})`).join(', ')}` : 'there is no code next to it',
        'indent the line like its neighbours, or put it in the .lit.md by hand',
      ]);
    }
    fitting.sort(
      (x, y) =>
        prefixFor(y.frames, y.depth).length - prefixFor(x.frames, x.depth).length ||
        Number(shared(x.frames[x.depth]!)) - Number(shared(y.frames[y.depth]!)) ||
        x.order - y.order,
    );
    const chosen = fitting[0]!;
    const frame = chosen.frames[chosen.depth]!;
    const prefix = prefixFor(chosen.frames, chosen.depth);
    // A top-level declaration in a file skeleton (code at column 0 between references, not just a closing bracket) deserves a chunk of its own.
    if (chunkOf.get(frame.part) === null && lines.some((line) => /^[^\s})\]]/.test(line)) && referencesIn(frame.part)) {
      out.push(message(trace.path, at, 1, 'warning', 'stitch/new-code-in-skeleton', `new code went into the file block of ${trace.path} at ${frame.part.document}:${frame.part.line + frame.index + (chosen.after ? 1 : 0)}`, ['consider moving it into a chunk of its own']));
    }
    return {
      edits: [{ part: frame.part, instance: instanceKey(chosen.frames, chosen.depth), start: frame.index + (chosen.after ? 1 : 0), deleteCount: 0, lines: lines.map((line) => (blank(line) ? '' : line.slice(prefix.length))), output: trace.path, at }],
      messages: out,
      accepted: { base: position, baseEnd: position, lines },
    };
  }
  // A deletion or a replacement that changes the line count.
  const frames = removed.map((line) => (line as { frames: Frame[] }).frames);
  let common = 0;
  while (frames.every((f) => common < f.length - 1 && sameFrame(f[common]!, frames[0]![common]!))) common++;
  const key = prefixKey(frames[0]!, common);
  const accepted = { base: hunk.base, baseEnd: hunk.baseEnd, lines };
  if (common > 0 && lines.length === 0 && members.get(key)!.length === removed.length) {
    const reference = frames[0]![common - 1]!;
    return { edits: [{ part: reference.part, instance: instanceKey(frames[0]!, common - 1), start: reference.index, deleteCount: 1, lines: [], output: trace.path, at }], messages: out, accepted };
  }
  const part = frames[0]![common]!.part;
  const indices = frames.map((f) => f[common]!.index);
  const low = Math.min(...indices);
  const high = Math.max(...indices);
  const inRange = base.filter((line) => line.kind === 'code' && prefixKey(line.frames, common) === key && line.frames[common]!.part === part && line.frames[common]!.index >= low && line.frames[common]!.index <= high).length;
  if (frames.some((f) => f[common]!.part !== part) || inRange !== removed.length) {
    const owners = [...new Set(frames.map((f) => describe(f[f.length - 1]!, chunkOf)))];
    return fail('stitch/spans-chunks', 'a change that adds or removes lines spans more than one chunk', [`it touches ${owners.join(', ')}`, 'make the change in each chunk separately, or edit the .lit.md by hand']);
  }
  const prefix = prefixFor(frames[0]!, common);
  if (lines.some((line) => !blank(line) && !line.startsWith(prefix))) {
    return fail('stitch/dedent-below-reference', 'a changed line starts left of the indentation of its reference', [`${describe(frames[0]![common]!, chunkOf)} is indented by ${JSON.stringify(prefix)}`]);
  }
  return {
    edits: [{ part, instance: instanceKey(frames[0]!, common), start: low, deleteCount: high - low + 1, lines: lines.map((line) => (blank(line) ? '' : line.slice(prefix.length))), output: trace.path, at }],
    messages: out,
    accepted,
  };
}

/** What the re-indent step needs of its output's mapping. */
interface ReindentContext {
  trace: Trace;
  base: Trace['lines'];
  edited: readonly string[];
  members: ReadonlyMap<string, number[]>;
  /** Filled here: new indentation of expansions that were re-indented as a whole, by `prefixKey`. */
  reindented: Map<string, { from: string; to: string }>;
  prefixFor: (frames: readonly Frame[], depth: number) => string;
  conflict: (at: number, rule: RuleId, text: string, notes: string[]) => void;
}

/**
 * Step 2: a uniform re-indent of a whole expansion re-indents its reference. Each such
 * expansion's lines leave `changed` (they are handled) and go to `replaced`.
 */
function mapReindents(context: ReindentContext, changed: Map<number, number>, edits: PartEdit[], replaced: Map<number, string>): void {
  const { trace, base, edited, members, reindented, prefixFor, conflict } = context;
  const newTextOf = (b: number) => (changed.has(b) ? edited[changed.get(b)!]! : undefined);
  for (const [b] of changed) {
    const line = base[b]!;
    if (line.kind !== 'code' || newTextOf(b)!.trimStart() !== line.text.trimStart()) continue;
    for (let depth = 1; depth < line.frames.length; depth++) {
      const key = prefixKey(line.frames, depth);
      if (reindented.has(key)) break;
      const from = line.frames[depth]!.indent;
      let to: string | undefined;
      const uniform = members.get(key)!.every((m) => {
        const old = base[m]!.text;
        if (old === '') return true;
        const now = newTextOf(m);
        if (now === undefined) return false;
        const own = old.slice(from.length);
        if (!now.endsWith(own) || now.trimStart() !== old.trimStart()) return false;
        const prefix = now.slice(0, now.length - own.length);
        if (to !== undefined && prefix !== to) return false;
        to = prefix;
        return true;
      });
      if (!uniform || to === undefined || to === from) continue;
      const parent = line.frames[depth - 1]!;
      const parentPrefix = prefixFor(line.frames, depth - 1);
      if (!to.startsWith(parentPrefix)) {
        conflict(changed.get(b)! + 1, 'stitch/dedent-below-reference', 'an expansion was moved left of the line that references it', [
          `the reference is at ${parent.part.document}:${parent.part.line + parent.index}; indent the lines at least as far as that reference`,
        ]);
        break;
      }
      const referenceLine = parent.part.value.split('\n')[parent.index]!;
      edits.push({
        part: parent.part,
        instance: instanceKey(line.frames, depth - 1),
        start: parent.index,
        deleteCount: 1,
        lines: [to.slice(parentPrefix.length) + referenceLine.trimStart()],
        output: trace.path,
        at: changed.get(b)! + 1,
      });
      reindented.set(key, { from, to });
      for (const m of members.get(key)!) {
        if (changed.has(m)) replaced.set(m, newTextOf(m)!);
        changed.delete(m);
      }
      break;
    }
  }
}

/** The expected output: the base lines, with the accepted changes and the replaced lines. */
function expectedOutput(base: Trace['lines'], accepted: Accepted[], replaced: ReadonlyMap<number, string>): string[] {
  const expected: string[] = [];
  accepted.sort((a, b) => a.base - b.base);
  let next = 0;
  for (let i = 0; i <= base.length; i++) {
    while (next < accepted.length && accepted[next]!.base === i) {
      const change = accepted[next++]!;
      expected.push(...change.lines);
      if (change.baseEnd > change.base) i = change.baseEnd;
    }
    if (i < base.length) expected.push(replaced.get(i) ?? base[i]!.text);
  }
  return expected;
}

/** The line without `prefix`, '' for a blank line, or null when it does not start with it. */
function stripped(line: string, prefix: string): string | null {
  if (blank(line)) return '';
  return line.startsWith(prefix) ? line.slice(prefix.length) : null;
}

function referencesIn(part: Part): boolean {
  return referencesOf(part).length > 0;
}

/** `chunk <<name>> (docs/a.lit.md:12)` or `the file block (docs/a.lit.md:3)`. */
export function describe(frame: Frame, chunkOf: ReadonlyMap<Part, Chunk | null>): string {
  const chunk = chunkOf.get(frame.part);
  const where = `${frame.part.document}:${frame.part.line + frame.index}`;
  return chunk ? `<<${chunk.name}>> (${where})` : `the file block (${where})`;
}
