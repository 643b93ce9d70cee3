/**
 * Read stage: find the literate sources and turn their bytes into normalised text.
 *
 * Normalisation happens once, here, so every later stage (and the cache key) sees the
 * same text on every machine: a UTF-8 byte-order mark is dropped, CRLF and lone CR
 * become LF. Invalid UTF-8 is reported, never thrown: an error (`invalid-utf8`) by
 * default, since outputs made from text Weft could not read would not reproduce the
 * document (each invalid sequence becomes U+FFFD), or a warning when the config sets
 * `allowInvalidUtf8`. Line numbers are unchanged by this, so positions still point at
 * the file as saved.
 */
import { hash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { glob } from 'tinyglobby';
import { message } from './messages.js';
import type { Message } from './types.js';

/** A document's text as the later stages see it. */
export interface SourceText {
  /** Project-relative POSIX path. */
  path: string;
  /** Normalised text (no BOM, LF line endings). */
  text: string;
  /** SHA-256 (hex) of the raw bytes. */
  hash: string;
  messages: Message[];
  /** The raw bytes, when the text was read from disk (the sources cache stores them without reading the file again). */
  bytes?: Uint8Array;
}

/** Folders never searched for sources, whatever the globs say. */
export const IGNORED = ['**/node_modules/**', '**/.git/**', '**/.weft/**'];

/** Project-relative paths of the sources matching `globs`, sorted (byte order). */
export async function findSources(root: string, globs: readonly string[]): Promise<string[]> {
  const found = await glob([...globs], { cwd: root, ignore: IGNORED, onlyFiles: true, dot: false, followSymbolicLinks: false });
  // A glob may reach out of the project (`../x/*.lit.md`, `/abs/*`); its documents are not ours to read.
  return found
    .map((p) => p.split('\\').join('/'))
    .filter((p) => !p.startsWith('../') && !isAbsolute(p))
    .sort(); // UTF-16 code unit order, as `byteOrder`.
}

export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hashText(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** How documents are read. */
export interface ReadOptions {
  /** Accept invalid UTF-8 (as U+FFFD) with a warning instead of an error (the config's `allowInvalidUtf8`). @default false */
  allowInvalidUtf8?: boolean;
}

/** Decode and normalise a document's bytes. Pure; `path` only labels messages. */
export function decodeSource(path: string, bytes: Uint8Array, options: ReadOptions = {}): SourceText {
  const messages: Message[] = [];
  let text: string;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    text = lenientDecoder.decode(bytes);
    const offset = firstReplacement(text);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    if (options.allowInvalidUtf8) {
      messages.push(message(path, line, column, 'warning', 'invalid-utf8', 'document is not valid UTF-8; invalid bytes were read as U+FFFD', ['allowInvalidUtf8 is set in weft.config.json']));
    } else {
      messages.push(
        message(path, line, column, 'error', 'invalid-utf8', 'document is not valid UTF-8, so its outputs would not reproduce it', [
          'save the document as UTF-8 (the first invalid byte is here)',
          'to tangle it anyway, with each invalid byte sequence as U+FFFD, set "allowInvalidUtf8": true in weft.config.json',
        ]),
      );
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return { path, text, hash: hashText(bytes), messages, bytes };
}

function firstReplacement(text: string): number {
  const index = text.indexOf('\uFFFD');
  return index < 0 ? 0 : index;
}

/** Read one document; a missing or oversized file is a message, not an exception. */
export function readSource(root: string, path: string, maxBytes: number, options: ReadOptions = {}): SourceText {
  const full = join(root, path);
  try {
    const size = statSync(full).size;
    if (size > maxBytes) {
      return {
        path,
        text: '',
        hash: '',
        messages: [message(path, 0, 0, 'error', 'document-too-large', `document is ${size} bytes, more than limits.maxDocumentBytes (${maxBytes})`)],
      };
    }
    return decodeSource(path, readFileSync(full), options);
  } catch (error) {
    return {
      path,
      text: '',
      hash: '',
      messages: [message(path, 0, 0, 'error', 'unreadable-document', `cannot read document: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)],
    };
  }
}
