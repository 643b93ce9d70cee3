/**
 * The weave worker (see bounded-weave.ts): weaves the project it is given, in this thread,
 * and posts each file as it is written, then the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WeaveWorkerMessage, WorkerOptions } from './bounded-weave.js';
import { weaveHere } from './index.js';

const options = workerData as WorkerOptions;
const post = (message: WeaveWorkerMessage) => parentPort!.postMessage(message);
const { site: _site, ...result } = await weaveHere({ ...options, onFile: (file) => post({ type: 'file', file }) });
post({ type: 'result', result });
