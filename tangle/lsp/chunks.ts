/**
 * Chunk features: what `<<name>>`, `#name` and `file=path` mean to an editor.
 *
 * Each feature is a pure function of the chunk index (workspace.ts) and a position,
 * returning LSP data; `server.ts` only wires them to requests. Documents are named by
 * project-relative path here; `uriOf` turns a path into the client's URI.
 *
 * Rename refuses rather than guesses: a new name that any document already defines would
 * change what some reference means (a local definition shadows a global one, two global
 * ones make a reference ambiguous), so it is refused with the place of the clash.
 */
import {
  CompletionItemKind,
  DiagnosticSeverity,
  SymbolKind,
  type CodeAction,
  type CompletionItem,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type Location,
  type Range,
  type SymbolInformation,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Chunk, Message } from '../types.js';
import { chunksOf, expandChunk, hitAt, resolveName, usesOf, type ChunkIndex, type ChunkReference, type TargetSite } from './workspace.js';

/** Turns a project-relative path into a URI. */
export type UriOf = (path: string) => string;

/** An LSP range on one line from 1-based columns (end exclusive). */
export function lineRange(line: number, column: number, endColumn: number): Range {
  return { start: { line: line - 1, character: column - 1 }, end: { line: line - 1, character: endColumn - 1 } };
}

/** Where a name is written in a reference; for `doc#name` only the part after `#`. */
function nameRange(reference: ChunkReference, bareOnly = false): Range {
  const hash = reference.name.lastIndexOf('#');
  const skip = bareOnly && hash > 0 ? hash + 1 : 0;
  return lineRange(reference.line, reference.nameColumn + skip, reference.nameColumn + reference.name.length);
}

function siteRange(site: TargetSite): Range {
  return lineRange(site.line, site.column, site.endColumn);
}

/** The chunk a reference or `#name` site at the position stands for. */
export function chunkAt(index: ChunkIndex, document: string, line: number, column: number): Chunk | undefined {
  const hit = hitAt(index, document, line, column);
  if (hit?.kind === 'reference') return resolveName(index, hit.reference.name, document);
  if (hit?.kind === 'target' && hit.site.kind === 'chunk') return resolveName(index, hit.site.name, document);
  return undefined;
}

/** Definition sites of a chunk: the `#name` of every block that defines it (in every document, with `chunkScope: "project"`). */
function definitionSites(index: ChunkIndex, chunk: Chunk): TargetSite[] {
  return chunksOf(index, chunk).flatMap((own) => (index.targets.get(own.document) ?? []).filter((site) => site.kind === 'chunk' && site.name === own.name));
}

/** Go to definition: every block of the chunk, or the output file of a `file=` site. */
export function definition(index: ChunkIndex, uriOf: UriOf, document: string, line: number, column: number): Location[] | undefined {
  const hit = hitAt(index, document, line, column);
  if (hit?.kind === 'target' && hit.site.kind === 'file') return [{ uri: uriOf(hit.site.name), range: lineRange(1, 1, 1) }];
  const chunk = chunkAt(index, document, line, column);
  if (!chunk) return hit ? [] : undefined;
  return definitionSites(index, chunk).map((site) => ({ uri: uriOf(site.document), range: siteRange(site) }));
}

/** Find references: every use of the chunk, across documents (and its definitions when asked). */
export function references(index: ChunkIndex, uriOf: UriOf, document: string, line: number, column: number, includeDeclaration: boolean): Location[] | undefined {
  const chunk = chunkAt(index, document, line, column);
  if (!chunk) return undefined;
  const uses = usesOf(index, chunk).map((reference) => ({ uri: uriOf(reference.document), range: nameRange(reference) }));
  const definitions = includeDeclaration ? definitionSites(index, chunk).map((site) => ({ uri: uriOf(site.document), range: siteRange(site) })) : [];
  return [...definitions, ...uses];
}

/** Hover on a reference or definition: the fully expanded text and where it is defined. */
export function hover(index: ChunkIndex, document: string, line: number, column: number): Hover | undefined {
  const hit = hitAt(index, document, line, column);
  const chunk = chunkAt(index, document, line, column);
  if (!hit || !chunk) return undefined;
  const lang = chunk.parts[0]!.lang ?? '';
  const places = chunk.parts.map((part) => `${part.document}:${part.fenceLine}`).join(', ');
  const range = hit.kind === 'reference' ? nameRange(hit.reference) : siteRange(hit.site);
  const { text, errors } = expandChunk(index, chunk);
  const problems = errors.map((m) => `\n\nnot tangled: ${m.message} (${m.file}:${m.line}) [${m.rule}]`).join('');
  return { contents: { kind: 'markdown', value: `\`\`\`${lang}\n${text}\n\`\`\`\n\n\`<<${chunk.name}>>\` defined at ${places}${problems}` }, range };
}

/** Names from other documents offered at most, per kind; more make the list incomplete (the client asks again as the user types). */
const MAX_OTHER_ITEMS = 100;

/**
 * Completion after `<<`: the document's own chunks, then names defined in exactly one
 * other document, then qualified names for every other document's chunks. Names from
 * other documents are filtered by what is typed and capped at `MAX_OTHER_ITEMS` each.
 */
export function completion(index: ChunkIndex, document: string, line: number, column: number): CompletionItem[] | CompletionList | undefined {
  const text = index.lines.get(document)?.[line - 1] ?? '';
  const before = text.slice(0, column - 1);
  const open = /<<([^<>]*)$/.exec(before);
  if (!open) return undefined;
  const start = column - 1 - open[1]!.length;
  const closed = text.slice(column - 1).startsWith('>>');
  const item = (label: string, chunk: Chunk, rank: number): CompletionItem => ({
    label,
    kind: CompletionItemKind.Reference,
    detail: chunk.parts.find((p) => p.value.length > 0)?.value.split('\n')[0] ?? '',
    sortText: `${rank}${label}`,
    textEdit: { range: lineRange(line, start + 1, column), newText: closed ? label : `${label}>>` },
  });
  const typed = open[1]!.trim().toLowerCase();
  const items: CompletionItem[] = [];
  for (const chunk of index.chunks.get(document)?.values() ?? []) items.push(item(chunk.name, chunk, 0));
  let global = 0;
  let incomplete = false;
  for (const [name, definers] of index.definers) {
    if (incomplete) break;
    const others = definers.filter((path) => path !== document);
    // With `chunkScope: "project"` a name defined in several documents is one chunk, not an ambiguous one.
    const resolvable = others.length === 1 || (others.length > 1 && index.project.config.chunkScope === 'project');
    if (!resolvable || index.chunks.get(document)?.has(name) || !name.toLowerCase().includes(typed)) continue;
    if (++global > MAX_OTHER_ITEMS) incomplete = true;
    else items.push(item(name, index.chunks.get(others[0]!)!.get(name)!, 1));
  }
  let qualified = 0;
  for (const [path, chunks] of index.chunks) {
    if (path === document || qualified > MAX_OTHER_ITEMS) continue;
    for (const chunk of chunks.values()) {
      const label = `${path}#${chunk.name}`;
      if (!label.toLowerCase().includes(typed)) continue;
      if (++qualified > MAX_OTHER_ITEMS) incomplete = true;
      else items.push(item(label, chunk, 2));
    }
  }
  return incomplete ? { isIncomplete: true, items } : items;
}

/** The name under the position that rename would change (the part after `#` of a qualified reference), or undefined. */
export function renameRange(index: ChunkIndex, document: string, line: number, column: number): { range: Range; placeholder: string } | undefined {
  const hit = hitAt(index, document, line, column);
  const chunk = chunkAt(index, document, line, column);
  if (!hit || !chunk) return undefined;
  return { range: hit.kind === 'reference' ? nameRange(hit.reference, true) : siteRange(hit.site), placeholder: chunk.name };
}

/** Why `name` cannot be a new chunk name, or undefined when it can. */
export function renameProblem(index: ChunkIndex, chunk: Chunk, name: string): string | undefined {
  if (name.trim() === '' || name !== name.trim() || /\s/.test(name)) return `\`${name}\` is not a chunk name (no spaces, not empty)`;
  if (name.includes('<<') || name.includes('>>') || name.includes('#')) return `chunk name \`${name}\` may not contain <<, >> or #`;
  if (name === chunk.name) return undefined;
  const clash = (index.definers.get(name) ?? [])[0];
  if (clash) {
    const part = index.chunks.get(clash)!.get(name)!.parts[0]!;
    return `\`${name}\` is already defined at ${clash}:${part.fenceLine}; renaming would change what references mean`;
  }
  return undefined;
}

/** The edits that rename a chunk everywhere: its `#name` sites and every reference to it. */
export function renameEdits(index: ChunkIndex, uriOf: UriOf, chunk: Chunk, name: string): WorkspaceEdit {
  const changes: Record<string, { range: Range; newText: string }[]> = {};
  const add = (document: string, range: Range) => (changes[uriOf(document)] ??= []).push({ range, newText: name });
  for (const site of definitionSites(index, chunk)) add(site.document, siteRange(site));
  for (const reference of usesOf(index, chunk)) add(reference.document, nameRange(reference, true));
  return { changes };
}

/** The document outline: headings, with the chunks and file targets under them. */
export function documentSymbols(index: ChunkIndex, document: string): DocumentSymbol[] {
  const lines = index.lines.get(document) ?? [];
  const roots: DocumentSymbol[] = [];
  const stack: { depth: number; symbol: DocumentSymbol }[] = [];
  const add = (symbol: DocumentSymbol) => (stack.length > 0 ? (stack[stack.length - 1]!.symbol.children ??= []).push(symbol) : roots.push(symbol));
  const sites = [...(index.targets.get(document) ?? [])];
  let fence: string | null = null;
  lines.forEach((text, i) => {
    const line = i + 1;
    while (sites.length > 0 && sites[0]!.line === line) {
      const site = sites.shift()!;
      const range = siteRange(site);
      add({ name: site.kind === 'chunk' ? `<<${site.name}>>` : site.name, kind: site.kind === 'chunk' ? SymbolKind.Function : SymbolKind.File, range, selectionRange: range });
    }
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (marker) {
      if (fence === null) fence = marker[1]!;
      else if (marker[1]![0] === fence[0] && marker[1]!.length >= fence.length && text.trim() === marker[1]) fence = null;
      return;
    }
    const heading = fence === null ? /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/.exec(text) : null;
    if (!heading) return;
    const depth = heading[1]!.length;
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const range = lineRange(line, 1, text.length + 1);
    const symbol: DocumentSymbol = { name: heading[2]! || heading[1]!, kind: SymbolKind.String, range, selectionRange: range, children: [] };
    add(symbol);
    stack.push({ depth, symbol });
  });
  return roots;
}

/** Workspace symbols: every chunk whose name contains the query (case-insensitive). */
export function workspaceSymbols(index: ChunkIndex, uriOf: UriOf, query: string): SymbolInformation[] {
  const wanted = query.toLowerCase();
  const result: SymbolInformation[] = [];
  for (const sites of index.targets.values()) {
    const seen = new Set<string>();
    for (const site of sites) {
      if (site.kind !== 'chunk' || seen.has(site.name) || !site.name.toLowerCase().includes(wanted)) continue;
      seen.add(site.name);
      result.push({ name: site.name, kind: SymbolKind.Function, location: { uri: uriOf(site.document), range: siteRange(site) }, containerName: site.document });
    }
  }
  return result;
}

/** A located note (`defined at docs/a.lit.md:3:1`, `docs/a.lit.md:3:1: text`). */
const LOCATED_NOTE = /^(?:(?:also )?defined at )?([^\s:][^:]*\.lit\.md):(\d+):(\d+)(?::\s*(.*))?$/;

/** A Weft message as an LSP diagnostic: rule id as `code`, located notes as related information. */
export function toDiagnostic(index: ChunkIndex, uriOf: UriOf, m: Message): Diagnostic {
  const text = index.lines.get(m.file)?.[m.line - 1] ?? '';
  const column = Math.max(m.column, 1);
  let end = text.length + 1;
  if (text.startsWith('<<', column - 1)) end = text.indexOf('>>', column + 1) + 3;
  const diagnostic: Diagnostic = {
    range: m.line > 0 ? lineRange(m.line, column, Math.max(end, column)) : lineRange(1, 1, 1),
    severity: m.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: m.rule,
    source: 'weft',
    message: m.message,
  };
  const related = (m.notes ?? []).flatMap((note) => {
    const located = LOCATED_NOTE.exec(note);
    if (!located) return [];
    const line = Number(located[2]);
    const col = Number(located[3]);
    return [{ location: { uri: uriOf(located[1]!), range: lineRange(line, col, col) }, message: located[4] ?? note }];
  });
  const unlocated = (m.notes ?? []).filter((note) => !LOCATED_NOTE.test(note));
  if (unlocated.length > 0) diagnostic.message += `\n${unlocated.join('\n')}`;
  if (related.length > 0) diagnostic.relatedInformation = related;
  return diagnostic;
}

/**
 * Quick fixes for a diagnostic: "did you mean" replaces the name; an undefined chunk can be
 * created as an empty block right after the block that references it; an ambiguous one is
 * qualified with one of the documents that define it.
 */
export function quickFixes(index: ChunkIndex, uri: string, document: string, diagnostic: Diagnostic): CodeAction[] {
  const line = diagnostic.range.start.line + 1;
  const reference = (index.references.get(document) ?? []).find((r) => r.line === line);
  if (!reference) return [];
  if (diagnostic.code === 'ambiguous-chunk') return qualifyFixes(index, uri, reference, diagnostic);
  if (diagnostic.code !== 'undefined-chunk') return [];
  const actions: CodeAction[] = [];
  const suggestion = /did you mean `<<(.+?)>>`\?/.exec(typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value);
  if (suggestion) {
    actions.push({
      title: `Change to <<${suggestion[1]}>>`,
      kind: 'quickfix',
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [uri]: [{ range: nameRange(reference), newText: suggestion[1]! }] } },
    });
  }
  const hash = reference.name.lastIndexOf('#');
  const qualified = hash > 0 && index.documents.has(reference.name.slice(0, hash));
  if (!qualified) {
    const part = [...(index.targets.get(document) ?? [])].map((site) => site.part).find((p) => line >= p.line && line < p.line + p.value.split('\n').length);
    if (part) {
      const after = part.line + (part.columns.length === 0 ? 0 : part.value.split('\n').length) + 1;
      const fence = index.lines.get(document)?.[part.fenceLine - 1]?.match(/^[ \t>]*(`{3,}|~{3,})/)?.[1] ?? '```';
      actions.push({
        title: `Create chunk <<${reference.name}>> here`,
        kind: 'quickfix',
        diagnostics: [diagnostic],
        edit: { changes: { [uri]: [{ range: lineRange(after, 1, 1), newText: `\n${fence}${part.lang ?? ''} #${reference.name}\n${fence}\n` }] } },
      });
    }
  }
  return actions;
}

/** An ambiguous reference qualified with each document that defines the name, in path order. */
function qualifyFixes(index: ChunkIndex, uri: string, reference: ChunkReference, diagnostic: Diagnostic): CodeAction[] {
  const definers = (index.definers.get(reference.name) ?? []).filter((path) => path !== reference.document);
  return definers.map((path) => ({
    title: `Change to <<${path}#${reference.name}>>`,
    kind: 'quickfix',
    diagnostics: [diagnostic],
    edit: { changes: { [uri]: [{ range: nameRange(reference), newText: `${path}#${reference.name}` }] } },
  }));
}
