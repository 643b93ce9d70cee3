/**
 * Worker thread entry: parse the texts in `workerData` with remark and post back their
 * blocks, in order. Started by `parse-pool.ts`; has no other job.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { remarkBlocks } from './parse.js';

const texts = workerData as string[];
parentPort!.postMessage(texts.map((text) => remarkBlocks(text)));
