// generated from docs/cells/bus.lit.md by weft — edit the source, not this file
// The bus is the only path between cells. It knows every sender's grants and every cell's
// supervisor, checks each send (grant, then size) and routes it to mailboxes. It never throws at a
// sender: every outcome is a `Reply`, so the same code answers edges, in-process cells and cells in
// workers. Misuse by the programmer (duplicate names, two servers for one topic) is a `TypeError`
// at start, naming the fix.

import {
  byteLength,
  senderFor,
  type Cell,
  type Contract,
  type Envelope,
  type Grants,
  type Outgoing,
  type Reply,
  type Sender,
} from './cell.js';
import { refuse, type CellError } from './errors.js';
import {
  resolveRestartPolicy,
  Supervisor,
  type CellHealth,
  type RestartPolicy,
  type SupervisionEvent,
} from './supervisor.js';
import { inProcess, type TransportFactory } from './transport.js';

export interface BusOptions {
  /** How crashed cells are restarted, unless a cell's start options say otherwise. @default defaultRestartPolicy */
  readonly restart?: Partial<RestartPolicy>;
}

export interface StartOptions {
  /** Where the cell's handlers run: `inProcess()` or `inWorker({ script })`. @default inProcess() */
  readonly transport?: TransportFactory;
  /** This cell's restart policy, over the bus's. */
  readonly restart?: Partial<RestartPolicy>;
}

export interface Bus<C extends Contract> {
  /** Register `cell` and start its first incarnation; rejects if that start fails. */
  start(cell: Cell<C>, options?: StartOptions): Promise<void>;
  /** A named sender for code outside any cell (an HTTP edge, a script); it may send only what it is granted. */
  client(name: string, grants: Grants<C>): Sender<C>;
  /** Call `listener` on every supervision event; returns the function that stops listening. */
  observe(listener: (event: SupervisionEvent) => void): () => void;
  /** The condition of every cell, in start order. */
  health(): readonly CellHealth[];
  /** Stop every cell: refuse new messages, finish queued ones, end incarnations. */
  stop(): Promise<void>;
}

interface GrantSets {
  readonly publish: ReadonlySet<string>;
  readonly request: ReadonlySet<string>;
}

/** A bus for the system whose contract is `C`. */
export function createBus<C extends Contract>(options: BusOptions = {}): Bus<C> {
  const restartPolicy = resolveRestartPolicy(options.restart ?? {}, 'createBus');
  const grantsBySender = new Map<string, GrantSets>();
  const supervisors: Supervisor[] = [];
  const serverByTopic = new Map<string, Supervisor>();
  const subscribersByTopic = new Map<string, Supervisor[]>();
  const listeners = new Set<(event: SupervisionEvent) => void>();

  function register(name: string, grants: Grants<C>): void {
    if (grantsBySender.has(name)) {
      throw new TypeError(`Cannot register "${name}" twice: cells and clients need unique names`);
    }
    grantsBySender.set(name, { publish: new Set(grants.publish), request: new Set(grants.request) });
  }

  function emit(event: SupervisionEvent): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // An observer's bug must not break supervision; observers are for logs and tests.
      }
    }
  }

  const acceptedEvent: Reply = { ok: true, body: 'null' };

  function failure(error: CellError): Reply {
    return { ok: false, error: error.toData() };
  }

  async function dispatch(from: string, outgoing: Outgoing): Promise<Reply> {
    const grants = grantsBySender.get(from);
    const verb = outgoing.kind === 'event' ? 'publish' : 'request';
    if (grants === undefined || !grants[verb].has(outgoing.topic)) {
      return failure(refuse.capability(from, verb, outgoing.topic));
    }
    const envelope: Envelope = { ...outgoing, from };
    if (envelope.kind === 'request') {
      const server = serverByTopic.get(envelope.topic);
      return server === undefined ? failure(refuse.noResponder(from, envelope.topic)) : deliver(server, envelope);
    }
    const replies = await Promise.all((subscribersByTopic.get(envelope.topic) ?? []).map((subscriber) => deliver(subscriber, envelope)));
    return replies.find((reply) => !reply.ok) ?? acceptedEvent;
  }

  function deliver(target: Supervisor, envelope: Envelope): Promise<Reply> {
    const { name, budget } = target.cell;
    const bytes = byteLength(envelope.body);
    if (bytes > budget.maxMessageBytes) {
      return Promise.resolve(failure(refuse.tooLarge(name, envelope.topic, 'message', bytes, budget.maxMessageBytes)));
    }
    return new Promise<Reply>((resolve) => {
      const settle = envelope.kind === 'request' ? resolve : () => {};
      void target.mailbox.offer({ envelope, settle }).then((result) => {
        if (result === 'accepted') {
          if (envelope.kind === 'event') resolve(acceptedEvent);
        } else if (result === 'full') {
          resolve(failure(refuse.mailboxFull(name, envelope.topic, budget.mailboxDepth)));
        } else if (result === 'timed-out') {
          resolve(failure(refuse.mailboxFull(name, envelope.topic, budget.mailboxDepth, budget.maxWaitMs)));
        } else {
          resolve(failure(refuse.unavailable(name, envelope.topic, target.unavailableBecause())));
        }
      });
    });
  }

  return {
    async start(cell, startOptions = {}) {
      for (const topic of cell.serves) {
        const current = serverByTopic.get(topic);
        if (current !== undefined) {
          throw new TypeError(
            `Cannot start cell "${cell.name}": "${topic}" is already served by cell "${current.cell.name}"; a request topic has one server`,
          );
        }
      }
      register(cell.name, cell.grants);
      const supervisor = new Supervisor({
        cell,
        transport: (startOptions.transport ?? inProcess())(cell),
        policy: startOptions.restart ? resolveRestartPolicy(startOptions.restart, `cell "${cell.name}"`, restartPolicy) : restartPolicy,
        outbox: (outgoing) => dispatch(cell.name, outgoing),
        emit,
      });
      supervisors.push(supervisor);
      for (const topic of cell.serves) serverByTopic.set(topic, supervisor);
      for (const topic of cell.subscribes) {
        subscribersByTopic.set(topic, [...(subscribersByTopic.get(topic) ?? []), supervisor]);
      }
      await supervisor.start();
    },
    client(name, grants) {
      register(name, grants);
      return senderFor<C>(name, (outgoing) => dispatch(name, outgoing));
    },
    observe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    health() {
      return supervisors.map((supervisor) => supervisor.health());
    },
    async stop() {
      await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
    },
  };
}
//# sourceMappingURL=bus.ts.map
