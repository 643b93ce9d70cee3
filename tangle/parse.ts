// generated from docs/engine/parse.lit.md by weft — edit the source, not this file
import type { Code, Nodes } from 'mdast';
import { parseBlocks } from './markdown.js';
import { parsedDocument, type Reader } from './fence-checks.js';
import { scanBlocks, tooComplexForRemark } from './scan.js';
import type { Block, ParsedDocument } from './types.js';
import type { SourceText } from './read.js';

export type { Reader } from './fence-checks.js';

/**
 * Parse a decoded document into its blocks, in this thread and without a time budget:
 * for callers that parse one document they trust (tests, `explain`). Builds parse with
 * `parseMany` (`parse-pool.ts`), which gives remark a time and memory budget.
 */
export function parseDocument(source: SourceText, options: { reader?: Reader | 'auto' } = {}): ParsedDocument & { reader: Reader } {
  const reader = options.reader ?? 'auto';
  if (reader !== 'remark') {
    const scanned = scanBlocks(source.text);
    if (scanned) return parsedDocument(source, scanned, 'scanner');
    if (reader === 'scanner') throw new TypeError('scanBlocks cannot read this document; use reader "auto" or "remark"');
  }
  const tooComplex = tooComplexForRemark(source);
  if (tooComplex) return { path: source.path, hash: source.hash, blocks: [], messages: [...source.messages, tooComplex], reader: 'remark' };
  return parsedDocument(source, remarkBlocks(source.text), 'remark');
}

/** The fenced blocks (with or without an info string), as remark sees them. */
export function remarkBlocks(text: string): Block[] {
  const tree = parseBlocks(text);
  const lines = text.split('\n');
  const blocks: Block[] = [];
  // Depth-first, in document order, with an explicit stack: documents nest thousands deep.
  const stack: Nodes[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'code') {
      const block = toBlock(node, lines);
      if (block) blocks.push(block);
    } else if ('children' in node) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Nodes);
    }
  }
  return blocks;
}

function toBlock(node: Code, lines: string[]): Block | undefined {
  if (!node.position) return undefined;
  const { start, end } = node.position;
  // Fenced, not indented: an indented block starts at its indentation, a fenced one at its fence.
  const first = lines[start.line - 1]![start.column - 1];
  if (first !== '`' && first !== '~') return undefined;
  const fenceLine = start.line;
  const value = node.value;
  const closed = isClosedFence(lines, start, end, value);
  // Count the content lines from the fences, as CommonMark does: `value` cannot tell
  // one blank line from none. Unclosed, the block ends at the end of its last line or
  // at the start of the line after it.
  const count = closed ? end.line - start.line - 1 : value.length > 0 ? value.split('\n').length : Math.min(1, end.line - start.line - (end.column === 1 ? 1 : 0));
  const contentLines = count === 0 ? [] : value.split('\n');
  const columns = contentLines.map((content, i) => {
    const raw = lines[fenceLine + i] ?? '';
    // The content is what is left of the raw line after container markers and fence
    // indentation are removed, so it is (nearly always) a suffix of the raw line.
    // Tabs partly consumed by indentation are the exception: fall back to column 1.
    return content.length > 0 && raw.endsWith(content) ? raw.length - content.length + 1 : content.length === 0 ? raw.length + 1 : 1;
  });
  const block: Block = {
    lang: node.lang ?? null,
    meta: node.meta ?? null,
    value,
    fenceLine,
    fenceColumn: start.column,
    columns,
  };
  if (!closed) block.unclosed = true;
  return block;
}

/**
 * Whether remark found a closing fence: the node then ends on its own line, after the
 * content, at the end of a run of the opening fence's character at least as long.
 */
function isClosedFence(lines: string[], start: { line: number; column: number }, end: { line: number; column: number }, value: string): boolean {
  if (end.line <= start.line || end.column === 1) return false;
  const opening = lines[start.line - 1]!.slice(start.column - 1);
  const char = opening[0]!;
  let length = 0;
  while (opening[length] === char) length++;
  const last = lines[end.line - 1]!.slice(0, end.column - 1).replace(/[ \t]+$/, '');
  let run = 0;
  while (run < last.length && last[last.length - 1 - run] === char) run++;
  if (run < length) return false;
  // A last content line that merely ends in fence characters leaves no line for a closer.
  const contentLines = value.length === 0 ? 0 : value.split('\n').length;
  return contentLines <= end.line - start.line - 1;
}
//# sourceMappingURL=parse.ts.map
