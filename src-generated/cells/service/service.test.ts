// generated from docs/cells/service.lit.md by weft — edit the source, not this file
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript, inTemporaryDirectory, nextEvent, type Bundle } from '../testing/helpers.js';
import { loadServiceConfig, type ServiceConfig } from './config.js';
import { httpEdgeGrants } from './http.js';
import { startService, type RunningService } from './service.js';

const config = (overrides: Partial<ServiceConfig> = {}): ServiceConfig => ({ ...loadServiceConfig({ PORT: '0' }), ...overrides });

let service: RunningService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

async function call(method: string, path: string, body?: string): Promise<{ status: number; text: string; headers: Headers }> {
  if (service === undefined) throw new Error('start the service first');
  const response = await fetch(`${service.url}${path}`, { method, ...(body === undefined ? {} : { body }) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function putInChunks(url: string, path: string, parts: readonly string[], between?: () => void): Promise<{ status: number; body: string }> {
  const request = httpRequest(`${url}${path}`, { method: 'PUT', headers: { 'transfer-encoding': 'chunked' } });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
  });
  const [first, ...rest] = parts;
  await new Promise<void>((resolve) => request.write(first ?? '', () => resolve()));
  if (between !== undefined) {
    await (await fetch(`${url}/health`, { headers: { connection: 'close' } })).text();
    between();
  }
  for (const part of rest) request.write(part);
  request.end();
  return answered;
}

/** What one PUT of a load got, and when (`performance.now()`). */
interface PutOutcome {
  readonly key: string;
  readonly status: number;
  /** When the request was sent and when its answer was read (`performance.now()`). */
  readonly sentAt: number;
  readonly answeredAt: number;
}

/** PUT `total` distinct keys through `concurrency` connections; `before(index)` runs before each is sent. */
async function putUnderLoad(url: string, total: number, concurrency: number, before: (index: number) => void): Promise<PutOutcome[]> {
  const outcomes: PutOutcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      before(index);
      const key = `load-${index}`;
      const sentAt = performance.now();
      const response = await fetch(`${url}/kv/${key}`, { method: 'PUT', body: `value ${index}` });
      await response.arrayBuffer();
      outcomes.push({ key, status: response.status, sentAt, answeredAt: performance.now() });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

/** The keys in the audit log file, in order. */
async function auditLogKeys(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return text.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { key: string }).key);
}

describe('the key-value API', () => {
  it('stores, replaces, reads and deletes a value', async () => {
    service = await startService(config());
    expect((await call('PUT', '/kv/greeting', 'hello')).status).toBe(201);
    expect(await call('GET', '/kv/greeting')).toMatchObject({ status: 200, text: 'hello' });
    expect((await call('PUT', '/kv/greeting', 'hello again')).status).toBe(204);
    expect(await call('GET', '/kv/greeting')).toMatchObject({ status: 200, text: 'hello again' });
    expect((await call('DELETE', '/kv/greeting')).status).toBe(204);
    expect(await call('GET', '/kv/greeting')).toMatchObject({
      status: 404,
      text: '{"error":"not-found","message":"no value for key \\"greeting\\""}',
    });
  });

  it('percent-decodes keys', async () => {
    service = await startService(config());
    await call('PUT', '/kv/caf%C3%A9%20au%20lait', 'yes');
    await expect(service.bus.client('peek', { request: ['kv.get'] }).request('kv.get', { key: 'café au lait' })).resolves.toEqual({
      found: true,
      value: 'yes',
    });
  });

  it('reports every cell in /health', async () => {
    service = await startService(config());
    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({
      cells: [
        { cell: 'audit', placement: 'in-process', state: 'running', queued: 0, restarts: 0, recentCrashes: 0, degraded: false },
        { cell: 'kv', placement: 'in-process', state: 'running', queued: 0, restarts: 0, recentCrashes: 0, degraded: false },
      ],
    });
  });
});

describe('the audit trail', () => {
  it('records each change in order, and not reads', async () => {
    service = await startService(config());
    await call('PUT', '/kv/a', 'one');
    await call('GET', '/kv/a');
    await call('DELETE', '/kv/a');
    await call('DELETE', '/kv/a');
    const { entries } = JSON.parse((await call('GET', '/audit')).text) as { entries: unknown[] };
    expect(entries).toEqual([
      { sequence: 1, at: expect.any(String), id: expect.any(String), action: 'put', key: 'a', bytes: 3 },
      { sequence: 2, at: expect.any(String), id: expect.any(String), action: 'delete', key: 'a', bytes: 0 },
    ]);
  });

  it('has each acknowledged change in the audit log file by the time the client hears of it', async () => {
    await inTemporaryDirectory(async (directory) => {
      const auditLogFile = join(directory, 'audit.jsonl');
      service = await startService(config({ auditLogFile }));
      expect((await call('PUT', '/kv/a', 'one')).status).toBe(201);
      expect(await auditLogKeys(auditLogFile)).toEqual(['a']);
      expect((await call('PUT', '/kv/b', 'two')).status).toBe(201);
      expect(await auditLogKeys(auditLogFile)).toEqual(['a', 'b']);
    });
  });

  it('refuses a write it cannot audit with 503, and does not make it', async () => {
    await inTemporaryDirectory(async (directory) => {
      const auditLogFile = join(directory, 'audit.jsonl');
      service = await startService(config({ auditLogFile }));
      expect((await call('PUT', '/kv/a', 'one')).status).toBe(201);
      await rm(auditLogFile);
      await mkdir(auditLogFile); // the log is now a folder: no append can succeed
      const refused = await call('PUT', '/kv/b', 'two');
      expect(refused).toMatchObject({
        status: 503,
        text: '{"error":"audit-unavailable","message":"the audit log did not accept the change, so it was not made"}',
      });
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await call('GET', '/kv/b')).status).toBe(404);
      expect((await call('DELETE', '/kv/a')).status).toBe(503);
      expect(await call('GET', '/kv/a')).toMatchObject({ status: 200, text: 'one' });
    });
  });

  it('answers /health with 503 while the audit cell keeps crashing', async () => {
    await inTemporaryDirectory(async (directory) => {
      const auditLogFile = join(directory, 'audit.jsonl');
      service = await startService(config({ auditLogFile }));
      await rm(auditLogFile);
      await mkdir(auditLogFile);
      const thirdCrash = nextEvent(service.bus, (event) => event.type === 'crashed' && event.cell === 'audit' && event.consecutiveCrashes === 3);
      await call('PUT', '/kv/a', 'one'); // crashes the cell once; its restarts then fail to open the log
      await thirdCrash;
      const health = await call('GET', '/health');
      expect(health.status).toBe(503);
      expect(JSON.parse(health.text)).toMatchObject({ cells: [{ cell: 'audit', degraded: true }, { cell: 'kv', degraded: false }] });
    });
  });

  it('fails to start when AUDIT_LOG cannot be appended to, naming the variable', async () => {
    await inTemporaryDirectory(async (directory) => {
      await expect(startService(config({ auditLogFile: directory }))).rejects.toThrow(
        `cell "audit" failed to start: AUDIT_LOG "${directory}" cannot be appended to: EISDIR: illegal operation on a directory`,
      );
    });
  });

  it('continues the sequence in the log across restarts, past a torn last line', async () => {
    await inTemporaryDirectory(async (directory) => {
      const auditLogFile = join(directory, 'audit.jsonl');
      service = await startService(config({ auditLogFile }));
      await call('PUT', '/kv/a', 'one');
      await call('PUT', '/kv/b', 'two');
      await service.stop();
      await appendFile(auditLogFile, '{"sequence":3,"at":"2026-'); // a crash in the middle of an append
      service = await startService(config({ auditLogFile }));
      await call('PUT', '/kv/c', 'three');
      const lines = (await readFile(auditLogFile, 'utf8')).split('\n');
      expect(lines.map((line) => line.slice(0, 14))).toEqual(['{"sequence":1,', '{"sequence":2,', '{"sequence":3,', '{"sequence":3,', '']);
      expect(lines[2]).toBe('{"sequence":3,"at":"2026-');
    });
  });

  it('audits a write retried with the same Idempotency-Key once', async () => {
    service = await startService(config());
    const put = () => fetch(`${service?.url}/kv/a`, { method: 'PUT', body: 'one', headers: { 'idempotency-key': 'write-1' } });
    expect((await put()).status).toBe(201);
    expect((await put()).status).toBe(204);
    const { entries } = JSON.parse((await call('GET', '/audit')).text) as { entries: { id: string }[] };
    expect(entries).toEqual([expect.objectContaining({ sequence: 1, id: 'client:write-1', action: 'put', key: 'a' })]);
  });

  it('cannot be forged with the grants of the edge', async () => {
    service = await startService(config());
    const forger = service.bus.client('forger', httpEdgeGrants);
    await expect(forger.request('audit.append', { id: 'forged', action: 'delete', key: 'a', bytes: 0 })).rejects.toMatchObject({
      code: 'capability-denied',
      message: '"forger" may not request "audit.append": the topic is not in its grants',
    });
  });
});


describe('limits and errors at the edge', () => {
  it('refuses a value over the limit with 413', async () => {
    service = await startService(config({ maxValueBytes: 8 }));
    expect(await call('PUT', '/kv/big', '123456789')).toMatchObject({
      status: 413,
      text: '{"error":"too-large","message":"the value is over the limit of 8 bytes"}',
    });
    expect((await call('PUT', '/kv/small', '12345678')).status).toBe(201);
  });

  it('refuses a new key when the store is full with 507, but still replaces', async () => {
    service = await startService(config({ maxKeys: 1 }));
    await call('PUT', '/kv/a', '1');
    expect((await call('PUT', '/kv/b', '2')).status).toBe(507);
    expect((await call('PUT', '/kv/a', '3')).status).toBe(204);
  });

  it('answers a wrong method with 405 and the methods allowed', async () => {
    service = await startService(config());
    const answer = await call('POST', '/kv/a', 'x');
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, PUT, DELETE');
  });

  it('refuses a chunked body over the limit, with no Content-Length, with 413', async () => {
    service = await startService(config({ maxValueBytes: 8 }));
    const { status, body } = await putInChunks(service.url, '/kv/big', ['12345', '67890']);
    expect({ status, body }).toEqual({ status: 413, body: '{"error":"too-large","message":"the value is over the limit of 8 bytes"}' });
    expect((await call('GET', '/kv/big')).status).toBe(404);
  });

  it('refuses a value that is not UTF-8 with 400 instead of storing replacement characters', async () => {
    service = await startService(config());
    const response = await fetch(`${service.url}/kv/bytes`, { method: 'PUT', body: new Uint8Array([0x68, 0xff, 0x69]) });
    expect({ status: response.status, text: await response.text() }).toEqual({
      status: 400,
      text: '{"error":"bad-value","message":"the value is not valid UTF-8"}',
    });
    expect((await call('GET', '/kv/bytes')).status).toBe(404);
  });

  it('refuses a burst beyond the queue with 503 and Retry-After, saying nothing of its insides', async () => {
    await inTemporaryDirectory(async (directory) => {
      // A flushed audit append per write keeps kv busy for a disk round trip, so a burst queues.
      service = await startService(config({ kvQueueDepth: 2, auditLogFile: join(directory, 'audit.jsonl') }));
      const answers = await Promise.all(
        Array.from({ length: 100 }, async (_, index) => {
          const response = await fetch(`${service?.url}/kv/burst-${index}`, { method: 'PUT', body: 'x' });
          return { index, status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() };
        }),
      );
      const refused = answers.filter((answer) => answer.status === 503);
      const written = answers.filter((answer) => answer.status === 201);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.length + written.length).toBe(100);
      for (const answer of refused) {
        expect(answer).toMatchObject({
          retryAfter: '1',
          text: '{"error":"mailbox-full","message":"the service is busy or recovering; retry after the delay given"}',
        });
      }
      const audited = await auditLogKeys(join(directory, 'audit.jsonl'));
      expect(audited.sort()).toEqual(written.map((answer) => `burst-${answer.index}`).sort());
    });
  });

  it('answers requests in flight when stopped, then stops listening', async () => {
    service = await startService(config());
    const { url } = service;
    const slow = putInChunks(url, '/kv/late', ['half of ', 'a value'], () => {
      stopping = service?.stop();
      service = undefined;
    });
    let stopping: Promise<void> | undefined;
    await expect(slow).resolves.toMatchObject({ status: 201 });
    await stopping;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('answers an unknown path with 404, and a malformed key with 400', async () => {
    service = await startService(config());
    expect((await call('GET', '/nothing')).status).toBe(404);
    expect(await call('GET', '/kv/%E0%A4%A')).toMatchObject({
      status: 400,
      text: '{"error":"bad-key","message":"the key is not valid percent-encoded UTF-8"}',
    });
  });
});

describe('the bundled program', () => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await bundleScript(fileURLToPath(new URL('./main.ts', import.meta.url)));
  });
  afterAll(async () => {
    await bundle.dispose();
  });

  it('serves the same API with its cells in workers', async () => {
    service = await startService(config({ inWorker: ['kv', 'audit'] }), { workerScript: bundle.script });
    expect((await call('PUT', '/kv/k', 'v')).status).toBe(201);
    expect(await call('GET', '/kv/k')).toMatchObject({ status: 200, text: 'v' });
    expect(JSON.parse((await call('GET', '/audit')).text)).toMatchObject({ entries: [{ action: 'put', key: 'k' }] });
    expect(service.bus.health().map((cell) => cell.placement)).toEqual(['worker', 'worker']);
  });

  it('serves the same API with its cells in child processes', async () => {
    service = await startService(config({ inChildProcess: ['kv', 'audit'] }), { workerScript: bundle.script });
    expect((await call('PUT', '/kv/k', 'v')).status).toBe(201);
    expect(await call('GET', '/kv/k')).toMatchObject({ status: 200, text: 'v' });
    expect(JSON.parse((await call('GET', '/audit')).text)).toMatchObject({ entries: [{ action: 'put', key: 'k' }] });
    expect(service.bus.health().map((cell) => cell.placement)).toEqual(['child-process', 'child-process']);
  });

  it('loses no acknowledged write when its audit process is killed with SIGKILL under load', async () => {
    await inTemporaryDirectory(async (directory) => {
      const auditLogFile = join(directory, 'audit.jsonl');
      service = await startService(config({ inChildProcess: ['audit'], auditLogFile }), { workerScript: bundle.script });
      const { url, bus } = service;
      const auditPid = bus.health().find((cell) => cell.cell === 'audit')?.pid;
      expect(auditPid).toEqual(expect.any(Number));
      const times: { crashed?: number; started?: number } = {};
      bus.observe((event) => {
        if (event.cell !== 'audit') return;
        if (event.type === 'crashed') times.crashed ??= performance.now();
        if (event.type === 'started' && event.incarnation === 2) times.started = performance.now();
      });
      const restarted = nextEvent(bus, (event) => event.type === 'started' && event.cell === 'audit' && event.incarnation === 2);
      const outcomes = await putUnderLoad(url, 1000, 16, (index) => {
        if (index === 300) process.kill(auditPid as number, 'SIGKILL');
      });
      await restarted;
      const { crashed = 0, started = 0 } = times;
      expect(new Set(outcomes.map((outcome) => outcome.status))).toEqual(new Set([201, 503]));
      const acknowledged = outcomes.filter((outcome) => outcome.status === 201);
      // No write sent while the audit cell was down was acknowledged before it was back, and
      // writes were acknowledged again after. (A write in flight at the kill may still be
      // acknowledged after it: its record was flushed and answered before the SIGKILL, and the
      // answer was still in the pipe. The file check below proves each such record is there.)
      expect(acknowledged.filter((outcome) => outcome.sentAt > crashed && outcome.answeredAt < started)).toEqual([]);
      expect(acknowledged.some((outcome) => outcome.answeredAt > started)).toBe(true);
      // Every acknowledged write is readable and on file exactly once; no refused write was made.
      const peek = bus.client('peek', { request: ['kv.get'] });
      for (const outcome of outcomes) {
        const stored = await peek.request('kv.get', { key: outcome.key });
        expect({ key: outcome.key, found: stored.found }).toEqual({ key: outcome.key, found: outcome.status === 201 });
      }
      const onFile = await auditLogKeys(auditLogFile);
      for (const outcome of acknowledged) expect(onFile.filter((key) => key === outcome.key)).toHaveLength(1);
    });
  }, 120_000); // a thousand flushed appends: seconds on a quiet disk, more on a busy one

  it('stops on SIGTERM, answering what it was asked, and exits 0', async () => {
    const program = spawn(process.execPath, [bundle.path], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = once(program, 'close');
    const output: string[] = [];
    const listening = new Promise<string>((resolve) => {
      createInterface({ input: program.stdout }).on('line', (line) => {
        output.push(line);
        const url = /^cells-kv: listening on (\S+)/.exec(line)?.[1];
        if (url !== undefined) resolve(url);
      });
    });
    const url = await listening;
    expect((await fetch(`${url}/kv/k`, { method: 'PUT', body: 'v' })).status).toBe(201);
    program.kill('SIGTERM');
    expect(await closed).toEqual([0, null]);
    expect(output).toContain('cells-kv: SIGTERM, stopping');
  });

  it('exits 1 with one line naming AUDIT_LOG when it cannot append to it', async () => {
    await inTemporaryDirectory(async (directory) => {
      const program = spawn(process.execPath, [bundle.path], { env: { ...process.env, PORT: '0', AUDIT_LOG: directory }, stdio: ['ignore', 'ignore', 'pipe'] });
      const errors: Buffer[] = [];
      program.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
      expect(await once(program, 'close')).toEqual([1, null]);
      expect(Buffer.concat(errors).toString('utf8')).toMatch(
        new RegExp(`^cells-kv: cell "audit" failed to start: AUDIT_LOG "${directory.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" cannot be appended to: EISDIR[^\n]*\n$`),
      );
    });
  });

  it('refuses a worker placement without a worker script', async () => {
    await expect(startService(config({ inWorker: ['kv'] }))).rejects.toThrow(
      new TypeError('Cannot place cell "kv" in a worker without `workerScript`: pass the bundled service script'),
    );
  });
});

describe('loadServiceConfig', () => {
  it('has defaults for everything', () => {
    expect(loadServiceConfig({})).toEqual({ port: 8787, inWorker: [], inChildProcess: [], maxKeys: 10_000, maxValueBytes: 16_384, kvQueueDepth: 128 });
  });

  it('reads every variable', () => {
    const env = {
      PORT: '9000',
      CELLS_IN_WORKER: 'kv',
      CELLS_IN_CHILD_PROCESS: ' audit ',
      AUDIT_LOG: '/tmp/a.jsonl',
      KV_MAX_KEYS: '5',
      KV_MAX_VALUE_BYTES: '10',
      KV_QUEUE_DEPTH: '3',
    };
    expect(loadServiceConfig(env)).toEqual({
      port: 9000,
      inWorker: ['kv'],
      inChildProcess: ['audit'],
      auditLogFile: '/tmp/a.jsonl',
      maxKeys: 5,
      maxValueBytes: 10,
      kvQueueDepth: 3,
    });
  });

  it('refuses a bad port, naming the variable', () => {
    expect(() => loadServiceConfig({ PORT: 'eighty' })).toThrow(new TypeError('PORT must be an integer from 0 to 65535, got "eighty"'));
  });

  it('refuses a cell placed both in a worker and in a child process', () => {
    expect(() => loadServiceConfig({ CELLS_IN_WORKER: 'kv', CELLS_IN_CHILD_PROCESS: 'kv' })).toThrow(
      new TypeError('CELLS_IN_WORKER and CELLS_IN_CHILD_PROCESS both name "kv"; a cell runs in one place'),
    );
  });

  it('refuses an unknown cell name', () => {
    expect(() => loadServiceConfig({ CELLS_IN_WORKER: 'kv,cache' })).toThrow(
      new TypeError('CELLS_IN_WORKER names "cache", which is not a cell; the cells are kv, audit'),
    );
  });
});
//# sourceMappingURL=service.test.ts.map
