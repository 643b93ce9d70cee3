// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// A transport is where one cell's handlers run. The bus keeps the mailbox, budgets and restarts on
// its side and hands the transport one message at a time, so a cell behaves the same wherever it
// runs; only cost and isolation differ (criteria.lit.md). `inProcess()` runs handlers on the
// caller's event loop; `inWorker()` (worker.ts) and `inChildProcess()` (child-process.ts) run them in
// a worker thread or a child process; `overNats()` (nats.ts) behind a broker, beyond one machine.

import type { Envelope, Incarnation, Outbox, UntypedCell } from './cell.js';

/** Runs the incarnations of one cell somewhere. The supervisor never calls `handle` concurrently. */
export interface CellTransport {
  /** Where handlers run, for health output: `'in-process'`, `'worker'`, `'child-process'`, ... */
  readonly placement: string;
  /** The operating-system process of the running incarnation, when it has one of its own. */
  readonly pid?: number | undefined;
  /**
   * Start a fresh incarnation. Its sends go to `outbox`; `died` is called, at most once, if the
   * incarnation dies outside a handler. Rejects if the cell cannot start.
   */
  start(outbox: Outbox, died: (reason: string) => void): Promise<void>;
  /** Run the handler for one envelope; resolves with the reply's JSON, rejects with why it failed. */
  handle(envelope: Envelope): Promise<string>;
  /** End the incarnation: `'graceful'` lets the cell's `stop` run, `'forced'` need not wait for the cell. */
  stop(mode: 'graceful' | 'forced'): Promise<void>;
}

/** Makes the transport for one cell; a placement, as configuration chooses it. */
export type TransportFactory = (cell: UntypedCell) => CellTransport;

/** Run the cell on the caller's event loop: the cheapest placement, and the least isolated. */
export function inProcess(): TransportFactory {
  return (cell) => {
    let incarnation: Incarnation | undefined;
    return {
      placement: 'in-process',
      async start(outbox) {
        // `died` is never called: an in-process cell's error outside a handler belongs to the whole
        // process, which cannot tell whose it was. That blast radius is a reason to use a worker.
        incarnation = await cell.start(outbox);
      },
      handle(envelope) {
        if (incarnation === undefined) return Promise.reject(new Error('the cell is not started'));
        return incarnation.handle(envelope);
      },
      async stop() {
        const ending = incarnation;
        incarnation = undefined;
        await ending?.stop();
      },
    };
  };
}
//# sourceMappingURL=transport.ts.map
