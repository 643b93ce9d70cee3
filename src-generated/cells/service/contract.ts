// generated from docs/cells/service.lit.md by weft — edit the source, not this file
// What flows between the key-value service's edge and cells. Replies carry expected outcomes
// (absent key, full store, audit refused) as data; a thrown CellError means the cells themselves
// refused or failed.

import type { CellHealth } from '../supervisor.js';

/** A change the kv cell made, as the audit cell receives it. */
export interface KvChange {
  readonly action: 'put' | 'delete';
  readonly key: string;
  /** Size of the value written, in UTF-8 bytes; 0 for a delete. */
  readonly bytes: number;
}

/** One audited change. */
export interface AuditEntry extends KvChange {
  /** Position in this audit incarnation's trail, from 1. */
  readonly sequence: number;
  /** When the audit cell recorded it, ISO 8601. */
  readonly at: string;
}

/** Why a write was not made. */
export type WriteRefusal = 'store-full' | 'audit-unavailable';

export type KvContract = {
  events: {
    'kv.changed': KvChange;
  };
  requests: {
    'kv.get': { request: { key: string }; reply: { found: true; value: string } | { found: false } };
    'kv.put': {
      request: { key: string; value: string };
      reply: { ok: true; created: boolean } | { ok: false; refused: WriteRefusal };
    };
    'kv.delete': { request: { key: string }; reply: { ok: true; deleted: boolean } | { ok: false; refused: WriteRefusal } };
    'audit.recent': { request: { limit: number }; reply: { entries: AuditEntry[] } };
  };
};

export type { CellHealth };
//# sourceMappingURL=contract.ts.map
