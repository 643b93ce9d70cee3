/**
 * `weft tangle`: flags → `tangle()` → printed messages, a summary line, an exit code.
 *
 * The summary counts what happened to each output, and says why an output was not
 * written: an output is `refused` when a message names it (hand-edited, outside the
 * root), and `not-written` when it is fine but the run has errors elsewhere (a tangle is
 * all or nothing). The write layer reports both as `refused`; the distinction is made
 * here, from the messages, so the engine's `WriteAction` stays as it is.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import { CONFIG_FILE } from '../config.js';
import { tangle, type TangleOptions } from '../context.js';
import { message } from '../messages.js';
import type { Message, TangleResult, WriteAction } from '../types.js';
import { COMMON_FLAGS, parseFlags, projectRootFor, UsageError, type Command, type ProjectRoot } from './args.js';
import { messageJson, plural, printJson, printMessages, problemCounts, summary, withProgress } from './print.js';

export const TANGLE_FLAGS = {
  'no-bundle': { type: 'boolean' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  check: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  'cache-dir': { type: 'string' },
  'no-manifest': { type: 'boolean' },
  'out-root': { type: 'string' },
  ...COMMON_FLAGS,
} as const;

/** What `--json` says happened to an output: the write layer's actions, plus `not-written`. */
export type FileAction = WriteAction | 'not-written';

/** One output in `--json`'s `files`; `reason` only for `not-written`. */
export interface FileReport {
  path: string;
  action: FileAction;
  reason?: string;
}

/** Why an output that nothing is wrong with was not written. */
export const NOT_WRITTEN_REASON = 'not written: the run has errors';

/** The write layer's actions, with `refused` split into `refused` (a message names the file) and `not-written`. */
export function fileReports(result: Pick<TangleResult, 'files' | 'messages'>, check: boolean): FileReport[] {
  const named = new Set(result.messages.filter((m) => m.severity === 'error').map((m) => m.file));
  return result.files.map((f) => (f.action === 'refused' && !check && !named.has(f.path) ? { path: f.path, action: 'not-written', reason: NOT_WRITTEN_REASON } : { path: f.path, action: f.action }));
}

/**
 * The engine's `no-sources` warning names `weft.config.json`; when there is none, it
 * names the project folder and the default instead. With `strict` (a check) an empty
 * project without a config is an error: there is nothing to vouch for.
 */
export function explainNoSources(messages: readonly Message[], root: string, strict: boolean): Message[] {
  if (existsSync(join(root, CONFIG_FILE))) return [...messages];
  return messages.map((m) =>
    m.rule !== 'no-sources'
      ? m
      : message('.', 0, 0, strict ? 'error' : 'warning', 'no-sources', `${m.message} (the default sources: there is no ${CONFIG_FILE} in ${root})`, [
          `run weft in the project folder or pass -C DIR; a new project starts with weft init`,
        ]),
  );
}

/** The `weft tangle --json` document. */
export function tangleJson(result: TangleResult, found: ProjectRoot, messages: readonly Message[], files: readonly FileReport[]) {
  return {
    ok: result.ok && !messages.some((m) => m.severity === 'error'),
    root: found.root,
    rootFoundBy: found.via,
    diagnostics: messages.map(messageJson),
    summary: { ...result.summary, notWritten: files.filter((f) => f.action === 'not-written').length, refused: files.filter((f) => f.action === 'refused').length },
    files,
  };
}

/** `written, not written, refused, unchanged, deleted, kept` counts for a summary line. */
export function countLine(files: readonly FileReport[], verbs: { deleted: string } = { deleted: 'deleted' }): string {
  const count = (action: FileAction) => files.filter((f) => f.action === action).length;
  const parts = [`${count('written')} written`];
  if (count('not-written') > 0) parts.push(`${count('not-written')} not written (the run has errors)`);
  if (count('refused') > 0) parts.push(`${count('refused')} refused`);
  parts.push(`${count('unchanged')} unchanged`, `${count('deleted')} ${verbs.deleted}`);
  if (count('kept') > 0) parts.push(`${count('kept')} kept`);
  return parts.join(', ');
}

function summaryLine(result: TangleResult, messages: readonly Message[], files: readonly FileReport[], check: boolean): string {
  const s = result.summary;
  const problems = problemCounts(messages);
  const from = plural(s.documents, 'document');
  if (check) {
    const ok = s.stale === 0 && !messages.some((m) => m.severity === 'error');
    const verdict = ok ? 'all outputs are up to date' : s.stale === 0 ? 'the sources have errors' : `${s.stale} output${s.stale === 1 ? ' is' : 's are'} stale, missing or hand-edited`;
    return `weft: ${verdict} (${from}${problems ? `; ${problems}` : ''})`;
  }
  const timing = `${Math.round(s.tangleMs)} ms${s.bundleMs === null ? '' : `, bundle ${Math.round(s.bundleMs)} ms`}`;
  return `weft: ${countLine(files)} from ${from} in ${timing}${problems ? `; ${problems}` : ''}`;
}

/** The flags that say where a tangle writes; their folders are relative to the current folder `cwd`. */
export type LayoutFlags = { 'cache-dir'?: string; 'no-cache'?: boolean; 'no-manifest'?: boolean; 'out-root'?: string };

/** `--out-root`, `--cache-dir` and `--no-manifest` as engine options (absolute folders). */
export function layoutOptions(values: LayoutFlags, cwd: string): Pick<TangleOptions, 'outRoot' | 'cacheDir' | 'manifest'> {
  if (values['cache-dir'] !== undefined && values['no-cache']) throw new UsageError('--cache-dir and --no-cache contradict each other; drop one');
  for (const flag of ['cache-dir', 'out-root'] as const) if (values[flag] === '') throw new UsageError(`--${flag} needs a folder`);
  return {
    ...(values['out-root'] === undefined ? {} : { outRoot: resolvePath(cwd, values['out-root']) }),
    ...(values['cache-dir'] === undefined ? {} : { cacheDir: resolvePath(cwd, values['cache-dir']) }),
    ...(values['no-manifest'] ? { manifest: false } : {}),
  };
}

/** The engine options for the tangle flags. */
export function tangleOptions(values: { 'no-bundle'?: boolean; force?: boolean; check?: boolean } & LayoutFlags, root: string, cwd: string): TangleOptions {
  return { root, bundle: !values['no-bundle'], force: values.force ?? false, check: values.check ?? false, cache: !values['no-cache'], trustStamps: true, ...layoutOptions(values, cwd) };
}

/** A DOCUMENT argument (relative to the current folder) as a project-relative path; a usage error when it is no document. */
function namedDocument(document: string, cwd: string, root: string): string {
  const full = resolvePath(cwd, document);
  const path = relative(root, full).split(sep).join('/');
  if (path.startsWith('..') || isAbsolute(path) || !existsSync(full) || !statSync(full).isFile()) {
    throw new UsageError(`${document} is not a document of the project at ${root}`);
  }
  return path;
}

export const tangleCommand: Command = {
  usage: `Usage: weft tangle [DOCUMENT…] [options]

Tangle every source (weft.config.json "sources", default docs/**/*.lit.md) into its
outputs, then build the bundle configured in "bundle". The project is the nearest
folder upward with a weft.config.json (else a package.json), or -C DIR. With DOCUMENTs,
only their outputs are written (the whole project is still read and checked) and the
bundle is not built.

Options:
  --check         write nothing; exit 1 when an output is stale, missing or hand-edited
  --force         overwrite hand-edited outputs (a copy is kept under .weft/trash/)
  --no-bundle     do not run esbuild
  --json          print one JSON document on stdout (diagnostics and summary)
  --no-cache      neither read nor write the cache (.weft/cache/)
  --cache-dir DIR keep the cache in DIR instead of .weft/cache/ (never changes an output)
  --no-manifest   generated mode: keep no .weft/manifest.json; every file at an output
                  path is overwritten, nothing is an orphan (for outputs not in git)
  --out-root DIR  write the outputs, their maps and .weft/ under DIR instead of the
                  project (for Bazel); implies --no-manifest and --no-bundle
  -C, --root DIR  project root, an existing folder (default: found upward from here)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, TANGLE_FLAGS, Number.POSITIVE_INFINITY);
    const found = projectRootFor(values, io);
    const check = values.check ?? false;
    const only = positionals.length > 0 ? positionals.map((document) => namedDocument(document, io.cwd, found.root)) : undefined;
    const result = await withProgress(io, check ? 'checking' : 'tangling', values.json, () => tangle({ ...tangleOptions(values, found.root, io.cwd), only }));
    const messages = explainNoSources(result.messages, found.root, check);
    const files = fileReports(result, check);
    const failed = !result.ok || messages.some((m) => m.severity === 'error') || (check && result.summary.stale > 0);
    if (values.json) printJson(io, tangleJson(result, found, messages, files));
    else {
      printMessages(messages, io, found.root);
      if (io.verbose) for (const f of files) io.stdout(`${f.action.padEnd(11)} ${f.path}\n`);
      summary(io, summaryLine(result, messages, files, check));
    }
    return failed ? 1 : 0;
  },
};
