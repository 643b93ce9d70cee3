// generated from docs/engine/resolve.lit.md by weft — edit the source, not this file
import { posix } from 'node:path';
import { unsafeRelativePath, type ResolvedConfig } from './config.js';
import { expandCache, expandTarget, type ExpandedTarget } from './expand.js';
import { definersOf, lookupIndex } from './lookup.js';
import { message } from './messages.js';
import { byteOrder } from './read.js';
import type { Chunk, CollectedDocument, ExpandedFile, FileTarget, LineOrigin, Message } from './types.js';

export type { ExpandedFile } from './types.js';

/** One line of an `ExpandedFile` (`texts[i]` and `origins[i]`), kept for API compatibility. */
export interface ExpandedLine {
  text: string;
  origin: LineOrigin;
}

export interface ResolveResult {
  files: ExpandedFile[];
  messages: Message[];
  /** What the next `resolveProject` may reuse (see the top of this file). */
  memo: ResolveMemo;
}

/** One target's expansion and the document objects it read. Never mutated. */
export interface ResolvedTarget extends Omit<ExpandedTarget, 'documents'> {
  /** Every document it read chunks from, by path, as the objects it read. */
  documents: Map<string, CollectedDocument>;
}

/** What one resolve leaves for the next. Never mutated once returned. */
export interface ResolveMemo {
  /** The name index, one string per document (plus one for the config). */
  index: readonly string[];
  /** Each live document's string in the index (computed once per document object). */
  names: Map<CollectedDocument, string>;
  /** Expansions by target path, valid for `index`. */
  targets: Map<string, ResolvedTarget>;
  /** `outputPathProblem` of each file target path (it depends on the index only). */
  pathProblems: Map<string, { rule: string; text: string } | undefined>;
  /** Paths of the documents that define each chunk name, in document order (index only). */
  definers: Map<string, string[]>;
  /** The checked file targets in order, or null when the check reported a problem (then it runs again). */
  targetOrder: { path: string; document: string }[] | null;
  /** For each document, how many targets use each of its chunks (the unused-chunk check). */
  usedCounts: Map<string, ReadonlyMap<Chunk, number>>;
  /** Each document's unused-chunk warnings, with the document and use counts they were made from. */
  unused: Map<string, { document: CollectedDocument; counts: ReadonlyMap<Chunk, number> | undefined; messages: Message[] }>;
}

/** Expand every file target of every document. */
export function resolveProject(
  documents: readonly CollectedDocument[],
  config: ResolvedConfig,
  previous?: ResolveMemo,
  /** Whether outputs outside `documents` use a chunk (see `PipelineOptions.usedElsewhere`). */
  usedElsewhere?: (chunk: Chunk) => boolean,
): ResolveResult {
  const messages: Message[] = [];
  const names = new Map<CollectedDocument, string>();
  const index = nameIndex(documents, config, previous?.names, names);
  const reuse = previous && sameIndex(previous.index, index) ? previous : undefined;
  const memo: ResolveMemo = {
    index,
    names,
    targets: new Map(),
    pathProblems: reuse ? reuse.pathProblems : new Map(),
    definers: reuse ? reuse.definers : definersOf(documents),
    targetOrder: null,
    usedCounts: new Map(reuse ? reuse.usedCounts : []),
    unused: new Map(),
  };
  const uses = useCounter(memo.usedCounts);
  const documentByPath = new Map(documents.map((d) => [d.path, d]));
  for (const doc of documents) messages.push(...doc.messages);
  const lookup = lookupIndex(documents, memo.definers, config.chunkScope);
  const targets = fileTargets(documents, documentByPath, config, memo, reuse, messages);
  const cache = expandCache();
  const files: ExpandedFile[] = [];
  for (const path of targets.paths) {
    const before = reuse?.targets.get(path);
    if (before && sameDocuments(before.documents, documentByPath)) {
      files.push(before.file);
      messages.push(...before.messages);
      memo.targets.set(path, before);
      continue;
    }
    if (before) uses.add(before.used, -1);
    const expanded = expandTarget(targets.get(path), lookup, config.limits, cache);
    const resolved: ResolvedTarget = { ...expanded, documents: new Map(expanded.documents.map((p) => [p, documentByPath.get(p)!])) };
    files.push(resolved.file);
    messages.push(...resolved.messages);
    uses.add(resolved.used, +1);
    memo.targets.set(path, resolved);
  }
  for (const [path, gone] of reuse?.targets ?? []) if (!memo.targets.has(path)) uses.add(gone.used, -1);
  // Unused chunks are reported only once the project resolves: while a reference is
  // broken, the chunk it meant looks unused, and that warning would be noise.
  if (!messages.some((m) => m.severity === 'error')) messages.push(...unusedChunks(documents, memo, previous, usedElsewhere));
  return { files, messages, memo };
}

/** Counts of chunk uses, copied on write per document: a memo handed out is never changed. */
function useCounter(usedCounts: Map<string, ReadonlyMap<Chunk, number>>) {
  const copied = new Set<string>();
  return {
    add(chunks: readonly Chunk[], delta: number): void {
      for (const chunk of chunks) {
        if (!copied.has(chunk.document)) {
          usedCounts.set(chunk.document, new Map(usedCounts.get(chunk.document) ?? []));
          copied.add(chunk.document);
        }
        const counts = usedCounts.get(chunk.document) as Map<Chunk, number>;
        const count = (counts.get(chunk) ?? 0) + delta;
        if (count > 0) counts.set(chunk, count);
        else counts.delete(chunk);
      }
    },
  };
}

/** Whether every document an expansion read is still the very same object. */
function sameDocuments(read: ReadonlyMap<string, CollectedDocument>, current: ReadonlyMap<string, CollectedDocument>): boolean {
  for (const [path, doc] of read) if (current.get(path) !== doc) return false;
  return true;
}

/**
 * The checked file targets, in path order: taken from the previous resolve when the index
 * is the same (the same paths in the same documents, which passed every check then).
 */
function fileTargets(
  documents: readonly CollectedDocument[],
  documentByPath: ReadonlyMap<string, CollectedDocument>,
  config: ResolvedConfig,
  memo: ResolveMemo,
  reuse: ResolveMemo | undefined,
  messages: Message[],
): { paths: string[]; get: (path: string) => FileTarget } {
  if (reuse?.targetOrder) {
    memo.targetOrder = reuse.targetOrder;
    const documentOf = new Map(reuse.targetOrder.map((t) => [t.path, t.document]));
    const get = (path: string): FileTarget => {
      const file = documentByPath.get(documentOf.get(path)!)!.files.find((f) => posix.normalize(f.path) === path)!;
      return { ...file, path };
    };
    return { paths: reuse.targetOrder.map((t) => t.path), get };
  }
  const sourcePaths = new Set(documents.map((d) => d.path));
  const problemOf = (path: string) => {
    if (!memo.pathProblems.has(path)) memo.pathProblems.set(path, outputPathProblem(path, config, sourcePaths));
    return memo.pathProblems.get(path);
  };
  const before = messages.length;
  const checked = checkFileTargets(documents, problemOf, messages);
  memo.targetOrder = messages.length === before ? checked.map((t) => ({ path: t.path, document: t.document })) : null;
  const byPath = new Map(checked.map((t) => [t.path, t]));
  return { paths: checked.map((t) => t.path), get: (path) => byPath.get(path)! };
}

/** `unused-chunk` warnings: chunks of `documents` that no target uses. */
function unusedChunks(documents: readonly CollectedDocument[], memo: ResolveMemo, previous: ResolveMemo | undefined, usedElsewhere: ((chunk: Chunk) => boolean) | undefined): Message[] {
  const messages: Message[] = [];
  for (const doc of documents) {
    const counts = memo.usedCounts.get(doc.path);
    const known = usedElsewhere ? undefined : previous?.unused.get(doc.path);
    if (known && known.document === doc && known.counts === counts) {
      memo.unused.set(doc.path, known); // Same document, same uses: same warnings.
      messages.push(...known.messages);
      continue;
    }
    const warnings: Message[] = [];
    for (const chunk of doc.chunks) {
      if (counts?.has(chunk) || usedElsewhere?.(chunk)) continue;
      const first = chunk.parts[0]!;
      warnings.push(message(doc.path, first.fenceLine, first.fenceColumn, 'warning', 'unused-chunk', `chunk \`${chunk.name}\` is never used`));
    }
    memo.unused.set(doc.path, { document: doc, counts, messages: warnings });
    messages.push(...warnings);
  }
  return messages;
}

/**
 * What name lookups, file target checks and expansion limits depend on: each document's
 * path, chunk names and file target paths, the output directories and the limits. Each
 * document's string is made once per document object (`known`, from the previous memo)
 * and recorded in `names`.
 */
function nameIndex(documents: readonly CollectedDocument[], config: ResolvedConfig, known: ReadonlyMap<CollectedDocument, string> | undefined, names: Map<CollectedDocument, string>): string[] {
  const parts = [JSON.stringify([config.limits.maxDepth, config.limits.maxOutputBytes, config.outputDirs, config.outputFiles, config.comments, config.chunkScope])];
  for (const doc of documents) {
    const own = known?.get(doc) ?? [doc.path, ...doc.chunks.map((c) => c.name), '\u0001', ...doc.files.map((f) => f.path)].join('\0');
    names.set(doc, own);
    parts.push(own);
  }
  return parts;
}

/** Index equality; an unchanged document contributes the very same string, so most comparisons are by reference. */
function sameIndex(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Safe, confined, unique file targets (in path order); problems go to `messages`. */
function checkFileTargets(
  documents: readonly CollectedDocument[],
  problemOf: (path: string) => { rule: string; text: string } | undefined,
  messages: Message[],
): FileTarget[] {
  const byPath = new Map<string, FileTarget[]>();
  for (const doc of documents) {
    for (const file of doc.files) {
      const first = file.parts[0]!;
      const problem = problemOf(file.path);
      if (problem) {
        messages.push(message(doc.path, first.fenceLine, first.fenceColumn, 'error', problem.rule, problem.text));
        continue;
      }
      const path = posix.normalize(file.path);
      const list = byPath.get(path);
      const normalised = { ...file, path };
      if (list) list.push(normalised);
      else byPath.set(path, [normalised]);
    }
  }
  const result: FileTarget[] = [];
  const byFolded = new Map<string, string>();
  for (const path of [...byPath.keys()].sort(byteOrder)) {
    const list = byPath.get(path)!;
    if (list.length > 1) {
      const places = list.map((f) => `${f.document}:${f.parts[0]!.fenceLine}:${f.parts[0]!.fenceColumn}`);
      for (const f of list) {
        const others = places.filter((p) => !p.startsWith(`${f.document}:`));
        messages.push(
          message(f.document, f.parts[0]!.fenceLine, f.parts[0]!.fenceColumn, 'error', 'duplicate-file', `${path} is also defined in another document; a file belongs to one document`, others.map((p) => `also defined at ${p}`)),
        );
      }
      continue;
    }
    const folded = path.toLowerCase();
    const clash = byFolded.get(folded);
    const target = list[0]!;
    if (clash) {
      messages.push(
        message(target.document, target.parts[0]!.fenceLine, target.parts[0]!.fenceColumn, 'error', 'case-conflict', `${path} and ${clash} differ only by case; they are the same file on case-insensitive file systems`),
      );
      continue;
    }
    byFolded.set(folded, path);
    result.push(target);
  }
  return result;
}

/** Why an output path may not be written, or undefined when it may. */
export function outputPathProblem(
  path: string,
  config: ResolvedConfig,
  sourcePaths: ReadonlySet<string> = new Set(),
): { rule: string; text: string } | undefined {
  const unsafe = unsafeRelativePath(path);
  if (unsafe) return { rule: 'output-outside-root', text: `output path "${printable(path)}" is refused: ${unsafe}` };
  const normal = posix.normalize(path);
  if (Buffer.byteLength(normal) > 1024 || normal.split('/').some((s) => Buffer.byteLength(s) > 255)) {
    return { rule: 'path-too-long', text: `output path is too long (at most 1024 bytes, 255 per folder or file name)` };
  }
  if (normal.endsWith('/') || normal === '.') return { rule: 'output-outside-root', text: `output path "${path}" names a folder, not a file` };
  if (!config.outputDirs.some((dir) => normal.startsWith(`${dir}/`)) && !config.outputFiles.includes(normal)) {
    return {
      rule: 'output-outside-root',
      text: `output path "${path}" is outside the output directories (${config.outputDirs.map((d) => `${d}/`).join(', ')})`,
    };
  }
  if (sourcePaths.has(normal) || normal.endsWith('.lit.md')) {
    return { rule: 'output-is-source', text: `output path "${path}" is a literate source; weft never overwrites sources` };
  }
  return undefined;
}

function printable(path: string): string {
  return path.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
//# sourceMappingURL=resolve.ts.map
