// generated from docs/engine/lookup.lit.md by weft — edit the source, not this file
import { didYouMean, message, type RuleId } from './messages.js';
import type { Chunk, CollectedDocument, Message, Reference } from './types.js';

/** Every document's chunks by name, and who defines each name. Built once per build. */
export interface LookupIndex {
  /** Document path → its chunks by name (the last definition of a name wins). */
  chunks: ReadonlyMap<string, ReadonlyMap<string, Chunk>>;
  /** Chunk name → paths of the documents that define it, in document order. */
  definers: ReadonlyMap<string, readonly string[]>;
  /** With `chunkScope: "project"`: name → the one chunk of that name across all documents. */
  project?: ReadonlyMap<string, Chunk>;
}

/**
 * Where chunk names live: `"document"` (Weft's default: per document, see above) or
 * `"project"` (Entangled's: one namespace, same-named blocks of all documents are one chunk).
 */
export type ChunkScope = 'document' | 'project';

/** The documents' own chunks that `chunk` was merged from (with `chunkScope: "project"`); a chunk that was not merged is its own. */
export function constituents(chunk: Chunk, index: LookupIndex): readonly Chunk[] {
  if (!index.project || index.project.get(chunk.name) !== chunk) return [chunk];
  const documents = [...new Set(chunk.parts.map((part) => part.document))];
  return documents.map((path) => index.chunks.get(path)?.get(chunk.name)).filter((own): own is Chunk => own !== undefined);
}

/** The index of `documents`; `definers` may be passed in when the names are known to be unchanged. */
export function lookupIndex(documents: readonly CollectedDocument[], definers?: ReadonlyMap<string, readonly string[]>, scope: ChunkScope = 'document'): LookupIndex {
  const chunks = new Map<string, Map<string, Chunk>>();
  for (const doc of documents) chunks.set(doc.path, new Map(doc.chunks.map((chunk) => [chunk.name, chunk])));
  const index: LookupIndex = { chunks, definers: definers ?? definersOf(documents) };
  if (scope === 'project') index.project = projectChunks(index);
  return index;
}

/** Each name's chunks across documents, in document order, as one chunk (see `ChunkScope`). */
function projectChunks(index: LookupIndex): Map<string, Chunk> {
  const project = new Map<string, Chunk>();
  for (const [name, paths] of index.definers) {
    const own = paths.map((path) => index.chunks.get(path)?.get(name)).filter((chunk): chunk is Chunk => chunk !== undefined);
    if (own.length === 0) continue;
    if (own.length === 1) {
      project.set(name, own[0]!);
      continue;
    }
    project.set(name, { name, document: own[0]!.document, parts: own.flatMap((chunk) => chunk.parts) });
  }
  return project;
}

/** Name → paths of the documents that define it, in document order. */
export function definersOf(documents: readonly CollectedDocument[]): Map<string, string[]> {
  const definers = new Map<string, string[]>();
  for (const doc of documents) {
    for (const chunk of doc.chunks) {
      const list = definers.get(chunk.name);
      if (list) list.push(doc.path);
      else definers.set(chunk.name, [doc.path]);
    }
  }
  return definers;
}

/** The chunk `reference`, written in document `from`, means; or the error message why there is none. */
export function lookupChunk(reference: Reference, from: string, index: LookupIndex): Chunk | Message {
  const { text } = reference;
  const global = reference.document === undefined ? index.project?.get(text) : undefined;
  if (global) return global;
  const local = index.chunks.get(from)?.get(text);
  if (local) return local;
  const at = (rule: RuleId, sentence: string, notes?: string[]) => message(from, reference.line, reference.column, 'error', rule, sentence, notes);
  if (reference.document !== undefined) {
    const qualified = index.chunks.get(reference.document);
    if (qualified) {
      const found = qualified.get(reference.name);
      if (found) return found;
      const suggestion = didYouMean(reference.name, qualified.keys());
      return at('undefined-chunk', `chunk \`${reference.name}\` is not defined in ${reference.document}`, suggestion ? [`did you mean \`<<${reference.document}#${suggestion}>>\`?`] : undefined);
    }
  }
  const others = otherDefiners(text, from, index);
  if (others.length === 1) return index.chunks.get(others[0]!)!.get(text)!;
  if (others.length > 1) {
    const chunks = others.map((path) => index.chunks.get(path)!.get(text)!);
    return at('ambiguous-chunk', `chunk \`${text}\` is defined in ${others.length} other documents`, [
      ...chunks.map((c) => `defined at ${c.document}:${c.parts[0]!.fenceLine}:${c.parts[0]!.fenceColumn}`),
      `qualify the reference, e.g. \`<<${others[0]}#${text}>>\``,
    ]);
  }
  const candidates = new Set<string>([...(index.chunks.get(from)?.keys() ?? []), ...index.definers.keys()]);
  const suggestion = didYouMean(text, candidates);
  return at('undefined-chunk', `chunk \`${text}\` is not defined`, suggestion ? [`did you mean \`<<${suggestion}>>\`?`] : undefined);
}

/** Documents other than `from` that define `name`. */
function otherDefiners(name: string, from: string, index: LookupIndex): readonly string[] {
  const all = index.definers.get(name) ?? [];
  return all.includes(from) ? all.filter((path) => path !== from) : all;
}

/**
 * The documents a lookup of `reference` from `from` reads: the chunk's, or every document
 * whose chunks a failure message points into. What a build that reuses the lookup's
 * result must see unchanged.
 */
export function documentsRead(reference: Reference, from: string, found: Chunk | Message, index: LookupIndex): readonly string[] {
  if ('parts' in found) return constituents(found, index).map((chunk) => chunk.document);
  return otherDefiners(reference.text, from, index);
}

/** Whether a lookup answer is a chunk (not a message). */
export function isChunk(found: Chunk | Message): found is Chunk {
  return 'parts' in found;
}
//# sourceMappingURL=lookup.ts.map
