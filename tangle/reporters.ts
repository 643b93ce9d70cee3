/**
 * Reporters: the same located messages, printed for whoever reads them.
 *
 * `plain` is the compiler form `path:line:col: severity: message [rule]`, which is stable
 * (documented in the README, matched by the `$weft` problem matcher in `matchers/`) so
 * editors, CI log scrapers and agents can rely on it. `github` prints GitHub Actions
 * workflow commands (`::error file=…,line=…,col=…,title=rule::message`), which the runner
 * turns into annotations on the pull request's diff.
 *
 * GitHub shows at most 10 annotations of each severity per step and 50 per job; the rest
 * are dropped silently. So this reporter prints the first 10 of each severity as
 * annotations and the remainder as one plain line with the count and the command that
 * shows them all, instead of letting them vanish. The per-job cap spans steps, so the
 * caller says how many annotations the job has left (`jobBudget`: the CLI counts Weft's
 * own in a ledger under `$RUNNER_TEMP`, which the runner empties for each job);
 * annotations that other tools print in the same job cannot be counted. Paths are made relative to
 * `GITHUB_WORKSPACE` (the checkout), since the runner resolves annotation paths there and
 * a project may live in a subfolder of the repository.
 *
 * Pure: strings in, strings out. The CLI chooses the reporter and prints.
 */
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Message, Severity } from './types.js';

/** How messages are printed. `json` is the `--json` document of each command. */
export type ReporterName = 'plain' | 'github' | 'json';

export const REPORTERS: readonly ReporterName[] = ['plain', 'github', 'json'];

/** GitHub's per-step cap on annotations of one severity. */
export const GITHUB_ANNOTATIONS_PER_SEVERITY = 10;

/** GitHub's per-job cap on annotations. */
export const GITHUB_ANNOTATIONS_PER_JOB = 50;

export interface GithubReportOptions {
  /** Absolute project root; message paths are relative to it. */
  root: string;
  /** Absolute `GITHUB_WORKSPACE`, or undefined: paths stay project-relative. */
  workspace?: string;
  /** The command that shows every message, named in the overflow line, e.g. `weft tangle --check`. */
  fixCommand: string;
  /** Annotations the job has left: the per-job cap less what earlier steps printed. @default 50 */
  jobBudget?: number;
}

/** Escape workflow-command data (after `::`): `%`, CR and LF. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escape a workflow-command property value: as data, plus `:` and `,`. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** The path GitHub resolves: relative to the workspace when one is given, POSIX separators. */
export function workspacePath(file: string, root: string, workspace: string | undefined): string {
  if (!workspace) return file;
  const absolute = isAbsolute(file) ? file : join(root, file);
  return relative(workspace, absolute).split(sep).join('/');
}

/** One `::error …::message` line (no newline). Notes follow the message on their own lines. */
export function githubAnnotation(m: Message, options: Pick<GithubReportOptions, 'root' | 'workspace'>): string {
  const properties = [`file=${escapeProperty(workspacePath(m.file, options.root, options.workspace))}`];
  if (m.line > 0) properties.push(`line=${m.line}`);
  if (m.line > 0 && m.column > 0) properties.push(`col=${m.column}`);
  properties.push(`title=${escapeProperty(m.rule)}`);
  const text = [m.message, ...(m.notes ?? [])].join('\n');
  return `::${m.severity} ${properties.join(',')}::${escapeData(text)}`;
}

/** Every message as GitHub workflow commands, capped per severity and per job, with an overflow line. */
export function formatGithub(messages: readonly Message[], options: GithubReportOptions): string {
  return githubReport(messages, options).text;
}

/** `formatGithub`, and how many annotations it printed (for the job's ledger). */
export function githubReport(messages: readonly Message[], options: GithubReportOptions): { text: string; annotations: number } {
  const budget = Math.max(0, options.jobBudget ?? GITHUB_ANNOTATIONS_PER_JOB);
  const shown: Record<Severity, number> = { error: 0, warning: 0 };
  const hidden: Record<Severity, number> = { error: 0, warning: 0 };
  let jobCapped = false;
  const lines: string[] = [];
  for (const m of messages) {
    const room = shown.error + shown.warning < budget;
    if (shown[m.severity] < GITHUB_ANNOTATIONS_PER_SEVERITY && room) {
      shown[m.severity]++;
      lines.push(githubAnnotation(m, options));
    } else {
      hidden[m.severity]++;
      if (!room) jobCapped = true;
    }
  }
  if (hidden.error + hidden.warning > 0) {
    const counts = [hidden.error ? `${hidden.error} more error${hidden.error === 1 ? '' : 's'}` : '', hidden.warning ? `${hidden.warning} more warning${hidden.warning === 1 ? '' : 's'}` : '']
      .filter(Boolean)
      .join(' and ');
    const cap = jobCapped ? `${GITHUB_ANNOTATIONS_PER_JOB} per job, ${GITHUB_ANNOTATIONS_PER_JOB - budget} of them already used` : `${GITHUB_ANNOTATIONS_PER_SEVERITY} per severity per step`;
    lines.push(`weft: ${counts} not annotated (GitHub shows ${cap}); run \`${options.fixCommand}\` to see them all`);
  }
  return { text: lines.map((line) => `${line}\n`).join(''), annotations: shown.error + shown.warning };
}
