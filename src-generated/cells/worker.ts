// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// inWorker: each incarnation of a cell runs in its own worker thread — its own V8 isolate, heap and
// event loop — behind the same CellTransport as in process. A restart is a new worker, so it starts
// with a fresh heap. A forced stop terminates the worker, which is how a handler stuck in a
// synchronous loop is actually stopped. The parent never decodes bodies; it relays JSON text.

import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Envelope, Outbox, UntypedCell } from './cell.js';
import type { CellTransport, TransportFactory } from './transport.js';
import type { FromWorker, ToWorker, WorkerData } from './worker-protocol.js';

/** Where and how to run a cell in a worker thread. */
export interface WorkerPlacement {
  /** The JavaScript module the worker runs; it must call `serveCellInWorker` with this cell among its cells. */
  readonly script: URL | string;
  /** V8 heap limits for the worker, in MiB: the only per-cell memory limit Node enforces. @default Node's defaults */
  readonly resourceLimits?: ResourceLimits;
  /** The worker's `process.env`. @default a copy of the parent's */
  readonly env?: Readonly<Record<string, string>>;
  /** How long the worker may take to start the cell, in milliseconds. @default 10000 */
  readonly startTimeoutMs?: number;
  /** How long a graceful stop waits for the cell's `stop`, in milliseconds, before terminating. @default 2000 */
  readonly stopTimeoutMs?: number;
}

/** Run the cell in a worker thread running `placement.script`. */
export function inWorker(placement: WorkerPlacement): TransportFactory {
  return (cell) => new WorkerTransport(cell, placement);
}

/** One worker, from creation to exit. */
interface WorkerLife {
  readonly worker: Worker;
  started: boolean;
  ended: boolean;
  /** Set by `stop`, so the exit it causes is not reported as a death. */
  stopping: boolean;
  readonly pending: Map<number, { resolve: (body: string) => void; reject: (error: Error) => void }>;
  stopped?: () => void;
}

class WorkerTransport implements CellTransport {
  readonly placement = 'worker';
  readonly #cell: UntypedCell;
  readonly #options: WorkerPlacement;
  #life: WorkerLife | undefined;
  #nextId = 0;

  constructor(cell: UntypedCell, options: WorkerPlacement) {
    this.#cell = cell;
    this.#options = options;
  }

  start(outbox: Outbox, died: (reason: string) => void): Promise<void> {
    const { script, resourceLimits, env, startTimeoutMs = 10_000 } = this.#options;
    const worker = new Worker(script, {
      workerData: { cell: this.#cell.name } satisfies WorkerData,
      ...(resourceLimits === undefined ? {} : { resourceLimits }),
      ...(env === undefined ? {} : { env }),
    });
    const life: WorkerLife = { worker, started: false, ended: false, stopping: false, pending: new Map() };
    this.#life = life;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => end(`its worker did not start within ${startTimeoutMs} ms`), startTimeoutMs);
      const end = (reason: string): void => {
        if (life.ended) return;
        life.ended = true;
        clearTimeout(timer);
        for (const pending of life.pending.values()) pending.reject(new Error(reason));
        life.pending.clear();
        life.stopped?.();
        void worker.terminate();
        if (!life.started) reject(new Error(reason));
        else if (!life.stopping) died(reason);
      };
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'started':
            life.started = true;
            clearTimeout(timer);
            resolve();
            return;
          case 'start-failed':
            end(message.reason);
            return;
          case 'handled': {
            const pending = life.pending.get(message.id);
            life.pending.delete(message.id);
            if (message.ok) pending?.resolve(message.body);
            else pending?.reject(new Error(message.reason));
            return;
          }
          case 'send':
            void outbox(message.outgoing).then((reply) => {
              if (!life.ended) worker.postMessage({ type: 'reply', id: message.id, reply } satisfies ToWorker);
            });
            return;
          case 'stopped':
            life.stopped?.();
            return;
        }
      });
      worker.on('error', (error: Error) => end(`its worker failed: ${error.message}`));
      worker.on('exit', (code: number) => end(`its worker exited with code ${code}`));
    });
  }

  handle(envelope: Envelope): Promise<string> {
    const life = this.#life;
    if (life === undefined || life.ended) return Promise.reject(new Error('its worker is not running'));
    const id = ++this.#nextId;
    return new Promise<string>((resolve, reject) => {
      life.pending.set(id, { resolve, reject });
      life.worker.postMessage({ type: 'handle', id, envelope } satisfies ToWorker);
    });
  }

  async stop(mode: 'graceful' | 'forced'): Promise<void> {
    const life = this.#life;
    if (life === undefined || life.ended) return;
    life.stopping = true;
    if (mode === 'graceful') {
      const { stopTimeoutMs = 2000 } = this.#options;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, stopTimeoutMs);
        life.stopped = () => {
          clearTimeout(timer);
          resolve();
        };
        life.worker.postMessage({ type: 'stop' } satisfies ToWorker);
      });
    }
    await life.worker.terminate();
  }
}
//# sourceMappingURL=worker.ts.map
