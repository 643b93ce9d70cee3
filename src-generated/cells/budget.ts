// generated from docs/cells/mailbox.lit.md by weft — edit the source, not this file
// A budget is what one message may cost a cell: bytes in, time in a handler, room in its mailbox.
// Every number is finite and positive, so nothing in the runtime waits or grows without a bound.
// Budgets are resolved once, when the cell is defined, and frozen; an unknown key is a `TypeError`
// that names it, so a typo cannot silently leave a default in force.

/** Limits on one cell. Every excess is refused with a `CellError` naming the cell, topic and limit. */
export interface Budget {
  /** Largest message the cell accepts, and largest reply it may send, in UTF-8 bytes of JSON. @default 65536 */
  readonly maxMessageBytes: number;
  /** Longest one handler call may take, in milliseconds; past it the cell is restarted. @default 1000 */
  readonly handlerTimeoutMs: number;
  /** Messages that may wait in the mailbox, not counting the one being handled. @default 64 */
  readonly mailboxDepth: number;
  /** What a send to a full mailbox does: `'reject'` at once, or `'wait'` up to `maxWaitMs` for room. @default 'reject' */
  readonly whenFull: 'reject' | 'wait';
  /** How long a sender waits for room when `whenFull` is `'wait'`, in milliseconds. @default 1000 */
  readonly maxWaitMs: number;
}

export const defaultBudget: Budget = Object.freeze({
  maxMessageBytes: 64 * 1024,
  handlerTimeoutMs: 1000,
  mailboxDepth: 64,
  whenFull: 'reject',
  maxWaitMs: 1000,
});

/** `overrides` over the defaults, checked and frozen; `owner` names who it is for in errors. */
export function resolveBudget(overrides: Partial<Budget>, owner: string): Budget {
  const known = Object.keys(defaultBudget);
  for (const key of Object.keys(overrides)) {
    if (!known.includes(key)) {
      throw new TypeError(`Unknown budget option \`${key}\` for ${owner}; expected one of: ${known.join(', ')}`);
    }
  }
  const budget = { ...defaultBudget };
  for (const key of ['maxMessageBytes', 'handlerTimeoutMs', 'mailboxDepth', 'maxWaitMs'] as const) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`Budget option \`${key}\` for ${owner} must be a positive integer, got ${String(value)}`);
    }
    budget[key] = value;
  }
  if (overrides.whenFull !== undefined) {
    if (overrides.whenFull !== 'reject' && overrides.whenFull !== 'wait') {
      throw new TypeError(`Budget option \`whenFull\` for ${owner} must be 'reject' or 'wait', got ${String(overrides.whenFull)}`);
    }
    budget.whenFull = overrides.whenFull;
  }
  return Object.freeze(budget);
}
//# sourceMappingURL=budget.ts.map
