// generated from docs/engine/info-string.lit.md by weft — edit the source, not this file
import { message } from './messages.js';
import type { Block, Message } from './types.js';

/** An info string, read. */
export interface InfoString {
  /** Language: the first plain word, or else the first `.class` in braces. */
  lang: string | null;
  /** Values of `file=` attributes (normally zero or one). */
  files: string[];
  /** Names given with `#name` (normally zero or one). */
  ids: string[];
  /** Every other `key=value` attribute, kept and ignored. */
  attributes: Record<string, string>;
  /** True when the braces form was used (alone or after the language word). */
  braces: boolean;
  /** Tokens that are none of the above (bare words after the language, a stray `=`, an unmatched brace), in order. */
  unread: string[];
}

/** Read an info string (the text after the opening fence). */
export function parseInfo(info: string): InfoString {
  const result: InfoString = { lang: null, files: [], ids: [], attributes: {}, braces: false, unread: [] };
  const text = info.trim();
  const open = braceOpening(text);
  const close = open < 0 ? -1 : braceClosing(text, open);
  if (open >= 0 && close < 0) result.unread.push(text.slice(open));
  const outside = tokenize(open < 0 ? text : text.slice(0, open));
  const inside = close < 0 ? [] : tokenize(text.slice(open + 1, close));
  const after = close < 0 ? [] : tokenize(text.slice(close + 1));
  outside.forEach((token, index) => readToken(result, token, index === 0 ? 'language' : 'plain'));
  result.braces = close >= 0;
  for (const token of inside) readToken(result, token, 'braces');
  for (const token of after) readToken(result, token, 'plain');
  return result;
}

/** Where a braces group starts: a `{` at the start of a token, outside quotes; -1 when there is none. */
function braceOpening(text: string): number {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '{' && (i === 0 || text[i - 1] === ' ' || text[i - 1] === '\t')) {
      return i;
    }
  }
  return -1;
}

/** The `}` that ends the group opened at `open`, outside quotes; -1 when it is never closed. */
function braceClosing(text: string, open: number): number {
  let quote: string | null = null;
  for (let i = open + 1; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '}') {
      return i;
    }
  }
  return -1;
}

function readToken(result: InfoString, token: string, where: 'language' | 'plain' | 'braces'): void {
  if (token.startsWith('#')) {
    result.ids.push(unquote(token.slice(1)));
    return;
  }
  const eq = token.indexOf('=');
  if (eq > 0) {
    const key = token.slice(0, eq);
    const value = unquote(token.slice(eq + 1));
    if (key === 'file') result.files.push(value);
    else result.attributes[key] = value;
    return;
  }
  if (where === 'language') result.lang = token;
  else if (where === 'braces' && token.startsWith('.') && token.length > 1) {
    if (result.lang === null) result.lang = token.slice(1);
  } else result.unread.push(token);
}

/** Split on spaces and tabs, keeping quoted values ("a b" or 'a b') together. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const char of text) {
    if (quote) {
      current += char;
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      current += char;
      quote = char;
    } else if (char === ' ' || char === '\t') {
      if (current) tokens.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0]) {
    return value.slice(1, -1);
  }
  return value;
}

/** The full info string of a block (remark splits it into lang and meta). */
export function infoOf(block: Block): string {
  return block.lang === null ? '' : block.meta ? `${block.lang} ${block.meta}` : block.lang;
}

/** True when the info string names a file or a chunk (one or more). */
export function namesTarget(info: InfoString): boolean {
  return info.files.length + info.ids.length > 0;
}

/** A token that shows the author meant to name a target: `#…`, or anything starting with `file`. */
const TARGET_LIKE = /(?:^|[\s{])(?:#|file)/;

/**
 * A warning when the block's info string tries to name a target (`#…`, `file…`) and
 * Weft did not understand all of it; undefined when it is clear.
 */
export function unclearInfoString(path: string, block: Block): Message | undefined {
  const text = infoOf(block);
  if (!TARGET_LIKE.test(text)) return undefined;
  const info = parseInfo(text);
  const misnamedFile = Object.keys(info.attributes).filter((key) => key.startsWith('file'));
  if (info.unread.length === 0 && misnamedFile.length === 0) return undefined;
  const ignored = [...info.unread, ...misnamedFile.map((key) => `${key}=`)].map((token) => `\`${token}\``).join(', ');
  const notes: string[] = [];
  if (info.unread.includes('=') || info.unread.some((token) => token.endsWith('=') || token.startsWith('='))) {
    notes.push('write attributes without spaces around `=`: file=src/x.ts');
  }
  if (info.ids.length > 0 && info.unread.length > 0 && !info.unread.some((token) => /[{}=]/.test(token))) {
    const words = [info.ids[info.ids.length - 1], ...info.unread].join(' ');
    notes.push(`a chunk name with spaces is quoted: #"${words}" (or use a kebab-case name: #${words.replace(/\s+/g, '-')})`);
  }
  if (misnamedFile.length > 0) notes.push('a file target is written file=PATH');
  if (info.unread.some((token) => token.includes('{') || token.includes('}'))) {
    notes.push('the braces form is one group: {.ts #name} or {.ts file=src/x.ts}');
  }
  return message(path, block.fenceLine, block.fenceColumn, 'warning', 'unclear-info-string', `info string ${code(text)} is read as ${understood(info)}; Weft ignored ${ignored}`, notes);
}

/** `text` as inline code, with a longer delimiter when it holds backticks itself. */
export function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** What Weft made of an info string, in words. */
export function understood(info: InfoString): string {
  const targets = [...info.files.map((file) => `file \`${file}\``), ...info.ids.map((id) => `chunk \`${id}\``)];
  if (targets.length === 0) return info.lang ? `an example (${info.lang}, no target)` : 'an example (no target)';
  return info.lang ? `${targets.join(' and ')} (${info.lang})` : targets.join(' and ');
}

/** The `#|` lines at the top of a block, read (see `readQuartoHeader`). */
export interface QuartoHeader {
  /** How many lines at the top of the block are attribute lines (0: none). */
  lines: number;
  /** The attributes, in the order of their lines; a key repeated keeps its last value and line. */
  attributes: QuartoAttribute[];
  /** The first attribute line that is not `key: value`: then the header is not applied. */
  unreadable?: { /** 0-based line in the block */ index: number; text: string };
}

/** One `key: value` attribute line. */
export interface QuartoAttribute {
  key: string;
  /** The value: a string, a list for `[a, b]`, null when nothing follows the colon. */
  value: string | string[] | null;
  /** 0-based line in the block. */
  index: number;
}

/** The attribute lines at the top of `code`, behind `marker` (the language's line comment) and `|`. */
export function readQuartoHeader(code: string, marker: string): QuartoHeader {
  const header: QuartoHeader = { lines: 0, attributes: [] };
  const lineStart = new RegExp(`^${marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\|(.*)$`);
  const byKey = new Map<string, QuartoAttribute>();
  for (const line of code === '' ? [] : code.split('\n')) {
    const match = lineStart.exec(line);
    if (!match) break;
    const index = header.lines++;
    const text = match[1]!;
    if (text.trim() === '' || text.trim().startsWith('#')) continue;
    const attribute = readAttributeLine(text, index);
    if (attribute) {
      byKey.delete(attribute.key);
      byKey.set(attribute.key, attribute);
    } else header.unreadable ??= { index, text: line };
  }
  header.attributes = [...byKey.values()].sort((a, b) => a.index - b.index);
  return header;
}

function readAttributeLine(text: string, index: number): QuartoAttribute | undefined {
  const pair = /^\s*([A-Za-z_][\w.-]*)\s*:(?:\s+(.*))?$/.exec(text);
  if (!pair) return undefined;
  const raw = (pair[2] ?? '').trim();
  const quoted = /^(["'])(.*)\1$/.exec(raw);
  if (quoted) return { key: pair[1]!, value: quoted[2]!, index };
  const plain = raw.replace(/\s+#.*$/, '');
  if (plain.startsWith('[') && plain.endsWith(']')) {
    const items = plain.slice(1, -1).split(',').map((item) => unquote(item.trim())).filter((item) => item !== '');
    return { key: pair[1]!, value: items, index };
  }
  return { key: pair[1]!, value: plain === '' || plain === '~' || plain === 'null' ? null : plain, index };
}

/** `info` with the header's attributes added (`id` → ids, `file` → files, `classes` → the language if none). */
export function withQuartoAttributes(info: InfoString, header: QuartoHeader): InfoString {
  const result: InfoString = { ...info, files: [...info.files], ids: [...info.ids], attributes: { ...info.attributes } };
  for (const { key, value } of header.attributes) {
    const text = Array.isArray(value) ? value.join(',') : (value ?? '');
    if (key === 'id') result.ids.push(text);
    else if (key === 'file') result.files.push(text);
    else if (key === 'classes' && Array.isArray(value)) result.lang ??= value[0] ?? null;
    else result.attributes[key] = text;
  }
  return result;
}
//# sourceMappingURL=info-string.ts.map
