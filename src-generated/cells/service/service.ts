// generated from docs/cells/service.lit.md by weft — edit the source, not this file
// The key-value service as a function: cells on a bus, placed as configured; the HTTP edge; a server
// on 127.0.0.1 only. `stop` closes the server first, so requests in flight finish, then the cells.
// Used by main.ts and directly by the tests.

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBus, type Bus } from '../bus.js';
import { inProcess, type TransportFactory } from '../transport.js';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { inChildProcess } from '../child-process.js';
import { reasonOf } from '../errors.js';
import { closeConnection, outboxOf, overNats, partitionOf, serveCellOverNats, type NatsServing } from '../nats.js';
import { inWorker } from '../worker.js';
import { kvCell, serviceCells } from './cells.js';
import { serviceConfigToEnv, type NatsConfig, type ServiceCellName, type ServiceConfig } from './config.js';
import type { KvContract } from './contract.js';
import { httpEdgeGrants, kvRequestListener } from './http.js';

export interface ServiceOptions {
  /** The bundled service script, which workers and child processes run; required if any cell is placed in one. */
  readonly workerScript?: URL | string;
  /** Where supervision events go, one JSON line each. @default nowhere */
  readonly log?: (line: string) => void;
}

export interface RunningService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly bus: Bus<KvContract>;
  /** Stop taking connections, let requests in flight finish, then stop the cells. */
  stop(): Promise<void>;
}

export async function startService(config: ServiceConfig, options: ServiceOptions = {}): Promise<RunningService> {
  const bus = createBus<KvContract>();
  const { log } = options;
  if (log !== undefined) bus.observe((event) => log(JSON.stringify(event)));
  const broker = config.nats === undefined ? undefined : await connectTo(config.nats);
  let serving: NatsServing | undefined;
  const stopCells = async (): Promise<void> => {
    await serving?.stop();
    await bus.stop();
    if (broker !== undefined) await closeConnection(broker);
  };
  try {
    for (const cell of serviceCells(config)) {
      await bus.start(cell, { transport: placementFor(cell.name as ServiceCellName, config, options, broker) });
    }
    if (broker !== undefined && config.nats !== undefined) serving = await serveKvPartition(bus, broker, config, config.nats);
  } catch (error) {
    await stopCells();
    throw error;
  }
  const edge = bus.client('http', httpEdgeGrants);
  const server = createServer(
    kvRequestListener(edge, { maxValueBytes: config.maxValueBytes, health: () => bus.health(), ...(log === undefined ? {} : { log }) }),
  );
  server.listen(config.port, '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (error) {
    await stopCells();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  // A keep-alive connection that finishes its last request after `close` would otherwise hold the
  // stop for the server's keep-alive timeout (5 s): close each as soon as it is idle.
  let closing = false;
  server.on('request', (_request, response) => {
    response.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    bus,
    async stop() {
      const closed = once(server, 'close');
      closing = true;
      server.close();
      server.closeIdleConnections();
      await closed;
      await stopCells();
    },
  };
}

async function connectTo(nats: NatsConfig): Promise<NatsConnection> {
  try {
    return await connect({ servers: nats.url, name: `cells-kv-${nats.partition}` });
  } catch (error) {
    throw new Error(`NATS_URL "${nats.url}": cannot connect: ${reasonOf(error)}`, { cause: error });
  }
}

/** The subject of the kv partition that owns `key`'s messages. */
function kvSubject(partition: number): string {
  return `cells.kv.${partition}`;
}

function kvBehindTheBroker(broker: NatsConnection, nats: NatsConfig): TransportFactory {
  return overNats({
    connection: broker,
    subjectFor: (_cell, envelope) => kvSubject(partitionOf((JSON.parse(envelope.body) as { key: string }).key, nats.partitions)),
  });
}

function serveKvPartition(bus: Bus<KvContract>, broker: NatsConnection, config: ServiceConfig, nats: NatsConfig): Promise<NatsServing> {
  const kv = kvCell(config);
  return serveCellOverNats(kv, { connection: broker, subject: kvSubject(nats.partition), outbox: outboxOf(bus.client('kv@nats', kv.grants)) });
}

function placementFor(cell: ServiceCellName, config: ServiceConfig, options: ServiceOptions, broker?: NatsConnection): TransportFactory {
  if (cell === 'kv' && broker !== undefined && config.nats !== undefined) return kvBehindTheBroker(broker, config.nats);
  const where = config.inWorker.includes(cell) ? 'worker' : config.inChildProcess.includes(cell) ? 'child process' : undefined;
  if (where === undefined) return inProcess();
  if (options.workerScript === undefined) {
    throw new TypeError(`Cannot place cell "${cell}" in a ${where} without \`workerScript\`: pass the bundled service script`);
  }
  const placement = { script: options.workerScript, env: { ...stringEntries(process.env), ...serviceConfigToEnv(config) } };
  return where === 'worker' ? inWorker(placement) : inChildProcess(placement);
}

function stringEntries(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
//# sourceMappingURL=service.ts.map
