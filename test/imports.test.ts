/**
 * The shape of `tangle/`'s import graph: no cycles (static or dynamic imports), and the
 * CLI on top: nothing outside `tangle/cli/` imports `tangle/cli/`. Read from the source
 * with the TypeScript parser, so an import in a comment or a string is not counted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

const ENGINE = join(REPO, 'tangle');

/** Every module of `tangle/`, as a path relative to it (`cli/main.ts`). */
function modules(): string[] {
  return readdirSync(ENGINE, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ENGINE, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/** The relative modules `file` imports: `import`, `export … from`, `import type` and `import()`. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ENGINE, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) specifiers.push(node.arguments[0].text);
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) specifiers.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => posix.normalize(posix.join(posix.dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** `process.exit`, `process.stdout`, `process.stderr` and `console.*` in `file`'s code (comments do not count). */
function terminalUses(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ENGINE, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const uses: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const [object, property] = [node.expression.text, node.name.text];
      if ((object === 'process' && ['exit', 'stdout', 'stderr'].includes(property)) || object === 'console') uses.push(`${file}: ${object}.${property}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses;
}

/** Every cycle, each as the path of modules that closes it (`a.ts → b.ts → a.ts`). */
function cycles(graph: Map<string, string[]>): string[] {
  const found = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const loop = stack.slice(stack.indexOf(next));
        // The same cycle found from another module: name it from its smallest module.
        const start = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        found.add([...rotated, rotated[0]].join(' → '));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return [...found].sort();
}

describe("tangle/'s import graph", () => {
  const graph = new Map(modules().map((file) => [file, importsOf(file)]));

  it('reads every module and its imports (the reader sees static, type-only and dynamic imports)', () => {
    expect(graph.get('cli/main.ts')).toContain('cli/tangle-command.ts'); // import()
    expect(graph.get('index.ts')).toContain('types.ts'); // export type * from
    expect(graph.get('check.ts')).toContain('context.ts');
  });

  it('imports only modules that exist', () => {
    const missing = [...graph].flatMap(([file, imports]) => imports.filter((i) => !graph.has(i)).map((i) => `${file} imports ${i}`));
    expect(missing).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['b.ts']]]))).toEqual(['b.ts → c.ts → b.ts']);
  });

  it('keeps the CLI on top: nothing outside tangle/cli/ imports it', () => {
    const upward = [...graph].flatMap(([file, imports]) => (file.startsWith('cli/') ? [] : imports.filter((i) => i.startsWith('cli/')).map((i) => `${file} imports ${i}`)));
    expect(upward).toEqual([]);
  });

  it('writes to the terminal and exits only in tangle/cli/', () => {
    expect(terminalUses('cli/main.ts')).toContain('cli/main.ts: process.stdout');
    expect([...graph.keys()].filter((file) => !file.startsWith('cli/')).flatMap(terminalUses)).toEqual([]);
  });
});

