/**
 * Reading the command line: flags, the project root, and what a command is.
 *
 * Flags are parsed by `node:util` `parseArgs` (strict: an unknown flag or a surplus
 * argument is a usage error, exit 2), with a "did you mean" for a mistyped flag. The
 * project root is found the way tsc, vitest, eslint and git find theirs: searching
 * upward from the current folder for `weft.config.json`, then `package.json`, so
 * `weft tangle` typed in `docs/` or `src-generated/` builds the project rather than
 * reporting an empty one and leaving a stray `.weft/` there. `-C DIR` names the root
 * explicitly and must be an existing folder: creating it would build an empty project
 * somewhere the user did not mean.
 *
 * Nothing outside `tangle/cli/` imports this folder: the engine is plain API.
 */
import { statSync } from 'node:fs';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CONFIG_FILE } from '../config.js';
import { didYouMean } from '../messages.js';
import { REPORTERS, type ReporterName } from '../reporters.js';

/** Where a command prints. Tests pass their own. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether to colour the output (stderr is a terminal and NO_COLOR is not set). */
  color: boolean;
  /** Whether to print code frames under messages (stderr is a terminal; NO_COLOR does not remove them). */
  frames: boolean;
  cwd: string;
  /** How messages are printed: `plain` (the default) or `github` workflow commands (`--reporter`). */
  reporter?: 'plain' | 'github';
  /** Absolute `GITHUB_WORKSPACE`, for the github reporter's paths. */
  workspace?: string;
  /** The file that counts the job's annotations (`$RUNNER_TEMP/weft-annotations`), for GitHub's per-job cap. */
  annotationLedger?: string;
  /** The command line as typed, without `--reporter` and `--color` (the github reporter's "run … to see them all"). */
  commandLine?: string;
  /** `--quiet`: print only errors and warnings, no summary line. */
  quiet?: boolean;
  /** `--verbose`: also print what each output went through. */
  verbose?: boolean;
  /** Whether stderr is a terminal (for the progress line). */
  terminal?: boolean;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

export interface Command {
  /** Full usage text for `weft COMMAND --help`. */
  usage: string;
  run(argv: string[], io: Io): Promise<number>;
}

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** The values `parseFlags` returns: strings for string options, booleans for the rest. */
export type FlagValues<T> = { [K in keyof T]?: T[K] extends { type: 'string' } ? string : boolean };

/** `-C DIR` / `--root DIR` and `-h` / `--help`, which every command takes. */
export const COMMON_FLAGS = {
  root: { type: 'string', short: 'C' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagOptions;

/** Parse flags strictly: unknown flags and more than `positionals` arguments are usage errors. */
export function parseFlags<T extends FlagOptions>(argv: string[], options: T, positionals = 0): { values: FlagValues<T>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals > 0 });
  } catch (error) {
    throw new UsageError(flagError(options, (error as Error).message));
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument: ${parsed.positionals[positionals]}`);
  return { values: parsed.values as FlagValues<T>, positionals: parsed.positionals };
}

/** parseArgs' message, shortened, with "did you mean" for an unknown flag. */
function flagError(options: FlagOptions, text: string): string {
  const short = text.replace(/\. To specify a positional argument.*$/s, '').replace(/\. To specify an option argument.*$/s, '');
  const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(short);
  if (!unknown) return short;
  const long = Object.keys(options);
  const guess = unknown[1] === '--' ? didYouMean(unknown[2]!, long) : undefined;
  const flag = `${unknown[1]}${unknown[2]}`;
  return guess ? `unknown option ${flag}; did you mean --${guess}?` : `unknown option ${flag} (options: ${long.map((name) => `--${name}`).join(', ')})`;
}

/** The project root a command works on, and how it was found. */
export interface ProjectRoot {
  /** Absolute path. */
  root: string;
  /** How: `-C`, the nearest `weft.config.json` or `package.json` upward, or the current folder. */
  via: '-C' | 'weft.config.json' | 'package.json' | 'cwd';
}

/**
 * The root: `-C DIR` (which must be an existing folder: a usage error otherwise), else the
 * nearest folder upward from `cwd` with a `weft.config.json`, else with a `package.json`,
 * else `cwd` itself.
 */
export function findProjectRoot(explicit: string | undefined, cwd: string): ProjectRoot {
  if (explicit !== undefined) return { root: existingFolder('-C', explicit, cwd), via: '-C' };
  const start = resolvePath(cwd);
  for (const marker of [CONFIG_FILE, 'package.json'] as const) {
    for (let folder = start; ; folder = dirname(folder)) {
      if (statSync(join(folder, marker), { throwIfNoEntry: false })?.isFile()) return { root: folder, via: marker };
      if (dirname(folder) === folder) break;
    }
  }
  return { root: start, via: 'cwd' };
}

/** The absolute path of the folder a flag names; a usage error when it is not an existing folder. */
export function existingFolder(flag: string, folder: string, cwd: string): string {
  const path = resolvePath(cwd, folder);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`${flag} ${folder}: no such folder (weft does not create it)`);
  if (!stat.isDirectory()) throw new UsageError(`${flag} ${folder}: not a folder`);
  return path;
}

/** The stderr line saying which root was used, when it is not the current folder; else undefined. */
export function rootNotice(found: ProjectRoot, cwd: string): string | undefined {
  if (found.via === '-C' || found.root === resolvePath(cwd)) return undefined;
  return `weft: using the project at ${relative(cwd, found.root) || '.'} (found ${found.via} there)\n`;
}

/** Find the root from `-C` or the current folder, printing the notice when it moved. */
export function projectRootFor(values: { root?: string }, io: Io): ProjectRoot {
  const found = findProjectRoot(values.root, io.cwd);
  const notice = rootNotice(found, io.cwd);
  if (notice) io.stderr(notice);
  return found;
}

/** `--color` values. `auto`: colour in a terminal unless NO_COLOR, CI or GITHUB_ACTIONS is set. */
export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];

/** The flags every command takes, read before the command's own: they change how it prints. */
export interface GlobalFlags {
  /** The arguments left for the command. */
  argv: string[];
  color?: ColorMode;
  reporter?: ReporterName;
  quiet: boolean;
  verbose: boolean;
}

/**
 * Take `--color MODE`, `--reporter NAME`, `--quiet` and `--verbose` (also `--flag=value`)
 * out of `argv`, wherever they are. A bad value is a usage error that lists the good ones.
 */
export function takeGlobalFlags(argv: readonly string[]): GlobalFlags {
  const rest: string[] = [];
  const found: GlobalFlags = { argv: rest, quiet: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--quiet' || arg === '-q') found.quiet = true;
    else if (arg === '--verbose') found.verbose = true;
    else {
      const flag = /^--(color|reporter)(?:=(.*))?$/.exec(arg);
      if (!flag) {
        rest.push(arg);
        continue;
      }
      const value = flag[2] ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${flag[1]} needs a value`);
      if (flag[1] === 'color') found.color = oneOf('--color', value, COLOR_MODES);
      else found.reporter = oneOf('--reporter', value, REPORTERS);
    }
  }
  if (found.quiet && found.verbose) throw new UsageError('--quiet and --verbose cannot be used together');
  return found;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} ${value}: expected one of ${allowed.join(', ')}`);
}
