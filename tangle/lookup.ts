// generated from docs/engine/lookup.lit.md by weft — edit the source, not this file
import { didYouMean, message, type RuleId } from './messages.js';
import type { Chunk, CollectedDocument, Message, Reference } from './types.js';

/** Every document's chunks by name, and who defines each name. Built once per build. */
export interface LookupIndex {
  /** Document path → its chunks by name (the last definition of a name wins). */
  chunks: ReadonlyMap<string, ReadonlyMap<string, Chunk>>;
  /** Chunk name → paths of the documents that define it, in document order. */
  definers: ReadonlyMap<string, readonly string[]>;
}

/** The index of `documents`; `definers` may be passed in when the names are known to be unchanged. */
export function lookupIndex(documents: readonly CollectedDocument[], definers?: ReadonlyMap<string, readonly string[]>): LookupIndex {
  const chunks = new Map<string, Map<string, Chunk>>();
  for (const doc of documents) chunks.set(doc.path, new Map(doc.chunks.map((chunk) => [chunk.name, chunk])));
  return { chunks, definers: definers ?? definersOf(documents) };
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
  if ('parts' in found) return [found.document];
  return otherDefiners(reference.text, from, index);
}

/** Whether a lookup answer is a chunk (not a message). */
export function isChunk(found: Chunk | Message): found is Chunk {
  return 'parts' in found;
}
//# sourceMappingURL=lookup.ts.map
