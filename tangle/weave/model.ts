/**
 * The cross-reference model of a woven site: which page each document becomes, the § number
 * and anchor of every chunk part, where each chunk is used, and which outputs it reaches.
 *
 * Weave is not a second chunk reader: the chunks, file targets, outputs and per-line origins
 * all come from the engine (`tangleSnapshot`). This stage only numbers and links them. It is
 * pure, so every rule of the site (numbering, anchors, "Used in" sentences) is tested with
 * strings.
 *
 * Anchors come from names, never from positions, so inserting a chunk above another leaves
 * the other's links valid: `chunk-<slug>` for a chunk's first part, `chunk-<slug>-2` for its
 * second, `file-<slug(path)>` for a file root. A slug never ends in `-<digits>` (one that
 * would gets a `_`), so a part suffix can never collide with another chunk's slug; two names
 * with the same slug on one page get `_2`, `_3` in order of definition. Heading ids never
 * start with `chunk-` or `file-` (see render.ts), so they cannot collide either.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { isChunk, lookupChunk, lookupIndex } from '../lookup.js';
import type { Chunk, CollectedDocument, FileTarget, LineOrigin, Message, Output, Part } from '../types.js';
import { message } from '../messages.js';

/** One chunk part or file part, as it appears on its page. */
export interface WovenPart {
  kind: 'chunk' | 'file';
  /** The chunk name, or the output path of a file root. */
  name: string;
  document: string;
  /** 0-based position among the parts of its chunk or file. */
  index: number;
  /** `3.12`: document 3, 12th numbered part of that document. */
  number: string;
  /** The element id on the document's page. */
  anchor: string;
  part: Part;
  /** Key of the chunk or file this part belongs to (see `targetKey`). */
  target: string;
}

/** A chunk or file target and everything the site says about it. */
export interface WovenTarget {
  key: string;
  kind: 'chunk' | 'file';
  name: string;
  document: string;
  parts: WovenPart[];
  /** Parts (of other chunks) whose code references this chunk, in site order, without repeats. */
  uses: WovenPart[];
  /** Output paths this chunk's lines were written to (a file root: its own path, unless it failed to tangle). */
  outputs: string[];
}

/** One `<<name>>` line of a part. */
export interface Reference {
  /** 0-based line within the part's value. */
  index: number;
  /** The indentation before `<<`. */
  indent: string;
  /** The name as written (trimmed), possibly qualified `docs/a.lit.md#name`. */
  name: string;
}

/** A document as a page of the site. */
export interface WovenDocument {
  path: string;
  /** 1-based position in the site's document order. */
  number: number;
  /** Site-relative path of its page: `docs/a.lit.md` → `docs/a.html`. */
  page: string;
  /** Numbered parts in document order. */
  parts: WovenPart[];
}

/** The whole site's cross-reference data. */
export interface WeaveModel {
  documents: WovenDocument[];
  targets: Map<string, WovenTarget>;
  /** Outputs in path order, with the site path of their tangled view. */
  outputs: { output: Output; page: string }[];
  /** Problems weave finds itself (references the engine did not expand, so did not check). */
  messages: Message[];
  /** Look a reference up the way the engine does (`lookupChunk`): same document, qualified, then the one other definer. */
  lookup(name: string, from: string): WovenTarget | undefined;
  /** The key of the target `lookup` finds (a patched model keeps its original's: see `patchModel`). */
  lookupKey(name: string, from: string): string | undefined;
}

/** The references of a part, as the engine recorded them (`Part.references`), in weave's shape. */
export function referencesOf(part: Part): Reference[] {
  return part.references.map((reference) => ({ index: reference.index, indent: reference.indent, name: reference.text }));
}

/** `chunk:docs/a.lit.md#name` or `file:src/x.ts`. */
function targetKey(kind: 'chunk' | 'file', document: string, name: string): string {
  return kind === 'chunk' ? `chunk:${document}#${name}` : `file:${name}`;
}

/** The site path of a document's page. */
export function pageOf(document: string): string {
  return document.replace(/\.lit\.md$/, '').replace(/\.md$/, '') + '.html';
}

/** The site path of an output's tangled view. */
export function tangledPageOf(output: string): string {
  return `tangled/${output}.html`;
}

/** A relative link from one site page to another page (and an optional anchor). */
export function hrefFrom(fromPage: string, toPage: string, anchor?: string): string {
  const target = fromPage === toPage ? '' : posix.relative(posix.dirname(fromPage), toPage);
  return anchor ? `${target}#${anchor}` : target || posix.basename(toPage);
}

/** Lower-case letters, digits and single hyphens; never ending in `-<digits>`, never empty. */
export function slug(text: string): string {
  const base = text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return base === '' || /-\d+$/.test(base) || /^\d+$/.test(base) ? `${base}_` : base;
}

/**
 * The document order: `order` first (paths as listed, unknown ones ignored), then the rest
 * in path order.
 */
function orderDocuments(paths: readonly string[], order: readonly string[]): string[] {
  const known = new Set(paths);
  const first = order.filter((path, i) => known.has(path) && order.indexOf(path) === i);
  const listed = new Set(first);
  return [...first, ...paths.filter((path) => !listed.has(path))];
}

/** Number, anchor and link every chunk part of the project. Pure. */
export function buildModel(documents: readonly CollectedDocument[], outputs: readonly Output[], order: readonly string[], engineMessages: readonly Message[]): WeaveModel {
  const byPath = new Map(documents.map((d) => [d.path, d]));
  const ordered = orderDocuments(
    documents.map((d) => d.path),
    order,
  ).map((path) => byPath.get(path)!);
  const targets = new Map<string, WovenTarget>();
  const chunksByDocument = new Map<string, Map<string, WovenTarget>>();
  const definers = new Map<string, WovenTarget[]>();
  const wovenDocuments: WovenDocument[] = [];

  ordered.forEach((doc, docIndex) => {
    const entries: { kind: 'chunk' | 'file'; target: Chunk | FileTarget; name: string; part: Part; index: number }[] = [];
    for (const chunk of doc.chunks) chunk.parts.forEach((part, index) => entries.push({ kind: 'chunk', target: chunk, name: chunk.name, part, index }));
    for (const file of doc.files) file.parts.forEach((part, index) => entries.push({ kind: 'file', target: file, name: file.path, part, index }));
    entries.sort((a, b) => a.part.fenceLine - b.part.fenceLine);
    // Slugs in order of first definition, so the `_2` of a clash is stable too.
    const slugs = new Map<string, string>();
    const taken = new Set<string>();
    for (const entry of entries) {
      const key = targetKey(entry.kind, doc.path, entry.name);
      if (slugs.has(key)) continue;
      const prefix = entry.kind === 'chunk' ? 'chunk-' : 'file-';
      let candidate = prefix + slug(entry.name);
      for (let n = 2; taken.has(candidate); n++) candidate = `${prefix}${slug(entry.name)}_${n}`;
      taken.add(candidate);
      slugs.set(key, candidate);
    }
    const wovenParts: WovenPart[] = entries.map((entry, i) => {
      const key = targetKey(entry.kind, doc.path, entry.name);
      const anchor = entry.index === 0 ? slugs.get(key)! : `${slugs.get(key)!}-${entry.index + 1}`;
      return { kind: entry.kind, name: entry.name, document: doc.path, index: entry.index, number: `${docIndex + 1}.${i + 1}`, anchor, part: entry.part, target: key };
    });
    for (const woven of wovenParts) {
      let target = targets.get(woven.target);
      if (!target) {
        target = { key: woven.target, kind: woven.kind, name: woven.name, document: doc.path, parts: [], uses: [], outputs: [] };
        targets.set(woven.target, target);
        if (woven.kind === 'chunk') {
          if (!chunksByDocument.has(doc.path)) chunksByDocument.set(doc.path, new Map());
          chunksByDocument.get(doc.path)!.set(woven.name, target);
          definers.set(woven.name, [...(definers.get(woven.name) ?? []), target]);
        }
      }
      target.parts[woven.index] = woven;
    }
    wovenDocuments.push({ path: doc.path, number: docIndex + 1, page: pageOf(doc.path), parts: wovenParts });
  });

  // Names resolve exactly as the engine resolves them (lookup.ts), never by rules of weave's own.
  const index = lookupIndex(documents);
  const lookup = (name: string, from: string): WovenTarget | undefined => {
    const hash = name.lastIndexOf('#');
    const reference = { name: hash > 0 ? name.slice(hash + 1) : name, document: hash > 0 ? name.slice(0, hash) : undefined, text: name, line: 0, column: 0, indent: '', index: 0 };
    const found = lookupChunk(reference, from, index);
    return isChunk(found) ? chunksByDocument.get(found.document)?.get(found.name) : undefined;
  };

  // Uses, and the references the engine never expanded (a chunk no output reaches): those
  // are reported here with the engine's rule id, unless the engine already reported the spot.
  const reported = new Set(engineMessages.map((m) => `${m.file}:${m.line}:${m.column}`));
  const messages: Message[] = [];
  for (const doc of wovenDocuments) {
    for (const woven of doc.parts) {
      for (const reference of referencesOf(woven.part)) {
        const found = lookup(reference.name, woven.document);
        if (found && found.key !== woven.target && !found.uses.includes(woven)) found.uses.push(woven);
        if (!found) {
          const line = woven.part.line + reference.index;
          const column = (woven.part.columns[reference.index] ?? 1) + reference.indent.length;
          if (!reported.has(`${woven.document}:${line}:${column}`)) {
            messages.push(message(woven.document, line, column, 'error', 'undefined-chunk', `chunk \`${reference.name}\` is not defined`));
          }
        }
      }
    }
  }

  // Which outputs each chunk reached: the engine's per-output chunk list (`document#name`).
  const sortedOutputs = [...outputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const output of sortedOutputs) {
    targets.get(targetKey('file', output.document, output.path))?.outputs.push(output.path);
    for (const qualified of Object.keys(output.chunks)) {
      const target = targets.get(`chunk:${qualified}`);
      if (target && !target.outputs.includes(output.path)) target.outputs.push(output.path);
    }
  }
  return {
    documents: wovenDocuments,
    targets,
    outputs: sortedOutputs.map((output) => ({ output, page: tangledPageOf(output.path) })),
    messages,
    lookup,
    lookupKey: (name, from) => lookup(name, from)?.key,
  };
}

/** The part that produced a generated line, from the line's origin (the source maps' provenance). */
export function partOfOrigin(model: WeaveModel, origin: LineOrigin): WovenPart | undefined {
  if (origin.document === null) return undefined;
  let documents = partLines.get(model);
  if (!documents) {
    documents = new Map();
    partLines.set(model, documents);
  }
  let lines = documents.get(origin.document);
  if (!lines) {
    const parts = model.documents.find((d) => d.path === origin.document)?.parts ?? [];
    // Parts are in document order: each part's first line and the line after its last, ascending.
    const ends = parts.map((woven) => woven.part.line + (woven.part.value === '' ? 0 : woven.part.value.split('\n').length));
    lines = { parts, ends };
    documents.set(origin.document, lines);
  }
  // The first part that ends after the line (binary search), if the line is in it.
  let low = 0;
  let high = lines.ends.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (lines.ends[middle]! <= origin.line) low = middle + 1;
    else high = middle;
  }
  const woven = lines.parts[low];
  return woven && woven.part.line <= origin.line ? woven : undefined;
}
/**
 * Per model, per document: its parts and where each ends, to find the part of a line (a
 * sorted array, not a map of every line: 9 MB less for 1,000 documents).
 */
const partLines = new WeakMap<WeaveModel, Map<string, { parts: readonly WovenPart[]; ends: number[] }>>();

/** `§2.4`, `§2.4 and §5.1`, `§2.4, §3.1, and §5.1`: a list in a full sentence, Oxford comma. */
export function listInSentence(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, and ${items.at(-1)}`;
}

/** A place a page links to: a part's page, anchor and § number. */
export interface PlaceView {
  page: string;
  anchor: string;
  number: string;
}

/** One part as its page shows it (see `PageView`). */
export interface PartView {
  kind: 'chunk' | 'file';
  name: string;
  /** 0-based position among the parts of its chunk or file. */
  index: number;
  number: string;
  anchor: string;
  /** 1-based line of the opening fence in the document. */
  fenceLine: number;
  /** 1-based line of the part's first code line (tangled views map output lines to parts by it). */
  line: number;
  lang: string | null;
  /** The part's code, as the engine read it. */
  value: string;
  /** "Used in": the parts that reference this chunk (null for a file part). */
  usedIn: PlaceView[] | null;
  /** The next part of the same chunk or file, if any. */
  next: PlaceView | null;
  /** The other parts (for "Also defined in"; a later part lists all but itself and the next). */
  others: PlaceView[];
  /** Output paths this part's chunk was written to. */
  outputs: string[];
  /** For a file part: whether its output tangled (so it has a view to link to). */
  tangled: boolean;
  /** `<<name>>` lines and what they link to (`title`: `document:fenceLine`), null when undefined. */
  references: { index: number; indent: string; name: string; target: (PlaceView & { title: string }) | null }[];
}

/**
 * Everything a document's page shows, besides its own text: its number and page, and each
 * part with the § numbers, anchors and pages of the uses, parts, references and outputs it
 * links to. Plain JSON: it is what a render worker receives, and its JSON is the page's
 * cross-reference fingerprint (a page whose own text and view are unchanged renders to the
 * same HTML).
 */
export interface PageView {
  path: string;
  /** 1-based position in the site's document order. */
  number: number;
  page: string;
  parts: PartView[];
}

/** The page view of a document (see `PageView`). */
export function pageViewOf(doc: WovenDocument, model: WeaveModel): PageView {
  const page = (part: WovenPart) => model.documents[documentIndex(model, part.document)]!.page;
  const place = (part: WovenPart): PlaceView => ({ page: page(part), anchor: part.anchor, number: part.number });
  return {
    path: doc.path,
    number: doc.number,
    page: doc.page,
    parts: doc.parts.map((woven) => {
      const target = model.targets.get(woven.target)!;
      const next = target.parts[woven.index + 1];
      return {
        kind: woven.kind,
        name: woven.name,
        index: woven.index,
        number: woven.number,
        anchor: woven.anchor,
        fenceLine: woven.part.fenceLine,
        line: woven.part.line,
        lang: woven.part.lang,
        value: woven.part.value,
        usedIn: target.kind === 'file' ? null : target.uses.map(place),
        next: next ? place(next) : null,
        others: woven.index > 0 ? target.parts.filter((p) => p !== woven && p !== next).map(place) : [],
        outputs: target.outputs,
        tangled: target.outputs.length > 0,
        references: referencesOf(woven.part).map((reference) => {
          const first = model.lookup(reference.name, woven.document)?.parts[0];
          return { ...reference, target: first ? { ...place(first), title: `${first.document}:${first.part.fenceLine}` } : null };
        }),
      };
    }),
  };
}

/** The index of a document in the site order (cached per model). */
function documentIndex(model: WeaveModel, path: string): number {
  let index = documentIndexes.get(model);
  if (!index) {
    index = new Map(model.documents.map((d, i) => [d.path, i]));
    documentIndexes.set(model, index);
  }
  return index.get(path)!;
}
const documentIndexes = new WeakMap<WeaveModel, Map<string, number>>();

/**
 * A hash of what a document contributes to the site's cross-references, without positions or
 * code: its parts in document order, each with its kind, name and references. When every
 * document's outline and the document order are unchanged, so are every § number, anchor,
 * use, and the outputs each chunk reaches (only positions and code may differ). Once per
 * document object (collected documents are immutable).
 */
export function outlineOf(doc: CollectedDocument): string {
  let outline = outlines.get(doc);
  if (outline === undefined) {
    const parts: [number, string, string, string[]][] = [];
    for (const chunk of doc.chunks) for (const part of chunk.parts) parts.push([part.fenceLine, 'chunk', chunk.name, part.references.map((r) => r.text)]);
    for (const file of doc.files) for (const part of file.parts) parts.push([part.fenceLine, 'file', file.path, part.references.map((r) => r.text)]);
    parts.sort((a, b) => a[0] - b[0]);
    outline = createHash('sha256')
      .update(JSON.stringify(parts.map(([, ...rest]) => rest)))
      .digest('hex');
    outlines.set(doc, outline);
  }
  return outline;
}
const outlines = new WeakMap<CollectedDocument, string>();

/** The fence line of each chunk's first part: other pages show it (a reference's title). */
export function firstLinesOf(doc: CollectedDocument): string {
  return JSON.stringify(doc.chunks.map((chunk) => [chunk.name, chunk.parts[0]?.fenceLine]));
}

/** Documents whose pages reference the chunks of `path` (their uses), besides itself. */
export function referrersOf(model: WeaveModel, path: string): Set<string> {
  const referrers = new Set<string>();
  const doc = model.documents[documentIndex(model, path)];
  for (const woven of doc?.parts ?? []) for (const use of model.targets.get(woven.target)?.uses ?? []) referrers.add(use.document);
  referrers.delete(path);
  return referrers;
}

/**
 * The model of the next build when only positions and code changed (watch mode): every
 * document's outline and the document order are as in `model` (`outlineOf`), so its
 * numbers, anchors, uses and the outputs each chunk reaches still hold; the changed
 * documents' parts and the outputs are swapped in. Returns a new model sharing the
 * unchanged parts, or undefined when the documents do not line up (then build it anew).
 */
export function patchModel(model: WeaveModel, changed: readonly CollectedDocument[], outputs: readonly Output[]): WeaveModel | undefined {
  if (model.messages.length > 0) return undefined; // Located messages would move: rebuild.
  const documents = [...model.documents];
  const targets = new Map(model.targets);
  const replaced = new Map<WovenPart, WovenPart>();
  for (const doc of changed) {
    const at = documents.findIndex((d) => d.path === doc.path);
    if (at < 0) return undefined;
    const parts: { kind: 'chunk' | 'file'; name: string; part: Part }[] = [];
    for (const chunk of doc.chunks) for (const part of chunk.parts) parts.push({ kind: 'chunk', name: chunk.name, part });
    for (const file of doc.files) for (const part of file.parts) parts.push({ kind: 'file', name: file.path, part });
    parts.sort((a, b) => a.part.fenceLine - b.part.fenceLine);
    const old = documents[at]!;
    if (parts.length !== old.parts.length || parts.some((p, i) => p.kind !== old.parts[i]!.kind || p.name !== old.parts[i]!.name)) return undefined;
    const next = old.parts.map((woven, i) => ({ ...woven, part: parts[i]!.part }));
    old.parts.forEach((woven, i) => replaced.set(woven, next[i]!));
    documents[at] = { ...old, parts: next };
  }
  const swap = (woven: WovenPart) => replaced.get(woven) ?? woven;
  // Only the targets with a part or a use in a changed document change.
  const byDocument = targetsByDocument(model);
  for (const doc of changed) {
    for (const key of byDocument.get(doc.path) ?? []) {
      const target = targets.get(key)!;
      targets.set(key, { ...target, parts: target.parts.map(swap), uses: target.uses.map(swap) });
    }
  }
  const inOrder = outputs.length === model.outputs.length && outputs.every((o, i) => o.path === model.outputs[i]!.output.path);
  const sortedOutputs = inOrder ? outputs : [...outputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (sortedOutputs.length !== model.outputs.length || sortedOutputs.some((o, i) => o.path !== model.outputs[i]!.output.path)) return undefined;
  const patched: WeaveModel = {
    documents,
    targets,
    outputs: sortedOutputs.map((output) => ({ output, page: tangledPageOf(output.path) })),
    messages: [],
    lookup: (name, from) => {
      const key = model.lookupKey(name, from);
      return key === undefined ? undefined : targets.get(key);
    },
    lookupKey: model.lookupKey,
  };
  // Same keys, same documents: the index holds for the patched model too.
  documentTargets.set(patched, byDocument);
  return patched;
}

/** The keys of the targets with a part or a use in each document (once per model, and passed on to its patches). */
function targetsByDocument(model: WeaveModel): Map<string, string[]> {
  let index = documentTargets.get(model);
  if (!index) {
    index = new Map();
    for (const [key, target] of model.targets) {
      for (const document of new Set([...target.parts, ...target.uses].map((p) => p.document))) {
        const keys = index.get(document);
        if (keys) keys.push(key);
        else index.set(document, [key]);
      }
    }
    documentTargets.set(model, index);
  }
  return index;
}
const documentTargets = new WeakMap<WeaveModel, Map<string, string[]>>();
