// generated from docs/cells/service.lit.md by weft — edit the source, not this file
// The key-value service's two cells. Each is a function of the configuration, called the same way
// in the main thread and in a worker, so placement never changes configuration. The kv cell audits
// before it writes: a change the audit cell did not accept is not made.

import { appendFile } from 'node:fs/promises';
import { byteLength, defineCell, type Cell, type Sender } from '../cell.js';
import { isCellError } from '../errors.js';
import type { ServiceConfig } from './config.js';
import type { AuditEntry, KvChange, KvContract } from './contract.js';

const serviceCell = defineCell<KvContract>();

/** The cells of the service, in start order: a cell starts after the cells it sends to. */
export function serviceCells(config: ServiceConfig): Cell<KvContract>[] {
  return [auditCell(config), kvCell(config)];
}

export function kvCell(config: ServiceConfig): Cell<KvContract> {
  return serviceCell({
    name: 'kv',
    grants: { publish: ['kv.changed'] },
    budget: { maxMessageBytes: config.maxValueBytes + 1024, mailboxDepth: 128, handlerTimeoutMs: 1000 },
    init: () => ({ entries: new Map<string, string>() }),
    serve: {
      'kv.get': ({ key }, { state }) => {
        const value = state.entries.get(key);
        return value === undefined ? { found: false } : { found: true, value };
      },
      'kv.put': async ({ key, value }, context) => {
        const { entries } = context.state;
        const created = !entries.has(key);
        if (created && entries.size >= config.maxKeys) return { ok: false, refused: 'store-full' };
        if (!(await audited(context, { action: 'put', key, bytes: byteLength(value) }))) {
          return { ok: false, refused: 'audit-unavailable' };
        }
        entries.set(key, value);
        return { ok: true, created };
      },
      'kv.delete': async ({ key }, context) => {
        const { entries } = context.state;
        if (!entries.has(key)) return { ok: true, deleted: false };
        if (!(await audited(context, { action: 'delete', key, bytes: 0 }))) {
          return { ok: false, refused: 'audit-unavailable' };
        }
        entries.delete(key);
        return { ok: true, deleted: true };
      },
    },
  });
}

/** Publish `change` for the audit cell; false if it was refused, so the change must not be made. */
async function audited(context: Sender<KvContract>, change: KvChange): Promise<boolean> {
  try {
    await context.publish('kv.changed', change);
    return true;
  } catch (error) {
    if (isCellError(error)) return false;
    throw error;
  }
}

/** Entries the audit cell keeps in memory for `GET /audit`. */
export const auditWindow = 1000;

export function auditCell(config: ServiceConfig): Cell<KvContract> {
  const { auditLogFile } = config;
  return serviceCell({
    name: 'audit',
    budget: { mailboxDepth: 256, whenFull: 'wait', maxWaitMs: 500 },
    init: () => ({ recent: [] as AuditEntry[], sequence: 0 }),
    on: {
      'kv.changed': async (change, { state }) => {
        const entry: AuditEntry = { sequence: ++state.sequence, at: new Date().toISOString(), ...change };
        state.recent.push(entry);
        if (state.recent.length > auditWindow) state.recent.shift();
        if (auditLogFile !== undefined) await appendFile(auditLogFile, `${JSON.stringify(entry)}\n`);
      },
    },
    serve: {
      'audit.recent': ({ limit }, { state }) => ({ entries: state.recent.slice(-limit) }),
    },
  });
}
//# sourceMappingURL=cells.ts.map
