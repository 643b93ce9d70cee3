/**
 * `weave(options)`, the entry point: decides where a weave runs (`bounded-weave.ts`: a large
 * cold weave in a worker with a bounded heap) and loads the weaver (`index.ts`) only in the
 * thread that weaves, so that a process whose weave runs in a worker does not also hold the
 * weaver's modules (about 17 MB).
 */
import type { WeaveOptions, WeaveResult } from './index.js';

/** Weave a project folder: read, build, check, write (see `weaveHere` in index.ts). */
export async function weave(options: WeaveOptions = {}): Promise<WeaveResult> {
  const bounded = await import('./bounded-weave.js');
  const limit = await bounded.heapLimitFor(options);
  if (limit !== undefined) {
    const result = await bounded.weaveInWorker(options, limit);
    if (result) return result;
  }
  return (await import('./index.js')).weaveHere(options);
}
