/**
 * Render many documents, in worker threads when there are enough of them.
 *
 * Rendering is the cost of a weave (parsing the prose with remark and tokenizing the code
 * with the TextMate grammars: about 30 ms of CPU for a 17 KB document), and each document
 * renders alone from its text and its page view (`renderDocument` is pure), so documents
 * are spread over one worker per core, at most 4. Each worker has at most two documents in
 * flight and gets the next one in site order as it finishes one, so a slow document never
 * holds up the others, and results arrive roughly in site order: the caller lays pages out
 * and writes them as they come, and never holds every page at once. This thread does not
 * render too: it lays out and writes, and a heap that renders in bulk grows large before
 * it is collected (measured: this thread plus one worker peaked at 856 MB on 1,000
 * documents, two workers at 622 MB, and took twice the wall time).
 *
 * Few documents (a watch's edit) render in this thread: starting a worker and loading shiki
 * and remark costs more than they do, and this thread keeps its highlighter and its cache
 * of highlighted blocks between rebuilds. Workers run only from the compiled engine
 * (`lib/`): Node 20 cannot start a `.ts` file as a worker, so under the tests' TypeScript
 * sources everything renders in this thread (the same function, the same output).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PageView } from './model.js';
import { renderDocument, type RenderedDocument, type RenderOptions } from './render.js';

/** Messages to a render worker. */
export type RenderRequest =
  /** The site's document paths, sent once before the documents. */
  | { type: 'site'; documents: string[] }
  | { type: 'render'; id: number; text: string; view: PageView; options: RenderOptions };

/** A render worker's answer to one document. */
export type RenderReply = { id: number; rendered: RenderedDocument } | { id: number; error: string };

/** Fewer documents than this render in this thread. */
const WORKER_THRESHOLD = 8;
/**
 * A worker's heap limit, in megabytes. Rendering one document needs a few megabytes; without
 * a limit V8 lets each thread's heap grow far past that before collecting (a cold weave of
 * 1,000 documents peaked at 970 MB RSS). Lower limits cost more than they save: at 96 MB
 * the collector ran so often that the same weave took 77 s of CPU instead of 46–64 s.
 */
const WORKER_HEAP_MB = 256;
/** Documents sent to a worker before it answers one. */
const IN_FLIGHT = 2;

/**
 * Render `items` (in site order); `onRendered` is called once per item, in completion order,
 * and may return a promise (the next results wait for it). `items[i].view()` makes the
 * item's page view when it is sent (views are not all held at once).
 */
export async function renderMany(
  items: readonly { text: string; view: () => PageView }[],
  documents: readonly string[],
  options: RenderOptions,
  onRendered: (index: number, rendered: RenderedDocument) => void | Promise<void>,
): Promise<void> {
  const paths = new Set(documents);
  const compiled = import.meta.url.endsWith('.js');
  const lanes = Math.min(4, availableParallelism(), Math.ceil(items.length / WORKER_THRESHOLD));
  if (!compiled || lanes <= 1) {
    for (let i = 0; i < items.length; i++) await onRendered(i, await renderDocument(items[i]!.text, items[i]!.view(), paths, options));
    return;
  }
  const workers = Array.from({ length: lanes }, () => new Worker(new URL('./render-worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } }));
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
      const deliver = (id: number, rendered: RenderedDocument) => {
        callbacks = callbacks.then(() => onRendered(id, rendered)).then(() => {
          if (++finished === items.length) resolve();
        }, fail);
        return callbacks;
      };
      const send = (worker: Worker) => {
        if (next >= items.length || failed) return;
        const id = next++;
        worker.postMessage({ type: 'render', id, text: items[id]!.text, view: items[id]!.view(), options } satisfies RenderRequest);
      };
      for (const worker of workers) {
        worker.on('message', (reply: RenderReply) => {
          if ('error' in reply) return fail(new Error(`rendering a document failed: ${reply.error}`));
          send(worker);
          void deliver(reply.id, reply.rendered);
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (finished < items.length) fail(new Error(`a render worker stopped (exit code ${code})`));
        });
        worker.postMessage({ type: 'site', documents: [...documents] } satisfies RenderRequest);
        for (let k = 0; k < IN_FLIGHT; k++) send(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
