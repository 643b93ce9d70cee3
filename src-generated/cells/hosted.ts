// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// The parent's side of every placement that runs a cell somewhere else — a worker thread, a child
// process: each incarnation is a fresh host reached through a HostChannel, behind the same
// CellTransport as in process. A forced stop terminates the host, which is how a handler stuck in a
// synchronous loop is actually stopped. The parent never decodes bodies; it relays JSON text.

import type { Envelope, Outbox } from './cell.js';
import type { FromHost, HostChannel } from './host-protocol.js';
import type { CellTransport } from './transport.js';

/** How long hosts may take, common to every hosted placement. */
export interface HostTimeouts {
  /** How long the host may take to start the cell, in milliseconds. @default 10000 */
  readonly startTimeoutMs?: number;
  /** How long a graceful stop waits for the cell's `stop`, in milliseconds, before terminating. @default 2000 */
  readonly stopTimeoutMs?: number;
}

/** One host, from creation to exit. */
interface HostLife {
  readonly channel: HostChannel;
  started: boolean;
  ended: boolean;
  /** Set by `stop`, so the exit it causes is not reported as a death. */
  stopping: boolean;
  readonly pending: Map<number, { resolve: (body: string) => void; reject: (error: Error) => void }>;
  stopped?: () => void;
}

/** A transport whose incarnations are hosts that `launch` creates; `placement` names them for health output. */
export function hostedTransport(placement: string, launch: () => HostChannel, timeouts: HostTimeouts): CellTransport {
  return new HostedTransport(placement, launch, timeouts);
}

class HostedTransport implements CellTransport {
  readonly placement: string;
  readonly #launch: () => HostChannel;
  readonly #timeouts: HostTimeouts;
  #life: HostLife | undefined;
  #nextId = 0;

  constructor(placement: string, launch: () => HostChannel, timeouts: HostTimeouts) {
    this.placement = placement;
    this.#launch = launch;
    this.#timeouts = timeouts;
  }

  get pid(): number | undefined {
    const current = this.#life;
    return current === undefined || current.ended ? undefined : current.channel.pid;
  }

  start(outbox: Outbox, died: (reason: string) => void): Promise<void> {
    const { startTimeoutMs = 10_000 } = this.#timeouts;
    const { placement } = this;
    const channel = this.#launch();
    const current: HostLife = { channel, started: false, ended: false, stopping: false, pending: new Map() };
    this.#life = current;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => end(`its ${placement} did not start within ${startTimeoutMs} ms`), startTimeoutMs);
      const end = (reason: string): void => {
        if (current.ended) return;
        current.ended = true;
        clearTimeout(timer);
        for (const pending of current.pending.values()) pending.reject(new Error(reason));
        current.pending.clear();
        current.stopped?.();
        void channel.terminate();
        if (!current.started) reject(new Error(reason));
        else if (!current.stopping) died(reason);
      };
      channel.listen((message: FromHost) => {
        switch (message.type) {
          case 'started':
            current.started = true;
            clearTimeout(timer);
            resolve();
            return;
          case 'start-failed':
            end(message.reason);
            return;
          case 'handled': {
            const pending = current.pending.get(message.id);
            current.pending.delete(message.id);
            if (message.ok) pending?.resolve(message.body);
            else pending?.reject(new Error(message.reason));
            return;
          }
          case 'send':
            void outbox(message.outgoing).then((reply) => {
              if (!current.ended) channel.post({ type: 'reply', id: message.id, reply });
            });
            return;
          case 'stopped':
            current.stopped?.();
            return;
        }
      }, end);
    });
  }

  handle(envelope: Envelope): Promise<string> {
    const current = this.#life;
    if (current === undefined || current.ended) return Promise.reject(new Error(`its ${this.placement} is not running`));
    const id = ++this.#nextId;
    return new Promise<string>((resolve, reject) => {
      current.pending.set(id, { resolve, reject });
      current.channel.post({ type: 'handle', id, envelope });
    });
  }

  async stop(mode: 'graceful' | 'forced'): Promise<void> {
    const current = this.#life;
    if (current === undefined || current.ended) return;
    current.stopping = true;
    if (mode === 'graceful') {
      const { stopTimeoutMs = 2000 } = this.#timeouts;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, stopTimeoutMs);
        current.stopped = () => {
          clearTimeout(timer);
          resolve();
        };
        current.channel.post({ type: 'stop' });
      });
    }
    await current.channel.terminate();
  }
}
//# sourceMappingURL=hosted.ts.map
