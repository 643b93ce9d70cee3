// generated from docs/cells/service.lit.md by weft — edit the source, not this file
// The key-value service's two cells. Each is a function of the configuration, called the same way
// in the main thread and in a worker, so placement never changes configuration. The kv cell audits
// before it writes: a change is made only after the audit cell replied that it is on disk.

import { open } from 'node:fs/promises';
import { Buffer } from 'node:buffer';
import { byteLength, defineCell, type Cell, type Sender } from '../cell.js';
import { isCellError, reasonOf } from '../errors.js';
import { openStreamTrail } from './audit-stream.js';
import type { ServiceConfig } from './config.js';
import type { AuditEntry, IdentifiedChange, KvContract } from './contract.js';

const serviceCell = defineCell<KvContract>();

/** The cells of the service, in start order: a cell starts after the cells it sends to. */
export function serviceCells(config: ServiceConfig): Cell<KvContract>[] {
  const { nats } = config;
  const openTrail: OpenAuditTrail = nats === undefined ? () => openFileTrail(config.auditLogFile) : () => openStreamTrail(nats.url);
  return [auditCell(config, openTrail), kvCell(config)];
}

/** The kv cell's time budget per message, in milliseconds. */
const kvHandlerTimeoutMs = 1000;

export function kvCell(config: ServiceConfig): Cell<KvContract> {
  return serviceCell({
    name: 'kv',
    grants: { request: ['audit.append'] },
    budget: { maxMessageBytes: config.maxValueBytes + 1024, mailboxDepth: config.kvQueueDepth, handlerTimeoutMs: kvHandlerTimeoutMs },
    init: () => ({ entries: new Map<string, string>() }),
    serve: {
      'kv.get': ({ key }, { state }) => {
        const value = state.entries.get(key);
        return value === undefined ? { found: false } : { found: true, value };
      },
      'kv.put': async ({ id, key, value }, context) => {
        const { entries } = context.state;
        const created = !entries.has(key);
        if (created && entries.size >= config.maxKeys) return { ok: false, refused: 'store-full' };
        if (!(await audited(context, { id, action: 'put', key, bytes: byteLength(value) }))) {
          return { ok: false, refused: 'audit-unavailable' };
        }
        entries.set(key, value);
        return { ok: true, created };
      },
      'kv.delete': async ({ id, key }, context) => {
        const { entries } = context.state;
        if (!entries.has(key)) return { ok: true, deleted: false };
        if (!(await audited(context, { id, action: 'delete', key, bytes: 0 }))) {
          return { ok: false, refused: 'audit-unavailable' };
        }
        entries.delete(key);
        return { ok: true, deleted: true };
      },
    },
  });
}

/** How long kv waits for the audit cell, in milliseconds: half kv's handler budget. */
const auditWaitMs = kvHandlerTimeoutMs / 2;

/** Ask the audit cell to record `change`; false if it did not (in time), so the change must not be made. */
async function audited(context: Sender<KvContract>, change: IdentifiedChange): Promise<boolean> {
  const appended = context.request('audit.append', change).then(
    () => true,
    (error: unknown) => {
      if (isCellError(error)) return false;
      throw error;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), auditWaitMs);
  });
  appended.catch(() => {}); // if the wait wins, a later programming error must not go unhandled
  try {
    return await Promise.race([appended, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Entries the audit cell keeps in memory for `GET /audit`, and ids it remembers to refuse repeats. */
export const auditWindow = 1000;

/** Where audit entries are kept. Appends are idempotent by the change's id. */
export interface AuditTrail {
  /** Append `change` durably and return its entry; a change whose id is already on the trail returns that entry. */
  append(change: IdentifiedChange): Promise<AuditEntry>;
  /** The last `limit` entries, oldest first. */
  recent(limit: number): Promise<AuditEntry[]>;
  /** Release what the trail holds (a connection). */
  close(): Promise<void>;
}

/** Opens the trail an audit incarnation writes to; called by `init`, so a trail that cannot be opened fails the start. */
export type OpenAuditTrail = () => Promise<AuditTrail>;

export function auditCell(config: ServiceConfig, openTrail: OpenAuditTrail = () => openFileTrail(config.auditLogFile)): Cell<KvContract> {
  return serviceCell({
    name: 'audit',
    // Appends wait on a disk or a broker, and `GET /audit?limit=1000` carries a thousand entries.
    budget: { mailboxDepth: 256, whenFull: 'wait', maxWaitMs: 500, handlerTimeoutMs: 5000, maxMessageBytes: 1024 * 1024 },
    init: async () => ({ trail: await openTrail() }),
    serve: {
      'audit.append': async (change, { state }) => ({ sequence: (await state.trail.append(change)).sequence }),
      'audit.recent': ({ limit }, { state }) => state.trail.recent(limit).then((entries) => ({ entries })),
    },
    stop: (state) => state.trail.close(),
  });
}

/** The trail in the JSON-lines file `file`, or in memory alone if `file` is undefined. */
export async function openFileTrail(file: string | undefined): Promise<AuditTrail> {
  let sequence = file === undefined ? 0 : await lastSequenceIn(file);
  const recent: AuditEntry[] = [];
  return {
    async append(change) {
      const earlier = recent.find((entry) => entry.id === change.id);
      if (earlier !== undefined) return earlier;
      const entry: AuditEntry = { sequence: sequence + 1, at: new Date().toISOString(), ...change };
      if (file !== undefined) await appendDurably(file, `${JSON.stringify(entry)}\n`);
      sequence = entry.sequence;
      recent.push(entry);
      if (recent.length > auditWindow) recent.shift();
      return entry;
    },
    recent: async (limit) => recent.slice(-limit),
    close: async () => {},
  };
}

const tailBytes = 64 * 1024;

/** The last sequence number in the audit log at `file` (0 if it is new or empty); rejects if it cannot be appended to. */
async function lastSequenceIn(file: string): Promise<number> {
  let handle;
  try {
    handle = await open(file, 'a+');
  } catch (error) {
    throw new Error(`AUDIT_LOG "${file}" cannot be appended to: ${reasonOf(error)}`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, tailBytes);
    const tail = Buffer.alloc(length);
    await handle.read(tail, 0, length, size - length);
    const text = tail.toString('utf8');
    // End a line torn by a crash, so that the next entry starts on a line of its own.
    if (text !== '' && !text.endsWith('\n')) await handle.appendFile('\n');
    for (const line of text.split('\n').reverse()) {
      const sequence = sequenceOf(line);
      if (sequence !== undefined) return sequence;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

function sequenceOf(line: string): number | undefined {
  try {
    const { sequence } = JSON.parse(line) as { sequence?: unknown };
    return Number.isSafeInteger(sequence) ? (sequence as number) : undefined;
  } catch {
    return undefined;
  }
}

async function appendDurably(file: string, line: string): Promise<void> {
  const handle = await open(file, 'a');
  try {
    await handle.appendFile(line);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
//# sourceMappingURL=cells.ts.map
