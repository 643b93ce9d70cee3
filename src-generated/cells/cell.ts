// generated from docs/cells/bus.lit.md by weft — edit the source, not this file
// A cell is a name, the topics it serves and subscribes to, the topics it may send to, a budget, and
// a way to make a fresh incarnation: new state, handlers bound to it. Restarting a crashed cell means
// starting a new incarnation, so a cell's memory lives only in the state `init` returns.
//
// Messages cross every cell boundary as JSON text encoded once by the sender (see `encode`): the
// receiver decodes its own copy, budgets count real bytes, and a cell placed in a worker sees the
// same bytes it would see in process.

import { Buffer } from 'node:buffer';
import { resolveBudget, type Budget } from './budget.js';
import { CellError, reasonOf, refuse, type CellErrorData } from './errors.js';

/** What flows on each topic of a system: events carry a message; requests carry a request and get a reply. */
export interface Contract {
  readonly events: Readonly<Record<string, unknown>>;
  readonly requests: Readonly<Record<string, { readonly request: unknown; readonly reply: unknown }>>;
}

export type EventTopic<C extends Contract> = keyof C['events'] & string;
export type RequestTopic<C extends Contract> = keyof C['requests'] & string;
export type EventOf<C extends Contract, T extends EventTopic<C>> = C['events'][T];
export type RequestOf<C extends Contract, T extends RequestTopic<C>> = C['requests'][T]['request'];
export type ReplyOf<C extends Contract, T extends RequestTopic<C>> = C['requests'][T]['reply'];

/** The sending half that every cell and edge gets; the bus checks each send against the sender's grants. */
export interface Sender<C extends Contract> {
  /** Queue `message` for every subscriber of `topic`; resolves once all have accepted it. */
  publish<T extends EventTopic<C>>(topic: T, message: EventOf<C, T>): Promise<void>;
  /** Send `message` to the cell that serves `topic`; resolves with its reply, rejects with a `CellError`. */
  request<T extends RequestTopic<C>>(topic: T, message: RequestOf<C, T>): Promise<ReplyOf<C, T>>;
}

/** The topics a sender may send to. Anything not listed is refused with `capability-denied`. */
export interface Grants<C extends Contract> {
  /** Topics it may publish. @default [] */
  readonly publish?: readonly EventTopic<C>[];
  /** Topics it may request. @default [] */
  readonly request?: readonly RequestTopic<C>[];
}

/** A message as its sender hands it to the bus. */
export interface Outgoing {
  /** `'event'` for publish/subscribe, `'request'` for request/reply. */
  readonly kind: 'event' | 'request';
  readonly topic: string;
  /** The message as JSON text; its UTF-8 length is what byte budgets count. */
  readonly body: string;
}

/** A message as the bus delivers it: stamped with the sender's registered name. */
export interface Envelope extends Outgoing {
  /** The sending cell or edge, as registered with the bus; never chosen by the sender. */
  readonly from: string;
}

/** The answer to a send: the reply's JSON (`'null'` for an accepted event), or the failure as data. */
export type Reply =
  | { readonly ok: true; readonly body: string }
  | { readonly ok: false; readonly error: CellErrorData };

/** Where a cell's or edge's sends go: the bus, which checks grants and routes. */
export type Outbox = (outgoing: Outgoing) => Promise<Reply>;

/** What a handler sees besides the message. */
export interface CellContext<C extends Contract, State> extends Sender<C> {
  /** This cell's name. */
  readonly cell: string;
  /** This incarnation's state, as `init` returned it; mutate its fields, it is not copied. */
  readonly state: State;
  /** Aborted when this incarnation is stopped or abandoned after a timeout; pass it to long work. */
  readonly signal: AbortSignal;
}

type RequestHandlers<C extends Contract, State> = {
  readonly [T in RequestTopic<C>]?: (
    request: RequestOf<C, T>,
    context: CellContext<C, State>,
  ) => ReplyOf<C, T> | Promise<ReplyOf<C, T>>;
};

type EventHandlers<C extends Contract, State> = {
  readonly [T in EventTopic<C>]?: (event: EventOf<C, T>, context: CellContext<C, State>) => void | Promise<void>;
};

/** A cell as its author writes it. */
export interface CellSpec<C extends Contract, State> {
  /** Unique among the bus's cells and edges; used in every error and event about the cell. */
  readonly name: string;
  /** Topics this cell may send to. @default nothing */
  readonly grants?: Grants<C>;
  /** Limits on what one message may cost; see budget.ts. @default defaultBudget */
  readonly budget?: Partial<Budget>;
  /** Make the state of a fresh incarnation; called at start and again at every restart. */
  readonly init: () => State | Promise<State>;
  /** Request handlers, by topic: this cell serves exactly these topics. Its return value is the reply. */
  readonly serve?: RequestHandlers<C, State>;
  /** Event handlers, by topic: this cell subscribes to exactly these topics. */
  readonly on?: EventHandlers<C, State>;
  /** Release what the state holds (files, timers) when an incarnation ends. */
  readonly stop?: (state: State) => void | Promise<void>;
}

/**
 * A cell as the runtime handles it: state erased, topics as plain strings, options resolved.
 * The supervisor and transports need no more; `Cell<C>` narrows the topics to a contract's.
 */
export interface UntypedCell {
  readonly name: string;
  /** Request topics this cell serves; the bus routes each to exactly one cell. */
  readonly serves: readonly string[];
  /** Event topics this cell subscribes to. */
  readonly subscribes: readonly string[];
  readonly grants: { readonly publish: readonly string[]; readonly request: readonly string[] };
  readonly budget: Budget;
  /** Start a fresh incarnation whose sends go to `outbox`. Rejects if `init` does. */
  start(outbox: Outbox): Promise<Incarnation>;
}

/** A cell of the system whose contract is `C`, as `defineCell` makes it: frozen. */
export interface Cell<C extends Contract> extends UntypedCell {
  readonly serves: readonly RequestTopic<C>[];
  readonly subscribes: readonly EventTopic<C>[];
  readonly grants: { readonly publish: readonly EventTopic<C>[]; readonly request: readonly RequestTopic<C>[] };
}

/** One life of a cell: one state and the handlers bound to it. */
export interface Incarnation {
  /** Run the handler for `envelope`; resolves with the reply's JSON, rejects with what the handler threw. */
  handle(envelope: Envelope): Promise<string>;
  /** Abort the incarnation's signal and run the spec's `stop`. */
  stop(): Promise<void>;
}

/** Encode `value` as the JSON body of a message from `sender` on `topic`; `undefined` becomes `null`. */
export function encode(value: unknown, sender: string, topic: string): string {
  let body: string | undefined;
  try {
    body = JSON.stringify(value);
  } catch (error) {
    throw refuse.notSerializable(sender, topic, reasonOf(error));
  }
  return body ?? 'null';
}

/** The size a budget counts: UTF-8 bytes of the JSON body. */
export function byteLength(body: string): number {
  return Buffer.byteLength(body, 'utf8');
}

/** The typed `Sender` for `name`, whose sends go to `outbox`. */
export function senderFor<C extends Contract>(name: string, outbox: Outbox): Sender<C> {
  return {
    async publish(topic, message) {
      const reply = await outbox({ kind: 'event', topic, body: encode(message, name, topic) });
      if (!reply.ok) throw new CellError(reply.error);
    },
    async request(topic, message) {
      const reply = await outbox({ kind: 'request', topic, body: encode(message, name, topic) });
      if (!reply.ok) throw new CellError(reply.error);
      const decoded: unknown = JSON.parse(reply.body);
      // The responder encoded this from the same contract's reply type.
      return decoded as ReplyOf<C, typeof topic>;
    },
  };
}

type ErasedHandler<State> = (message: unknown, context: CellContext<Contract, State>) => unknown;

/** `defineCell<C>()(spec)`: a cell of the system whose contract is `C`, its state type inferred from `init`. */
export function defineCell<C extends Contract>() {
  return function cellFromSpec<State>(spec: CellSpec<C, State>): Cell<C> {
    const serve = new Map(Object.entries(spec.serve ?? {}) as [string, ErasedHandler<State>][]);
    const on = new Map(Object.entries(spec.on ?? {}) as [string, ErasedHandler<State>][]);
    return Object.freeze({
      name: spec.name,
      serves: Object.freeze([...serve.keys()] as RequestTopic<C>[]),
      subscribes: Object.freeze([...on.keys()] as EventTopic<C>[]),
      grants: Object.freeze({
        publish: Object.freeze([...(spec.grants?.publish ?? [])]),
        request: Object.freeze([...(spec.grants?.request ?? [])]),
      }),
      budget: resolveBudget(spec.budget ?? {}, `cell "${spec.name}"`),
      async start(outbox: Outbox): Promise<Incarnation> {
        const controller = new AbortController();
        const sender = senderFor<C>(spec.name, outbox);
        const state = await spec.init();
        const context: CellContext<C, State> = {
          cell: spec.name,
          state,
          signal: controller.signal,
          publish: sender.publish,
          request: sender.request,
        };
        return {
          async handle(envelope) {
            const handler = (envelope.kind === 'request' ? serve : on).get(envelope.topic);
            if (handler === undefined) {
              // The bus routes only the topics this cell declared; reaching here is a routing bug.
              throw new Error(`cell "${spec.name}" has no handler for ${envelope.kind} "${envelope.topic}"`);
            }
            const message: unknown = JSON.parse(envelope.body);
            const result = await handler(message, context);
            return envelope.kind === 'request' ? encode(result, spec.name, envelope.topic) : 'null';
          },
          async stop() {
            controller.abort();
            await spec.stop?.(state);
          },
        };
      },
    });
  };
}
//# sourceMappingURL=cell.ts.map
