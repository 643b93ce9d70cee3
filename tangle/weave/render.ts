/**
 * Render one document's page body: prose through remark → rehype, code blocks as woven
 * chunks with captions, notes, highlighted code and linked references.
 *
 * The prose needs the Markdown tree, so it is parsed here with the shared prose parser
 * (`markdown.ts`: GFM and math). Which blocks are chunks, their names, numbers and
 * references all come from the page view (`PageView`, built from the engine's chunk graph
 * by model.ts): a code node is matched to its part by the line of its opening fence, so
 * weave never reads an info string to decide what a block defines. Fences that define
 * nothing are highlighted and kept as they are. A render depends on nothing but the text,
 * the view, the site's document paths and the options, so it can run in a worker thread
 * (render-pool.ts) and be cached by their hash.
 *
 * Ids on a page: headings get GitHub-style slugs, except that one that would start with
 * `chunk-` or `file-` (the chunk anchors' prefixes) is prefixed with `section-`, and the
 * page's own ids (`main`, `weft-*`) are reserved first, so no two elements share an id.
 */
import GithubSlugger from 'github-slugger';
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import type { Code } from 'mdast';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { posix } from 'node:path';
import { parseInfo } from '../info-string.js';
import { parseProse as parseProseTree } from '../markdown.js';
import { scanBlocks } from '../scan.js';
import type { Block } from '../types.js';
import { eachElement, h, raw, serialise, textOf, type Child } from './hast.js';
import { blockHtml, grammarOf, highlightBlock, loadHighlighter, type BlockHighlighter, type Themes } from './highlight.js';
import { hrefFrom, listInSentence, pageOf, tangledPageOf, type PageView, type PartView, type PlaceView } from './model.js';

/** Ids every page uses for itself; headings never take them. */
export const RESERVED_IDS = ['main', 'weft-search', 'weft-results', 'weft-theme', 'weft-top'];

/** What rendering needs besides the document. */
export interface RenderOptions {
  themes: Themes;
  /** Base URL of the sources (e.g. `https://github.com/o/r/blob/main`), or null. */
  repoUrl: string | null;
}

/** One entry of the search index. */
export interface SearchEntry {
  /** Site-relative URL with anchor. */
  url: string;
  title: string;
  text: string;
  kind: 'section' | 'chunk';
}

/** A rendered document. */
export interface RenderedDocument {
  /** The first level-1 heading's text, or the file name. */
  title: string;
  /** The HTML of the children of `<main>` (plain data, so it can be cached on disk). */
  body: string;
  /** Whether the page has math (then it links KaTeX's CSS). */
  math: boolean;
  search: SearchEntry[];
}

/**
 * Render a document's page body from its text and its page view. Pure apart from the
 * process's highlighter; `documents` is every document path of the site (a relative link to
 * one of them becomes a link to its page).
 */
export async function renderDocument(text: string, view: PageView, documents: ReadonlySet<string>, options: RenderOptions): Promise<RenderedDocument> {
  const { tree, codeAt } = proseOf(text);
  const langs = new Set<string>();
  let math = false;
  const walk = (node: { type: string; children?: unknown[]; lang?: string | null }) => {
    if (node.type === 'code') langs.add(grammarOf(node.lang ?? null));
    if (node.type === 'math' || node.type === 'inlineMath') math = true;
    for (const child of (node.children ?? []) as (typeof node)[]) walk(child);
  };
  walk(tree);
  const highlighter = await loadHighlighter(options.themes, langs);
  const page = view.page;
  const partsByFence = new Map(view.parts.map((part) => [part.fenceLine, part]));

  const codeHandler = (_state: unknown, node: Code): ElementContent => {
    const part = node.position ? partsByFence.get(node.position.start.line) : undefined;
    const info = parseInfo(node.lang === null || node.lang === undefined ? '' : node.meta ? `${node.lang} ${node.meta}` : node.lang);
    const collapsed = info.attributes.weave === 'collapsed';
    if (!part) {
      const value = (node.position && codeAt.get(node.position.start.line)) ?? node.value;
      const pre = raw(blockHtml(highlightBlock(highlighter, value, grammarOf(info.lang))));
      return collapsed ? h('details', { className: ['plain'] }, h('summary', {}, 'Show code'), pre) : pre;
    }
    return renderPart(part, view, highlighter, options, collapsed);
  };

  const processor = unified().use(remarkRehype, { handlers: { code: codeHandler as never } });
  // KaTeX is loaded by the first document with math only (a thread without math saves 60–80 ms of start-up).
  if (math) processor.use((await import('rehype-katex')).default, { throwOnError: false, output: 'html' } as never);
  const hast = processor.runSync(tree as never) as HastRoot;

  const slugger = new GithubSlugger();
  for (const id of RESERVED_IDS) slugger.slug(id);
  let title = '';
  const search: SearchEntry[] = [];
  let section: SearchEntry = { url: page, title: '', text: '', kind: 'section' };
  search.push(section);
  for (const node of hast.children) {
    if (node.type !== 'element') continue;
    const level = /^h([1-6])$/.exec(node.tagName);
    if (level) {
      const label = textOf(node).trim();
      if (!title && level[1] === '1') title = label;
      let id = slugger.slug(label || 'section');
      if (id.startsWith('chunk-') || id.startsWith('file-')) id = slugger.slug(`section-${id}`);
      node.properties = { ...node.properties, id };
      node.children.push({ type: 'text', value: ' ' }, h('a', { className: ['permalink'], href: `#${id}`, ariaLabel: `Permalink to “${label}”` }, '#'));
      section = { url: `${page}#${id}`, title: label, text: '', kind: 'section' };
      search.push(section);
    } else if (!(node.properties?.className as string[] | undefined)?.includes('chunk')) {
      section.text += `${textOf(node)} `;
    }
  }
  // Nested headings (in lists or quotes) also need ids: none may be left without one.
  eachElement(hast, (element) => {
    if (/^h[1-6]$/.test(element.tagName) && element.properties.id === undefined) element.properties.id = slugger.slug(`section-${textOf(element).trim() || 'heading'}`);
    if (element.tagName === 'a' && typeof element.properties.href === 'string') element.properties.href = rewriteLink(element.properties.href, view.path, page, documents);
  });
  for (const part of view.parts) {
    if (part.index === 0 && part.kind === 'chunk') search.push({ url: `${page}#${part.anchor}`, title: `⟨${part.name}⟩ §${part.number}`, text: '', kind: 'chunk' });
  }
  for (const entry of search) entry.text = entry.text.replace(/\s+/g, ' ').trim();
  return {
    title: title || posix.basename(view.path),
    body: serialise({ type: 'root', children: hast.children }),
    math,
    search: search.filter((entry) => entry.title !== '' || entry.text !== ''),
  };
}

/**
 * A document's Markdown tree, and the code of each fenced block by the line of its fence.
 * The code inside fences is not prose: when the engine's line scanner can read the document,
 * remark gets the text with the fences' content lines left empty (the lines, and so every
 * position, stay where they are) and each block's code is the scanner's. Parsing the code
 * character by character was half of remark's time on the bench corpus.
 */
function proseOf(text: string): { tree: ReturnType<typeof parseProseTree>; codeAt: Map<number, string> } {
  const scanned = scanBlocks(text);
  return { tree: parseProseTree(scanned ? withoutCode(text, scanned) : text), codeAt: new Map(scanned?.map((block) => [block.fenceLine, block.value])) };
}

/**
 * Parse a document's prose and convert it to HTML, discarding the result: a thread that will
 * render documents runs this ahead of time, so that its first renders do not pay for
 * compiling and optimising the parser.
 */
export function warmRenderer(text: string): void {
  unified().use(remarkRehype).runSync(proseOf(text).tree as never);
}

/** The text with the content lines of these (top-level) fenced blocks emptied. */
function withoutCode(text: string, blocks: readonly Block[]): string {
  if (blocks.length === 0) return text;
  const lines = text.split('\n');
  for (const block of blocks) for (let i = 0; i < block.columns.length; i++) lines[block.fenceLine + i] = '';
  return lines.join('\n');
}

/** A relative link to a source document becomes a link to its page. */
function rewriteLink(href: string, from: string, page: string, documents: ReadonlySet<string>): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#') || href.startsWith('/')) return href;
  const [path, fragment] = href.split('#', 2) as [string, string | undefined];
  let target: string;
  try {
    target = posix.normalize(posix.join(posix.dirname(from), decodeURI(path)));
  } catch {
    return href; // Not a valid URI: left as written.
  }
  if (!documents.has(target)) return href;
  return hrefFrom(page, pageOf(target), fragment);
}

/** The `§n` links to places, as a sentence list. */
function placeLinks(places: readonly PlaceView[], page: string): Child[] {
  const links = places.map((place) => h('a', { href: hrefFrom(page, place.page, place.anchor) }, `§${place.number}`));
  const words = listInSentence(links.map((_, i) => `\0${i}\0`));
  return words.split(/\0(\d+)\0/).map((piece, i) => (i % 2 === 1 ? links[Number(piece)]! : piece));
}

/** A chunk or file part as a figure: caption, "Used in", code, notes. */
function renderPart(part: PartView, view: PageView, highlighter: BlockHighlighter, options: RenderOptions, collapsed: boolean): Element {
  const page = view.page;
  const block = highlightBlock(highlighter, part.value, grammarOf(part.lang));
  const pre = raw(blockHtml(block, linkReferences(block.lines, part, page)));
  const sign = part.index === 0 ? '≡' : '+≡';
  const name =
    part.kind === 'file'
      ? part.tangled
        ? h('a', { className: ['name'], href: hrefFrom(page, tangledPageOf(part.name)) }, h('code', {}, part.name))
        : h('span', { className: ['name'] }, h('code', {}, part.name))
      : h('span', { className: ['name'] }, `⟨${part.name}⟩`);
  const caption = h(
    'figcaption',
    {},
    h('a', { className: ['number'], href: `#${part.anchor}`, ariaLabel: `§${part.number}, permalink` }, `§${part.number}`),
    ' ',
    name,
    ` ${sign}`,
    options.repoUrl ? [' ', h('a', { className: ['source'], href: `${options.repoUrl.replace(/\/+$/, '')}/${view.path}#L${part.fenceLine}` }, 'source')] : null,
  );
  const usedIn = usedSentence(part, page);
  const notes = notesOf(part, page);
  const code = h(
    'div',
    { className: ['code'] },
    h('button', { type: 'button', className: ['copy'], dataCopy: part.value, ariaLabel: `Copy §${part.number}` }, 'Copy'),
    pre,
  );
  return h(
    'figure',
    { className: ['chunk', `kind-${part.kind}`], id: part.anchor },
    caption,
    usedIn,
    collapsed ? h('details', {}, h('summary', {}, 'Show code'), code) : code,
    notes.length > 0 ? h('p', { className: ['notes'] }, ...notes) : null,
  );
}

/** "Used in §2.4 and §5.1." under the caption; "Not used." for a chunk no part references. */
function usedSentence(part: PartView, page: string): Element | null {
  if (part.usedIn === null) return null;
  if (part.usedIn.length === 0) return h('p', { className: ['used', 'unused'] }, 'Not used.');
  return h('p', { className: ['used'] }, 'Used in ', ...placeLinks(part.usedIn, page), '.');
}

/** The notes below the code: where the chunk continues, its other parts, the outputs it is written to. */
function notesOf(part: PartView, page: string): Child[] {
  const sentences: Child[][] = [];
  if (part.next) sentences.push(['Continued in ', ...placeLinks([part.next], page), '.']);
  if (part.index > 0) sentences.push(['Also defined in ', ...placeLinks(part.others, page), '.']);
  if (part.outputs.length > 0) {
    const links = part.outputs.map((path) => h('a', { href: hrefFrom(page, tangledPageOf(path)) }, h('code', {}, path)));
    const words = listInSentence(links.map((_, i) => `\0${i}\0`));
    sentences.push(['Written to ', ...words.split(/\0(\d+)\0/).map((piece, i) => (i % 2 === 1 ? links[Number(piece)]! : piece)), '.']);
  }
  return sentences.flatMap((sentence, i) => (i === 0 ? sentence : [' ', ...sentence]));
}

/** The block's lines with each `<<name>>` line replaced by `⟨name §n⟩`, a link to the first definition. */
function linkReferences(lines: readonly string[], part: PartView, page: string): readonly string[] {
  if (part.references.length === 0) return lines;
  const linked = [...lines];
  for (const reference of part.references) {
    if (reference.index >= linked.length) continue;
    const target = reference.target;
    const link = target
      ? h(
          'a',
          { className: ['reference'], href: hrefFrom(page, target.page, target.anchor), title: target.title },
          `⟨${reference.name} `,
          h('span', { className: ['number'] }, `§${target.number}`),
          '⟩',
        )
      : h('span', { className: ['reference', 'broken'], title: `undefined chunk: ${reference.name}` }, `⟨${reference.name} ?⟩`);
    linked[reference.index] = serialise({ type: 'root', children: [...(reference.indent ? [{ type: 'text' as const, value: reference.indent }] : []), link] });
  }
  return linked;
}
