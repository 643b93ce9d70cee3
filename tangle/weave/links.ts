/**
 * The link check (`weft weave --check`): every relative link and asset reference of every
 * emitted page must name a file of the site, and its `#fragment` an element of that page;
 * no page may have two elements with the same id.
 *
 * The pages are parsed back with rehype-parse (a real HTML parser, the one the browser
 * tests' expectations agree with), from the texts about to be written, so the check sees
 * exactly the bytes a reader gets. External URLs (with a scheme) are not fetched.
 */
import type { Element, Root } from 'hast';
import rehypeParse from 'rehype-parse';
import { unified } from 'unified';
import { posix } from 'node:path';
import { message } from '../messages.js';
import type { Message } from '../types.js';
import { eachElement } from './hast.js';

const parser = unified().use(rehypeParse);

/** A page's ids (with duplicates) and the URLs it links to, with their places. */
interface PageLinks {
  ids: Set<string>;
  duplicates: { id: string; line: number; column: number }[];
  links: { url: string; line: number; column: number }[];
}

function readPage(html: string): PageLinks {
  const tree = parser.parse(html) as Root;
  const ids = new Set<string>();
  const duplicates: PageLinks['duplicates'] = [];
  const links: PageLinks['links'] = [];
  eachElement(tree, (element: Element) => {
    const at = { line: element.position?.start.line ?? 0, column: element.position?.start.column ?? 0 };
    const id = element.properties.id;
    if (typeof id === 'string') {
      if (ids.has(id)) duplicates.push({ id, ...at });
      ids.add(id);
    }
    for (const key of ['href', 'src'] as const) {
      const value = element.properties[key];
      if (typeof value === 'string') links.push({ url: value, ...at });
    }
  });
  return { ids, duplicates, links };
}

/**
 * Check the links of a site given as site-relative path → content. `prefix` (the output
 * folder, project-relative) is put in front of the paths in messages.
 */
export function checkLinks(files: ReadonlyMap<string, string | Uint8Array>, prefix: string): Message[] {
  const messages: Message[] = [];
  const pages = new Map<string, PageLinks>();
  for (const [path, content] of files) if (path.endsWith('.html')) pages.set(path, readPage(typeof content === 'string' ? content : Buffer.from(content).toString('utf8')));
  const where = (path: string) => (prefix ? `${prefix}/${path}` : path);
  for (const [path, page] of [...pages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const duplicate of page.duplicates) {
      messages.push(message(where(path), duplicate.line, duplicate.column, 'error', 'duplicate-id', `id "${duplicate.id}" is used by more than one element`));
    }
    for (const link of page.links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.url) || link.url.startsWith('//')) continue;
      const [rawPath, fragment] = link.url.split('#', 2) as [string, string | undefined];
      const targetPath = rawPath === '' ? path : posix.normalize(posix.join(posix.dirname(path), decodeURIComponent(rawPath.split('?')[0]!)));
      if (!files.has(targetPath)) {
        messages.push(message(where(path), link.line, link.column, 'error', 'broken-link', `link "${link.url}" names ${targetPath}, which the site does not have`));
        continue;
      }
      if (fragment !== undefined && fragment !== '') {
        const target = pages.get(targetPath);
        const id = decodeURIComponent(fragment);
        if (!target || !target.ids.has(id)) messages.push(message(where(path), link.line, link.column, 'error', 'broken-link', `link "${link.url}": ${targetPath} has no element with id "${id}"`));
      }
    }
  }
  return messages;
}
