/**
 * Render one document's page body: prose through remark → rehype, code blocks as woven
 * chunks with captions, notes, highlighted code and linked references.
 *
 * The prose needs the Markdown tree, so it is parsed here with the shared prose parser (`markdown.ts`: GFM and math), once
 * per document, cached by content hash. Which blocks are chunks, their names, numbers and
 * references all come from the model (the engine's chunk graph): a code node is matched to
 * its part by the line of its opening fence, so weave never reads an info string to decide
 * what a block defines. Fences that define nothing are highlighted and kept as they are.
 *
 * Ids on a page: headings get GitHub-style slugs, except that one that would start with
 * `chunk-` or `file-` (the chunk anchors' prefixes) is prefixed with `section-`, and the
 * page's own ids (`main`, `weft-*`) are reserved first, so no two elements share an id.
 */
import GithubSlugger from 'github-slugger';
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import type { Code, Root as MdastRoot } from 'mdast';
import rehypeKatex from 'rehype-katex';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { posix } from 'node:path';
import { parseInfo } from '../info-string.js';
import { parseProse as parseProseTree } from '../markdown.js';
import { eachElement, h, raw, serialise, textOf, type Child } from './hast.js';
import { blockHtml, grammarOf, highlightBlock, loadHighlighter, type BlockHighlighter, type Themes } from './highlight.js';
import { hrefFrom, listInSentence, referencesOf, tangledPageOf, type WeaveModel, type WovenDocument, type WovenPart, type WovenTarget } from './model.js';

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

const prose = new Map<string, MdastRoot>();

/** The Markdown tree of a document, parsed once per content hash. */
export function parseProse(text: string, hash: string): MdastRoot {
  let tree = prose.get(hash);
  if (!tree) {
    tree = parseProseTree(text);
    prose.set(hash, tree);
  }
  return tree;
}

/** Forget cached trees (a long watch session keeps only the documents of the last build). */
export function keepProse(hashes: Set<string>): void {
  for (const hash of prose.keys()) if (!hashes.has(hash)) prose.delete(hash);
}

/** Render a document's page body. */
export async function renderDocument(text: string, hash: string, doc: WovenDocument, model: WeaveModel, options: RenderOptions): Promise<RenderedDocument> {
  const tree = parseProse(text, hash);
  const langs = new Set<string>();
  let math = false;
  const walk = (node: { type: string; children?: unknown[]; lang?: string | null }) => {
    if (node.type === 'code') langs.add(grammarOf(node.lang ?? null));
    if (node.type === 'math' || node.type === 'inlineMath') math = true;
    for (const child of (node.children ?? []) as (typeof node)[]) walk(child);
  };
  walk(tree);
  const highlighter = await loadHighlighter(options.themes, langs);
  const page = doc.page;

  const codeHandler = (_state: unknown, node: Code): ElementContent => {
    const woven = node.position ? model.partsByFence.get(`${doc.path}:${node.position.start.line}`) : undefined;
    const info = parseInfo(node.lang === null || node.lang === undefined ? '' : node.meta ? `${node.lang} ${node.meta}` : node.lang);
    const collapsed = info.attributes.weave === 'collapsed';
    if (!woven) {
      const pre = raw(blockHtml(highlightBlock(highlighter, node.value, grammarOf(info.lang))));
      return collapsed ? h('details', { className: ['plain'] }, h('summary', {}, 'Show code'), pre) : pre;
    }
    return renderPart(woven, model, page, highlighter, options, collapsed);
  };

  const processor = unified()
    .use(remarkRehype, { handlers: { code: codeHandler as never } })
    .use(rehypeKatex, { throwOnError: false, output: 'html' } as never);
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
    if (element.tagName === 'a' && typeof element.properties.href === 'string') element.properties.href = rewriteLink(element.properties.href, doc.path, page, model);
  });
  for (const woven of doc.parts) {
    if (woven.index === 0 && woven.kind === 'chunk') search.push({ url: `${page}#${woven.anchor}`, title: `⟨${woven.name}⟩ §${woven.number}`, text: '', kind: 'chunk' });
  }
  for (const entry of search) entry.text = entry.text.replace(/\s+/g, ' ').trim();
  return {
    title: title || posix.basename(doc.path),
    body: serialise({ type: 'root', children: hast.children }),
    math,
    search: search.filter((entry) => entry.title !== '' || entry.text !== ''),
  };
}

/** A relative link to a source document becomes a link to its page. */
function rewriteLink(href: string, from: string, page: string, model: WeaveModel): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#') || href.startsWith('/')) return href;
  const [path, fragment] = href.split('#', 2) as [string, string | undefined];
  const target = posix.normalize(posix.join(posix.dirname(from), decodeURI(path)));
  const doc = model.documents.find((d) => d.path === target);
  if (!doc) return href;
  return hrefFrom(page, doc.page, fragment);
}

/** The `§n` links to parts, as a sentence list. */
function partLinks(parts: readonly WovenPart[], model: WeaveModel, page: string): Child[] {
  const links = parts.map((part) => h('a', { href: hrefFrom(page, pageOfPart(part, model), part.anchor) }, `§${part.number}`));
  const words = listInSentence(links.map((_, i) => `\0${i}\0`));
  return words.split(/\0(\d+)\0/).map((piece, i) => (i % 2 === 1 ? links[Number(piece)]! : piece));
}

function pageOfPart(part: WovenPart, model: WeaveModel): string {
  return model.documents.find((d) => d.path === part.document)!.page;
}

/** A chunk or file part as a figure: caption, "Used in", code, notes. */
function renderPart(woven: WovenPart, model: WeaveModel, page: string, highlighter: BlockHighlighter, options: RenderOptions, collapsed: boolean): Element {
  const target = model.targets.get(woven.target)!;
  const block = highlightBlock(highlighter, woven.part.value, grammarOf(woven.part.lang));
  const pre = raw(blockHtml(block, linkReferences(block.lines, woven, model, page)));
  const sign = woven.index === 0 ? '≡' : '+≡';
  const name =
    woven.kind === 'file'
      ? target.outputs.length > 0
        ? h('a', { className: ['name'], href: hrefFrom(page, tangledPageOf(woven.name)) }, h('code', {}, woven.name))
        : h('span', { className: ['name'] }, h('code', {}, woven.name))
      : h('span', { className: ['name'] }, `⟨${woven.name}⟩`);
  const caption = h(
    'figcaption',
    {},
    h('a', { className: ['number'], href: `#${woven.anchor}`, ariaLabel: `§${woven.number}, permalink` }, `§${woven.number}`),
    ' ',
    name,
    ` ${sign}`,
    options.repoUrl ? [' ', h('a', { className: ['source'], href: `${options.repoUrl.replace(/\/+$/, '')}/${woven.document}#L${woven.part.fenceLine}` }, 'source')] : null,
  );
  const usedIn = usedSentence(target, model, page);
  const notes = notesOf(woven, target, model, page);
  const code = h(
    'div',
    { className: ['code'] },
    h('button', { type: 'button', className: ['copy'], dataCopy: woven.part.value, ariaLabel: `Copy §${woven.number}` }, 'Copy'),
    pre,
  );
  return h(
    'figure',
    { className: ['chunk', `kind-${woven.kind}`], id: woven.anchor },
    caption,
    usedIn,
    collapsed ? h('details', {}, h('summary', {}, 'Show code'), code) : code,
    notes.length > 0 ? h('p', { className: ['notes'] }, ...notes) : null,
  );
}

/** "Used in §2.4 and §5.1." under the caption; "Not used." for a chunk no part references. */
function usedSentence(target: WovenTarget, model: WeaveModel, page: string): Element | null {
  if (target.kind === 'file') return null;
  if (target.uses.length === 0) return h('p', { className: ['used', 'unused'] }, 'Not used.');
  return h('p', { className: ['used'] }, 'Used in ', ...partLinks(target.uses, model, page), '.');
}

/** The notes below the code: where the chunk continues, its other parts, the outputs it is written to. */
function notesOf(woven: WovenPart, target: WovenTarget, model: WeaveModel, page: string): Child[] {
  const sentences: Child[][] = [];
  const next = target.parts[woven.index + 1];
  if (next) sentences.push(['Continued in ', ...partLinks([next], model, page), '.']);
  if (woven.index > 0) sentences.push(['Also defined in ', ...partLinks(target.parts.filter((p) => p !== woven && p !== next), model, page), '.']);
  if (target.outputs.length > 0) {
    const links = target.outputs.map((path) => h('a', { href: hrefFrom(page, tangledPageOf(path)) }, h('code', {}, path)));
    const words = listInSentence(links.map((_, i) => `\0${i}\0`));
    sentences.push(['Written to ', ...words.split(/\0(\d+)\0/).map((piece, i) => (i % 2 === 1 ? links[Number(piece)]! : piece)), '.']);
  }
  return sentences.flatMap((sentence, i) => (i === 0 ? sentence : [' ', ...sentence]));
}

/** The block's lines with each `<<name>>` line replaced by `⟨name §n⟩`, a link to the first definition. */
function linkReferences(lines: readonly string[], woven: WovenPart, model: WeaveModel, page: string): readonly string[] {
  const references = referencesOf(woven.part);
  if (references.length === 0) return lines;
  const linked = [...lines];
  for (const reference of references) {
    if (reference.index >= linked.length) continue;
    const target = model.lookup(reference.name, woven.document);
    const first = target?.parts[0];
    const link = first
      ? h(
          'a',
          { className: ['reference'], href: hrefFrom(page, pageOfPart(first, model), first.anchor), title: `${first.document}:${first.part.fenceLine}` },
          `⟨${reference.name} `,
          h('span', { className: ['number'] }, `§${first.number}`),
          '⟩',
        )
      : h('span', { className: ['reference', 'broken'], title: `undefined chunk: ${reference.name}` }, `⟨${reference.name} ?⟩`);
    linked[reference.index] = serialise({ type: 'root', children: [...(reference.indent ? [{ type: 'text' as const, value: reference.indent }] : []), link] });
  }
  return linked;
}
