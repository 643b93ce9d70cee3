/**
 * Worker thread entry: for each job (a list of texts) posted by `parse-pool.ts`, parse
 * the texts with remark, in order, and post each one's blocks as soon as it is done.
 * The pool times each document from the previous report and terminates this thread
 * when one takes too long; between jobs the thread waits, remark already loaded.
 */
import { parentPort } from 'node:worker_threads';
import { remarkBlocks } from './parse.js';
import type { WorkerReport } from './parse-pool.js';

const post = (report: WorkerReport) => parentPort!.postMessage(report);
parentPort!.on('message', (texts: string[]) => {
  post({ ready: true });
  texts.forEach((text, index) => post({ index, blocks: remarkBlocks(text) }));
});
