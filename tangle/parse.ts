/**
 * Parse stage: a document's text → its fenced code blocks, with exact positions.
 *
 * remark-parse (CommonMark, via unified) is the reference for what counts as fenced
 * code: backtick and tilde fences of any length, in list items and block quotes. For
 * speed, the line scanner in `scan.ts` answers first and remark is asked only when the
 * scanner is not certain; both give the same blocks (proven by a differential test).
 *
 * GFM is deliberately not enabled here: the syntax contract is "what CommonMark parses
 * as fenced code", and GFM's extensions do not change which fences exist.
 *
 * Pure: text in, data out. The result depends only on the text, so it is cached by the
 * text's hash (see `context.ts`).
 */
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { Code, Nodes } from 'mdast';
import { scanBlocks } from './scan.js';
import type { Block, ParsedDocument } from './types.js';
import type { SourceText } from './read.js';

const processor = unified().use(remarkParse);

/** Which reader produced the blocks: useful to tests and benchmarks. */
export type Reader = 'scanner' | 'remark';

/** Parse a decoded document into its blocks. */
export function parseDocument(source: SourceText, options: { reader?: Reader | 'auto' } = {}): ParsedDocument & { reader: Reader } {
  const reader = options.reader ?? 'auto';
  if (reader !== 'remark') {
    const scanned = scanBlocks(source.text);
    if (scanned) return { path: source.path, hash: source.hash, blocks: scanned, messages: source.messages, reader: 'scanner' };
    if (reader === 'scanner') throw new TypeError('scanBlocks cannot read this document; use reader "auto" or "remark"');
  }
  return { path: source.path, hash: source.hash, blocks: remarkBlocks(source.text), messages: source.messages, reader: 'remark' };
}

/** The fenced blocks with an info string, as remark sees them. */
export function remarkBlocks(text: string): Block[] {
  const tree = processor.parse(text);
  const lines = text.split('\n');
  const blocks: Block[] = [];
  const visit = (node: Nodes) => {
    if (node.type === 'code') {
      const block = toBlock(node, lines);
      if (block) blocks.push(block);
      return;
    }
    if ('children' in node) for (const child of node.children) visit(child as Nodes);
  };
  visit(tree);
  return blocks;
}

function toBlock(node: Code, lines: string[]): Block | undefined {
  if (node.lang == null || !node.position) return undefined;
  const fenceLine = node.position.start.line;
  const value = node.value;
  const contentLines = value.length === 0 ? [] : value.split('\n');
  const columns = contentLines.map((content, i) => {
    const raw = lines[fenceLine + i] ?? '';
    // The content is what is left of the raw line after container markers and fence
    // indentation are removed, so it is (nearly always) a suffix of the raw line.
    // Tabs partly consumed by indentation are the exception: fall back to column 1.
    return content.length > 0 && raw.endsWith(content) ? raw.length - content.length + 1 : content.length === 0 ? raw.length + 1 : 1;
  });
  return {
    lang: node.lang,
    meta: node.meta ?? null,
    value,
    fenceLine,
    fenceColumn: node.position.start.column,
    columns,
  };
}
