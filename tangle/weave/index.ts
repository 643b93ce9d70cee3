/**
 * `weave(options)`: the literate sources → a static HTML site, from the same pipeline as
 * `weft tangle`.
 *
 * Stages: the engine's snapshot (read → parse → collect → resolve → emit, in memory; nothing
 * under `.weft/` or the outputs is touched) → the cross-reference model (model.ts) → one
 * page per document (render.ts), the index page and one tangled view per output (pages.ts)
 * → the shared assets → the link check (with `check`) → the writes.
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
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
import { WEFT_VERSION } from '../version.js';
import { atomicWrite } from '../write.js';
import { message, sortMessages } from '../messages.js';
import { readFolder, tangleSnapshot, type Snapshot, type TangledSnapshot } from '../snapshot.js';
import type { Message } from '../types.js';
import { unsafeRelativePath } from '../config.js';
import { CLIENT_SCRIPT, STYLESHEET, katexAssets, miniSearchScript } from './assets.js';
import { DEFAULT_WEAVE_CONFIG, loadWeaveConfig, type WeaveConfig } from './config.js';
import { checkLinks } from './links.js';
import { raw } from './hast.js';
import { buildModel, fingerprintOf } from './model.js';
import { indexPage, layout, tangledPage } from './pages.js';
import { keepProse, renderDocument, type RenderedDocument, type SearchEntry } from './render.js';

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
  /** Pages rendered by an earlier weave in this process, reused when unchanged (watch mode). @default none */
  memo?: WeaveMemo;
  /** Keep rendered pages in `.weft/cache/weave/` and reuse them. @default true */
  cache?: boolean;
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
  /** The site, site-relative path → content. */
  site: Map<string, string | Uint8Array>;
  summary: { documents: number; pages: number; rendered: number; written: number; unchanged: number; deleted: number; ms: number };
}

/**
 * What a weave keeps for the next one in the same process (watch mode): each document's
 * rendered page, keyed by its content hash, its cross-reference fingerprint and the options.
 */
export interface WeaveMemo {
  pages: Map<string, { key: string; rendered: RenderedDocument }>;
  /** Each whole page's HTML, by site path, with the key it was made for. */
  html: Map<string, { key: unknown[]; html: string }>;
  /** What the last write put on disk, by site path (the site folder is Weft's: no need to read it back). */
  written: Map<string, string | Uint8Array>;
}

/** A new, empty memo. */
export function createWeaveMemo(): WeaveMemo {
  return { pages: new Map(), html: new Map(), written: new Map() };
}

/** Rendered pages kept between processes: `get` and `set` by key (see `renderKey`). */
export interface PageCache {
  get(key: string): RenderedDocument | undefined;
  set(key: string, value: RenderedDocument): void;
}

/** Where `weave()` keeps rendered pages between runs. */
export const WEAVE_CACHE = '.weft/cache/weave';

/**
 * The on-disk page cache: one JSON file per rendered page under `.weft/cache/weave/`, named by
 * the SHA-256 of its key (content hash, cross-reference fingerprint, themes, repoUrl, Weft's
 * and shiki's versions). Entries are immutable; a bad or missing one is a miss, never an error.
 */
function diskPageCache(root: string): PageCache {
  const folder = join(root, WEAVE_CACHE);
  const file = (key: string) => join(folder, `${createHash('sha256').update(key).digest('hex')}.json`);
  return {
    get(key) {
      try {
        const entry = JSON.parse(readFileSync(file(key), 'utf8')) as { key: string; value: RenderedDocument };
        return entry.key === key ? entry.value : undefined;
      } catch {
        return undefined;
      }
    },
    set(key, value) {
      try {
        mkdirSync(folder, { recursive: true });
        atomicWrite(file(key), JSON.stringify({ key, value }), 0o644);
      } catch {
        // A cache that cannot be written only costs time.
      }
    },
  };
}

const SHIKI_VERSION = (() => {
  try {
    return JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('shiki')), '..', 'package.json'), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
})();

/** `make()`, or the value it made last time for the same key (compared item by item, by identity). */
function remembered(memo: WeaveMemo, path: string, key: unknown[], make: () => string): string {
  const kept = memo.html.get(path);
  if (kept && kept.key.length === key.length && kept.key.every((item, i) => item === key[i])) return kept.html;
  const html = make();
  memo.html.set(path, { key, html });
  return html;
}

/** Build the site of a tangled snapshot in memory. Pure except for reading the bundled assets. */
export async function weaveSite(
  tangled: TangledSnapshot,
  config: WeaveConfig = DEFAULT_WEAVE_CONFIG,
  memo: WeaveMemo = createWeaveMemo(),
  cache?: PageCache,
): Promise<{ site: Map<string, string | Uint8Array>; messages: Message[]; rendered: number }> {
  const engineMessages = tangled.messages;
  const model = buildModel(tangled.documents, tangled.outputs, config.order, engineMessages);
  const site = new Map<string, string | Uint8Array>();
  const texts = new Map(tangled.sources.map((s) => [s.path, s]));
  const titles = new Map<string, string>();
  const rendered: RenderedDocument[] = [];
  const options = JSON.stringify([WEFT_VERSION, SHIKI_VERSION, config.themes, config.repoUrl]);
  let renderedCount = 0;
  for (const doc of model.documents) {
    const source = texts.get(doc.path)!;
    const key = `${source.hash}\0${fingerprintOf(doc, model)}\0${options}`;
    const kept = memo.pages.get(doc.path);
    let result = kept && kept.key === key ? kept.rendered : undefined;
    if (!result && source.hash) result = cache?.get(key);
    if (!result) {
      result = await renderDocument(source.text, source.hash || doc.path, doc, model, { themes: config.themes, repoUrl: config.repoUrl });
      if (source.hash) cache?.set(key, result);
      renderedCount++;
    }
    if (kept?.rendered !== result) memo.pages.set(doc.path, { key, rendered: result });
    titles.set(doc.path, result.title);
    rendered.push(result);
  }
  const present = new Set(model.documents.map((d) => d.path));
  for (const path of memo.pages.keys()) if (!present.has(path)) memo.pages.delete(path);
  keepProse(new Set(tangled.sources.map((s) => s.hash || s.path)));
  const search: SearchEntry[] = [];
  let math = false;
  model.documents.forEach((doc, i) => {
    const result = rendered[i]!;
    math ||= result.math;
    search.push(...result.search);
    const neighbour = (j: number) => (model.documents[j] ? { page: model.documents[j]!.page, title: rendered[j]!.title } : undefined);
    const previous = neighbour(i - 1);
    const next = neighbour(i + 1);
    const key = [result, config.title, previous?.page, previous?.title, next?.page, next?.title];
    site.set(doc.page, remembered(memo, doc.page, key, () => layout({ page: doc.page, title: result.title, siteTitle: config.title, math: result.math, previous, next }, [raw(result.body)])));
  });
  site.set('index.html', indexPage(model, titles, config.title));
  model.outputs.forEach(({ output, page }, i) => {
    // A tangled view shows the output's text and links each line to a part: the documents it came from must be unchanged.
    const from = [...new Set(output.origins.map((o) => o.document).filter((d): d is string => d !== null))].sort();
    const key = [output.content, config.title, JSON.stringify(from.map((d) => memo.pages.get(d)?.key))];
    site.set(page, remembered(memo, page, key, () => tangledPage(model, i, config.title)));
  });
  site.set('assets/weft.css', STYLESHEET);
  site.set('assets/weft.js', CLIENT_SCRIPT);
  site.set('assets/minisearch.js', miniSearchScript());
  // `<` escaped so no text in the index can close the script element.
  site.set('assets/search-data.js', `window.WEFT_SEARCH = ${JSON.stringify(search).replace(/</g, '\\u003c')};\n`);
  if (math) for (const [path, bytes] of katexAssets()) site.set(path, bytes);
  return { site, messages: sortMessages([...engineMessages, ...model.messages]), rendered: renderedCount };
}

/** Where the list of files the last weave wrote is kept. */
export const WEAVE_FILES = '.weft/weave-files.json';

/** Weave a project folder: read, build, check, write. */
export async function weave(options: WeaveOptions = {}): Promise<WeaveResult> {
  const started = performance.now();
  const root = resolvePath(options.root ?? process.cwd());
  const snapshot: Snapshot = await readFolder(root, 'working tree');
  const weaveConfig = loadWeaveConfig(root);
  const config = weaveConfig.config ?? DEFAULT_WEAVE_CONFIG;
  const messages: Message[] = [...weaveConfig.messages];
  const out = resolvePath(root, options.out ?? config.out);
  const outProblem = outFolderProblem(root, out);
  if (outProblem) messages.push(message('weft.config.json', 0, 0, 'error', 'malformed-config', `weave output folder "${relative(root, out) || '.'}" is not allowed: ${outProblem}`));
  const tangled = tangleSnapshot(snapshot);
  const { site, messages: siteMessages, rendered } = await weaveSite(tangled, config, options.memo, options.cache === false ? undefined : diskPageCache(root));
  messages.push(...siteMessages);
  const prefix = relative(root, out).split('\\').join('/');
  if (options.check) messages.push(...checkLinks(site, prefix.startsWith('..') || isAbsolute(prefix) ? '' : prefix));
  const sorted = sortMessages(messages);
  const ok = !sorted.some((m) => m.severity === 'error');
  const files: WovenFile[] = [];
  const mayWrite = options.write !== false && !outProblem && weaveConfig.config !== null && (ok || options.writeOnError !== false);
  if (mayWrite) files.push(...writeSite(root, out, site, options.memo));
  const count = (action: WovenFile['action']) => files.filter((f) => f.action === action).length;
  return {
    ok,
    messages: sorted,
    out,
    files,
    site,
    summary: {
      documents: tangled.documents.length,
      pages: [...site.keys()].filter((p) => p.endsWith('.html')).length,
      rendered,
      written: count('written'),
      unchanged: count('unchanged'),
      deleted: count('deleted'),
      ms: Math.round(performance.now() - started),
    },
  };
}

/** Why the output folder may not be used, or undefined. */
function outFolderProblem(root: string, out: string): string | undefined {
  const inside = relative(root, out).split('\\').join('/');
  if (inside === '') return 'it is the project root';
  if (inside.startsWith('..') || isAbsolute(inside)) return undefined; // Outside the project: the user's choice.
  return unsafeRelativePath(inside);
}

/** Write what changed (atomically), delete what an earlier weave wrote and this one did not. */
function writeSite(root: string, out: string, site: ReadonlyMap<string, string | Uint8Array>, memo?: WeaveMemo): WovenFile[] {
  const files: WovenFile[] = [];
  const listFile = join(root, WEAVE_FILES);
  let previous: { out: string; files: string[] } = { out: '', files: [] };
  try {
    previous = JSON.parse(readFileSync(listFile, 'utf8'));
  } catch {
    // No earlier weave.
  }
  const paths = [...site.keys()].sort();
  for (const path of paths) {
    const content = site.get(path)!;
    const last = memo?.written.get(path);
    if (last !== undefined && (last === content || (typeof last === 'string' && typeof content === 'string' && last.length === content.length && last === content))) {
      files.push({ path, action: 'unchanged' });
      continue;
    }
    memo?.written.set(path, content);
    const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    const full = join(out, path);
    let same = false;
    try {
      same = readFileSync(full).equals(bytes);
    } catch {
      same = false;
    }
    if (same) files.push({ path, action: 'unchanged' });
    else {
      atomicWrite(full, bytes, 0o644);
      files.push({ path, action: 'written' });
    }
  }
  const outKey = relative(root, out).split('\\').join('/') || '.';
  if (previous.out === outKey) {
    const now = new Set(paths);
    for (const path of previous.files) {
      if (now.has(path) || path.includes('..')) continue;
      if (existsSync(join(out, path))) {
        rmSync(join(out, path), { force: true });
        files.push({ path, action: 'deleted' });
      }
    }
  }
  const list = `${JSON.stringify({ out: outKey, files: paths }, null, 2)}\n`;
  if (JSON.stringify(previous, null, 2) + '\n' !== list) {
    mkdirSync(join(root, '.weft'), { recursive: true });
    writeFileSync(listFile, list);
  }
  return files;
}
