// generated from docs/cells/benchmark.lit.md by weft — edit the source, not this file
// The benchmark behind criteria.lit.md: the cost of one request/reply round trip to an echo cell in
// process, in a worker thread, and over loopback HTTP to a child process. Run it with
// `node scripts/cells/bench.mjs`, which bundles this file: the bundle is also the worker's script
// and the child's program, so the role is chosen when it loads. Every loop is bounded by a count.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { type AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { createBus, type Bus } from './bus.js';
import { defineCell } from './cell.js';
import { inProcess, type TransportFactory } from './transport.js';
import { inWorker } from './worker.js';
import { serveCellInWorker } from './worker-host.js';
import { inChildProcess } from './child-process.js';
import { isCellChildProcess, serveCellInChildProcess } from './child-host.js';

interface Payload {
  readonly id: number;
  readonly text: string;
  readonly tags: readonly string[];
}

type EchoContract = {
  events: Record<string, never>;
  requests: { 'bench.echo': { request: Payload; reply: Payload } };
};

const echo = defineCell<EchoContract>()({
  name: 'echo',
  budget: { mailboxDepth: 256 },
  init: () => ({}),
  serve: { 'bench.echo': (payload) => payload },
});

const payload = (id: number): Payload => ({
  id,
  text: 'the quick brown fox jumps over the lazy dog',
  tags: ['bench', 'echo', 'cells'],
});

/** One transport's figures. Times in microseconds. */
export interface Measurement {
  readonly transport: string;
  /** Median round trip, one request at a time, µs. */
  readonly p50Micros: number;
  /** The lowest and highest median of a single round, µs: the spread a comparison must survive. */
  readonly p50RangeMicros: readonly [number, number];
  /** 99th percentile round trip, one request at a time, µs. */
  readonly p99Micros: number;
  /** Round trips per second with `concurrency` in flight. */
  readonly throughputPerSecond: number;
  /** Requests kept in flight for the throughput figure. */
  readonly concurrency: number;
  /** Sender-side time per message when saturated, µs: 1e6 / throughput. */
  readonly microsPerMessage: number;
}

interface Sizes {
  readonly warmup: number;
  /** Rounds of each measurement; latency samples are pooled, throughput is the median round. */
  readonly rounds: number;
  readonly latencyRequests: number;
  readonly throughputRequests: number;
  readonly concurrency: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

async function measure(transport: string, send: (message: Payload) => Promise<unknown>, sizes: Sizes): Promise<Measurement> {
  for (let id = 0; id < sizes.warmup; id += 1) await send(payload(id));
  const roundTrips: number[] = [];
  const roundMedians: number[] = [];
  const throughputs: number[] = [];
  for (let round = 0; round < sizes.rounds; round += 1) {
    const thisRound: number[] = [];
    for (let id = 0; id < sizes.latencyRequests; id += 1) {
      const started = performance.now();
      await send(payload(id));
      thisRound.push((performance.now() - started) * 1000);
    }
    roundTrips.push(...thisRound);
    roundMedians.push(percentile(thisRound.sort((a, b) => a - b), 0.5));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: sizes.concurrency }, async () => {
        while (next < sizes.throughputRequests) await send(payload(next++));
      }),
    );
    throughputs.push(sizes.throughputRequests / ((performance.now() - started) / 1000));
  }
  roundTrips.sort((a, b) => a - b);
  throughputs.sort((a, b) => a - b);
  const throughputPerSecond = percentile(throughputs, 0.5);
  return {
    transport,
    p50Micros: percentile(roundTrips, 0.5),
    p50RangeMicros: [Math.min(...roundMedians), Math.max(...roundMedians)],
    p99Micros: percentile(roundTrips, 0.99),
    throughputPerSecond,
    concurrency: sizes.concurrency,
    microsPerMessage: 1e6 / throughputPerSecond,
  };
}

async function measureOnBus(transport: string, factory: TransportFactory, sizes: Sizes): Promise<Measurement> {
  const bus: Bus<EchoContract> = createBus<EchoContract>();
  try {
    await bus.start(echo, { transport: factory });
    const client = bus.client('bench', { request: ['bench.echo'] });
    return await measure(transport, (message) => client.request('bench.echo', message), sizes);
  } finally {
    await bus.stop();
  }
}

async function measureOverLoopbackHttp(sizes: Sizes): Promise<Measurement> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, CELLS_BENCH_ROLE: 'http-echo' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const port = Number(/^listening (\d+)$/.exec(line)?.[1]);
    if (!Number.isInteger(port)) throw new Error(`the HTTP echo child said "${line}", not "listening <port>"`);
    const agent = new Agent({ keepAlive: true, maxSockets: sizes.concurrency });
    const send = (message: Payload) =>
      new Promise<unknown>((resolve, reject) => {
        const body = JSON.stringify(message);
        const outgoing = httpRequest(
          { host: '127.0.0.1', port, path: '/echo', method: 'POST', agent, headers: { 'content-type': 'application/json' } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
            response.on('error', reject);
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    const measurement = await measure('loopback HTTP', send, sizes);
    agent.destroy();
    return measurement;
  } finally {
    child.kill();
  }
}

async function serveEchoOverHttp(): Promise<void> {
  const bus = createBus<EchoContract>();
  await bus.start(echo);
  const client = bus.client('http', { request: ['bench.echo'] });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Payload;
      client.request('bench.echo', message).then(
        (reply) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply)),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    });
  });
  server.listen(0, '127.0.0.1', () => {
    console.log(`listening ${(server.address() as AddressInfo).port}`);
  });
}

function printTable(results: readonly Measurement[]): void {
  const cpu = cpus();
  const [load] = loadavg();
  console.log(`cells benchmark — Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, load ${load?.toFixed(1)}`);
  console.log('');
  console.log('| transport | p50 | p50 of one round, lowest–highest | p99 | throughput | per message |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const result of results) {
    const micros = (value: number) => `${value.toFixed(value < 100 ? 1 : 0)} µs`;
    console.log(
      `| ${result.transport} | ${micros(result.p50Micros)} | ${micros(result.p50RangeMicros[0])}–${micros(result.p50RangeMicros[1])} | ${micros(result.p99Micros)} | ` +
        `${Math.round(result.throughputPerSecond).toLocaleString('en')}/s (${result.concurrency} in flight) | ${micros(result.microsPerMessage)} |`,
    );
  }
}

async function runBenchmark(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const sizes: Sizes = quick
    ? { warmup: 200, rounds: 1, latencyRequests: 500, throughputRequests: 1000, concurrency: 32 }
    : { warmup: 1000, rounds: 3, latencyRequests: 2000, throughputRequests: 4000, concurrency: 32 };
  const results = [
    await measureOnBus('in process', inProcess(), sizes),
    await measureOnBus('worker', inWorker({ script: new URL(import.meta.url) }), sizes),
    await measureOnBus('child process', inChildProcess({ script: new URL(import.meta.url) }), sizes),
    await measureOverLoopbackHttp(sizes),
  ];
  if (process.argv.includes('--json')) console.log(JSON.stringify({ node: process.version, load: loadavg()[0], sizes, results }, null, 2));
  else printTable(results);
}

if (!isMainThread) {
  serveCellInWorker([echo]);
} else if (isCellChildProcess()) {
  serveCellInChildProcess([echo]);
} else if (process.env['CELLS_BENCH_ROLE'] === 'http-echo') {
  await serveEchoOverHttp();
} else {
  await runBenchmark();
}
//# sourceMappingURL=bench.ts.map
