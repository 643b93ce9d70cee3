/**
 * Worker thread entry: parse the texts in `workerData` with remark, in order, and post
 * each one's blocks as soon as it is done (`parse-pool.ts` times each document from the
 * previous report, and terminates this thread when one takes too long). Has no other job.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { remarkBlocks } from './parse.js';
import type { WorkerReport } from './parse-pool.js';

const texts = workerData as string[];
const post = (report: WorkerReport) => parentPort!.postMessage(report);
post({ ready: true });
texts.forEach((text, index) => post({ index, blocks: remarkBlocks(text) }));
