/**
 * `weft explain`: from a generated line back to the Markdown that made it, and from a
 * chunk to every place it is defined and used.
 *
 * An agent reading `src-generated/bus.ts:42` must edit the `.lit.md`, never the output;
 * this says which document, line, section and chunk produced the line, and the chain of
 * `<<references>>` that brought the chunk into the file. The answer comes from the line
 * origins the resolve stage records for every generated line (`LineOrigin`: document,
 * line, column, chunk, and `via`, the chunk names referenced on the way), on a tangle of
 * the working tree held in memory, so it is right for the sources as they are now (the
 * CLI warns when the file on disk differs).
 *
 * `via` names the chunks but not where each `<<reference>>` is written, so the chain's
 * reference sites are found in the referencing chunk's blocks. When a chunk refers to the
 * same chunk more than once, the origins of the referencing chunk's own lines around the
 * generated line narrow the candidates; `usedAt` lists those that remain (normally one).
 *
 * Pure: a tangled snapshot in, plain data out; sections come from the document's
 * Markdown headings (mdast-util-to-string gives their text without syntax).
 */
import type { Heading } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { posix } from 'node:path';
import { didYouMean } from './messages.js';
import type { TangledSnapshot } from './snapshot.js';
import { parseProse } from './markdown.js';
import type { Chunk, FileTarget, LineOrigin, Output, Part } from './types.js';

/** A place in a document. 1-based line and column. */
export interface Place {
  document: string;
  line: number;
  column: number;
}

/** One step of the reference chain, outermost (the file target) first. */
export interface ChainStep {
  /** `file` for the output's own blocks; `chunk` for each referenced chunk. */
  kind: 'file' | 'chunk';
  /** Chunk name, or the output path. */
  name: string;
  /** Opening fence of the first block that defines it. */
  definedAt: Place;
  /** Where the `<<reference>>` that brought it in is written (empty for the file). */
  usedAt: Place[];
}

/** The `--json` contract of `weft explain FILE:LINE`. */
export interface LineExplanation {
  output: string;
  /** 1-based line in the output. */
  line: number;
  /** The line's text. */
  text: string;
  /** Where the text comes from; null for lines Weft adds (header, source-map comment). */
  source: Place | null;
  /** Heading path of the section the source line is in, outermost first. */
  section: string[];
  /** The chunk that produced the line; null for a file target's own text or an added line. */
  chunk: { name: string; definedAt: Place; part: number; parts: number } | null;
  chain: ChainStep[];
}

/** One block of a chunk. */
export interface PartPlace extends Place {
  /** 1-based first and last document lines of the block's content (first > last when empty). */
  firstLine: number;
  lastLine: number;
  section: string[];
}

/** The `--json` contract of `weft explain '<<name>>'`: one entry per document defining it. */
export interface ChunkExplanation {
  name: string;
  document: string;
  parts: PartPlace[];
  /** Every `<<reference>>` that resolves to this chunk, with what it is written in. */
  uses: (Place & { in: { kind: 'file' | 'chunk'; name: string }; section: string[] })[];
  /** Output lines the chunk's own text became, as 1-based inclusive ranges. */
  outputs: { path: string; lines: [number, number][] }[];
}

/** A problem answering the question: the CLI prints it and exits 1. */
export class ExplainError extends Error {}

/** Heading paths by line, per document, computed once. */
class Sections {
  private readonly byDocument = new Map<string, { line: number; depth: number; text: string }[]>();
  constructor(private readonly project: TangledSnapshot) {}

  at(document: string, line: number): string[] {
    let headings = this.byDocument.get(document);
    if (!headings) {
      const text = this.project.sources.find((s) => s.path === document)?.text ?? '';
      headings = [];
      const visit = (node: { type: string; children?: unknown[]; position?: { start: { line: number } } }) => {
        if (node.type === 'heading' && node.position) {
          headings!.push({ line: node.position.start.line, depth: (node as Heading).depth, text: toString(node as Heading) });
          return;
        }
        if (node.type === 'code') return;
        for (const child of (node.children ?? []) as (typeof node)[]) visit(child);
      };
      visit(parseProse(text));
      this.byDocument.set(document, headings);
    }
    const path: { depth: number; text: string }[] = [];
    for (const h of headings) {
      if (h.line > line) break;
      while (path.length > 0 && path[path.length - 1]!.depth >= h.depth) path.pop();
      path.push(h);
    }
    return path.map((h) => h.text);
  }
}

function fenceOf(target: Chunk | FileTarget): Place {
  const first = target.parts[0]!;
  return { document: target.document, line: first.fenceLine, column: first.fenceColumn };
}

/** `<<reference>>` lines of `parts` whose name (bare or qualified) is `name` in `document`. */
function referenceSites(parts: readonly Part[], name: string, document: string, localNames: (doc: string) => Set<string>): Place[] {
  const sites: Place[] = [];
  for (const part of parts) {
    for (const reference of part.references) {
      const written = reference.text;
      // A bare name means the referencing document's own chunk when it has one.
      const bare = written === name && (part.document === document || !localNames(part.document).has(name));
      if (bare || written === `${document}#${name}`) sites.push({ document: part.document, line: reference.line, column: reference.column });
    }
  }
  return sites;
}

function sameVia(a: readonly string[], b: readonly string[], length: number): boolean {
  if (a.length < length || b.length < length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function index(project: TangledSnapshot) {
  const chunksByKey = new Map<string, Chunk>();
  const localNames = new Map<string, Set<string>>();
  for (const doc of project.documents) {
    localNames.set(doc.path, new Set(doc.chunks.map((c) => c.name)));
    for (const chunk of doc.chunks) chunksByKey.set(`${doc.path}#${chunk.name}`, chunk);
  }
  return { chunksByKey, localNames: (doc: string) => localNames.get(doc) ?? new Set<string>() };
}

function findOutput(project: TangledSnapshot, path: string): Output {
  const normal = posix.normalize(path.replace(/^\.\//, ''));
  const output = project.outputs.find((o) => o.path === normal);
  if (output) return output;
  const defined = project.documents.some((d) => d.files.some((f) => posix.normalize(f.path) === normal));
  if (defined) throw new ExplainError(`${normal} does not tangle without errors; run \`weft tangle\` to see why`);
  const suggestion = didYouMean(normal, project.outputs.map((o) => o.path));
  throw new ExplainError(`${normal} is not an output of any document${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
}

/** Where line `line` (1-based) of output `path` comes from. */
export function explainLine(project: TangledSnapshot, path: string, line: number): LineExplanation {
  const output = findOutput(project, path);
  const lines = output.content.slice(0, -1).split('\n');
  if (!Number.isInteger(line) || line < 1 || line > lines.length) {
    throw new ExplainError(`${output.path} has ${lines.length} lines; there is no line ${line}`);
  }
  const origins = output.origins;
  const origin = origins[line - 1]!;
  const sections = new Sections(project);
  const result: LineExplanation = { output: output.path, line, text: lines[line - 1]!, source: null, section: [], chunk: null, chain: [] };
  if (origin.document === null) return result;
  result.source = { document: origin.document, line: origin.line, column: origin.column };
  result.section = sections.at(origin.document, origin.line);

  const { chunksByKey, localNames } = index(project);
  const target = project.documents.find((d) => d.path === output.document)!.files.find((f) => posix.normalize(f.path) === output.path)!;
  result.chain.push({ kind: 'file', name: output.path, definedAt: fenceOf(target), usedAt: [] });
  let parent: Chunk | FileTarget = target;
  origin.via.forEach((name, depth) => {
    const last = depth === origin.via.length - 1;
    // The line's own chunk is known exactly; the ones above it are the chunks of that
    // name this output uses, preferring the referencing document's own (resolve's rule).
    const candidates = last
      ? [chunksByKey.get(`${origin.document}#${name}`)!]
      : Object.keys(output.chunks).map((key) => chunksByKey.get(key)).filter((c): c is Chunk => c?.name === name);
    const chunk = candidates.find((c) => c.document === parent.document) ?? candidates[0]!;
    const sites = referenceSites(parent.parts, chunk.name, chunk.document, localNames);
    result.chain.push({ kind: 'chunk', name: chunk.name, definedAt: fenceOf(chunk), usedAt: narrow(sites, origins, line - 1, depth, origin.via, parent) });
    parent = chunk;
  });
  if (origin.chunk !== null) {
    const chunk = chunksByKey.get(`${origin.document}#${origin.chunk}`)!;
    const part = chunk.parts.findIndex((p) => origin.line >= p.line && origin.line < p.line + p.value.split('\n').length);
    result.chunk = { name: chunk.name, definedAt: fenceOf(chunk), part: part + 1, parts: chunk.parts.length };
  }
  return result;
}

/**
 * Of the reference sites in `parent`, those that can have produced generated line
 * `index`: after the parent's own line just before it and before the one just after.
 */
function narrow(sites: Place[], origins: readonly LineOrigin[], index: number, depth: number, via: readonly string[], parent: Chunk | FileTarget): Place[] {
  if (sites.length <= 1) return sites;
  const parentName = 'name' in parent ? parent.name : null;
  const own = (o: LineOrigin) => o.via.length === depth && o.chunk === parentName && o.document === parent.document && sameVia(o.via, via, depth);
  let before = -Infinity;
  for (let i = index - 1; i >= 0; i--) {
    if (own(origins[i]!)) {
      before = origins[i]!.line;
      break;
    }
  }
  let after = Infinity;
  for (let i = index + 1; i < origins.length; i++) {
    if (own(origins[i]!)) {
      after = origins[i]!.line;
      break;
    }
  }
  const between = sites.filter((s) => s.document === parent.document && s.line > before && s.line < after);
  return between.length > 0 ? between : sites;
}

/** Where chunk `query` (`name` or `docs/a.lit.md#name`) is defined, used, and what it became. */
export function explainChunk(project: TangledSnapshot, query: string): ChunkExplanation[] {
  const { localNames } = index(project);
  const hash = query.lastIndexOf('#');
  const qualifiedDocument = hash > 0 ? query.slice(0, hash) : null;
  const qualified = qualifiedDocument !== null && project.documents.some((d) => d.path === qualifiedDocument);
  const name = qualified ? query.slice(hash + 1) : query;
  const chunks = project.documents
    .filter((d) => !qualified || d.path === qualifiedDocument)
    .flatMap((d) => d.chunks.filter((c) => c.name === name));
  if (chunks.length === 0) {
    const all = project.documents.flatMap((d) => d.chunks.map((c) => c.name));
    const suggestion = didYouMean(name, all);
    throw new ExplainError(`chunk \`${name}\` is not defined${qualified ? ` in ${qualifiedDocument}` : ''}${suggestion ? ` (did you mean \`<<${suggestion}>>\`?)` : ''}`);
  }
  const sections = new Sections(project);
  return chunks.map((chunk): ChunkExplanation => {
    const parts = chunk.parts.map((p): PartPlace => ({
      document: p.document,
      line: p.fenceLine,
      column: p.fenceColumn,
      firstLine: p.line,
      lastLine: p.columns.length === 0 ? p.line - 1 : p.line + p.value.split('\n').length - 1,
      section: sections.at(p.document, p.fenceLine),
    }));
    const uses: ChunkExplanation['uses'] = [];
    for (const doc of project.documents) {
      const containers: { kind: 'file' | 'chunk'; name: string; parts: Part[] }[] = [
        ...doc.files.map((f) => ({ kind: 'file' as const, name: posix.normalize(f.path), parts: f.parts })),
        ...doc.chunks.map((c) => ({ kind: 'chunk' as const, name: c.name, parts: c.parts })),
      ];
      for (const container of containers) {
        for (const site of referenceSites(container.parts, chunk.name, chunk.document, localNames)) {
          uses.push({ ...site, in: { kind: container.kind, name: container.name }, section: sections.at(site.document, site.line) });
        }
      }
    }
    uses.sort((a, b) => (a.document < b.document ? -1 : a.document > b.document ? 1 : a.line - b.line));
    const key = `${chunk.document}#${chunk.name}`;
    const outputs = project.outputs
      .filter((o) => key in o.chunks)
      .map((o) => {
        const lines: [number, number][] = [];
        o.origins.forEach((origin, i) => {
          if (origin.chunk !== chunk.name || origin.document !== chunk.document) return;
          const last = lines[lines.length - 1];
          if (last && last[1] === i) last[1] = i + 1;
          else lines.push([i + 1, i + 1]);
        });
        return { path: o.path, lines };
      });
    return { name: chunk.name, document: chunk.document, parts, uses, outputs };
  });
}

function at(place: Place): string {
  return `${place.document}:${place.line}:${place.column}`;
}

function sectionText(section: string[]): string {
  return section.length === 0 ? '(before the first heading)' : section.join(' › ');
}

/** The terminal form of a line explanation. */
export function formatLineExplanation(e: LineExplanation): string {
  const out = [`${e.output}:${e.line}  ${JSON.stringify(e.text)}`];
  if (!e.source) {
    out.push('  added by weft (the generated-file header or the source-map comment); it has no source');
    return `${out.join('\n')}\n`;
  }
  out.push(`  source:  ${at(e.source)}`);
  out.push(`  section: ${sectionText(e.section)}`);
  if (e.chunk) out.push(`  chunk:   \`${e.chunk.name}\` defined at ${at(e.chunk.definedAt)}${e.chunk.parts > 1 ? ` (part ${e.chunk.part} of ${e.chunk.parts})` : ''}`);
  else out.push(`  chunk:   none: the text of the file target itself`);
  out.push('  chain:');
  for (const step of e.chain) {
    if (step.kind === 'file') out.push(`    file=${step.name}  defined at ${at(step.definedAt)}`);
    else {
      const used = step.usedAt.length === 0 ? '' : step.usedAt.length === 1 ? `used at ${at(step.usedAt[0]!)}, ` : `used at one of ${step.usedAt.map(at).join(', ')}; `;
      out.push(`    → <<${step.name}>>  ${used}defined at ${at(step.definedAt)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function ranges(lines: [number, number][]): string {
  return lines.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ');
}

/** The terminal form of a chunk explanation. */
export function formatChunkExplanation(list: ChunkExplanation[]): string {
  const out: string[] = [];
  for (const e of list) {
    if (out.length > 0) out.push('');
    out.push(`<<${e.name}>> in ${e.document}`);
    out.push(`  defined (${e.parts.length} part${e.parts.length === 1 ? '' : 's'}):`);
    for (const p of e.parts) {
      const span = p.firstLine > p.lastLine ? 'empty' : p.firstLine === p.lastLine ? `line ${p.firstLine}` : `lines ${p.firstLine}–${p.lastLine}`;
      out.push(`    ${at(p)}  ${span}  § ${sectionText(p.section)}`);
    }
    out.push(`  used (${e.uses.length}):`);
    if (e.uses.length === 0) out.push('    nowhere');
    for (const u of e.uses) out.push(`    ${at(u)}  in ${u.in.kind === 'file' ? `file=${u.in.name}` : `<<${u.in.name}>>`}  § ${sectionText(u.section)}`);
    out.push('  outputs:');
    if (e.outputs.length === 0) out.push('    none');
    for (const o of e.outputs) out.push(`    ${o.path}  ${o.lines.length === 0 ? '(no lines of its own)' : `line${o.lines.length === 1 && o.lines[0]![0] === o.lines[0]![1] ? '' : 's'} ${ranges(o.lines)}`}`);
  }
  return `${out.join('\n')}\n`;
}
