/**
 * `weft stitch`: flags → `stitch()` → a report and an exit code (0 stitched or nothing to
 * do, 1 refused, 2 usage error). The dry run prints, per output, the chunks and `.lit.md`
 * lines each change lands in, the conflicts with rule id, place, reason and hint, then a
 * unified diff of each document (`createTwoFilesPatch` from `diff`) and a summary line.
 */
import { resolve as resolvePath } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { formatMessage } from '../messages.js';
import { stitch } from '../stitch/run.js';
import { createStitchWatcher, type StitchProposal, type StitchWatchMode } from '../stitch/watch.js';
import type { WatchEvent } from '../watch.js';
import { parseFlags, UsageError, type Command, type Io } from './args.js';

export const stitchCommand: Command = {
  usage: `Usage: weft stitch [OUTPUT…] [options]

Carry edits made in generated files (by hand, by an agent, by a formatter) back into
the chunks of the .lit.md they came from. Every hand-edited output is stitched, or only
the OUTPUTs named. The result is verified by tangling it again in memory before anything
is written; on any conflict nothing is written.

Options:
  --dry-run       show where each change would land and the diff of each .lit.md; write nothing
  --propagate     apply a change to a chunk used in several places everywhere it is used
  --base REV      git revision the outputs were last tangled from (default: .weft/cache, then HEAD)
  --json          print the plan as one JSON document
  -C, --root DIR  project root (default: the current folder)
  -h, --help      show this help

Exit codes: 0 stitched (or nothing to stitch), 1 refused, 2 usage error.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      { 'dry-run': { type: 'boolean' }, propagate: { type: 'boolean' }, base: { type: 'string' }, json: { type: 'boolean' }, root: { type: 'string', short: 'C' }, help: { type: 'boolean', short: 'h' } },
      Number.MAX_SAFE_INTEGER,
    );
    const root = resolvePath(io.cwd, values.root ?? '.');
    if (values.base !== undefined && (values.base === '' || values.base.startsWith('-'))) throw new UsageError(`invalid revision "${values.base}"`);
    const result = await stitch({ root, outputs: positionals.length > 0 ? positionals : undefined, dryRun: values['dry-run'], propagate: values.propagate, base: values.base });
    const unknown = result.messages.filter((m) => m.rule === 'stitch/unknown-output');
    if (unknown.length > 0) throw new UsageError(unknown.map((m) => m.message).join('; '));
    const messages = [...result.messages, ...result.plan.messages];
    const refused = !result.plan.ok || messages.some((m) => m.severity === 'error');
    const documents = Object.keys(result.plan.documents).sort();
    const summary = result.edited.length === 0
      ? 'nothing to stitch: no output was edited by hand'
      : refused
        ? `refused: ${messages.filter((m) => m.severity === 'error').length} conflict(s); nothing was written`
        : `${values['dry-run'] ? 'would stitch' : 'stitched'} ${result.edited.length} output(s) into ${documents.length} document(s): ${result.plan.landings.length} change(s)${result.plan.merged.length > 0 ? `, ${result.plan.merged.length} merged three-way` : ''}`;
    if (values.json) {
      io.stdout(
        `${JSON.stringify(
          {
            ok: !refused,
            written: result.written,
            edited: result.edited,
            landings: result.plan.landings,
            documents: Object.fromEntries(documents.map((path) => [path, createTwoFilesPatch(path, path, result.plan.current[path] ?? '', result.plan.documents[path]!)])),
            merged: result.plan.merged,
            messages,
            summary,
          },
          null,
          2,
        )}\n`,
      );
      return refused ? 1 : 0;
    }
    for (const output of result.edited) {
      const landings = result.plan.landings.filter((l) => l.output === output);
      if (landings.length === 0) continue;
      io.stdout(`${output}\n`);
      for (const l of landings) io.stdout(`  line ${l.at} → ${l.chunk} at ${l.document}:${l.line} (${l.removed} removed, ${l.added} added)\n`);
    }
    for (const m of messages) io.stderr(`${formatMessage(m, { color: io.color })}\n`);
    if (values['dry-run']) {
      for (const path of documents) io.stdout(createTwoFilesPatch(`a/${path}`, `b/${path}`, result.plan.current[path] ?? '', result.plan.documents[path]!, undefined, undefined, { context: 2 }).split('\n').slice(1).join('\n'));
    }
    io.stdout(`${summary}\n`);
    return refused ? 1 : 0;
  },
};

/**
 * What `weft watch` prints for a stitch proposal: an NDJSON `stitch-proposal` event with
 * `--json`, else one line, ending in the key prompt when the terminal can answer.
 */
export function formatStitchProposal(proposal: StitchProposal, options: { json: boolean; tty: boolean }): string {
  if (options.json) return `${JSON.stringify({ event: 'stitch-proposal', time: new Date().toISOString(), ...proposal, type: undefined })}\n`;
  return `weft: ${proposal.summary}${options.tty ? `  [s]titch [d]iff [r]evert [i]gnore` : proposal.ok ? ' (run weft stitch)' : ''}\n`;
}

/**
 * Hook stitch into a watch (`watch.stitch`): returns the `onEvent` to chain after the
 * watch's own printer. In a terminal the keys s, d, r, i answer the pending proposal.
 */
export function stitchInWatch(root: string, mode: StitchWatchMode, io: Io, options: { json: boolean; input?: NodeJS.ReadStream }): (event: WatchEvent) => void {
  const tty = Boolean(options.input?.isTTY) && !options.json;
  const watcher = createStitchWatcher({
    root,
    mode,
    onProposal: (proposal) => io.stdout(formatStitchProposal(proposal, { json: options.json, tty: tty && mode === 'propose' })),
    onApplied: (result) => {
      for (const m of result.messages) io.stderr(`${formatMessage(m, { color: io.color })}\n`);
    },
  });
  if (tty && mode === 'propose' && options.input) {
    options.input.setRawMode?.(true);
    options.input.on('data', (data: Buffer) => {
      const key = data.toString('utf8').toLowerCase();
      if (key === '\u0003') process.kill(process.pid, 'SIGINT'); // Ctrl-C in raw mode
      if (['s', 'd', 'r', 'i'].includes(key) && watcher.pending) void watcher.answer(key as 's' | 'd' | 'r' | 'i').then((text) => io.stdout(text.endsWith('\n') ? text : `${text}\n`));
    });
  }
  return (event) => void watcher.onEvent(event);
}
