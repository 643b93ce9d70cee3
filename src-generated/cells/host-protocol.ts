// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// The messages between a parent's hosted transport and the cell host on the other side of a worker
// thread or a child process. Plain JSON-compatible objects, so they survive both structured cloning
// and the JSON of an IPC channel; bodies stay JSON text, so nothing is decoded on the way through.
// Outgoing messages carry no sender: the parent stamps the cell's registered name.

import type { Envelope, Outgoing, Reply } from './cell.js';

/** Parent to host. `id`s pair a `handle` with its `handled`, and a `send` with its `reply`. */
export type ToHost =
  | { readonly type: 'handle'; readonly id: number; readonly envelope: Envelope }
  | { readonly type: 'reply'; readonly id: number; readonly reply: Reply }
  | { readonly type: 'stop' };

/** Host to parent. */
export type FromHost =
  | { readonly type: 'started' }
  | { readonly type: 'start-failed'; readonly reason: string }
  | { readonly type: 'handled'; readonly id: number; readonly ok: true; readonly body: string }
  | { readonly type: 'handled'; readonly id: number; readonly ok: false; readonly reason: string }
  | { readonly type: 'send'; readonly id: number; readonly outgoing: Outgoing }
  | { readonly type: 'stopped' };

/** The parent's end of a channel to one running host: what a worker and a child process both give. */
export interface HostChannel {
  /** Send `message` to the host; a message to a host that is gone is dropped. */
  post(message: ToHost): void;
  /** Call `message` for each message from the host, and `ended` once, with why, when the host is gone. */
  listen(message: (message: FromHost) => void, ended: (reason: string) => void): void;
  /** End the host now, without asking it; resolves when it is gone. */
  terminate(): Promise<void>;
  /** The host's own operating-system process, if it has one. */
  readonly pid?: number | undefined;
}

/** The host's end of the channel to its parent. */
export interface ParentChannel {
  post(message: FromHost): void;
  listen(message: (message: ToHost) => void): void;
}
//# sourceMappingURL=host-protocol.ts.map
