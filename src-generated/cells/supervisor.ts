// generated from docs/cells/supervisor.lit.md by weft — edit the source, not this file
// A supervisor owns one cell's life. It is the mailbox's only consumer: it takes one message at a
// time, runs it through the transport under the cell's time budget, and answers the sender. When
// the cell crashes it ends the incarnation, backs off exponentially and starts a fresh one; after
// `maxRestarts` crashes in a row it gives the cell up and refuses its messages. It never throws at
// a sender: every outcome is a settled `Reply`.

import { byteLength, type Envelope, type Outbox, type Reply, type UntypedCell } from './cell.js';
import { reasonOf, refuse, type CellError } from './errors.js';
import { Mailbox } from './mailbox.js';
import type { CellTransport } from './transport.js';

/** How a supervisor restarts its cell. All times in milliseconds. */
export interface RestartPolicy {
  /** Delay before restarting after the first crash in a row. @default 100 */
  readonly initialDelayMs: number;
  /** Each further crash in a row multiplies the delay by this; at least 1. @default 2 */
  readonly factor: number;
  /** Ceiling on the delay. @default 30000 */
  readonly maxDelayMs: number;
  /** Crashes in a row the cell is restarted after; one more and it is given up. @default 10 */
  readonly maxRestarts: number;
  /** An incarnation up this long resets the count of crashes in a row. @default 10000 */
  readonly healthyAfterMs: number;
  /** Crashes within `degradedWindowMs`, in a row or not, that make the cell report itself degraded. @default 3 */
  readonly degradedAfterCrashes: number;
  /** The window the crash rate is counted over, in milliseconds. @default 60000 */
  readonly degradedWindowMs: number;
}

export const defaultRestartPolicy: RestartPolicy = Object.freeze({
  initialDelayMs: 100,
  factor: 2,
  maxDelayMs: 30_000,
  maxRestarts: 10,
  healthyAfterMs: 10_000,
  degradedAfterCrashes: 3,
  degradedWindowMs: 60_000,
});

/** `overrides` over `base`, checked and frozen; `owner` names who it is for in errors. */
export function resolveRestartPolicy(
  overrides: Partial<RestartPolicy>,
  owner: string,
  base: RestartPolicy = defaultRestartPolicy,
): RestartPolicy {
  const policy = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in defaultRestartPolicy)) {
      throw new TypeError(
        `Unknown restart option \`${key}\` for ${owner}; expected one of: ${Object.keys(defaultRestartPolicy).join(', ')}`,
      );
    }
    const least = key === 'factor' ? 1 : 0;
    if (typeof value !== 'number' || Number.isNaN(value) || value < least) {
      throw new TypeError(`Restart option \`${key}\` for ${owner} must be a number of at least ${least}, got ${String(value)}`);
    }
    policy[key as keyof RestartPolicy] = value;
  }
  return Object.freeze(policy);
}

/** The back-off before restarting after the `consecutiveCrashes`th crash in a row (1-based), in milliseconds. */
export function restartDelayMs(consecutiveCrashes: number, policy: RestartPolicy): number {
  return Math.min(policy.initialDelayMs * policy.factor ** (consecutiveCrashes - 1), policy.maxDelayMs);
}

/** Where a cell is in its life. */
export type CellState = 'starting' | 'running' | 'backing-off' | 'failed' | 'stopped';

/** A change in a cell's life. `incarnation` counts starts, from 1. */
export type SupervisionEvent =
  | { readonly type: 'started'; readonly cell: string; readonly incarnation: number }
  | {
      readonly type: 'crashed';
      readonly cell: string;
      readonly incarnation: number;
      /** Why, as a sentence: the handler's error, the overrun, or how the incarnation died. */
      readonly reason: string;
      /** Crashes in a row, this one included. */
      readonly consecutiveCrashes: number;
    }
  | { readonly type: 'restarting'; readonly cell: string; readonly delayMs: number; readonly consecutiveCrashes: number }
  | { readonly type: 'gave-up'; readonly cell: string; readonly consecutiveCrashes: number }
  | { readonly type: 'stopped'; readonly cell: string };

/** One cell's condition, for health endpoints and tests. */
export interface CellHealth {
  readonly cell: string;
  /** Where its handlers run, e.g. `'in-process'` or `'worker'`. */
  readonly placement: string;
  readonly state: CellState;
  /** Messages waiting in its mailbox. */
  readonly queued: number;
  /** Restarts since the cell was started. */
  readonly restarts: number;
  /** Crashes within the policy's `degradedWindowMs`, counted up to its `degradedAfterCrashes`. */
  readonly recentCrashes: number;
  /** `recentCrashes` reached the policy's `degradedAfterCrashes`: the cell runs, but keeps crashing. */
  readonly degraded: boolean;
  /** The process its incarnation runs in, when that is not this one (a child-process placement). */
  readonly pid?: number;
}

/** A message in a mailbox, and how to answer its sender. */
export interface Letter {
  readonly envelope: Envelope;
  /** Answer the sender; a no-op for events, whose senders were answered when the letter was accepted. */
  readonly settle: (reply: Reply) => void;
}

export interface SupervisorOptions {
  readonly cell: UntypedCell;
  /** Runs the cell's incarnations; one transport per cell. */
  readonly transport: CellTransport;
  readonly policy: RestartPolicy;
  /** Where the cell's own sends go: the bus, stamped with this cell's name. */
  readonly outbox: Outbox;
  readonly emit: (event: SupervisionEvent) => void;
}

const timedOut = Symbol('timed out');

function failure(error: CellError): Reply {
  return { ok: false, error: error.toData() };
}

export class Supervisor {
  readonly cell: UntypedCell;
  readonly mailbox: Mailbox<Letter>;
  readonly #transport: CellTransport;
  readonly #policy: RestartPolicy;
  readonly #outbox: Outbox;
  readonly #emit: (event: SupervisionEvent) => void;
  #state: CellState = 'starting';
  /** Why the cell was given up, once it has been. */
  #failure: string | undefined;
  #incarnation = 0;
  #startedAt = 0;
  #consecutiveCrashes = 0;
  /** When the recent crashes happened (`performance.now()`), oldest first; at most `degradedAfterCrashes` kept. */
  readonly #crashTimes: number[] = [];
  #restarts = 0;
  #transportRunning = false;
  /** Set when the current incarnation died outside a handler; the serving loop notices it. */
  #diedOutsideHandler: string | undefined;
  #stopping = false;
  #cutBackOffShort: (() => void) | undefined;
  #serving: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;

  constructor(options: SupervisorOptions) {
    this.cell = options.cell;
    this.#transport = options.transport;
    this.#policy = options.policy;
    this.#outbox = options.outbox;
    this.#emit = options.emit;
    const { mailboxDepth, whenFull, maxWaitMs } = options.cell.budget;
    this.mailbox = new Mailbox<Letter>({ depth: mailboxDepth, whenFull, maxWaitMs });
  }

  health(): CellHealth {
    return {
      cell: this.cell.name,
      placement: this.#transport.placement,
      state: this.#state,
      queued: this.mailbox.size,
      restarts: this.#restarts,
      recentCrashes: this.#recentCrashes(),
      degraded: this.#recentCrashes() >= this.#policy.degradedAfterCrashes,
      ...(this.#transport.pid === undefined ? {} : { pid: this.#transport.pid }),
    };
  }

  /** Crashes within the last `degradedWindowMs`. */
  #recentCrashes(): number {
    const since = performance.now() - this.#policy.degradedWindowMs;
    return this.#crashTimes.filter((at) => at >= since).length;
  }

  /** Why a closed mailbox refuses: for the `cell-unavailable` message. */
  unavailableBecause(): string {
    return this.#failure ?? 'it has stopped';
  }

  /** Start the first incarnation and begin serving; rejects, leaving the cell failed, if it cannot start. */
  async start(): Promise<void> {
    try {
      await this.#startIncarnation();
    } catch (error) {
      this.#giveUp(`it failed to start: ${reasonOf(error)}`);
      throw new Error(`cell "${this.cell.name}" failed to start: ${reasonOf(error)}`, { cause: error });
    }
    this.#serving = this.#serve();
  }

  async #startIncarnation(): Promise<void> {
    this.#state = 'starting';
    this.#diedOutsideHandler = undefined;
    const incarnation = ++this.#incarnation;
    this.#startedAt = performance.now();
    await this.#transport.start(this.#outbox, (reason) => {
      if (incarnation !== this.#incarnation || this.#diedOutsideHandler !== undefined) return;
      this.#diedOutsideHandler = reason;
      this.mailbox.interrupt();
    });
    this.#transportRunning = true;
    this.#state = 'running';
    this.#emit({ type: 'started', cell: this.cell.name, incarnation });
  }

  async #stopTransport(mode: 'graceful' | 'forced'): Promise<void> {
    if (!this.#transportRunning) return;
    this.#transportRunning = false;
    await this.#transport.stop(mode).catch(() => {
      // Ending an incarnation that is already dead can fail; it is ended either way.
    });
  }

  async #serve(): Promise<void> {
    for (;;) {
      const crash = await this.#serveUntilCrash();
      if (crash === undefined) return;
      if (!(await this.#restartAfter(crash))) return;
    }
  }

  /** Handle messages in order; returns why the incarnation crashed, or undefined once closed and empty. */
  async #serveUntilCrash(): Promise<string | undefined> {
    for (;;) {
      if (this.#diedOutsideHandler !== undefined) return this.#diedOutsideHandler;
      const letter = await this.mailbox.take();
      if (letter === undefined) return this.#diedOutsideHandler;
      const crash = await this.#handle(letter);
      if (crash !== undefined) return crash;
    }
  }

  /** Handle one letter and answer its sender; returns why the cell crashed, if it did. */
  async #handle(letter: Letter): Promise<string | undefined> {
    const { envelope } = letter;
    const { name, budget } = this.cell;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overrun = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(resolve, budget.handlerTimeoutMs, timedOut);
    });
    const startedAt = performance.now();
    try {
      const body = await Promise.race([this.#transport.handle(envelope), overrun]);
      if (body === timedOut || performance.now() - startedAt > budget.handlerTimeoutMs) {
        return this.#crashAnswering(letter, refuse.handlerTimeout(name, envelope.topic, budget.handlerTimeoutMs));
      }
      const bytes = byteLength(body);
      if (envelope.kind === 'request' && bytes > budget.maxMessageBytes) {
        letter.settle(failure(refuse.tooLarge(name, envelope.topic, 'reply', bytes, budget.maxMessageBytes)));
      } else {
        letter.settle({ ok: true, body });
      }
      return undefined;
    } catch (error) {
      return this.#crashAnswering(letter, refuse.handlerFailed(name, envelope.topic, reasonOf(error)));
    } finally {
      clearTimeout(timer);
    }
  }

  #crashAnswering(letter: Letter, error: CellError): string {
    letter.settle(failure(error));
    return error.message;
  }

  /** End the crashed incarnation, back off, start a new one; false if the cell was given up or is stopping. */
  async #restartAfter(crash: string): Promise<boolean> {
    let reason = crash;
    for (;;) {
      if (performance.now() - this.#startedAt >= this.#policy.healthyAfterMs) this.#consecutiveCrashes = 0;
      const consecutiveCrashes = ++this.#consecutiveCrashes;
      this.#crashTimes.push(performance.now());
      if (this.#crashTimes.length > this.#policy.degradedAfterCrashes) this.#crashTimes.shift();
      const { name } = this.cell;
      this.#emit({ type: 'crashed', cell: name, incarnation: this.#incarnation, reason, consecutiveCrashes });
      await this.#stopTransport('forced');
      if (consecutiveCrashes > this.#policy.maxRestarts) {
        this.#giveUp(`it was given up after ${consecutiveCrashes} crashes in a row`);
        this.#emit({ type: 'gave-up', cell: name, consecutiveCrashes });
        return false;
      }
      if (this.#stopping) return false;
      const delayMs = restartDelayMs(consecutiveCrashes, this.#policy);
      this.#state = 'backing-off';
      this.#emit({ type: 'restarting', cell: name, delayMs, consecutiveCrashes });
      await this.#backOff(delayMs);
      if (this.#stopping) return false;
      try {
        await this.#startIncarnation();
        this.#restarts += 1;
        return true;
      } catch (error) {
        reason = `failed to start: ${reasonOf(error)}`;
      }
    }
  }

  /** Wait `delayMs`, or less if the cell is stopped meanwhile. */
  #backOff(delayMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      this.#cutBackOffShort = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.#cutBackOffShort = undefined;
    });
  }

  #giveUp(why: string): void {
    this.#state = 'failed';
    this.#failure = why;
    this.mailbox.close();
    this.#refuseQueued(why);
  }

  #refuseQueued(why: string): void {
    for (const letter of this.mailbox.drain()) {
      letter.settle(failure(refuse.unavailable(this.cell.name, letter.envelope.topic, why)));
    }
  }

  /** Refuse new messages, finish queued ones, end the incarnation. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stopOnce();
    return this.#stopped;
  }

  async #stopOnce(): Promise<void> {
    this.#stopping = true;
    this.mailbox.close();
    this.#cutBackOffShort?.();
    await this.#serving;
    if (this.#state !== 'failed') {
      this.#state = 'stopped';
      this.#refuseQueued(this.unavailableBecause());
      await this.#stopTransport('graceful');
    }
    this.#emit({ type: 'stopped', cell: this.cell.name });
  }
}
//# sourceMappingURL=supervisor.ts.map
