// generated from docs/engine/expand.lit.md by weft — edit the source, not this file
import { hash as digest } from 'node:crypto';
import { framingOf } from './emit.js';
import { constituents, documentsRead, isChunk, lookupChunk, type LookupIndex } from './lookup.js';
import { message, type RuleId } from './messages.js';
import type { Chunk, ExpandedFile, FileTarget, LineOrigin, Message, Part, Reference } from './types.js';

/** One target's expansion and what it depended on. Never mutated once returned. */
export interface ExpandedTarget {
  file: ExpandedFile;
  /** Messages the expansion produced. */
  messages: Message[];
  /** Chunks it used, each once (for the unused-chunk check). */
  used: Chunk[];
  /** Paths of every document it read chunks from (or whose chunks a message points into). */
  documents: string[];
}

/**
 * What one build's expansions share: each chunk's hash and each part's lines, computed
 * once however many outputs use them. Made fresh for every build (never module state).
 */
export interface ExpandCache {
  hashes: Map<Chunk, string>;
  lines: Map<Part, string[]>;
}

/** A new, empty `ExpandCache`. */
export function expandCache(): ExpandCache {
  return { hashes: new Map(), lines: new Map() };
}

/** A part's lines, split once per build. */
function linesOf(part: Part, cache: ExpandCache): string[] {
  let lines = cache.lines.get(part);
  if (!lines) cache.lines.set(part, (lines = part.value.split('\n')));
  return lines;
}

/** A part's lines under one chain and indentation (entries of reference lines are unused). */
interface RenderedPart {
  texts: string[];
  origins: LineOrigin[];
  /** UTF-8 bytes of each line, with its line ending. */
  bytes: number[];
}

function renderPart(part: Part, indent: string, via: string[], chunk: Chunk | null, lines: readonly string[]): RenderedPart {
  const rendered: RenderedPart = { texts: [], origins: [], bytes: [] };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const blank = isBlank(line);
    const text = blank ? '' : indent + line;
    rendered.texts.push(text);
    rendered.bytes.push(Buffer.byteLength(text) + 1);
    rendered.origins.push({ document: part.document, line: part.line + i, column: part.columns[i] ?? 1, indent: blank ? 0 : indent.length, chunk: chunk?.name ?? null, via });
  }
  return rendered;
}

/** The exact size of an expansion: bytes and lines, and how many of the lines are not blank. */
interface Size {
  bytes: number;
  lines: number;
  /** Lines that get the indentation of the reference (blank lines stay empty). */
  filled: number;
}

/** Expand one file target (its path already checked and normalised). */
export function expandTarget(target: FileTarget, index: LookupIndex, limits: { readonly maxDepth: number; readonly maxOutputBytes: number }, cache: ExpandCache): ExpandedTarget {
  const messages: Message[] = [];
  const documents = new Set<string>([target.document]);
  const used = new Set<Chunk>();
  const texts: string[] = [];
  const origins: LineOrigin[] = [];
  const chunks: Record<string, string> = {};
  const first = target.parts[0]!;
  const lang = first.lang;
  const framing = framingOf(target.path, lang, target.document);
  const framingBytes = framing.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  const file: ExpandedFile = { path: target.path, document: target.document, lang, texts, origins, chunks, failed: false };
  const done = () => ({ file, messages, used: [...used], documents: [...documents] });

  const find = (reference: Reference, from: string): Chunk | Message => {
    const found = lookupChunk(reference, from, index);
    for (const path of documentsRead(reference, from, found, index)) documents.add(path);
    return found;
  };
  const measured = measure(target.parts, find, limits.maxDepth, cache);
  if (measured.size.bytes + framingBytes > limits.maxOutputBytes) {
    messages.push(tooLarge(target, limits.maxOutputBytes, measured.size.bytes + framingBytes, measured.chain));
    file.failed = true;
    return done();
  }

  let bytes = framingBytes;
  let aborted = false;
  /** One `via` array per chain of chunk names, shared by every line under that chain. */
  const vias = new Map<readonly string[], Map<string, string[]>>();
  const viaOf = (via: readonly string[], name: string): string[] => {
    let next = vias.get(via);
    if (!next) vias.set(via, (next = new Map()));
    let array = next.get(name);
    if (!array) next.set(name, (array = [...via, name]));
    return array;
  };
  /**
   * A part's lines as generated under one chain (`via`) and indentation: the texts, their
   * origins and sizes, made once and shared by every expansion of the part there. A chunk
   * that a bomb expands a million times costs a million array slots, not a million objects.
   */
  const rendered = new Map<readonly string[], Map<Part, Map<string, RenderedPart>>>();
  const render = (part: Part, indent: string, via: string[], chunk: Chunk | null): RenderedPart => {
    let byPart = rendered.get(via);
    if (!byPart) rendered.set(via, (byPart = new Map()));
    let byIndent = byPart.get(part);
    if (!byIndent) byPart.set(part, (byIndent = new Map()));
    let done = byIndent.get(indent);
    if (!done) byIndent.set(indent, (done = renderPart(part, indent, via, chunk, linesOf(part, cache))));
    return done;
  };
  /** The chunks being expanded, outermost first (pushed and popped: no copy per reference). */
  const stack: Chunk[] = [];
  const expandPart = (part: Part, indent: string, via: string[], chunk: Chunk | null): void => {
    if (part.columns.length === 0) return; // no line between the fences (one blank line is one line)
    const lines = render(part, indent, via, chunk);
    let nextReference = 0;
    for (let i = 0; i < lines.texts.length && !aborted; i++) {
      const reference = part.references[nextReference];
      if (reference && reference.index === i) {
        nextReference++;
        expandReference(reference, part, indent, via);
        continue;
      }
      bytes += lines.bytes[i]!;
      if (bytes > limits.maxOutputBytes) {
        // The measurement said it fits; stop anyway rather than trust it.
        messages.push(tooLarge(target, limits.maxOutputBytes, bytes, stack.map((c) => c.name)));
        file.failed = true;
        aborted = true;
        return;
      }
      texts.push(lines.texts[i]!);
      origins.push(lines.origins[i]!);
    }
  };
  const lookups = new Map<Reference, Chunk | Message>();
  const expandReference = (reference: Reference, part: Part, indent: string, via: string[]): void => {
    let found = lookups.get(reference);
    if (!found) lookups.set(reference, (found = find(reference, part.document)));
    if (!isChunk(found)) {
      messages.push(found);
      file.failed = true;
      return;
    }
    for (const chunk of constituents(found, index)) used.add(chunk);
    const at = (rule: RuleId, text: string) => message(part.document, reference.line, reference.column, 'error', rule, text);
    if (stack.includes(found)) {
      const chain = [...stack.slice(stack.indexOf(found)), found].map((c) => `<<${c.name}>>`);
      messages.push(at('chunk-cycle', `reference cycle: ${chain.join(' → ')}`));
      file.failed = true;
      return;
    }
    if (stack.length + 1 > limits.maxDepth) {
      messages.push(at('expansion-limit', `references nest deeper than limits.maxDepth (${limits.maxDepth}) while expanding ${target.path}`));
      file.failed = true;
      aborted = true;
      return;
    }
    chunks[`${found.document}#${found.name}`] = hashOfChunk(found, cache.hashes);
    const innerVia = viaOf(via, found.name);
    stack.push(found);
    for (const innerPart of found.parts) expandPart(innerPart, indent + reference.indent, innerVia, found);
    stack.pop();
  };

  for (const part of target.parts) {
    if (aborted) break;
    expandPart(part, '', [], null);
  }
  if (!file.failed && texts.length === 0) {
    messages.push(message(target.document, first.fenceLine, first.fenceColumn, 'warning', 'empty-target', `${target.path} is empty`));
  }
  return done();
}

/**
 * The exact size the parts expand to, without expanding them, and the chain of the
 * largest references (for the message when it is too large). Each chunk is measured once.
 * References that do not resolve, that form a cycle or that nest too deep count as
 * nothing here; the expansion reports them.
 */
function measure(parts: readonly Part[], find: (reference: Reference, from: string) => Chunk | Message, maxDepth: number, cache: ExpandCache): { size: Size; chain: string[] } {
  const sizes = new Map<Chunk, Size>();
  /** For each chunk measured, the largest chunk it references (to name the chain). */
  const largest = new Map<Chunk | null, Chunk>();
  const sizeOf = (owner: Chunk | null, of: readonly Part[], stack: Chunk[]): Size => {
    const size: Size = { bytes: 0, lines: 0, filled: 0 };
    let biggest = -1;
    for (const part of of) {
      if (part.columns.length === 0) continue;
      const partLines = linesOf(part, cache);
      let nextReference = 0;
      for (let i = 0; i < partLines.length; i++) {
        const reference = part.references[nextReference];
        if (reference && reference.index === i) {
          nextReference++;
          const found = find(reference, part.document);
          if (!isChunk(found) || stack.includes(found) || stack.length >= maxDepth) continue;
          let inner = sizes.get(found);
          if (!inner) sizes.set(found, (inner = sizeOf(found, found.parts, [...stack, found])));
          const bytes = inner.bytes + inner.filled * reference.indent.length;
          size.bytes += bytes;
          size.lines += inner.lines;
          size.filled += inner.filled;
          if (bytes > biggest) {
            biggest = bytes;
            largest.set(owner, found);
          }
          continue;
        }
        const line = partLines[i]!;
        const blank = isBlank(line);
        size.bytes += blank ? 1 : Buffer.byteLength(line) + 1;
        size.lines += 1;
        if (!blank) size.filled += 1;
      }
    }
    return size;
  };
  const size = sizeOf(null, parts, []);
  const chain: string[] = [];
  for (let at = largest.get(null); at && !chain.includes(at.name); at = largest.get(at)) chain.push(at.name);
  return { size, chain };
}

function tooLarge(target: FileTarget, limit: number, bytes: number, chain: readonly string[]): Message {
  const first = target.parts[0]!;
  const notes = chain.length > 0 ? [`most of it comes through ${chain.map((name) => `<<${name}>>`).join(' → ')}`] : [];
  notes.push('a chunk referenced many times, many levels deep, grows exponentially; check the references');
  notes.unshift(`${chain.length > 0 ? 'measured' : 'stopped at'} ${bytes} bytes`);
  return message(target.document, first.fenceLine, first.fenceColumn, 'error', 'output-too-large', `${target.path} would be larger than limits.maxOutputBytes (${limit} bytes)`, notes);
}

/** The first 16 hex digits of the SHA-256 of a chunk's code, remembered per chunk in `hashes`. */
export function hashOfChunk(chunk: Chunk, hashes: Map<Chunk, string>): string {
  let hash = hashes.get(chunk);
  if (!hash) {
    hash = digest('sha256', chunk.parts.map((p) => p.value).join('\n'), 'hex').slice(0, 16);
    hashes.set(chunk, hash);
  }
  return hash;
}

/** Only spaces and tabs (or nothing). */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code !== 32 && code !== 9) return false;
  }
  return true;
}
//# sourceMappingURL=expand.ts.map
