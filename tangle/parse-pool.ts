/**
 * Parse many documents, in worker threads when it pays.
 *
 * The line scanner (`scan.ts`) reads most documents in microseconds on the main thread.
 * The rest need remark, which is slow (0.1–1 MB/s); when there is enough of that work,
 * it is spread over worker threads (one per core, at most 4). Results are returned in
 * input order, so the outcome is the same however the work was split.
 *
 * Workers are used only from the compiled engine (`lib/`): a `.ts` source file cannot be
 * loaded as a worker by Node 20, and tests that import the sources parse in-process.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { scanBlocks, tooComplexForRemark } from './scan.js';
import type { SourceText } from './read.js';
import type { Block, ParsedDocument } from './types.js';

/** Below this many bytes of remark work, a worker's start-up costs more than it saves. */
const WORKER_THRESHOLD_BYTES = 256 * 1024;

export async function parseMany(sources: readonly SourceText[]): Promise<ParsedDocument[]> {
  const results: ParsedDocument[] = new Array(sources.length);
  const slow: number[] = [];
  sources.forEach((source, index) => {
    const blocks = scanBlocks(source.text);
    if (blocks) results[index] = { path: source.path, hash: source.hash, blocks, messages: source.messages, reader: 'scanner' };
    else {
      const tooComplex = tooComplexForRemark(source);
      if (tooComplex) results[index] = { path: source.path, hash: source.hash, blocks: [], messages: [...source.messages, tooComplex], reader: 'remark' };
      else slow.push(index);
    }
  });
  const slowBytes = slow.reduce((sum, i) => sum + sources[i]!.text.length, 0);
  const workerFile = new URL('./parse-worker.js', import.meta.url);
  const canUseWorkers = import.meta.url.endsWith('.js') && slow.length > 1 && slowBytes >= WORKER_THRESHOLD_BYTES;
  if (!canUseWorkers) {
    if (slow.length === 0) return results;
    // remark is loaded only when a document needs it (most are read by the scanner).
    const { remarkBlocks } = await import('./parse.js');
    for (const index of slow) {
      const source = sources[index]!;
      results[index] = { path: source.path, hash: source.hash, blocks: remarkBlocks(source.text), messages: source.messages, reader: 'remark' };
    }
    return results;
  }
  const count = Math.min(4, Math.max(1, availableParallelism()), slow.length);
  const queues: number[][] = Array.from({ length: count }, () => []);
  // Largest documents first, each to the least loaded worker.
  const loads = new Array(count).fill(0);
  for (const index of [...slow].sort((a, b) => sources[b]!.text.length - sources[a]!.text.length)) {
    const target = loads.indexOf(Math.min(...loads));
    queues[target]!.push(index);
    loads[target] += sources[index]!.text.length;
  }
  await Promise.all(
    queues.map(
      (queue) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(workerFile, { workerData: queue.map((i) => sources[i]!.text) });
          worker.once('message', (blocks: Block[][]) => {
            blocks.forEach((b, k) => {
              const source = sources[queue[k]!]!;
              results[queue[k]!] = { path: source.path, hash: source.hash, blocks: b, messages: source.messages, reader: 'remark' };
            });
            void worker.terminate();
            resolve();
          });
          worker.once('error', reject);
        }),
    ),
  );
  return results;
}

