/**
 * Bundle stage: esbuild builds the configured entry points from the tangled modules.
 *
 * The tangled files carry `//# sourceMappingURL=` comments; esbuild reads those input
 * maps and chains them, so the bundle's own map points at the `.lit.md` lines and
 * `node --enable-source-maps` prints stack frames in the Markdown.
 *
 * esbuild's errors are located in generated files; they are translated back to the
 * document line and column through the outputs' line origins before they are reported.
 * A `Bundler` keeps an esbuild incremental context between rebuilds (watch mode).
 *
 * The bundle follows the rules the tangled outputs follow. esbuild does not write
 * (`write: false`); its files go through the same plan and apply as the outputs, with
 * their own record (`.weft/bundle-manifest.json`, `.weft/bundle-journal.json`: the
 * tangle's manifest is written while esbuild runs): confined to `outdir`, never through
 * a link out of it, a file there that Weft did not write is never overwritten without
 * `force` (which keeps a backup), and bundles no longer built go to `.weft/trash/`.
 * `outdir` itself must be a folder of its own: not the project root, not a source or
 * output folder, not Weft's or git's.
 */
import type * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { CONFIG_FILE, type ResolvedConfig } from './config.js';
import { message } from './messages.js';
import type { Message, Output } from './types.js';
import { planAndApply, type RecordFiles } from './write.js';

/** Where the bundle's files are recorded, apart from the tangle's. */
export const BUNDLE_RECORD: RecordFiles = { manifest: '.weft/bundle-manifest.json', journal: '.weft/bundle-journal.json' };

/** Folders a bundle may never be written into (nor contain). */
const RESERVED = ['.weft', '.git', 'node_modules'];

/** The bundle's folder, project-relative, normalised, without a trailing slash. */
const bundleDir = (config: ResolvedConfig): string => posix.normalize(config.bundle!.outdir.replace(/\\/g, '/')).replace(/\/+$/, '');

/** Why `config.bundle.outdir` may not hold bundles, or undefined. Pure. */
export function bundleOutdirProblem(config: ResolvedConfig): string | undefined {
  const dir = bundleDir(config);
  if (dir === '.' || dir === '') return 'it is the project root; name a folder of its own, such as "dist"';
  if (dir === '..' || dir.startsWith('../') || posix.isAbsolute(dir)) return 'it is outside the project';
  const overlaps = (other: string) => other === dir || other.startsWith(`${dir}/`) || dir.startsWith(`${other}/`);
  for (const source of config.sources) {
    const base = picomatch.scan(source).base;
    // Sources found anywhere (`**/*.lit.md`) have no folder to keep apart; `.lit.md` files are never bundle outputs.
    if (base !== '' && base !== '.' && overlaps(base)) return `it overlaps the source folder ${base}/`;
  }
  for (const output of config.outputDirs) if (overlaps(output)) return `it overlaps the output folder ${output}/, which holds tangled files`;
  for (const reserved of RESERVED) if (overlaps(reserved)) return `it overlaps ${reserved}/`;
  return undefined;
}

/** The 1-based line of `"key"` in the config file, 0 when it cannot be found. */
function configLine(root: string, key: string): number {
  try {
    const text = readFileSync(join(root, CONFIG_FILE), 'utf8');
    const at = text.indexOf(`"${key}"`);
    return at < 0 ? 0 : text.slice(0, at).split('\n').length;
  } catch {
    return 0;
  }
}

/** Where a position in a generated file came from in its document, if known. */
export function locateInDocument(
  outputs: readonly Output[],
  file: string,
  line: number,
  column: number,
): { file: string; line: number; column: number } | undefined {
  const output = outputs.find((o) => o.path === file);
  const origin = output?.origins[line - 1];
  if (!origin || origin.document === null) return undefined;
  return { file: origin.document, line: origin.line, column: origin.column + Math.max(0, column - 1 - origin.indent) };
}

function toMessages(list: esbuild.Message[], severity: 'error' | 'warning', outputs: readonly Output[]): Message[] {
  return list.map((m) => {
    const location = m.location;
    if (!location) return message('weft.config.json', 0, 0, severity, 'bundle-error', m.text);
    const mapped = locateInDocument(outputs, location.file, location.line, location.column + 1);
    const notes = m.notes.map((n) => n.text).filter((t) => t.length > 0);
    if (mapped) return message(mapped.file, mapped.line, mapped.column, severity, 'bundle-error', m.text, [`in ${location.file}:${location.line}:${location.column + 1}`, ...notes]);
    return message(location.file, location.line, location.column + 1, severity, 'bundle-error', m.text, notes);
  });
}

function buildOptions(root: string, config: ResolvedConfig): esbuild.BuildOptions {
  const bundle = config.bundle!;
  return {
    absWorkingDir: root,
    entryPoints: bundle.entryPoints.map((e) => join(root, e)),
    outdir: join(root, bundle.outdir),
    outbase: bundle.outbase ? join(root, bundle.outbase) : undefined,
    bundle: true,
    sourcemap: 'linked',
    sourcesContent: bundle.sourcesContent,
    platform: bundle.platform,
    format: bundle.format,
    target: bundle.target,
    minify: bundle.minify,
    external: [...bundle.external],
    packages: bundle.platform === 'node' ? 'external' : undefined,
    logLevel: 'silent',
    metafile: true,
    write: false, // Written by `planAndApply`, under the rules the outputs follow.
  };
}

/** One esbuild context, reused across rebuilds. */
export class Bundler {
  private context: esbuild.BuildContext | undefined;
  /** Project-relative paths of the files the last successful build wrote (bundles and maps). */
  lastOutputs: string[] = [];
  private key = '';
  /** esbuild, once loaded: with it, `build` sends its request before it first awaits. */
  private esbuild: typeof esbuild | undefined;
  private loading: Promise<typeof esbuild> | undefined;

  /** `force`: overwrite files in `outdir` that Weft did not write, keeping a backup. @default false. `manifest: false`: generated mode, no `.weft/bundle-manifest.json` (write.ts). @default true */
  constructor(
    private readonly root: string,
    private readonly options: { force?: boolean; manifest?: boolean } = {},
  ) {}

  /** Start loading esbuild now (a tangle without a bundle never pays for its start-up). */
  preload(): void {
    this.loading ??= import('esbuild').then((module) => (this.esbuild = module));
    this.loading.catch(() => {}); // Reported by `build`, which awaits it again.
  }

  /**
   * Build (or rebuild) the bundle; errors come back as messages, never thrown. When
   * esbuild is loaded (see `preload`) and the context is there, the request goes out
   * before this returns, so esbuild works while the caller goes on (writes the manifest).
   */
  build(config: ResolvedConfig, outputs: readonly Output[], incremental: boolean): Promise<Message[]> {
    if (!config.bundle) return Promise.resolve([]);
    const problem = bundleOutdirProblem(config);
    if (problem) {
      return Promise.resolve([message(CONFIG_FILE, configLine(this.root, 'outdir'), 1, 'error', 'bundle-outdir', `bundle outdir "${config.bundle.outdir}" is not allowed: ${problem}`)]);
    }
    const options = buildOptions(this.root, config);
    const key = JSON.stringify(config.bundle);
    if (this.esbuild && (!incremental || (this.context && key === this.key))) {
      return this.settle(() => (incremental ? this.context!.rebuild() : this.esbuild!.build(options)), outputs, config);
    }
    return this.settle(async () => {
      this.preload();
      const { context } = await this.loading!;
      if (!incremental) return this.esbuild!.build(options);
      if (!this.context || key !== this.key) {
        await this.context?.dispose();
        this.context = await context(options);
        this.key = key;
      }
      return this.context.rebuild();
    }, outputs, config);
  }

  private async settle(run: () => Promise<esbuild.BuildResult>, outputs: readonly Output[], config: ResolvedConfig): Promise<Message[]> {
    let result: esbuild.BuildResult;
    try {
      result = await run();
    } catch (error) {
      const failure = error as esbuild.BuildFailure;
      if (Array.isArray(failure.errors)) {
        return [...toMessages(failure.errors, 'error', outputs), ...toMessages(failure.warnings ?? [], 'warning', outputs)];
      }
      return [message('weft.config.json', 0, 0, 'error', 'bundle-error', `esbuild failed: ${(error as Error).message}`)];
    }
    const files: Output[] = (result.outputFiles ?? []).map((file) => ({
      path: relative(this.root, file.path).split(sep).join('/'),
      document: CONFIG_FILE,
      content: file.text,
      mode: 0o644,
      map: null,
      origins: [],
      chunks: {},
    }));
    const written = planAndApply(this.root, files, { outputDirs: [bundleDir(config)], force: this.options.force, files: BUNDLE_RECORD, manifest: this.options.manifest });
    this.lastOutputs = written.messages.some((m) => m.severity === 'error') ? [] : files.map((f) => f.path).sort();
    return [...written.messages, ...toMessages(result.warnings, 'warning', outputs)];
  }

  async dispose(): Promise<void> {
    await this.context?.dispose();
    this.context = undefined;
  }
}
