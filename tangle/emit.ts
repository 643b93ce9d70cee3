// generated from docs/engine/emit.lit.md by weft — edit the source, not this file
import { encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';
import { posix } from 'node:path';
import { commentStyleFor, type CommentOverrides } from './comment-syntax.js';
import type { ExpandedFile, LineOrigin, Output } from './types.js';

/** Extensions that get a source map. */
export const MAPPED_EXTENSIONS = new Set(['.ts', '.tsx', '.js', '.mjs', '.cjs', '.mts', '.cts', '.jsx']);

/** The one-line header, without comment syntax. */
export function headerText(document: string): string {
  return `generated from ${document} by weft — edit the source, not this file`;
}

const NO_ORIGIN: LineOrigin = { document: null, line: 0, column: 0, indent: 0, chunk: null, via: [] };

/** The header line of an output, or null when its language has no comments we know (see comment-syntax.ts). */
function headerLine(path: string, lang: string | null, document: string, comments?: CommentOverrides): string | null {
  const style = commentStyleFor(path, lang, comments);
  return style ? `${style.open} ${headerText(document)}${style.close}` : null;
}

/** The source-map comment that ends a JavaScript or TypeScript output, or null for other files. */
function mapComment(path: string): string | null {
  return MAPPED_EXTENSIONS.has(posix.extname(path).toLowerCase()) ? `//# sourceMappingURL=${posix.basename(path)}.map` : null;
}

/** The lines emit adds to an output's expanded lines (header, source-map comment), for exact size limits. */
export function framingOf(path: string, lang: string | null, document: string, comments?: CommentOverrides): string[] {
  return [headerLine(path, lang, document, comments), mapComment(path)].filter((line): line is string => line !== null);
}

/**
 * Turn an expanded file into the output to write. `comments`: the config's `comments`
 * (extension or language → line-comment marker, null for no header). @default {}
 */
export function emitFile(file: ExpandedFile, comments?: CommentOverrides): Output {
  const lines = file.texts.slice();
  const origins = file.origins.slice();
  const header = headerLine(file.path, file.lang, file.document, comments);
  if (header !== null) {
    const at = lines.length > 0 && lines[0]!.startsWith('#!') ? 1 : 0;
    lines.splice(at, 0, header);
    origins.splice(at, 0, NO_ORIGIN);
  }
  const comment = mapComment(file.path);
  let map: string | null = null;
  if (comment !== null) {
    map = buildSourceMap(file.path, lines, origins);
    lines.push(comment);
    origins.push(NO_ORIGIN);
  }
  const content = `${lines.join('\n')}\n`;
  return {
    path: file.path,
    document: file.document,
    content,
    mode: content.startsWith('#!') ? 0o755 : 0o644,
    map,
    origins,
    chunks: file.chunks,
  };
}

/** Lines encoded at a time: the segments of a whole output are never all held as arrays at once. */
const MAP_BATCH_LINES = 4096;

/**
 * A version 3 source map from the generated lines back to the documents. The mappings are
 * encoded a batch of lines at a time, so an output of millions of lines never holds its
 * segments as millions of arrays. Segment fields are relative to the previous segment, so
 * each batch but the first is encoded behind a copy of the last segment before it, whose
 * encoding is then cut off: the text is exactly what encoding every line at once gives.
 */
export function buildSourceMap(path: string, lines: string[], origins: LineOrigin[]): string {
  const dir = posix.dirname(path);
  const sources: string[] = [];
  const sourceIndex = new Map<string, number>();
  const parts: string[] = [];
  let last: SourceMapSegment | undefined;
  for (let start = 0; start < lines.length; start += MAP_BATCH_LINES) {
    const batch: SourceMapSegment[][] = [];
    const carried = last !== undefined;
    if (last) batch.push([[0, last[1]!, last[2]!, last[3]!]]);
    for (let i = start; i < Math.min(lines.length, start + MAP_BATCH_LINES); i++) {
      const origin = origins[i]!;
      let source: number | undefined;
      if (origin.document !== null) {
        source = sourceIndex.get(origin.document);
        if (source === undefined) {
          source = sources.length;
          sources.push(posix.relative(dir, origin.document));
          sourceIndex.set(origin.document, source);
        }
      }
      const segments = source === undefined ? [] : lineSegments(lines[i]!, origin, source);
      batch.push(segments);
      if (segments.length > 0) last = segments[segments.length - 1];
    }
    const encoded = encode(batch);
    parts.push(carried ? encoded.slice(encoded.indexOf(';') + 1) : encoded);
  }
  return JSON.stringify({ version: 3, file: posix.basename(path), sources, names: [], mappings: parts.join(';') });
}

/** The segments of one generated line: its start, then one per word (see `startsToken`). */
function lineSegments(text: string, origin: LineOrigin, source: number): SourceMapSegment[] {
  const line = origin.line - 1;
  const column = origin.column - 1;
  // Column 0 (the indentation a reference added, if any) maps to the start of the text.
  const segments: SourceMapSegment[] = [[0, source, line, column]];
  let previous = origin.indent > 0 ? text.charCodeAt(origin.indent - 1) : 32;
  for (let at = origin.indent; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (at > 0 && (at === origin.indent || startsToken(code, previous))) segments.push([at, source, line, column + at - origin.indent]);
    previous = code;
  }
  return segments;
}

/**
 * Where a lookup should land: a non-blank character after white space, or a word that
 * starts after punctuation (`toBe` in `expect(x).toBe(y)`, where V8 puts the call).
 */
function startsToken(code: number, previous: number): boolean {
  if (code === 32 || code === 9) return false;
  if (previous === 32 || previous === 9) return true;
  return isWord(code) && !isWord(previous);
}

function isWord(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36 || code > 127;
}
//# sourceMappingURL=emit.ts.map
