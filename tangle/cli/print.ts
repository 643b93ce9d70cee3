/**
 * Printing: messages with code frames, the `--json` form of a message, plurals.
 *
 * The CLI is the only place that writes to stdout and stderr (through `Io`). Colour
 * follows `io.color` (off under NO_COLOR, https://no-color.org, which asks for no
 * colour and nothing else); the code frame under a message follows `io.frames` (on in a
 * terminal), so NO_COLOR keeps the frame. `--reporter github` prints GitHub workflow
 * commands instead (`tangle/reporters.ts`); `--quiet` drops the summary lines (`summary`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMessage, type FormatOptions } from '../messages.js';
import { GITHUB_ANNOTATIONS_PER_JOB, githubReport } from '../reporters.js';
import type { Message } from '../types.js';
import type { Io } from './args.js';

/** A function that reads line `line` of a project file, for code frames. */
export function lineReader(root: string): (file: string, line: number) => string | undefined {
  const cache = new Map<string, string[] | null>();
  return (file, line) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(join(root, file), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/));
      } catch {
        cache.set(file, null);
      }
    }
    return cache.get(file)?.[line - 1];
  };
}

/** How many annotations earlier steps of this job printed (0 without a ledger). */
function readLedger(file: string | undefined): number {
  if (!file) return 0;
  try {
    const count = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isFinite(count) && count > 0 ? count : 0;
  } catch {
    return 0;
  }
}

/** Print messages to stderr with `format` (default `formatMessage`): colour and code frames as `io` says. */
export function printMessages(messages: readonly Message[], io: Io, root: string, format: (m: Message, options: FormatOptions) => string = formatMessage): void {
  if (io.reporter === 'github') {
    // Workflow commands go to stdout, where the runner reads them.
    const used = readLedger(io.annotationLedger);
    const report = githubReport(messages, { root, workspace: io.workspace, fixCommand: io.commandLine ?? 'weft tangle', jobBudget: GITHUB_ANNOTATIONS_PER_JOB - used });
    io.stdout(report.text);
    if (io.annotationLedger && report.annotations > 0) {
      try {
        writeFileSync(io.annotationLedger, `${used + report.annotations}\n`);
      } catch {
        // No ledger: the per-step caps still hold.
      }
    }
    return;
  }
  const lineText = io.frames ? lineReader(root) : undefined;
  for (const m of messages) io.stderr(`${format(m, { color: io.color, lineText })}\n`);
}

/**
 * The JSON form of a message (the `--json` contract). `line` and `column` are 1-based;
 * a message about a whole file (`stale-output`, `no-sources`) has `line: null` and
 * `column: null`, and one about a whole line has `column: null`.
 */
export function messageJson(m: Message) {
  return {
    file: m.file,
    line: m.line > 0 ? m.line : null,
    column: m.line > 0 && m.column > 0 ? m.column : null,
    severity: m.severity,
    rule: m.rule,
    message: m.message,
    notes: m.notes ?? [],
  };
}

/** `1 document`, `2 documents`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `2 errors, 1 warning`, or '' when there are none. */
export function problemCounts(messages: readonly Message[]): string {
  const errors = messages.filter((m) => m.severity === 'error').length;
  const warnings = messages.length - errors;
  return [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : ''].filter(Boolean).join(', ');
}

/** One JSON document on stdout, pretty-printed, ending in a newline. */
export function printJson(io: Io, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Print a summary or status line on stdout, unless `--quiet`. */
export function summary(io: Io, line: string): void {
  if (!io.quiet) io.stdout(line.endsWith('\n') ? line : `${line}\n`);
}

/** How long a run goes before the progress line appears, in milliseconds. */
export const PROGRESS_DELAY_MS = 1000;

/**
 * Run `work`, and when it takes longer than `PROGRESS_DELAY_MS` in a terminal, show
 * `weft: LABEL…` on stderr until it ends, then erase it (carriage return and erase-line),
 * so the lines that follow start clean. Never under `--json`, `--quiet` or off a terminal:
 * a pipe or a log would keep the line.
 */
export async function withProgress<T>(io: Io, label: string, json: boolean | undefined, work: () => Promise<T>): Promise<T> {
  if (!io.terminal || json || io.quiet || io.reporter === 'github') return work();
  let shown = false;
  const timer = setTimeout(() => {
    shown = true;
    io.stderr(`weft: ${label}\u2026`);
  }, PROGRESS_DELAY_MS);
  try {
    return await work();
  } finally {
    clearTimeout(timer);
    if (shown) io.stderr('\r\u001b[K');
  }
}
