/**
 * The command line: flags → options → the API → printed messages and an exit code.
 *
 * A thin layer (STYLE.md §5): every command calls the programmatic API and only formats
 * what comes back. Exit codes: 0 success (warnings allowed), 1 errors in the sources or
 * outputs, 2 usage errors. User errors never print a stack trace; an unexpected
 * exception prints one line (and the stack only with WEFT_DEBUG=1).
 */
import { readFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import pc from 'picocolors';
import { createContext, tangle, type TangleOptions } from './context.js';
import { formatMessage } from './messages.js';
import type { Message, TangleResult } from './types.js';
import { WEFT_VERSION } from './version.js';
import type { WatchEvent } from './watch.js';

/** Where a command prints. Tests pass their own. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (colour and code frames). */
  isTTY: boolean;
  cwd: string;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

export interface Command {
  /** Full usage text for `weft COMMAND --help`. */
  usage: string;
  run(argv: string[], io: Io): Promise<number>;
}

const TANGLE_FLAGS = {
  'no-bundle': { type: 'boolean' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  check: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  root: { type: 'string', short: 'C' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** The values `parseFlags` returns: strings for string options, booleans for the rest. */
export type FlagValues<T> = { [K in keyof T]?: T[K] extends { type: 'string' } ? string : boolean };

/** Parse flags strictly: unknown flags and more than `positionals` arguments are usage errors. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  positionals = 0,
): { values: FlagValues<T>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals > 0 });
    if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument: ${parsed.positionals[positionals]}`);
    return { values: parsed.values as FlagValues<T>, positionals: parsed.positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

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

/** Print messages to stderr: code frames and colour in a terminal. */
export function printMessages(messages: readonly Message[], io: Io, root: string): void {
  const lineText = io.isTTY ? lineReader(root) : undefined;
  for (const m of messages) io.stderr(`${formatMessage(m, { color: io.isTTY, lineText })}\n`);
}

/** The JSON form of a message (the `--json` contract). */
export function messageJson(m: Message) {
  return { file: m.file, line: m.line, column: m.column, severity: m.severity, rule: m.rule, message: m.message, notes: m.notes ?? [] };
}

function tangleJson(result: TangleResult) {
  return {
    ok: result.ok,
    diagnostics: result.messages.map(messageJson),
    summary: result.summary,
    files: result.files,
  };
}

function summaryLine(result: TangleResult, check: boolean): string {
  const s = result.summary;
  const errors = result.messages.filter((m) => m.severity === 'error').length;
  const warnings = result.messages.length - errors;
  const problems = [errors ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : '']
    .filter(Boolean)
    .join(', ');
  if (check) {
    const verdict = s.stale === 0 && result.ok ? 'all outputs are up to date' : `${s.stale} output${s.stale === 1 ? ' is' : 's are'} stale, missing or hand-edited`;
    return `weft: ${verdict} (${s.documents} documents${problems ? `; ${problems}` : ''})`;
  }
  const timing = `${Math.round(s.tangleMs)} ms${s.bundleMs === null ? '' : `, bundle ${Math.round(s.bundleMs)} ms`}`;
  return `weft: ${s.written} written, ${s.unchanged} unchanged, ${s.deleted} deleted from ${s.documents} documents in ${timing}${problems ? `; ${problems}` : ''}`;
}

function tangleOptions(values: { 'no-bundle'?: boolean; force?: boolean; check?: boolean; 'no-cache'?: boolean; root?: string }, io: Io): TangleOptions {
  return {
    root: resolvePath(io.cwd, values.root ?? '.'),
    bundle: !values['no-bundle'],
    force: values.force ?? false,
    check: values.check ?? false,
    cache: !values['no-cache'],
    trustStamps: true,
  };
}

const tangleCommand: Command = {
  usage: `Usage: weft tangle [options]

Tangle every source (weft.config.json "sources", default docs/**/*.lit.md) into its
outputs, then build the bundle configured in "bundle".

Options:
  --check         write nothing; exit 1 when an output is stale, missing or hand-edited
  --force         overwrite hand-edited outputs (a backup is kept under .weft/backup/)
  --no-bundle     do not run esbuild
  --json          print one JSON document on stdout (diagnostics and summary)
  --no-cache      ignore the parse cache in .weft/cache/
  -C, --root DIR  project root (default: the current folder)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, TANGLE_FLAGS);
    const options = tangleOptions(values, io);
    const result = await tangle(options);
    if (values.json) io.stdout(`${JSON.stringify(tangleJson(result), null, 2)}\n`);
    else {
      printMessages(result.messages, io, options.root!);
      io.stdout(`${summaryLine(result, options.check ?? false)}\n`);
    }
    if (!result.ok) return 1;
    return options.check && result.summary.stale > 0 ? 1 : 0;
  },
};

const watchCommand: Command = {
  usage: `Usage: weft watch [options]

Tangle and bundle once, then watch the sources and weft.config.json and rebuild on
every change. Errors are reported and the last good outputs stay on disk. Ctrl-C or
SIGTERM stops cleanly (exit 0).

Options:
  --force         overwrite hand-edited outputs (a backup is kept under .weft/backup/)
  --no-bundle     do not run esbuild
  --json          print one JSON object per event, one per line
  --no-cache      ignore the parse cache in .weft/cache/
  --serve         also weave the site after every build and serve it on 127.0.0.1, with live reload
  --port N        port for --serve (default 4173; 0: any free port)
  -C, --root DIR  project root (default: the current folder)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, { ...TANGLE_FLAGS, serve: { type: 'boolean' }, port: { type: 'string' } });
    if (values.check) throw new UsageError('--check cannot be used with watch');
    if (values.port !== undefined && !values.serve) throw new UsageError('--port needs --serve');
    const options = tangleOptions(values, io);
    // Signals are caught before the first build: a Ctrl-C during it still stops cleanly,
    // after the build's writes (which are atomic) are done. A second one stops at once.
    let requestStop = () => {};
    const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
    let signals = 0;
    const onSignal = () => {
      if (++signals === 1) return requestStop();
      io.stderr('weft: interrupted again; stopping without waiting\n');
      process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const context = await createContext(options);
    let serve: import('./cli-weave.js').WatchServe | undefined;
    try {
      if (values.serve) serve = await (await import('./cli-weave.js')).startWatchServe(options.root!, values.port, values.json ?? false, io);
      await context.watch({
        onEvent: (event) => {
          io.stdout(values.json ? `${JSON.stringify(watchEventJson(event))}\n` : watchStatus(event, io, options.root!));
          serve?.onEvent(event);
        },
      });
      await stopRequested;
    } finally {
      await serve?.close();
      await context.dispose();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    io.stdout(values.json ? `${JSON.stringify({ event: 'stopped', time: new Date().toISOString() })}\n` : 'weft: stopped watching\n');
    return 0;
  },
};

/**
 * One NDJSON object per watch event: `event` ("ready", "rebuild", "error"), an ISO `time`,
 * the changed documents and triggering paths, and the `weft tangle --json` fields, where
 * `files` lists only the outputs that were written, deleted, kept or refused.
 */
function watchEventJson(event: WatchEvent) {
  const time = new Date().toISOString();
  if (event.type === 'error') return { event: 'error', time, error: event.error };
  const { files, ...rest } = tangleJson(event.result);
  return {
    event: event.type,
    time,
    changed: event.changed,
    trigger: event.type === 'rebuild' ? event.trigger : [],
    recovered: event.type === 'rebuild' && event.recovered,
    ...rest,
    files: files.filter((f) => f.action !== 'unchanged'),
  };
}

/** Messages (with code frames in a terminal) and one status line per watch event, for stdout. */
function watchStatus(event: WatchEvent, io: Io, root: string): string {
  const time = new Date().toTimeString().slice(0, 8);
  if (event.type === 'error') {
    io.stderr(`${time} watcher error: ${event.error}\n`);
    return '';
  }
  printMessages(event.result.messages, io, root);
  const s = event.result.summary;
  const color = io.isTTY ? pc : pc.createColors(false);
  const causes = event.changed.length > 0 ? event.changed : event.type === 'rebuild' ? event.trigger : [];
  const cause =
    event.type === 'ready' ? 'initial build' : causes.length === 0 ? 'nothing changed' : causes.length <= 3 ? causes.join(', ') : `${causes.slice(0, 2).join(', ')} and ${causes.length - 2} more`;
  const status = !event.result.ok
    ? color.red('failed (last good outputs kept)')
    : event.type === 'rebuild' && event.recovered
      ? color.green('ok (errors fixed)')
      : color.green('ok');
  const kept = event.result.files.filter((f) => f.action === 'kept').length;
  const counts = `${s.written} written, ${s.unchanged} unchanged, ${s.deleted} removed${kept > 0 ? `, ${kept} kept` : ''}`;
  const timing = `tangle ${Math.round(s.tangleMs)} ms${s.bundleMs === null ? '' : `, bundle ${Math.round(s.bundleMs)} ms`}`;
  return `${time} ${status} ${cause}: ${counts}; ${timing}\n`;
}

/** Every command, by name. Commands live in their own modules; this table wires them. */
/** A command's one-line summary and how to load it (lazily: `weft tangle` never loads TypeScript or the tokenizer). */
export interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  tangle: { summary: 'tangle the literate sources into outputs, then bundle', load: async () => tangleCommand },
  watch: { summary: 'tangle, then re-tangle and re-bundle on every change', load: async () => watchCommand },
  check: { summary: 'type-check and lint the tangled outputs, reporting at the Markdown', load: async () => (await import('./check.js')).checkCommand },
  init: { summary: 'create a new literate project in the current folder', load: async () => (await import('./init.js')).initCommand },
  diff: { summary: 'show what changed in chunks and outputs since a git revision', load: async () => (await import('./governance-commands.js')).diffCommand },
  stats: { summary: 'count lines, bytes and tokens of documents, chunks and outputs', load: async () => (await import('./governance-commands.js')).statsCommand },
  explain: { summary: 'trace a generated line, or a chunk, back to the Markdown', load: async () => (await import('./governance-commands.js')).explainCommand },
  weave: { summary: 'build an HTML site of the documents, with chunk cross-references', load: async () => (await import('./cli-weave.js')).weaveCommand },
};

const MAIN_USAGE = () => `Usage: weft <command> [options]

Weft tangles literate Markdown (*.lit.md) into TypeScript modules and scripts,
with source maps back to the Markdown, safe writes and an esbuild bundle.

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(9)} ${command.summary}`)
  .join('\n')}

Options:
  -h, --help     show help (also: weft <command> --help)
  -v, --version  print the version

Exit codes: 0 success, 1 errors in the sources or outputs, 2 usage errors.`;

/** Run the CLI with `argv` (without `node` and the script). Returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      io.stdout(`${MAIN_USAGE()}\n`);
      return name === undefined ? 2 : 0;
    }
    if (name === '-v' || name === '--version') {
      io.stdout(`${WEFT_VERSION}\n`);
      return 0;
    }
    const entry = COMMANDS[name];
    if (!entry) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    const command = await entry.load();
    // Every command answers -h/--help with its usage, before its own flags are read.
    if (rest.includes('-h') || rest.includes('--help')) {
      io.stdout(`${command.usage}\n`);
      return 0;
    }
    try {
      return await command.run(rest, io);
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr(`weft ${name}: ${error.message}\n\n${command.usage}\n`);
        return 2;
      }
      throw error;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`weft: ${error.message}\n\n${MAIN_USAGE()}\n`);
      return 2;
    }
    io.stderr(`weft: internal error: ${(error as Error).message}\n`);
    if (process.env.WEFT_DEBUG) io.stderr(`${(error as Error).stack}\n`);
    else io.stderr('(this is a bug in weft; run with WEFT_DEBUG=1 for details)\n');
    return 70;
  }
}

/** The process entry: wires `main` to the real process. */
export async function runCli(): Promise<void> {
  const io: Io = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
  };
  const code = await main(process.argv.slice(2), io);
  // Let stdout drain before exiting (large --json documents through a pipe).
  process.exitCode = code;
}
