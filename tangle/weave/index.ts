/**
 * `weave(options)`: the literate sources → a static HTML site, from the same pipeline as
 * `weft tangle`.
 *
 * Stages: the engine's snapshot (read → parse → collect → resolve → emit, in memory; nothing
 * under `.weft/` but weave's own files, and none of the outputs, is touched) → the
 * cross-reference model (model.ts) and each document's page view → the page bodies
 * (render.ts, in worker threads: render-pool.ts) → the layout of each page, the index page
 * and one tangled view per output (pages.ts) → the shared assets → the link check (with
 * `check`) → the writes.
 *
 * Guarantees:
 * - Deterministic: the same sources give byte-identical files (no time, no absolute path).
 * - Writes only what changed, each file atomically (temporary file, then rename), and
 *   removes files an earlier weave wrote that this one no longer produces (the list is kept
 *   in `.weft/weave-files.json`; nothing else in the output folder is ever deleted).
 * - Document errors (for example `undefined-chunk`) are reported with the engine's rule ids
 *   and make the result not ok, but the site is still written: a broken reference renders
 *   visibly as broken, which is what the author needs to see. `weft watch --serve` is
 *   different: it keeps the last good site and shows the errors as an overlay.
 *
 * Work follows the change (esbuild's cache rule: an entry depends only on its inputs):
 * - Nothing changed: `.weft/weave-files.json` records the key of the last weave's inputs
 *   (every document's path and content hash, both configs, the output folder, and Weft's,
 *   shiki's and KaTeX's versions) and each file it wrote (size and mtime, to see that the
 *   file is still as written). Same key, files intact: done, without tangling or rendering.
 * - Otherwise each page has a key of exactly what it shows: a document page its document's
 *   render key (content hash, page view, the site's document list, themes, repoUrl,
 *   versions) and its layout (titles of its neighbours, site title); a tangled view its
 *   output's text and origins and the shapes (page views without code) of the documents
 *   it points into; the index the documents' outlines and titles; the search data the
 *   entries themselves. A file whose key is unchanged and whose file is intact is neither
 *   rendered nor written; one whose key changed is written only if its bytes did (the
 *   search data, made after the pages, is written without that check).
 * - Rendered bodies are kept under `.weft/cache/weave/`, by render key, so a page whose
 *   layout changed (or whose file was deleted) is not rendered again; each document's
 *   title and search entries are kept separately from its body, so rebuilding the index
 *   and the search data reads a few kilobytes per document. Entries are signed like the
 *   engine's parse cache (cache.ts): a body is embedded in pages as HTML, so an entry that
 *   arrived with the project must never be trusted.
 * - In one process (`weft watch --serve`, with `memo`), only the documents that changed
 *   are read again, the engine runs incrementally (or not at all: `tangled`, the watch's
 *   own tangle of the same documents), a render worker is kept for the session, the last
 *   cross-reference model is patched when no document's outline changed (`patchModel`),
 *   page views are made again only for the changed documents and those that show their
 *   lines, titles and search entries stay in memory, and the site folder is trusted to hold
 *   what this process wrote. The browsers are told (`onSiteWritten`) as soon as the pages
 *   are on disk; the search data is made and written after that.
 * - Pages are written as their bodies arrive from the worker, and a body is dropped once
 *   its page is written: a cold weave never holds every page (with `check` or
 *   `write: false` it does, since the site is returned). Without a memo, a document's text
 *   and search entries are dropped too once they are used (see `weave.ts` for where a large
 *   weave runs).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
import picomatch from 'picomatch';
import { signed, unsigned } from '../cache.js';
import { WEFT_VERSION } from '../version.js';
import { atomicWrite } from '../write.js';
import { message, sortMessages } from '../messages.js';
import { tangleSources, type PipelineMemo, type TangledProject } from '../pipeline.js';
import { byteOrder, readSource, type SourceText } from '../read.js';
import { readFolder, type Snapshot, type TangledSnapshot } from '../snapshot.js';
import type { CollectedDocument, Message, Output } from '../types.js';
import { unsafeRelativePath } from '../config.js';
import { CLIENT_SCRIPT, STYLESHEET, katexAssets, miniSearchScript } from './assets.js';
import { DEFAULT_WEAVE_CONFIG, loadWeaveConfig, type WeaveConfig } from './config.js';
import { checkLinks } from './links.js';
import { raw } from './hast.js';
import { buildModel, firstLinesOf, outlineOf, pageViewOf, patchModel, referrersOf, type PageView, type WeaveModel } from './model.js';
import { indexPage, layout, tangledPage, type PageFrame } from './pages.js';
import { codeSamples, RenderPool } from './render-pool.js';
import type { RenderedDocument, SearchEntry } from './render.js';

export { resolveWeaveConfig, DEFAULT_WEAVE_CONFIG, type WeaveConfig, type WeaveUserConfig } from './config.js';
export { checkLinks } from './links.js';
export { buildModel, referencesOf, slug, type WeaveModel } from './model.js';

/** Options of one weave. */
export interface WeaveOptions {
  /** Project root. @default process.cwd() */
  root?: string;
  /** Output folder: absolute, or relative to `root`. @default `weave.out` of the config ("site") */
  out?: string;
  /** Also check every emitted link and id (`broken-link`, `duplicate-id` errors). @default false */
  check?: boolean;
  /** Write the site. With false, only build it in memory (the result's `site`). @default true */
  write?: boolean;
  /** Write even when a document has errors. @default true */
  writeOnError?: boolean;
  /** State kept between weaves of one process (watch mode). @default none */
  memo?: WeaveMemo;
  /**
   * With `memo`: the documents (project-relative paths) that changed since the previous
   * weave with this memo; only they are read again. @default every document is read
   */
  changed?: readonly string[];
  /** Use what earlier weaves left: `.weft/cache/weave/` and the skipping of unchanged pages. @default true */
  cache?: boolean;
  /**
   * The engine's result for the project's documents, from a caller that has just tangled them
   * (watch mode). Used only when its documents are, path for path and hash for hash, the ones
   * this weave reads; otherwise the weave tangles them itself. @default none
   */
  tangled?: TangledProject;
  /** Called for each site file as it is written or found unchanged, and for each deletion. */
  onFile?: (file: WovenFile) => void;
  /** Called once the site's files are all written and deleted, before weave's own bookkeeping (watch mode tells the browsers then). */
  onSiteWritten?: (files: readonly WovenFile[], build: string) => void;
}

/** What happened to one site file. */
export interface WovenFile {
  /** Site-relative path. */
  path: string;
  action: 'written' | 'unchanged' | 'deleted';
}

/** The result of one weave. */
export interface WeaveResult {
  ok: boolean;
  /** All messages, sorted. */
  messages: Message[];
  /** Absolute path of the output folder. */
  out: string;
  files: WovenFile[];
  /** The site, site-relative path → content: only with `check` or `write: false` (else empty). */
  site: Map<string, string | Uint8Array>;
  /** A hash of the weave's inputs: equal for equal sites. */
  build: string;
  summary: { documents: number; pages: number; rendered: number; written: number; unchanged: number; deleted: number; ms: number };
}

/** What a weave keeps for the next one in the same process (watch mode). */
export interface WeaveMemo {
  /** The documents as last read, and the engine's memo for them. */
  snapshot?: Snapshot;
  pipeline?: PipelineMemo;
  /** What the last weave wrote. */
  record?: SiteRecord;
  /** Each document's title, math flag and search entries, by path, with its render key. */
  metas: Map<string, { key: string; meta: PageMeta }>;
  /** The last build's document order and options, and each document's keys with the object they were computed for. */
  site?: { order: string; shared: string; documents: Map<string, { collected: CollectedDocument; key: string; shape: string }> };
  /** The last build's model, with the order key and documents it was built from. */
  model?: { order: string; model: WeaveModel; documents: Map<string, CollectedDocument> };
  /** The render worker kept between weaves (a project large enough for one); `closeWeaveMemo` stops it. */
  pool?: RenderPool;
}

/** Release what a memo holds (its render worker). The memo can still be used: a worker is started again if needed. */
export async function closeWeaveMemo(memo: WeaveMemo): Promise<void> {
  const pool = memo.pool;
  memo.pool = undefined;
  await pool?.close();
}

/** A new, empty memo. */
export function createWeaveMemo(): WeaveMemo {
  return { metas: new Map() };
}

/** What the index, the pager and the search data need of a rendered document. */
export interface PageMeta {
  title: string;
  math: boolean;
  search: SearchEntry[];
}

/**
 * Milliseconds a watch's weave waits, after telling the browsers, before writing the search
 * data and its record: on a 2-core machine that work delayed the browsers' receipt of the
 * event (p95 9.6 ms after the last page was written, 6.6 ms with the wait) and competes with
 * the reloads the event causes, which this process serves.
 */
const RELOAD_GRACE_MS = 10;

/** Where `weave()` keeps rendered pages between runs. */
export const WEAVE_CACHE = '.weft/cache/weave';
/** Where the list of files the last weave wrote is kept. */
export const WEAVE_FILES = '.weft/weave-files.json';

/** One file of the last weave, as written. */
interface FileRecord {
  /** The key of what the file was made from ('' when unknown). */
  key: string;
  /** SHA-256 of its content. */
  hash: string;
  size: number;
  mtimeMs: number;
}

/** `.weft/weave-files.json`: what the last weave wrote, and the key of its inputs when it had no error. */
export interface SiteRecord {
  version: 2;
  /** The output folder, project-relative. */
  out: string;
  /** The inputs' key ('' after a weave with errors, which is never skipped). */
  key: string;
  /** That weave's warnings. */
  messages: Message[];
  files: Record<string, FileRecord>;
}

const require = createRequire(import.meta.url);
function versionOf(name: string): string {
  try {
    return JSON.parse(readFileSync(join(dirname(require.resolve(name)), '..', 'package.json'), 'utf8')).version as string;
  } catch {
    try {
      return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version as string;
    } catch {
      return 'unknown';
    }
  }
}
// 'js-regex': the highlighter's regex engine (highlight.ts), which decides the colours too.
const VERSIONS = JSON.stringify([WEFT_VERSION, versionOf('shiki'), 'js-regex', versionOf('katex')]);

const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The render cache under `.weft/cache/weave/`: a body and a meta file per render key, signed. */
class RenderCache {
  private readonly folder: string;
  private created = false;
  private readonly used = new Set<string>();
  constructor(root: string) {
    this.folder = join(root, WEAVE_CACHE);
  }
  private file(key: string, part: 'meta' | 'body'): string {
    const name = sha(key);
    this.used.add(name);
    return join(this.folder, `${name}.${part}.json`);
  }
  private read<T>(key: string, part: 'meta' | 'body'): T | undefined {
    try {
      const json = unsigned(readFileSync(this.file(key, part), 'utf8'));
      if (json === undefined) return undefined;
      const entry = JSON.parse(json) as { key: string; value: T };
      return entry.key === key ? entry.value : undefined;
    } catch {
      return undefined; // Missing or bad: a miss, never an error.
    }
  }
  meta(key: string): PageMeta | undefined {
    return this.read<PageMeta>(key, 'meta');
  }
  body(key: string): string | undefined {
    return this.read<string>(key, 'body');
  }
  set(key: string, rendered: RenderedDocument): void {
    try {
      if (!this.created) mkdirSync(this.folder, { recursive: true });
      this.created = true;
      const { body, ...meta } = rendered;
      atomicWrite(this.file(key, 'meta'), signed(JSON.stringify({ key, value: meta })), 0o644);
      atomicWrite(this.file(key, 'body'), signed(JSON.stringify({ key, value: body })), 0o644);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
  /** Remove entries no page of this weave used, once they outnumber the live ones. */
  prune(): void {
    let names: string[];
    try {
      names = readdirSync(this.folder);
    } catch {
      return;
    }
    if (names.length <= this.used.size * 4 + 32) return;
    for (const name of names) if (!this.used.has(name.split('.')[0]!)) rmSync(join(this.folder, name), { force: true });
  }
}

/** Where a built file goes: to disk (`SiteWriter`) or to memory. */
interface SiteSink {
  /** True when the file is already as the key says (then nothing is emitted for it). */
  upToDate(path: string, key: string): boolean;
  emit(path: string, content: string | Uint8Array, key: string): void;
  /** Like `emit`, for a file no page waits for (the search data): a writer may make and write it after the pages. */
  emitLater?(path: string, make: () => string | Uint8Array, key: string): void;
}

/**
 * Writes site files: skips a file whose key and stamp (size, mtime) are as recorded, writes
 * only when the content differs from what is recorded, and records what it did.
 */
class SiteWriter implements SiteSink {
  readonly files: WovenFile[] = [];
  readonly next: Record<string, FileRecord> = {};
  constructor(
    private readonly out: string,
    private readonly previous: Record<string, FileRecord>,
    private readonly trustKeys: boolean,
    private readonly onFile?: (file: WovenFile) => void,
    /** This process wrote the previous files (a watch): the site folder is Weft's, no need to stat them. */
    private readonly trustDisk = false,
  ) {}
  private tell(path: string, action: WovenFile['action']): void {
    const file = { path, action };
    this.files.push(file);
    this.onFile?.(file);
  }
  private intact(path: string, record: FileRecord | undefined): boolean {
    if (!record) return false;
    if (this.trustDisk) return record.size >= 0;
    try {
      const stats = statSync(join(this.out, path));
      return stats.size === record.size && stats.mtimeMs === record.mtimeMs;
    } catch {
      return false;
    }
  }
  upToDate(path: string, key: string): boolean {
    const record = this.previous[path];
    if (!this.trustKeys || !record || record.key === '' || record.key !== key || !this.intact(path, record)) return false;
    this.next[path] = record;
    this.tell(path, 'unchanged');
    return true;
  }
  emit(path: string, content: string | Uint8Array, key: string): void {
    const record = this.previous[path];
    if (this.trustKeys && key !== '' && record?.key === key && this.intact(path, record)) {
      this.next[path] = record;
      this.tell(path, 'unchanged');
      return;
    }
    const hash = sha(content);
    if (record && record.hash === hash && this.intact(path, record)) {
      this.next[path] = { ...record, key };
      this.tell(path, 'unchanged');
      return;
    }
    const full = join(this.out, path);
    atomicWrite(full, content, 0o644);
    const stats = statSync(full);
    this.next[path] = { key, hash, size: stats.size, mtimeMs: stats.mtimeMs };
    this.tell(path, 'written');
  }
  /** Emit once the site's pages are written (`flushLater`): for files no page waits for. */
  emitLater(path: string, make: () => string | Uint8Array, key: string): void {
    this.deferred.push([path, make, key]);
  }
  private readonly deferred: [string, () => string | Uint8Array, string][] = [];
  flushLater(): void {
    for (const [path, make, key] of this.deferred.splice(0)) {
      // Its key changed (else `upToDate` would have kept it), so it is written without being
      // hashed: 10 MB of search data cost 80 ms to measure, hash and convert.
      const full = join(this.out, path);
      atomicWrite(full, make(), 0o644);
      const stats = statSync(full);
      this.next[path] = { key, hash: '', size: stats.size, mtimeMs: stats.mtimeMs };
      this.tell(path, 'written');
    }
  }
  /** Delete what the previous weave wrote and this one did not. */
  removeLeftovers(): void {
    const gone = Object.keys(this.previous).filter((path) => !this.next[path]);
    for (const path of gone.sort(byteOrder)) {
      if (this.deferred.some(([later]) => later === path) || path.split('/').includes('..') || isAbsolute(path)) continue;
      if (existsSync(join(this.out, path))) {
        rmSync(join(this.out, path), { force: true });
        this.tell(path, 'deleted');
      }
    }
  }
}

/** Build the site of a tangled snapshot in memory (the API and the tests). Pure except for reading the bundled assets. */
export async function weaveSite(
  tangled: TangledSnapshot,
  config: WeaveConfig = DEFAULT_WEAVE_CONFIG,
): Promise<{ site: Map<string, string | Uint8Array>; messages: Message[]; rendered: number }> {
  const model = buildModel(tangled.documents, tangled.outputs, config.order, tangled.messages);
  const site = new Map<string, string | Uint8Array>();
  const sink: SiteSink = { upToDate: () => false, emit: (path, content) => void site.set(path, content) };
  const pool = new RenderPool();
  try {
    const { rendered } = await buildSite(tangled, model, config, sink, new Map(), undefined, undefined, pool);
    return { site, messages: sortMessages([...tangled.messages, ...model.messages]), rendered };
  } finally {
    await pool.close();
  }
}

/** Key, view and text of each document, in site order. */
interface DocumentWork {
  path: string;
  page: string;
  key: string;
  /** Hash of the view without the code: what other pages (the index, tangled views) show of this document. */
  shape: string;
  /** The page view, made again when the document is rendered (views are not all held at once). */
  view: () => PageView;
  text: string;
  /** The document as read (its text is dropped once rendered, in a weave without a memo). */
  source: SourceText;
}

/** Each document's work, in site order: the keys of the last build where they still hold (`reusable`), else new ones. */
function workOf(tangled: TangledSnapshot, model: WeaveModel, shared: string, reusable: ReadonlyMap<string, { key: string; shape: string }>): DocumentWork[] {
  const texts = new Map(tangled.sources.map((s) => [s.path, s]));
  return model.documents.map((doc) => {
    const source = texts.get(doc.path)!;
    const view = () => pageViewOf(doc, model);
    const kept = reusable.get(doc.path);
    if (kept) return { path: doc.path, page: doc.page, key: kept.key, shape: kept.shape, view, text: source.text, source };
    const shape = sha(fingerprint(view()));
    return { path: doc.path, page: doc.page, key: sha(`${source.hash}\0${shape}\0${shared}`), shape, view, text: source.text, source };
  });
}

/** What is known of each document's page (from `metas`, or the render cache) without rendering it; `metas` learns what the cache knew. */
function knownMetas(work: readonly DocumentWork[], metas: Map<string, { key: string; meta: PageMeta }>, cache: RenderCache | undefined): (PageMeta | undefined)[] {
  return work.map((w) => {
    const known = metas.get(w.path);
    if (known?.key === w.key) return known.meta;
    const cached = cache?.meta(w.key);
    if (cached) metas.set(w.path, { key: w.key, meta: cached });
    return cached;
  });
}

/** Forget a rendered document's text, in a weave without a memo (whose snapshot is its own). */
function dropText(work: DocumentWork): void {
  work.text = '';
  (work.source as { text: string }).text = '';
}

/** What only the document itself decides, without its text: the view minus the part's code (the content hash covers that). */
function fingerprint(view: PageView): string {
  return JSON.stringify([view.number, view.page, view.parts.map(({ value: _value, ...rest }) => rest)]);
}

/** The hash of an output's text and origins (outputs are immutable: computed once per object). */
function outputHash(output: Output): string {
  let hash = outputHashes.get(output);
  if (hash === undefined) {
    hash = sha(JSON.stringify([output.path, output.content, output.origins]));
    outputHashes.set(output, hash);
  }
  return hash;
}
const outputHashes = new WeakMap<Output, string>();

/** The key of an output's tangled view: its text and origins, the site title, and the shapes of the documents it points into. */
function tangledKey(output: Output, title: string, shapeOf: ReadonlyMap<string, string>): string {
  const sources = sourcesOf(output);
  const kept = tangledKeys.get(output);
  // A watch asks again for every output after each edit: compared without making a string.
  if (kept && kept.title === title && sources.every((d, k) => shapeOf.get(d) === kept.shapes[k])) return kept.key;
  const shapes = sources.map((d) => shapeOf.get(d));
  const key = sha(JSON.stringify([VERSIONS, outputHash(output), title, shapes.map((shape) => shape ?? '').join(',')]));
  tangledKeys.set(output, { title, shapes, key });
  return key;
}
const tangledKeys = new WeakMap<Output, { title: string; shapes: (string | undefined)[]; key: string }>();

/**
 * The key of document page i: its render key and its frame (`make`), kept with the objects
 * it was made from (a watch asks for every page after each edit, and the meta objects of
 * unchanged documents are the same objects).
 */
function pageKey(work: readonly DocumentWork[], meta: readonly PageMeta[], i: number, siteTitle: string, make: () => string): string {
  const kept = pageKeys.get(meta[i]!);
  const [previous, next, workKey] = [meta[i - 1], meta[i + 1], work[i]!.key];
  if (kept && kept.workKey === workKey && kept.previous === previous && kept.next === next && kept.siteTitle === siteTitle) return kept.key;
  const key = make();
  pageKeys.set(meta[i]!, { workKey, previous, next, siteTitle, key });
  return key;
}
const pageKeys = new WeakMap<PageMeta, { workKey: string; previous: PageMeta | undefined; next: PageMeta | undefined; siteTitle: string; key: string }>();

/** The documents an output's lines come from, sorted (once per output object). */
function sourcesOf(output: Output): string[] {
  let from = outputSources.get(output);
  if (!from) {
    from = [...new Set(output.origins.map((o) => o.document).filter((d): d is string => d !== null))].sort(byteOrder);
    outputSources.set(output, from);
  }
  return from;
}
const outputSources = new WeakMap<Output, string[]>();

/** A document's search entries as JSON array items, `<` escaped so no text can close the script element (once per meta object). */
function searchJson(meta: PageMeta): string {
  let json = searchJsons.get(meta);
  if (json === undefined) {
    json = JSON.stringify(meta.search).slice(1, -1).replace(/</g, '\\u003c');
    searchJsons.set(meta, json);
  }
  return json;
}
const searchJsons = new WeakMap<PageMeta, string>();

/** The hash of a document's search entries (once per meta object). */
function searchHash(meta: PageMeta): string {
  let hash = searchHashes.get(meta);
  if (hash === undefined) {
    hash = sha(searchJson(meta));
    searchHashes.set(meta, hash);
  }
  return hash;
}
const searchHashes = new WeakMap<PageMeta, string>();

/** Assets and the hash of each (computed once per process). */
function assets(math: boolean): [string, string | Uint8Array, string][] {
  assetList ??= [
    ['assets/weft.css', STYLESHEET],
    ['assets/weft.js', CLIENT_SCRIPT],
    ['assets/minisearch.js', miniSearchScript()],
  ].map(([path, content]) => [path as string, content!, sha(content!)]);
  katexList ??= [...katexAssets()].map(([path, bytes]) => [path, bytes, sha(bytes)]);
  return math ? [...assetList, ...katexList] : assetList;
}
let assetList: [string, string | Uint8Array, string][] | undefined;
let katexList: [string, string | Uint8Array, string][] | undefined;

/**
 * Build every file of the site into `sink`, rendering only pages the sink does not already
 * have. `metas` holds what is known of documents (by path, with the render key it is for)
 * and receives what this build learns.
 */
async function buildSite(
  tangled: TangledSnapshot,
  model: WeaveModel,
  config: WeaveConfig,
  sink: SiteSink,
  metas: Map<string, { key: string; meta: PageMeta }>,
  cache: RenderCache | undefined,
  memo: WeaveMemo | undefined,
  pool: RenderPool,
): Promise<{ rendered: number }> {
  const collected = new Map(tangled.documents.map((d) => [d.path, d]));
  const paths = model.documents.map((d) => d.path);
  const options = { themes: config.themes, repoUrl: config.repoUrl };
  const order = JSON.stringify(paths);
  const shared = JSON.stringify([VERSIONS, sha(order), config.themes, config.repoUrl]);
  const work = workOf(tangled, model, shared, reusableKeys(memo, order, shared, collected, model));
  if (memo) memo.site = { order, shared, documents: new Map(work.map((w) => [w.path, { collected: collected.get(w.path)!, key: w.key, shape: w.shape }])) };
  const count = work.length;
  const meta = knownMetas(work, metas, cache);
  const bodies = new Map<number, string>();
  const done = new Array<boolean>(count).fill(false);
  const waiting: number[] = [];
  /** Documents being rendered or read from the cache: their pages wait for their bodies. */
  const pending = new Set<number>();
  /** In a watch, the rendered pages, written after the shared files. */
  let held: [path: string, content: string, key: string][] | undefined;
  const streamed = memo ? undefined : searchStream(sink, meta);
  let rendered = 0;

  const frameOf = (i: number): PageFrame => {
    const neighbour = (j: number) => (j >= 0 && j < count ? { page: work[j]!.page, title: meta[j]!.title } : undefined);
    return { page: work[i]!.page, title: meta[i]!.title, siteTitle: config.title, math: meta[i]!.math, previous: neighbour(i - 1), next: neighbour(i + 1) };
  };
  /** Lay out and emit page i once it and its neighbours are known; without its body, wait. */
  const place = (i: number) => {
    if (i < 0 || i >= count || done[i] || !meta[i] || (i > 0 && !meta[i - 1]) || (i + 1 < count && !meta[i + 1])) return;
    const body = bodies.get(i);
    if (body === undefined && pending.has(i)) return; // Its body is on the way: placed when it arrives.
    const make = () => JSON.stringify([work[i]!.key, frameOf(i)]);
    // Kept between weaves in a watch only: the kept keys hold their neighbours' entries.
    const key = memo ? pageKey(work, meta as PageMeta[], i, config.title, make) : make();
    if (body === undefined) {
      if (!sink.upToDate(work[i]!.page, key)) waiting.push(i);
    } else if (held) {
      held.push([work[i]!.page, layout(frameOf(i), [raw(body)]), key]);
    } else {
      sink.emit(work[i]!.page, layout(frameOf(i), [raw(body)]), key);
    }
    done[i] = true;
    bodies.delete(i);
  };
  const accept = (i: number, result: RenderedDocument) => {
    const { body, ...rest } = result;
    pending.delete(i);
    meta[i] = rest;
    if (!streamed) metas.set(work[i]!.path, { key: work[i]!.key, meta: rest });
    bodies.set(i, body);
    place(i - 1);
    place(i);
    place(i + 1);
    streamed?.known(i);
  };
  const renderAll = async (indexes: number[], fromCache: boolean) => {
    for (const i of indexes) pending.add(i);
    const todo: number[] = [];
    for (const i of indexes) {
      const body = fromCache ? cache?.body(work[i]!.key) : undefined;
      if (body !== undefined && meta[i]) accept(i, { ...meta[i]!, body });
      else todo.push(i);
    }
    await pool.render(
      todo.map((i) => work[i]!),
      paths,
      options,
      (k, result) => {
        const i = todo[k]!;
        rendered++;
        cache?.set(work[i]!.key, result);
        if (!memo) dropText(work[i]!); // Never needed again (16 MB for 1,000 documents).
        accept(i, result);
      },
    );
  };

  // Documents whose render inputs are new are rendered; the others are laid out from what
  // is known of them, and rendered (or taken from the cache) only if their page must change.
  const first = work.map((_, i) => i).filter((i) => !meta[i]);
  // In a watch, the pages that do not wait for a render are checked while the worker renders
  // the others, and the rendered pages are written last, after the index and the other
  // shared files, so that the browsers are told right after they are (see `onSiteWritten`).
  const early = memo !== undefined && first.length < count;
  const rendering = renderAll(first, false);
  // While a worker renders, this thread writes the tangled views, a few between its answers.
  const views = !early && pool.started ? emitTangledViews(model, config, sink, work, 8) : undefined;
  views?.catch(() => undefined); // Its error is thrown where it is awaited, below.
  if (early) {
    held = [];
    for (let i = 0; i < count; i++) place(i);
    await emitTangledViews(model, config, sink, work);
  }
  await rendering;
  for (let i = 0; i < count; i++) place(i);
  if (waiting.length > 0) {
    const again = waiting.splice(0);
    for (const i of again) done[i] = false;
    await renderAll(again, true);
  }

  if (!early) await (views ?? emitTangledViews(model, config, sink, work));
  // Every page is rendered: a worker not kept for a watch goes now, with its heap (about
  // 140 MB for 1,000 documents), before the index page is made.
  if (!memo) await pool.close();
  emitSharedFiles(model, config, sink, work, meta as PageMeta[], collected, streamed?.parts);
  for (const [path, content, key] of held ?? []) sink.emit(path, content, key);
  const present = new Set(paths);
  for (const path of metas.keys()) if (!present.has(path)) metas.delete(path);
  return { rendered };
}

/** The tangled view of each output (they need no document's title or body); with `yieldEvery`, letting other work in after that many. */
async function emitTangledViews(model: WeaveModel, config: WeaveConfig, sink: SiteSink, work: readonly DocumentWork[], yieldEvery = Infinity): Promise<void> {
  const shapeOf = new Map(work.map((w) => [w.path, w.shape]));
  for (let i = 0; i < model.outputs.length; i++) {
    const { output, page } = model.outputs[i]!;
    // A tangled view links each line to a part: the documents it came from must be unchanged.
    const key = tangledKey(output, config.title, shapeOf);
    if (!sink.upToDate(page, key)) sink.emit(page, tangledPage(model, i, config.title), key);
    releaseOutput(output);
    // Without `yieldEvery`, no await: done when the call returns.
    if ((i + 1) % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The files besides the pages: the index, the assets and the search data. */
function emitSharedFiles(model: WeaveModel, config: WeaveConfig, sink: SiteSink, work: readonly DocumentWork[], meta: readonly PageMeta[], collected: ReadonlyMap<string, CollectedDocument>, streamed?: ReadonlySet<number>): void {
  const paths = work.map((w) => w.path);
  // The index shows titles, the outputs, and chunks' numbers, anchors and uses: no positions, no code.
  const indexKey = sha(JSON.stringify([VERSIONS, config.title, paths.map((p) => outlineOf(collected.get(p)!)), meta.map((m) => m.title), model.outputs.map((o) => [o.output.path, o.output.document])]));
  if (!sink.upToDate('index.html', indexKey)) sink.emit('index.html', indexPage(model, new Map(work.map((w, i) => [w.path, meta[i]!.title])), config.title), indexKey);
  for (const [path, content, hash] of assets(meta.some((m) => m.math))) if (!sink.upToDate(path, hash)) sink.emit(path, content, hash);
  emitSearchData(sink, meta, streamed);
}

/** Documents per part of the search data (see assets.ts). */
const SEARCH_PART_DOCUMENTS = 32;

/**
 * The search data: `assets/search-data.js` (the number of parts) and one part per
 * `SEARCH_PART_DOCUMENTS` documents, each keyed on its entries, so that an edit to code
 * leaves the search data alone and an edit to prose rewrites one part.
 */
function emitSearchData(sink: SiteSink, meta: readonly PageMeta[], streamed: ReadonlySet<number> = new Set()): void {
  const parts = Math.ceil(meta.length / SEARCH_PART_DOCUMENTS);
  const manifest = `window.WEFT_SEARCH_PARTS = ${parts};\n`;
  if (!sink.upToDate(SEARCH_DATA, manifest)) sink.emit(SEARCH_DATA, manifest, manifest);
  for (let part = 0; part < parts; part++) {
    if (!streamed.has(part)) emitSearchPart(sink, meta.slice(part * SEARCH_PART_DOCUMENTS, (part + 1) * SEARCH_PART_DOCUMENTS), part, false);
  }
}

/**
 * For a weave without a memo: `known(i)` once `meta[i]` is known writes the part of the
 * search data it completes, and drops that part's entries from `meta`; `parts` are those written.
 */
function searchStream(sink: SiteSink, meta: (PageMeta | undefined)[]): { parts: Set<number>; known: (i: number) => void } {
  const parts = new Set<number>();
  const known = (i: number) => {
    const part = Math.floor(i / SEARCH_PART_DOCUMENTS);
    const [from, to] = [part * SEARCH_PART_DOCUMENTS, Math.min(meta.length, (part + 1) * SEARCH_PART_DOCUMENTS)];
    if (parts.has(part) || meta.slice(from, to).some((m) => m === undefined)) return;
    emitSearchPart(sink, meta.slice(from, to) as PageMeta[], part, true);
    parts.add(part);
    for (let j = from; j < to; j++) meta[j] = { ...meta[j]!, search: [] };
  };
  return { parts, known };
}

/**
 * One part of the search data, from its documents' entries. Loaded on the first search only,
 * never on page load: unless `now`, made and written after the pages (in a watch, after the
 * browsers are told). A weave without a memo writes each part `now`, as soon as its
 * documents are rendered, and drops their entries (11 MB for 1,000 documents).
 */
function emitSearchPart(sink: SiteSink, own: readonly PageMeta[], part: number, now: boolean): void {
  const path = searchPartPath(part);
  const key = sha(own.map((m) => searchHash(m)).join('\0'));
  if (sink.upToDate(path, key)) return;
  const make = () => `(window.WEFT_SEARCH = window.WEFT_SEARCH || [])[${part}] = [${own.map((m) => searchJson(m)).filter((json) => json !== '').join(',')}];\n`;
  if (sink.emitLater && !now) sink.emitLater(path, make, key);
  else sink.emit(path, make(), key);
}

/** The search data's first file: the number of parts. */
const SEARCH_DATA = 'assets/search-data.js';
/** The site path of one part of the search data. */
const searchPartPath = (part: number) => `assets/search-data-${part}.js`;
/** Whether a site path is part of the search data (which no page loads until a search). */
export const isSearchData = (path: string): boolean => /^assets\/search-data(-\d+)?\.js$/.test(path);

/**
 * The keys of the last build (watch mode) that still hold: all of them when the document
 * order, the options and every document's outline are unchanged (then numbers, anchors,
 * uses and outputs are too), except for the documents that changed and, when a changed
 * document's chunks moved, the documents whose references show their lines.
 */
function reusableKeys(
  memo: WeaveMemo | undefined,
  order: string,
  shared: string,
  collected: ReadonlyMap<string, CollectedDocument>,
  model: WeaveModel,
): Map<string, { key: string; shape: string }> {
  const kept = new Map<string, { key: string; shape: string }>();
  const prior = memo?.site;
  if (!prior || prior.order !== order || prior.shared !== shared) return kept;
  const changed: string[] = [];
  for (const [path, doc] of collected) {
    const before = prior.documents.get(path);
    if (!before) return kept;
    if (before.collected === doc) continue;
    if (outlineOf(before.collected) !== outlineOf(doc)) return kept;
    changed.push(path);
  }
  const affected = new Set(changed);
  for (const path of changed) if (firstLinesOf(prior.documents.get(path)!.collected) !== firstLinesOf(collected.get(path)!)) for (const other of referrersOf(model, path)) affected.add(other);
  for (const [path, before] of prior.documents) if (!affected.has(path)) kept.set(path, before);
  return kept;
}

/**
 * The cross-reference model: the last one patched (watch mode) when no document's outline
 * and not the order changed, else built anew.
 */
function modelOf(tangled: TangledSnapshot, config: WeaveConfig, memo: WeaveMemo | undefined): WeaveModel {
  const order = JSON.stringify([tangled.documents.map((d) => d.path), config.order]);
  const documents = new Map(tangled.documents.map((d) => [d.path, d]));
  const prior = memo?.model;
  let model: WeaveModel | undefined;
  if (prior && prior.order === order) {
    const changed = tangled.documents.filter((d) => prior.documents.get(d.path) !== d);
    if (changed.every((d) => outlineOf(d) === outlineOf(prior.documents.get(d.path)!))) model = patchModel(prior.model, changed, tangled.outputs);
  }
  model ??= buildModel(tangled.documents, tangled.outputs, config.order, tangled.messages);
  if (memo) memo.model = { order, model, documents };
  return model;
}

/** The documents, reading only those that changed when the memo has the others. */
async function readSnapshot(root: string, memo: WeaveMemo | undefined, changed: readonly string[] | undefined): Promise<Snapshot> {
  const previous = memo?.snapshot;
  if (!previous || changed === undefined) {
    const snapshot = await readFolder(root, 'working tree');
    return { ...snapshot, sources: snapshot.sources.map(withoutBytes) };
  }
  const config = previous.config;
  const isSource = picomatch(config.sources.map((g) => g.replace(/^\.\//, '')), { dot: false });
  const sources = new Map(previous.sources.map((s) => [s.path, s]));
  for (const path of changed) {
    if (isSource(path) && existsSync(join(root, path))) sources.set(path, withoutBytes(readSource(root, path, config.limits.maxDocumentBytes)));
    else sources.delete(path);
  }
  return { ...previous, sources: [...sources.values()].sort((a, b) => byteOrder(a.path, b.path)) };
}

/** A source without its raw bytes, which weave never needs (16 MB for the 1,000-document bench corpus). */
function withoutBytes(source: SourceText): SourceText {
  const { bytes: _bytes, ...rest } = source;
  return rest;
}

/** The record of the last weave, or an empty one. */
function readRecord(root: string): SiteRecord | undefined {
  try {
    const data = JSON.parse(readFileSync(join(root, WEAVE_FILES), 'utf8')) as Partial<SiteRecord> & { files?: unknown };
    if (typeof data.out !== 'string') return undefined;
    // An earlier format listed the paths only: they are deleted if no longer produced, never trusted.
    if (Array.isArray(data.files)) return { version: 2, out: data.out, key: '', messages: [], files: Object.fromEntries(data.files.map((path: string) => [path, { key: '', hash: '', size: -1, mtimeMs: -1 }])) };
    if (data.version !== 2 || typeof data.files !== 'object' || data.files === null) return undefined;
    return { version: 2, out: data.out, key: typeof data.key === 'string' ? data.key : '', messages: Array.isArray(data.messages) ? data.messages : [], files: data.files as Record<string, FileRecord> };
  } catch {
    return undefined;
  }
}

/** Whether every recorded file is on disk as written. */
function intact(out: string, record: SiteRecord): boolean {
  for (const [path, file] of Object.entries(record.files)) {
    try {
      const stats = statSync(join(out, path));
      if (stats.size !== file.size || stats.mtimeMs !== file.mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Weave a project folder, in this thread: read, build, check, write. `weave` (weave.ts)
 * runs a large site's weave without a memo in a worker thread with a bounded heap
 * (`bounded-weave.ts`), so that its peak memory follows the project rather than V8's appetite.
 */
export async function weaveHere(options: WeaveOptions = {}): Promise<WeaveResult> {
  const started = performance.now();
  const root = resolvePath(options.root ?? process.cwd());
  const memo = options.memo;
  const useCache = options.cache !== false;
  const weaveConfig = loadWeaveConfig(root);
  const config = weaveConfig.config ?? DEFAULT_WEAVE_CONFIG;
  const messages: Message[] = [...weaveConfig.messages];
  const out = resolvePath(root, options.out ?? config.out);
  const outKey = relative(root, out).split('\\').join('/') || '.';
  const outProblem = outFolderProblem(root, out);
  if (outProblem) messages.push(message('weft.config.json', 0, 0, 'error', 'malformed-config', `weave output folder "${outKey}" is not allowed: ${outProblem}`));
  const snapshot = await readSnapshot(root, memo, options.changed);
  if (memo) memo.snapshot = snapshot;
  const keepSite = options.check === true || options.write === false;
  const canWrite = options.write !== false && !outProblem && weaveConfig.config !== null;
  const previous = memo?.record ?? readRecord(root);
  const priorFiles = previous && previous.out === outKey ? previous.files : {};
  const build = sha(JSON.stringify([VERSIONS, config, snapshot.config, outKey, snapshot.messages, snapshot.sources.map((s) => [s.path, s.hash])]));
  const summary = (files: WovenFile[], documents: number, rendered: number) => ({
    documents,
    pages: files.filter((f) => f.action !== 'deleted' && f.path.endsWith('.html')).length,
    rendered,
    written: files.filter((f) => f.action === 'written').length,
    unchanged: files.filter((f) => f.action === 'unchanged').length,
    deleted: files.filter((f) => f.action === 'deleted').length,
    ms: Math.round(performance.now() - started),
  });

  // Nothing changed since a weave without errors, and its files are intact: nothing to do.
  const ownRecord = memo?.record !== undefined && memo.record === previous;
  // A watch's first weave does the work anyway (nothing is rendered or written if nothing
  // changed), so that its memo is ready for the first edit.
  const coldMemo = memo !== undefined && memo.model === undefined;
  if (useCache && canWrite && !keepSite && !coldMemo && messages.length === 0 && previous && previous.key === build && previous.out === outKey && (ownRecord || intact(out, previous))) {
    const files = Object.keys(previous.files)
      .sort(byteOrder)
      .map((path) => ({ path, action: 'unchanged' as const }));
    for (const file of files) options.onFile?.(file);
    options.onSiteWritten?.(files, build);
    return { ok: true, messages: sortMessages([...previous.messages]), out, files, site: new Map(), build, summary: summary(files, snapshot.sources.length, 0) };
  }

  // A cold weave renders every document: start the render worker now, so that it loads the
  // renderer while this thread tangles. A watch starts its worker on its first weave and
  // keeps it for the edits.
  const pool = memo ? (memo.pool ??= new RenderPool(true)) : new RenderPool();
  try {
    if (!keepSite && canWrite && (coldMemo || !useCache || !existsSync(join(root, WEAVE_CACHE)))) pool.prepare(snapshot.sources.length, { themes: config.themes, repoUrl: config.repoUrl }, snapshot.sources.map((source) => source.text));
    const tangled = tangledFor(snapshot, options.tangled, memo);
    const model = modelOf(tangled, config, memo);
    messages.push(...tangled.messages, ...model.messages);
    const documentsOk = !messages.some((m) => m.severity === 'error');
    const mayWrite = canWrite && (documentsOk || options.writeOnError !== false);
    const cache = useCache ? new RenderCache(root) : undefined;
    const metas = useCache ? (memo?.metas ?? new Map()) : new Map<string, { key: string; meta: PageMeta }>();
    const writer = new SiteWriter(out, priorFiles, useCache, options.onFile, ownRecord);
    const site = new Map<string, string | Uint8Array>();
    const siteKeys = new Map<string, string>();
    let rendered = 0;
    if (!keepSite && mayWrite) {
      ({ rendered } = await buildSite(tangled, model, config, writer, metas, cache, memo, pool));
      // In a watch that renders here, have the highlighter and the project's grammars ready before the first edit.
      if (coldMemo && !pool.started) void import('./highlight.js').then(({ warmGrammars }) => warmGrammars(config.themes, codeSamples(tangled.sources.map((source) => source.text)))).catch(() => undefined);
    } else if (keepSite) {
      const collect: SiteSink = { upToDate: () => false, emit: (path, content, key) => void (site.set(path, content), siteKeys.set(path, key)) };
      ({ rendered } = await buildSite(tangled, model, config, collect, metas, cache, memo, pool));
      if (options.check) messages.push(...checkLinks(site, outKey.startsWith('..') || isAbsolute(outKey) ? '' : outKey === '.' ? '' : outKey));
    }
    const sorted = sortMessages(messages);
    const ok = !sorted.some((m) => m.severity === 'error');
    if (keepSite && mayWrite && (ok || options.writeOnError !== false)) for (const path of [...site.keys()].sort(byteOrder)) writer.emit(path, site.get(path)!, siteKeys.get(path) ?? '');
    if (mayWrite && (!keepSite || ok || options.writeOnError !== false)) {
      writer.removeLeftovers();
      if (options.onSiteWritten) {
        options.onSiteWritten([...writer.files], build);
        // Let what it sent leave (Node sends an HTTP response's writes on the next tick), and
        // the browsers' reload requests be answered, before the deferred work.
        await new Promise((resolve) => setTimeout(resolve, RELOAD_GRACE_MS));
      }
      writer.flushLater();
      const record: SiteRecord = { version: 2, out: outKey, key: ok ? build : '', messages: ok ? sorted : [], files: writer.next };
      mkdirSync(join(root, '.weft'), { recursive: true });
      writeFileSync(join(root, WEAVE_FILES), `${JSON.stringify(record)}\n`);
      if (memo) memo.record = record;
      else cache?.prune(); // Not in a watch: it reads the folder, and the entries of the other documents are still good.
    }
    return { ok, messages: sorted, out, files: writer.files, site, build, summary: summary(writer.files, tangled.documents.length, rendered) };
  } finally {
    if (!memo) await pool.close();
  }
}

/**
 * The engine's result for the snapshot: the caller's (`options.tangled`) when it is for these
 * documents, else the weave's own. A separate function, so that the weaving function's
 * suspended frame never holds the engine's whole result: without a memo, neither its memo nor
 * the outputs' source maps are needed (17 MB for 1,000 documents).
 */
function tangledFor(snapshot: Snapshot, given: TangledProject | undefined, memo: WeaveMemo | undefined): TangledSnapshot {
  let result: TangledProject;
  if (sameDocuments(given, snapshot)) result = given;
  else {
    const own = tangleSources(snapshot.sources, snapshot.config, memo?.pipeline);
    if (memo) memo.pipeline = own.memo;
    // Outputs made here and not kept: `releaseOutput` may empty them once their view is written.
    result = memo ? own : { documents: own.documents, outputs: own.outputs.map((output) => { const copy = { ...output, map: null }; ownOutputs.add(copy); return copy; }), messages: own.messages };
  }
  return { ...snapshot, documents: result.documents, outputs: result.outputs, messages: sortMessages([...snapshot.messages, ...result.messages]) };
}

/** Outputs a weave without a memo tangled itself: nobody else holds them. */
const ownOutputs = new WeakSet<Output>();

/**
 * After its tangled view is written, what is left of an output the weave made itself: the
 * index needs its path and document only (the text and origins are 24 MB for 1,000 documents).
 */
function releaseOutput(output: Output): void {
  if (!ownOutputs.has(output)) return;
  output.content = '';
  output.origins = [];
  output.chunks = {};
}

/** Whether `tangled` is the engine's result for exactly the documents of `snapshot`. */
function sameDocuments(tangled: TangledProject | undefined, snapshot: Snapshot): tangled is TangledProject {
  if (!tangled || tangled.documents.length !== snapshot.sources.length) return false;
  return tangled.documents.every((doc, i) => doc.path === snapshot.sources[i]!.path && doc.hash === snapshot.sources[i]!.hash && doc.hash !== '');
}

/** Why the output folder may not be used, or undefined. */
function outFolderProblem(root: string, out: string): string | undefined {
  const inside = relative(root, out).split('\\').join('/');
  if (inside === '') return 'it is the project root';
  if (inside.startsWith('..') || isAbsolute(inside)) return undefined; // Outside the project: the user's choice.
  return unsafeRelativePath(inside);
}
