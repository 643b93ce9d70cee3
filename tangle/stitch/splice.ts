/**
 * Splice stage: part edits → the new text of a `.lit.md`.
 *
 * Parts know where their lines are (`Part.line`, and per line the column where the code
 * starts, after block-quote markers and list indentation, as the parser saw it), so only
 * the code after that column is replaced and whatever stands in front of it is kept. New
 * lines take the prefix of a neighbouring code line (`> `, list indentation), or the
 * opening fence's prefix with list markers turned to spaces when the block was empty. A new
 * line that would close the fence (a run of backticks or tildes at least as long) makes
 * both fences longer. The document's own line endings and byte order mark are kept.
 *
 * Pure: text in, text out. `verify.ts` re-parses the result, so a splice that a parser
 * reads differently is caught before anything is written.
 */
import type { Part } from '../types.js';
import type { PartEdit } from './map.js';

/** Apply edits (all of one document) to its text. Edits of one part must not overlap. */
export function splice(text: string, edits: readonly PartEdit[]): string {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const crlf = text.includes('\r\n');
  const lines = text.slice(bom.length).replace(/\r\n/g, '\n').split('\n');
  const byPart = new Map<Part, PartEdit[]>();
  for (const edit of edits) {
    if (!byPart.has(edit.part)) byPart.set(edit.part, []);
    byPart.get(edit.part)!.push(edit);
  }
  // Bottom-up, so the line numbers of the parts above stay valid.
  const parts = [...byPart.keys()].sort((a, b) => b.line - a.line);
  for (const part of parts) {
    const count = part.columns.length;
    const first = part.line - 1;
    const prefixes = part.columns.map((column, i) => lines[first + i]!.slice(0, column - 1));
    const code = part.columns.map((column, i) => lines[first + i]!.slice(column - 1));
    const fenceText = lines[part.fenceLine - 1]!;
    const fenceStart = part.fenceColumn - 1;
    const fallback = fenceText.slice(0, fenceStart).replace(/([-*+]|\d{1,9}[.)])( |$)/g, (m) => ' '.repeat(m.length));
    const fullPrefix = (near: number) => {
      for (let d = 0; d < count; d++) {
        for (const i of [near - d, near + d]) if (i >= 0 && i < count && code[i]!.trim() !== '') return prefixes[i]!;
      }
      return fallback;
    };
    const newLines: string[] = [];
    let cursor = 0;
    for (const edit of [...byPart.get(part)!].sort((a, b) => a.start - b.start)) {
      for (; cursor < edit.start; cursor++) newLines.push(lines[first + cursor]!);
      for (const line of edit.lines) {
        const prefix = fullPrefix(Math.min(edit.start, count - 1));
        newLines.push(line === '' ? prefix.trimEnd() : prefix + line);
      }
      cursor = edit.start + edit.deleteCount;
    }
    for (; cursor < count; cursor++) newLines.push(lines[first + cursor]!);
    // Lengthen the fences when a new line would close the block.
    const fence = /^(`{3,}|~{3,})/.exec(fenceText.slice(fenceStart));
    if (fence) {
      const marker = fence[1]!;
      const longest = Math.max(
        0,
        ...newLines.map((line, i) => {
          const body = line.slice(Math.min(line.length, (prefixes[Math.min(i, count - 1)] ?? fallback).length)).trimStart();
          const run = new RegExp(`^\\${marker[0]}{3,}`).exec(body);
          return run ? run[0].length : 0;
        }),
      );
      if (longest >= marker.length) {
        const longer = marker[0]!.repeat(longest + 1);
        lines[part.fenceLine - 1] = fenceText.slice(0, fenceStart) + longer + fenceText.slice(fenceStart + marker.length);
        const closing = first + count;
        const close = lines[closing];
        const closeRun = close === undefined ? null : new RegExp(`^([^\\${marker[0]}]*?)(\\${marker[0]}{${marker.length},})([ \\t]*)$`).exec(close);
        if (closeRun) lines[closing] = closeRun[1] + longer + closeRun[3];
      }
    }
    lines.splice(first, count, ...newLines);
  }
  const joined = lines.join('\n');
  return bom + (crlf ? joined.replace(/\n/g, '\r\n') : joined);
}
