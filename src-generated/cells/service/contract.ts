// generated from docs/cells/service.lit.md by weft — edit the source, not this file
// What flows between the key-value service's edge and cells. Replies carry expected outcomes
// (absent key, full store, audit refused) as data; a thrown CellError means the cells themselves
// refused or failed. The audit is a request, not an event: its reply is the promise that the change
// is on record, and no write is made without it.

import type { CellHealth } from '../supervisor.js';

/** A change the kv cell is about to make, as the audit cell receives it. */
export interface KvChange {
  readonly action: 'put' | 'delete';
  readonly key: string;
  /** Size of the value written, in UTF-8 bytes; 0 for a delete. */
  readonly bytes: number;
}

/** A change, with the id of the write that asked for it: the same id means the same write, delivered again. */
export interface IdentifiedChange extends KvChange {
  /** The write's id: the client's `Idempotency-Key`, or one the edge made up. */
  readonly id: string;
}

/** One audited change. */
export interface AuditEntry extends IdentifiedChange {
  /** Position in the trail, from 1: continues across restarts when the trail is on file (`AUDIT_LOG`). */
  readonly sequence: number;
  /** When the audit cell recorded it, ISO 8601. */
  readonly at: string;
}

/** Why a write was not made. */
export type WriteRefusal = 'store-full' | 'audit-unavailable';

export type KvContract = {
  events: Record<string, never>;
  requests: {
    'kv.get': { request: { key: string }; reply: { found: true; value: string } | { found: false } };
    'kv.put': {
      request: { id: string; key: string; value: string };
      reply: { ok: true; created: boolean } | { ok: false; refused: WriteRefusal };
    };
    'kv.delete': { request: { id: string; key: string }; reply: { ok: true; deleted: boolean } | { ok: false; refused: WriteRefusal } };
    /**
     * Append the change to the trail; replies once it is durable (on disk, in the broker's stream, or
     * in memory without either). Idempotent: a change whose id is already on the trail is not appended
     * again, and the reply is the first append's sequence.
     */
    'audit.append': { request: IdentifiedChange; reply: { sequence: number } };
    'audit.recent': { request: { limit: number }; reply: { entries: AuditEntry[] } };
  };
};

export type { CellHealth };
//# sourceMappingURL=contract.ts.map
