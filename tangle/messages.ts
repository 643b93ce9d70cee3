// generated from docs/engine/messages.lit.md by weft — edit the source, not this file
import pc from 'picocolors';
import type { Message, Severity } from './types.js';

/**
 * Every rule id Weft reports, in one place (as esbuild keeps its message ids), each
 * documented in the README's Diagnostics table. A test checks that every id used in
 * `tangle/` is listed here and there. Other tools' codes keep their own form (`ToolRuleId`).
 */
export const RULE_IDS = [
  'ambiguous-chunk',
  'broken-link',
  'bundle-error',
  'bundle-outdir',
  'case-conflict',
  'chunk-cycle',
  'config-exists',
  'conflicting-target',
  'document-import',
  'document-too-complex',
  'document-too-large',
  'duplicate-file',
  'duplicate-id',
  'empty-target',
  'entangled-config',
  'entangled-unmapped',
  'expansion-limit',
  'hand-edited-output',
  'internal-error',
  'invalid-chunk-name',
  'invalid-utf8',
  'journal-unrecoverable',
  'locked',
  'malformed-config',
  'malformed-manifest',
  'malformed-package-json',
  'no-sources',
  'no-targets',
  'output-is-source',
  'output-outside-root',
  'output-path-conflict',
  'output-too-large',
  'path-too-long',
  'reference-not-alone',
  'shell-syntax',
  'shellcheck',
  'stale-output',
  'stitch/base-unreproducible',
  'stitch/both-changed',
  'stitch/changed-during-stitch',
  'stitch/dedent-below-reference',
  'stitch/header-edited',
  'stitch/instances-differ',
  'stitch/mode-change',
  'stitch/new-code-in-skeleton',
  'stitch/overlapping-edits',
  'stitch/propagated',
  'stitch/shared-chunk',
  'stitch/spans-chunks',
  'stitch/unknown-output',
  'stitch/verify-failed',
  'stitch/whitespace-only-line',
  'swallowed-fence',
  'temporary-in-the-way',
  'token-budget',
  'unclear-info-string',
  'unclosed-fence',
  'undefined-chunk',
  'unreadable-document',
  'unsafe-weft-folder',
  'unused-chunk',
  'write-failed',
] as const;

/** A Weft rule id (`Message.rule`). */
export type RuleId = (typeof RULE_IDS)[number];

/** A finding of another tool, under that tool's code: TypeScript's `TS2322`, ShellCheck's `SC2086`. */
export type ToolRuleId = `TS${number}` | `SC${number}`;

/** Make a message. `line`/`column` are 1-based; 0 means "the whole file/line". `rule` is a `RuleId` or a `ToolRuleId`. */
export function message(
  file: string,
  line: number,
  column: number,
  severity: Severity,
  rule: string,
  text: string,
  notes?: string[],
): Message {
  const result: Message = { file, line, column, severity, rule, message: text };
  if (notes && notes.length > 0) result.notes = notes;
  return result;
}

/** Deterministic order: file, line, column, then rule and text. */
export function compareMessages(a: Message, b: Message): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** Sort and drop exact duplicates (the same problem found through two paths). */
export function sortMessages(messages: Message[]): Message[] {
  const seen = new Set<string>();
  const result: Message[] = [];
  for (const m of [...messages].sort(compareMessages)) {
    const key = JSON.stringify(m);
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(m);
  }
  return result;
}

export function hasErrors(messages: Message[]): boolean {
  return messages.some((m) => m.severity === 'error');
}

export interface FormatOptions {
  /** Colour the severity and rule (default false). */
  color?: boolean;
  /**
   * Returns the text of a 1-based line of a file, for the code frame, or
   * undefined. When omitted, no code frame is printed.
   */
  lineText?: (file: string, line: number) => string | undefined;
}

/** `file:line:column: severity: message [rule]`, notes and an optional code frame. */
export function formatMessage(m: Message, options: FormatOptions = {}): string {
  const c = pc.createColors(options.color === true);
  const where = m.line > 0 ? `${m.file}:${m.line}:${Math.max(m.column, 1)}` : m.file;
  const severity = m.severity === 'error' ? c.red(c.bold('error')) : c.yellow(c.bold('warning'));
  let text = `${c.bold(where)}: ${severity}: ${m.message} ${c.dim(`[${m.rule}]`)}`;
  const source = m.line > 0 ? options.lineText?.(m.file, m.line) : undefined;
  if (source !== undefined) {
    const gutter = String(m.line);
    const shown = source.replace(/\t/g, ' ');
    text += `\n ${c.dim(gutter + ' |')} ${shown}`;
    if (m.column > 0) {
      text += `\n ${c.dim(' '.repeat(gutter.length) + ' |')} ${' '.repeat(m.column - 1)}${c.red('^')}`;
    }
  }
  for (const note of m.notes ?? []) text += `\n  ${c.cyan('note')}: ${note}`;
  return text;
}

/** Closest candidate by edit distance, if close enough to be a likely typo. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const threshold = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // Only a candidate at most as far as the best so far (and close enough at all) matters.
    const distance = editDistance(name, candidate, Math.min(threshold, bestDistance));
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= threshold ? best : undefined;
}

/** The edit distance of `a` and `b`, or Infinity when it is more than `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > Math.min(8, limit)) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (current[j]! < smallest) smallest = current[j]!;
    }
    if (smallest > limit) return Infinity;
    previous = current;
  }
  return previous[b.length]! > limit ? Infinity : previous[b.length]!;
}
//# sourceMappingURL=messages.ts.map
