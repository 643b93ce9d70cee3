// generated from docs/cells/mailbox.lit.md by weft — edit the source, not this file
// A bounded FIFO with one consumer (a cell's supervisor) and many producers (senders). It never
// holds more than `depth` messages, and never more than `depth` waiting senders, each for at most
// `maxWaitMs`; so the memory held for one cell is bounded whatever the senders do.
//
// Plain arrays with `shift()` are O(n) per take, but n is at most `depth` (64 by default); a ring
// buffer would be faster only at depths no cell should have, and harder to read.

/** What happened to an offered message. */
export type OfferResult =
  /** Queued, or handed straight to the waiting consumer. */
  | 'accepted'
  /** Refused at once: the mailbox is full and does not wait, or too many senders already wait. */
  | 'full'
  /** Refused after waiting `maxWaitMs` for room. */
  | 'timed-out'
  /** Refused: the mailbox is closed (its cell stopped or was given up). */
  | 'closed';

export interface MailboxOptions {
  /** Messages that may wait, not counting one being handled. */
  readonly depth: number;
  /** `'reject'` refuses a full mailbox's senders at once; `'wait'` makes them wait for room. */
  readonly whenFull: 'reject' | 'wait';
  /** Longest a sender waits for room, in milliseconds. */
  readonly maxWaitMs: number;
}

interface WaitingSender<T> {
  readonly item: T;
  readonly settle: (result: OfferResult) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class Mailbox<T extends object> {
  readonly #options: MailboxOptions;
  readonly #items: T[] = [];
  readonly #waiting: WaitingSender<T>[] = [];
  #consumer: ((item: T | undefined) => void) | undefined;
  #closed = false;

  constructor(options: MailboxOptions) {
    this.#options = options;
  }

  /** Messages queued, not counting one being handled. */
  get size(): number {
    return this.#items.length;
  }

  /** Senders waiting for room. */
  get waitingSenders(): number {
    return this.#waiting.length;
  }

  /** Offer `item`; resolves with whether it was accepted and, if not, why. */
  offer(item: T): Promise<OfferResult> {
    if (this.#closed) return Promise.resolve('closed');
    const consumer = this.#consumer;
    if (consumer !== undefined) {
      this.#consumer = undefined;
      consumer(item);
      return Promise.resolve('accepted');
    }
    if (this.#items.length < this.#options.depth) {
      this.#items.push(item);
      return Promise.resolve('accepted');
    }
    if (this.#options.whenFull === 'reject' || this.#waiting.length >= this.#options.depth) {
      return Promise.resolve('full');
    }
    return new Promise<OfferResult>((resolve) => {
      const waiter: WaitingSender<T> = {
        item,
        settle: resolve,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
          resolve('timed-out');
        }, this.#options.maxWaitMs),
      };
      this.#waiting.push(waiter);
    });
  }

  /** The next message; `undefined` once closed and empty, or when interrupted. One consumer only. */
  take(): Promise<T | undefined> {
    const item = this.#items.shift();
    if (item !== undefined) {
      this.#admitFirstWaitingSender();
      return Promise.resolve(item);
    }
    if (this.#closed) return Promise.resolve(undefined);
    if (this.#consumer !== undefined) {
      throw new TypeError('Cannot `take` while another `take` is pending: a mailbox has one consumer');
    }
    return new Promise((resolve) => {
      this.#consumer = resolve;
    });
  }

  /** Wake a pending `take` with `undefined`, consuming nothing. */
  interrupt(): void {
    const consumer = this.#consumer;
    this.#consumer = undefined;
    consumer?.(undefined);
  }

  #admitFirstWaitingSender(): void {
    const waiter = this.#waiting.shift();
    if (waiter === undefined) return;
    clearTimeout(waiter.timer);
    this.#items.push(waiter.item);
    waiter.settle('accepted');
  }

  /** Refuse all later offers and every waiting sender; queued messages stay for `take` or `drain`. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.settle('closed');
    }
    if (this.#items.length === 0) this.interrupt();
  }

  /** Remove and return every queued message. */
  drain(): T[] {
    return this.#items.splice(0);
  }
}
//# sourceMappingURL=mailbox.ts.map
