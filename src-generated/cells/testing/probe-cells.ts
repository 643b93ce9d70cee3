// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
// Cells for the transport tests: they misbehave on request, the same way in process, in a worker and
// in a child process. A host can only run cells its script imports, so they live in this module, and
// host-entry.ts serves them.

import { isMainThread } from 'node:worker_threads';
import { defineCell } from '../cell.js';
import { isCellChildProcess } from '../child-host.js';

/** Where the probe's handler ran. */
export type ProbeThread = 'main' | 'worker' | 'child-process';

export type ProbeContract = {
  events: { 'probe.noted': { text: string }; 'probe.secret': { text: string } };
  requests: {
    /** Replies with the text and the thread that handled it. */
    'probe.echo': { request: { text: string }; reply: { text: string; thread: ProbeThread } };
    /** The id of the process the handler runs in. */
    'probe.pid': { request: null; reply: { pid: number } };
    /** Counts calls in the incarnation's state. */
    'probe.count': { request: null; reply: { count: number } };
    /** Throws `message`. */
    'probe.throw': { request: { message: string }; reply: null };
    /** Keeps its thread busy for `ms`, never yielding. */
    'probe.spin': { request: { ms: number }; reply: null };
    /** Publishes `text` on `topic`; the probe is granted only `probe.noted`. */
    'probe.publish': { request: { topic: 'probe.noted' | 'probe.secret'; text: string }; reply: null };
    /** Lists the `probe.noted` events it has received. */
    'probe.notes': { request: null; reply: { notes: string[] } };
    /** Schedules a throw outside any handler, then replies. Hosted only: in process it would kill the test runner. */
    'probe.die-later': { request: null; reply: null };
    /** Keeps `mb` MiB of arrays alive in its state. */
    'probe.hoard': { request: { mb: number }; reply: null };
  };
};

export const probe = defineCell<ProbeContract>()({
  name: 'probe',
  grants: { publish: ['probe.noted'] },
  budget: { handlerTimeoutMs: 250 },
  init: () => ({ count: 0, notes: [] as string[], hoard: [] as number[][] }),
  serve: {
    'probe.echo': ({ text }) => ({ text, thread: !isMainThread ? 'worker' : isCellChildProcess() ? 'child-process' : 'main' }),
    'probe.pid': () => ({ pid: process.pid }),
    'probe.count': (_request, { state }) => ({ count: ++state.count }),
    'probe.throw': ({ message }) => {
      throw new Error(message);
    },
    'probe.spin': ({ ms }) => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // Never yields: only terminating the thread stops this.
      }
      return null;
    },
    'probe.publish': async ({ topic, text }, context) => {
      await context.publish(topic, { text });
      return null;
    },
    'probe.notes': (_request, { state }) => ({ notes: state.notes }),
    'probe.die-later': () => {
      setTimeout(() => {
        throw new Error('a timer threw');
      }, 1);
      return null;
    },
    'probe.hoard': ({ mb }, { state }) => {
      for (let i = 0; i < mb; i += 1) state.hoard.push(new Array<number>(131_072).fill(i + 0.5));
      return null;
    },
  },
  on: {
    'probe.noted': ({ text }, { state }) => void state.notes.push(text),
  },
});

export const probeCells = [probe];
//# sourceMappingURL=probe-cells.ts.map
