/**
 * The manifest, `.weft/manifest.json`: every output Weft wrote, the SHA-256 of what it
 * wrote, and what it was made from. It is how a hand edit is told from Weft's own work.
 *
 * Read side: a manifest in exactly the layout Weft writes is cut into its entries'
 * texts without parsing the JSON, and each entry is parsed on first access (a watch
 * re-reads a 1–2 MB manifest before every rebuild and needs a handful of entries).
 * Anything else (hand-formatted, merged) is parsed as JSON; a malformed manifest is
 * empty, with a warning, so every existing output is then treated as hand-written.
 * Write side: stable JSON (sorted keys, two-space indent, final newline, so it merges
 * cleanly), assembled from entries encoded once per output.
 *
 * The manifest is untrusted input (it is committed): nothing here acts on it; the
 * planner only deletes what it names inside an output folder, and into the trash.
 */
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { message } from './messages.js';
import { byteOrder } from './read.js';
import type { Manifest, ManifestEntry, Message, Output } from './types.js';
import { WEFT_VERSION } from './version.js';

/** Where Weft keeps everything it writes for itself (lock, journal, manifest, cache, backups, trash). */
export const WEFT_DIR = '.weft';
export const MANIFEST_FILE = '.weft/manifest.json';

/** SHA-256 of a text or bytes, as 64 hex digits. */
export const sha256 = (data: string | Uint8Array): string => hash('sha256', data, 'hex');

/** Read `.weft/manifest.json`; a missing or malformed one is empty (malformed: a warning). */
export function readManifest(root: string): { manifest: Manifest; messages: Message[] } {
  const { manifest, messages } = loadManifest(root);
  return { manifest, messages };
}

/** `readManifest`, and the file's bytes (undefined when there is no manifest). `file`: the bundle has its own. */
export function loadManifest(root: string, file = MANIFEST_FILE): { manifest: Manifest; messages: Message[]; bytes?: Buffer } {
  const empty: Manifest = { weft: WEFT_VERSION, outputs: {} };
  const full = join(root, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch {
    return { manifest: empty, messages: [] };
  }
  const last = lastManifests.get(full);
  if (last?.bytes.equals(bytes)) return { manifest: last.manifest, messages: [], bytes };
  const text = bytes.toString('utf8');
  const split = splitManifest(text);
  if (split) {
    const manifest: Manifest = { weft: split.weft, outputs: lazyEntries(split.entries) };
    keepManifest(full, { bytes, manifest });
    return { manifest, messages: [], bytes };
  }
  try {
    const data = JSON.parse(text) as unknown;
    if (!isManifest(data)) throw new Error('unexpected shape');
    keepManifest(full, { bytes, manifest: data });
    return { manifest: data, messages: [], bytes };
  } catch (error) {
    return {
      bytes,
      manifest: empty,
      messages: [
        message(file, 0, 0, 'warning', 'malformed-manifest', `manifest is unreadable (${(error as Error).message}); every existing output is treated as hand-written`),
      ],
    };
  }
}

/**
 * A manifest in exactly the layout `manifestText` writes, cut into its entries' texts
 * without parsing the JSON (1–2 MB for a thousand documents; an incremental tangle needs
 * a handful of entries). Anything else, a hand-formatted or merged manifest say, gives
 * undefined and is parsed as JSON instead.
 */
function splitManifest(text: string): { weft: string; entries: Map<string, string> } | undefined {
  const head = /^\{\n {2}"weft": ("(?:[^"\\]|\\.)*"),\n {2}"outputs": \{\n/.exec(text);
  if (!head || !text.endsWith('\n  }\n}\n')) return undefined;
  let weft: string;
  try {
    weft = JSON.parse(head[1]!) as string;
  } catch {
    return undefined;
  }
  const entries = new Map<string, string>();
  const end = text.length - '\n  }\n}\n'.length;
  let at = head[0].length;
  const opening = /^ {4}("(?:[^"\\]|\\.)*"): \{$/;
  while (at < end) {
    const lineEnd = text.indexOf('\n', at);
    const first = opening.exec(text.slice(at, lineEnd));
    if (!first) return undefined;
    const close = text.indexOf('\n    }', lineEnd);
    if (close < 0 || close >= end) return undefined;
    let path: string;
    try {
      path = JSON.parse(first[1]!) as string;
    } catch {
      return undefined;
    }
    entries.set(path, text.slice(at, close + '\n    }'.length));
    at = close + '\n    }'.length;
    if (text.startsWith(',\n', at)) at += 2;
    else if (at !== end) return undefined;
  }
  return { weft, entries };
}

/** Manifest entries parsed on first access (an invalid one reads as an entry matching no file). */
function lazyEntries(texts: Map<string, string>): Record<string, ManifestEntry> {
  const outputs: Record<string, ManifestEntry> = {};
  for (const [path, text] of texts) {
    Object.defineProperty(outputs, path, {
      enumerable: true,
      configurable: true,
      get(this: Record<string, ManifestEntry>) {
        let entry: ManifestEntry = { hash: '', document: '', chunks: {} };
        try {
          const data = JSON.parse(text.slice(text.indexOf(': {') + 2)) as ManifestEntry;
          if (isManifest({ outputs: { [path]: data } })) entry = data;
        } catch {
          // Keep the entry that matches no file: the output is then treated as hand-written.
        }
        Object.defineProperty(this, path, { value: entry, enumerable: true, configurable: true });
        return entry;
      },
    });
  }
  entryTexts.set(outputs, texts);
  return outputs;
}

/** The original text of each lazily parsed manifest's entries, so kept entries are copied, not re-encoded. */
export const entryTexts = new WeakMap<object, Map<string, string>>();

function isManifest(data: unknown): data is Manifest {
  if (!data || typeof data !== 'object') return false;
  const outputs = (data as Manifest).outputs;
  if (!outputs || typeof outputs !== 'object' || Array.isArray(outputs)) return false;
  return Object.values(outputs).every(
    (e) => e && typeof e === 'object' && typeof e.hash === 'string' && /^[0-9a-f]{64}$/.test(e.hash) && typeof e.document === 'string',
  );
}

/**
 * The last manifests read or written (the tangle's and the bundle's, per project: at most
 * four), with their text. A long-lived context (watch mode)
 * reads the same manifest, 1–2 MB for a thousand documents, before every rebuild; parsing
 * it again would cost more than the rest of the write. Reused only when the file's text
 * is identical. Never mutated (nobody writes into a manifest that was read).
 */
const lastManifests = new Map<string, { bytes: Buffer; manifest: Manifest }>();

function keepManifest(path: string, entry: { bytes: Buffer; manifest: Manifest }): void {
  lastManifests.delete(path);
  lastManifests.set(path, entry);
  if (lastManifests.size > 4) lastManifests.delete(lastManifests.keys().next().value!);
}

/** Stable JSON: sorted keys, two-space indent, final newline (merges cleanly). */
export function serialiseManifest(manifest: Manifest): string {
  const entries = Object.keys(manifest.outputs)
    .sort(byteOrder)
    .map((path) => manifestEntryText(path, manifest.outputs[path]!));
  return manifestText(manifest.weft, entries);
}

/** `JSON.stringify(manifest, null, 2)` from its entries' texts (so they can be reused, not re-encoded). */
function manifestText(weft: string, entries: readonly string[]): string {
  if (entries.length === 0) return `${JSON.stringify({ weft, outputs: {} }, null, 2)}\n`;
  return `{\n  "weft": ${JSON.stringify(weft)},\n  "outputs": {\n${entries.join(',\n')}\n  }\n}\n`;
}

/** One `"path": {...}` member of the manifest's `outputs`, indented as in the whole file. */
export function manifestEntryText(path: string, entry: ManifestEntry): string {
  const chunks: Record<string, string> = {};
  for (const name of Object.keys(entry.chunks ?? {}).sort(byteOrder)) chunks[name] = entry.chunks[name]!;
  const value = JSON.stringify({ hash: entry.hash, document: entry.document, chunks }, null, 2).replace(/\n/g, '\n    ');
  return `    ${JSON.stringify(path)}: ${value}`;
}

/**
 * Each output's manifest entry, encoded, by output: an entry depends only on its output
 * (immutable); kept apart from `entryTexts`, the texts of a manifest read from disk. Kept
 * as bytes: a watch rewrites a 1–2 MB manifest after each edit, and concatenating cached
 * bytes costs a fifth of joining the texts and encoding the result.
 */
export const bytesOfOutput = new WeakMap<Output, Buffer>();

/** `manifestText`, from entries already encoded. */
export function manifestBytes(weft: string, entries: readonly Buffer[]): Buffer {
  if (entries.length === 0) return Buffer.from(manifestText(weft, []));
  const parts: Buffer[] = [Buffer.from(`{\n  "weft": ${JSON.stringify(weft)},\n  "outputs": {\n`)];
  const separator = Buffer.from(',\n');
  entries.forEach((entry, index) => {
    if (index > 0) parts.push(separator);
    parts.push(entry);
  });
  parts.push(Buffer.from('\n  }\n}\n'));
  return Buffer.concat(parts);
}

/** Remember the manifest just written (its bytes and, when complete, its parsed form) so the next read need not parse it. */
export function rememberManifest(path: string, bytes: Buffer, manifest: Manifest | undefined): void {
  if (manifest === undefined) lastManifests.delete(path);
  else keepManifest(path, { bytes, manifest });
}
