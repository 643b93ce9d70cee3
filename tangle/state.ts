/**
 * The build state: what the last successful `weft tangle` left on disk, so the next one
 * can tell from file metadata alone what changed.
 *
 * It records, for every document, its size, mtime and content hash, the chunk names and
 * file targets it defines; for every output its size, mtime, mode, hash, the document
 * that defines it and the documents it read chunks from (its dependencies); the
 * manifest's and the bundle's stamps; and the warnings of that build. It is three files
 * in `.weft/cache/`, so that each run reads only what it needs: `state.json` holds the
 * stamps, hashes and warnings (all a run with nothing changed reads) and a hash of each
 * document's names and targets; `state-deps.json` the outputs' dependencies (read to
 * re-tangle after an edit); `state-names.json` the names and targets themselves (read
 * only when an edited document refers to a chunk of another). The first names the other
 * two by their hashes, and they are rewritten only when they change.
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
import { hashText } from './read.js';
import type { Message } from './types.js';
import { WEFT_VERSION } from './version.js';
import { atomicWrite } from './atomic-write.js';
import { unsafeFolder } from './confine.js';
import { WEFT_DIR } from './manifest.js';

export const STATE_FILE = `${CACHE_DIR}/state.json`;
/** The outputs' dependencies (see `readStateDeps`). */
export const STATE_DEPS_FILE = `${CACHE_DIR}/state-deps.json`;
/** The documents' chunk names and file targets (see `readStateNames`). */
export const STATE_NAMES_FILE = `${CACHE_DIR}/state-names.json`;

/** `[size in bytes, mtime in milliseconds]`. */
export type Stamp = [number, number];

export interface DocumentState {
  stamp: Stamp;
  /** SHA-256 of the document's bytes. */
  hash: string;
  /** `shapeOf` its chunk names and file targets. */
  shape: string;
  /** Chunk names it defines, in order (absent when read back: see `readStateNames`). */
  names?: string[];
  /** File targets it defines, as written (absent when read back). */
  files?: string[];
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
  /** SHA-256 of the dependencies file, when the outputs' dependencies are those it holds (it is then not written again). */
  unchangedDeps?: string;
  /** SHA-256 of the names file, when every document's names and targets are those it holds. */
  unchangedNames?: string;
}

/** What `state.json` holds (see the top of this file). */
export interface StampedState {
  key: string;
  /** SHA-256 of the `state-deps.json` this state goes with. */
  deps: string;
  /** SHA-256 of the `state-names.json` this state goes with. */
  names: string;
  /** Per document: `[size, mtime, hash, shape]`. */
  documents: Record<string, [number, number, string, string]>;
  /** Per output: `[size, mtime, mode, hash]`, then the map's `size, mtime` when it has one. */
  outputs: Record<string, [number, number, number, string] | [number, number, number, string, number, number]>;
  manifest: Stamp | null;
  bundle: Record<string, Stamp> | null;
  messages: Message[];
}

type StateDeps = Record<string, { document: string; deps: string[] }>;
type StateNames = Record<string, { names: string[]; files: string[] }>;

/** A hash of a document's chunk names and file targets: equal shapes resolve every reference alike. */
export function shapeOf(names: readonly string[], files: readonly string[]): string {
  return sha256(JSON.stringify([names, files])).slice(0, 32);
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

/** The stamp of a document in a state. */
const documentStamp = (entry: StampedState['documents'][string]): Stamp => [entry[0], entry[1]];
/** An output's stamps in a state: its own, its mode, its map's (null without a map). */
function outputStamps(entry: StampedState['outputs'][string]): { stamp: Stamp; mode: number; map: Stamp | null } {
  return { stamp: [entry[0], entry[1]], mode: entry[2], map: entry.length === 6 ? [entry[4], entry[5]] : null };
}

/** Read the stamps half of the state; anything unexpected gives undefined (the full pipeline runs). */
export function readState(root: string, key: string): StampedState | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(join(root, STATE_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  return isStampedState(data) && data.key === key ? data : undefined;
}

/**
 * The state with its outputs' dependencies, without the documents' names and targets
 * (`readStateNames` reads those when needed). Undefined when the dependencies file is
 * missing, malformed, or from another state (its hash differs).
 */
export function readStateDeps(root: string, stamped: StampedState): BuildState | undefined {
  const data = readHashed(join(root, STATE_DEPS_FILE), stamped.deps);
  if (!isRecord(data)) return undefined;
  const state: BuildState = {
    key: stamped.key,
    documents: {},
    outputs: {},
    manifest: stamped.manifest,
    bundle: stamped.bundle,
    messages: stamped.messages,
    unchangedDeps: stamped.deps,
    unchangedNames: stamped.names,
  };
  for (const [path, entry] of Object.entries(stamped.documents)) state.documents[path] = { stamp: documentStamp(entry), hash: entry[2], shape: entry[3] };
  for (const [path, entry] of Object.entries(stamped.outputs)) {
    const deps = Object.hasOwn(data, path) ? data[path] : undefined;
    if (!isRecord(deps) || typeof deps.document !== 'string' || !isStrings(deps.deps)) return undefined;
    state.outputs[path] = { ...outputStamps(entry), hash: entry[3], document: deps.document, deps: deps.deps };
  }
  return state;
}

/** Every document's chunk names and file targets as the state recorded them; undefined as for `readStateDeps`. */
export function readStateNames(root: string, stamped: StampedState): StateNames | undefined {
  const data = readHashed(join(root, STATE_NAMES_FILE), stamped.names);
  if (!isRecord(data)) return undefined;
  for (const path of Object.keys(stamped.documents)) {
    const entry = Object.hasOwn(data, path) ? data[path] : undefined;
    if (!isRecord(entry) || !isStrings(entry.names) || !isStrings(entry.files)) return undefined;
  }
  return data as StateNames;
}

/** A JSON file whose text has the given SHA-256; undefined otherwise. */
function readHashed(full: string, hash: string): unknown {
  try {
    const text = readFileSync(full, 'utf8');
    return sha256(text) === hash ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Write the state: the dependencies and the names first (unless the state says the
 * files on disk already hold them), then the stamps that name them. Nothing is written
 * when the names must be written but a document's are not known.
 */
export function writeState(root: string, state: BuildState): void {
  if (!stateFolderIsSafe(root)) return;
  const stamped: StampedState = { key: state.key, deps: '', names: '', documents: {}, outputs: {}, manifest: state.manifest, bundle: state.bundle, messages: state.messages };
  for (const [path, doc] of Object.entries(state.documents)) stamped.documents[path] = [doc.stamp[0], doc.stamp[1], doc.hash, doc.shape];
  for (const [path, output] of Object.entries(state.outputs)) {
    stamped.outputs[path] = output.map
      ? [output.stamp[0], output.stamp[1], output.mode, output.hash, output.map[0], output.map[1]]
      : [output.stamp[0], output.stamp[1], output.mode, output.hash];
  }
  let depsText: string | undefined;
  if (state.unchangedDeps) {
    stamped.deps = state.unchangedDeps;
  } else {
    const deps: StateDeps = {};
    for (const [path, output] of Object.entries(state.outputs)) deps[path] = { document: output.document, deps: output.deps };
    depsText = JSON.stringify(deps);
    stamped.deps = sha256(depsText);
  }
  let namesText: string | undefined;
  if (state.unchangedNames) {
    stamped.names = state.unchangedNames;
  } else {
    const names: StateNames = {};
    for (const [path, doc] of Object.entries(state.documents)) {
      if (!doc.names || !doc.files) return;
      names[path] = { names: doc.names, files: doc.files };
    }
    namesText = JSON.stringify(names);
    stamped.names = sha256(namesText);
  }
  try {
    if (depsText !== undefined) atomicWrite(join(root, STATE_DEPS_FILE), depsText, 0o644);
    if (namesText !== undefined) atomicWrite(join(root, STATE_NAMES_FILE), namesText, 0o644);
    atomicWrite(join(root, STATE_FILE), JSON.stringify(stamped), 0o644);
  } catch {
    // A state that cannot be written (read-only checkout, full disk) only costs speed.
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const isStamp = (value: unknown): value is Stamp =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number';
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');
const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function isStampedState(data: unknown): data is StampedState {
  if (!isRecord(data) || typeof data.key !== 'string' || typeof data.deps !== 'string' || typeof data.names !== 'string') return false;
  if (!isRecord(data.documents) || !isRecord(data.outputs)) return false;
  if (!(data.manifest === null || isStamp(data.manifest))) return false;
  if (!(data.bundle === null || (isRecord(data.bundle) && Object.values(data.bundle).every(isStamp)))) return false;
  if (!Array.isArray(data.messages) || !data.messages.every((m) => isRecord(m) && typeof m.file === 'string' && m.severity === 'warning')) return false;
  for (const doc of Object.values(data.documents)) {
    if (!Array.isArray(doc) || doc.length !== 4 || typeof doc[0] !== 'number' || typeof doc[1] !== 'number' || typeof doc[2] !== 'string' || typeof doc[3] !== 'string') return false;
  }
  for (const output of Object.values(data.outputs)) {
    if (!Array.isArray(output) || (output.length !== 4 && output.length !== 6) || typeof output[3] !== 'string') return false;
    for (const at of [0, 1, 2, 4, 5]) if (at < output.length && typeof output[at] !== 'number') return false;
  }
  return true;
}

/**
 * Whether every output on disk has the content hash the state recorded. Stamps can be
 * forged (an edit of the same size with its mtime put back), so `--check`, which reports
 * outputs clean, reads and hashes each one; stamps only decide what to re-tangle.
 */
export function outputsMatchHashes(root: string, state: StampedState): boolean {
  for (const [path, entry] of Object.entries(state.outputs)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(root, path));
    } catch {
      return false;
    }
    if (hashText(bytes) !== entry[3]) return false;
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
