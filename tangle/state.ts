/**
 * The build state: what the last successful `weft tangle` left on disk, so the next one
 * can tell from file metadata alone what changed.
 *
 * `.weft/cache/state.json` records, for every document, its size, mtime and content
 * hash, the chunk names and file targets it defines; for every output its size, mtime,
 * mode, hash, the document that defines it and the documents it read chunks from (its
 * dependencies); the manifest's and the bundle's stamps; and the warnings of that build.
 *
 * With it, a run where nothing changed reads no document and no output: it compares
 * stamps (`stat` only) and reports the recorded warnings. A run where a few documents
 * changed re-tangles only the outputs that depend on them (see `context.ts`).
 *
 * The state is untrusted and optional, like the rest of the cache: a missing, corrupt,
 * foreign (another Weft version, another config) or inconsistent state is ignored and
 * the full pipeline runs. A stamp is size plus mtime in milliseconds: an edit that keeps
 * both (within the file system's timestamp resolution) is the one case it cannot see,
 * the same trade-off `make` and esbuild's incremental builds make; `--no-cache` or
 * `--force` always runs the full pipeline.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from './config.js';
import { CACHE_DIR } from './cache.js';
import type { Message } from './types.js';
import { WEFT_VERSION } from './version.js';
import { atomicWrite, unsafeFolder, WEFT_DIR } from './write.js';

export const STATE_FILE = `${CACHE_DIR}/state.json`;

/** `[size in bytes, mtime in milliseconds]`. */
export type Stamp = [number, number];

export interface DocumentState {
  stamp: Stamp;
  /** SHA-256 of the document's bytes. */
  hash: string;
  /** Chunk names it defines, in order. */
  names: string[];
  /** File targets it defines (as written). */
  files: string[];
}

export interface OutputState {
  stamp: Stamp;
  /** File mode (permission bits). */
  mode: number;
  /** Stamp of the sibling `.map`, or null when the output has none. */
  map: Stamp | null;
  /** SHA-256 of the content. */
  hash: string;
  /** The document that defines it. */
  document: string;
  /** Every document it read chunks from (including `document`). */
  deps: string[];
}

export interface BuildState {
  /** Weft version, config and options the state is valid for. */
  key: string;
  documents: Record<string, DocumentState>;
  outputs: Record<string, OutputState>;
  /** Stamp of `.weft/manifest.json`. */
  manifest: Stamp | null;
  /** Stamps of the bundle's files, or null when no bundle was built. */
  bundle: Record<string, Stamp> | null;
  /** The warnings of that build (errors never leave a state behind). */
  messages: Message[];
}

/** What a state is valid for: Weft's version, the resolved config, whether a bundle is built. */
export function stateKey(config: ResolvedConfig, bundle: boolean): string {
  return createHash('sha256').update(JSON.stringify([WEFT_VERSION, config, bundle && config.bundle !== null])).digest('hex');
}

/** Size and mtime of a file, or null when it does not exist (or is not a regular file). */
export function stampOf(full: string): Stamp | null {
  const stat = statSync(full, { throwIfNoEntry: false });
  return stat && stat.isFile() ? [stat.size, stat.mtimeMs] : null;
}

export function sameStamp(a: Stamp | null | undefined, b: Stamp | null | undefined): boolean {
  if (!a || !b) return a === b || (!a && !b);
  return a[0] === b[0] && a[1] === b[1];
}

/** Read the state; anything unexpected gives undefined (the full pipeline runs). */
export function readState(root: string, key: string): BuildState | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(join(root, STATE_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  return isState(data) && data.key === key ? data : undefined;
}

export function writeState(root: string, state: BuildState): void {
  if (!stateFolderIsSafe(root)) return;
  try {
    atomicWrite(join(root, STATE_FILE), JSON.stringify(state), 0o644);
  } catch {
    // A state that cannot be written (read-only checkout, full disk) only costs speed.
  }
}

const isStamp = (value: unknown): value is Stamp =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number';
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');
const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function isState(data: unknown): data is BuildState {
  if (!isRecord(data) || typeof data.key !== 'string' || !isRecord(data.documents) || !isRecord(data.outputs)) return false;
  if (!(data.manifest === null || isStamp(data.manifest))) return false;
  if (!(data.bundle === null || (isRecord(data.bundle) && Object.values(data.bundle).every(isStamp)))) return false;
  if (!Array.isArray(data.messages) || !data.messages.every((m) => isRecord(m) && typeof m.file === 'string' && m.severity === 'warning')) return false;
  for (const doc of Object.values(data.documents)) {
    if (!isRecord(doc) || !isStamp(doc.stamp) || typeof doc.hash !== 'string' || !isStrings(doc.names) || !isStrings(doc.files)) return false;
  }
  for (const output of Object.values(data.outputs)) {
    if (!isRecord(output) || !isStamp(output.stamp) || typeof output.mode !== 'number' || !(output.map === null || isStamp(output.map))) return false;
    if (typeof output.hash !== 'string' || typeof output.document !== 'string' || !isStrings(output.deps)) return false;
  }
  return true;
}

/** Remove the state (a run that may change what it describes); never through a linked folder. */
export function forgetState(root: string): void {
  if (stateFolderIsSafe(root)) rmSync(join(root, STATE_FILE), { force: true });
}

function stateFolderIsSafe(root: string): boolean {
  return unsafeFolder(root, [WEFT_DIR, CACHE_DIR]) === undefined;
}
