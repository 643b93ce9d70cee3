// generated from docs/engine/pipeline.lit.md by weft — edit the source, not this file
import { collectDocument, collectVariant, noTargets } from './collect.js';
import type { ResolvedConfig } from './config.js';
import { emitFile } from './emit.js';
import { sortMessages } from './messages.js';
import { parseDocument } from './parse.js';
import { resolveProject, type ResolveMemo } from './resolve.js';
import type { Chunk, CollectedDocument, ExpandedFile, Message, Output, ParsedDocument, Source } from './types.js';

/** What one `tangleSources` call leaves for the next. Immutable; pass it back in unchanged. */
export interface PipelineMemo {
  /** Collected documents by `path + '\0' + hash` (+ `'\0' + collectVariant(config)` when it is not empty; only those of the last call's sources). */
  readonly documents: ReadonlyMap<string, CollectedDocument>;
  /** The last resolve's expansions and indexes. */
  readonly resolve: ResolveMemo | undefined;
  /** The output emitted from each expansion, by expansion object. */
  readonly emitted: ReadonlyMap<ExpandedFile, Output>;
}

/** Options of `tangleSources`. */
export interface PipelineOptions {
  /**
   * For a driver that tangles part of a project (the build state's plan, `state-plan.ts`):
   * whether an output outside these sources uses a chunk, so it is not reported unused.
   * Asked only about chunks no output of these sources uses. @default none: the sources are the whole project
   */
  usedElsewhere?: (chunk: Chunk) => boolean;
}

export interface PipelineResult {
  /** One per source, same order. */
  documents: CollectedDocument[];
  /** Outputs that tangle without errors, in path order. */
  outputs: Output[];
  /** Every message of the documents and the resolve, sorted by file, line, column. */
  messages: Message[];
  /** Pass to the next call. */
  memo: PipelineMemo;
}

/**
 * The result for a whole project without the memo: what a driver that has just tangled
 * every document hands to another consumer of the same documents (watch mode gives it to
 * the weave, so that it does not tangle them again).
 */
export type TangledProject = Pick<PipelineResult, 'documents' | 'outputs' | 'messages'>;

/** Parse, collect, resolve and emit `sources` (in path order) under `config`. Pure. */
export function tangleSources(sources: readonly Source[], config: ResolvedConfig, memo?: PipelineMemo, options: PipelineOptions = {}): PipelineResult {
  const known = new Map<string, CollectedDocument>();
  // The config's `quartoAttributes` changes what a block means: it is part of the key.
  const variant = collectVariant(config);
  const documents = sources.map((source) => {
    const key = `${source.path}\0${source.hash}${variant === '' ? '' : `\0${variant}`}`;
    // An unreadable document (hash '') is never taken from the memo: its problem may differ.
    const document = (source.hash === '' ? undefined : memo?.documents.get(key)) ?? collected(source, config);
    known.set(key, document);
    return document;
  });
  const resolved = resolveProject(documents, config, memo?.resolve, options.usedElsewhere);
  const emitted = new Map<ExpandedFile, Output>();
  const outputs: Output[] = [];
  for (const file of resolved.files) {
    if (file.failed) continue;
    const output = memo?.emitted.get(file) ?? emitFile(file, config.comments);
    emitted.set(file, output);
    outputs.push(output);
  }
  return { documents, outputs, messages: sortMessages([...resolved.messages, ...noTargets(documents)]), memo: { documents: known, resolve: resolved.memo, emitted } };
}

/** A source, collected (parsed first when it is text). */
function collected(source: Source, config: ResolvedConfig): CollectedDocument {
  if ('chunks' in source) return source;
  if ('blocks' in source) return collectDocument(source, config);
  if (source.hash === '') return { path: source.path, hash: '', chunks: [], files: [], messages: source.messages };
  return collectDocument(parseDocument(source) as ParsedDocument, config);
}
//# sourceMappingURL=pipeline.ts.map
