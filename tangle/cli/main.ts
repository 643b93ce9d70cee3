/**
 * The command line: flags → options → the API → printed messages and an exit code.
 *
 * A thin layer (STYLE.md §5) and the only one that prints or exits: every command is an
 * adapter (`*-command.ts`) that calls the programmatic API and formats what comes back.
 * Nothing outside `tangle/cli/` imports this folder (`test/imports.test.ts`).
 *
 * Exit codes: 0 success (warnings allowed), 1 errors in the sources or outputs, 2 usage
 * errors (an unknown command or flag, a missing argument, `-C` to a folder that does not
 * exist). User errors never print a stack trace; an unexpected exception prints one line
 * (and the stack only with WEFT_DEBUG=1), exit 70.
 *
 * Commands are loaded when they run: `weft tangle` never loads TypeScript or the tokenizer.
 */
import { join } from 'node:path';
import { didYouMean } from '../messages.js';
import { WEFT_VERSION } from '../version.js';
import { takeGlobalFlags, UsageError, type Command, type Io } from './args.js';

/** A command's one-line summary and how to load it. */
export interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

/** Every command, by name. */
export const COMMANDS: Record<string, CommandEntry> = {
  tangle: { summary: 'tangle the literate sources into outputs, then bundle', load: async () => (await import('./tangle-command.js')).tangleCommand },
  watch: { summary: 'tangle, then re-tangle and re-bundle on every change', load: async () => (await import('./watch-command.js')).watchCommand },
  check: { summary: 'type-check and lint the tangled outputs, reporting at the Markdown', load: async () => (await import('./check-command.js')).checkCommand },
  init: { summary: 'make the current folder a literate project (or add what is missing)', load: async () => (await import('./init-command.js')).initCommand },
  diff: { summary: 'show what changed in chunks and outputs since a git revision', load: async () => (await import('./diff-command.js')).diffCommand },
  stats: { summary: 'count lines, bytes and tokens of documents, chunks and outputs', load: async () => (await import('./stats-command.js')).statsCommand },
  show: { summary: 'print one chunk expanded, or one output, on stdout (like notangle -R)', load: async () => (await import('./show-command.js')).showCommand },
  ls: { summary: 'list the outputs and the chunks no output uses (like noroots)', load: async () => (await import('./ls-command.js')).lsCommand },
  outputs: { summary: 'print what a tangle reads and writes, for build-system caches', load: async () => (await import('./outputs-command.js')).outputsCommand },
  clean: { summary: 'remove the outputs weft wrote (a copy of each goes to .weft/trash/)', load: async () => (await import('./clean-command.js')).cleanCommand },
  explain: { summary: 'trace a generated line, or a chunk, back to the Markdown', load: async () => (await import('./explain-command.js')).explainCommand },
  weave: { summary: 'build an HTML site of the documents, with chunk cross-references', load: async () => (await import('./weave-command.js')).weaveCommand },
  stitch: { summary: 'carry edits made in generated files back into the .lit.md', load: async () => (await import('./stitch-command.js')).stitchCommand },
  lsp: { summary: 'start the language server for *.lit.md (stdio)', load: async () => (await import('./lsp-command.js')).lspCommand },
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

Every command takes --json (one JSON document on stdout) and -C DIR (the project root),
and these, anywhere on the line:
  --reporter plain|github|json  how diagnostics are printed (github: workflow commands)
  --color auto|always|never     colour (auto: in a terminal, not under NO_COLOR or CI)
  -q, --quiet                   print diagnostics only, no summary lines
  --verbose                     also print what happened to each file
Exit codes: 0 success, 1 errors in the sources or outputs, 2 usage errors.`;

/** `unknown command "tangel"; did you mean "tangle"?` */
function unknownCommand(name: string): string {
  const guess = didYouMean(name, Object.keys(COMMANDS));
  return guess ? `unknown command "${name}"; did you mean "${guess}"?` : `unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`;
}

/** Run the CLI with `argv` (without `node` and the script). Returns the exit code. */
export async function main(argv: string[], given: Io): Promise<number> {
  let io = given;
  let name = argv[0];
  try {
    const globals = takeGlobalFlags(argv);
    io = withGlobalFlags(given, globals);
    name = globals.argv[0];
    const rest = globals.argv.slice(1);
    // `--reporter json` is every command's --json.
    if (globals.reporter === 'json' && !rest.includes('--json')) rest.push('--json');
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      io.stdout(`${MAIN_USAGE()}\n`);
      return name === undefined ? 2 : 0;
    }
    if (name === '-v' || name === '--version') {
      io.stdout(`${WEFT_VERSION}\n`);
      return 0;
    }
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(unknownCommand(name));
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

/** `io` with the global flags applied: `--color`, `--reporter github`, `--quiet`, `--verbose`. */
function withGlobalFlags(io: Io, globals: ReturnType<typeof takeGlobalFlags>): Io {
  const color = globals.color === 'always' ? true : globals.color === 'never' ? false : io.color;
  const reporter = globals.reporter === 'github' ? 'github' : (io.reporter ?? 'plain');
  return { ...io, color, reporter, quiet: globals.quiet, verbose: globals.verbose, commandLine: ['weft', ...globals.argv].join(' ') };
}

/**
 * Colour and code frames for an environment: both in a terminal; NO_COLOR
 * (https://no-color.org, any non-empty value) removes the colour and nothing else. In CI
 * (`CI` or `GITHUB_ACTIONS` set) the text is plain: VS Code strips ANSI codes before its
 * problem matchers run, but GitHub's runner does not, so a coloured line would not match.
 */
export function outputStyle(env: NodeJS.ProcessEnv, terminal: boolean): { color: boolean; frames: boolean } {
  const ci = Boolean(env.CI || env.GITHUB_ACTIONS);
  return { color: terminal && !env.NO_COLOR && !ci, frames: terminal && !ci };
}

/** The process entry: wires `main` to the real process. */
export async function runCli(): Promise<void> {
  const closed = new Set<'stdout' | 'stderr'>();
  const io: Io = {
    stdout: (text) => closed.has('stdout') || process.stdout.write(text),
    stderr: (text) => closed.has('stderr') || process.stderr.write(text),
    ...outputStyle(process.env, Boolean(process.stderr.isTTY)),
    terminal: Boolean(process.stderr.isTTY),
    workspace: process.env.GITHUB_WORKSPACE || undefined,
    // The runner empties RUNNER_TEMP for each job: a count kept there is the job's.
    annotationLedger: process.env.GITHUB_ACTIONS && process.env.RUNNER_TEMP ? join(process.env.RUNNER_TEMP, 'weft-annotations') : undefined,
    cwd: process.cwd(),
  };
  // A reader that stops early (`weft ls | head -1`) closes the pipe: from then on what would
  // go to it is dropped, quietly, as git and grep do, and the command finishes its work (a
  // weave still writes every page) with its own exit code, instead of dying of an
  // unhandled EPIPE with a stack trace.
  for (const [stream, name] of [[process.stdout, 'stdout'], [process.stderr, 'stderr']] as const) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
      closed.add(name);
    });
  }
  // Let stdout drain before exiting (large --json documents through a pipe).
  process.exitCode = await main(process.argv.slice(2), io);
}
