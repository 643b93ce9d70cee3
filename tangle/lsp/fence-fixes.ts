/**
 * Quick fixes for the fence mistakes of the authoring checks (fence-checks.ts,
 * info-string.ts): an info string Weft read only in part (`unclear-info-string`), a fence
 * never closed (`unclosed-fence`), and a Weft fence swallowed by an open block
 * (`swallowed-fence`).
 *
 * The fixes are computed here from the diagnostic's place and the line's text, not carried
 * by the engine's messages: a message stays what the CLI prints. An info-string fix is a
 * rewrite of the whole info string, and it is offered only when the engine's own reader
 * (`parseInfo`) reads the rewrite completely, so applying a fix always clears the warning
 * it was offered for. Each title shows the text the fix writes.
 *
 * Not fixed: `reference-not-alone` (whether `  <<b>>;` meant the chunk's text or a literal
 * `<<b>>` is the author's call, and splitting the line changes the code either way),
 * `empty-target` and `invalid-chunk-name` (there is no name to propose).
 */
import type { CodeAction, Diagnostic, Range, TextEdit } from 'vscode-languageserver';
import { namesTarget, parseInfo } from '../info-string.js';

/** The parts of a fence line: what holds it (indentation, `> `), the fence run, the info string. */
interface FenceLine {
  /** Text in front of the run (container indentation or block-quote markers). */
  prefix: string;
  /** The fence characters (``` or ~~~, any length). */
  run: string;
  /** 0-based character where the info string starts and ends (trailing blanks excluded). */
  infoStart: number;
  infoEnd: number;
  info: string;
}

/** Read the fence that starts at 1-based `column` of `text`, or undefined when there is none. */
function fenceLine(text: string, column: number): FenceLine | undefined {
  const match = /^(`{3,}|~{3,})([ \t]*)(.*?)[ \t]*$/.exec(text.slice(column - 1));
  if (!match) return undefined;
  const infoStart = column - 1 + match[1]!.length + match[2]!.length;
  return { prefix: text.slice(0, column - 1), run: match[1]!, infoStart, infoEnd: infoStart + match[3]!.length, info: match[3]! };
}

/** An info-string token and where it is in the info string (0-based, end exclusive). */
interface Token {
  text: string;
  start: number;
  end: number;
}

/** Split an info string as the engine does (spaces and tabs, quotes kept together), with positions. */
function tokens(info: string): Token[] {
  const found: Token[] = [];
  let start = -1;
  let quote: string | null = null;
  for (let i = 0; i <= info.length; i++) {
    const char = info[i];
    if (quote !== null && char !== undefined) {
      if (char === quote) quote = null;
      continue;
    }
    if (char === undefined || char === ' ' || char === '\t') {
      if (start >= 0) found.push({ text: info.slice(start, i), start, end: i });
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (char === '"' || char === "'") quote = char;
  }
  return found;
}

/** `text` with the parts outside quotes changed by `change` (quoted values are kept as written). */
function outsideQuotes(text: string, change: (plain: string) => string): string {
  return text
    .split(/("[^"]*"|'[^']*')/)
    .map((piece, i) => (i % 2 === 1 ? piece : change(piece)))
    .join('');
}

/** Attributes written with spaces round `=` (`file = x`, `file= x`, `file =x`) joined up. */
function joinAttributes(info: string): string {
  let joined = '';
  let quote: string | null = null;
  for (let i = 0; i < info.length; i++) {
    const char = info[i]!;
    if (quote !== null) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '=' && joined.trim() !== '') {
      joined = joined.trimEnd();
      while (info[i + 1] === ' ' || info[i + 1] === '\t') i++;
    }
    joined += char;
  }
  return joined;
}

/** A misspelt file key (`filename=`, `file-path=`) as `file=`. */
function fileKey(info: string): string {
  return tokens(info)
    .reverse()
    .reduce((text, token) => {
      const key = /^(\{?)(file[^=\s]+)=/.exec(token.text);
      return key ? text.slice(0, token.start) + key[1] + 'file=' + text.slice(token.start + key[0].length) : text;
    }, info);
}

/**
 * The braces form as one group: every `{` and `}` outside quotes dropped, the rest after a
 * leading language word wrapped in a single `{…}` (`{.ts #name` → `{.ts #name}`,
 * `ts {#a} {file=x}` → `ts {#a file=x}`).
 */
function oneBraceGroup(info: string): string {
  const bare = outsideQuotes(info, (plain) => plain.replace(/[{}]/g, ' '));
  const words = tokens(bare).map((token) => token.text);
  const startsWithLanguage = !/^[{.#]/.test(info) && words.length > 0 && !words[0]!.includes('=');
  const language = startsWithLanguage ? `${words.shift()} ` : '';
  return `${language}{${words.join(' ')}}`;
}

/**
 * A chunk name with spaces (`#parse the args`): the words after the last `#name` that
 * Weft did not read, as one name, quoted or in kebab case. Undefined when the unread words
 * are not right after that name.
 */
function spacedName(info: string): { quoted: string; kebab: string } | undefined {
  const list = tokens(info);
  const id = list.findLastIndex((token) => token.text.startsWith('#') && token.text.length > 1 && !/["'{}]/.test(token.text));
  if (id < 0) return undefined;
  let last = id;
  while (last + 1 < list.length && /^[^#={}"'.][^={}"']*$/.test(list[last + 1]!.text)) last++;
  if (last === id) return undefined;
  const words = list.slice(id, last + 1).map((token) => token.text);
  words[0] = words[0]!.slice(1);
  const replace = (name: string) => info.slice(0, list[id]!.start) + name + info.slice(list[last]!.end);
  return { quoted: replace(`#"${words.join(' ')}"`), kebab: replace(`#${words.join('-')}`) };
}

/** Whether the engine reads `info` completely (nothing unread, no misspelt file key) and it names a target. */
function readsCompletely(info: string): boolean {
  const read = parseInfo(info);
  return read.unread.length === 0 && !Object.keys(read.attributes).some((key) => key.startsWith('file')) && namesTarget(read) && [...read.ids, ...read.files].every((name) => name.trim() !== '');
}

/** Rewrites of an unclear info string that the engine reads completely, best first, without repeats. */
export function infoRewrites(info: string): string[] {
  let repaired = fileKey(joinAttributes(info));
  // A `#` set apart from its name (`# parse`).
  repaired = outsideQuotes(repaired, (plain) => plain.replace(/(^|[ \t{])#[ \t]+(?=[^ \t#={}])/g, '$1#'));
  if (/[{}]/.test(outsideQuotes(repaired, (plain) => plain.replace(/[^{}]/g, '')))) {
    const read = parseInfo(repaired);
    if (read.unread.some((token) => /[{}]/.test(token))) repaired = oneBraceGroup(repaired);
  }
  const candidates: string[] = [];
  const named = spacedName(repaired);
  if (named && !readsCompletely(repaired)) candidates.push(named.quoted, named.kebab);
  candidates.push(repaired);
  return [...new Set(candidates)].filter((candidate) => candidate !== info && readsCompletely(candidate));
}

function action(title: string, diagnostic: Diagnostic, uri: string, edit: TextEdit, preferred: boolean): CodeAction {
  return { title, kind: 'quickfix', diagnostics: [diagnostic], ...(preferred ? { isPreferred: true } : {}), edit: { changes: { [uri]: [edit] } } };
}

function at(line: number, character: number, endCharacter = character): Range {
  return { start: { line, character }, end: { line, character: endCharacter } };
}

/** Where to close an open block: before `beforeLine` (0-based), above the blank lines in front of it. */
function closingEdit(lines: readonly string[], opening: FenceLine, fenceIndex: number, beforeLine: number): { edit: TextEdit; line: number } {
  let line = beforeLine;
  while (line - 1 > fenceIndex && (lines[line - 1] ?? '').slice(opening.prefix.length).trim() === '') line--;
  const closing = `${opening.prefix.replace(/[^ \t>]/g, ' ')}${opening.run}\n`;
  if (line >= lines.length) {
    const last = lines.length - 1;
    return { edit: { range: at(last, lines[last]!.length), newText: `${lines[last] === '' ? '' : '\n'}${closing}` }, line: last + 1 };
  }
  return { edit: { range: at(line, 0), newText: closing }, line };
}

/**
 * Where an unclosed block at `fenceIndex` could be closed; it runs up to `end` (0-based,
 * exclusive: the end of its container or of the document). A line inside that looks like
 * the start of another Weft block is where the author meant it to stop, and then that is
 * the one place. Otherwise two: before the first blank line after its code (prose follows
 * the block), and after the last line it holds (the block is the document's last).
 */
function closingPlaces(lines: readonly string[], fence: FenceLine, fenceIndex: number, end: number): { edit: TextEdit; line: number }[] {
  const inside = (i: number) => (lines[i] ?? '').slice(fence.prefix.length);
  for (let i = fenceIndex + 1; i < end; i++) {
    const inner = /^(`{3,}|~{3,})[ \t]*([^`]*)$/.exec(inside(i).trimStart());
    if (inner && inner[1]![0] === fence.run[0] && inner[1]!.length >= fence.run.length && namesTarget(parseInfo(inner[2]!))) return [closingEdit(lines, fence, fenceIndex, i)];
  }
  const places = [closingEdit(lines, fence, fenceIndex, end)];
  let code = fenceIndex + 1;
  while (code < end && inside(code).trim() === '') code++;
  let blank = code;
  while (blank < end && inside(blank).trim() !== '') blank++;
  const first = closingEdit(lines, fence, fenceIndex, blank);
  if (first.line < places[0]!.line) places.unshift(first);
  return places;
}

/** The quick fixes for a fence diagnostic of a document with `lines`; [] for any other diagnostic. */
export function fenceFixes(lines: readonly string[], uri: string, diagnostic: Diagnostic): CodeAction[] {
  const line = diagnostic.range.start.line;
  const message = typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
  if (diagnostic.code === 'unclear-info-string') {
    const fence = fenceLine(lines[line] ?? '', diagnostic.range.start.character + 1);
    if (!fence) return [];
    return infoRewrites(fence.info).map((info, i) => action(`Change the info string to ${fence.run}${info}`, diagnostic, uri, { range: at(line, fence.infoStart, fence.infoEnd), newText: info }, i === 0));
  }
  if (diagnostic.code === 'unclosed-fence') {
    const fence = fenceLine(lines[line] ?? '', diagnostic.range.start.character + 1);
    const containerEnd = /holds it \(line (\d+)\)/.exec(message);
    if (!fence) return [];
    const places = closingPlaces(lines, fence, line, containerEnd ? Number(containerEnd[1]) : lines.length);
    return places.map(({ edit, line: closedAt }) => action(`Close the block with ${fence.run} at line ${closedAt + 1}`, diagnostic, uri, edit, places.length === 1));
  }
  if (diagnostic.code === 'swallowed-fence') {
    const opened = /the block at [^\s]+:(\d+):(\d+) /.exec(message);
    if (!opened) return [];
    const fenceIndex = Number(opened[1]) - 1;
    const fence = fenceLine(lines[fenceIndex] ?? '', Number(opened[2]));
    if (!fence) return [];
    const { edit, line: closedAt } = closingEdit(lines, fence, fenceIndex, line);
    return [action(`Close the block of line ${fenceIndex + 1} with ${fence.run} at line ${closedAt + 1}`, diagnostic, uri, edit, true)];
  }
  return [];
}
