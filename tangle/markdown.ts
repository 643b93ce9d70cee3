/**
 * Every Markdown parser configuration Weft uses, in one place, so that the commands agree
 * on what a document is (issue 13, part 5). There are two, on purpose:
 *
 * - The **prose parser** (`parseProse`): remark with GFM (tables, strikethrough,
 *   autolinks, footnotes) and math (`$…$`, `$$…$$`). For the consumers that need the
 *   inline content of the prose: `weave` renders it, `stats` counts its tokens, `explain`
 *   reads heading text. One configuration, so a table or a formula is the same thing to
 *   all three.
 * - The **block reader** (`parseBlocks`): remark with every inline construct switched
 *   off. The engine needs only the block structure (where each fenced block starts and
 *   ends, its info string and body), and it is the hot path of every build. CommonMark
 *   finds the block structure before any inline, so the code nodes are the same as the
 *   prose parser's (`test/markdown.test.ts` checks this on the repository's own `docs/`),
 *   while micromark's emphasis matching, which is super-linear (100 KB of `*a*a…` took
 *   minutes), never runs. Escapes and entities stay on: info strings decode them.
 *
 * Rejected: one full parser for everything (the build would pay for inline parsing it
 * throws away, and be open to the super-linear inputs); GFM in the block reader (its
 * block constructs — tables — never contain a fence's start, and its inline ones are
 * switched off anyway).
 */
import type { Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import { unified, type Processor } from 'unified';

/** The inline constructs the block reader switches off (micromark's names). */
export const INLINE_CONSTRUCTS = ['attention', 'autolink', 'codeText', 'hardBreakEscape', 'htmlText', 'labelEnd', 'labelStartImage', 'labelStartLink'];

/** remark for prose: CommonMark, GFM and math. */
const proseParser = unified().use(remarkParse).use(remarkGfm).use(remarkMath);

/** remark for block structure only: CommonMark with the inline constructs switched off. */
export const blockReader = unified()
  .use(remarkParse)
  .use(function blocksOnly(this: Processor) {
    const data = this.data();
    data.micromarkExtensions = [...(data.micromarkExtensions ?? []), { disable: { null: INLINE_CONSTRUCTS } }];
  });

/** A document's full Markdown tree, inline content included (weave, stats, explain). */
export function parseProse(text: string): Root {
  return proseParser.parse(text) as Root;
}

/** A document's block structure: inline content is left as plain text (the engine's reader). */
export function parseBlocks(text: string): Root {
  return blockReader.parse(text) as Root;
}
