/**
 * The engine's shape, pinned (issue 13, "Done when"): no function in `tangle/` is longer
 * than a reader can hold at once, and the two files that used to collect everything
 * (`context.ts`, `write.ts`) stay small drivers. Measured with the TypeScript compiler's
 * own parser, so a function is what the language says it is — a declaration, a method,
 * an arrow or a function expression — and its length is counted from its first line to
 * its last, comments inside included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

/** The longest a function may be, in lines (first to last, inclusive). */
const MAX_FUNCTION_LINES = 120;
/** The drivers must stay under this many lines. */
const MAX_DRIVER_LINES = 350;

/** Every `.ts` module under `tangle/`, recursively, as a repository-relative path. */
function engineFiles(): string[] {
  return readdirSync(join(REPO, 'tangle'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(REPO, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/** A readable name for a function node: its own name, or the name it is assigned to. */
function functionName(node: ts.FunctionLikeDeclaration): string {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  return '(anonymous)';
}

/** `path:line: name (n lines)` for each function in `file` longer than the limit. */
function longFunctions(file: string): string[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES) found.push(`${file}:${first}: ${functionName(node)} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The number of lines in a repository file (a final newline does not start a line). */
function lineCount(file: string): number {
  return readFileSync(join(REPO, file), 'utf8').replace(/\n$/, '').split('\n').length;
}

describe("the engine's shape", () => {
  it(`has no function longer than ${MAX_FUNCTION_LINES} lines`, () => {
    expect(engineFiles().flatMap(longFunctions)).toEqual([]);
  });

  it(`keeps the drivers context.ts and write.ts under ${MAX_DRIVER_LINES} lines`, () => {
    expect(lineCount('tangle/context.ts')).toBeLessThan(MAX_DRIVER_LINES);
    expect(lineCount('tangle/write.ts')).toBeLessThan(MAX_DRIVER_LINES);
  });
});
