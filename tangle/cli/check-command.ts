/**
 * `weft check`: flags → `check()` → messages in the compiler's form, a summary line, an
 * exit code (1 on any error or stale output).
 */
import pc from 'picocolors';
import { check, type CheckResult } from '../check.js';
import { formatMessage, type FormatOptions } from '../messages.js';
import type { Message } from '../types.js';
import { COMMON_FLAGS, parseFlags, projectRootFor, type Command } from './args.js';
import { messageJson, plural, printJson, printMessages, problemCounts, summary, withProgress } from './print.js';
import { explainNoSources } from './tangle-command.js';

/** Rules that are another tool's codes (`TS2322`, `SC2086`): printed the way that tool prints them. */
const TOOL_RULE = /^(?:TS|SC)\d+$/;

/**
 * `file:line:column: error TS2322: text`, the compiler's own form, for the compiler's and
 * ShellCheck's findings; Weft's form (`formatMessage`) for everything else. Notes and the
 * code frame are the same in both.
 */
export function formatCheckMessage(m: Message, options: FormatOptions = {}): string {
  const text = formatMessage(m, options);
  if (!TOOL_RULE.test(m.rule)) return text;
  const c = pc.createColors(options.color === true);
  const where = m.line > 0 ? `${m.file}:${m.line}:${Math.max(m.column, 1)}` : m.file;
  const severity = m.severity === 'error' ? c.red(c.bold(`error ${m.rule}`)) : c.yellow(c.bold(`warning ${m.rule}`));
  const head = `${c.bold(where)}: ${severity}: ${m.message}`;
  // formatMessage's first line is its head (messages have no line breaks); keep the rest.
  const newline = text.indexOf('\n');
  return newline < 0 ? head : head + text.slice(newline);
}

/** The closing line: what was checked, what was found, and whether the outputs are fresh. */
export function checkSummaryLine(result: CheckResult): string {
  const s = result.summary;
  const found = problemCounts(result.messages) || 'no problems';
  const checked = `${plural(s.typescriptFiles, 'TypeScript file')}${s.shellScripts ? ` and ${plural(s.shellScripts, 'shell script')}` : ''}`;
  const fresh = s.stale === 0 ? 'all outputs are up to date' : `${s.stale} output${s.stale === 1 ? ' is' : 's are'} stale, missing or hand-edited`;
  return `weft: ${found} in ${checked}; ${fresh}`;
}

const CHECK_FLAGS = {
  json: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  ...COMMON_FLAGS,
} as const;

export const checkCommand: Command = {
  usage: `Usage: weft check [options]

Type-check the tangled TypeScript with the project's tsconfig.json (noEmit), check the
tangled shell scripts with bash -n and ShellCheck (when installed), and check that every
output is up to date (as weft tangle --check). Findings in tangled files are reported at
the .lit.md line and column they came from. Exit 1 on any error, and when there are no
documents and no weft.config.json.

Options:
  --json          print one JSON document on stdout (diagnostics and summary)
  --no-cache      ignore the parse cache in .weft/cache/
  -C, --root DIR  project root, an existing folder (default: found upward from here)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, CHECK_FLAGS);
    const found = projectRootFor(values, io);
    const checked = await withProgress(io, 'type-checking', values.json, () => check({ root: found.root, cache: !values['no-cache'] }));
    const messages = explainNoSources(checked.messages, found.root, true);
    const result: CheckResult = { ...checked, messages, ok: checked.ok && !messages.some((m) => m.severity === 'error') };
    if (values.json) {
      printJson(io, { ok: result.ok, root: found.root, rootFoundBy: found.via, diagnostics: result.messages.map(messageJson), summary: result.summary });
    } else {
      printMessages(result.messages, io, found.root, formatCheckMessage);
      if (result.summary.shellcheck === 'skipped') {
        summary(io, `weft: shellcheck is not installed; ${plural(result.summary.shellScripts, 'shell script')} checked with bash -n only`);
      }
      summary(io, checkSummaryLine(result));
    }
    return result.ok ? 0 : 1;
  },
};
