// generated from docs/engine/fence-checks.lit.md by weft — edit the source, not this file
import { code, infoOf, namesTarget, parseInfo, unclearInfoString, understood } from './info-string.js';
import { message } from './messages.js';
import type { SourceText } from './read.js';
import type { Block, Message, ParsedDocument } from './types.js';

/** Which reader produced the blocks: the line scanner (fast) or remark (slow, so worth caching). */
export type Reader = 'scanner' | 'remark';

/** A document's parse: its blocks, and the read stage's messages followed by the blocks' own. */
export function parsedDocument(source: SourceText, blocks: Block[], reader: Reader): ParsedDocument & { reader: Reader } {
  return { path: source.path, hash: source.hash, blocks, messages: [...source.messages, ...checkBlocks(source.path, blocks, source.text)], reader };
}

/** An opening fence after up to 3 spaces: its run and the info string after it. */
const FENCE_LIKE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`]*)$/;

/** How many swallowed lines an `unclosed-fence` message lists before it stops. */
const LISTED_SWALLOWED = 3;

/** The messages for `path`'s blocks; `text` is the document (for the fences' own text). */
export function checkBlocks(path: string, blocks: readonly Block[], text: string): Message[] {
  const messages: Message[] = [];
  // The document's lines are needed only for an unclosed block or a fence-like line of code (rare).
  let documentLines: string[] | undefined;
  const lines = () => (documentLines ??= text.split('\n'));
  for (const block of blocks) {
    const unclear = unclearInfoString(path, block);
    if (unclear) messages.push(unclear);
    if (!block.unclosed && !/```|~~~/.test(block.value)) continue;
    const opening = fenceRun(lines()[block.fenceLine - 1]!.slice(block.fenceColumn - 1));
    const contentLines = block.columns.length === 0 ? [] : block.value.split('\n');
    const swallowed: { line: number; column: number; text: string; info: string }[] = [];
    contentLines.forEach((content, i) => {
      const fence = FENCE_LIKE.exec(content);
      if (!fence || !namesTarget(parseInfo(fence[2]!))) return;
      swallowed.push({ line: block.fenceLine + 1 + i, column: block.columns[i] ?? 1, text: content.trim(), info: fence[2]! });
      // Only a run that could have closed this block, had it carried no info string, is a
      // mistake for sure: inside a longer fence, a Weft block is an example of one.
      if (fence[1]![0] !== opening[0] || fence[1]!.length < opening.length) return;
      messages.push(
        message(path, block.fenceLine + 1 + i, block.columns[i] ?? 1, 'warning', 'swallowed-fence', `${code(content.trim())} is a line of code inside the block at line ${block.fenceLine}, not the start of ${understood(parseInfo(fence[2]!))}`, [
          `the block at ${path}:${block.fenceLine}:${block.fenceColumn} (${code(opening + infoOf(block))}) is not closed before this line; close it with ${opening} on a line of its own`,
        ]),
      );
    });
    if (block.unclosed) messages.push(unclosedFence(path, block, opening, swallowed, lastNonBlankLine(lines())));
  }
  return messages;
}

function unclosedFence(path: string, block: Block, opening: string, swallowed: { line: number; text: string }[], lastWrittenLine: number): Message {
  const info = parseInfo(infoOf(block));
  const target = namesTarget(info);
  const lastLine = block.fenceLine + block.columns.length;
  const toEnd = lastLine >= lastWrittenLine;
  const where = toEnd ? 'the end of the document' : `the end of the list item or block quote that holds it (line ${lastLine})`;
  const notes = [`close it with a line of ${opening} after its last line of code`];
  if (target) notes.push(`${toEnd ? 'the rest of the document' : `every line up to line ${lastLine}`} would become part of ${understood(info)}`);
  for (const line of swallowed.slice(0, LISTED_SWALLOWED)) notes.push(`line ${line.line} (${code(line.text)}) looks like the start of another block, but it is code inside this one`);
  if (swallowed.length > LISTED_SWALLOWED) notes.push(`and ${swallowed.length - LISTED_SWALLOWED} more such lines`);
  return message(path, block.fenceLine, block.fenceColumn, target ? 'error' : 'warning', 'unclosed-fence', `code block is never closed; it runs to ${where}`, notes);
}

/** The fence characters that open a line (``` or ~~~, any length). */
function fenceRun(line: string): string {
  const char = line[0]!;
  let length = 0;
  while (line[length] === char) length++;
  return line.slice(0, length);
}

/** 1-based number of the last line with anything but spaces and tabs; 0 for a blank document. */
function lastNonBlankLine(lines: string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (/[^ \t]/.test(lines[i]!)) return i + 1;
  return 0;
}
//# sourceMappingURL=fence-checks.ts.map
