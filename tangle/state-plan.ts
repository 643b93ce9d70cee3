/**
 * The build state as a plan: what the stamps of `state.ts` say this run must read.
 *
 * This is not a second driver. `Project.rebuild` (context.ts) asks it one question before
 * reading: given the recorded stamps, is there nothing to do (every document, output, map,
 * manifest and bundle as recorded), a few documents to re-tangle (`planFromState`: which
 * documents the pipeline needs, which outputs it keeps, which chunks outputs outside the
 * plan use), or everything? Then the one pipeline (`tangleSources`), the one write and
 * the one bundle run as always; afterwards the state is recorded from what was written.
 *
 * Why keep a cross-run state at all, instead of only the in-memory memo of a long-lived
 * context: a `weft tangle` is a fresh process, so its memo is empty, and reading and
 * hashing 1,000 documents (16 MB) costs ~900 ms of its ~2,200 ms. With the state a run
 * with nothing to change reads no document and no output (~230 ms reported, ~100 ms of it
 * reading metadata), and a one-line edit re-tangles only the outputs that read that
 * document (~315 ms) — figures from `node bench/run.mjs --docs 1000 --no-watch`. The state
 * only ever narrows what is read: whatever it cannot vouch for (a new or deleted document,
 * a renamed chunk, a budget, an error) is read and tangled in full, which is always right.
 * `--check` never takes a stamp's word that an output is clean (it hashes each one).
 */
import { statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { DiskCache } from './cache.js';
import { collectDocument, collectVariant } from './collect.js';
import type { ResolvedConfig } from './config.js';
import { parseMany } from './parse-pool.js';
import { byteOrder, findSources, hashText, readSource } from './read.js';
import { readStateDeps, readStateNames, sameStamp, shapeOf, stampOf, writeState, type BuildState, type OutputState, type StampedState } from './state.js';
import type { Chunk, CollectedDocument, Message, Output } from './types.js';
import { MANIFEST_FILE as MANIFEST, readManifest } from './write.js';

/** What a run re-tangles after a few documents changed (see `planFromState`). */
export interface StatePlan {
  /** The state with the outputs' dependencies. */
  state: BuildState;
  /** The documents the pipeline needs, in path order. */
  documents: CollectedDocument[];
  /** Documents whose content changed, sorted. */
  fresh: string[];
  /** Every document whose stamp changed, with its content hash now. */
  touched: Map<string, string>;
  /** Whether an output this plan does not re-tangle uses a chunk (then it is not unused). */
  usedElsewhere: (chunk: Chunk) => boolean;
}

/**
 * Compare the disk with the state by stamps alone: which documents changed, and whether
 * every output, map, the manifest and the bundle are exactly as recorded. `sameDocuments`
 * is false when the set of documents changed (then everything is read).
 */
export async function compareWithState(
  root: string,
  state: StampedState,
  config: ResolvedConfig,
  options: { bundle: boolean; check: boolean },
): Promise<{ paths: string[]; sameDocuments: boolean; changed: string[]; outputsIntact: boolean }> {
  const paths = await findSources(root, config.sources);
  const changed: string[] = [];
  if (paths.length !== Object.keys(state.documents).length || paths.some((path) => !state.documents[path])) {
    return { paths, sameDocuments: false, changed, outputsIntact: false };
  }
  // Plain concatenation saves `path.join`'s normalisation on 5,000 stats. A strange path
  // in a corrupt state only makes a stat fail (then the full pipeline runs); nothing is
  // read or written through it.
  // The entries are compared field by field: 5,000 small arrays allocated here would cost
  // more than the comparisons.
  const prefix = `${root}${sep}`;
  const noEntry = { throwIfNoEntry: false } as const;
  for (const path of paths) {
    const recorded = state.documents[path]!;
    const stat = statSync(`${prefix}${path}`, noEntry);
    if (!stat || !stat.isFile() || stat.size !== recorded[0] || stat.mtimeMs !== recorded[1]) changed.push(path);
  }
  let outputsIntact = sameStamp(stampOf(join(root, MANIFEST)), state.manifest);
  const checkMaps = !options.check;
  for (const path in outputsIntact ? state.outputs : {}) {
    const entry = state.outputs[path]!;
    const stat = statSync(`${prefix}${path}`, noEntry);
    if (!stat || stat.size !== entry[0] || stat.mtimeMs !== entry[1] || (stat.mode & 0o777) !== entry[2]) {
      outputsIntact = false;
      break;
    }
    if (entry.length === 6 && checkMaps) {
      const map = statSync(`${prefix}${path}.map`, noEntry);
      if (!map || !map.isFile() || map.size !== entry[4] || map.mtimeMs !== entry[5]) {
        outputsIntact = false;
        break;
      }
    }
  }
  if (options.bundle && outputsIntact) {
    if (!state.bundle) outputsIntact = false;
    else for (const [path, stamp] of Object.entries(state.bundle)) if (!sameStamp(stampOf(join(root, path)), stamp)) outputsIntact = false;
  }
  return { paths, sameDocuments: true, changed, outputsIntact };
}

/**
 * What a run re-tangles when the state allows it: the changed documents still define the
 * same chunk names and files (so every other reference resolves as before), every output
 * is on disk as recorded, and no budget is configured. The documents needed are the
 * changed ones, the dependencies of the outputs that read them, and, transitively, every
 * document that defines a name they reference. Undefined whenever that is not certain
 * (then everything is read).
 */
export async function planFromState(root: string, stamped: StampedState, config: ResolvedConfig, changedPaths: string[], disk: DiskCache | undefined): Promise<StatePlan | undefined> {
  if (config.budgets) return undefined;
  const state = readStateDeps(root, stamped);
  if (!state) return undefined;
  // Read the documents whose stamps changed; some were only touched.
  const fresh = new Map<string, CollectedDocument>();
  const sources = changedPaths.map((path) => readSource(root, path, config.limits.maxDocumentBytes, config));
  if (sources.some((source) => source.hash === '' || source.messages.length > 0)) return undefined;
  const edited = sources.filter((source) => source.hash !== state.documents[source.path]!.hash);
  const parsed = await parseMany(edited);
  for (const one of parsed) {
    const doc = collectDocument(one, config);
    const recorded = state.documents[doc.path]!;
    const shape = shapeOf(doc.chunks.map((c) => c.name), doc.files.map((f) => f.path));
    if (doc.messages.length > 0 || shape !== recorded.shape) return undefined;
    fresh.set(doc.path, doc);
    if (one.reader !== 'scanner') disk?.set(doc, collectVariant(config));
  }
  const touched = new Map(sources.map((source) => [source.path, source.hash]));
  const affected = Object.entries(state.outputs).filter(([, output]) => output.deps.some((d) => fresh.has(d)));
  // Every document that defines each name (names did not change, so the state says),
  // read only when a document refers to a chunk of another without naming its document.
  let definers: Map<string, string[]> | undefined;
  const definersOf = (): Map<string, string[]> | undefined => {
    if (definers) return definers;
    const recorded = readStateNames(root, stamped);
    if (!recorded) return undefined;
    definers = new Map();
    for (const [path, entry] of Object.entries(recorded)) {
      for (const name of entry.names) {
        const list = definers.get(name);
        if (list) list.push(path);
        else definers.set(name, [path]);
      }
    }
    return definers;
  };
  const needed = new Map<string, CollectedDocument>();
  const queue = [...fresh.keys(), ...affected.flatMap(([, output]) => output.deps)];
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (needed.has(path)) continue;
    const recorded = state.documents[path];
    if (!recorded) return undefined;
    const doc = fresh.get(path) ?? disk?.get(path, recorded.hash, collectVariant(config)) ?? (await readUnchanged(root, path, recorded.hash, config, disk));
    if (!doc) return undefined; // Changed after all, or unreadable: the full pipeline reads it.
    needed.set(path, doc);
    const own = new Set(doc.chunks.map((c) => c.name));
    for (const name of referencedNames(doc)) {
      if (own.has(name)) continue; // Resolves in the same document.
      const hash = name.lastIndexOf('#');
      if (hash > 0 && Object.hasOwn(state.documents, name.slice(0, hash))) {
        queue.push(name.slice(0, hash)); // Qualified: that document only (as `resolve.ts` looks it up).
        continue;
      }
      const index = definersOf();
      if (!index) return undefined;
      queue.push(...(index.get(name) ?? []));
    }
  }
  const documents = [...needed.values()].sort((a, b) => byteOrder(a.path, b.path));
  return { state, documents, fresh: [...fresh.keys()].sort(byteOrder), touched, usedElsewhere: usedElsewhere(root, state, needed) };
}

/** Read and parse a document the state says is unchanged; undefined when its hash differs. */
async function readUnchanged(root: string, path: string, hash: string, config: ResolvedConfig, disk: DiskCache | undefined): Promise<CollectedDocument | undefined> {
  const source = readSource(root, path, config.limits.maxDocumentBytes, config);
  if (source.hash !== hash || source.messages.length > 0) return undefined;
  const [parsed] = await parseMany([source]);
  const doc = collectDocument(parsed!, config);
  if (parsed!.reader !== 'scanner') disk?.set(doc, collectVariant(config));
  return doc;
}

/**
 * Whether a chunk is used by an output the plan does not re-tangle (one defined by a
 * document it does not read) whose dependencies include the chunk's document, by its
 * manifest entry. Asked only about would-be `unused-chunk` warnings, which are rare, so the
 * manifest is read only then, and once.
 */
function usedElsewhere(root: string, state: BuildState, needed: ReadonlyMap<string, CollectedDocument>): (chunk: Chunk) => boolean {
  let manifest: ReturnType<typeof readManifest>['manifest'] | undefined;
  return (chunk) => {
    const qualified = `${chunk.document}#${chunk.name}`;
    manifest ??= readManifest(root).manifest;
    const outputs = manifest.outputs;
    return Object.entries(state.outputs).some(
      ([path, output]) => !needed.has(output.document) && output.deps.includes(chunk.document) && Object.hasOwn(outputs[path]?.chunks ?? {}, qualified),
    );
  };
}

/**
 * Write the state after an incremental rebuild: new stamps for what it touched, the
 * rest as it was. Updates `state` in place (it was read for this rebuild alone: copying
 * 3,000 entries would cost more than the rest).
 */
export function updateState(
  root: string,
  state: BuildState,
  key: string,
  touched: ReadonlyMap<string, string>,
  outputs: readonly Output[],
  messages: readonly Message[],
  bundle: readonly string[] | null,
): void {
  const next = state;
  next.key = key;
  next.messages = messages.filter((m) => m.severity === 'warning');
  for (const [path, hash] of touched) {
    const stamp = stampOf(join(root, path));
    if (!stamp) return;
    next.documents[path] = { ...next.documents[path]!, stamp, hash };
  }
  for (const output of outputs) {
    const entry = outputState(root, output);
    if (!entry) return;
    // Names and targets are as recorded (or this was not an incremental rebuild); dependencies may have changed.
    const before = next.outputs[output.path];
    if (!before || before.document !== entry.document || before.deps.join('\0') !== entry.deps.join('\0')) next.unchangedDeps = undefined;
    next.outputs[output.path] = entry;
  }
  next.manifest = stampOf(join(root, MANIFEST));
  if (bundle && !recordBundle(root, next, bundle)) return;
  writeState(root, next);
}

/** Record the stamps of a successful run (see `state.ts`). */
export function recordState(root: string, key: string, documents: readonly CollectedDocument[], outputs: readonly Output[], messages: readonly Message[], bundle: readonly string[] | null): void {
  const state: BuildState = { key, documents: {}, outputs: {}, manifest: stampOf(join(root, MANIFEST)), bundle: null, messages: messages.filter((m) => m.severity === 'warning') };
  for (const doc of documents) {
    const stamp = stampOf(join(root, doc.path));
    if (!stamp || doc.hash === '') return; // Gone or unreadable meanwhile: no state.
    const names = doc.chunks.map((c) => c.name);
    const files = doc.files.map((f) => f.path);
    state.documents[doc.path] = { stamp, hash: doc.hash, shape: shapeOf(names, files), names, files };
  }
  for (const output of outputs) {
    const entry = outputState(root, output);
    if (!entry) return;
    state.outputs[output.path] = entry;
  }
  if (bundle && !recordBundle(root, state, bundle)) return;
  writeState(root, state);
}

/** An output's stamps as written, with its dependencies. */
function outputState(root: string, output: Output): OutputState | undefined {
  const full = join(root, output.path);
  const stat = statSync(full, { throwIfNoEntry: false });
  if (!stat) return undefined;
  const deps = new Set([output.document]);
  for (const qualified of Object.keys(output.chunks)) deps.add(qualified.slice(0, qualified.lastIndexOf('#')));
  return {
    stamp: [stat.size, stat.mtimeMs],
    mode: stat.mode & 0o777,
    map: output.map === null ? null : stampOf(`${full}.map`),
    hash: hashText(output.content),
    document: output.document,
    deps: [...deps].sort(byteOrder),
  };
}

/** Record the stamps of the bundle's files (`bundle`: their paths); false when one is missing. */
function recordBundle(root: string, state: BuildState, bundle: readonly string[]): boolean {
  state.bundle = {};
  for (const path of bundle) {
    const stamp = stampOf(join(root, path));
    if (!stamp) return false;
    state.bundle[path] = stamp;
  }
  return true;
}

/** Names a document references (qualified or not), each once. */
function referencedNames(doc: CollectedDocument): Set<string> {
  const names = new Set<string>();
  for (const target of [...doc.chunks, ...doc.files]) for (const part of target.parts) for (const reference of part.references) names.add(reference.text);
  return names;
}
