/**
 * Stitch, the pure driver: base documents + edited outputs → new documents, or a refusal.
 *
 *   trace (base tangle with provenance) → align (diff) → map (rules) → instances (shared
 *   chunks) → splice (mdast positions) → three-way merge (when the `.lit.md` changed too)
 *   → verify (re-tangle in memory)
 *
 * Nothing here touches the disk; `run.ts` reads the inputs and writes the plan. Any
 * error message means the plan must not be applied.
 */
import { createHash } from 'node:crypto';
import { diff3Merge } from 'node-diff3';
import type { ResolvedConfig } from '../config.js';
import { message, sortMessages } from '../messages.js';
import { snapshotOfTexts, tangleSnapshot, type TangledSnapshot } from '../snapshot.js';
import type { Chunk, Message, Output, Part } from '../types.js';
import { align, linesOf } from './align.js';
import { describe, indexInstances, mapOutput, type InstanceIndex, type PartEdit } from './map.js';
import { splice } from './splice.js';
import { chunkOfParts, instanceKey, partKey, traceOutput, type Trace } from './trace.js';
import { verify } from './verify.js';

export interface StitchInput {
  config: ResolvedConfig;
  /** The documents as last tangled: path → text (raw, as on disk). */
  base: Record<string, string>;
  /** The documents now; when a document differs from `base` its changes are merged in (three-way). @default base */
  current?: Record<string, string>;
  /** Edited outputs: path → text as on disk. */
  edited: Record<string, string>;
  /** SHA-256 of each output as last written (the manifest's); the base must reproduce it. */
  hashes: Record<string, string>;
  /** Apply a change of a chunk used in several places everywhere it is used. @default false */
  propagate?: boolean;
}

/** Where one change lands. */
export interface Landing {
  output: string;
  /** 1-based line in the edited output. */
  at: number;
  document: string;
  /** 1-based line in the (base) document where the changed part lines start. */
  line: number;
  /** `<<name>>`, or `file block`. */
  chunk: string;
  /** Lines removed and added in the part. */
  removed: number;
  added: number;
}

export interface StitchPlan {
  /** True when there is no error: the plan may be applied. */
  ok: boolean;
  /** New text of each document that changes (raw, in the document's own line endings). */
  documents: Record<string, string>;
  /** The documents' texts the plan was made from (what must still be on disk when it is applied). */
  current: Record<string, string>;
  /** Outputs whose content changes (tangled from the new documents): the edited ones, and with `propagate` the others. */
  outputs: Output[];
  landings: Landing[];
  /** Documents merged three-way. */
  merged: string[];
  /** Conflicts (errors) and warnings, sorted. */
  messages: Message[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Make the plan. Pure. */
export function planStitch(input: StitchInput): StitchPlan {
  const current = input.current ?? input.base;
  const messages: Message[] = [];
  const refused = (): StitchPlan => ({ ok: false, documents: {}, current, outputs: [], landings: [], merged: [], messages: sortMessages(messages) });
  const baseTangle = tangleSnapshot(snapshotOfTexts(input.base, input.config, 'base'));
  const chunkOf = chunkOfParts(baseTangle.documents);
  const traces = new Map<string, Trace>();
  for (const output of baseTangle.outputs) {
    const trace = traceOutput(baseTangle.documents, output);
    if (trace) traces.set(output.path, trace);
  }
  const instances = indexInstances([...traces.values()]);
  const { edits, expected } = mapEditedOutputs(input, baseTangle, traces, instances, chunkOf, messages);
  if (messages.some((m) => m.severity === 'error')) return refused();

  // A part used more than once: apply only when every use changed the same way (or with propagate).
  const final = settleSharedParts(edits, instances, traces, chunkOf, input.propagate ?? false, messages);
  // Edits of one part must not overlap.
  rejectOverlaps(final, messages);
  if (messages.some((m) => m.severity === 'error')) return refused();

  const { documents, merged } = spliceDocuments(final, input.base, current, messages);
  if (messages.some((m) => m.severity === 'error')) return refused();

  // Verify: re-tangle in memory.
  const currentTangle = merged.length > 0 || current !== input.base ? tangleSnapshot(snapshotOfTexts(current, input.config, 'current')) : baseTangle;
  const texts = { ...current, ...documents };
  const nextTangle = tangleSnapshot(snapshotOfTexts(texts, input.config, 'stitched'));
  const want = new Map<string, string>();
  for (const [path, text] of expected) {
    const baseContent = baseTangle.outputs.find((o) => o.path === path)!.content;
    const currentContent = currentTangle.outputs.find((o) => o.path === path)?.content;
    if (currentContent === undefined || currentContent === baseContent) {
      want.set(path, text);
      continue;
    }
    const result = merge3(currentContent, baseContent, text);
    if (result.conflict) {
      messages.push(message(path, result.conflict.line, 1, 'error', 'stitch/both-changed', `${path} changed in the .lit.md and in the output at the same lines since the last tangle`, ['tangle or revert one side first; nothing was written']));
    } else want.set(path, result.text);
  }
  if (messages.some((m) => m.severity === 'error')) return refused();
  const verified = verify(
    { documents: currentTangle.documents, outputs: currentTangle.outputs, messages: currentTangle.messages, texts: current },
    { documents: nextTangle.documents, outputs: nextTangle.outputs, messages: nextTangle.messages, texts },
    want,
    input.propagate ?? false,
  );
  messages.push(...verified.messages);
  if (messages.some((m) => m.severity === 'error')) return refused();
  const changedOutputs = nextTangle.outputs.filter((o) => want.has(o.path) || verified.propagated.includes(o.path));
  const landings = landingsOf(final, chunkOf);
  for (const output of changedOutputs) {
    const before = currentTangle.outputs.find((o) => o.path === output.path);
    if (before && before.mode !== output.mode) {
      messages.push(message(output.path, 1, 1, 'warning', 'stitch/mode-change', `${output.path} ${output.mode === 0o755 ? 'now starts with #! and becomes executable' : 'no longer starts with #! and is no longer executable'}`));
    }
  }
  for (const path of verified.propagated) messages.push(message(path, 0, 0, 'warning', 'stitch/propagated', `${path} changes too: it uses a chunk that was edited (--propagate)`));
  return { ok: true, documents, current, outputs: changedOutputs, landings, merged, messages: sortMessages(messages) };
}

/** Phase 1: each edited output's alignment mapped to part edits, and the output expected after them. */
function mapEditedOutputs(input: StitchInput, baseTangle: TangledSnapshot, traces: ReadonlyMap<string, Trace>, instances: InstanceIndex, chunkOf: ReadonlyMap<Part, Chunk | null>, messages: Message[]): { edits: PartEdit[]; expected: Map<string, string> } {
const edits: PartEdit[] = [];
const expected = new Map<string, string>();
for (const path of Object.keys(input.edited).sort()) {
  const output = baseTangle.outputs.find((o) => o.path === path);
  const trace = traces.get(path);
  if (!output || !trace || sha256(output.content) !== input.hashes[path]) {
    messages.push(
      message(path, 0, 0, 'error', 'stitch/base-unreproducible', `the sources last tangled do not reproduce ${path} as Weft last wrote it`, [
        'the base is read from .weft/cache/sources/, else from git; it is missing, or was made by another version of Weft',
        'pass --base REV to name the revision the output was tangled from, or move the edit into the .lit.md by hand',
      ]),
    );
    continue;
  }
  const mapping = mapOutput(trace, align(linesOf(output.content), input.edited[path]!), instances, chunkOf);
  messages.push(...mapping.messages);
  edits.push(...mapping.edits);
  expected.set(path, mapping.expected.length > 0 ? `${mapping.expected.join('\n')}\n` : '');
}
  return { edits, expected };
}

/** Phase 2: a part used more than once is applied only when every use changed the same way (or with propagate). */
function settleSharedParts(edits: readonly PartEdit[], instances: InstanceIndex, traces: ReadonlyMap<string, Trace>, chunkOf: ReadonlyMap<Part, Chunk | null>, propagate: boolean, messages: Message[]): PartEdit[] {
  const byPart = new Map<string, PartEdit[]>();
  for (const edit of edits) {
    const key = partKey(edit.part);
    if (!byPart.has(key)) byPart.set(key, []);
    byPart.get(key)!.push(edit);
  }
  const final: PartEdit[] = [];
  for (const [key, list] of byPart) {
    const perInstance = new Map<string, PartEdit[]>();
    for (const edit of list) {
      if (!perInstance.has(edit.instance)) perInstance.set(edit.instance, []);
      perInstance.get(edit.instance)!.push(edit);
    }
    const shape = (group: PartEdit[]) => JSON.stringify(group.map((e) => [e.start, e.deleteCount, e.lines]).sort());
    const groups = [...perInstance.values()];
    const first = groups[0]!;
    const all = instances.get(key) ?? new Set([first[0]!.instance]);
    const where = (edit: PartEdit) => describe({ part: edit.part, index: edit.start, indent: '' }, chunkOf);
    if (groups.some((group) => shape(group) !== shape(first))) {
      messages.push(
        message(first[0]!.output, first[0]!.at, 1, 'error', 'stitch/instances-differ', `${where(first[0]!)} is used ${all.size} times and its uses were edited differently`, [
          ...groups.map((g) => `edited at ${g[0]!.output}:${g[0]!.at}`),
          'make the same edit in every use, or edit the chunk in the .lit.md by hand',
        ]),
      );
      continue;
    }
    if (perInstance.size < all.size && !propagate) {
      const others = [...all].filter((instance) => !perInstance.has(instance)).map((instance) => siteOf(instance, traces));
      messages.push(
        message(first[0]!.output, first[0]!.at, 1, 'error', 'stitch/shared-chunk', `${where(first[0]!)} is also used elsewhere, where it was not edited`, [
          ...others.map((site) => `also used at ${site}`),
          'run with --propagate to apply the change everywhere it is used, or make the same edit at every use',
        ]),
      );
      continue;
    }
    final.push(...first);
  }
  return final;
}

/** Edits of one part must not overlap (sorts `final` in place, by document, part and line). */
function rejectOverlaps(final: PartEdit[], messages: Message[]): void {
  final.sort((a, b) => a.part.document.localeCompare(b.part.document) || a.part.line - b.part.line || a.start - b.start || a.at - b.at);
  for (let i = 1; i < final.length; i++) {
    const [a, b] = [final[i - 1]!, final[i]!];
    if (a.part === b.part && (b.start < a.start + a.deleteCount || (a.deleteCount === 0 && b.deleteCount === 0 && a.start === b.start && a.output !== b.output))) {
      messages.push(message(b.output, b.at, 1, 'error', 'stitch/overlapping-edits', 'two changes land on the same lines of one chunk', [`the other change is at ${a.output}:${a.at}`]));
    }
  }
}

/** Phase 3: each document with its edits spliced in, merged three-way when it changed since the base. */
function spliceDocuments(final: readonly PartEdit[], base: Record<string, string>, current: Record<string, string>, messages: Message[]): { documents: Record<string, string>; merged: string[] } {
  const documents: Record<string, string> = {};
  const merged: string[] = [];
  const byDocument = new Map<string, PartEdit[]>();
  for (const edit of final) {
    if (!byDocument.has(edit.part.document)) byDocument.set(edit.part.document, []);
    byDocument.get(edit.part.document)!.push(edit);
  }
  for (const [path, list] of byDocument) {
    const stitched = splice(base[path]!, list);
    if (current[path] === undefined) {
      messages.push(message(path, 0, 0, 'error', 'stitch/both-changed', `${path} was deleted since the last tangle`));
      continue;
    }
    if (current[path] === base[path]) {
      documents[path] = stitched;
      continue;
    }
    const result = merge3(current[path]!, base[path]!, stitched);
    if (result.conflict) {
      messages.push(
        message(path, result.conflict.line, 1, 'error', 'stitch/both-changed', `${path} and the output changed the same lines since the last tangle`, [
          `in the .lit.md: ${JSON.stringify(result.conflict.ours)}`,
          `from the output: ${JSON.stringify(result.conflict.theirs)}`,
          'tangle or revert one side first; nothing was written',
        ]),
      );
      continue;
    }
    documents[path] = result.text;
    merged.push(path);
  }
  return { documents, merged };
}

/** Where each edit lands, in output order. */
function landingsOf(final: readonly PartEdit[], chunkOf: ReadonlyMap<Part, Chunk | null>): Landing[] {
  return [...final].sort((a, b) => a.output.localeCompare(b.output) || a.at - b.at).map(
    (edit): Landing => ({
      output: edit.output,
      at: edit.at,
      document: edit.part.document,
      line: edit.part.line + edit.start,
      chunk: chunkOf.get(edit.part) ? `<<${chunkOf.get(edit.part)!.name}>>` : 'file block',
      removed: edit.deleteCount,
      added: edit.lines.length,
    }),
  );
}

/** Where an expansion instance is first seen, `output:line`. */
function siteOf(instance: string, traces: ReadonlyMap<string, Trace>): string {
  for (const trace of traces.values()) {
    const i = trace.lines.findIndex((line) => line.kind === 'code' && line.frames.some((_, depth) => instanceKey(line.frames, depth) === instance));
    if (i >= 0) return `${trace.path}:${i + 1}`;
  }
  return instance;
}
/** Three-way merge of line lists with node-diff3: `ours` and `theirs` both changed from `base`. */
export function merge3(ours: string, base: string, theirs: string): { text: string; conflict?: { line: number; ours: string; theirs: string } } {
  const split = (text: string) => text.split('\n');
  const blocks = diff3Merge(split(ours), split(base), split(theirs), { excludeFalseConflicts: true });
  const out: string[] = [];
  for (const block of blocks) {
    if (block.ok) out.push(...block.ok);
    else if (block.conflict) {
      return { text: '', conflict: { line: block.conflict.oIndex + 1, ours: block.conflict.a.join('\n'), theirs: block.conflict.b.join('\n') } };
    }
  }
  return { text: out.join('\n') };
}
