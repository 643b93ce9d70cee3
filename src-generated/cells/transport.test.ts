// generated from docs/cells/transport.lit.md by weft — edit the source, not this file
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type Bus } from './bus.js';
import type { SupervisionEvent } from './supervisor.js';
import { bundleScript, nextEvent as nextEventOn, type Bundle } from './testing/helpers.js';
import { probe, type ProbeContract } from './testing/probe-cells.js';
import { inProcess, type TransportFactory } from './transport.js';
import { inChildProcess } from './child-process.js';
import { inWorker } from './worker.js';
import { serveCellInWorker } from './worker-host.js';

let bundle: Bundle;
beforeAll(async () => {
  bundle = await bundleScript(fileURLToPath(new URL('./testing/host-entry.ts', import.meta.url)));
});
afterAll(async () => {
  await bundle.dispose();
});

const placements: Record<'in-process' | 'worker' | 'child-process', () => TransportFactory> = {
  'in-process': () => inProcess(),
  worker: () => inWorker({ script: bundle.script }),
  'child-process': () => inChildProcess({ script: bundle.script }),
};

let bus: Bus<ProbeContract>;
afterEach(async () => {
  await bus.stop();
});

const nextEvent = (predicate: (event: SupervisionEvent) => boolean) => nextEventOn(bus, predicate);

async function startProbe(placement: keyof typeof placements, transport = placements[placement](), cell = probe) {
  bus = createBus<ProbeContract>({ restart: { initialDelayMs: 1 } });
  await bus.start(cell, { transport });
  return bus.client('test', {
    request: ['probe.echo', 'probe.pid', 'probe.count', 'probe.throw', 'probe.spin', 'probe.publish', 'probe.notes', 'probe.die-later', 'probe.hoard'],
  });
}

describe.each([
  { placement: 'in-process', where: 'in process' },
  { placement: 'worker', where: 'in a worker' },
  { placement: 'child-process', where: 'in a child process' },
] as const)('a cell placed $where', ({ placement }) => {
  const hosted = placement !== 'in-process';

  it('answers requests from the thread its placement says', async () => {
    const client = await startProbe(placement);
    const thread = placement === 'in-process' ? 'main' : placement;
    await expect(client.request('probe.echo', { text: 'hi' })).resolves.toEqual({ text: 'hi', thread });
    expect(bus.health()[0]).toMatchObject({ cell: 'probe', placement, state: 'running' });
  });

  it('keeps state between messages and starts afresh after a crash', async () => {
    const client = await startProbe(placement);
    await client.request('probe.count', null);
    await expect(client.request('probe.count', null)).resolves.toEqual({ count: 2 });
    await expect(client.request('probe.throw', { message: 'boom' })).rejects.toMatchObject({
      code: 'handler-failed',
      message: 'cell "probe" crashed handling "probe.throw": boom',
    });
    await expect(client.request('probe.count', null)).resolves.toEqual({ count: 1 });
  });

  it('checks the grants of sends made inside the cell on the bus side', async () => {
    const client = await startProbe(placement);
    await client.request('probe.publish', { topic: 'probe.noted', text: 'allowed' });
    await expect(client.request('probe.notes', null)).resolves.toEqual({ notes: ['allowed'] });
    await expect(client.request('probe.publish', { topic: 'probe.secret', text: 'forbidden' })).rejects.toMatchObject({
      code: 'handler-failed',
      message: 'cell "probe" crashed handling "probe.publish": "probe" may not publish "probe.secret": the topic is not in its grants',
    });
  });

  it('holds a CPU-bound handler to its time budget', async () => {
    const client = await startProbe(placement);
    const spinMs = 1500; // six times the 250 ms budget
    const started = performance.now();
    const spinning = client.request('probe.spin', { ms: spinMs });
    await expect(spinning).rejects.toMatchObject({
      code: 'handler-timeout',
      message: 'cell "probe" ran past its 250 ms budget handling "probe.spin"',
    });
    const elapsed = performance.now() - started;
    // A host is terminated at the limit, long before the spin ends; in process the handler can only
    // be judged when it returns.
    if (hosted) expect(elapsed).toBeLessThan(spinMs);
    else expect(elapsed).toBeGreaterThanOrEqual(spinMs);
  });

  it('leaves the main event loop free while a handler spins only if the cell is hosted', async () => {
    // A spin longer than the 250 ms budget makes a difference easier to see; budgets are enforced on
    // the bus's side, so a more patient copy of the cell there is enough.
    const patient = { ...probe, budget: { ...probe.budget, handlerTimeoutMs: 5000 } };
    const client = await startProbe(placement, placements[placement](), patient);
    const spinMs = 600;
    const spinning = client.request('probe.spin', { ms: spinMs });
    const scheduled = performance.now();
    const lagMs = await new Promise<number>((resolve) => setTimeout(() => resolve(performance.now() - scheduled), 0));
    await spinning;
    if (hosted) expect(lagMs).toBeLessThan(spinMs / 2);
    else expect(lagMs).toBeGreaterThanOrEqual(spinMs);
  });
});

describe.each([
  { placement: 'worker', died: 'its worker failed: a timer threw' },
  { placement: 'child-process', died: 'its process exited with code 1' },
] as const)('a cell placed in a $placement, unlike one in process', ({ placement, died }) => {
  it('restarts when its host dies outside a handler', async () => {
    const client = await startProbe(placement);
    const crashed = nextEvent((event) => event.type === 'crashed');
    const restarted = nextEvent((event) => event.type === 'started' && event.incarnation === 2);
    await client.request('probe.die-later', null);
    await expect(crashed).resolves.toMatchObject({ reason: died });
    await restarted;
    await expect(client.request('probe.count', null)).resolves.toEqual({ count: 1 });
  });
});

describe('a cell placed in a child process', () => {
  it('is restarted after SIGKILL, in a new process, while the rest keeps answering', async () => {
    const client = await startProbe('child-process');
    const { pid } = await client.request('probe.pid', null);
    expect(pid).not.toBe(process.pid);
    const crashed = nextEvent((event) => event.type === 'crashed');
    const restarted = nextEvent((event) => event.type === 'started' && event.incarnation === 2);
    process.kill(pid, 'SIGKILL');
    await expect(crashed).resolves.toMatchObject({ reason: 'its process was killed by SIGKILL' });
    await restarted;
    await expect(client.request('probe.pid', null)).resolves.not.toEqual({ pid });
    await expect(client.request('probe.count', null)).resolves.toEqual({ count: 1 });
  });

  it('fails to start a cell its script does not have', async () => {
    bus = createBus<ProbeContract>();
    const stranger = { ...probe, name: 'stranger' };
    await expect(bus.start(stranger, { transport: inChildProcess({ script: bundle.script }) })).rejects.toThrow(
      'cell "stranger" failed to start: its child process script has no cell named "stranger" (it has "probe")',
    );
  });
});

describe('a cell placed in a worker', () => {
  it('is stopped by its heap limit, and restarts with a fresh heap', async () => {
    // Collecting garbage near the limit is slow, so this probe gets more time. Budgets are enforced
    // on the bus's side, so overriding the parent's copy of the cell is enough.
    const patient = { ...probe, budget: { ...probe.budget, handlerTimeoutMs: 5000 } };
    const limited = inWorker({ script: bundle.script, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    const client = await startProbe('worker', limited, patient);
    const restarted = nextEvent((event) => event.type === 'started' && event.incarnation === 2);
    const refusal = await client.request('probe.hoard', { mb: 64 }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'handler-failed' });
    expect((refusal as Error).message).toMatch(/^cell "probe" crashed handling "probe.hoard": its worker failed: .*memory limit/);
    await restarted;
    await expect(client.request('probe.echo', { text: 'back' })).resolves.toEqual({ text: 'back', thread: 'worker' });
  });

  it('fails to start a cell its worker script does not have', async () => {
    bus = createBus<ProbeContract>();
    const stranger = { ...probe, name: 'stranger' };
    await expect(bus.start(stranger, { transport: inWorker({ script: bundle.script }) })).rejects.toThrow(
      'cell "stranger" failed to start: its worker script has no cell named "stranger" (it has "probe")',
    );
  });

  it('refuses to serve cells on the main thread', () => {
    bus = createBus<ProbeContract>();
    expect(() => serveCellInWorker([probe])).toThrow(
      new TypeError('Cannot `serveCellInWorker` on the main thread: call it from the script an `inWorker({ script })` placement runs'),
    );
  });
});
//# sourceMappingURL=transport.test.ts.map
