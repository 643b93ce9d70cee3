/**
 * Resolve stage: all documents' chunks → each output file's lines, expanded.
 *
 * This is the only stage that sees every document at once. It
 * - checks file targets: path safety and confinement to the output directories, one
 *   defining document per file, no two paths that differ only by case;
 * - expands `<<references>>` (a line holding only indentation and `<<name>>`), prefixing
 *   every non-blank line of the chunk with the reference's indentation;
 * - resolves names by scope: the same document first, then the single other document
 *   that defines the name, else an ambiguity error; `<<docs/a.lit.md#name>>` qualifies;
 * - stops runaway input: nesting deeper than `limits.maxDepth`, an output larger than
 *   `limits.maxOutputBytes`, and cycles (reported with the whole chain);
 * - records, for every generated line, the document line and column it came from.
 *
 * Pure: no disk access. Expansion aborts as soon as a limit is hit, so an "expansion
 * bomb" costs at most `maxOutputBytes` of work, never exponential time or memory.
 *
 * Between rebuilds (watch mode) a target's expansion is reused when nothing it read can
 * have changed: the name index (every document's path and chunk names, and the limits)
 * is the same, and so is every document it read chunks from (the same immutable object,
 * which the context keeps while the document's bytes are unchanged). Name lookups depend
 * on the index alone, and the expansion on the chunks found, so the reused result is the
 * one a fresh expansion would give; an edit to one document re-expands only the targets
 * that use it.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { unsafeRelativePath, type ResolvedConfig } from './config.js';
import { didYouMean, message } from './messages.js';
import { byteOrder } from './read.js';
import type { Chunk, CollectedDocument, FileTarget, LineOrigin, Message, Part } from './types.js';

/** One generated line and its origin. */
export interface ExpandedLine {
  text: string;
  origin: LineOrigin;
}

/** An output file after expansion, before the header and source map are added. */
export interface ExpandedFile {
  path: string;
  document: string;
  /** Language of the first block (for the header comment when the extension is unknown). */
  lang: string | null;
  lines: ExpandedLine[];
  /** Qualified chunk names used (`document#name`) and their content hashes. */
  chunks: Record<string, string>;
  /** True when expansion hit an error; such a file is never written. */
  failed: boolean;
}

export interface ResolveResult {
  files: ExpandedFile[];
  messages: Message[];
  /** What the next `resolveProject` may reuse (see the top of this file). */
  memo: ResolveMemo;
}

/** One target's expansion and everything it depended on. Never mutated. */
export interface ResolvedTarget {
  file: ExpandedFile;
  /** Messages the expansion produced. */
  messages: Message[];
  /** Chunks it used (for the unused-chunk check). */
  used: Chunk[];
  /** Every document it read chunks from, by path, as the objects it read. */
  documents: Map<string, CollectedDocument>;
}

/** Expansions of the previous resolve, by target path, valid for one name index. */
export interface ResolveMemo {
  /** The name index, one string per document (plus one for the config). */
  index: readonly string[];
  targets: Map<string, ResolvedTarget>;
  /** `outputPathProblem` of each file target path (it depends on the index only). */
  pathProblems: Map<string, { rule: string; text: string } | undefined>;
  /** Paths of the documents that define each chunk name, in document order (index only). */
  definers: Map<string, string[]>;
  /** The checked file targets in order, or null when the check reported a problem (then it runs again). */
  targetOrder: { path: string; document: string }[] | null;
  /**
   * For each document, how many targets use each of its chunks (the unused-chunk check).
   * Copied on write: a later resolve copies the maps it changes, so no memo is ever mutated.
   */
  usedCounts: Map<string, ReadonlyMap<Chunk, number>>;
}

/** A line that is only optional indentation and one `<<name>>`. */
export const REFERENCE = /^([ \t]*)<<((?:(?!>>).)+)>>[ \t]*$/;

/** Expand every file target of every document. */
export function resolveProject(documents: readonly CollectedDocument[], config: ResolvedConfig, previous?: ResolveMemo): ResolveResult {
  const messages: Message[] = [];
  const index = nameIndex(documents, config);
  const reuse = previous && sameIndex(previous.index, index) ? previous.targets : undefined;
  const memo: ResolveMemo = {
    index,
    targets: new Map(),
    pathProblems: reuse ? previous!.pathProblems : new Map(),
    definers: new Map(),
    targetOrder: null,
    usedCounts: new Map(reuse ? previous!.usedCounts : []),
  };
  const copied = new Set<string>();
  const countUse = (chunks: readonly Chunk[], delta: number) => {
    for (const chunk of chunks) {
      if (!copied.has(chunk.document)) {
        memo.usedCounts.set(chunk.document, new Map(memo.usedCounts.get(chunk.document) ?? []));
        copied.add(chunk.document);
      }
      const counts = memo.usedCounts.get(chunk.document) as Map<Chunk, number>;
      const count = (counts.get(chunk) ?? 0) + delta;
      if (count > 0) counts.set(chunk, count);
      else counts.delete(chunk);
    }
  };
  const documentByPath = new Map(documents.map((d) => [d.path, d]));
  const reusable = (entry: ResolvedTarget) => {
    for (const [path, doc] of entry.documents) if (documentByPath.get(path) !== doc) return false;
    return true;
  };
  /** The documents the target being expanded reads, filled in by the lookups. */
  let reading = new Map<string, CollectedDocument>();
  const read = (chunk: Chunk | undefined) => {
    if (chunk) reading.set(chunk.document, documentByPath.get(chunk.document)!);
    return chunk;
  };
  for (const doc of documents) messages.push(...doc.messages);
  const byDocument = new Map<string, Map<string, Chunk>>();
  for (const doc of documents) byDocument.set(doc.path, chunksByName(doc));
  // Which documents define each name depends on the index alone; the chunks are looked up
  // in the current documents, so a reused list never hands out an old chunk.
  memo.definers = reuse ? previous!.definers : definersOf(documents);
  const byName = {
    get: (name: string): Chunk[] | undefined => memo.definers.get(name)?.map((path) => byDocument.get(path)!.get(name)!),
    keys: () => memo.definers.keys(),
  };
  const sourcePaths = new Set(documents.map((d) => d.path));
  const problemOf = (path: string) => {
    if (!memo.pathProblems.has(path)) memo.pathProblems.set(path, outputPathProblem(path, config, sourcePaths));
    return memo.pathProblems.get(path);
  };
  let targets: FileTarget[];
  if (reuse && previous!.targetOrder) {
    // Same index, so the same file paths in the same documents, which passed every check last time.
    targets = previous!.targetOrder.map(({ path, document }) => normalisedTargets(documentByPath.get(document)!).get(path)!);
    memo.targetOrder = previous!.targetOrder;
  } else {
    const before = messages.length;
    targets = checkFileTargets(documents, problemOf, messages);
    memo.targetOrder = messages.length === before ? targets.map((t) => ({ path: t.path, document: t.document })) : null;
  }
  const chunkHashes = new Map<Chunk, string>();
  const hashOf = (chunk: Chunk) => {
    let hash = chunkHashes.get(chunk);
    if (!hash) {
      hash = createHash('sha256').update(chunk.parts.map((p) => p.value).join('\n')).digest('hex').slice(0, 16);
      chunkHashes.set(chunk, hash);
    }
    return hash;
  };

  const lookup = (name: string, from: string, at: { line: number; column: number }): Chunk | undefined => read(findChunk(name, from, at));
  const findChunk = (name: string, from: string, at: { line: number; column: number }): Chunk | undefined => {
    const local = byDocument.get(from)?.get(name);
    if (local) return local;
    const hash = name.lastIndexOf('#');
    if (hash > 0) {
      const docPath = name.slice(0, hash);
      const bare = name.slice(hash + 1);
      if (sourcePaths.has(docPath)) {
        const qualified = byDocument.get(docPath)?.get(bare);
        if (qualified) return qualified;
        const suggestion = didYouMean(bare, byDocument.get(docPath)?.keys() ?? []);
        messages.push(
          message(from, at.line, at.column, 'error', 'undefined-chunk', `chunk \`${bare}\` is not defined in ${docPath}`, suggestion ? [`did you mean \`<<${docPath}#${suggestion}>>\`?`] : undefined),
        );
        return undefined;
      }
    }
    const others = (byName.get(name) ?? []).filter((c) => c.document !== from);
    if (others.length === 1) return others[0];
    if (others.length > 1) {
      others.forEach(read); // The message points into each of them.
      messages.push(
        message(from, at.line, at.column, 'error', 'ambiguous-chunk', `chunk \`${name}\` is defined in ${others.length} other documents`, [
          ...others.map((c) => `defined at ${c.document}:${c.parts[0]!.fenceLine}:${c.parts[0]!.fenceColumn}`),
          `qualify the reference, e.g. \`<<${others[0]!.document}#${name}>>\``,
        ]),
      );
      return undefined;
    }
    const candidates = new Set<string>([...(byDocument.get(from)?.keys() ?? []), ...byName.keys()]);
    const suggestion = didYouMean(name, candidates);
    messages.push(
      message(from, at.line, at.column, 'error', 'undefined-chunk', `chunk \`${name}\` is not defined`, suggestion ? [`did you mean \`<<${suggestion}>>\`?`] : undefined),
    );
    return undefined;
  };

  const tooLarge = (target: FileTarget) =>
    message(target.document, target.parts[0]!.fenceLine, target.parts[0]!.fenceColumn, 'error', 'output-too-large', `${target.path} would be larger than limits.maxOutputBytes (${config.limits.maxOutputBytes} bytes)`, [
      'a chunk referenced many times, many levels deep, grows exponentially; check the references',
    ]);

  /**
   * Upper bound of the bytes the parts expand to, without expanding them: each chunk is
   * measured once (memoised), so this is linear in the size of the documents even when
   * the expansion is exponential. References that do not resolve or that form a cycle
   * count as nothing here; the expansion reports them.
   */
  const measureParts = (parts: Part[], stack: Chunk[], memo: Map<Chunk, { bytes: number; lines: number }>): { bytes: number; lines: number } => {
    let bytes = 0;
    let lines = 0;
    for (const part of parts) {
      if (part.value.length === 0) continue;
      for (const line of linesOf(part)) {
        const reference = line.includes('<<') ? REFERENCE.exec(line) : null;
        const found = reference ? quietLookup(reference[2]!.trim(), part.document) : undefined;
        // Deeper than maxDepth the expansion stops with its own message: measuring on would only recurse.
        if (reference && found && !stack.includes(found) && stack.length < config.limits.maxDepth) {
          let inner = memo.get(found);
          if (!inner) {
            inner = measureParts(found.parts, [...stack, found], memo);
            memo.set(found, inner);
          }
          bytes += inner.bytes + inner.lines * reference[1]!.length;
          lines += inner.lines;
        } else if (!reference) {
          bytes += Buffer.byteLength(line) + 1;
          lines += 1;
        }
      }
    }
    return { bytes, lines };
  };
  const quietLookup = (name: string, from: string): Chunk | undefined => read(findQuietly(name, from));
  const findQuietly = (name: string, from: string): Chunk | undefined => {
    const local = byDocument.get(from)?.get(name);
    if (local) return local;
    const hash = name.lastIndexOf('#');
    if (hash > 0) {
      const qualified = byDocument.get(name.slice(0, hash))?.get(name.slice(hash + 1));
      if (qualified) return qualified;
    }
    const others = (byName.get(name) ?? []).filter((c) => c.document !== from);
    return others.length === 1 ? others[0] : undefined;
  };

  const files: ExpandedFile[] = [];
  for (const target of targets) {
    const before = reuse?.get(target.path);
    if (before && reusable(before)) {
      files.push(before.file);
      messages.push(...before.messages);
      memo.targets.set(target.path, before);
      continue;
    }
    const replaced = reuse?.get(target.path);
    if (replaced) countUse(replaced.used, -1);
    reading = new Map([[target.document, documentByPath.get(target.document)!]]);
    const firstMessage = messages.length;
    const usedHere: Chunk[] = [];
    const lines: ExpandedLine[] = [];
    const chunks: Record<string, string> = {};
    let bytes = 0;
    let failed = false;
    let aborted = false;
    const expandPart = (part: Part, indent: string, stack: Chunk[], via: string[], chunk: Chunk | null) => {
      if (part.value.length === 0) return;
      const partLines = linesOf(part);
      for (let i = 0; i < partLines.length && !aborted; i++) {
        const line = partLines[i]!;
        const at = { line: part.line + i, column: part.columns[i] ?? 1 };
        const reference = line.includes('<<') ? REFERENCE.exec(line) : null;
        if (reference) {
          const refIndent = reference[1]!;
          const name = reference[2]!.trim();
          const refAt = { line: at.line, column: at.column + refIndent.length };
          const found = lookup(name, part.document, refAt);
          if (!found) {
            failed = true;
            continue;
          }
          usedHere.push(found);
          if (stack.includes(found)) {
            const chain = [...stack.slice(stack.indexOf(found)), found].map((c) => c.name);
            messages.push(message(part.document, refAt.line, refAt.column, 'error', 'chunk-cycle', `reference cycle: ${chain.map((n) => `<<${n}>>`).join(' → ')}`));
            failed = true;
            continue;
          }
          if (stack.length + 1 > config.limits.maxDepth) {
            messages.push(
              message(part.document, refAt.line, refAt.column, 'error', 'expansion-limit', `references nest deeper than limits.maxDepth (${config.limits.maxDepth}) while expanding ${target.path}`),
            );
            failed = true;
            aborted = true;
            return;
          }
          chunks[`${found.document}#${found.name}`] = hashOf(found);
          for (const inner of found.parts) expandPart(inner, indent + refIndent, [...stack, found], [...via, found.name], found);
          continue;
        }
        const blank = isBlank(line);
        const text = blank ? '' : indent + line;
        bytes += Buffer.byteLength(text) + 1;
        if (bytes > config.limits.maxOutputBytes) {
          messages.push(tooLarge(target));
          failed = true;
          aborted = true;
          return;
        }
        lines.push({
          text,
          origin: { document: part.document, line: at.line, column: at.column, indent: blank ? 0 : indent.length, chunk: chunk?.name ?? null, via },
        });
      }
    };
    const size = measureParts(target.parts, [], new Map()).bytes;
    if (size > config.limits.maxOutputBytes) {
      // Refuse before expanding: an expansion bomb costs a measurement, not memory.
      messages.push(tooLarge(target));
      failed = true;
      aborted = true;
    }
    for (const part of target.parts) {
      if (aborted) break;
      expandPart(part, '', [], [], null);
    }
    if (!failed && lines.length === 0) {
      messages.push(message(target.document, target.parts[0]!.fenceLine, target.parts[0]!.fenceColumn, 'warning', 'empty-target', `${target.path} is empty`));
    }
    const file: ExpandedFile = { path: target.path, document: target.document, lang: target.parts[0]!.lang, lines, chunks, failed };
    files.push(file);
    const used = [...new Set(usedHere)];
    countUse(used, +1);
    memo.targets.set(target.path, { file, messages: messages.slice(firstMessage), used, documents: reading });
  }
  for (const [path, gone] of reuse ?? []) if (!memo.targets.has(path)) countUse(gone.used, -1);

  // Unused chunks are reported only once the project resolves: while a reference is
  // broken, the chunk it meant looks unused, and that warning would be noise.
  const resolvedCleanly = !messages.some((m) => m.severity === 'error');
  for (const doc of resolvedCleanly ? documents : []) {
    const counts = memo.usedCounts.get(doc.path);
    const known = unusedWarnings.get(doc);
    if (known && known.counts === counts) {
      messages.push(...known.messages); // Same document, same uses: same warnings.
      continue;
    }
    const warnings: Message[] = [];
    for (const chunk of doc.chunks) {
      if (counts?.has(chunk)) continue;
      const first = chunk.parts[0]!;
      warnings.push(message(doc.path, first.fenceLine, first.fenceColumn, 'warning', 'unused-chunk', `chunk \`${chunk.name}\` is never used`));
    }
    unusedWarnings.set(doc, { counts, messages: warnings });
    messages.push(...warnings);
  }
  return { files, messages, memo };
}

/**
 * What name lookups, file target checks and expansion limits depend on: each document's
 * path, chunk names and file target paths, the output directories and the limits.
 */
function nameIndex(documents: readonly CollectedDocument[], config: ResolvedConfig): string[] {
  const parts = [JSON.stringify([config.limits.maxDepth, config.limits.maxOutputBytes, config.outputDirs])];
  for (const doc of documents) {
    let names = documentNames.get(doc);
    if (names === undefined) documentNames.set(doc, (names = [doc.path, ...doc.chunks.map((c) => c.name), '\u0001', ...doc.files.map((f) => f.path)].join('\0')));
    parts.push(names);
  }
  return parts;
}

/** Index equality; an unchanged document contributes the very same string, so most comparisons are by reference. */
function sameIndex(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The unused-chunk warnings of a document, by document, with the use counts they were made from. */
const unusedWarnings = new WeakMap<CollectedDocument, { counts: ReadonlyMap<Chunk, number> | undefined; messages: Message[] }>();

/** Each document's part of the name index, by (immutable) document. */
const documentNames = new WeakMap<CollectedDocument, string>();

/** A document's chunks by name (the last definition of a name wins, as the index has it). */
function chunksByName(doc: CollectedDocument): Map<string, Chunk> {
  let own = ownChunks.get(doc);
  if (!own) ownChunks.set(doc, (own = new Map(doc.chunks.map((chunk) => [chunk.name, chunk]))));
  return own;
}
const ownChunks = new WeakMap<CollectedDocument, Map<string, Chunk>>();

/** A document's file targets by normalised path (the same objects for as long as the document lives). */
function normalisedTargets(doc: CollectedDocument): Map<string, FileTarget> {
  let targets = ownTargets.get(doc);
  if (!targets) ownTargets.set(doc, (targets = new Map(doc.files.map((file) => [posix.normalize(file.path), { ...file, path: posix.normalize(file.path) }]))));
  return targets;
}
const ownTargets = new WeakMap<CollectedDocument, Map<string, FileTarget>>();

/** Name → paths of the documents that define it, in document order. */
function definersOf(documents: readonly CollectedDocument[]): Map<string, string[]> {
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
  if (!config.outputDirs.some((dir) => normal.startsWith(`${dir}/`))) {
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

/** A part's lines, split once (parts are immutable and shared by every output that uses them). */
function linesOf(part: Part): string[] {
  let lines = partLines.get(part);
  if (!lines) partLines.set(part, (lines = part.value.split('\n')));
  return lines;
}
const partLines = new WeakMap<Part, string[]>();

/** Only spaces and tabs (or nothing). */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code !== 32 && code !== 9) return false;
  }
  return true;
}
