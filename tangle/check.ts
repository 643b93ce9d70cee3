/**
 * `weft check`: type-check and lint the tangled outputs, and report at the Markdown.
 *
 * esbuild does not type-check, so this runs the TypeScript compiler (the `typescript`
 * package's API, `noEmit`, the project's `tsconfig.json`) over the tangled modules,
 * `bash -n` and, when it is installed, ShellCheck over the tangled shell scripts, and
 * the freshness check of `weft tangle --check`. Every finding in a tangled file is
 * moved to the `.lit.md` line and column it came from; findings in hand-written files
 * keep their own positions.
 *
 * What is checked is the tangle of the documents as they are now, held in memory, not
 * the files on disk: the compiler host serves each output's text from `tangle()`'s
 * `Output`s (a virtual file system over the real one), and the shell tools read the
 * text on standard input. So the checked text and its `Output.origins` are one object
 * and positions map exactly, even when the files on disk are stale or missing (which
 * the freshness check reports on its own).
 *
 * Positions are mapped through `Output.origins` (via `locateInDocument`), not the
 * `.map` files: the origins give the exact column of any character, where a source map
 * has a segment only at token starts; they need no file I/O; and `.map` files are
 * derived data that may be missing (they are not committed).
 *
 * `typescript` is loaded only when a check runs (it takes a few hundred milliseconds),
 * so `weft tangle` does not pay for it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve as resolvePath } from 'node:path';
import type TypeScript from 'typescript';
import { locateInDocument } from './bundle.js';
import { tangle } from './context.js';
import { message, sortMessages } from './messages.js';
import type { Message, Output, Severity } from './types.js';

/** Options of `check()`. */
export interface CheckOptions {
  /** Project root: where `weft.config.json` and `tsconfig.json` are. @default process.cwd() */
  root?: string;
  /** Use the on-disk parse cache under `.weft/cache/`. @default true */
  cache?: boolean;
  /**
   * Command that runs ShellCheck. When it cannot be started, shell scripts are checked
   * with `bash -n` only and `summary.shellcheck` is `"skipped"`. @default "shellcheck"
   */
  shellcheck?: string;
}

/** The result of one check. */
export interface CheckResult {
  /** Every finding, sorted: the tangle's own messages (freshness included), compiler and shell diagnostics. */
  messages: Message[];
  summary: {
    /** Files the TypeScript compiler was asked to check (tangled and hand-written). */
    typescriptFiles: number;
    /** Tangled shell scripts checked. */
    shellScripts: number;
    /** Outputs that are stale, missing or hand-edited. */
    stale: number;
    /** Whether ShellCheck ran: `"skipped"` when it is not installed, `"none"` when there was no script. */
    shellcheck: 'ran' | 'skipped' | 'none';
    /** Milliseconds the whole check took. */
    checkMs: number;
  };
  /** True when there is no error message and no stale output. */
  ok: boolean;
}

/** Compiler options used when the project has no `tsconfig.json`: a strict Node 20 module. */
export const DEFAULT_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  // Node's globals without the DOM's (the DOM's declarations are most of the compile time).
  lib: ['ES2023'],
  strict: true,
  skipLibCheck: true,
  esModuleInterop: true,
  isolatedModules: true,
} as const;

const TYPESCRIPT_EXTENSIONS = /\.(?:ts|tsx|mts|cts)$/i;
const JAVASCRIPT_EXTENSIONS = /\.(?:js|jsx|mjs|cjs)$/i;
const SHELLS = new Set(['sh', 'bash', 'dash', 'ksh']);

/** Type-check, lint the shell scripts, and check freshness. Never throws for problems in the project. */
export async function check(options: CheckOptions = {}): Promise<CheckResult> {
  const started = performance.now();
  const root = resolvePath(options.root ?? process.cwd());
  const tangled = await tangle({ root, check: true, bundle: false, cache: options.cache });
  const messages = [...tangled.messages];
  const typed = await typeCheck(root, tangled.outputs);
  messages.push(...typed.messages);
  const scripts = tangled.outputs.filter(isShellScript);
  const shell = checkShellScripts(root, scripts, options.shellcheck ?? 'shellcheck');
  messages.push(...shell.messages);
  const sorted = sortMessages(messages);
  return {
    messages: sorted,
    summary: {
      typescriptFiles: typed.files,
      shellScripts: scripts.length,
      stale: tangled.summary.stale,
      shellcheck: scripts.length === 0 ? 'none' : shell.shellcheckRan ? 'ran' : 'skipped',
      checkMs: Math.round((performance.now() - started) * 10) / 10,
    },
    ok: !sorted.some((m) => m.severity === 'error') && tangled.summary.stale === 0,
  };
}

// ---------------------------------------------------------------------------
// TypeScript

/**
 * Run the compiler over the project's `tsconfig.json` (or `DEFAULT_COMPILER_OPTIONS`)
 * plus every tangled TypeScript output, with the outputs' text served from memory.
 */
export async function typeCheck(root: string, outputs: readonly Output[]): Promise<{ messages: Message[]; files: number }> {
  const ts = (await import('typescript')).default;
  const messages: Message[] = [];
  const configPath = join(root, 'tsconfig.json');
  let compilerOptions: TypeScript.CompilerOptions;
  let fileNames: string[] = [];
  if (existsSync(configPath)) {
    const read = ts.readConfigFile(configPath, ts.sys.readFile);
    if (read.error) return { messages: [diagnosticMessage(ts, root, outputs, read.error)], files: 0 };
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
    // An empty "files" list (18002) or no inputs found (18003, before the first tangle) is
    // not a problem here: the tangled outputs are added to the files below.
    const NO_INPUTS = new Set([18002, 18003]);
    messages.push(...parsed.errors.filter((d) => !NO_INPUTS.has(d.code)).map((d) => diagnosticMessage(ts, root, outputs, d)));
    compilerOptions = parsed.options;
    fileNames = parsed.fileNames;
  } else {
    compilerOptions = ts.convertCompilerOptionsFromJson(DEFAULT_COMPILER_OPTIONS, root).options;
  }
  // Check, never write: drop the options that ask for output and conflict with noEmit.
  compilerOptions = { ...compilerOptions, noEmit: true, emitDeclarationOnly: false, composite: false, incremental: false, declaration: false, declarationMap: false };
  compilerOptions.tsBuildInfoFile = undefined;

  const overlay = new Map<string, string>();
  const overlayFolders = new Set<string>();
  for (const output of outputs) {
    const full = toCompilerPath(join(root, output.path));
    overlay.set(full, output.content);
    for (let folder = posix.dirname(full); !overlayFolders.has(folder) && folder !== posix.dirname(folder); folder = posix.dirname(folder)) overlayFolders.add(folder);
  }
  const checked = (output: Output) => TYPESCRIPT_EXTENSIONS.test(output.path) || (compilerOptions.allowJs === true && JAVASCRIPT_EXTENSIONS.test(output.path));
  const rootNames = [...new Set([...fileNames.map(toCompilerPath), ...outputs.filter(checked).map((o) => toCompilerPath(join(root, o.path)))])];

  const host = ts.createCompilerHost(compilerOptions, true);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (file) => overlay.has(toCompilerPath(file)) || fileExists.call(host, file);
  host.readFile = (file) => overlay.get(toCompilerPath(file)) ?? readFile.call(host, file);
  host.directoryExists = (folder) => overlayFolders.has(toCompilerPath(folder)) || (directoryExists?.call(host, folder) ?? true);
  host.getSourceFile = (file, languageVersion, onError, shouldCreate) => {
    const text = overlay.get(toCompilerPath(file));
    if (text === undefined) return getSourceFile.call(host, file, languageVersion, onError, shouldCreate);
    return ts.createSourceFile(file, text, languageVersion, true);
  };

  const program = ts.createProgram({ rootNames, options: compilerOptions, host });
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) messages.push(diagnosticMessage(ts, root, outputs, diagnostic));
  return { messages, files: rootNames.length };
}

/** The compiler's paths: absolute, forward slashes. */
function toCompilerPath(path: string): string {
  return path.replace(/\\/g, '/');
}

/** A compiler diagnostic as a message, moved to the document when it is in a tangled output. */
function diagnosticMessage(ts: typeof TypeScript, root: string, outputs: readonly Output[], diagnostic: TypeScript.Diagnostic): Message {
  const [head = '', ...chain] = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split('\n');
  const notes = chain.map((line) => line.trim()).filter((line) => line.length > 0);
  for (const related of diagnostic.relatedInformation ?? []) {
    const where = diagnosticPlace(root, outputs, related);
    const text = ts.flattenDiagnosticMessageText(related.messageText, ' ');
    notes.push(where.line > 0 ? `${where.file}:${where.line}:${where.column}: ${text}` : text);
  }
  const place = diagnosticPlace(root, outputs, diagnostic);
  const severity: Severity = diagnostic.category === ts.DiagnosticCategory.Error ? 'error' : 'warning';
  return message(place.file, place.line, place.column, severity, `TS${diagnostic.code}`, head, notes);
}

/** Where a diagnostic is: in the document for tangled lines, else in its own file (0:0 when it has none). */
function diagnosticPlace(root: string, outputs: readonly Output[], diagnostic: TypeScript.Diagnostic): { file: string; line: number; column: number } {
  if (!diagnostic.file) return { file: existsSync(join(root, 'tsconfig.json')) ? 'tsconfig.json' : '(typescript)', line: 0, column: 0 };
  const file = relative(root, diagnostic.file.fileName).split('\\').join('/');
  const position = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
  const line = position.line + 1;
  const column = position.character + 1;
  return locateInDocument(outputs, file, line, column) ?? { file, line, column };
}

// ---------------------------------------------------------------------------
// Shell scripts

/** A shell script: named `.sh`/`.bash`, or starting with a `#!` line that runs sh, bash, dash or ksh. */
export function isShellScript(output: Output): boolean {
  if (/\.(?:sh|bash)$/i.test(output.path)) return true;
  const interpreter = shebangInterpreter(output.content);
  return interpreter !== undefined && SHELLS.has(interpreter);
}

/** The program a `#!` line runs (`bash` for `#!/usr/bin/env bash`), or undefined. */
function shebangInterpreter(content: string): string | undefined {
  const match = /^#!\s*(\S+)(.*)/.exec(content.slice(0, content.indexOf('\n') >>> 0));
  if (!match) return undefined;
  const program = posix.basename(match[1]!);
  if (program !== 'env') return program;
  const argument = match[2]!.trim().split(/\s+/).find((word) => !word.startsWith('-'));
  return argument === undefined ? undefined : posix.basename(argument);
}

/** `bash -n` on every script, and ShellCheck when it can be started. */
export function checkShellScripts(root: string, scripts: readonly Output[], shellcheck: string): { messages: Message[]; shellcheckRan: boolean } {
  const messages: Message[] = [];
  let shellcheckRan = scripts.length > 0;
  for (const script of scripts) {
    messages.push(...bashSyntax(root, script));
    if (!shellcheckRan) continue;
    const findings = runShellcheck(root, script, shellcheck);
    if (findings === undefined) shellcheckRan = false;
    else messages.push(...findings);
  }
  return { messages, shellcheckRan };
}

/**
 * `bash -n` over the script's text: syntax errors, at the document line. The text goes
 * through a temporary file: bash gives no line numbers for a script read from a pipe,
 * and Node's pipes are sockets, which `/dev/stdin` cannot open.
 */
function bashSyntax(root: string, script: Output): Message[] {
  const folder = mkdtempSync(join(tmpdir(), 'weft-check-'));
  const file = join(folder, 'script');
  let run;
  try {
    writeFileSync(file, script.content);
    run = spawnSync('bash', ['-n', file], { cwd: root, encoding: 'utf8' });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  if (run.error) return [message(script.path, 0, 0, 'warning', 'shell-syntax', `cannot run bash -n: ${run.error.message}`)];
  const messages: Message[] = [];
  for (const line of run.stderr.split('\n')) {
    if (!line.startsWith(`${file}: line `)) continue;
    const match = /^(\d+): (.*)$/.exec(line.slice(file.length + 7));
    // bash echoes the offending line after the error as `text'; the error is enough.
    if (!match || /^`.*'$/.test(match[2]!)) continue;
    const place = scriptPlace(script, Number(match[1]), 0);
    messages.push(message(place.file, place.line, place.column, 'error', 'shell-syntax', match[2]!));
  }
  if (messages.length === 0 && run.status !== 0) messages.push(message(script.path, 0, 0, 'error', 'shell-syntax', run.stderr.trim() || `bash -n exited with ${run.status}`));
  return messages;
}

interface ShellcheckComment {
  line: number;
  column: number;
  level: 'error' | 'warning' | 'info' | 'style';
  code: number;
  message: string;
}

/** ShellCheck's findings at the document line, or undefined when ShellCheck cannot be started. */
function runShellcheck(root: string, script: Output, command: string): Message[] | undefined {
  // Without a #! line ShellCheck cannot tell the dialect; such files are sourced by bash scripts.
  const dialect = shebangInterpreter(script.content) === undefined ? ['--shell=bash'] : [];
  // json1 counts a tab as one column, like the origins do.
  const run = spawnSync(command, ['--format=json1', ...dialect, '-'], { cwd: root, input: script.content, encoding: 'utf8' });
  if (run.error) return undefined;
  let comments: ShellcheckComment[];
  try {
    comments = (JSON.parse(run.stdout) as { comments: ShellcheckComment[] }).comments;
  } catch {
    return [message(script.path, 0, 0, 'warning', 'shellcheck', `shellcheck failed: ${run.stderr.trim() || `exit code ${run.status}`}`)];
  }
  return comments.map((comment) => {
    const place = scriptPlace(script, comment.line, comment.column);
    return message(place.file, place.line, place.column, comment.level === 'error' ? 'error' : 'warning', `SC${comment.code}`, comment.message.replace(/\.$/, ''));
  });
}

/**
 * A script position in its document. `column` 0 means "the line": it becomes the
 * column where the line's text starts. Lines past the end (bash's "unexpected end of
 * file") are moved to the last line.
 */
function scriptPlace(script: Output, line: number, column: number): { file: string; line: number; column: number } {
  const last = script.content.split('\n').length - 1;
  const clamped = Math.max(1, Math.min(line, last));
  const origin = script.origins[clamped - 1];
  const mapped = locateInDocument([script], script.path, clamped, column === 0 ? (origin?.indent ?? 0) + 1 : column);
  return mapped ?? { file: script.path, line: clamped, column };
}
