/**
 * Render many documents, in a worker thread when there are enough of them.
 *
 * Rendering is the cost of a weave (parsing the prose with remark and tokenizing the code
 * with the TextMate grammars: about 30 ms of CPU for a 17 KB document), and each document
 * renders alone from its text and its page view (`renderDocument` is pure), so it can
 * happen in another thread while this one lays pages out and writes them. Each worker has
 * at most two documents in flight and gets the next one in site order as it finishes one,
 * so results arrive in site order: the caller lays pages out and writes them as they come,
 * and never holds every page at once.
 *
 * One worker, not one per core. Measured on the 2-core machine this project is built on
 * (100 bench documents): two rendering threads each ran at about half the speed of one
 * alone (remark's parser slows down 65–70 % when another thread or process parses at the
 * same time there), each paid the start-up (loading shiki, KaTeX and remark, compiling the
 * grammar: about 0.9 s) again, and each held its own heap; one worker beside this thread,
 * which lays out and writes, was as fast and peaked 120 MB lower. `WEFT_RENDER_WORKERS`
 * overrides the count (0 renders in this thread).
 *
 * A cold weave starts the worker (`prepare`) before it tangles, so that loading the
 * renderer overlaps the engine's work. Few documents render in this thread (starting a
 * worker costs more than they do), except in a watch of a project large enough for a worker:
 * there the worker is started once, warmed, and kept (`new RenderPool(true)`), and renders
 * each edit's pages, at about twice the speed of this thread, whose heap holds the project.
 * Workers run only from the compiled engine (`lib/`): Node 20 cannot start a `.ts` file as
 * a worker, so under the tests' TypeScript sources everything renders in this thread (the
 * same function, the same output). The renderer is imported only when this thread renders.
 */
import { Worker } from 'node:worker_threads';
import { scanBlocks } from '../scan.js';
import type { PageView } from './model.js';
import type { RenderedDocument, RenderOptions } from './render.js';

/** Messages to a render worker. */
export type RenderRequest =
  /**
   * Load the renderer, the themes and these languages' grammars now, and highlight the
   * samples (code by fence language) once: a grammar compiles its patterns on first use.
   */
  | {
      type: 'prepare';
      options: RenderOptions;
      samples: [lang: string, code: string][];
      /** Keep highlighted blocks between documents (a pool kept for a watch). */
      keep: boolean;
      /** Documents to parse a few times, so that the parser is compiled and optimised before the first render. */
      warm: string[];
    }
  /** The site's document paths, sent once before the documents. */
  | { type: 'site'; documents: string[] }
  | { type: 'render'; id: number; text: string; view: PageView; options: RenderOptions };

/** A render worker's answer to one document. */
export type RenderReply = { id: number; rendered: RenderedDocument } | { id: number; error: string };

/** A document to render: its text, and its page view, made when it is sent (views are not all held at once). */
export interface RenderItem {
  text: string;
  view: () => PageView;
}

/** Fewer documents than this render in this thread. */
const WORKER_THRESHOLD = 8;
/**
 * A worker's heap limit (old generation), in megabytes: `KEPT_WORKER_HEAP_MB` for a watch's
 * worker, `WORKER_HEAP_MB` for one weave's. Rendering one document needs a few megabytes
 * (a worker's live heap is about 26 MB); without a limit V8 lets each thread's heap grow far
 * past that before collecting (a cold weave of 1,000 documents peaked at 970 MB RSS), and
 * with a higher limit it lets the heap grow further before collecting. At 96 MB the
 * collector ran so often that the same weave took 77 s of CPU instead of 46–64 s; at 160
 * (with the weaving worker at 144, bounded-weave.ts) the 1,000-document weave peaked at
 * 348–364 MiB in 23.6–24.6 s, against 350–408 MiB in 21.5–22.7 s at 256.
 */
const WORKER_HEAP_MB = 160;
const KEPT_WORKER_HEAP_MB = 256;
/**
 * A worker's young generation, in megabytes. Rendering allocates many short-lived objects
 * (remark's tokens and trees): V8's default (48 MB here) collected so often that a
 * collection took 13 % of the render; at 64 MB a cold weave of 100 documents took about
 * 0.3 s less, for 40 MB more peak memory.
 */
const WORKER_YOUNG_MB = 64;
/**
 * Documents a kept worker (a watch's) parses three times each when it starts. V8 optimises
 * the Markdown parser only after many runs: a watch's worker parsed an edited 17 KB
 * document in 27 ms after 40 edits, and in 11 ms once warm.
 */
const WARM_DOCUMENTS = 8;
/** Documents sent to a worker before it answers one. */
const IN_FLIGHT = 2;

/** Code to warm the grammars with, by fence language: the fenced code of the first documents, about 40,000 characters in all. */
export function codeSamples(texts: readonly string[]): [string, string][] {
  const samples = new Map<string, string>();
  let size = 0;
  for (const text of texts) {
    for (const block of scanBlocks(text) ?? []) {
      const lang = (block.lang ?? '').toLowerCase();
      if (lang === '') continue;
      samples.set(lang, `${samples.get(lang) ?? ''}${block.value}\n`);
      size += block.value.length;
    }
    if (size > 40_000) break;
  }
  return [...samples];
}

/** A worker event's listener. */
type Listener = Parameters<Worker['on']>[1];

/** How many workers render (see the module comment). */
function workerCount(): number {
  const asked = Number.parseInt(process.env.WEFT_RENDER_WORKERS ?? '', 10);
  return Number.isInteger(asked) && asked >= 0 ? Math.min(asked, 8) : 1;
}

/** Render workers, started on demand or ahead of time, kept for one weave. */
export class RenderPool {
  private workers: Worker[] | undefined;
  private readonly compiled = import.meta.url.endsWith('.js');

  /**
   * @param kept The pool outlives one weave (a watch): its workers are kept until `close`,
   * never keep the process alive, and render every document, even one alone (a warm worker
   * renders one in half the time this thread does, whose heap holds the whole project).
   */
  constructor(private readonly kept = false) {}

  /**
   * Start the workers now when `count` documents will render: they load the renderer, the
   * themes and the grammars of the code in these texts while this thread tangles.
   */
  prepare(count: number, options: RenderOptions, texts: readonly string[] = []): void {
    if (this.workers || !this.compiled || count < WORKER_THRESHOLD || workerCount() === 0) return;
    const samples = codeSamples(texts);
    const warm = this.kept ? texts.slice(0, WARM_DOCUMENTS) : [];
    this.workers = Array.from({ length: workerCount() }, () => {
      const worker = new Worker(new URL('./render-worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: this.kept ? KEPT_WORKER_HEAP_MB : WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
      worker.postMessage({ type: 'prepare', options, samples, keep: this.kept, warm } satisfies RenderRequest);
      if (this.kept) worker.unref();
      return worker;
    });
  }

  /**
   * Render `items` (in site order); `onRendered` is called once per item, in completion
   * order, and may return a promise (the next results wait for it).
   */
  async render(
    items: readonly RenderItem[],
    documents: readonly string[],
    options: RenderOptions,
    onRendered: (index: number, rendered: RenderedDocument) => void | Promise<void>,
  ): Promise<void> {
    if (items.length === 0) return;
    if (items.length >= WORKER_THRESHOLD) this.prepare(items.length, options);
    const workers = this.workers;
    if (!workers || (items.length < WORKER_THRESHOLD && !this.kept)) {
      const { renderDocument } = await import('./render.js');
      const paths = new Set(documents);
      for (let i = 0; i < items.length; i++) await onRendered(i, await renderDocument(items[i]!.text, items[i]!.view(), paths, options));
      return;
    }
    const attached: { worker: Worker; event: 'message' | 'error' | 'exit'; listener: Listener }[] = [];
    if (this.kept) for (const worker of workers) worker.ref();
    try {
      await new Promise<void>((resolve, reject) => {
        let next = 0;
        let finished = 0;
        let failed = false;
        let callbacks = Promise.resolve();
        const fail = (error: unknown) => {
          if (failed) return;
          failed = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        };
        const send = (worker: Worker) => {
          if (next >= items.length || failed) return;
          const id = next++;
          worker.postMessage({ type: 'render', id, text: items[id]!.text, view: items[id]!.view(), options } satisfies RenderRequest);
        };
        const on = (worker: Worker, event: 'message' | 'error' | 'exit', listener: Listener) => {
          worker.on(event, listener);
          attached.push({ worker, event, listener });
        };
        for (const worker of workers) {
          on(worker, 'message', (reply: RenderReply) => {
            if ('error' in reply) return fail(new Error(`rendering a document failed: ${reply.error}`));
            send(worker);
            callbacks = callbacks.then(() => onRendered(reply.id, reply.rendered)).then(() => {
              if (++finished === items.length) resolve();
            }, fail);
          });
          on(worker, 'error', fail);
          on(worker, 'exit', (code: number) => fail(new Error(`a render worker stopped (exit code ${code})`)));
          worker.postMessage({ type: 'site', documents: [...documents] } satisfies RenderRequest);
          for (let k = 0; k < IN_FLIGHT; k++) send(worker);
        }
      });
    } catch (error) {
      // A worker that failed is not used again: the next weave starts another or renders here.
      await this.close();
      throw error;
    } finally {
      for (const { worker, event, listener } of attached) worker.off(event, listener);
      if (this.kept) for (const worker of workers) worker.unref();
    }
  }

  /** Whether workers are running (prepared, or started by a render). */
  get started(): boolean {
    return this.workers !== undefined;
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
