// generated from docs/cells/broker.lit.md by weft — edit the source, not this file
// The key-value service's audit trail in a JetStream stream, shared by every process of the service:
// the broker numbers the entries (one sequence for the whole system, kept across restarts) and its
// duplicate window makes appends idempotent by the write's id. Used when NATS_URL is set.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { closeConnection } from '../nats.js';
import type { AuditTrail } from './cells.js';
import type { AuditEntry } from './contract.js';

/** The stream, and the subject its entries are published on. */
export const auditStream = { name: 'CELLS_AUDIT', subject: 'cells.audit' } as const;

/** How long the broker remembers an id to refuse its repeats, in milliseconds. */
export const duplicateWindowMs = 120_000;

/** Connect to the broker at `url` and open the audit stream, creating it if this is the first process. */
export async function openStreamTrail(url: string): Promise<AuditTrail> {
  const cannot = (error: unknown) =>
    new Error(`NATS_URL "${url}": the audit stream cannot be opened: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  const connection = await connect({ servers: url, name: 'cells-audit' }).catch((error: unknown) => {
    throw cannot(error);
  });
  try {
    const manager = await jetstreamManager(connection);
    await manager.streams.add({
      name: auditStream.name,
      subjects: [auditStream.subject],
      duplicate_window: nanos(duplicateWindowMs),
    });
    const stream = jetstream(connection);
    return {
      async append(change) {
        const at = new Date().toISOString();
        const ack = await stream.publish(auditStream.subject, JSON.stringify({ at, ...change }), { msgID: change.id });
        return { sequence: ack.seq, at, ...change };
      },
      async recent(limit) {
        const { state } = await manager.streams.info(auditStream.name);
        const entries: AuditEntry[] = [];
        for (let sequence = Math.max(state.first_seq, state.last_seq - limit + 1); sequence <= state.last_seq; sequence += 1) {
          const stored = await manager.streams.getMessage(auditStream.name, { seq: sequence });
          if (stored !== null && stored.seq > 0) entries.push({ sequence: stored.seq, ...stored.json<Omit<AuditEntry, 'sequence'>>() });
        }
        return entries;
      },
      close: () => closeConnection(connection),
    };
  } catch (error) {
    await connection.close();
    throw cannot(error);
  }
}
//# sourceMappingURL=audit-stream.ts.map
