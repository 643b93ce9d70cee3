/**
 * Every Markdown parser configuration Weft uses, in one place, so that the commands agree
 * on what a document is (issue 13, part 5). There are two, on purpose:
 *
 * - The **prose parser** (`parseProse`): remark with GFM (tables, strikethrough,
 *   autolinks, footnotes) and math (`$…$`, `$$…$$`). For the consumers that need the
 *   inline content of the prose: `weave` renders it, `stats` counts its tokens, `explain`
 *   reads heading text. One configuration, so a table or a formula is the same thing to
 *   all three.
 * - The **block reader** (`parseBlocks`): remark with every inline construct (and link
 *   reference definitions) switched off. The engine needs only the block structure (where each fenced block starts and
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
import { createRequire } from 'node:module';
import type { Root } from 'mdast';
import type { Processor } from 'unified';

/**
 * The constructs the block reader switches off (micromark's names): every inline one, and
 * link reference definitions, which are made of paragraph text and so can never contain
 * a fence (a fence interrupts a paragraph), while 30,000 of them cost remark 530 MB.
 */
export const CONSTRUCTS_OFF = ['attention', 'autolink', 'codeText', 'hardBreakEscape', 'htmlText', 'labelEnd', 'labelStartImage', 'labelStartLink', 'definition'];

/**
 * remark is loaded on first use, not when this module is imported. The engine's hot path
 * reads almost every document with the line scanner (`scan.ts`) and, in a build, parses
 * the rest in worker threads (`parse-pool.ts`), so a `weft tangle` run usually never
 * calls remark in its main thread; importing remark, GFM and math eagerly cost about
 * 90 ms of every run's start-up (measured: `lib/markdown.js` 88 ms of the 137 ms it took
 * to import `weft tangle`'s command module). The loading is synchronous, through
 * `require` of the ES modules (Node ≥ 20.19), so the parsers keep their synchronous API.
 *
 * Rejected: `await import()` (would make `parseDocument` and every pure stage above it
 * asynchronous); passing a parser into the pipeline (every consumer would have to supply
 * one to get the behaviour that is the only correct one).
 */
const load = createRequire(import.meta.url);

let proseParser: Processor | undefined;
let blockReader: Processor | undefined;

/** remark for prose: CommonMark, GFM and math. */
function prose(): Processor {
  if (!proseParser) {
    const { unified } = load('unified') as typeof import('unified');
    const remarkParse = (load('remark-parse') as typeof import('remark-parse')).default;
    const remarkGfm = (load('remark-gfm') as typeof import('remark-gfm')).default;
    const remarkMath = (load('remark-math') as typeof import('remark-math')).default;
    proseParser = unified().use(remarkParse).use(remarkGfm).use(remarkMath) as unknown as Processor;
  }
  return proseParser;
}

/** remark for block structure only: CommonMark with the inline constructs switched off. */
function blocks(): Processor {
  if (!blockReader) {
    const { unified } = load('unified') as typeof import('unified');
    const remarkParse = (load('remark-parse') as typeof import('remark-parse')).default;
    blockReader = unified()
      .use(remarkParse)
      .use(function blocksOnly(this: Processor) {
        const data = this.data();
        data.micromarkExtensions = [...(data.micromarkExtensions ?? []), { disable: { null: CONSTRUCTS_OFF } }];
      }) as unknown as Processor;
  }
  return blockReader;
}

/** A document's full Markdown tree, inline content included (weave, stats, explain). */
export function parseProse(text: string): Root {
  return prose().parse(text) as Root;
}

/** A document's block structure: inline content is left as plain text (the engine's reader). */
export function parseBlocks(text: string): Root {
  return blocks().parse(text) as Root;
}
