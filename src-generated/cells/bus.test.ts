// generated from docs/cells/bus.lit.md by weft — edit the source, not this file
import { afterEach, describe, expect, it } from 'vitest';
import { createBus, type Bus } from './bus.js';
import { defineCell } from './cell.js';
import { CellError } from './errors.js';

type Shop = {
  events: { 'order.placed': { id: string; items: string[] } };
  requests: {
    'stock.count': { request: { item: string }; reply: { item: string; count: number } };
    'ledger.seen': { request: null; reply: { ids: string[] } };
    'shipping.seen': { request: null; reply: { ids: string[] } };
    'orders.echo': { request: { items: string[] }; reply: { items: string[] } };
    'orders.leak': { request: null; reply: null };
  };
};

const shopCell = defineCell<Shop>();

const stock = shopCell({
  name: 'stock',
  init: () => ({ counts: new Map([['apple', 3]]) }),
  serve: {
    'stock.count': ({ item }, { state }) => ({ item, count: state.counts.get(item) ?? 0 }),
  },
});

const ledger = shopCell({
  name: 'ledger',
  init: () => ({ ids: [] as string[] }),
  on: { 'order.placed': (order, { state }) => void state.ids.push(order.id) },
  serve: { 'ledger.seen': (_request, { state }) => ({ ids: state.ids }) },
});

const shipping = shopCell({
  name: 'shipping',
  init: () => ({ ids: [] as string[] }),
  on: { 'order.placed': (order, { state }) => void state.ids.push(order.id) },
  serve: { 'shipping.seen': (_request, { state }) => ({ ids: state.ids }) },
});

let bus: Bus<Shop>;
afterEach(async () => {
  await bus.stop();
});

describe('request/reply and publish/subscribe', () => {
  it('answers a request with the reply of the cell that serves the topic', async () => {
    bus = createBus<Shop>();
    await bus.start(stock);
    const shop = bus.client('shop', { request: ['stock.count'] });
    await expect(shop.request('stock.count', { item: 'apple' })).resolves.toEqual({ item: 'apple', count: 3 });
  });

  it('delivers an event to every subscriber', async () => {
    bus = createBus<Shop>();
    await bus.start(ledger);
    await bus.start(shipping);
    const shop = bus.client('shop', { publish: ['order.placed'], request: ['ledger.seen', 'shipping.seen'] });
    await shop.publish('order.placed', { id: 'o-1', items: ['apple'] });
    await expect(shop.request('ledger.seen', null)).resolves.toEqual({ ids: ['o-1'] });
    await expect(shop.request('shipping.seen', null)).resolves.toEqual({ ids: ['o-1'] });
  });

  it('accepts an event nobody subscribes to', async () => {
    bus = createBus<Shop>();
    const shop = bus.client('shop', { publish: ['order.placed'] });
    await expect(shop.publish('order.placed', { id: 'o-1', items: [] })).resolves.toBeUndefined();
  });

  it('refuses a request nobody serves', async () => {
    bus = createBus<Shop>();
    const shop = bus.client('shop', { request: ['stock.count'] });
    await expect(shop.request('stock.count', { item: 'apple' })).rejects.toMatchObject({
      code: 'no-responder',
      message: '"shop" requested "stock.count", but no cell serves it',
    });
  });
});

describe('messages are copies', () => {
  it('gives the receiver its own copy, and the sender its own copy of the reply', async () => {
    bus = createBus<Shop>();
    const kept: string[][] = [];
    await bus.start(
      shopCell({
        name: 'mutator',
        init: () => ({}),
        serve: {
          'orders.echo': (request) => {
            request.items.push('added by the receiver');
            kept.push(request.items);
            return request;
          },
        },
      }),
    );
    const shop = bus.client('shop', { request: ['orders.echo'] });
    const sent = { items: ['apple'] };
    const reply = await shop.request('orders.echo', sent);
    reply.items.push('added by the sender');
    expect(sent.items).toEqual(['apple']);
    expect(kept).toEqual([['apple', 'added by the receiver']]);
  });

  it('refuses a message that is not JSON before queuing it', async () => {
    bus = createBus<Shop>();
    await bus.start(stock);
    const shop = bus.client('shop', { request: ['stock.count'] });
    const item = 10n as unknown as string;
    await expect(shop.request('stock.count', { item })).rejects.toMatchObject({
      code: 'not-serializable',
      message: '"shop" cannot send on "stock.count": the message is not JSON (Do not know how to serialize a BigInt)',
    });
  });
});

describe('capabilities', () => {
  it('refuses a request the client was not granted', async () => {
    bus = createBus<Shop>();
    await bus.start(stock);
    const browser = bus.client('browser', { publish: ['order.placed'] });
    const refusal = await browser.request('stock.count', { item: 'apple' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CellError);
    expect(refusal).toMatchObject({
      code: 'capability-denied',
      cell: 'browser',
      topic: 'stock.count',
      message: '"browser" may not request "stock.count": the topic is not in its grants',
    });
  });

  it('refuses a publish the client was not granted, even with no subscribers', async () => {
    bus = createBus<Shop>();
    const browser = bus.client('browser', { request: ['stock.count'] });
    await expect(browser.publish('order.placed', { id: 'forged', items: [] })).rejects.toMatchObject({
      code: 'capability-denied',
      message: '"browser" may not publish "order.placed": the topic is not in its grants',
    });
  });

  it('refuses a send from inside a cell that was not granted, and reports the crash to the requester', async () => {
    bus = createBus<Shop>();
    await bus.start(ledger);
    await bus.start(
      shopCell({
        name: 'leaky',
        grants: { request: ['stock.count'] },
        init: () => ({}),
        serve: {
          'orders.leak': async (_request, context) => {
            await context.publish('order.placed', { id: 'forged', items: [] });
            return null;
          },
        },
      }),
    );
    const shop = bus.client('shop', { request: ['orders.leak'] });
    await expect(shop.request('orders.leak', null)).rejects.toMatchObject({
      code: 'handler-failed',
      message: 'cell "leaky" crashed handling "orders.leak": "leaky" may not publish "order.placed": the topic is not in its grants',
    });
  });
});

describe('wiring', () => {
  it('refuses a second cell serving the same request topic', async () => {
    bus = createBus<Shop>();
    await bus.start(stock);
    await expect(bus.start({ ...stock, name: 'stock-2' })).rejects.toThrow(
      new TypeError('Cannot start cell "stock-2": "stock.count" is already served by cell "stock"; a request topic has one server'),
    );
  });

  it('refuses a client named like a cell', async () => {
    bus = createBus<Shop>();
    await bus.start(stock);
    expect(() => bus.client('stock', {})).toThrow(
      new TypeError('Cannot register "stock" twice: cells and clients need unique names'),
    );
  });
});
//# sourceMappingURL=bus.test.ts.map
