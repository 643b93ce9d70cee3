/**
 * TypeScript inside the fences: a TypeScript `LanguageService` over the tangled outputs,
 * held in memory as virtual files at their output paths, with positions mapped both ways
 * through Weft's per-line origins (the mapping `weft check` uses).
 *
 * Mapping. A generated line has one origin: document, line, the column its text starts at,
 * and the indentation references added in front of it. So document column `c` on that
 * line is output column `c - origin.column + indent`, and back. Lines a `<<reference>>`
 * expands to carry the indentation of the reference; a position on the reference line
 * itself maps nowhere (the chunk features answer there). A document line used by several
 * outputs (a chunk referenced twice) maps to the first one: TypeScript's answers agree
 * for the same text in the same scope, and that is the common case.
 *
 * Rejected: Volar (`@volar/language-server` 2.4.28). Measured on this machine (loaded):
 * it installs 16 packages, 4.8 MB, and pins `vscode-languageserver` 9.0.1 (a second, older
 * copy of the protocol libraries; this server uses 11); `require('@volar/language-server/node')`
 * takes 1.0-1.1 s against 0.3-0.4 s for `vscode-languageserver/node`. Its code mappings
 * are ranges per segment, which Weft would have to derive from the per-line origins it
 * already has; the mapping here is a map lookup and an addition per position, and
 * TypeScript completion through it is measured in bench/lsp.mjs.
 *
 * The service starts lazily (loading `typescript` takes a few hundred milliseconds) and
 * reads the project's `tsconfig.json`, or `DEFAULT_COMPILER_OPTIONS` like `weft check`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type TypeScript from 'typescript';
import { DEFAULT_COMPILER_OPTIONS } from '../check.js';
import type { TangledSnapshot } from '../snapshot.js';
import type { Output } from '../types.js';

const TYPESCRIPT_EXTENSIONS = /\.(?:ts|tsx|mts|cts)$/i;

/** A place in a file: 1-based line and column (UTF-16). */
export interface FilePlace {
  /** Project-relative path of a document, or an absolute path for files outside the outputs (`node_modules`). */
  file: string;
  line: number;
  column: number;
}

/** Where a document position lands in an output. */
interface OutputPlace {
  output: Output;
  /** 0-based offset in the output's content. */
  offset: number;
}

/** Start offsets of each line of a text, per output (outputs are immutable). */
const lineStarts = new WeakMap<Output, number[]>();
function startsOf(output: Output): number[] {
  let starts = lineStarts.get(output);
  if (!starts) {
    starts = [0];
    for (let i = 0; i < output.content.length; i++) if (output.content.charCodeAt(i) === 10) starts.push(i + 1);
    lineStarts.set(output, starts);
  }
  return starts;
}

/** The TypeScript view of a tangled project. `update` after every tangle. */
export class TypeScriptProject {
  private readonly ts: typeof TypeScript;
  private readonly service: TypeScript.LanguageService;
  private readonly options: TypeScript.CompilerOptions;
  private readonly hostFiles: string[];
  private files = new Map<string, { output: Output; version: number }>();
  private byDocumentLine = new Map<string, { output: Output; line: number }>();
  private version = 0;

  constructor(
    ts: typeof TypeScript,
    private readonly root: string,
  ) {
    this.ts = ts;
    const configPath = join(root, 'tsconfig.json');
    let options = ts.convertCompilerOptionsFromJson(DEFAULT_COMPILER_OPTIONS, root).options;
    let fileNames: string[] = [];
    if (existsSync(configPath)) {
      const read = ts.readConfigFile(configPath, ts.sys.readFile);
      if (!read.error) {
        const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
        options = parsed.options;
        fileNames = parsed.fileNames;
      }
    }
    this.options = { ...options, noEmit: true };
    this.hostFiles = fileNames.map((f) => f.replace(/\\/g, '/'));
    const host: TypeScript.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [...new Set([...this.hostFiles, ...this.files.keys()])],
      getScriptVersion: (file) => String(this.files.get(file)?.version ?? 0),
      getScriptSnapshot: (file) => {
        const virtual = this.files.get(file);
        if (virtual) return ts.ScriptSnapshot.fromString(virtual.output.content);
        if (!existsSync(file)) return undefined;
        return ts.ScriptSnapshot.fromString(readFileSync(file, 'utf8'));
      },
      getCurrentDirectory: () => root,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (file) => this.files.has(file) || ts.sys.fileExists(file),
      readFile: (file) => this.files.get(file)?.output.content ?? ts.sys.readFile(file),
      readDirectory: ts.sys.readDirectory,
      directoryExists: (folder) => [...this.files.keys()].some((f) => f.startsWith(`${folder}/`)) || ts.sys.directoryExists(folder),
      getDirectories: ts.sys.getDirectories,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  /** Take the outputs of a new tangle; unchanged outputs keep their version (and TypeScript's work). */
  update(project: TangledSnapshot): void {
    const next = new Map<string, { output: Output; version: number }>();
    this.byDocumentLine = new Map();
    for (const output of project.outputs) {
      if (!TYPESCRIPT_EXTENSIONS.test(output.path)) continue;
      const file = this.fileName(output.path);
      const before = this.files.get(file);
      next.set(file, before && before.output.content === output.content ? { output, version: before.version } : { output, version: ++this.version });
      output.origins.forEach((origin, i) => {
        if (origin.document === null) return;
        const key = `${origin.document}:${origin.line}`;
        if (!this.byDocumentLine.has(key)) this.byDocumentLine.set(key, { output, line: i + 1 });
      });
    }
    this.files = next;
  }

  private fileName(path: string): string {
    return join(this.root, path).replace(/\\/g, '/');
  }

  /** Document position → output offset, or undefined when no TypeScript output has that text. */
  private toOutput(document: string, line: number, column: number): OutputPlace | undefined {
    const found = this.byDocumentLine.get(`${document}:${line}`);
    if (!found) return undefined;
    const origin = found.output.origins[found.line - 1]!;
    if (column < origin.column) return undefined;
    return { output: found.output, offset: startsOf(found.output)[found.line - 1]! + origin.indent + (column - origin.column) };
  }

  /** File offset → a document place when the file is a tangled output, else the file's own place. */
  private toDocument(fileName: string, offset: number): FilePlace | undefined {
    const virtual = this.files.get(fileName.replace(/\\/g, '/'));
    if (virtual) {
      const starts = startsOf(virtual.output);
      let line = 0;
      while (line + 1 < starts.length && starts[line + 1]! <= offset) line++;
      const origin = virtual.output.origins[line];
      if (!origin || origin.document === null) return undefined;
      return { file: origin.document, line: origin.line, column: origin.column + Math.max(0, offset - starts[line]! - origin.indent) };
    }
    const program = this.service.getProgram();
    const source = program?.getSourceFile(fileName);
    if (!source) return undefined;
    const position = source.getLineAndCharacterOfPosition(offset);
    return { file: fileName, line: position.line + 1, column: position.character + 1 };
  }

  /** Type errors of every output that holds text of `document`, at the document's places. */
  diagnostics(document: string): { place: FilePlace; endColumn: number; code: number; message: string; error: boolean }[] {
    const result: { place: FilePlace; endColumn: number; code: number; message: string; error: boolean }[] = [];
    for (const [file, { output }] of this.files) {
      if (!output.origins.some((o) => o.document === document)) continue;
      const found = [...this.service.getSyntacticDiagnostics(file), ...this.service.getSemanticDiagnostics(file)];
      for (const diagnostic of found) {
        const place = this.toDocument(file, diagnostic.start ?? 0);
        if (!place || place.file !== document) continue;
        const end = this.toDocument(file, (diagnostic.start ?? 0) + (diagnostic.length ?? 0));
        const endColumn = end && end.line === place.line ? end.column : place.column;
        result.push({
          place,
          endColumn,
          code: diagnostic.code,
          message: this.ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
          error: diagnostic.category === this.ts.DiagnosticCategory.Error,
        });
      }
    }
    return result;
  }

  /** Completions at a document position. */
  completions(document: string, line: number, column: number): { name: string; kind: string; sortText: string }[] | undefined {
    const at = this.toOutput(document, line, column);
    if (!at) return undefined;
    const found = this.service.getCompletionsAtPosition(this.fileName(at.output.path), at.offset, {});
    return found?.entries.map((entry) => ({ name: entry.name, kind: entry.kind, sortText: entry.sortText }));
  }

  /** Quick info (type and JSDoc) at a document position, as Markdown. */
  hover(document: string, line: number, column: number): string | undefined {
    const at = this.toOutput(document, line, column);
    if (!at) return undefined;
    const info = this.service.getQuickInfoAtPosition(this.fileName(at.output.path), at.offset);
    if (!info) return undefined;
    const display = this.ts.displayPartsToString(info.displayParts);
    const docs = this.ts.displayPartsToString(info.documentation);
    const tags = (info.tags ?? []).map((tag) => `*@${tag.name}* ${this.ts.displayPartsToString(tag.text ?? [])}`.trim());
    return [`\`\`\`typescript\n${display}\n\`\`\``, docs, ...tags].filter((s) => s.length > 0).join('\n\n');
  }

  /** Definitions at a document position, each mapped to the document it was written in (or its own file). */
  definition(document: string, line: number, column: number): { start: FilePlace; end: FilePlace }[] | undefined {
    const at = this.toOutput(document, line, column);
    if (!at) return undefined;
    const found = this.service.getDefinitionAtPosition(this.fileName(at.output.path), at.offset) ?? [];
    return found.flatMap((d) => {
      const start = this.toDocument(d.fileName, d.textSpan.start);
      const end = this.toDocument(d.fileName, d.textSpan.start + d.textSpan.length);
      if (!start) return [];
      return [{ start, end: end && end.file === start.file ? end : start }];
    });
  }

  /** Signature help at a document position. */
  signatureHelp(document: string, line: number, column: number): TypeScript.SignatureHelpItems | undefined {
    const at = this.toOutput(document, line, column);
    if (!at) return undefined;
    return this.service.getSignatureHelpItems(this.fileName(at.output.path), at.offset, {});
  }

  /** Render display parts (for signature help). */
  text(parts: readonly TypeScript.SymbolDisplayPart[]): string {
    return this.ts.displayPartsToString([...parts]);
  }

  /** A path for the client: project-relative for documents, absolute otherwise. */
  relative(file: string): string {
    return relative(this.root, file).split('\\').join('/');
  }
}

/** Load TypeScript and make the project (a few hundred milliseconds, once). */
export async function createTypeScriptProject(root: string): Promise<TypeScriptProject> {
  const ts = (await import('typescript')).default;
  return new TypeScriptProject(ts, root);
}
