/**
 * The build context: one project, rebuilt as often as needed, with caches between builds.
 *
 * Shaped like esbuild's API: `createContext(options)` returns `{ rebuild, watch, dispose }`
 * and `tangle(options)` is a single rebuild. The CLI is a thin layer over these.
 *
 * Incrementality follows esbuild's cache rule: a cache entry depends only on its own
 * file. A document's chunks (`CollectedDocument`) are cached by path and content hash,
 * in memory and on disk (`.weft/cache/`, see `cache.ts`), so a rebuild re-parses only
 * documents whose bytes changed; the chunk graph is rebuilt from the cached parts,
 * which is cheap. Nothing cached is ever mutated.
 *
 * Within one context (watch mode) more is kept: the previous resolve's expansions
 * (`ResolveMemo`, reused per output while every document it read is the same object),
 * the output emitted from each expansion, and which outputs are on disk as this context
 * wrote them. With a `RebuildHint` (the files that changed), unchanged documents are not
 * read, and unchanged outputs are not read back from disk; a one-line edit to one of a
 * thousand documents costs a few milliseconds of work. Without a hint everything is
 * checked, as in a cold tangle.
 *
 * Between processes (`trustStamps`, which the CLI sets), the build state of `state.ts`
 * plays that role: a run whose documents and outputs all have their recorded stamps
 * does nothing; a run where a few documents changed re-resolves only the outputs that
 * depend on them (`incrementalRebuild`), provided the changed documents define the same
 * names and files as before. Anything unusual (a new or deleted document, a renamed
 * chunk, an error, a hand edit, budgets) takes the full pipeline, which is always right.
 */
import { join, resolve as resolvePath, sep } from 'node:path';
import { statSync } from 'node:fs';
import picomatch from 'picomatch';
import { budgetMessages } from './budgets.js';
import { Bundler } from './bundle.js';
import { DiskCache } from './cache.js';
import { collectDocument } from './collect.js';
import { CONFIG_FILE, loadConfig, type ResolvedConfig, type UserConfig } from './config.js';
import { hasErrors, message, sortMessages } from './messages.js';
import { parseMany } from './parse-pool.js';
import { byteOrder, findSources, hashText, IGNORED as IGNORED_SOURCE_FOLDERS, readSource, type SourceText } from './read.js';
import { tangleSources, type PipelineMemo } from './pipeline.js';
import type { CollectedDocument, Message, Output, RebuildHint, TangleResult } from './types.js';

export type { RebuildHint } from './types.js';
import { forgetState, outputsMatchHashes, readState, readStateDeps, readStateNames, sameStamp, shapeOf, stampOf, stateKey, writeState, type BuildState, type OutputState, type StampedState } from './state.js';
import { acquireLock, MANIFEST_FILE as MANIFEST, readManifest, writeOutputs } from './write.js';

/** Options of `tangle()` and `createContext()`. */
export interface TangleOptions {
  /** Project root: where `weft.config.json` is and paths are relative to. @default process.cwd() */
  root?: string;
  /** Options that override `weft.config.json` (key by key). */
  config?: UserConfig;
  /** Write nothing; report outputs that are stale, missing or hand-edited as errors. @default false */
  check?: boolean;
  /** Overwrite or delete hand-edited outputs, keeping a backup under `.weft/backup/`. @default false */
  force?: boolean;
  /** Build the bundle configured in `bundle` after tangling. @default true */
  bundle?: boolean;
  /** Use the on-disk parse cache under `.weft/cache/`. @default true */
  cache?: boolean;
  /**
   * Trust file stamps (size and mtime, see `state.ts`): when no document, output, map,
   * manifest or bundle changed since the last successful tangle, do nothing and return
   * that run's warnings, with `outputs` empty. Needs `cache`. The CLI turns it on.
   * @default false
   */
  trustStamps?: boolean;
}

/** A long-lived build of one project. */
export interface WeftContext {
  /** Tangle (and bundle) once, reusing everything that did not change. */
  rebuild(): Promise<TangleResult>;
  /** Watch sources and config; see `watch.ts`. Resolves once the watcher is ready. */
  watch(options?: import('./watch.js').WatchOptions): Promise<void>;
  /** Stop watching and release esbuild. Idempotent. */
  dispose(): Promise<void>;
  /** The project root (absolute). */
  readonly root: string;
}

/** What `rebuild` learnt besides its result (for watch mode's status line). */
export interface RebuildDetails {
  /** Documents whose content changed since the previous rebuild of this context. */
  changedDocuments: string[];
}

/** The driver of one project: config → read (with caches) → pipeline → write → bundle. */
export class Project {
  readonly root: string;
  private readonly options: TangleOptions;
  private readonly memory = new Map<string, CollectedDocument>();
  private readonly disk: DiskCache | undefined;
  private readonly bundler: Bundler;
  private lastGoodConfig: ResolvedConfig | undefined;
  private previousHashes = new Map<string, string>();
  /** The previous rebuild's documents, by path, and the source globs they were found with. */
  private previousDocuments = new Map<string, CollectedDocument>();
  private previousSourceGlobs = '';
  private sourceMatcher: { globs: string; isMatch: (path: string) => boolean } | undefined;
  lastDetails: RebuildDetails = { changedDocuments: [] };
  /** The previous pipeline call's memo (expansions and outputs, reused by identity). */
  private pipelineMemo: PipelineMemo | undefined;
  /** What this context last wrote or found on disk for each output, and its hash (see `trustedOutputs`). */
  private onDisk = new Map<string, { output: Output; hash: string }>();
  private parsedSinceFlush = 0;

  constructor(options: TangleOptions) {
    this.options = options;
    this.root = resolvePath(options.root ?? process.cwd());
    this.disk = options.cache === false ? undefined : new DiskCache(this.root);
    this.bundler = new Bundler(this.root);
  }

  /** Load the config; in a long-lived context a bad config keeps the previous good one. */
  loadConfig(): { config: ResolvedConfig | undefined; messages: Message[] } {
    const loaded = loadConfig(this.root, this.options.config);
    if (loaded.config) {
      this.lastGoodConfig = loaded.config;
      return { config: loaded.config, messages: loaded.messages };
    }
    if (this.lastGoodConfig) {
      return {
        config: this.lastGoodConfig,
        messages: [...loaded.messages, message(CONFIG_FILE, 0, 0, 'warning', 'malformed-config', 'keeping the previous configuration until the config file is fixed')],
      };
    }
    return { config: undefined, messages: loaded.messages };
  }

  /** Read every source, reusing cached chunks for unchanged documents. */
  async collect(
    config: ResolvedConfig,
    hint?: RebuildHint,
    /** The sources, when the caller has just searched for them. */
    found?: string[],
  ): Promise<{ documents: CollectedDocument[]; cached: number; messages: Message[] }> {
    const globs = JSON.stringify(config.sources);
    const incremental = hint !== undefined && !hint.rescan && globs === this.previousSourceGlobs;
    const paths = incremental ? this.updateSourceList(config, hint.changed) : (found ?? (await findSources(this.root, config.sources)));
    this.previousSourceGlobs = globs;
    const messages: Message[] = [];
    if (paths.length === 0) {
      messages.push(message(CONFIG_FILE, 0, 0, 'warning', 'no-sources', `no documents match ${config.sources.join(', ')}`));
    }
    // With a hint, a document nobody touched is not read again: its previous collected
    // form stands in for it (a document that could not be read is always read again).
    const unchanged = (path: string) => {
      const previous = incremental && !hint.changed.has(path) ? this.previousDocuments.get(path) : undefined;
      return previous && previous.hash !== '' ? previous : undefined;
    };
    const sources: SourceText[] = paths.map((p) => {
      const previous = unchanged(p);
      return previous ? { path: p, text: '', hash: previous.hash, messages: [] } : readSource(this.root, p, config.limits.maxDocumentBytes);
    });
    const documents: (CollectedDocument | undefined)[] = new Array(sources.length);
    const misses: { index: number; source: SourceText }[] = [];
    let cached = 0;
    const changed: string[] = [];
    const nextHashes = new Map<string, string>();
    sources.forEach((source, index) => {
      nextHashes.set(source.path, source.hash);
      if (this.previousHashes.size > 0 && this.previousHashes.get(source.path) !== source.hash) changed.push(source.path);
      if (source.hash === '') {
        documents[index] = { path: source.path, hash: '', chunks: [], files: [], messages: source.messages };
        return;
      }
      const same = unchanged(source.path);
      if (same) {
        cached++;
        documents[index] = same; // Already in memory under its key.
        return;
      }
      const key = `${source.path}\0${source.hash}`;
      const hit = this.memory.get(key) ?? this.disk?.get(source.path, source.hash);
      if (hit) {
        cached++;
        documents[index] = hit;
        this.memory.set(key, hit);
      } else {
        misses.push({ index, source });
      }
    });
    for (const path of this.previousHashes.keys()) if (!nextHashes.has(path)) changed.push(path);
    this.lastDetails = { changedDocuments: changed.sort() };
    this.previousHashes = nextHashes;
    const parsed = await parseMany(misses.map((m) => m.source));
    parsed.forEach((doc, i) => {
      const { index, source } = misses[i]!;
      const collected = collectDocument(doc);
      documents[index] = collected;
      this.memory.set(`${source.path}\0${source.hash}`, collected);
      // Only remark's work is worth a file: the scanner reads a document faster than the cache could.
      if (doc.reader !== 'scanner') this.disk?.set(collected);
    });
    // Forget documents that no longer exist or changed (bounded memory in long watches);
    // with a hint, nothing is stale unless a document was read again or went away.
    if (!incremental || misses.length > 0 || sources.length < this.previousDocuments.size) {
      const live = new Set(sources.map((s) => `${s.path}\0${s.hash}`));
      for (const key of this.memory.keys()) if (!live.has(key)) this.memory.delete(key);
    }
    // Only a parse adds entries; in a long watch, one edit adds one, so look at the folder now and then.
    this.parsedSinceFlush += misses.length;
    if (this.parsedSinceFlush > (this.incremental ? 64 : 0)) {
      this.disk?.flush(sources.map((s) => s.hash));
      this.parsedSinceFlush = 0;
    }
    this.previousDocuments = new Map((documents as CollectedDocument[]).map((d) => [d.path, d]));
    return { documents: documents as CollectedDocument[], cached, messages };
  }

  /** Project-relative paths of the documents the last rebuild read, sorted. */
  sourcePaths(): string[] {
    return [...this.previousDocuments.keys()];
  }

  /** The previous source list, with `changed` files added (when they exist and match the globs) or removed. */
  private updateSourceList(config: ResolvedConfig, changed: ReadonlySet<string>): string[] {
    const globs = JSON.stringify(config.sources);
    if (this.sourceMatcher?.globs !== globs) {
      // The same matcher, and the same folders left out, as `findSources` (tinyglobby).
      const isSource = picomatch(config.sources.map((g) => g.replace(/^\.\//, '')), { dot: false });
      const isIgnored = picomatch(IGNORED_SOURCE_FOLDERS, { dot: true });
      this.sourceMatcher = { globs, isMatch: (path) => isSource(path) && !isIgnored(path) };
    }
    const paths = new Set(this.previousDocuments.keys());
    for (const path of changed) {
      if (this.sourceMatcher.isMatch(path) && isFile(join(this.root, path))) paths.add(path);
      else paths.delete(path);
    }
    return [...paths].sort(byteOrder);
  }

  /** Tangle (and bundle) once; `hint` (watch mode) says which files changed since the previous rebuild. */
  async rebuild(hint?: RebuildHint): Promise<TangleResult> {
    const started = performance.now();
    const { config, messages } = this.loadConfig();
    if (!config) return result([], sortMessages(messages), [], 0, 0, 0, started, null);
    const bundleWanted = config.bundle !== null && this.options.bundle !== false;
    // Loaded while the sources are read, so the bundle can start the moment the outputs are written.
    if (bundleWanted && !this.options.check) this.bundler.preload();
    const useState = this.options.trustStamps === true && hint === undefined && !this.incremental && this.disk !== undefined && !this.options.force;
    const key = useState ? stateKey(config, bundleWanted && !this.options.check) : '';
    let found: string[] | undefined;
    if (useState) {
      const state = readState(this.root, key);
      const bundleChecked = bundleWanted && !this.options.check;
      const compared = state && messages.length === 0 ? await this.compareWithState(state, config, bundleChecked) : undefined;
      found = compared?.paths; // Searched once: the full pipeline below reuses the list.
      if (state && compared?.sameDocuments && compared.outputsIntact) {
        // `--check` reports outputs clean, so it trusts no stamp for that: it hashes every output.
        const clean = compared.changed.length === 0 && (!this.options.check || outputsMatchHashes(this.root, state));
        if (clean) return this.unchangedResult(state, compared.paths.length, started);
        const incremental = await this.incrementalRebuild(state, config, key, bundleChecked, compared.changed, started);
        if (incremental) return incremental;
      }
      // This run may change what the state describes: it is valid again only if the run succeeds.
      if (!this.options.check) forgetState(this.root);
    }
    const { documents, cached, messages: readMessages } = await this.collect(config, hint, found);
    messages.push(...readMessages);
    const tangled = tangleSources(documents, config, this.pipelineMemo);
    this.pipelineMemo = tangled.memo;
    messages.push(...tangled.messages);
    const { outputs } = tangled;
    // Token budgets (budgets.ts): nothing to do, and no tokenizer loaded, unless configured.
    messages.push(...(await budgetMessages(documents, outputs, config, { text: (path) => readSource(this.root, path, config.limits.maxDocumentBytes).text })));
    let lock: { release: () => void } | undefined;
    if (!this.options.check) {
      const taken = acquireLock(this.root);
      if ('error' in taken) {
        messages.push(taken.error);
        return result(outputs, sortMessages(messages), [], 0, documents.length, cached, started, null);
      }
      lock = taken;
    }
    // The bundle starts as soon as the outputs are on disk; the manifest is written meanwhile.
    const bundle = bundleWanted && !this.options.check ? this.earlyBundle(config, outputs, this.incremental) : undefined;
    let written;
    try {
      const trusted = this.trustedOutputs(outputs, hint);
      written = writeOutputs(this.root, outputs, config, { check: this.options.check, force: this.options.force, messages, trusted, onOutputsInPlace: bundle?.start });
    } finally {
      lock?.release();
    }
    this.rememberOnDisk(outputs, written.files);
    messages.push(...written.messages);
    const tangleMs = performance.now() - started;
    let bundleMs: number | null = null;
    if (bundle && !hasErrors(messages)) {
      const finished = await bundle.finish();
      messages.push(...finished.messages);
      bundleMs = finished.ms;
    }
    if (useState && !this.options.check && !hasErrors(messages)) this.recordState(key, documents, outputs, messages, bundleWanted);
    return result(outputs, sortMessages(messages), written.files, written.stale, documents.length, cached, started, bundleMs, tangleMs);
  }

  /**
   * Compare the disk with the state by stamps alone: which documents changed, and whether
   * every output, map, the manifest and the bundle are exactly as recorded. Undefined when
   * the set of documents changed (then the full pipeline runs).
   */
  private async compareWithState(
    state: StampedState,
    config: ResolvedConfig,
    bundle: boolean,
  ): Promise<{ paths: string[]; sameDocuments: boolean; changed: string[]; outputsIntact: boolean }> {
    const paths = await findSources(this.root, config.sources);
    const changed: string[] = [];
    if (paths.length !== Object.keys(state.documents).length || paths.some((path) => !state.documents[path])) {
      return { paths, sameDocuments: false, changed, outputsIntact: false };
    }
    // Plain concatenation saves `path.join`'s normalisation on 5,000 stats. A strange path
    // in a corrupt state only makes a stat fail (then the full pipeline runs); nothing is
    // read or written through it.
    // The entries are compared field by field: 5,000 small arrays allocated here would cost
    // more than the comparisons.
    const prefix = `${this.root}${sep}`;
    const noEntry = { throwIfNoEntry: false } as const;
    for (const path of paths) {
      const recorded = state.documents[path]!;
      const stat = statSync(`${prefix}${path}`, noEntry);
      if (!stat || !stat.isFile() || stat.size !== recorded[0] || stat.mtimeMs !== recorded[1]) changed.push(path);
    }
    let outputsIntact = sameStamp(stampOf(join(this.root, MANIFEST)), state.manifest);
    const checkMaps = !this.options.check;
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
    if (bundle && outputsIntact) {
      if (!state.bundle) outputsIntact = false;
      else for (const [path, stamp] of Object.entries(state.bundle)) if (!sameStamp(stampOf(join(this.root, path)), stamp)) outputsIntact = false;
    }
    return { paths, sameDocuments: true, changed, outputsIntact };
  }

  /** A run with nothing to do: every output as recorded, the recorded warnings. */
  private unchangedResult(state: StampedState, documents: number, started: number): TangleResult {
    this.lastDetails = { changedDocuments: [] };
    const files = Object.keys(state.outputs)
      .sort() // UTF-16 code unit order, as `byteOrder`, without calling back into JavaScript.
      .map((path) => ({ path, action: 'unchanged' as const }));
    return result([], sortMessages(state.messages), files, 0, documents, documents, started, null);
  }

  /**
   * Re-tangle only what depends on the changed documents, when the state allows it: the
   * changed documents still define the same chunk names and files (so every other
   * reference resolves as before), every output is on disk as recorded, and no budget is
   * configured. The documents needed are the changed ones, the dependencies of the
   * outputs that read them, and, transitively, every document that defines a name they
   * reference. Undefined whenever that is not certain, or when the result has an error
   * (errors are always reported by the full pipeline).
   */
  private async incrementalRebuild(
    stamped: StampedState,
    config: ResolvedConfig,
    key: string,
    bundle: boolean,
    changedPaths: string[],
    started: number,
  ): Promise<TangleResult | undefined> {
    if (config.budgets || this.options.check) return undefined;
    const state = readStateDeps(this.root, stamped);
    if (!state) return undefined;
    // Read the documents whose stamps changed; some were only touched.
    const fresh = new Map<string, CollectedDocument>();
    const sources = changedPaths.map((path) => readSource(this.root, path, config.limits.maxDocumentBytes));
    if (sources.some((source) => source.hash === '' || source.messages.length > 0)) return undefined;
    const edited = sources.filter((source) => source.hash !== state.documents[source.path]!.hash);
    const parsed = await parseMany(edited);
    for (const one of parsed) {
      const doc = collectDocument(one);
      const recorded = state.documents[doc.path]!;
      const shape = shapeOf(doc.chunks.map((c) => c.name), doc.files.map((f) => f.path));
      if (doc.messages.length > 0 || shape !== recorded.shape) return undefined;
      fresh.set(doc.path, doc);
      if (one.reader !== 'scanner') this.disk?.set(doc);
    }
    const touched = new Map(sources.map((source) => [source.path, source.hash]));
    const affected = Object.entries(state.outputs).filter(([, output]) => output.deps.some((d) => fresh.has(d)));
    // Every document that defines each name (names did not change, so the state says),
    // read only when a document refers to a chunk of another without naming its document.
    let definers: Map<string, string[]> | undefined;
    const definersOf = (): Map<string, string[]> | undefined => {
      if (definers) return definers;
      const recorded = readStateNames(this.root, stamped);
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
      const doc = fresh.get(path) ?? this.disk?.get(path, recorded.hash) ?? (await this.readUnchanged(path, recorded.hash, config));
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
    const tangled = tangleSources(documents, config);
    if (hasErrors(tangled.messages)) return undefined;
    const { outputs } = tangled;
    const produced = new Set(outputs.map((o) => o.path));
    // A chunk that an output outside this partial resolve uses is not unused.
    const messages = tangled.messages.filter((m) => !(m.rule === 'unused-chunk' && this.usedByOthers(m, state, produced)));
    messages.push(...state.messages.filter((m) => !needed.has(m.file) && !produced.has(m.file)));
    const keep = new Set(Object.keys(state.outputs).filter((path) => !produced.has(path)));
    const onDisk = new Map(Object.entries(state.outputs).map(([path, output]) => [path, output.hash]));
    const taken = acquireLock(this.root);
    if ('error' in taken) return undefined;
    const early = bundle ? this.earlyBundle(config, outputs, false) : undefined;
    let written;
    try {
      written = writeOutputs(this.root, outputs, config, { messages, keep, onDisk, onOutputsInPlace: early?.start });
    } finally {
      taken.release();
    }
    messages.push(...written.messages);
    if (hasErrors(messages)) {
      await early?.finish(); // Started before the error was known: let it end before returning.
      return result(outputs, sortMessages(messages), written.files, written.stale, Object.keys(state.documents).length, 0, started, null);
    }
    const tangleMs = performance.now() - started;
    let bundleMs: number | null = null;
    if (early) {
      const finished = await early.finish();
      messages.push(...finished.messages);
      bundleMs = finished.ms;
    }
    this.lastDetails = { changedDocuments: [...fresh.keys()].sort(byteOrder) };
    if (!hasErrors(messages)) this.updateState(state, key, touched, outputs, messages, bundle);
    const actions = new Map<string, TangleResult['files'][number]['action']>(written.files.map((f) => [f.path, f.action]));
    for (const path of keep) if (!actions.has(path)) actions.set(path, 'unchanged');
    const files = [...actions.keys()].sort().map((path) => ({ path, action: actions.get(path)! }));
    const count = Object.keys(state.documents).length;
    return result(outputs, sortMessages(messages), files, 0, count, count - fresh.size, started, bundleMs, tangleMs);
  }

  /** Read and parse a document the state says is unchanged; undefined when its hash differs. */
  private async readUnchanged(path: string, hash: string, config: ResolvedConfig): Promise<CollectedDocument | undefined> {
    const source = readSource(this.root, path, config.limits.maxDocumentBytes);
    if (source.hash !== hash || source.messages.length > 0) return undefined;
    const [parsed] = await parseMany([source]);
    const doc = collectDocument(parsed!);
    if (parsed!.reader !== 'scanner') this.disk?.set(doc);
    return doc;
  }

  /**
   * Whether an unused-chunk warning's chunk is used by an output this partial resolve did
   * not expand: one whose dependencies include the chunk's document, by its manifest entry
   * (warnings are rare, so only a few entries are ever read).
   */
  private usedByOthers(warning: Message, state: BuildState, produced: ReadonlySet<string>): boolean {
    const name = /chunk `(.*)` is never used/.exec(warning.message)?.[1];
    if (name === undefined) return false;
    const qualified = `${warning.file}#${name}`;
    const { manifest } = readManifest(this.root);
    return Object.entries(state.outputs).some(
      ([path, output]) => !produced.has(path) && output.deps.includes(warning.file) && Object.hasOwn(manifest.outputs[path]?.chunks ?? {}, qualified),
    );
  }

  /**
   * Write the state after an incremental rebuild: new stamps for what it touched, the
   * rest as it was. Updates `state` in place (it was read for this rebuild alone: copying
   * 3,000 entries would cost more than the rest).
   */
  private updateState(
    state: BuildState,
    key: string,
    touched: ReadonlyMap<string, string>,
    outputs: readonly Output[],
    messages: readonly Message[],
    bundle: boolean,
  ): void {
    const next = state;
    next.key = key;
    next.messages = messages.filter((m) => m.severity === 'warning');
    for (const [path, hash] of touched) {
      const stamp = stampOf(join(this.root, path));
      if (!stamp) return;
      next.documents[path] = { ...next.documents[path]!, stamp, hash };
    }
    for (const output of outputs) {
      const entry = this.outputState(output);
      if (!entry) return;
      // Names and targets are as recorded (or this was not an incremental rebuild); dependencies may have changed.
      const before = next.outputs[output.path];
      if (!before || before.document !== entry.document || before.deps.join('\0') !== entry.deps.join('\0')) next.unchangedDeps = undefined;
      next.outputs[output.path] = entry;
    }
    next.manifest = stampOf(join(this.root, MANIFEST));
    if (bundle && !this.recordBundle(next)) return;
    writeState(this.root, next);
  }

  /** Record the stamps of a successful run (see `state.ts`). */
  private recordState(key: string, documents: readonly CollectedDocument[], outputs: readonly Output[], messages: readonly Message[], bundle: boolean): void {
    const state: BuildState = { key, documents: {}, outputs: {}, manifest: stampOf(join(this.root, MANIFEST)), bundle: null, messages: messages.filter((m) => m.severity === 'warning') };
    for (const doc of documents) {
      const stamp = stampOf(join(this.root, doc.path));
      if (!stamp || doc.hash === '') return; // Gone or unreadable meanwhile: no state.
      const names = doc.chunks.map((c) => c.name);
      const files = doc.files.map((f) => f.path);
      state.documents[doc.path] = { stamp, hash: doc.hash, shape: shapeOf(names, files), names, files };
    }
    for (const output of outputs) {
      const entry = this.outputState(output);
      if (!entry) return;
      state.outputs[output.path] = entry;
    }
    if (bundle && !this.recordBundle(state)) return;
    writeState(this.root, state);
  }

  /** An output's stamps as written, with its dependencies. */
  private outputState(output: Output): OutputState | undefined {
    const full = join(this.root, output.path);
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

  /** Record the stamps of the bundle's files; false when one is missing. */
  private recordBundle(state: BuildState): boolean {
    state.bundle = {};
    for (const path of this.bundler.lastOutputs) {
      const stamp = stampOf(join(this.root, path));
      if (!stamp) return false;
      state.bundle[path] = stamp;
    }
    return true;
  }

  /**
   * Outputs the write stage need not read again: with a hint (watch mode), an output
   * that is the very object this context last wrote or found on disk, at a path with no
   * file event since (`hint.changed` names outputs and maps that changed under us).
   * Without a hint, every output is checked against the disk.
   */
  private trustedOutputs(outputs: readonly Output[], hint: RebuildHint | undefined): Map<string, string> | undefined {
    if (!hint || hint.rescan || this.options.check) return undefined;
    for (const path of hint.changed) this.onDisk.delete(path.replace(/\.map$/, ''));
    const trusted = new Map<string, string>();
    for (const output of outputs) {
      const known = this.onDisk.get(output.path);
      if (known?.output === output) trusted.set(output.path, known.hash);
    }
    return trusted;
  }

  /** Record what is on disk after a write (a refused or blocked write leaves the disk as it was). */
  private rememberOnDisk(outputs: readonly Output[], files: TangleResult['files']): void {
    if (this.options.check) return;
    const byPath = new Map(outputs.map((o) => [o.path, o]));
    for (const { path, action } of files) {
      const output = byPath.get(path);
      if ((action === 'written' || action === 'unchanged') && output) {
        if (this.onDisk.get(path)?.output !== output) this.onDisk.set(path, { output, hash: hashText(output.content) });
      } else {
        // Deleted, kept, or refused (perhaps edited by hand): look at the disk next time.
        this.onDisk.delete(path);
      }
    }
  }

  /**
   * A bundle that `start` begins (the write stage calls it once the outputs are on disk)
   * and `finish` awaits; `finish` builds it then if nothing started it (nothing was
   * written, say). `ms` runs from the start to the end of the build.
   */
  private earlyBundle(config: ResolvedConfig, outputs: readonly Output[], incremental: boolean) {
    let running: { promise: Promise<Message[]>; started: number } | undefined;
    const start = () => {
      if (running) return;
      const started = performance.now();
      running = { promise: this.bundler.build(config, outputs, incremental), started };
    };
    const finish = async (): Promise<{ messages: Message[]; ms: number }> => {
      start();
      const messages = await running!.promise;
      return { messages, ms: performance.now() - running!.started };
    };
    return { start, finish };
  }

  /** Set by watch mode: keep an esbuild context between rebuilds. */
  incremental = false;

  async dispose(): Promise<void> {
    await this.bundler.dispose();
  }

  /** Absolute path of a project-relative path. */
  resolve(path: string): string {
    return join(this.root, path);
  }
}

function isFile(full: string): boolean {
  try {
    return statSync(full).isFile();
  } catch {
    return false; // Gone again (ENOENT is a normal race in watch mode).
  }
}

function result(
  outputs: Output[],
  messages: Message[],
  files: TangleResult['files'],
  stale: number,
  documents: number,
  cached: number,
  started: number,
  bundleMs: number | null,
  tangleMs = performance.now() - started,
): TangleResult {
  const count = (action: string) => files.filter((f) => f.action === action).length;
  return {
    outputs,
    messages,
    files,
    summary: {
      written: count('written'),
      unchanged: count('unchanged'),
      deleted: count('deleted'),
      stale,
      documents,
      cached,
      tangleMs: Math.round(tangleMs * 10) / 10,
      bundleMs: bundleMs === null ? null : Math.round(bundleMs * 10) / 10,
    },
    ok: !hasErrors(messages),
  };
}

/** Create a long-lived context (see `WeftContext`). */
export async function createContext(options: TangleOptions = {}): Promise<WeftContext> {
  const project = new Project(options);
  let stopWatching: (() => Promise<void>) | undefined;
  return {
    root: project.root,
    rebuild: () => project.rebuild(),
    async watch(watchOptions) {
      if (stopWatching) throw new TypeError('Cannot `watch` twice on one context; call `dispose` first');
      const { startWatching } = await import('./watch.js');
      project.incremental = true;
      stopWatching = await startWatching(project, watchOptions ?? {});
    },
    async dispose() {
      await stopWatching?.();
      stopWatching = undefined;
      await project.dispose();
    },
  };
}

/** Tangle once: read, parse, collect, resolve, emit, write, bundle. */
export async function tangle(options: TangleOptions = {}): Promise<TangleResult> {
  const project = new Project(options);
  try {
    return await project.rebuild();
  } finally {
    await project.dispose();
  }
}

/** Names a document references (qualified or not), each once. */
function referencedNames(doc: CollectedDocument): Set<string> {
  const names = new Set<string>();
  for (const target of [...doc.chunks, ...doc.files]) for (const part of target.parts) for (const reference of part.references) names.add(reference.text);
  return names;
}
