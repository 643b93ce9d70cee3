// generated from docs/cells/supervisor.lit.md by weft — edit the source, not this file
import { afterEach, describe, expect, it } from 'vitest';
import { createBus, type Bus } from './bus.js';
import { defineCell } from './cell.js';
import { defaultRestartPolicy, resolveRestartPolicy, restartDelayMs, type SupervisionEvent } from './supervisor.js';
import { nextEvent as nextEventOn } from './testing/helpers.js';

type Counting = {
  events: Record<string, never>;
  requests: {
    'count.add': { request: { by: number }; reply: { count: number } };
    'count.crash': { request: { why: string }; reply: null };
  };
};

/** Starts the next incarnation fails while this is above zero; each failed start takes one off. */
let startsToFail = 0;

const counter = defineCell<Counting>()({
  name: 'counter',
  init: () => {
    if (startsToFail > 0) {
      startsToFail -= 1;
      throw new Error('the database is down');
    }
    return { count: 0 };
  },
  serve: {
    'count.add': ({ by }, { state }) => ({ count: (state.count += by) }),
    'count.crash': ({ why }) => {
      throw new Error(why);
    },
  },
});

let bus: Bus<Counting> = createBus<Counting>();
const events: SupervisionEvent[] = [];

function startBus(restart: Parameters<typeof resolveRestartPolicy>[0]): Bus<Counting> {
  bus = createBus<Counting>({ restart });
  events.length = 0;
  bus.observe((event) => events.push(event));
  return bus;
}

const nextEvent = (predicate: (event: SupervisionEvent) => boolean) => nextEventOn(bus, predicate);

afterEach(async () => {
  startsToFail = 0;
  await bus.stop();
});

describe('restartDelayMs', () => {
  it('doubles from initialDelayMs up to maxDelayMs', () => {
    const delays = [1, 2, 3, 4, 9, 10, 11].map((n) => restartDelayMs(n, defaultRestartPolicy));
    expect(delays).toEqual([100, 200, 400, 800, 25_600, 30_000, 30_000]);
  });

  it('rejects an unknown restart option, naming it', () => {
    expect(() => resolveRestartPolicy({ retries: 3 } as never, 'createBus')).toThrow(
      new TypeError(
        'Unknown restart option `retries` for createBus; expected one of: initialDelayMs, factor, maxDelayMs, maxRestarts, healthyAfterMs, degradedAfterCrashes, degradedWindowMs',
      ),
    );
  });
});

describe('restart after a crash', () => {
  it('answers the crashing request with the reason and restarts the cell with fresh state', async () => {
    startBus({ initialDelayMs: 1 });
    await bus.start(counter);
    const client = bus.client('client', { request: ['count.add', 'count.crash'] });
    await expect(client.request('count.add', { by: 5 })).resolves.toEqual({ count: 5 });
    const restarted = nextEvent((event) => event.type === 'started' && event.incarnation === 2);
    await expect(client.request('count.crash', { why: 'bad input' })).rejects.toMatchObject({
      code: 'handler-failed',
      message: 'cell "counter" crashed handling "count.crash": bad input',
    });
    await restarted;
    await expect(client.request('count.add', { by: 1 })).resolves.toEqual({ count: 1 });
    expect(events.map((event) => event.type)).toEqual(['started', 'crashed', 'restarting', 'started']);
  });

  it('backs off exponentially while restarts keep failing', async () => {
    startBus({ initialDelayMs: 2, factor: 3 });
    await bus.start(counter);
    const client = bus.client('client', { request: ['count.add', 'count.crash'] });
    startsToFail = 2;
    const recovered = nextEvent((event) => event.type === 'started' && event.incarnation === 4);
    await client.request('count.crash', { why: 'first' }).catch(() => {});
    await recovered;
    expect(events.filter((event) => event.type === 'restarting')).toEqual([
      { type: 'restarting', cell: 'counter', delayMs: 2, consecutiveCrashes: 1 },
      { type: 'restarting', cell: 'counter', delayMs: 6, consecutiveCrashes: 2 },
      { type: 'restarting', cell: 'counter', delayMs: 18, consecutiveCrashes: 3 },
    ]);
    expect(events.filter((event) => event.type === 'crashed').map((event) => event.type === 'crashed' && event.reason)).toEqual([
      'cell "counter" crashed handling "count.crash": first',
      'failed to start: the database is down',
      'failed to start: the database is down',
    ]);
  });

  it('keeps messages sent during the back-off and handles them after the restart', async () => {
    startBus({ initialDelayMs: 30 });
    await bus.start(counter);
    const client = bus.client('client', { request: ['count.add', 'count.crash'] });
    const backingOff = nextEvent((event) => event.type === 'restarting');
    const crashed = client.request('count.crash', { why: 'boom' }).catch(() => 'crashed');
    await backingOff;
    expect(bus.health()[0]).toMatchObject({ state: 'backing-off' });
    await expect(client.request('count.add', { by: 2 })).resolves.toEqual({ count: 2 });
    await expect(crashed).resolves.toBe('crashed');
  });

  it('resets the count of crashes in a row after a healthy period', async () => {
    // The behaviour under test is time itself. A loaded machine only makes waits longer, so the
    // first two crashes get a generous window to be "in a row" (they are microseconds apart unless
    // the machine stalls for seconds), and the healthy period is waited for twice over.
    const healthyAfterMs = 2000;
    startBus({ initialDelayMs: 1, healthyAfterMs });
    await bus.start(counter);
    const client = bus.client('client', { request: ['count.crash'] });
    const third = nextEvent((event) => event.type === 'started' && event.incarnation === 3);
    await client.request('count.crash', { why: 'one' }).catch(() => {});
    await client.request('count.crash', { why: 'two' }).catch(() => {});
    await third;
    await new Promise((resolve) => setTimeout(resolve, healthyAfterMs * 1.5));
    const crashedAgain = nextEvent((event) => event.type === 'crashed' && event.incarnation === 3);
    await client.request('count.crash', { why: 'three' }).catch(() => {});
    await crashedAgain;
    const crashes = events.filter((event) => event.type === 'crashed');
    expect(crashes.map((event) => event.type === 'crashed' && event.consecutiveCrashes)).toEqual([1, 2, 1]);
  });

  it('reports a cell degraded when it crashes often, though never many times in a row', async () => {
    // healthyAfterMs 0: every incarnation counts as healthy, so no two crashes are ever "in a row".
    startBus({ initialDelayMs: 1, healthyAfterMs: 0, degradedAfterCrashes: 3, degradedWindowMs: 60_000 });
    await bus.start(counter);
    const client = bus.client('client', { request: ['count.add', 'count.crash'] });
    for (const [index, why] of ['one', 'two', 'three'].entries()) {
      expect(bus.health()[0]).toMatchObject({ recentCrashes: index, degraded: false });
      const restarted = nextEvent((event) => event.type === 'started' && event.incarnation === index + 2);
      await client.request('count.crash', { why }).catch(() => {});
      await restarted;
    }
    expect(bus.health()[0]).toMatchObject({ state: 'running', recentCrashes: 3, degraded: true });
    expect(events.filter((event) => event.type === 'crashed').map((event) => event.type === 'crashed' && event.consecutiveCrashes)).toEqual([1, 1, 1]);
    await expect(client.request('count.add', { by: 1 })).resolves.toEqual({ count: 1 });
  });
});

describe('giving up and stopping', () => {
  it('gives the cell up after maxRestarts crashes in a row and refuses its messages', async () => {
    startBus({ initialDelayMs: 1, maxRestarts: 2 });
    await bus.start(counter);
    const client = bus.client('client', { request: ['count.add', 'count.crash'] });
    startsToFail = 10;
    const gaveUp = nextEvent((event) => event.type === 'gave-up');
    await client.request('count.crash', { why: 'boom' }).catch(() => {});
    await expect(gaveUp).resolves.toEqual({ type: 'gave-up', cell: 'counter', consecutiveCrashes: 3 });
    expect(bus.health()[0]).toMatchObject({ state: 'failed' });
    await expect(client.request('count.add', { by: 1 })).rejects.toMatchObject({
      code: 'cell-unavailable',
      message: 'cell "counter" cannot take "count.add": it was given up after 3 crashes in a row',
    });
  });

  it('fails the start of the system when the first start fails', async () => {
    startBus({});
    startsToFail = 1;
    await expect(bus.start(counter)).rejects.toThrow('cell "counter" failed to start: the database is down');
    const client = bus.client('client', { request: ['count.add'] });
    await expect(client.request('count.add', { by: 1 })).rejects.toMatchObject({
      code: 'cell-unavailable',
      message: 'cell "counter" cannot take "count.add": it failed to start: the database is down',
    });
  });

  it('finishes queued messages when stopped, then refuses new ones', async () => {
    startBus({});
    await bus.start(counter);
    const client = bus.client('client', { request: ['count.add'] });
    const queued = [1, 2, 3].map((by) => client.request('count.add', { by }));
    await bus.stop();
    await expect(Promise.all(queued)).resolves.toEqual([{ count: 1 }, { count: 3 }, { count: 6 }]);
    await expect(client.request('count.add', { by: 1 })).rejects.toMatchObject({
      code: 'cell-unavailable',
      message: 'cell "counter" cannot take "count.add": it has stopped',
    });
    expect(events.at(-1)).toEqual({ type: 'stopped', cell: 'counter' });
  });
});
//# sourceMappingURL=supervisor.test.ts.map
