// generated from docs/cells/bus.lit.md by weft — edit the source, not this file
// Every refusal and failure the cells runtime reports is a `CellError` with a stable kebab-case
// `code`. Callers branch on the code, never on the text; the text names the cell, the topic and the
// limit, so it can be read without a debugger. Failures travel inside the runtime as plain
// `CellErrorData` (it crosses worker boundaries) and become a `CellError` again at the sender.

/** Everything the runtime can refuse or report; stable, so callers may branch on it. */
export type CellErrorCode =
  /** The bus: the sender was not granted the topic. */
  | 'capability-denied'
  /** The mailbox: the receiving cell's mailbox is full (after waiting, if it waits). */
  | 'mailbox-full'
  /** The bus (messages) or the supervisor (replies): over the cell's byte budget. */
  | 'message-too-large'
  /** The sender: the message could not be encoded as JSON. */
  | 'not-serializable'
  /** The bus: no cell serves the requested topic. */
  | 'no-responder'
  /** The supervisor: the handler threw, or its incarnation died while handling. */
  | 'handler-failed'
  /** The supervisor: the handler ran past the cell's time budget. */
  | 'handler-timeout'
  /** The supervisor: the cell has stopped or was given up after crashing too often. */
  | 'cell-unavailable';

/** A failure as plain data: what crosses a worker boundary and what `--json` output would print. */
export interface CellErrorData {
  /** Stable identifier; branch on this, not on the message. */
  readonly code: CellErrorCode;
  /** What happened and what to change, for people. */
  readonly message: string;
  /** The cell that refused or failed; for `capability-denied` and `no-responder`, the sender. */
  readonly cell: string;
  /** The topic of the refused or failed message. */
  readonly topic: string;
}

/** The one error class of the runtime; `instanceof CellError` holds wherever the cell ran. */
export class CellError extends Error implements CellErrorData {
  override readonly name = 'CellError';
  readonly code: CellErrorCode;
  readonly cell: string;
  readonly topic: string;

  constructor(data: CellErrorData) {
    super(data.message);
    this.code = data.code;
    this.cell = data.cell;
    this.topic = data.topic;
  }

  /** The plain-data form, safe to post to a worker or print as JSON. */
  toData(): CellErrorData {
    return { code: this.code, message: this.message, cell: this.cell, topic: this.topic };
  }
}

/** True when `value` is a `CellError`, and has `code` if one is given. */
export function isCellError(value: unknown, code?: CellErrorCode): value is CellError {
  return value instanceof CellError && (code === undefined || value.code === code);
}

/** Builds each refusal with its one wording; the tests pin these texts. */
export const refuse = {
  capability(sender: string, verb: 'publish' | 'request', topic: string): CellError {
    return new CellError({
      code: 'capability-denied',
      cell: sender,
      topic,
      message: `"${sender}" may not ${verb} "${topic}": the topic is not in its grants`,
    });
  },
  mailboxFull(cell: string, topic: string, depth: number, waitedMs?: number): CellError {
    const after = waitedMs === undefined ? '' : ` after waiting ${waitedMs} ms`;
    return new CellError({
      code: 'mailbox-full',
      cell,
      topic,
      message: `cell "${cell}" refused "${topic}": its mailbox is full (depth ${depth})${after}`,
    });
  },
  tooLarge(cell: string, topic: string, what: 'message' | 'reply', bytes: number, limit: number): CellError {
    return new CellError({
      code: 'message-too-large',
      cell,
      topic,
      message: `${what} on "${topic}" is ${bytes} bytes, over cell "${cell}"'s budget of ${limit} bytes`,
    });
  },
  notSerializable(sender: string, topic: string, reason: string): CellError {
    return new CellError({
      code: 'not-serializable',
      cell: sender,
      topic,
      message: `"${sender}" cannot send on "${topic}": the message is not JSON (${reason})`,
    });
  },
  noResponder(sender: string, topic: string): CellError {
    return new CellError({
      code: 'no-responder',
      cell: sender,
      topic,
      message: `"${sender}" requested "${topic}", but no cell serves it`,
    });
  },
  handlerFailed(cell: string, topic: string, reason: string): CellError {
    return new CellError({
      code: 'handler-failed',
      cell,
      topic,
      message: `cell "${cell}" crashed handling "${topic}": ${reason}`,
    });
  },
  handlerTimeout(cell: string, topic: string, limitMs: number): CellError {
    return new CellError({
      code: 'handler-timeout',
      cell,
      topic,
      message: `cell "${cell}" ran past its ${limitMs} ms budget handling "${topic}"`,
    });
  },
  unavailable(cell: string, topic: string, why: string): CellError {
    return new CellError({
      code: 'cell-unavailable',
      cell,
      topic,
      message: `cell "${cell}" cannot take "${topic}": ${why}`,
    });
  },
} as const;

/** The message of any thrown value, for reasons that must travel as text. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
//# sourceMappingURL=errors.ts.map
