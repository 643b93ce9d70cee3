// generated from docs/cells/service.lit.md by weft — edit the source, not this file
// The HTTP edge of the key-value service: the only place untrusted input enters, so the only place
// that validates it. It turns each request into a request on the bus, with the edge's own grants,
// and each reply or refusal into a status. Bodies are read up to the value limit and no further
// into memory; every request is answered, whatever fails.

import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Grants, Sender } from '../cell.js';
import { isCellError, type CellErrorCode } from '../errors.js';
import type { CellHealth, KvContract } from './contract.js';

/** What the HTTP edge may send: the four requests it serves, and no events. */
export const httpEdgeGrants: Grants<KvContract> = Object.freeze({
  request: Object.freeze(['kv.get', 'kv.put', 'kv.delete', 'audit.recent'] as const),
});

export interface EdgeOptions {
  /** Largest value a PUT may carry, in bytes. */
  readonly maxValueBytes: number;
  /** The cells' condition, for `/health`. */
  readonly health: () => readonly CellHealth[];
  /** Where the full reason for a failed request goes, one JSON line each. @default nowhere */
  readonly log?: (line: string) => void;
}

/** A `node:http` request listener serving the key-value API through `edge`. */
export function kvRequestListener(edge: Sender<KvContract>, options: EdgeOptions): RequestListener {
  return (request, response) => {
    route(edge, options, request, response).catch((error: unknown) => answerError(response, error, options.log ?? (() => {})));
  };
}

const maxKeyLength = 256;

async function route(edge: Sender<KvContract>, options: EdgeOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = request.method ?? 'GET';
  if (url.pathname === '/health' || url.pathname === '/audit') {
    if (method !== 'GET') return answer(response, 405, { error: 'method-not-allowed', message: `${url.pathname} answers GET only` }, { allow: 'GET' });
    if (url.pathname === '/health') {
      const cells = options.health();
      return answer(response, cells.some((cell) => cell.state === 'failed' || cell.degraded) ? 503 : 200, { cells });
    }
    const limit = Number(url.searchParams.get('limit') ?? '20');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return answer(response, 400, { error: 'bad-limit', message: 'limit must be an integer from 1 to 1000' });
    }
    return answer(response, 200, await edge.request('audit.recent', { limit }));
  }
  const match = /^\/kv\/([^/]+)$/.exec(url.pathname);
  if (match?.[1] === undefined) {
    return answer(response, 404, { error: 'not-found', message: `no route for ${url.pathname}; try /kv/:key, /audit or /health` });
  }
  let key: string;
  try {
    key = decodeURIComponent(match[1]);
  } catch {
    return answer(response, 400, { error: 'bad-key', message: 'the key is not valid percent-encoded UTF-8' });
  }
  if (key.length > maxKeyLength) {
    return answer(response, 400, { error: 'bad-key', message: `the key is ${key.length} characters; the most is ${maxKeyLength}` });
  }
  return serveKey(edge, options, method, key, request, response);
}

async function serveKey(
  edge: Sender<KvContract>,
  options: EdgeOptions,
  method: string,
  key: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  switch (method) {
    case 'GET': {
      const reply = await edge.request('kv.get', { key });
      if (!reply.found) return answer(response, 404, { error: 'not-found', message: `no value for key "${key}"` });
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(reply.value);
      return;
    }
    case 'PUT': {
      const value = await readValue(request, response, options.maxValueBytes);
      if (value === undefined) return;
      const reply = await edge.request('kv.put', { id: writeIdOf(request), key, value });
      if (!reply.ok) return answerRefusedWrite(response, reply.refused);
      response.writeHead(reply.created ? 201 : 204).end();
      return;
    }
    case 'DELETE': {
      const reply = await edge.request('kv.delete', { id: writeIdOf(request), key });
      if (!reply.ok) return answerRefusedWrite(response, reply.refused);
      if (!reply.deleted) return answer(response, 404, { error: 'not-found', message: `no value for key "${key}"` });
      response.writeHead(204).end();
      return;
    }
    default:
      return answer(response, 405, { error: 'method-not-allowed', message: `/kv/:key answers GET, PUT and DELETE` }, { allow: 'GET, PUT, DELETE' });
  }
}

/**
 * The write's id: the client's `Idempotency-Key` if it sent one (so that a client retrying after a
 * lost answer is audited once), else a fresh one.
 */
function writeIdOf(request: IncomingMessage): string {
  const given = request.headers['idempotency-key'];
  return typeof given === 'string' && given.length >= 1 && given.length <= 128 ? `client:${given}` : randomUUID();
}

function answerRefusedWrite(response: ServerResponse, refused: 'store-full' | 'audit-unavailable'): void {
  if (refused === 'store-full') {
    return answer(response, 507, { error: 'store-full', message: 'the store holds as many keys as it may; delete some first' });
  }
  return answer(response, 503, { error: 'audit-unavailable', message: 'the audit log did not accept the change, so it was not made' }, { 'retry-after': '1' });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as UTF-8 text, or undefined after answering 413 (over `limit` bytes) or 400 (not UTF-8). */
async function readValue(request: IncomingMessage, response: ServerResponse, limit: number): Promise<string | undefined> {
  const tooLarge = () =>
    answer(response, 413, { error: 'too-large', message: `the value is over the limit of ${limit} bytes` }, { connection: 'close' });
  if (Number(request.headers['content-length'] ?? 0) > limit) {
    tooLarge();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) {
    tooLarge();
    return undefined;
  }
  try {
    return strictUtf8.decode(Buffer.concat(chunks));
  } catch {
    answer(response, 400, { error: 'bad-value', message: 'the value is not valid UTF-8' });
    return undefined;
  }
}

/** The status each refusal from the cells becomes. */
export const statusForCellError: Readonly<Record<CellErrorCode, number>> = Object.freeze({
  'mailbox-full': 503,
  'cell-unavailable': 503,
  'handler-timeout': 504,
  'message-too-large': 413,
  'capability-denied': 500,
  'no-responder': 500,
  'handler-failed': 500,
  'not-serializable': 500,
});

function answer(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** What a client is told for each status: the refusal's own message names the service's insides. */
const publicMessageForStatus: Readonly<Record<number, string>> = Object.freeze({
  413: 'the request is too large',
  500: 'the service failed to handle the request',
  503: 'the service is busy or recovering; retry after the delay given',
  504: 'the service took too long to handle the request',
});

function answerError(response: ServerResponse, error: unknown, log: (line: string) => void): void {
  log(JSON.stringify({ type: 'request-failed', reason: error instanceof Error ? error.message : String(error) }));
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (isCellError(error)) {
    const status = statusForCellError[error.code];
    const message = publicMessageForStatus[status] ?? publicMessageForStatus[500];
    answer(response, status, { error: error.code, message }, status === 503 ? { 'retry-after': '1' } : {});
    return;
  }
  answer(response, 500, { error: 'internal', message: publicMessageForStatus[500] });
}
//# sourceMappingURL=http.ts.map
