// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// inWorker: each incarnation of a cell runs in its own worker thread — its own V8 isolate, heap and
// event loop — through the hosted transport. A restart is a new worker, so it starts with a fresh
// heap. Not a security boundary: a worker shares the process's permissions, descriptors and memory.

import { Worker, type ResourceLimits } from 'node:worker_threads';
import { hostedTransport, type HostTimeouts } from './hosted.js';
import type { FromHost, HostChannel, ToHost } from './host-protocol.js';
import type { TransportFactory } from './transport.js';

/** What a worker is told when it is created. */
export interface WorkerData {
  /** The cell to serve, by name. */
  readonly cell: string;
}

/** Where and how to run a cell in a worker thread. */
export interface WorkerPlacement extends HostTimeouts {
  /** The JavaScript module the worker runs; it must call `serveCellInWorker` with this cell among its cells. */
  readonly script: URL | string;
  /** V8 heap limits for the worker, in MiB: the only per-cell memory limit Node enforces. @default Node's defaults */
  readonly resourceLimits?: ResourceLimits;
  /** The worker's `process.env`. @default a copy of the parent's */
  readonly env?: Readonly<Record<string, string>>;
}

/** Run the cell in a worker thread running `placement.script`. */
export function inWorker(placement: WorkerPlacement): TransportFactory {
  const { script, resourceLimits, env } = placement;
  return (cell) =>
    hostedTransport(
      'worker',
      (): HostChannel => {
        const worker = new Worker(script, {
          workerData: { cell: cell.name } satisfies WorkerData,
          ...(resourceLimits === undefined ? {} : { resourceLimits }),
          ...(env === undefined ? {} : { env }),
        });
        return {
          post: (message: ToHost) => worker.postMessage(message),
          listen(message, ended) {
            worker.on('message', (received: FromHost) => message(received));
            worker.on('error', (error: Error) => ended(`its worker failed: ${error.message}`));
            worker.on('exit', (code: number) => ended(`its worker exited with code ${code}`));
          },
          terminate: async () => void (await worker.terminate()),
        };
      },
      placement,
    );
}
//# sourceMappingURL=worker.ts.map
