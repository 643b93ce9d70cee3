/**
 * A large cold weave in a worker thread with a bounded heap.
 *
 * Measured on the 1,000-document bench corpus (18 MB of sources): weaving in the main
 * thread, V8 let that thread's heap grow to two or three times what was live (130 MB live,
 * 250–490 MB of heap), and the process peaked at 600–850 MB. The same weave in a worker
 * whose old generation was limited to 176 MB peaked at 400 MB, in 29 s instead of 22 s (the
 * collector works harder). Once the weave held less (no engine memo, outputs emptied once
 * their views are written), a limit of 144 MB, with the render worker's at 160, peaked at
 * 348–364 MiB. The limit follows the sources (`HEAP_MB_PER_SOURCE_MB`), and a
 * weave that still runs out of heap there is done again in the main thread: the limit
 * bounds memory, it never fails a weave.
 *
 * Only a weave that writes a site and keeps nothing (no memo, no `check`, `write` not false)
 * moves, and only from the compiled engine (`lib/`: Node 20 cannot start a `.ts` worker).
 * `WEFT_WEAVE_WORKER=0` keeps every weave in the calling thread, `=1` moves every eligible
 * one whatever its size; `WEFT_WEAVE_HEAP_MB` sets the limit.
 */
import { statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { isMainThread, Worker } from 'node:worker_threads';
import { loadConfig } from '../config.js';
import { findSources } from '../read.js';
import type { WeaveOptions, WeaveResult, WovenFile } from './index.js';

/** Sources smaller than this (in bytes, all documents together) weave in the calling thread. */
const LARGE_SITE_BYTES = 8_000_000;
/**
 * Heap limit per megabyte of sources: 1,000 bench documents (18 MB) hold about 100 MB right
 * after tangling, their most (the outputs' texts and origins, dropped as their views are
 * written, and the texts, dropped as they are rendered), and 55 MB late in the weave.
 */
const HEAP_MB_PER_SOURCE_MB = 8;
/** The least heap limit, in megabytes. */
const MIN_HEAP_MB = 144;
/** The worker's young generation, in megabytes (small: the old generation's limit is the point). */
const YOUNG_MB = 12;

/** What the worker is given: the options that are plain data. */
export type WorkerOptions = Pick<WeaveOptions, 'root' | 'out' | 'cache' | 'writeOnError'>;

/** Messages from the weave worker. */
export type WeaveWorkerMessage = { type: 'file'; file: WovenFile } | { type: 'result'; result: Omit<WeaveResult, 'site'> };

/** The heap limit (MB) to weave these options in a worker with, or undefined to weave in this thread. */
export async function heapLimitFor(options: WeaveOptions): Promise<number | undefined> {
  const mode = process.env.WEFT_WEAVE_WORKER;
  if (mode === '0' || !isMainThread || !import.meta.url.endsWith('.js')) return undefined;
  if (options.memo || options.check || options.write === false || options.onSiteWritten) return undefined;
  const root = resolvePath(options.root ?? process.cwd());
  const bytes = mode === '1' ? LARGE_SITE_BYTES : await sourceBytes(root);
  if (bytes < LARGE_SITE_BYTES) return undefined;
  const asked = Number.parseInt(process.env.WEFT_WEAVE_HEAP_MB ?? '', 10);
  return Number.isInteger(asked) && asked > 0 ? asked : Math.max(MIN_HEAP_MB, Math.ceil((bytes / 1e6) * HEAP_MB_PER_SOURCE_MB));
}

/** The total size of the project's sources, in bytes (0 when the config cannot be read: the weave reports that). */
async function sourceBytes(root: string): Promise<number> {
  const { config } = loadConfig(root);
  if (!config) return 0;
  let total = 0;
  for (const path of await findSources(root, config.sources)) {
    try {
      total += statSync(join(root, path)).size;
    } catch {
      // Gone since the search: the weave will say so.
    }
  }
  return total;
}

/**
 * Weave in a worker whose old generation is limited to `heapMb`; undefined if it ran out of
 * heap there (the caller weaves in its own thread then, and `onFile` hears again of the
 * files the worker had written). Files are reported through `options.onFile` as the worker
 * writes them.
 */
export async function weaveInWorker(options: WeaveOptions, heapMb: number): Promise<WeaveResult | undefined> {
  const workerOptions: WorkerOptions = { root: resolvePath(options.root ?? process.cwd()), out: options.out, cache: options.cache, writeOnError: options.writeOnError };
  const worker = new Worker(new URL('./weave-worker.js', import.meta.url), {
    workerData: workerOptions,
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: YOUNG_MB },
  });
  try {
    return await new Promise<WeaveResult | undefined>((resolve, reject) => {
      let result: WeaveResult | undefined;
      worker.on('message', (message: WeaveWorkerMessage) => {
        if (message.type === 'file') options.onFile?.(message.file);
        else result = { ...message.result, site: new Map() };
      });
      worker.on('error', (error: Error & { code?: string }) => (error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? resolve(undefined) : reject(error)));
      worker.on('exit', (code) => (result ? resolve(result) : reject(new Error(`the weave worker stopped (exit code ${code})`))));
    });
  } finally {
    await worker.terminate();
  }
}
