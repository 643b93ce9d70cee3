/**
 * `weft lsp`: the language server for `*.lit.md`, wired to a JSON-RPC connection.
 *
 * This file only translates: LSP's 0-based positions and URIs in, the engine's 1-based
 * positions and project-relative paths to the features (chunks.ts, typescript.ts), LSP
 * data out. The project is re-tangled in memory on every change of a buffer (coalesced:
 * a burst of edits tangles once, and a request first brings the tangle up to date), so
 * what the editor shows is what `weft tangle` would do with the unsaved buffers.
 *
 * Diagnostics are published in two steps: Weft's own at once (cheap, with the document's
 * previous TypeScript diagnostics so they do not flicker), then, for open documents whose
 * text is in a TypeScript output, Weft's and the compiler's new ones together. Only
 * documents whose diagnostics changed are published again.
 *
 * Custom requests for side-by-side views:
 * - `weft/explain` `{ output, line }` → `LineExplanation` (as `weft explain FILE:LINE --json`)
 *   plus `location` (the source as an LSP location, or null);
 * - `weft/showOutput` `{ uri }` → `{ outputs: [{ path, content }] }`, the document's tangled outputs.
 */
import { pathToFileURL, fileURLToPath } from 'node:url';
import { relative, resolve as resolvePath } from 'node:path';
import picomatch from 'picomatch';
import {
  CompletionItemKind,
  DiagnosticSeverity,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_CONFIG, loadConfig, type ResolvedConfig } from '../config.js';
import { explainLine, ExplainError } from '../explain.js';
import { findSources, readSource, type SourceText } from '../read.js';
import type { TangledSnapshot } from '../snapshot.js';
import { completion, definition, documentSymbols, hover, lineRange, quickFixes, references, renameEdits, renameProblem, renameRange, chunkAt, toDiagnostic, workspaceSymbols } from './chunks.js';
import { fenceFixes } from './fence-fixes.js';
import { createTypeScriptProject, type TypeScriptProject } from './typescript.js';
import { indexProject, isReferenceLine, messagesOf, retangle, sourceOfText, hitAt, type ChunkIndex, type RetangleMemo } from './workspace.js';

/** Options of `startServer`. */
export interface ServerOptions {
  /** Project root when the client names none. @default process.cwd() */
  root?: string;
  /** Run the TypeScript service inside fences. @default true */
  typescript?: boolean;
}

/** Start serving on `connection` (stdio for `weft lsp`, a stream pair in tests). */
export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const buffers = new TextDocuments(TextDocument);
  /** Absolute project root: the first workspace folder once the editor says it. */
  let root = resolvePath(options.root ?? process.cwd());
  let config: ResolvedConfig = DEFAULT_CONFIG;
  let isSource: (path: string) => boolean = () => false;
  /** Texts read from disk, by project-relative path (documents not open in the editor). */
  const disk = new Map<string, SourceText>();
  let memo: RetangleMemo | undefined;
  let index: ChunkIndex | undefined;
  let dirty = true;
  let typescript: Promise<TypeScriptProject> | undefined;
  let typescriptProject: TypeScriptProject | undefined;
  const published = new Map<string, string>();
  /** The last TypeScript diagnostics of each open document, kept while Weft's are republished (no flicker). */
  const typedByPath = new Map<string, Diagnostic[]>();

  const uriOf = (path: string) => (path.startsWith('/') ? pathToFileURL(path).href : pathToFileURL(resolvePath(root, path)).href);
  const pathOf = (uri: string) => projectPathOf(root, uri);

  /** The project as the editor sees it, tangled; re-tangled only after a change. */
  const current = (): ChunkIndex => {
    if (index && !dirty) return index;
    const sources = new Map(disk);
    for (const buffer of buffers.all()) {
      const path = pathOf(buffer.uri);
      if (path !== undefined && isSource(path)) sources.set(path, sourceOfText(path, buffer.getText()));
    }
    const ordered = [...sources.keys()].sort().map((path) => sources.get(path)!);
    const tangled = retangle(ordered, config, memo);
    memo = tangled.memo;
    index = indexProject(tangled.project, index);
    dirty = false;
    typescriptProject?.update(tangled.project);
    return index;
  };

  const typescriptReady = async (): Promise<TypeScriptProject | undefined> => {
    if (options.typescript === false) return undefined;
    typescript ??= createTypeScriptProject(root).then((project) => {
      typescriptProject = project;
      project.update(current().project);
      return project;
    });
    return typescript;
  };

  /** Publish a document's diagnostics when they changed. `published` holds the documents that have some. */
  const publish = (path: string, diagnostics: Diagnostic[]) => {
    const text = JSON.stringify(diagnostics);
    if ((published.get(path) ?? '[]') === text) return;
    if (diagnostics.length > 0) published.set(path, text);
    else published.delete(path);
    void connection.sendDiagnostics({ uri: uriOf(path), diagnostics });
  };

  const weftDiagnostics = (now: ChunkIndex, path: string) => messagesOf(now.project, path).map((m) => toDiagnostic(now, uriOf, m));
  /** Publish Weft's diagnostics for every document, then add TypeScript's for the open ones. */
  let scheduled = false;
  const refresh = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const now = current();
      // Only documents that have diagnostics now or had some before can change.
      const files = new Set([...now.project.messages.map((m) => m.file).filter((f) => f.endsWith('.lit.md')), ...published.keys(), ...typedByPath.keys()]);
      for (const path of files) publish(path, [...weftDiagnostics(now, path), ...(typedByPath.get(path) ?? [])]);
      void typescriptReady().then((project) => {
        if (!project || dirty) return;
        for (const buffer of buffers.all()) {
          const path = pathOf(buffer.uri);
          if (path === undefined || !now.documents.has(path)) continue;
          const typed = project.diagnostics(path).map(typescriptDiagnostic);
          typedByPath.set(path, typed);
          publish(path, [...weftDiagnostics(now, path), ...typed]);
        }
      });
    });
  };

  const change = () => {
    dirty = true;
    refresh();
  };
  const readDisk = async () => {
    config = loadConfig(root).config ?? DEFAULT_CONFIG;
    isSource = picomatch([...config.sources], { dot: false });
    disk.clear();
    for (const path of await findSources(root, config.sources)) disk.set(path, readSource(root, path, config.limits.maxDocumentBytes));
    dirty = true;
  };

  connection.onInitialize(async (params): Promise<InitializeResult> => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    if (folder) root = fileURLToPath(folder);
    await readDisk();
    return { capabilities: CAPABILITIES, serverInfo: { name: 'weft' } };
  });
  connection.onInitialized(() => refresh());

  buffers.onDidChangeContent(change);
  buffers.onDidClose((event) => {
    const path = pathOf(event.document.uri);
    if (path !== undefined) typedByPath.delete(path);
    if (path !== undefined && !disk.has(path)) publish(path, []);
    change();
  });
  connection.onDidChangeWatchedFiles(async () => {
    await readDisk();
    change();
  });

  const session: Session = { current, uriOf, pathOf, typescriptReady };
  answerNavigation(connection, session);
  answerEditsAndCommands(connection, session);

  buffers.listen(connection);
  connection.listen();
}

/** The project-relative path of a `file:` URI inside `root`, else undefined. */
function projectPathOf(root: string, uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  const path = relative(root, fileURLToPath(uri)).split('\\').join('/');
  return path.startsWith('../') ? undefined : path;
}

/** A TypeScript diagnostic of a document, as the LSP's. */
function typescriptDiagnostic(d: ReturnType<TypeScriptProject['diagnostics']>[number]): Diagnostic {
  return {
    range: lineRange(d.place.line, d.place.column, Math.max(d.endColumn, d.place.column)),
    severity: d.error ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: `TS${d.code}`,
    source: 'typescript',
    message: d.message,
  };
}

/** What the server offers the editor. */
const CAPABILITIES: InitializeResult['capabilities'] = {
  textDocumentSync: TextDocumentSyncKind.Incremental,
  definitionProvider: true,
  referencesProvider: true,
  hoverProvider: true,
  completionProvider: { triggerCharacters: ['<', '.', '#'] },
  renameProvider: { prepareProvider: true },
  documentSymbolProvider: true,
  workspaceSymbolProvider: true,
  codeActionProvider: { codeActionKinds: ['quickfix'] },
  signatureHelpProvider: { triggerCharacters: ['(', ','] },
};

/** What the request handlers need of a running server. */
interface Session {
  /** The project as the editor sees it, tangled (re-tangled only after a change). */
  current: () => ChunkIndex;
  uriOf: (path: string) => string;
  /** The project-relative path of a `file:` URI inside the project, else undefined. */
  pathOf: (uri: string) => string | undefined;
  /** The TypeScript project, started on first use; undefined when switched off. */
  typescriptReady: () => Promise<TypeScriptProject | undefined>;
}

/** Engine coordinates (1-based) of an LSP position (0-based) in a document of the project. */
function engineAt(session: Session, uri: string, position: { line: number; character: number }) {
  const path = session.pathOf(uri);
  return path === undefined ? undefined : { path, line: position.line + 1, column: position.character + 1 };
}

/** Definition, references, hover, completion and signature help: Weft's chunks first, TypeScript's answer elsewhere. */
function answerNavigation(connection: Connection, session: Session): void {
  const { current, uriOf, typescriptReady } = session;
  const at = (uri: string, position: { line: number; character: number }) => engineAt(session, uri, position);
  connection.onDefinition(async ({ textDocument, position }) => {
    const place = at(textDocument.uri, position);
    if (!place) return null;
    const now = current();
    const chunks = definition(now, uriOf, place.path, place.line, place.column);
    if (chunks || isReferenceLine(now, place.path, place.line)) return chunks ?? [];
    const project = await typescriptReady();
    const found = project?.definition(place.path, place.line, place.column);
    if (!found) return null;
    return found.map((d) => ({ uri: uriOf(d.start.file), range: { start: { line: d.start.line - 1, character: d.start.column - 1 }, end: { line: d.end.line - 1, character: d.end.column - 1 } } }));
  });

  connection.onReferences(({ textDocument, position, context }) => {
    const place = at(textDocument.uri, position);
    if (!place) return null;
    return references(current(), uriOf, place.path, place.line, place.column, context.includeDeclaration) ?? null;
  });

  connection.onHover(async ({ textDocument, position }) => {
    const place = at(textDocument.uri, position);
    if (!place) return null;
    const now = current();
    const chunk = hover(now, place.path, place.line, place.column);
    if (chunk || hitAt(now, place.path, place.line, place.column) || isReferenceLine(now, place.path, place.line)) return chunk ?? null;
    const text = (await typescriptReady())?.hover(place.path, place.line, place.column);
    return text ? { contents: { kind: 'markdown', value: text } } : null;
  });

  connection.onCompletion(async ({ textDocument, position }) => {
    const place = at(textDocument.uri, position);
    if (!place) return null;
    const now = current();
    const chunks = completion(now, place.path, place.line, place.column);
    if (chunks) return chunks;
    if (isReferenceLine(now, place.path, place.line)) return null;
    const entries = (await typescriptReady())?.completions(place.path, place.line, place.column);
    if (!entries) return null;
    return entries.map((entry) => ({ label: entry.name, kind: completionKind(entry.kind), sortText: entry.sortText }));
  });

  connection.onSignatureHelp(async ({ textDocument, position }) => {
    const place = at(textDocument.uri, position);
    if (!place) return null;
    const now = current();
    if (isReferenceLine(now, place.path, place.line)) return null;
    const project = await typescriptReady();
    const help = project?.signatureHelp(place.path, place.line, place.column);
    if (!project || !help) return null;
    return {
      activeSignature: help.selectedItemIndex,
      activeParameter: help.argumentIndex,
      signatures: help.items.map((item) => ({
        label: project.text([...item.prefixDisplayParts, ...item.parameters.flatMap((p, i) => (i > 0 ? [...item.separatorDisplayParts, ...p.displayParts] : p.displayParts)), ...item.suffixDisplayParts]),
        documentation: project.text(item.documentation) || undefined,
        parameters: item.parameters.map((p) => ({ label: project.text(p.displayParts), documentation: project.text(p.documentation) || undefined })),
      })),
    };
  });
}

/** Rename, symbols, quick fixes, and Weft's own requests (`weft/explain`, `weft/showOutput`). */
function answerEditsAndCommands(connection: Connection, session: Session): void {
  const { current, uriOf, pathOf } = session;
  const at = (uri: string, position: { line: number; character: number }) => engineAt(session, uri, position);
  connection.onPrepareRename(({ textDocument, position }) => {
    const place = at(textDocument.uri, position);
    return place ? (renameRange(current(), place.path, place.line, place.column) ?? null) : null;
  });

  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const place = at(textDocument.uri, position);
    if (!place) return null;
    const now = current();
    const chunk = chunkAt(now, place.path, place.line, place.column);
    if (!chunk) return new ResponseError(-32803, 'only a chunk name (a <<reference>> or a #name) can be renamed here');
    const problem = renameProblem(now, chunk, newName);
    if (problem) return new ResponseError(-32803, problem);
    return renameEdits(now, uriOf, chunk, newName);
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const path = pathOf(textDocument.uri);
    return path === undefined ? [] : documentSymbols(current(), path);
  });
  connection.onWorkspaceSymbol(({ query }) => workspaceSymbols(current(), uriOf, query));

  connection.onCodeAction(({ textDocument, context }) => {
    const path = pathOf(textDocument.uri);
    if (path === undefined) return [];
    const now = current();
    const lines = now.lines.get(path) ?? [];
    return context.diagnostics.flatMap((diagnostic) => [...quickFixes(now, textDocument.uri, path, diagnostic), ...fenceFixes(lines, textDocument.uri, diagnostic)]);
  });

  connection.onRequest('weft/explain', (params: { output: string; line: number }) => {
    const now = current();
    try {
      const explanation = explainLine(now.project as TangledSnapshot, params.output, params.line);
      const source = explanation.source;
      return { ...explanation, location: source ? { uri: uriOf(source.document), range: lineRange(source.line, source.column, source.column) } : null };
    } catch (error) {
      if (error instanceof ExplainError) return new ResponseError(-32602, error.message);
      throw error;
    }
  });
  connection.onRequest('weft/showOutput', (params: { uri: string }) => {
    const path = pathOf(params.uri);
    const now = current();
    return { outputs: now.project.outputs.filter((o) => o.document === path).map((o) => ({ path: o.path, content: o.content })) };
  });
}

/** TypeScript's completion kinds as the LSP's. */
function completionKind(kind: string): CompletionItemKind {
  switch (kind) {
    case 'method':
      return CompletionItemKind.Method;
    case 'property':
      return CompletionItemKind.Property;
    case 'function':
    case 'local function':
      return CompletionItemKind.Function;
    case 'class':
      return CompletionItemKind.Class;
    case 'interface':
      return CompletionItemKind.Interface;
    case 'keyword':
      return CompletionItemKind.Keyword;
    case 'const':
      return CompletionItemKind.Constant;
    case 'module':
      return CompletionItemKind.Module;
    default:
      return CompletionItemKind.Variable;
  }
}
