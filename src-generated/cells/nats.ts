// generated from docs/cells/broker.lit.md by weft — edit the source, not this file
// Cells behind a NATS broker. `overNats` is a transport: each envelope becomes a NATS request to a
// subject, sent again if no reply comes (at-least-once), so the handlers behind it must be
// idempotent. `serveCellOverNats` serves a cell on a subject with the same cell host as workers and
// child processes, one message at a time; the cell's sends go through the local bus, whose grants
// still apply. `partitionOf` maps a key to one of N partitions, for routing a stateful cell by key.

import type { NatsConnection } from '@nats-io/transport-node';
import type { Contract, Envelope, Outbox, Reply, Sender, UntypedCell } from './cell.js';
import { serveCell } from './cell-host.js';
import { isCellError, reasonOf } from './errors.js';
import type { FromHost, ToHost } from './host-protocol.js';
import type { TransportFactory } from './transport.js';

/** What the serving side answers for one envelope, as JSON. */
type Answer = { readonly ok: true; readonly body: string } | { readonly ok: false; readonly reason: string };

/** How to reach a cell that runs behind NATS. */
export interface NatsPlacement {
  readonly connection: NatsConnection;
  /** The subject an envelope for `cell` goes to. @default `cells.<cell>` */
  readonly subjectFor?: (cell: string, envelope: Envelope) => string;
  /** Deliveries per message at most: one that times out or finds no responder is sent again. @default 2 */
  readonly attempts?: number;
}

/** Run the cell behind NATS: its handlers run wherever `serveCellOverNats` serves its subject. */
export function overNats(placement: NatsPlacement): TransportFactory {
  const { connection, subjectFor = (cell: string) => `cells.${cell}`, attempts = 2 } = placement;
  return (cell) => ({
    placement: 'nats',
    // Nothing to start: the serving side runs on its own, and a missing responder shows per message.
    async start() {},
    async handle(envelope) {
      const subject = subjectFor(cell.name, envelope);
      const timeout = Math.max(1, Math.floor(cell.budget.handlerTimeoutMs / attempts));
      let lastFailure = '';
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        let answer: Answer;
        try {
          answer = (await connection.request(subject, JSON.stringify(envelope), { timeout })).json<Answer>();
        } catch (error) {
          lastFailure = reasonOf(error);
          continue;
        }
        if (answer.ok) return answer.body;
        throw new Error(answer.reason);
      }
      throw new Error(`no answer on "${subject}" after ${attempts} attempts: ${lastFailure}`);
    },
    async stop() {},
  });
}

/** A cell served on a subject. */
export interface NatsServing {
  /** Stop taking messages, finish the one in hand, and end the incarnation. */
  stop(): Promise<void>;
}

export interface NatsServingOptions {
  readonly connection: NatsConnection;
  /** The subject to serve, e.g. `cells.kv.0`. */
  readonly subject: string;
  /** Where the cell's own sends go: the local bus, under a name with the cell's grants (see `outboxOf`). */
  readonly outbox: Outbox;
  /** A NATS queue group: members share the subject's messages, each to one. @default none: this process alone */
  readonly queue?: string;
}

/** One incarnation behind the host protocol. */
interface Hosted {
  handle(envelope: Envelope): Promise<Answer>;
  stop(): Promise<void>;
}

/** Serve `cell` on `options.subject`; resolves once its first incarnation has started. */
export async function serveCellOverNats(cell: UntypedCell, options: NatsServingOptions): Promise<NatsServing> {
  const { connection, subject, outbox, queue } = options;
  let hosted = await host(cell, outbox);
  const subscription = connection.subscribe(subject, queue === undefined ? {} : { queue });
  const serving = (async () => {
    for await (const message of subscription) {
      const answer = await hosted.handle(message.json<Envelope>());
      message.respond(JSON.stringify(answer));
      if (!answer.ok) {
        // Let it crash: the incarnation that threw is ended, and the next message meets a fresh one.
        await hosted.stop();
        hosted = await host(cell, outbox);
      }
    }
  })();
  return {
    async stop() {
      // Not `drain`, which waits for the broker: a stop must finish when the broker is gone too.
      subscription.unsubscribe();
      await serving;
      await hosted.stop();
    },
  };
}

/** Start one incarnation of `cell` in the cell host, with a parent channel made of closures. */
function host(cell: UntypedCell, outbox: Outbox): Promise<Hosted> {
  const pending = new Map<number, (answer: Answer) => void>();
  let toHost: (message: ToHost) => void = () => {};
  let stopped: () => void = () => {};
  let nextId = 0;
  const hosted: Hosted = {
    handle: (envelope) =>
      new Promise<Answer>((resolve) => {
        const id = ++nextId;
        pending.set(id, resolve);
        toHost({ type: 'handle', id, envelope });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        stopped = resolve;
        toHost({ type: 'stop' });
      }),
  };
  return new Promise<Hosted>((resolve, reject) => {
    const fromHost = (message: FromHost): void => {
      switch (message.type) {
        case 'started':
          resolve(hosted);
          return;
        case 'start-failed':
          reject(new Error(message.reason));
          return;
        case 'handled': {
          const settle = pending.get(message.id);
          pending.delete(message.id);
          settle?.(message.ok ? { ok: true, body: message.body } : { ok: false, reason: message.reason });
          return;
        }
        case 'send':
          void outbox(message.outgoing).then((reply: Reply) => toHost({ type: 'reply', id: message.id, reply }));
          return;
        case 'stopped':
          stopped();
          return;
      }
    };
    serveCell([cell], cell.name, { post: fromHost, listen: (listener) => void (toHost = listener) }, 'NATS');
  });
}

/** An outbox whose sends go through `sender` (a bus client), refusals returned as data. */
export function outboxOf<C extends Contract>(sender: Sender<C>): Outbox {
  const untyped = sender as unknown as Sender<Contract>;
  return async (outgoing) => {
    try {
      const message: unknown = JSON.parse(outgoing.body);
      if (outgoing.kind === 'event') {
        await untyped.publish(outgoing.topic, message);
        return { ok: true, body: 'null' };
      }
      return { ok: true, body: JSON.stringify(await untyped.request(outgoing.topic, message)) };
    } catch (error) {
      if (isCellError(error)) return { ok: false, error: error.toData() };
      throw error;
    }
  };
}

/** Which of `partitions` owns `key`: 0 to partitions − 1, the same in every process. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

/** Drain `connection` for at most `withinMs`, then close it. Never rejects. */
export async function closeConnection(connection: NatsConnection, withinMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, withinMs);
  });
  await Promise.race([connection.drain().catch(() => {}), late]);
  clearTimeout(timer);
  await connection.close().catch(() => {});
}
//# sourceMappingURL=nats.ts.map
