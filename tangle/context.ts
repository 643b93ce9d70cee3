/**
 * The build context: one project, rebuilt as often as needed, with caches between builds.
 *
 * Shaped like esbuild's API: `createContext(options)` returns `{ rebuild, watch, dispose }`
 * and `tangle(options)` is a single rebuild. The CLI is a thin layer over these.
 *
 * `Project.rebuild` is the one driver: load the config → read the documents (with the
 * caches of `documents.ts`) → the pure pipeline (`tangleSources`, pipeline.ts) → write
 * (`writeOutputs`) → bundle. What it keeps between rebuilds is the pipeline's memo (so an
 * edit re-expands only the outputs that read it) and which outputs are on disk as it
 * wrote them (with a watch's `RebuildHint`, unchanged outputs are not read back). Between
 * processes (`trustStamps`, which the CLI sets) the build state narrows what is read: it
 * is consulted before reading (`state-plan.ts`) and never runs stages of its own.
 */
import { join, resolve as resolvePath } from 'node:path';
import { budgetMessages } from './budgets.js';
import { Bundler } from './bundle.js';
import { DiskCache } from './cache.js';
import { SourceReader } from './documents.js';
import { CONFIG_FILE, loadConfig, type ResolvedConfig, type UserConfig } from './config.js';
import { hasErrors, message, sortMessages } from './messages.js';
import { hashText, readSource } from './read.js';
import { tangleSources, type PipelineMemo, type TangledProject } from './pipeline.js';
import type { CollectedDocument, Message, Output, RebuildHint, TangleResult } from './types.js';

export type { RebuildHint } from './types.js';
import { forgetState, outputsMatchHashes, readState, stateKey, type StampedState } from './state.js';
import { compareWithState, planFromState, recordState, updateState, type StatePlan } from './state-plan.js';
import { result, round, withKept } from './summary.js';
import { acquireLock, readManifest, writeOutputs } from './write.js';
import { tangledDocuments, writeSourcesCache } from './sources-cache.js';
import { layoutOf, rebaseMaps, type Layout, type LayoutOptions } from './layout.js';

/** Options of `tangle()` and `createContext()`; where it writes (`outRoot`, `cacheDir`, `manifest`): `layout.ts`. */
export interface TangleOptions extends LayoutOptions {
  /** Project root: where `weft.config.json` is and paths are relative to. @default process.cwd() */
  root?: string;
  /** Options that override `weft.config.json` (key by key). */
  config?: UserConfig;
  /** Write nothing; report outputs that are stale, missing or hand-edited as errors. @default false */
  check?: boolean;
  /** Overwrite or delete hand-edited outputs, keeping a copy under `.weft/trash/` (the last 10 runs). @default false */
  force?: boolean;
  /** Build the bundle configured in `bundle` after tangling. @default true */
  bundle?: boolean;
  /** Use the on-disk parse cache in `cacheDir`. @default true */
  cache?: boolean;
  /**
   * Trust file stamps (size and mtime, see `state.ts`): when no document, output, map,
   * manifest or bundle changed since the last successful tangle, do nothing and return
   * that run's warnings, with `outputs` empty. Needs `cache`. The CLI turns it on.
   * @default false
   */
  trustStamps?: boolean;
  /**
   * Write only the outputs of these documents (project-relative paths); every other output,
   * and every manifest entry of another document, is left exactly as it is (not rewritten,
   * not deleted as an orphan). The whole project is still read and resolved, so references
   * across documents and every error are reported as usual; the bundle is not built.
   * @default every document
   */
  only?: readonly string[];
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
  /** The engine's result, when this rebuild tangled every document (not with a build-state plan). */
  tangled?: TangledProject;
}

/** The driver of one project: config → read (with caches) → pipeline → write → bundle. */
export class Project {
  readonly root: string;
  private readonly options: TangleOptions;
  private readonly layout: Layout;
  private readonly disk: DiskCache | undefined;
  private readonly reader: SourceReader;
  private readonly bundler: Bundler;
  private lastGoodConfig: ResolvedConfig | undefined;
  lastDetails: RebuildDetails = { changedDocuments: [] };
  /** The previous pipeline call's memo (expansions and outputs, reused by identity). */
  private pipelineMemo: PipelineMemo | undefined;
  /** What this context last wrote or found on disk for each output, and its hash (see `trustedOutputs`). */
  private onDisk = new Map<string, { output: Output; hash: string }>();

  constructor(options: TangleOptions) {
    this.options = options;
    this.root = resolvePath(options.root ?? process.cwd());
    this.layout = layoutOf(this.root, options);
    this.disk = options.cache === false ? undefined : new DiskCache(this.root, this.layout.cacheDir);
    this.bundler = new Bundler(this.root, { force: this.options.force, manifest: this.layout.manifest });
    this.reader = new SourceReader(this.root, this.disk);
  }

  /** Project-relative paths of the documents the last rebuild read, sorted. */
  sourcePaths(): string[] {
    return this.reader.sourcePaths();
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

  /** Tangle (and bundle) once; `hint` (watch mode) says which files changed since the previous rebuild. */
  async rebuild(hint?: RebuildHint, withState = true): Promise<TangleResult> {
    const started = performance.now();
    this.lastDetails = { changedDocuments: this.lastDetails.changedDocuments };
    const { config, messages } = this.loadConfig();
    if (!config) return result([], sortMessages(messages), [], 0, 0, 0, started, null);
    const { writeRoot, manifest } = this.layout;
    const bundleWanted = config.bundle !== null && this.options.bundle !== false && this.options.only === undefined && writeRoot === this.root;
    // Loaded while the sources are read, so the bundle can start the moment the outputs are written.
    if (bundleWanted && !this.options.check) this.bundler.preload();
    const useState = withState && this.options.only === undefined && this.options.trustStamps === true && hint === undefined && !this.incremental && this.disk !== undefined && !this.options.force && this.layout.state;
    const key = useState ? stateKey(config, bundleWanted && !this.options.check) : '';
    const stamps = useState && messages.length === 0 ? await this.consultState(config, key, bundleWanted && !this.options.check) : undefined;
    if (stamps && 'result' in stamps) return { ...stamps.result, summary: { ...stamps.result.summary, tangleMs: round(performance.now() - started) } };
    const plan = stamps?.plan;
    let documents: CollectedDocument[];
    let cached: number;
    if (plan) {
      documents = plan.documents;
      cached = Object.keys(plan.state.documents).length - plan.fresh.length;
      this.lastDetails = { changedDocuments: plan.fresh };
    } else {
      this.reader.longLived = this.incremental;
      const read = await this.reader.read(config, hint, stamps?.found);
      ({ documents, cached } = read);
      this.lastDetails = { changedDocuments: this.reader.changedDocuments };
      messages.push(...read.messages);
    }
    const tangled = tangleSources(documents, config, plan ? undefined : this.pipelineMemo, plan ? { usedElsewhere: plan.usedElsewhere } : undefined);
    // A plan is for runs without errors: errors are always reported by reading everything.
    if (plan && hasErrors(tangled.messages)) return this.rebuild(hint, false);
    if (!plan) [this.pipelineMemo, this.lastDetails.tangled] = [tangled.memo, tangled];
    messages.push(...tangled.messages);
    const { outputs } = tangled;
    const produced = new Set(outputs.map((o) => o.path));
    if (plan) messages.push(...plan.state.messages.filter((m) => !plan.documents.some((d) => d.path === m.file) && !produced.has(m.file)));
    // Token budgets (budgets.ts): nothing to do, and no tokenizer loaded, unless configured.
    messages.push(...(await budgetMessages(documents, outputs, config, { text: (path) => readSource(this.root, path, config.limits.maxDocumentBytes, config).text })));
    const count = plan ? Object.keys(plan.state.documents).length : documents.length;
    let lock: { release: () => void } | undefined;
    if (!this.options.check) {
      const taken = acquireLock(writeRoot);
      if ('error' in taken) {
        messages.push(taken.error);
        return result(outputs, sortMessages(messages), [], 0, count, cached, started, null);
      }
      lock = taken;
    }
    // The bundle starts as soon as the outputs are on disk; the manifest is written meanwhile.
    const bundle = bundleWanted && !this.options.check ? this.earlyBundle(config, outputs, this.incremental) : undefined;
    // With a plan, the outputs it does not re-tangle are kept as the state recorded them.
    const keep = plan ? new Set(Object.keys(plan.state.outputs).filter((path) => !produced.has(path))) : this.options.only && manifest ? othersRecorded(this.root, this.options.only) : undefined;
    const onDisk = plan ? new Map(Object.entries(plan.state.outputs).map(([path, output]) => [path, output.hash])) : undefined;
    let written;
    try {
      const trusted = this.trustedOutputs(outputs, hint);
      const toWrite = this.options.only ? outputs.filter((output) => this.options.only!.includes(output.document)) : outputs;
      written = writeOutputs(writeRoot, rebaseMaps(toWrite, this.root, writeRoot), config, { check: this.options.check, force: this.options.force, messages, trusted, keep, onDisk, onOutputsInPlace: bundle?.start, manifest });
      // Stitch's base, under the lock (one writer of its pack at a time).
      if (!this.options.check && !hasErrors(messages) && !hasErrors(written.messages) && this.disk) {
        writeSourcesCache(this.root, tangledDocuments(documents, plan?.state.documents, this.reader.readBytes), this.layout.cacheDir);
      }
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
    } else {
      await bundle?.settle(); // Started before the error was known: let it end before returning.
    }
    const files = keep ? withKept(written.files, keep) : written.files;
    if (useState && !this.options.check && !hasErrors(messages)) {
      const bundled = bundleWanted ? this.bundler.lastOutputs : null;
      if (plan) updateState(this.root, plan.state, key, plan.touched, outputs, messages, bundled);
      else recordState(this.root, key, documents, outputs, messages, bundled);
    }
    return result(outputs, sortMessages(messages), files, written.stale, count, cached, started, bundleMs, tangleMs);
  }

  /**
   * What the build state says this run must do (see `state-plan.ts`): nothing (a result
   * with the recorded warnings), re-tangle a few documents (a plan), or read everything
   * (with the sources already found, when they were).
   */
  private async consultState(config: ResolvedConfig, key: string, bundle: boolean): Promise<{ result: TangleResult } | { plan?: StatePlan; found?: string[] }> {
    const state = readState(this.root, key);
    if (!state) return {};
    const compared = await compareWithState(this.root, state, config, { bundle, check: this.options.check === true });
    if (compared.sameDocuments && compared.outputsIntact) {
      // `--check` reports outputs clean, so it trusts no stamp for that: it hashes every output.
      const clean = compared.changed.length === 0 && (!this.options.check || outputsMatchHashes(this.root, state));
      if (clean) return { result: this.unchangedResult(state, compared.paths.length) };
      const plan = this.options.check ? undefined : await planFromState(this.root, state, config, compared.changed, this.disk);
      if (plan) return { plan };
    }
    // This run may change what the state describes: it is valid again only if the run succeeds.
    if (!this.options.check) forgetState(this.root);
    return { found: compared.paths }; // Searched once: reading reuses the list.
  }

  /** A run with nothing to do: every output as recorded, the recorded warnings. */
  private unchangedResult(state: StampedState, documents: number): TangleResult {
    this.lastDetails = { changedDocuments: [] };
    const files = Object.keys(state.outputs)
      .sort() // UTF-16 code unit order, as `byteOrder`, without calling back into JavaScript.
      .map((path) => ({ path, action: 'unchanged' as const }));
    return result([], sortMessages(state.messages), files, 0, documents, documents, performance.now(), null);
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
    /** Wait for a build that started, without starting one. */
    const settle = async (): Promise<void> => {
      await running?.promise;
    };
    return { start, finish, settle };
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

/** The recorded outputs that documents other than `only` made: a run limited to `only` leaves them alone. */
function othersRecorded(root: string, only: readonly string[]): Set<string> {
  const { manifest } = readManifest(root);
  return new Set(Object.entries(manifest.outputs).filter(([, entry]) => !only.includes(entry.document)).map(([path]) => path));
}
