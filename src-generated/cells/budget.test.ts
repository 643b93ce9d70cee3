// generated from docs/cells/mailbox.lit.md by weft — edit the source, not this file
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBudget, type Budget } from './budget.js';
import { createBus, type Bus } from './bus.js';
import { defineCell } from './cell.js';

type Work = {
  events: Record<string, never>;
  requests: {
    'work.do': { request: { payload: string }; reply: { done: string } };
    'work.reply-big': { request: { bytes: number }; reply: { data: string } };
    'work.sleep': { request: { ms: number }; reply: null };
    'work.spin': { request: { ms: number }; reply: null };
  };
};

/** A promise the test opens by hand, to hold a handler mid-message. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** A cell named "jobs" with `budget`, whose `work.do` handler waits for `hold` first. */
function jobs(budget: Partial<Budget>, hold = Promise.resolve()) {
  return defineCell<Work>()({
    name: 'jobs',
    budget,
    init: () => ({}),
    serve: {
      'work.do': async ({ payload }) => {
        await hold;
        return { done: payload };
      },
      'work.reply-big': ({ bytes }) => ({ data: 'x'.repeat(bytes) }),
      'work.sleep': async ({ ms }, { signal }) => {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => clearTimeout(timer));
        });
        return null;
      },
      'work.spin': ({ ms }) => {
        const until = performance.now() + ms;
        while (performance.now() < until) {
          // Busy: a synchronous handler cannot be interrupted in process.
        }
        return null;
      },
    },
  });
}

let bus: Bus<Work>;
afterEach(async () => {
  await bus.stop();
});

describe('message size budget', () => {
  it('refuses a message over the byte budget of the receiver before queuing it', async () => {
    bus = createBus<Work>();
    await bus.start(jobs({ maxMessageBytes: 64 }));
    const client = bus.client('client', { request: ['work.do'] });
    await expect(client.request('work.do', { payload: 'x'.repeat(100) })).rejects.toMatchObject({
      code: 'message-too-large',
      message: 'message on "work.do" is 114 bytes, over cell "jobs"\'s budget of 64 bytes',
    });
    await expect(client.request('work.do', { payload: 'ok' })).resolves.toEqual({ done: 'ok' });
  });

  it('refuses a reply over the byte budget of the cell, and the cell keeps running', async () => {
    bus = createBus<Work>();
    await bus.start(jobs({ maxMessageBytes: 64 }));
    const client = bus.client('client', { request: ['work.reply-big', 'work.do'] });
    await expect(client.request('work.reply-big', { bytes: 100 })).rejects.toMatchObject({
      code: 'message-too-large',
      message: 'reply on "work.reply-big" is 111 bytes, over cell "jobs"\'s budget of 64 bytes',
    });
    await expect(client.request('work.do', { payload: 'ok' })).resolves.toEqual({ done: 'ok' });
    expect(bus.health()[0]).toMatchObject({ state: 'running', restarts: 0 });
  });
});

describe('mailbox depth budget', () => {
  it('refuses a sender at once when the mailbox is full', async () => {
    const held = gate();
    bus = createBus<Work>();
    await bus.start(jobs({ mailboxDepth: 2 }, held.opened));
    const client = bus.client('client', { request: ['work.do'] });
    const accepted = ['a', 'b', 'c'].map((payload) => client.request('work.do', { payload }));
    await expect(client.request('work.do', { payload: 'd' })).rejects.toMatchObject({
      code: 'mailbox-full',
      message: 'cell "jobs" refused "work.do": its mailbox is full (depth 2)',
    });
    held.open();
    await expect(Promise.all(accepted)).resolves.toEqual([{ done: 'a' }, { done: 'b' }, { done: 'c' }]);
  });

  it('makes a sender wait for room when the cell waits, and refuses it after maxWaitMs', async () => {
    const held = gate();
    bus = createBus<Work>();
    await bus.start(jobs({ mailboxDepth: 1, whenFull: 'wait', maxWaitMs: 20 }, held.opened));
    const client = bus.client('client', { request: ['work.do'] });
    const accepted = ['a', 'b'].map((payload) => client.request('work.do', { payload }));
    await expect(client.request('work.do', { payload: 'late' })).rejects.toMatchObject({
      code: 'mailbox-full',
      message: 'cell "jobs" refused "work.do": its mailbox is full (depth 1) after waiting 20 ms',
    });
    const waiting = client.request('work.do', { payload: 'waited' });
    held.open();
    await expect(Promise.all([...accepted, waiting])).resolves.toEqual([{ done: 'a' }, { done: 'b' }, { done: 'waited' }]);
  });
});

describe('handler time budget', () => {
  it('answers handler-timeout when an asynchronous handler runs past its budget, and restarts the cell', async () => {
    bus = createBus<Work>({ restart: { initialDelayMs: 1 } });
    await bus.start(jobs({ handlerTimeoutMs: 20 }));
    const client = bus.client('client', { request: ['work.sleep', 'work.do'] });
    const started = performance.now();
    await expect(client.request('work.sleep', { ms: 5000 })).rejects.toMatchObject({
      code: 'handler-timeout',
      message: 'cell "jobs" ran past its 20 ms budget handling "work.sleep"',
    });
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(client.request('work.do', { payload: 'after' })).resolves.toEqual({ done: 'after' });
    expect(bus.health()[0]).toMatchObject({ restarts: 1 });
  });

  it('reports a synchronous overrun as handler-timeout once the handler returns', async () => {
    bus = createBus<Work>({ restart: { initialDelayMs: 1 } });
    await bus.start(jobs({ handlerTimeoutMs: 10 }));
    const client = bus.client('client', { request: ['work.spin'] });
    await expect(client.request('work.spin', { ms: 40 })).rejects.toMatchObject({ code: 'handler-timeout' });
  });
});

describe('resolveBudget', () => {
  it('fills in the defaults', () => {
    expect(resolveBudget({ mailboxDepth: 8 }, 'cell "x"')).toEqual({
      maxMessageBytes: 65536,
      handlerTimeoutMs: 1000,
      mailboxDepth: 8,
      whenFull: 'reject',
      maxWaitMs: 1000,
    });
  });

  it('rejects an unknown key, naming it', () => {
    expect(() => resolveBudget({ mailboxSize: 8 } as never, 'cell "x"')).toThrow(
      new TypeError(
        'Unknown budget option `mailboxSize` for cell "x"; expected one of: maxMessageBytes, handlerTimeoutMs, mailboxDepth, whenFull, maxWaitMs',
      ),
    );
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => resolveBudget({ handlerTimeoutMs: 0 }, 'cell "x"')).toThrow(
      new TypeError('Budget option `handlerTimeoutMs` for cell "x" must be a positive integer, got 0'),
    );
  });
});
//# sourceMappingURL=budget.test.ts.map
