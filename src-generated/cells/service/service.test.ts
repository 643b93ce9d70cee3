// generated from docs/cells/service.lit.md by weft — edit the source, not this file
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleScript } from '../testing/bundle.js';
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
        { cell: 'audit', placement: 'in-process', state: 'running', queued: 0, restarts: 0 },
        { cell: 'kv', placement: 'in-process', state: 'running', queued: 0, restarts: 0 },
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
      { sequence: 1, at: expect.any(String), action: 'put', key: 'a', bytes: 3 },
      { sequence: 2, at: expect.any(String), action: 'delete', key: 'a', bytes: 0 },
    ]);
  });

  it('appends each change to the audit log file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'weft-cells-audit-'));
    try {
      const auditLogFile = join(directory, 'audit.jsonl');
      service = await startService(config({ auditLogFile }));
      await call('PUT', '/kv/a', 'one');
      await call('PUT', '/kv/b', 'two');
      await call('GET', '/audit'); // queued behind both events, so answered after both are on file
      const lines = (await readFile(auditLogFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { key: string });
      expect(lines.map((line) => line.key)).toEqual(['a', 'b']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('cannot be forged with the grants of the edge', async () => {
    service = await startService(config());
    const forger = service.bus.client('forger', httpEdgeGrants);
    await expect(forger.publish('kv.changed', { action: 'delete', key: 'a', bytes: 0 })).rejects.toMatchObject({
      code: 'capability-denied',
      message: '"forger" may not publish "kv.changed": the topic is not in its grants',
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

  it('answers an unknown path with 404, and a malformed key with 400', async () => {
    service = await startService(config());
    expect((await call('GET', '/nothing')).status).toBe(404);
    expect(await call('GET', '/kv/%E0%A4%A')).toMatchObject({
      status: 400,
      text: '{"error":"bad-key","message":"the key is not valid percent-encoded UTF-8"}',
    });
  });
});

describe('with its cells in workers', () => {
  it('serves the same API from the bundled script', async () => {
    const bundle = await bundleScript(fileURLToPath(new URL('./main.ts', import.meta.url)));
    try {
      service = await startService(config({ inWorker: ['kv', 'audit'] }), { workerScript: bundle.script });
      expect((await call('PUT', '/kv/k', 'v')).status).toBe(201);
      expect(await call('GET', '/kv/k')).toMatchObject({ status: 200, text: 'v' });
      expect(JSON.parse((await call('GET', '/audit')).text)).toMatchObject({ entries: [{ action: 'put', key: 'k' }] });
      expect(service.bus.health().map((cell) => cell.placement)).toEqual(['worker', 'worker']);
    } finally {
      await service?.stop();
      service = undefined;
      await bundle.dispose();
    }
  });

  it('refuses a worker placement without a worker script', async () => {
    await expect(startService(config({ inWorker: ['kv'] }))).rejects.toThrow(
      new TypeError('Cannot place cell "kv" in a worker without `workerScript`: pass the bundled service script'),
    );
  });
});

describe('loadServiceConfig', () => {
  it('has defaults for everything', () => {
    expect(loadServiceConfig({})).toEqual({ port: 8787, inWorker: [], maxKeys: 10_000, maxValueBytes: 16_384 });
  });

  it('reads every variable', () => {
    const env = { PORT: '9000', CELLS_IN_WORKER: 'kv, audit', AUDIT_LOG: '/tmp/a.jsonl', KV_MAX_KEYS: '5', KV_MAX_VALUE_BYTES: '10' };
    expect(loadServiceConfig(env)).toEqual({ port: 9000, inWorker: ['kv', 'audit'], auditLogFile: '/tmp/a.jsonl', maxKeys: 5, maxValueBytes: 10 });
  });

  it('refuses a bad port, naming the variable', () => {
    expect(() => loadServiceConfig({ PORT: 'eighty' })).toThrow(new TypeError('PORT must be an integer from 0 to 65535, got "eighty"'));
  });

  it('refuses an unknown cell name', () => {
    expect(() => loadServiceConfig({ CELLS_IN_WORKER: 'kv,cache' })).toThrow(
      new TypeError('CELLS_IN_WORKER names "cache", which is not a cell; the cells are kv, audit'),
    );
  });
});
//# sourceMappingURL=service.test.ts.map
