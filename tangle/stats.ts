/**
 * `weft stats`: how big every document, chunk and output is, in lines, bytes and tokens.
 *
 * Token counts are what matters when agents read and regenerate the pieces; they use the
 * same tokenizer and the same texts as the budgets (`budgets.ts`), so `weft stats` shows
 * exactly the numbers a budget message would. A document's prose is counted on the text
 * a reader sees, not on its Markdown syntax: the document is parsed with remark (GFM on,
 * so a table is its cells, not its pipes) and the text of each paragraph, heading and
 * table cell is taken with mdast-util-to-string (links give their text, images their
 * alt text); fenced code, HTML and link definitions are not prose. Code is the text of
 * the blocks Weft tangles (chunks and file targets); example blocks with no target are
 * neither.
 *
 * Pure apart from loading the tokenizer: a tangled snapshot in, `ProjectStats` out.
 */
import type { Nodes, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import pc from 'picocolors';
import { bodyText, loadTokenizer, TOKENIZER, type TokenCounter } from './budgets.js';
import { parseProse } from './markdown.js';
import { byteOrder } from './read.js';
import type { TangledSnapshot } from './snapshot.js';
import { posix } from 'node:path';

/** Size of a text. */
export interface Measure {
  /** Lines (a final newline does not start another line). */
  lines: number;
  /** UTF-8 bytes of the text (documents: after line endings are normalised to LF). */
  bytes: number;
  /** BPE tokens (`tokenizer` in `ProjectStats`). */
  tokens: number;
}

export interface DocumentStats extends Measure {
  path: string;
  /** Tokens of the prose: the text of paragraphs, headings and table cells. */
  proseTokens: number;
  /** Tokens of the tangled code: the bodies of its chunks and file targets. */
  codeTokens: number;
  /** `proseTokens / codeTokens`, 2 decimals; null when the document has no code. */
  proseToCode: number | null;
  /** Named chunks defined in the document. */
  chunks: number;
}

export interface ChunkStats extends Measure {
  /** `chunk` for `#name` blocks; `file` for a file target's own blocks (name = its path). */
  kind: 'chunk' | 'file';
  name: string;
  document: string;
  /** 1-based line and column of the first part's opening fence. */
  line: number;
  column: number;
  /** Number of blocks that make it. */
  parts: number;
}

export interface OutputStats extends Measure {
  path: string;
  /** Document that defines it. */
  document: string;
}

/** The `--json` contract of `weft stats`. */
export interface ProjectStats {
  /** The encoding tokens are counted with. */
  tokenizer: string;
  /** In path order. */
  documents: DocumentStats[];
  /** In document order, then definition order. */
  chunks: ChunkStats[];
  /** In path order. */
  outputs: OutputStats[];
  /** The ten chunks with the most tokens, largest first. */
  largestChunks: ChunkStats[];
  totals: {
    documents: Measure & { proseTokens: number; codeTokens: number };
    outputs: Measure;
  };
}


/** Node types whose text is prose, taken whole. */
const PROSE_BLOCKS = new Set(['paragraph', 'heading', 'tableCell']);
/** Node types that are code or syntax, never prose. */
const NOT_PROSE = new Set(['code', 'html', 'definition', 'yaml', 'toml']);

/** The prose of a document: the text of its paragraphs, headings and table cells, one per line. */
export function proseText(text: string): string {
  const pieces: string[] = [];
  const visit = (node: Nodes) => {
    if (NOT_PROSE.has(node.type)) return;
    if (PROSE_BLOCKS.has(node.type)) {
      const prose = toString(node);
      if (prose.trim() !== '') pieces.push(prose);
      return;
    }
    if ('children' in node) for (const child of node.children) visit(child as Nodes);
  };
  visit(parseProse(text));
  return pieces.join('\n');
}

function measure(text: string, count: TokenCounter): Measure {
  return { lines: lineCount(text), bytes: Buffer.byteLength(text), tokens: count(text) };
}

function lineCount(text: string): number {
  if (text === '') return 0;
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n').length;
}

/** Measure every document, chunk and output of a tangled snapshot. */
export async function projectStats(project: TangledSnapshot): Promise<ProjectStats> {
  const count = await loadTokenizer();
  const chunks: ChunkStats[] = [];
  const documents: DocumentStats[] = project.documents.map((doc, index) => {
    const text = project.sources[index]!.text;
    const own: ChunkStats[] = [];
    const add = (kind: ChunkStats['kind'], name: string, target: (typeof doc.chunks)[number] | (typeof doc.files)[number]) => {
      const first = target.parts[0]!;
      const body = bodyText(target);
      // Lines of a body are its parts' lines (joining parts adds no line).
      const lines = target.parts.reduce((sum, part) => sum + lineCount(part.value), 0);
      own.push({ kind, name, document: doc.path, line: first.fenceLine, column: first.fenceColumn, parts: target.parts.length, lines, bytes: Buffer.byteLength(body), tokens: count(body) });
    };
    for (const chunk of doc.chunks) add('chunk', chunk.name, chunk);
    for (const file of doc.files) add('file', posix.normalize(file.path), file);
    own.sort((a, b) => a.line - b.line);
    chunks.push(...own);
    const proseTokens = count(proseText(text));
    const codeTokens = own.reduce((sum, c) => sum + c.tokens, 0);
    return {
      path: doc.path,
      ...measure(text, count),
      proseTokens,
      codeTokens,
      proseToCode: codeTokens === 0 ? null : Math.round((proseTokens / codeTokens) * 100) / 100,
      chunks: doc.chunks.length,
    };
  });
  const outputs: OutputStats[] = project.outputs.map((o) => ({ path: o.path, document: o.document, ...measure(o.content, count) }));
  const sum = <T extends Measure>(items: T[]): Measure => ({
    lines: items.reduce((s, i) => s + i.lines, 0),
    bytes: items.reduce((s, i) => s + i.bytes, 0),
    tokens: items.reduce((s, i) => s + i.tokens, 0),
  });
  return {
    tokenizer: TOKENIZER,
    documents,
    chunks,
    outputs,
    largestChunks: sortBy(chunks, 'tokens').slice(0, 10),
    totals: {
      documents: { ...sum(documents), proseTokens: documents.reduce((s, d) => s + d.proseTokens, 0), codeTokens: documents.reduce((s, d) => s + d.codeTokens, 0) },
      outputs: sum(outputs),
    },
  };
}

/** What a table can be sorted by. Numbers sort largest first, names alphabetically. */
export type SortKey = 'tokens' | 'lines' | 'bytes' | 'name';
export const SORT_KEYS: readonly SortKey[] = ['tokens', 'lines', 'bytes', 'name'];

/** What `--sort name` sorts by: the path, or the chunk's name as the table shows it. */
function nameOf(row: Measure): string {
  if ('path' in row) return (row as { path: string }).path;
  const chunk = row as ChunkStats;
  return `${chunk.kind === 'file' ? `file=${chunk.name}` : chunk.name}\0${chunk.document}`;
}

function sortBy<T extends Measure>(rows: readonly T[], key: SortKey): T[] {
  return [...rows].sort((a, b) => (key === 'name' ? 0 : b[key] - a[key]) || byteOrder(nameOf(a), nameOf(b)));
}

/** A table with a header, right-aligned numbers and left-aligned text. */
function table(header: string[], rows: string[][], numeric: boolean[], bold: (s: string) => string): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [bold(line(header)), ...rows.map(line)];
}

/** The terminal form: documents, outputs and the largest chunks, sorted by `sort`. */
export function formatStats(stats: ProjectStats, options: { sort?: SortKey; top?: number; color?: boolean } = {}): string {
  const sort = options.sort ?? 'tokens';
  const top = options.top ?? 10;
  const c = pc.createColors(options.color === true);
  const n = (value: number) => value.toLocaleString('en-US');
  const out: string[] = [];
  out.push(c.bold(`Documents (${stats.documents.length}; tokens: ${stats.tokenizer})`));
  out.push(
    ...table(
      ['lines', 'bytes', 'tokens', 'prose', 'code', 'prose/code', 'chunks', 'document'],
      sortBy(stats.documents, sort).map((d) => [n(d.lines), n(d.bytes), n(d.tokens), n(d.proseTokens), n(d.codeTokens), d.proseToCode === null ? '—' : d.proseToCode.toFixed(2), n(d.chunks), d.path]),
      [true, true, true, true, true, true, true, false],
      c.dim,
    ),
  );
  const t = stats.totals.documents;
  out.push(`total: ${n(t.lines)} lines, ${n(t.bytes)} bytes, ${n(t.tokens)} tokens (${n(t.proseTokens)} prose, ${n(t.codeTokens)} code)`, '');
  out.push(c.bold(`Outputs (${stats.outputs.length})`));
  out.push(
    ...table(
      ['lines', 'bytes', 'tokens', 'output', 'from'],
      sortBy(stats.outputs, sort).map((o) => [n(o.lines), n(o.bytes), n(o.tokens), o.path, o.document]),
      [true, true, true, false, false],
      c.dim,
    ),
  );
  const o = stats.totals.outputs;
  out.push(`total: ${n(o.lines)} lines, ${n(o.bytes)} bytes, ${n(o.tokens)} tokens`, '');
  const sorted = sortBy(stats.chunks, sort);
  const shown = top > 0 ? sorted.slice(0, top) : sorted;
  const title = sort === 'name' ? 'Chunks by name' : `Largest chunks by ${sort}`;
  out.push(c.bold(`${title} (${shown.length} of ${stats.chunks.length})`));
  out.push(
    ...table(
      ['lines', 'bytes', 'tokens', 'parts', 'chunk', 'defined at'],
      shown.map((ch) => [n(ch.lines), n(ch.bytes), n(ch.tokens), n(ch.parts), ch.kind === 'file' ? `file=${ch.name}` : ch.name, `${ch.document}:${ch.line}:${ch.column}`]),
      [true, true, true, true, false, false],
      c.dim,
    ),
  );
  if (shown.length < sorted.length) out.push(c.dim(`… ${sorted.length - shown.length} more (--top 0 shows all)`));
  return `${out.join('\n')}\n`;
}
