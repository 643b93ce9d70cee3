/**
 * The language server's model of a project: every document's text (open buffers over the
 * disk), tangled in memory, and an index of where each chunk is defined and referenced.
 *
 * Guarantees
 * - What the server shows is what `weft tangle` would do with the same texts: the index and
 *   the diagnostics come from the engine's own stages (decode → parse → collect → resolve →
 *   emit), never from a second reading of the Markdown. Unsaved buffers count as saved.
 * - Re-tangling is one small function, `retangle`: the engine's incremental
 *   `tangleSources(sources, config, memo)`, whose memo keeps each document's collected
 *   chunks by content hash, resolve's memo and each expanded file's output, so an edit to
 *   one document of a thousand re-parses one document. The index is rebuilt per tangle
 *   from per-document parts kept while a document is unchanged.
 * - Hover's expansion is the engine's `expandTarget`, not a second expander.
 * - A part's references are the engine's data (`Part.references`, recorded once by
 *   collect), adapted to the server's positions in one helper, `referencesOf(part)`.
 * - Names resolve with the engine's `lookupChunk` (lookup.ts): the document's own chunk,
 *   then a qualified `docs/a.lit.md#name`, then the single other document that defines it
 *   (or, with `chunkScope: "project"`, the one chunk of that name across documents).
 *
 * Positions here are the engine's: 1-based lines and columns in UTF-16 code units (the
 * LSP's 0-based positions are converted in `server.ts` only).
 */
import type { ResolvedConfig } from '../config.js';
import { tangleSources, type PipelineMemo } from '../pipeline.js';
import { decodeSource, type SourceText } from '../read.js';
import type { TangledSnapshot } from '../snapshot.js';
import { expandCache, expandTarget } from '../expand.js';
import { constituents, isChunk, lookupChunk, lookupIndex, type LookupIndex } from '../lookup.js';
import type { Chunk, CollectedDocument, Message, Output, Part, Reference } from '../types.js';

/** What `retangle` keeps between calls: the pipeline's memo. Never mutated: each call returns a new one. */
export interface RetangleMemo {
  pipeline: PipelineMemo | undefined;
}

/**
 * Tangle `sources` in memory with the engine's one pipeline (`tangleSources`), reusing
 * through its memo what is unchanged. Pure. The one place the server re-tangles.
 */
export function retangle(sources: readonly SourceText[], config: ResolvedConfig, memo?: RetangleMemo): { project: TangledSnapshot; memo: RetangleMemo } {
  const tangled = tangleSources(sources, config, memo?.pipeline);
  const project: TangledSnapshot = { label: 'editor', config, sources: [...sources], messages: tangled.messages, documents: tangled.documents, outputs: tangled.outputs };
  return { project, memo: { pipeline: tangled.memo } };
}

/** A document's text as the engine reads it (BOM dropped, CRLF as LF). */
export function sourceOfText(path: string, text: string): SourceText {
  return decodeSource(path, Buffer.from(text));
}

/** One `<<name>>` written in a block. */
export interface ChunkReference {
  /** The name as written between `<<` and `>>`, trimmed (may be qualified `doc#name`). */
  name: string;
  document: string;
  /** 1-based document line. */
  line: number;
  /** 1-based column of the `<<`. */
  column: number;
  /** 1-based column of the first character of the name. */
  nameColumn: number;
  /** Characters of indentation in front of the `<<` (added to every line it expands to). */
  indent: number;
}

/** The references a part makes, in order. The single place that reads them (see the top). */
export function referencesOf(part: Part): ChunkReference[] {
  return part.references.map((reference) => {
    const line = part.value.split('\n', reference.index + 1)[reference.index] ?? '';
    const inside = line.slice(line.indexOf('<<') + 2);
    return {
      name: reference.text,
      document: part.document,
      line: reference.line,
      column: reference.column,
      nameColumn: reference.column + 2 + (inside.length - inside.trimStart().length),
      indent: reference.indent.length,
    };
  });
}

/** Where a block names its target: the `#name` or `file=path` in the info string. */
export interface TargetSite {
  kind: 'chunk' | 'file';
  /** Chunk name or output path. */
  name: string;
  document: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** 1-based columns of the name (after `#` or `file=`, inside quotes), end exclusive. */
  column: number;
  endColumn: number;
  part: Part;
}

/** Everything the chunk features look up, built once per tangle. */
export interface ChunkIndex {
  project: TangledSnapshot;
  /** Documents by path. */
  documents: Map<string, CollectedDocument>;
  /** Each document's text lines. */
  lines: Map<string, string[]>;
  /** Chunks by document, then name. */
  chunks: Map<string, Map<string, Chunk>>;
  /** Documents that define each name, in path order. */
  definers: Map<string, string[]>;
  /** References by document, in document order. */
  references: Map<string, ChunkReference[]>;
  /** Target sites (`#name`, `file=`) by document, in document order. */
  targets: Map<string, TargetSite[]>;
}

/** One document's part of the index; depends on the document alone, so it is kept while the document is unchanged. */
interface DocumentEntry {
  lines: string[];
  chunks: Map<string, Chunk>;
  references: ChunkReference[];
  targets: TargetSite[];
}
const entries = new WeakMap<CollectedDocument, { text: string; entry: DocumentEntry }>();

/**
 * Index a tangled project. Each unchanged document's part is reused, and so is the
 * `previous` index's `definers` when every document defines the same names as before
 * (the common edit: a chunk's text changes, not its name), since building it touches
 * every chunk of the project.
 */
export function indexProject(project: TangledSnapshot, previous?: ChunkIndex): ChunkIndex {
  const index: ChunkIndex = { project, documents: new Map(), lines: new Map(), chunks: new Map(), definers: new Map(), references: new Map(), targets: new Map() };
  const texts = new Map(project.sources.map((source) => [source.path, source.text]));
  for (const document of project.documents) {
    const text = texts.get(document.path) ?? '';
    let known = entries.get(document);
    if (!known || known.text !== text) entries.set(document, (known = { text, entry: indexDocument(document, text) }));
    const { entry } = known;
    index.documents.set(document.path, document);
    index.lines.set(document.path, entry.lines);
    index.chunks.set(document.path, entry.chunks);
    index.references.set(document.path, entry.references);
    index.targets.set(document.path, entry.targets);
  }
  if (previous && sameNames(previous, project.documents)) index.definers = previous.definers;
  else {
    for (const document of project.documents) {
      for (const chunk of document.chunks) {
        const list = index.definers.get(chunk.name);
        if (list) list.push(document.path);
        else index.definers.set(chunk.name, [document.path]);
      }
    }
  }
  return index;
}

/** Whether `documents` are the documents of `previous`, in the same order, each defining the same chunk names in the same order. */
function sameNames(previous: ChunkIndex, documents: readonly CollectedDocument[]): boolean {
  if (documents.length !== previous.documents.size) return false;
  let i = 0;
  for (const before of previous.documents.values()) {
    const now = documents[i++]!;
    if (now === before) continue;
    if (now.path !== before.path || now.chunks.length !== before.chunks.length || now.chunks.some((chunk, j) => chunk.name !== before.chunks[j]!.name)) return false;
  }
  return true;
}

/** Where a document's blocks name their targets and make their references. */
function indexDocument(document: CollectedDocument, text: string): DocumentEntry {
  const lines = text.split('\n');
  const targets: TargetSite[] = [];
  const site = (kind: 'chunk' | 'file', name: string, part: Part) => {
    const fence = lines[part.fenceLine - 1] ?? '';
    const marker = kind === 'chunk' ? '#' : 'file=';
    const quoted = (at: number) => (fence[at] === '"' || fence[at] === "'" ? 1 : 0);
    let at = fence.indexOf(marker, part.fenceColumn - 1);
    while (at >= 0 && !fence.startsWith(name, at + marker.length + quoted(at + marker.length))) at = fence.indexOf(marker, at + 1);
    const start = at < 0 ? part.fenceColumn - 1 : at + marker.length + quoted(at + marker.length);
    targets.push({ kind, name, document: document.path, line: part.fenceLine, column: start + 1, endColumn: at < 0 ? fence.length + 1 : start + 1 + name.length, part });
  };
  const parts: Part[] = [];
  for (const chunk of document.chunks) {
    for (const part of chunk.parts) site('chunk', chunk.name, part);
    parts.push(...chunk.parts);
  }
  for (const file of document.files) {
    for (const part of file.parts) site('file', file.path, part);
    parts.push(...file.parts);
  }
  const references = parts.sort((a, b) => a.line - b.line).flatMap(referencesOf);
  return { lines, chunks: new Map(document.chunks.map((chunk) => [chunk.name, chunk])), references, targets: targets.sort((a, b) => a.line - b.line) };
}

/**
 * The chunk `name` means when written in document `from`, or undefined: the engine's own
 * `lookupChunk`, so `chunkScope: "project"` (one chunk merged from every document's blocks
 * of that name) is honoured too. A name that nothing defines is answered here without the
 * engine, whose failure path searches every name of the project for a "did you mean".
 */
export function resolveName(index: ChunkIndex, name: string, from: string): Chunk | undefined {
  const hash = name.lastIndexOf('#');
  const bare = hash > 0 ? name.slice(hash + 1) : name;
  const qualifier = hash > 0 ? name.slice(0, hash) : undefined;
  if (!index.definers.has(name) && !(qualifier !== undefined && index.chunks.get(qualifier)?.has(bare))) return undefined;
  const reference: Reference = { name: bare, text: name, line: 0, column: 0, indent: '', index: 0 };
  if (qualifier !== undefined) reference.document = qualifier;
  const found = lookupChunk(reference, from, lookupOf(index));
  return isChunk(found) ? found : undefined;
}

/** The documents' own chunks a chunk is made of: itself, or with `chunkScope: "project"` every document's blocks of the name. */
export function chunksOf(index: ChunkIndex, chunk: Chunk): readonly Chunk[] {
  return constituents(chunk, lookupOf(index));
}

/** What is at a position of a document: a reference, a target site, or nothing of Weft's. */
export type Hit = { kind: 'reference'; reference: ChunkReference } | { kind: 'target'; site: TargetSite } | undefined;

/** The reference or target site at 1-based `line` and `column` (UTF-16) of `document`. */
export function hitAt(index: ChunkIndex, document: string, line: number, column: number): Hit {
  for (const reference of index.references.get(document) ?? []) {
    if (reference.line === line && column >= reference.column && column <= reference.nameColumn + reference.name.length + 2) return { kind: 'reference', reference };
  }
  for (const site of index.targets.get(document) ?? []) {
    if (site.line === line && column >= site.column - 1 && column <= site.endColumn) return { kind: 'target', site };
  }
  return undefined;
}

/** Whether `line` of `document` is a `<<reference>>` line (TypeScript features stay off it). */
export function isReferenceLine(index: ChunkIndex, document: string, line: number): boolean {
  return (index.references.get(document) ?? []).some((reference) => reference.line === line);
}

/** Every reference in the project that resolves to `chunk`. */
export function usesOf(index: ChunkIndex, chunk: Chunk): ChunkReference[] {
  let byName = referencesByName.get(index);
  if (!byName) {
    // Only references whose last name segment is the chunk's name can mean it.
    byName = new Map();
    for (const references of index.references.values()) {
      for (const reference of references) {
        const bare = reference.name.slice(reference.name.lastIndexOf('#') + 1);
        const list = byName.get(bare);
        if (list) list.push(reference);
        else byName.set(bare, [reference]);
      }
    }
    referencesByName.set(index, byName);
  }
  return (byName.get(chunk.name) ?? []).filter((reference) => resolveName(index, reference.name, reference.document) === chunk);
}
const referencesByName = new WeakMap<ChunkIndex, Map<string, ChunkReference[]>>();

/**
 * A chunk's text with every reference expanded, as it lands in an output: expanded by the
 * engine's own `expandTarget` (as `weft show` expands through the resolver), through a
 * throw-away file target whose one line is `<<name>>` in the chunk's document. So the
 * indentation, the depth limit, cycles and `chunkScope` are the engine's; the target is
 * never emitted. `errors` are the expansion's (a cycle, an undefined chunk, the depth
 * limit): the text then stops where the engine stopped.
 */
export function expandChunk(index: ChunkIndex, chunk: Chunk): { text: string; errors: Message[] } {
  const first = chunk.parts[0]!;
  const reference: Reference = { name: chunk.name, text: chunk.name, line: first.fenceLine, column: first.fenceColumn, indent: '', index: 0 };
  const probe: Part = { document: chunk.document, lang: first.lang, value: `<<${chunk.name}>>`, line: first.fenceLine, columns: [first.fenceColumn], fenceLine: first.fenceLine, fenceColumn: first.fenceColumn, references: [reference] };
  const { file, messages } = expandTarget({ path: 'weft-hover-probe', document: chunk.document, parts: [probe] }, lookupOf(index), index.project.config.limits, expandCache());
  return { text: file.texts.join('\n'), errors: messages.filter((m) => m.severity === 'error') };
}

/** The engine's lookup index of a project, made on first use (a hover) and kept with the chunk index. */
function lookupOf(index: ChunkIndex): LookupIndex {
  let lookup = lookups.get(index);
  if (!lookup) lookups.set(index, (lookup = lookupIndex(index.project.documents, index.definers, index.project.config.chunkScope)));
  return lookup;
}
const lookups = new WeakMap<ChunkIndex, LookupIndex>();

/** Messages of the project for one document. */
export function messagesOf(project: TangledSnapshot, document: string): Message[] {
  return project.messages.filter((m) => m.file === document);
}
