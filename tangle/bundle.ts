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
 */
import type * as esbuild from 'esbuild';
import { join } from 'node:path';
import type { ResolvedConfig } from './config.js';
import { message } from './messages.js';
import type { Message, Output } from './types.js';

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
    write: true,
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

  constructor(private readonly root: string) {}

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
    const options = buildOptions(this.root, config);
    const key = JSON.stringify(config.bundle);
    if (this.esbuild && (!incremental || (this.context && key === this.key))) {
      return this.settle(() => (incremental ? this.context!.rebuild() : this.esbuild!.build(options)), outputs);
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
    }, outputs);
  }

  private async settle(run: () => Promise<esbuild.BuildResult>, outputs: readonly Output[]): Promise<Message[]> {
    try {
      const result = await run();
      this.lastOutputs = Object.keys(result.metafile?.outputs ?? {}).sort();
      return toMessages(result.warnings, 'warning', outputs);
    } catch (error) {
      const failure = error as esbuild.BuildFailure;
      if (Array.isArray(failure.errors)) {
        return [...toMessages(failure.errors, 'error', outputs), ...toMessages(failure.warnings ?? [], 'warning', outputs)];
      }
      return [message('weft.config.json', 0, 0, 'error', 'bundle-error', `esbuild failed: ${(error as Error).message}`)];
    }
  }

  async dispose(): Promise<void> {
    await this.context?.dispose();
    this.context = undefined;
  }
}
