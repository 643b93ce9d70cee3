/**
 * Parse many documents; give remark a time and memory budget.
 *
 * The line scanner (`scan.ts`) reads most documents in microseconds on the main thread.
 * The rest need remark, which is slow (0.1–1 MB/s) and super-linear on some ordinary
 * shapes under the size and nesting caps of `scan.ts` (measured: a 60 KB list item of
 * hard line breaks 11.8 s and quadratic; lists cycling 0–30 deep, 262 KB, past 90 s and
 * 566 MB; 30,000 link reference definitions 16 s and 629 MB, before the scanner read
 * definitions itself). So every document that
 * needs remark is parsed in a worker thread with `resourceLimits` (its heap) and a
 * timer (its time): past either, the worker is terminated and the document is refused
 * with `document-too-complex`, located at the first line the scanner could not read.
 * A run or a watch never waits on remark for longer than the budget (plus the
 * terminate, a few milliseconds), however the document is shaped.
 *
 * Work is spread over up to 4 workers (one per core); each reads its queue in order and
 * reports each document as it finishes, so the timer is per document and a refused
 * document costs only itself (the rest of its queue goes to a fresh worker). Results
 * are returned in input order, so the outcome is the same however the work was split.
 * Up to 2 workers are kept idle between parses (unref'd), so a watch pays for starting
 * a worker and loading remark once, not on every edit (measured on a busy 2-core
 * machine: about 600 ms for the first small document, 4–14 ms for the next ones).
 *
 * A refusal depends on the machine's speed as well as the document: a document that
 * parses in just under the budget on one machine may be refused on a slower or busier
 * one. The budget is set far above what real documents need (typical ones parse in
 * milliseconds) so that only pathological shapes meet it.
 *
 * Workers are used only from the compiled engine (`lib/`): Node 20 cannot load a `.ts`
 * file as a worker, so when the engine runs from its sources (the tests), remark runs in
 * this thread with the static caps of `scan.ts` only. `test/parse-budget.test.ts`
 * checks the budget against the compiled engine.
 *
 * Rejected: a budget on the main thread (micromark cannot be interrupted: a hung parse
 * blocks the timer too); a child process per document (tens of milliseconds more to
 * start than a worker, and the result must be serialised anyway).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parsedDocument } from './fence-checks.js';
import { message } from './messages.js';
import { scanDocument, tooComplexForRemark } from './scan.js';
import type { SourceText } from './read.js';
import type { Block, ParsedDocument } from './types.js';

/** How long and how much memory remark may spend on one document. */
export interface ParseBudget {
  /** Milliseconds remark may spend on one document before it is refused. @default 3000 */
  timeMs?: number;
  /** Megabytes of heap (V8 old generation) a parsing worker may use. @default 256 */
  memoryMb?: number;
}

/** The budget a build gives remark when none is passed. */
export const DEFAULT_PARSE_BUDGET: Required<ParseBudget> = Object.freeze({ timeMs: 3000, memoryMb: 256 });

export interface ParseManyOptions {
  /** Time and memory remark may spend per document (compiled engine only). @default DEFAULT_PARSE_BUDGET */
  budget?: ParseBudget;
  /** Most worker threads at once. @default the number of cores, at most 4 */
  workers?: number;
}

/** What a worker posts for a job (a list of texts): it has started on it, then the blocks of each text at `index`. */
export type WorkerReport = { ready: true } | { index: number; blocks: Block[] };

export async function parseMany(sources: readonly SourceText[], options: ParseManyOptions = {}): Promise<ParsedDocument[]> {
  const budget = { ...DEFAULT_PARSE_BUDGET, ...options.budget };
  const results: ParsedDocument[] = new Array(sources.length);
  const slow: { index: number; stop: { line: number; reason: string } }[] = [];
  sources.forEach((source, index) => {
    const scanned = scanDocument(source.text);
    if ('blocks' in scanned) results[index] = parsedDocument(source, scanned.blocks, 'scanner');
    else {
      const tooComplex = tooComplexForRemark(source);
      if (tooComplex) results[index] = { path: source.path, hash: source.hash, blocks: [], messages: [...source.messages, tooComplex], reader: 'remark' };
      else slow.push({ index, stop: scanned });
    }
  });
  if (slow.length === 0) return results;
  if (!import.meta.url.endsWith('.js')) {
    // remark is loaded only when a document needs it (most are read by the scanner).
    const { remarkBlocks } = await import('./parse.js');
    for (const { index } of slow) results[index] = parsedDocument(sources[index]!, remarkBlocks(sources[index]!.text), 'remark');
    return results;
  }
  const count = Math.max(1, Math.min(options.workers ?? Math.min(4, availableParallelism()), slow.length));
  const queues: (typeof slow)[] = Array.from({ length: count }, () => []);
  // Largest documents first, each to the least loaded worker.
  const loads = new Array<number>(count).fill(0);
  for (const item of [...slow].sort((a, b) => sources[b.index]!.text.length - sources[a.index]!.text.length)) {
    const target = loads.indexOf(Math.min(...loads));
    queues[target]!.push(item);
    loads[target]! += sources[item.index]!.text.length;
  }
  await Promise.all(
    queues.map(async (queue) => {
      let rest = queue;
      while (rest.length > 0) {
        const outcome = await parseInWorker(rest.map((item) => sources[item.index]!.text), budget);
        outcome.done.forEach((blocks, k) => {
          results[rest[k]!.index] = parsedDocument(sources[rest[k]!.index]!, blocks, 'remark');
        });
        if (!outcome.refused) break;
        const { index, stop } = rest[outcome.done.length]!;
        results[index] = refused(sources[index]!, stop, outcome.refused, budget);
        rest = rest.slice(outcome.done.length + 1);
      }
    }),
  );
  return results;
}

/**
 * Workers that finished their last job, kept for the next parse (a watch re-parses one
 * document per edit; starting a worker and loading remark costs more than the parse).
 * They are `unref`'d, so they never keep the process alive, and hold no state between
 * jobs. A worker that was terminated, ran out of memory or failed is never kept.
 */
const idleWorkers: Worker[] = [];
/** Most idle workers kept. */
const MAX_IDLE_WORKERS = 2;

function takeWorker(budget: Required<ParseBudget>): Worker {
  // A kept worker has the memory limit it was started with: reuse only a matching one.
  const index = idleWorkers.findIndex((worker) => limitOf.get(worker) === budget.memoryMb);
  if (index >= 0) {
    const [worker] = idleWorkers.splice(index, 1);
    worker!.ref();
    return worker!;
  }
  const worker = new Worker(new URL('./parse-worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: budget.memoryMb } });
  limitOf.set(worker, budget.memoryMb);
  // A kept worker that dies (it should not) is simply forgotten.
  worker.once('exit', () => {
    const index = idleWorkers.indexOf(worker);
    if (index >= 0) idleWorkers.splice(index, 1);
  });
  return worker;
}
const limitOf = new WeakMap<Worker, number>();

function keepWorker(worker: Worker): void {
  if (idleWorkers.length >= MAX_IDLE_WORKERS) {
    void worker.terminate();
    return;
  }
  worker.unref();
  idleWorkers.push(worker);
}

/**
 * Parse `texts` in order in one worker until one of them exceeds the budget: the blocks
 * of the documents done, and why the next one was refused, if one was.
 */
function parseInWorker(texts: string[], budget: Required<ParseBudget>): Promise<{ done: Block[][]; refused?: 'time' | 'memory' }> {
  return new Promise((resolve, reject) => {
    const done: Block[][] = [];
    const worker = takeWorker(budget);
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const detach = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const finish = (refused?: 'time' | 'memory') => {
      if (settled) return;
      settled = true;
      detach();
      // Terminating interrupts remark wherever it is; the result does not wait for the thread to wind down.
      if (refused) void worker.terminate();
      else keepWorker(worker);
      resolve(refused ? { done, refused } : { done });
    };
    const startClock = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish('time'), budget.timeMs);
    };
    const onMessage = (report: WorkerReport) => {
      if ('index' in report) done.push(report.blocks);
      if (done.length === texts.length) finish();
      else startClock();
    };
    const onError = (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') return finish('memory');
      if (settled) return;
      settled = true;
      detach();
      void worker.terminate();
      reject(error);
    };
    // A worker that ends without reporting every document ran out of something.
    const onExit = () => finish('memory');
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(texts);
  });
}

function refused(source: SourceText, stop: { line: number; reason: string }, why: 'time' | 'memory', budget: Required<ParseBudget>): ParsedDocument {
  const text =
    why === 'time'
      ? `the full Markdown parser did not finish this document within ${budget.timeMs} ms`
      : `the full Markdown parser needed more than ${budget.memoryMb} MB for this document`;
  return {
    path: source.path,
    hash: source.hash,
    blocks: [],
    messages: [
      ...source.messages,
      message(source.path, stop.line, 1, 'error', 'document-too-complex', text, [
        `line ${stop.line} is the first that the fast reader cannot read (${stop.reason}), so the document needs the full parser`,
        'long list items with many hard line breaks, lists nested many levels deep and thousands of link reference definitions are slow to parse; split the document, or move its fenced code out of lists, quotes and HTML',
      ]),
    ],
    reader: 'remark',
  };
}
