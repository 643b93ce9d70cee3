// generated from docs/cells/broker.lit.md by weft — edit the source, not this file
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type Bus } from './bus.js';
import { outboxOf, overNats, partitionOf, serveCellOverNats, type NatsServing } from './nats.js';
import { openStreamTrail } from './service/audit-stream.js';
import { freePort } from './testing/helpers.js';
import { probe, type ProbeContract } from './testing/probe-cells.js';

/** Where `nats-server` is, if it is installed. */
const natsServer = await new Promise<string | undefined>((resolve) => {
  execFile('sh', ['-c', 'command -v nats-server'], (error, stdout) => resolve(error === null ? stdout.trim() : undefined));
});

describe('partitionOf', () => {
  it('maps a key to the same partition in every process, within range', () => {
    expect(['a', 'b', 'café', 'demo-1', 'demo-2'].map((key) => partitionOf(key, 2))).toEqual([0, 1, 1, 0, 1]);
    expect(partitionOf('anything', 1)).toBe(0);
  });

  it('spreads a thousand keys over two partitions roughly evenly', () => {
    const first = Array.from({ length: 1000 }, (_, index) => partitionOf(`demo-${index}`, 2)).filter((partition) => partition === 0).length;
    expect(first).toBeGreaterThan(400);
    expect(first).toBeLessThan(600);
  });
});

describe('cells behind a NATS broker', () => {
  let server: ChildProcess;
  let url: string;
  let store: string;
  beforeAll(async () => {
    if (natsServer === undefined) throw new Error('nats-server is not installed: apt-get install -y nats-server (.ci/run installs it)');
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    store = await mkdtemp(join(tmpdir(), 'weft-cells-nats-'));
    server = spawn(natsServer, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', join(store, 'jetstream')], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let log = '';
      server.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) resolve();
      });
      server.once('exit', (code) => reject(new Error(`nats-server exited with code ${String(code)}: ${log}`)));
    });
  });
  afterAll(async () => {
    if (server !== undefined && server.exitCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    }
    if (store !== undefined) await rm(store, { recursive: true, force: true });
  });

  describe('a cell served over NATS', () => {
    let connection: NatsConnection;
    let requester: Bus<ProbeContract>;
    let server: Bus<ProbeContract>;
    let serving: NatsServing;
    beforeAll(async () => {
      connection = await connect({ servers: url });
      server = createBus<ProbeContract>();
      serving = await serveCellOverNats(probe, { connection, subject: 'cells.probe', outbox: outboxOf(server.client('probe@nats', probe.grants)) });
      requester = createBus<ProbeContract>({ restart: { initialDelayMs: 1 } });
      await requester.start(probe, { transport: overNats({ connection }) });
    });
    afterAll(async () => {
      await requester.stop();
      await serving.stop();
      await server.stop();
      await connection.drain();
    });
    const client = () => requester.client(`test-${Math.random()}`, { request: ['probe.echo', 'probe.count', 'probe.throw', 'probe.publish'] });

    it('answers, keeps state, and starts afresh after a crash', async () => {
      const sender = client();
      await expect(sender.request('probe.echo', { text: 'over the broker' })).resolves.toEqual({ text: 'over the broker', thread: 'main' });
      await sender.request('probe.count', null);
      await expect(sender.request('probe.count', null)).resolves.toEqual({ count: 2 });
      await expect(sender.request('probe.throw', { message: 'boom' })).rejects.toMatchObject({
        code: 'handler-failed',
        message: 'cell "probe" crashed handling "probe.throw": boom',
      });
      await expect(sender.request('probe.count', null)).resolves.toEqual({ count: 1 });
      expect(requester.health()[0]).toMatchObject({ cell: 'probe', placement: 'nats' });
    });

    it('checks the grants of the cell\'s own sends on the serving side', async () => {
      await expect(client().request('probe.publish', { topic: 'probe.secret', text: 'forbidden' })).rejects.toMatchObject({
        code: 'handler-failed',
        message: 'cell "probe" crashed handling "probe.publish": "probe@nats" may not publish "probe.secret": the topic is not in its grants',
      });
    });
  });

  describe('the audit stream', () => {
    it('numbers entries for the whole system and appends a repeated id once', async () => {
      const first = await openStreamTrail(url);
      const second = await openStreamTrail(url); // another process, the same stream
      try {
        const change = { id: 'write-1', action: 'put', key: 'k', bytes: 1 } as const;
        const appended = await first.append(change);
        await expect(second.append(change)).resolves.toMatchObject({ sequence: appended.sequence });
        const other = await second.append({ ...change, id: 'write-2' });
        expect(other.sequence).toBe(appended.sequence + 1);
        const recent = await first.recent(1000);
        expect(recent.filter((entry) => entry.id === 'write-1')).toHaveLength(1);
        expect(recent.at(-1)).toMatchObject({ sequence: other.sequence, id: 'write-2', action: 'put', key: 'k', bytes: 1 });
      } finally {
        await first.close();
        await second.close();
      }
    });

    it('refuses to start the service on a broker it cannot reach, naming NATS_URL', async () => {
      await expect(openStreamTrail(`nats://127.0.0.1:${await freePort()}`)).rejects.toThrow(/^NATS_URL "nats:\/\/127\.0\.0\.1:\d+": the audit stream cannot be opened: /);
    });
  });
});
//# sourceMappingURL=broker.test.ts.map
