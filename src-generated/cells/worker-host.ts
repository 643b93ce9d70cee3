// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// The worker side of inWorker: the worker's script calls `serveCellInWorker(cells)`, and the cell
// host serves the cell named in `workerData` over the worker's port to its parent.

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { UntypedCell } from './cell.js';
import { serveCell } from './cell-host.js';
import type { ToHost } from './host-protocol.js';
import type { WorkerData } from './worker.js';

/** Serve, in this worker, whichever of `cells` the parent's `inWorker` placement asked for. */
export function serveCellInWorker(cells: readonly UntypedCell[]): void {
  const port = parentPort;
  if (isMainThread || port === null) {
    throw new TypeError('Cannot `serveCellInWorker` on the main thread: call it from the script an `inWorker({ script })` placement runs');
  }
  const { cell } = workerData as WorkerData;
  serveCell(cells, cell, { post: (message) => port.postMessage(message), listen: (message) => port.on('message', (received: ToHost) => message(received)) }, 'worker');
}
//# sourceMappingURL=worker-host.ts.map
