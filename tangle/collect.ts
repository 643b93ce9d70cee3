// generated from docs/engine/collect.lit.md by weft — edit the source, not this file
import { commentStyleFor, type CommentOverrides } from './comment-syntax.js';
import { message } from './messages.js';
import { code, infoOf, parseInfo, readQuartoHeader, withQuartoAttributes, type InfoString } from './info-string.js';
import type { Block, Chunk, CollectedDocument, FileTarget, Message, ParsedDocument, Part, Reference } from './types.js';

/** A line that is only optional indentation and one `<<name>>`: a reference. */
export const REFERENCE = /^([ \t]*)<<((?:(?!>>).)+)>>[ \t]*$/;

/**
 * A `<<name>>` inside a longer line that looks meant as a reference (a reference followed by a semicolon): the `<<`
 * starts the line or follows white space, the name is chunk-name-shaped (a letter or digit,
 * then letters, digits and `-_./#:`), and the `>>` ends the line or is followed by white
 * space or punctuation. `1 << 2`, `a<<b>>c` and `x << y >> z` do not match.
 */
const INLINE_REFERENCE = /(?<=^|[ \t])<<([\p{L}\p{N}][\p{L}\p{N}_./#:-]*)>>(?=$|[\s;,.)\]}])/gu;

/**
 * A collected document with its count of example blocks (blocks naming no target), for
 * the `no-targets` check. Kept here, not in types.ts, while that file is being made
 * literate; the count travels with the document (also through the on-disk cache, which
 * stores the whole object), and a document without it counts as having none.
 */
export type WithExamples = CollectedDocument & { examples?: number; quartoExamples?: number };

/** A first line that looks like a Quarto-style target attribute: `#| file:`, `//| id:`, `-- | file:`. */
const QUARTO_TARGET_LINE = /^\S{1,3}[ \t]*\|[ \t]*(?:file|id)[ \t]*:/;

/** What collect reads from the config (a `ResolvedConfig` is one). */
export interface CollectOptions {
  /** Read Entangled's / Quarto's `#| key: value` lines at the top of a block as its attributes. @default false */
  readonly quartoAttributes: boolean;
  /** The config's comment markers, which find those lines in languages the built-in table lacks. @default {} */
  readonly comments: CommentOverrides;
}

const DEFAULT_OPTIONS: CollectOptions = { quartoAttributes: false, comments: {} };

/** The part of a cache key that stands for the options: '' for the defaults. */
export function collectVariant(options: CollectOptions): string {
  return options.quartoAttributes ? `quarto${JSON.stringify(Object.entries(options.comments).sort())}` : '';
}

/** Group a parsed document's blocks into chunks and file targets. */
export function collectDocument(parsed: ParsedDocument, options: CollectOptions = DEFAULT_OPTIONS): CollectedDocument {
  const messages: Message[] = [...parsed.messages];
  const chunks = new Map<string, Chunk>();
  const files = new Map<string, FileTarget>();
  const doc = parsed.path;
  let examples = 0;
  let quartoExamples = 0;
  for (const block of parsed.blocks) {
    const written = parseInfo(infoOf(block));
    const quarto = options.quartoAttributes ? quartoAttributes(doc, block, written, options.comments, messages) : undefined;
    if (quarto === null) continue;
    const info = quarto?.info ?? written;
    // The attribute lines are not code: the part starts after them, at its real line.
    const skip = quarto?.lines ?? 0;
    const targets = info.files.length + info.ids.length;
    if (targets === 0) {
      examples++;
      if (!options.quartoAttributes && QUARTO_TARGET_LINE.test(block.value)) quartoExamples++;
      continue;
    }
    const where = (text: string) => message(doc, block.fenceLine, block.fenceColumn, 'error', 'conflicting-target', text);
    // One file and one name together is Entangled's "written to the file and also
    // referable by name"; two files or two names stay ambiguous.
    const fileAndName = info.files.length === 1 && info.ids.length === 1;
    if (targets > 1 && !fileAndName) {
      messages.push(where(`block names ${targets} targets (${[...info.files.map((f) => `file=${f}`), ...info.ids.map((i) => `#${i}`)].join(', ')}); a block defines one file or one chunk`));
      continue;
    }
    const part: Part = {
      document: doc,
      lang: info.lang,
      value: skip === 0 ? block.value : block.value.split('\n').slice(skip).join('\n'),
      line: block.fenceLine + 1 + skip,
      columns: skip === 0 ? block.columns : block.columns.slice(skip),
      fenceLine: block.fenceLine,
      fenceColumn: block.fenceColumn,
      references: [],
    };
    part.references = referencesOf(part, messages);
    if (fileAndName) {
      const path = info.files[0]!;
      const name = info.ids[0]!;
      const problem = path.trim() === '' ? 'block has an empty `file=` path' : name.trim() === '' ? 'block has an empty chunk name after `#`' : undefined;
      if (problem) {
        messages.push(message(doc, block.fenceLine, block.fenceColumn, 'error', 'empty-target', problem));
        continue;
      }
      if (name.includes('<<') || name.includes('>>')) {
        messages.push(message(doc, block.fenceLine, block.fenceColumn, 'error', 'invalid-chunk-name', `chunk name \`${name}\` may not contain << or >>`));
        continue;
      }
      addChunk(name, part);
      // The file holds the whole chunk, not just this block: Entangled writes every later
      // `#name` block into the same file ("a definition can be appended"). So the file's
      // part is one `<<name>>` reference at the block's first line; its lines map to the
      // chunk's blocks through expansion, as any reference does.
      addFile(path, chunkReferencePart(part, name));
      continue;
    }
    if (info.files.length === 1) {
      const path = info.files[0]!;
      if (path.trim() === '') {
        messages.push(message(doc, block.fenceLine, block.fenceColumn, 'error', 'empty-target', 'block has an empty `file=` path'));
        continue;
      }
      addFile(path, part);
    } else {
      const name = info.ids[0]!;
      if (name.trim() === '') {
        messages.push(message(doc, block.fenceLine, block.fenceColumn, 'error', 'empty-target', 'block has an empty chunk name after `#`'));
        continue;
      }
      if (name.includes('<<') || name.includes('>>')) {
        messages.push(message(doc, block.fenceLine, block.fenceColumn, 'error', 'invalid-chunk-name', `chunk name \`${name}\` may not contain << or >>`));
        continue;
      }
      addChunk(name, part);
    }
  }
  const collected: WithExamples = { path: doc, hash: parsed.hash, chunks: [...chunks.values()], files: [...files.values()], messages, examples };
  if (quartoExamples > 0) collected.quartoExamples = quartoExamples;
  return collected;

  function addFile(path: string, part: Part): void {
    const existing = files.get(path);
    if (existing) existing.parts.push(part);
    else files.set(path, { path, document: doc, parts: [part] });
  }

  function addChunk(name: string, part: Part): void {
    const existing = chunks.get(name);
    if (existing) existing.parts.push(part);
    else chunks.set(name, { name, document: doc, parts: [part] });
  }
}

/**
 * A block's `#|` attribute lines: the info string with them added and how many lines they
 * are; undefined when there are none to apply; null when the block is refused (an
 * `empty-target` error was added to `messages`).
 */
function quartoAttributes(doc: string, block: Block, info: InfoString, comments: CommentOverrides, messages: Message[]): { info: InfoString; lines: number } | null | undefined {
  const style = commentStyleFor('', info.lang, comments);
  if (!style || style.close !== '') return undefined;
  const header = readQuartoHeader(block.value, style.open);
  if (header.lines === 0) return undefined;
  const at = (index: number) => ({ line: block.fenceLine + 1 + index, column: block.columns[index] ?? 1 });
  if (header.unreadable) {
    const lines = block.value.split('\n').slice(0, header.lines);
    if (lines.some((line) => /^\S+\s*\|\s*(file|id)\b/.test(line))) {
      const { line, column } = at(header.unreadable.index);
      const text = header.unreadable.text;
      messages.push(message(doc, line, column, 'warning', 'unclear-info-string', `attribute line ${code(text)} is not \`key: value\`, so the block's \`${style.open}|\` lines are not read and it stays as its info string says`, [`write one attribute a line, a colon and a space after the key: ${style.open}| file: src/x.jl`]));
    }
    return undefined;
  }
  for (const attribute of header.attributes) {
    const { line, column } = at(attribute.index);
    if ((attribute.key === 'file' || attribute.key === 'id') && (attribute.value === null || attribute.value.length === 0 || String(attribute.value).trim() === '')) {
      messages.push(message(doc, line, column, 'error', 'empty-target', `\`${style.open}| ${attribute.key}:\` has no ${attribute.key === 'file' ? 'path' : 'chunk name'}`));
      return null;
    }
    if (attribute.key !== 'file' && attribute.key.toLowerCase().startsWith('file')) {
      messages.push(message(doc, line, column, 'warning', 'unclear-info-string', `attribute \`${attribute.key}\` is kept and ignored; Weft reads a file target from \`file\``, [`a file target is written ${style.open}| file: PATH`]));
    }
  }
  return { info: withQuartoAttributes(info, header), lines: header.lines };
}

/**
 * The part a `file=… #name` block gives its file: one line `<<name>>` placed at the
 * block's opening fence, where `#name` is written. Not at the first content line: that
 * line belongs to the chunk's part, and two parts on one document line look to stitch
 * like two uses of it (an edit there would be refused as a shared-chunk conflict).
 */
function chunkReferencePart(block: Part, name: string): Part {
  return {
    document: block.document,
    lang: block.lang,
    value: `<<${name}>>`,
    line: block.fenceLine,
    columns: [block.fenceColumn],
    fenceLine: block.fenceLine,
    fenceColumn: block.fenceColumn,
    references: [{ name, text: name, line: block.fenceLine, column: block.fenceColumn, indent: '', index: 0 }],
  };
}

/**
 * A `no-targets` warning when the documents hold code blocks but not one of them names a
 * file or a chunk: every block is an example, so nothing is tangled (a project of prose
 * only, woven and never tangled, gets no warning). The usual cause is a
 * project written for another tool (a bare ```` ```python ```` block, Entangled's
 * `#|` attributes without `quartoAttributes`), so the message says what Weft looks for.
 * Located at the first document (documents come in path order).
 */
export function noTargets(documents: readonly CollectedDocument[]): Message[] {
  // A document that could not be read already has its error; a warning on top is noise.
  if (documents.length === 0 || documents.some((d) => d.files.length > 0 || d.chunks.length > 0 || d.messages.some((m) => m.severity === 'error'))) return [];
  if (!documents.some((d) => ((d as WithExamples).examples ?? 0) > 0)) return [];
  const quarto = documents.reduce((sum, d) => sum + ((d as WithExamples).quartoExamples ?? 0), 0);
  const notes = quarto === 0 ? [] : [`${quarto === 1 ? '1 block starts' : `${quarto} blocks start`} with a Quarto-style attribute such as \`#| file: src/x.jl\` (Entangled's quarto_attributes hook): set "quartoAttributes": true in weft.config.json to read them (weft init --from-entangled does)`];
  return [
    message(
      documents[0]!.path,
      1,
      1,
      'warning',
      'no-targets',
      `no block in the ${documents.length === 1 ? 'document' : `${documents.length} documents`} names a target, so nothing is tangled; Weft tangles blocks whose info string names a file (\`ts file=src/a.ts\` or \`{.ts file=src/a.ts}\`) or a chunk (\`ts #name\`), and treats every other block as an example`,
      notes,
    ),
  ];
}

/**
 * A part's `<<references>>`, read once for every later stage. A `<<name>>` that shares its
 * line with other code is not a reference (it is copied as it is); when it looks meant as
 * one, a `reference-not-alone` warning says so at the `<<`.
 */
export function referencesOf(part: Part, messages: Message[]): Reference[] {
  const references: Reference[] = [];
  const value = part.value;
  // Only lines holding `<<` are looked at, found with indexOf: most lines of a part have none.
  let index = 0;
  let lineStart = 0;
  for (let at = value.indexOf('<<'); at !== -1; ) {
    for (let newline = value.indexOf('\n', lineStart); newline !== -1 && newline < at; newline = value.indexOf('\n', lineStart)) {
      lineStart = newline + 1;
      index++;
    }
    const lineEnd = value.indexOf('\n', at);
    const line = value.slice(lineStart, lineEnd === -1 ? value.length : lineEnd);
    const line1 = part.line + index;
    const column = part.columns[index] ?? 1;
    const match = REFERENCE.exec(line);
    if (match) {
      const text = match[2]!.trim();
      const hash = text.lastIndexOf('#');
      const indent = match[1]!;
      const reference: Reference = { name: hash > 0 ? text.slice(hash + 1) : text, text, line: line1, column: column + indent.length, indent, index };
      if (hash > 0) reference.document = text.slice(0, hash);
      references.push(reference);
    } else {
      for (const inline of line.matchAll(INLINE_REFERENCE)) {
        messages.push(message(part.document, line1, column + inline.index, 'warning', 'reference-not-alone', `\`<<${inline[1]}>>\` is not alone on its line, so it is not expanded`));
      }
    }
    if (lineEnd === -1) break;
    at = value.indexOf('<<', lineEnd);
  }
  return references;
}
//# sourceMappingURL=collect.ts.map
