/**
 * Whole pages: the layout every page shares, the index page and the tangled-file views.
 *
 * Every link is relative to the page (`data-root` on `<body>` is the way back to the site
 * root), so the site works from `file://` and from any subpath. Landmarks: a skip link first,
 * then `header`, `main` (focusable, the skip link's target) and `footer`.
 */
import type { Element, ElementContent, Root } from 'hast';
import { posix } from 'node:path';
import { h, raw, serialise, type Child } from './hast.js';
import { THEME_SCRIPT } from './assets.js';
import { hrefFrom, partOfOrigin, type WeaveModel } from './model.js';

/** What the layout needs to know about a page. */
export interface PageFrame {
  /** Site-relative path of the page. */
  page: string;
  /** `<title>` (the site title is appended). */
  title: string;
  siteTitle: string;
  /** Whether to link KaTeX's stylesheet. */
  math: boolean;
  /** Previous and next document pages, for the pager. */
  previous?: { page: string; title: string };
  next?: { page: string; title: string };
}

/** A complete HTML page around the children of `<main>`. */
export function layout(frame: PageFrame, main: Child[]): string {
  const toRoot = rootOf(frame.page);
  const head = h(
    'head',
    {},
    h('meta', { charSet: 'utf-8' }),
    h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    // No icon: without this, browsers ask a server for /favicon.ico and log its 404.
    h('link', { rel: 'icon', href: 'data:,' }),
    h('title', {}, frame.title === frame.siteTitle ? frame.siteTitle : `${frame.title} · ${frame.siteTitle}`),
    h('script', {}, THEME_SCRIPT),
    h('link', { rel: 'stylesheet', href: `${toRoot}assets/weft.css` }),
    frame.math ? h('link', { rel: 'stylesheet', href: `${toRoot}assets/katex/katex.min.css` }) : null,
    h('script', { src: `${toRoot}assets/weft.js`, defer: true }),
  );
  const pager =
    frame.previous || frame.next
      ? h(
          'nav',
          { className: ['pager'], ariaLabel: 'Documents' },
          frame.previous ? h('a', { href: hrefFrom(frame.page, frame.previous.page), rel: 'prev' }, `← ${frame.previous.title}`) : h('span', {}),
          frame.next ? h('a', { href: hrefFrom(frame.page, frame.next.page), rel: 'next' }, `${frame.next.title} →`) : h('span', {}),
        )
      : null;
  const body = h(
    'body',
    { dataRoot: toRoot },
    h('a', { className: ['skip'], href: '#main' }, 'Skip to content'),
    h(
      'header',
      { className: ['site'] },
      h('a', { className: ['title'], href: hrefFrom(frame.page, 'index.html') }, frame.siteTitle),
      h(
        'div',
        { className: ['search'], role: 'search' },
        h('input', { type: 'search', id: 'weft-search', ariaLabel: 'Search headings, prose and chunk names', placeholder: 'Search (press /)', autoComplete: 'off' }),
        h('ul', { id: 'weft-results', ariaLabel: 'Search results' }),
      ),
      h('button', { type: 'button', id: 'weft-theme', ariaPressed: 'false' }, 'Dark mode'),
    ),
    h('main', { id: 'main', tabIndex: -1 }, ...main),
    pager,
    h('footer', {}, 'Woven by Weft from the literate sources.'),
  );
  const root: Root = { type: 'root', children: [{ type: 'doctype' }, h('html', { lang: 'en' }, head, body), { type: 'text', value: '\n' }] };
  return serialise(root);
}

/** `../../` from a page to the site root (empty at the root). */
function rootOf(page: string): string {
  const depth = page.split('/').length - 1;
  return '../'.repeat(depth);
}

/** The index page: documents in order, outputs, and the chunk index. */
export function indexPage(model: WeaveModel, titles: Map<string, string>, siteTitle: string): string {
  const page = 'index.html';
  const documents = h(
    'ol',
    {},
    model.documents.map((doc) => h('li', {}, h('a', { href: hrefFrom(page, doc.page) }, titles.get(doc.path) ?? doc.path), ' ', h('code', {}, doc.path))),
  );
  const outputs = h(
    'ul',
    {},
    model.outputs.map(({ output, page: view }) => h('li', {}, h('a', { href: hrefFrom(page, view) }, h('code', {}, output.path)), ` from ${output.document}`)),
  );
  const chunks = [...model.targets.values()].filter((t) => t.kind === 'chunk');
  chunks.sort((a, b) => (a.name === b.name ? (a.document < b.document ? -1 : 1) : a.name < b.name ? -1 : 1));
  const pageOf = new Map(model.documents.map((d) => [d.path, d.page]));
  const partLink = (part: { document: string; anchor: string; number: string }) => h('a', { href: hrefFrom(page, pageOf.get(part.document)!, part.anchor) }, `§${part.number}`);
  const joined = (items: Element[]): Child[] => items.flatMap((item, i) => (i === 0 ? [item] : [', ', item]));
  const table = h(
    'table',
    {},
    h('caption', {}, 'Every chunk: where it is defined and where it is used'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Chunk'), h('th', { scope: 'col' }, 'Defined in'), h('th', { scope: 'col' }, 'Used in'))),
    h(
      'tbody',
      {},
      // Serialised a few hundred rows at a time: the trees of 15,000 rows at once (the
      // 1,000-document bench corpus) held about 50 MB.
      inBatches(chunks, ROWS_PER_BATCH, (chunk) =>
        h(
          'tr',
          {},
          h('td', {}, h('code', {}, `⟨${chunk.name}⟩`), ' ', h('span', { className: ['document'] }, chunk.document)),
          h('td', {}, joined(chunk.parts.map(partLink))),
          h('td', {}, chunk.uses.length > 0 ? joined(chunk.uses.map(partLink)) : h('span', { className: ['unused-mark'] }, 'unused')),
        ),
      ),
    ),
  );
  return layout({ page, title: siteTitle, siteTitle, math: false }, [
    h('h1', { id: 'weft-top' }, siteTitle),
    h('h2', { id: 'documents' }, 'Documents'),
    documents,
    h('h2', { id: 'outputs' }, 'Output files'),
    model.outputs.length > 0 ? outputs : h('p', {}, 'No output files.'),
    h('h2', { id: 'chunks' }, 'Chunk index'),
    chunks.length > 0 ? table : h('p', {}, 'No named chunks.'),
  ]);
}

/** Each document's page, by document path (once per model: a site has a tangled view per output). */
function pagesOf(model: WeaveModel): Map<string, string> {
  let pages = documentPages.get(model);
  if (!pages) documentPages.set(model, (pages = new Map(model.documents.map((d) => [d.path, d.page]))));
  return pages;
}
const documentPages = new WeakMap<WeaveModel, Map<string, string>>();

/** Rows of a long list, made and serialised `size` at a time (HTML, escaped by the serialiser as always). */
function inBatches<T>(items: readonly T[], size: number, make: (item: T) => ElementContent): ElementContent[] {
  const batches: ElementContent[] = [];
  for (let at = 0; at < items.length; at += size) batches.push(raw(serialise({ type: 'root', children: items.slice(at, at + size).map(make) })));
  return batches;
}
const ROWS_PER_BATCH = 500;

/**
 * The tangled view of one output: its exact text, line numbers in a gutter, each number a link
 * to the chunk part that produced the line (the source maps' provenance, `Output.origins`).
 * The text is one `<pre><code>`, so its text is the file's bytes.
 */
export function tangledPage(model: WeaveModel, index: number, siteTitle: string): string {
  const { output, page } = model.outputs[index]!;
  const pageOf = pagesOf(model);
  const lines = output.content.endsWith('\n') ? output.content.slice(0, -1).split('\n') : output.content.split('\n');
  const gutter: ElementContent[] = lines.map((_, i) => {
    const origin = output.origins[i];
    const part = origin ? partOfOrigin(model, origin) : undefined;
    if (!part) return h('span', { id: `L${i + 1}` }, String(i + 1));
    const label = part.kind === 'chunk' ? `⟨${part.name}⟩` : part.name;
    return h('a', { id: `L${i + 1}`, href: hrefFrom(page, pageOf.get(part.document)!, part.anchor), title: `§${part.number} ${label} (${part.document}:${origin!.line})` }, String(i + 1));
  });
  const docPage = pageOf.get(output.document);
  return layout({ page, title: output.path, siteTitle, math: false }, [
    h('h1', { id: 'weft-top' }, h('code', {}, output.path)),
    h('p', {}, 'Tangled from ', docPage ? h('a', { href: hrefFrom(page, docPage) }, output.document) : output.document, `. ${lines.length} lines; each line number links to the chunk that wrote it.`),
    h('div', { className: ['tangled'] }, h('div', { className: ['gutter'] }, gutter), h('pre', { tabIndex: 0, ariaLabel: `Contents of ${posix.basename(output.path)}` }, h('code', {}, output.content))),
  ]);
}
