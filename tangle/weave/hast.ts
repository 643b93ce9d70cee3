/**
 * A few helpers to build and read HTML trees (hast) by hand.
 *
 * Pages are built as trees and serialised once by hast-util-to-html (rehype-stringify), so every text and attribute is escaped in one place: a `<script>` in a
 * chunk name, in code or in prose can never become markup.
 */
import type { Element, ElementContent, Nodes, Properties, Root } from 'hast';
import rehypeStringify from 'rehype-stringify';
import { unified } from 'unified';

/** Children: elements, strings (text), or nothing (skipped). */
export type Child = ElementContent | string | null | undefined | false | Child[];

/** An element. */
export function h(tagName: string, properties: Record<string, string | number | boolean | string[] | null | undefined> = {}, ...children: Child[]): Element {
  return { type: 'element', tagName, properties: properties as Properties, children: flatten(children) };
}

function flatten(children: Child[]): ElementContent[] {
  const result: ElementContent[] = [];
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) result.push(...flatten(child));
    else if (typeof child === 'string') result.push({ type: 'text', value: child });
    else result.push(child);
  }
  return result;
}

/** The text of a tree, as `textContent` would give it. */
export function textOf(node: Nodes): string {
  if (node.type === 'text') return node.value;
  if ('children' in node) return node.children.map((child) => textOf(child as Nodes)).join('');
  return '';
}

/** Visit every element, parents before children. */
export function eachElement(node: Nodes, visit: (element: Element) => void): void {
  if (node.type === 'element') visit(node);
  if ('children' in node) for (const child of node.children) eachElement(child as Nodes, visit);
}

/** A whole page's HTML text, doctype first. */
export function serialise(root: Root): string {
  return stringifier.stringify(root);
}

// `allowDangerousHtml` only lets through `raw` nodes, which only `raw()` makes, from HTML this
// module serialised itself (a cached page body): text from documents is never raw.
const stringifier = unified().use(rehypeStringify, { allowDangerousHtml: true });

/** HTML that was serialised by `serialise` before (a cached page body), to embed as is. */
export function raw(html: string): ElementContent {
  return { type: 'raw', value: html } as unknown as ElementContent;
}
