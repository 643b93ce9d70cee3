/**
 * Trace stage: the base tangle again, with each generated line's whole provenance.
 *
 * `Output.origins` says which document line a generated line came from, but stitch also
 * needs the path it took: which reference line, in which part, led to it at every level.
 * That path is what lets a hunk be pushed into the part that owns it, a whole deleted
 * expansion become a deleted reference, and a re-indented expansion a re-indented
 * reference. The trace re-expands the collected documents the way `expand.ts` does (names
 * looked up by the engine's `lookupChunk`) and then checks, line by line, that it produced exactly the output's text; any difference
 * makes the trace unusable (`base-unreproducible`), so stitch never acts on a guess.
 *
 * References are the pipeline's data (`Part.references`), adapted in one helper, `referencesOf`.
 */
import { posix } from 'node:path';
import { isChunk, lookupChunk, lookupIndex } from '../lookup.js';
import type { Chunk, CollectedDocument, Output, Part } from '../types.js';

/** One level of a generated line's provenance. */
export interface Frame {
  part: Part;
  /** 0-based line within `part.value`: the line itself (innermost frame) or the reference line that led deeper. */
  index: number;
  /** Indentation that enclosing references add in front of this part's lines. */
  indent: string;
}

/** A generated line: the header or trailer Weft adds, or code with its frames (outermost, the file target's part, first). */
export type TracedLine = { kind: 'added'; text: string } | { kind: 'code'; text: string; frames: Frame[] };

/** An output's lines with their provenance. */
export interface Trace {
  path: string;
  document: string;
  lines: TracedLine[];
}

/** A reference in a part: its line, its indentation and the chunk name. */
export interface PartReference {
  /** 0-based line in the part. */
  index: number;
  indent: string;
  name: string;
}

/** The references of a part. The one place that reads `<<name>>` lines (see the top of the file). */
export function referencesOf(part: Part): PartReference[] {
  return part.references.map((reference) => ({ index: reference.index, indent: reference.indent, name: reference.text }));
}

/** A key naming a part: its document and first line. */
export function partKey(part: Part): string {
  return `${part.document}:${part.line}`;
}

/** A key naming one expansion of the part at `frames[depth]`: the path of reference lines that led to it. */
export function instanceKey(frames: readonly Frame[], depth: number): string {
  return frames
    .slice(0, depth)
    .map((f) => `${partKey(f.part)}@${f.index}`)
    .concat(partKey(frames[depth]!.part))
    .join('/');
}


/** The chunk each part belongs to (null for a file target's parts). */
export function chunkOfParts(documents: readonly CollectedDocument[]): Map<Part, Chunk | null> {
  const result = new Map<Part, Chunk | null>();
  for (const doc of documents) {
    for (const chunk of doc.chunks) for (const part of chunk.parts) result.set(part, chunk);
    for (const file of doc.files) for (const part of file.parts) result.set(part, null);
  }
  return result;
}

/** Trace one output, or return null when the re-expansion does not give its exact text. */
export function traceOutput(documents: readonly CollectedDocument[], output: Output): Trace | null {
  const target = documents.find((d) => d.path === output.document)?.files.find((f) => posix.normalize(f.path) === output.path);
  if (!target) return null;
  const code: { text: string; frames: Frame[] }[] = [];
  // Names resolve exactly as the engine resolves them (lookup.ts), never by rules of stitch's own.
  const names = lookupIndex(documents);
  const expand = (part: Part, indent: string, above: Frame[], depth: number): boolean => {
    if (part.columns.length === 0) return true;
    if (depth > 1000) return false;
    const references = new Map(part.references.map((r) => [r.index, r]));
    const lines = part.value.split('\n');
    for (let index = 0; index < lines.length; index++) {
      const frames = [...above, { part, index, indent }];
      const reference = references.get(index);
      if (reference) {
        const chunk = lookupChunk(reference, part.document, names);
        if (!isChunk(chunk)) return false;
        for (const inner of chunk.parts) if (!expand(inner, indent + reference.indent, frames, depth + 1)) return false;
        continue;
      }
      const line = lines[index]!;
      code.push({ text: /^[ \t]*$/.test(line) ? '' : indent + line, frames });
    }
    return true;
  };
  for (const part of target.parts) if (!expand(part, '', [], 0)) return null;
  const texts = output.content.slice(0, -1).split('\n');
  const lines: TracedLine[] = [];
  let next = 0;
  for (let i = 0; i < texts.length; i++) {
    if (output.origins[i]?.document === null) {
      lines.push({ kind: 'added', text: texts[i]! });
      continue;
    }
    const traced = code[next++];
    if (!traced || traced.text !== texts[i]) return null;
    lines.push({ kind: 'code', ...traced });
  }
  return next === code.length ? { path: output.path, document: output.document, lines } : null;
}
