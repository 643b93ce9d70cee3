// generated from docs/engine/scan.lit.md by weft — edit the source, not this file
import { message } from './messages.js';
import type { Block, Message } from './types.js';

/**
 * What remark is given when the scanner cannot read a document. micromark is quadratic
 * on some ordinary shapes (many block quotes or loose list items holding code: 256 KiB
 * takes about 10 s and 400 MB) and in the depth of nesting (one line of 200,000 `>`
 * takes many minutes), so a document over either limit is refused with a message
 * instead of hanging the build. Documents the scanner reads have neither limit (only
 * `limits.maxDocumentBytes`).
 */
export const MAX_REMARK_CHARS = 256 * 1024;
/** Most block quote and list markers at the start of one line (real documents use a few). */
export const MAX_CONTAINER_NESTING = 32;

const CONTAINER_MARKER = /[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))/y;

/** Why remark must not be given this document (too large, or nested too deep), if it must not. */
export function tooComplexForRemark(source: { path: string; text: string }): Message | undefined {
  const advice = 'documents of any size and depth are read quickly when every fence starts a line outside lists, quotes and HTML blocks';
  if (source.text.length > MAX_REMARK_CHARS) {
    return message(source.path, 0, 0, 'error', 'document-too-complex', `document is ${source.text.length} characters and needs the full Markdown parser, which reads at most ${MAX_REMARK_CHARS}`, [
      advice,
      'split the document, or move its fenced code out of lists, quotes and HTML',
    ]);
  }
  let start = 0;
  for (let line = 1; start <= source.text.length; line++) {
    const end = source.text.indexOf('\n', start);
    const text = source.text.slice(start, end < 0 ? source.text.length : end);
    CONTAINER_MARKER.lastIndex = 0;
    let depth = 0;
    while (CONTAINER_MARKER.exec(text) && ++depth <= MAX_CONTAINER_NESTING);
    if (depth > MAX_CONTAINER_NESTING) {
      return message(source.path, line, 1, 'error', 'document-too-complex', `line nests more than ${MAX_CONTAINER_NESTING} lists and block quotes, more than the full Markdown parser reads`, [advice]);
    }
    if (end < 0) break;
    start = end + 1;
  }
  return undefined;
}

const OPENING = /^(`{3,}|~{3,})(.*)$/;

/** What the scanner made of a document: its blocks, or the first line it cannot read (1-based) and why. */
export type ScanResult = { blocks: Block[] } | { line: number; reason: string };

/** The fenced blocks (with or without an info string), or undefined when remark must decide. */
export function scanBlocks(text: string): Block[] | undefined {
  const result = scanDocument(text);
  return 'blocks' in result ? result.blocks : undefined;
}

/**
 * The fenced blocks; or, when remark must decide, the first line
 * that could not be read and why (the place a refusal points at).
 */
export function scanDocument(text: string): ScanResult {
  const nul = text.indexOf('\0');
  if (nul >= 0) return { line: text.slice(0, nul).split('\n').length, reason: 'a NUL character' };
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const first = line.charCodeAt(0);
    if (first === 96 /* ` */ || first === 126 /* ~ */) {
      const match = OPENING.exec(line);
      if (match) {
        const fence = match[1]!;
        const rawInfo = match[2]!;
        const char = fence[0]!;
        if (char === '`' && rawInfo.includes('`')) return { line: i + 1, reason: 'a backtick in the info string of a backtick fence' };
        if (/[\\&]/.test(rawInfo) || /[ \t]$/.test(rawInfo)) return { line: i + 1, reason: 'an escape, entity or trailing space in an info string' };
        // CommonMark trims spaces and tabs only: JavaScript's trim() would also eat
        // no-break spaces, form feeds and byte-order marks, which remark keeps.
        const info = rawInfo.replace(/^[ \t]+/, '');
        // Find the closing fence.
        let end = i + 1;
        while (end < lines.length && !isClosing(lines[end]!, char, fence.length)) end++;
        {
          const content = lines.slice(i + 1, end);
          const space = info.search(/[ \t]/);
          const lang = info.length === 0 ? null : space < 0 ? info : info.slice(0, space);
          const meta = space < 0 ? null : info.slice(space).replace(/^[ \t]+/, '') || null;
          const block: Block = {
            lang,
            meta,
            value: content.join('\n'),
            fenceLine: i + 1,
            fenceColumn: 1,
            // One column per line between the fences: one blank line is a line, as in CommonMark.
            columns: content.map(() => 1),
          };
          if (end >= lines.length) block.unclosed = true;
          blocks.push(block);
        }
        i = end + 1;
        continue;
      }
    }
    if (line.includes('```') || line.includes('~~~')) return { line: i + 1, reason: 'a fence (or inline code) that does not start a line outside lists and quotes' };
    if (/^ {0,3}</.test(line)) return { line: i + 1, reason: 'a line that may start an HTML block' };
    i++;
  }
  return { blocks };
}

function isClosing(line: string, char: string, length: number): boolean {
  let i = 0;
  while (i < 3 && line.charCodeAt(i) === 32) i++;
  let count = 0;
  while (line[i + count] === char) count++;
  if (count < length) return false;
  for (let j = i + count; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}
//# sourceMappingURL=scan.ts.map
