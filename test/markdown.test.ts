/**
 * The two Markdown configurations of `tangle/markdown.ts` agree on fenced code: the block
 * reader (inline constructs off, the engine's hot path) and the prose parser (GFM and
 * math, for weave, stats and explain) find the same fenced blocks, at the same lines,
 * with the same info string and body — on hand-made edge cases and on every document of
 * the repository's own `docs/`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Code, Nodes, Root } from 'mdast';
import { describe, expect, it } from 'vitest';
import { parseBlocks, parseProse } from '../tangle/markdown.js';
import { REPO } from './helpers.js';

/** Each code node as `startLine-endLine lang meta: body` (1-based lines), in document order. */
function fences(tree: Root): string[] {
  const found: string[] = [];
  const visit = (node: Nodes) => {
    if (node.type === 'code') {
      const code = node as Code;
      found.push(`${code.position!.start.line}-${code.position!.end.line} ${code.lang ?? ''} ${code.meta ?? ''}: ${code.value}`);
    }
    if ('children' in node) for (const child of node.children) visit(child as Nodes);
  };
  visit(tree);
  return found;
}

const EDGE_CASES: Record<string, string> = {
  'a fence inside a list item': '- item\n\n  ```ts #a\n  one();\n  ```\n',
  'a fence in a block quote': '> ```ts #b\n> two();\n> ```\n',
  'a fence after a GFM table': '| a | b |\n| --- | --- |\n| 1 | 2 |\n\n```ts #c\nthree();\n```\n',
  'a fence after math and emphasis': 'Some $x^2$ and *emphasis* and `code`.\n\n$$\ny = x\n$$\n\n~~~ts #d\nfour();\n~~~\n',
  'an escaped info string': '```ts #e\\_f\nfive();\n```\n',
  'an unclosed fence': 'text\n\n```ts #g\nsix();\n',
};

/** Every `*.md` file under `docs/`, repository-relative. */
function repositoryDocuments(): string[] {
  return readdirSync(join(REPO, 'docs'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => relative(REPO, join(entry.parentPath, entry.name)))
    .sort();
}

describe('the block reader and the prose parser', () => {
  for (const [name, text] of Object.entries(EDGE_CASES)) {
    it(`find the same fenced blocks: ${name}`, () => {
      const blocks = fences(parseBlocks(text));
      expect(blocks.length).toBeGreaterThan(0);
      expect(fences(parseProse(text))).toEqual(blocks);
    });
  }

  it("find the same fenced blocks in every document of the repository's docs/", () => {
    const documents = repositoryDocuments();
    expect(documents.length).toBeGreaterThan(5);
    for (const path of documents) {
      const text = readFileSync(join(REPO, path), 'utf8');
      expect({ path, fences: fences(parseProse(text)) }).toEqual({ path, fences: fences(parseBlocks(text)) });
    }
  });
});
