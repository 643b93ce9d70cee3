// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// The messages between a parent's worker transport and the worker's cell host. Plain objects, so
// they survive structured cloning; bodies stay JSON text, so nothing is decoded on the way through.
// Outgoing messages carry no sender: the parent stamps the cell's registered name.

import type { Envelope, Outgoing, Reply } from './cell.js';

/** What a worker is told when it is created. */
export interface WorkerData {
  /** The cell to serve, by name. */
  readonly cell: string;
}

/** Parent to worker. `id`s pair a `handle` with its `handled`, and a `send` with its `reply`. */
export type ToWorker =
  | { readonly type: 'handle'; readonly id: number; readonly envelope: Envelope }
  | { readonly type: 'reply'; readonly id: number; readonly reply: Reply }
  | { readonly type: 'stop' };

/** Worker to parent. */
export type FromWorker =
  | { readonly type: 'started' }
  | { readonly type: 'start-failed'; readonly reason: string }
  | { readonly type: 'handled'; readonly id: number; readonly ok: true; readonly body: string }
  | { readonly type: 'handled'; readonly id: number; readonly ok: false; readonly reason: string }
  | { readonly type: 'send'; readonly id: number; readonly outgoing: Outgoing }
  | { readonly type: 'stopped' };
//# sourceMappingURL=worker-protocol.ts.map
