/**
 * What the esbuild and Vite plugins share: one Weft build per plugin instance, and the
 * questions a bundler asks of it (which outputs exist, which documents made one, what a
 * `./doc.lit.md` import means, where a TypeScript syntax error is in the Markdown).
 *
 * The plugins are consumers of the one pipeline, never a second one: with `write` (the
 * default) a rebuild is `Project.rebuild` (context.ts) without the bundle, so the
 * committed outputs stay fresh for `tsc` exactly as `weft tangle` leaves them; without
 * it, the folder is read (`readFolder`) and `tangleSources` runs with its memo, touching
 * no file. Either way the bundler is served the tangled text from memory, so it never
 * races Weft's own writes.
 *
 * Positions: Weft's `Message` has 1-based lines and columns; each bundler's adapter
 * converts (esbuild wants 0-based columns, Vite/Rollup 1-based lines and 0-based columns).
 *
 * Rejected: reading the outputs from disk in `onLoad`/`load` (a watcher event for the
 * `.lit.md` can arrive before Weft has written, and `write: false` has nothing on disk);
 * a custom esbuild namespace (it leaks into the bundle's source map, esbuild#2283).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, resolve as resolvePath, sep } from 'node:path';
import ts from 'typescript';
import { CONFIG_FILE, loadConfig, type UserConfig } from '../config.js';
import { Project } from '../context.js';
import { message } from '../messages.js';
import { tangleSources, type PipelineMemo } from '../pipeline.js';
import { readFolder } from '../snapshot.js';
import type { Message, Output } from '../types.js';

/** Options of `weft-lit/esbuild` and `weft-lit/vite`. */
export interface WeftPluginOptions {
  /** Project root: where `weft.config.json` is. @default process.cwd() (Vite: its `root`) */
  root?: string;
  /** Options that override `weft.config.json`, key by key. @default none */
  config?: UserConfig;
  /** Write the outputs (and maps and manifest) as `weft tangle` does, so `tsc` and editors see them fresh. @default true */
  write?: boolean;
  /** Parse each tangled TypeScript/JavaScript output and report syntax errors at their `.lit.md` place. @default true */
  preflight?: boolean;
  /** esbuild: write `doc.lit.d.md.ts` beside each document imported as a module (for `allowArbitraryExtensions`). @default false */
  dts?: boolean;
}

/** Extensions of outputs a bundler can import as a module. */
const MODULE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);

/** Whether an output is a JavaScript/TypeScript module. */
export function isModuleOutput(path: string): boolean {
  return MODULE_EXTENSIONS.has(posix.extname(path).toLowerCase());
}

/** Extensions tried, in order, for an import without one (esbuild's default `resolveExtensions`, TypeScript first). */
const RESOLVE_EXTENSIONS = ['.tsx', '.ts', '.jsx', '.js', '.mts', '.cts', '.mjs', '.cjs'];

/** One rebuild's view of the project. */
export interface WeftSnapshot {
  /** Outputs by absolute path (platform separators). */
  outputs: Map<string, Output>;
  /** Weft's messages, then preflight's (TypeScript codes as rule ids). */
  messages: Message[];
  /** Project-relative paths of every document read. */
  documents: string[];
}

/** A Weft build owned by one plugin instance. */
export class WeftBuild {
  readonly root: string;
  private readonly options: WeftPluginOptions;
  private project: Project | undefined;
  private memo: PipelineMemo | undefined;
  /** Preflight results by output object (outputs are reused by identity between rebuilds). */
  private checked = new WeakMap<Output, Message[]>();
  /** Outputs a bundler has loaded (absolute), so one that stops tangling fails with Weft's error. */
  readonly everServed = new Set<string>();
  last: WeftSnapshot = { outputs: new Map(), messages: [], documents: [] };

  constructor(options: WeftPluginOptions, root?: string) {
    this.options = options;
    this.root = resolvePath(options.root ?? root ?? process.cwd());
  }

  /** Tangle again (reusing everything unchanged) and remember the result. */
  async rebuild(): Promise<WeftSnapshot> {
    let outputs: Output[];
    let messages: Message[];
    let documents: string[];
    if (this.options.write !== false) {
      this.project ??= new Project({ root: this.root, config: this.options.config, bundle: false });
      const result = await this.project.rebuild();
      ({ outputs, messages } = result);
      documents = this.project.sourcePaths();
    } else {
      const snapshot = await readFolder(this.root, 'plugin');
      // The overrides are resolved (and checked) as `weft tangle` resolves them.
      const overridden = this.options.config ? loadConfig(this.root, this.options.config) : undefined;
      const config = overridden?.config ?? snapshot.config;
      if (overridden) snapshot.messages.push(...overridden.messages);
      const tangled = tangleSources(snapshot.sources, config, this.memo);
      this.memo = tangled.memo;
      ({ outputs } = tangled);
      messages = [...snapshot.messages, ...tangled.messages];
      documents = snapshot.sources.map((s) => s.path);
    }
    if (this.options.preflight !== false) {
      for (const output of outputs) {
        let found = this.checked.get(output);
        if (!found) this.checked.set(output, (found = preflight(output)));
        messages = [...messages, ...found];
      }
    }
    this.last = { outputs: new Map(outputs.map((o) => [this.absolute(o.path), o])), messages, documents };
    return this.last;
  }

  /**
   * The tangled module an import of `base` (absolute, as written) names, as a bundler
   * resolves it: the path itself, with an extension added, a `.js` written for a `.ts`,
   * or a folder's `index`. Undefined when no output matches.
   */
  outputFor(base: string): string | undefined {
    const swapped = base.replace(/\.(m|c)?js(x?)$/, (_, m: string | undefined, x: string) => `.${m ?? ''}ts${x}`);
    const candidates = [base, swapped, ...RESOLVE_EXTENSIONS.map((e) => base + e), ...RESOLVE_EXTENSIONS.map((e) => join(base, `index${e}`))];
    return candidates.find((c) => this.last.outputs.has(c));
  }

  /** Absolute path of a project-relative one. */
  absolute(path: string): string {
    return join(this.root, ...path.split('/'));
  }

  /** Project-relative POSIX path of an absolute one. */
  relative(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  /** Absolute paths of the documents an output is made from (its own and those of every chunk it uses), sorted. */
  contributors(output: Output): string[] {
    const documents = new Set([output.document]);
    for (const qualified of Object.keys(output.chunks)) documents.add(qualified.slice(0, qualified.lastIndexOf('#')));
    return [...documents].sort().map((d) => this.absolute(d));
  }

  /** What esbuild and Vite watch besides the contributors: the config file. */
  configFile(): string {
    return join(this.root, CONFIG_FILE);
  }

  /** The folders that hold documents (so a new document is noticed), absolute, sorted. */
  sourceDirectories(): string[] {
    const folders = new Set(this.last.documents.map((d) => posix.dirname(d)));
    return [...folders].sort().map((f) => (f === '.' ? this.root : this.absolute(f)));
  }

  /**
   * What `import x from './doc.lit.md'` (or `'./doc.lit.md?out=src/x.ts'`) names: the
   * document's only module output, or the one `out` selects (project-relative). A
   * problem is a message located at the document, which the adapter places at the import.
   */
  resolveDocumentImport(document: string, out: string | undefined): { path: string } | { error: string; rule: string; notes: string[] } {
    const relativePath = this.relative(document);
    const candidates = [...this.last.outputs.values()].filter((o) => o.document === relativePath && isModuleOutput(o.path)).map((o) => o.path).sort();
    if (out !== undefined) {
      if (candidates.includes(out)) return { path: this.absolute(out) };
      return { error: `${relativePath} has no module output \`${out}\``, rule: 'document-import', notes: candidates.length ? [`its module outputs: ${candidates.join(', ')}`] : [] };
    }
    if (candidates.length === 1) return { path: this.absolute(candidates[0]!) };
    if (candidates.length === 0) return { error: `${relativePath} has no JavaScript or TypeScript output to import`, rule: 'document-import', notes: [] };
    return {
      error: `${relativePath} has ${candidates.length} module outputs; choose one with \`?out=\``,
      rule: 'document-import',
      notes: candidates.map((c) => `${posix.basename(relativePath)}?out=${c}`),
    };
  }

  /** Write `doc.lit.d.md.ts` beside `document`: the declaration TypeScript reads for `allowArbitraryExtensions`. */
  writeDeclaration(document: string, target: string): void {
    const declaration = document.replace(/\.md$/, '.d.md.ts');
    let specifier = relative(dirname(document), target).split(sep).join('/').replace(/\.(m|c)?tsx?$/, (_, m: string | undefined) => `.${m ?? ''}js`);
    if (!specifier.startsWith('.')) specifier = `./${specifier}`;
    const text = `export * from '${specifier}';\n`;
    if (!existsSync(declaration) || readFileSync(declaration, 'utf8') !== text) writeFileSync(declaration, text);
  }

  async dispose(): Promise<void> {
    await this.project?.dispose();
  }
}

/** Split `./doc.lit.md?out=x` into the path and the `out` query. */
export function splitDocumentImport(specifier: string): { path: string; out: string | undefined } {
  const at = specifier.indexOf('?');
  if (at === -1) return { path: specifier, out: undefined };
  const out = new URLSearchParams(specifier.slice(at + 1)).get('out') ?? undefined;
  return { path: specifier.slice(0, at), out };
}

/** The absolute path an import of a document names, or undefined when it is a bare specifier. */
export function documentPath(path: string, importerDir: string): string | undefined {
  if (isAbsolute(path)) return path;
  if (path.startsWith('./') || path.startsWith('../')) return resolvePath(importerDir, path);
  return undefined;
}

/** The output's text with its linked map replaced by an inline one (as `@mdx-js/esbuild` serves its modules). */
export function withInlineMap(output: Output): string {
  if (output.map === null) return output.content;
  const inline = `//# sourceMappingURL=data:application/json;base64,${Buffer.from(output.map).toString('base64')}`;
  const linked = `//# sourceMappingURL=${posix.basename(output.path)}.map`;
  const at = output.content.lastIndexOf(linked);
  if (at === -1) return `${output.content}${inline}\n`;
  return output.content.slice(0, at) + inline + output.content.slice(at + linked.length);
}

/** The output's text without its source-map comment (for bundlers that take the map as an object). */
export function withoutMapComment(output: Output): string {
  if (output.map === null) return output.content;
  return output.content.replace(`//# sourceMappingURL=${posix.basename(output.path)}.map\n`, '');
}

/**
 * Syntax errors of a tangled module, located in the `.lit.md` through `Output.origins`:
 * esbuild reports its own at the tangled file (it does not map diagnostics through input
 * maps, esbuild#3051). The rule is TypeScript's code (`TS1005`), as `weft check` reports it.
 */
export function preflight(output: Output): Message[] {
  if (!isModuleOutput(output.path)) return [];
  const extension = posix.extname(output.path).toLowerCase();
  const kind = extension === '.tsx' ? ts.ScriptKind.TSX : extension === '.jsx' ? ts.ScriptKind.JSX : extension.includes('j') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(output.path, output.content, ts.ScriptTarget.Latest, true, kind);
  // `parseDiagnostics` is the parser's own list: syntax only, no program or type check needed.
  const diagnostics = (source as unknown as { parseDiagnostics: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return diagnostics.map((d) => {
    const { line, character } = source.getLineAndCharacterOfPosition(d.start);
    const place = placeInDocument(output, line + 1, character);
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    return message(place.file, place.line, place.column, 'error', `TS${d.code}`, text, [`in ${output.path}:${line + 1}:${character + 1}`]);
  });
}

/** The `.lit.md` place of a 1-based line and 0-based column of an output (the output itself for lines Weft added). */
export function placeInDocument(output: Output, line: number, character: number): { file: string; line: number; column: number } {
  const origin = output.origins[line - 1];
  if (!origin || origin.document === null) return { file: output.path, line, column: character + 1 };
  return { file: origin.document, line: origin.line, column: origin.column + Math.max(0, character - origin.indent) };
}

/** The text of a document's line, for a code frame (`lineText`); '' when unreadable. */
export function lineOf(absolutePath: string, line: number): string {
  try {
    return readFileSync(absolutePath, 'utf8').split(/\r?\n/)[line - 1] ?? '';
  } catch {
    return '';
  }
}
