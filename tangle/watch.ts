/**
 * Watch mode: rebuild when sources or the config change, forever, without ever dying.
 *
 * chokidar watches the folders the source globs start in, plus `weft.config.json`.
 * Weft's own outputs, `.git`, `node_modules` and `.weft` are ignored, so writing outputs
 * never triggers another rebuild. Events are merged: a rebuild starts once no event has
 * arrived for `debounceMs`, and events that arrive during a rebuild schedule exactly one
 * more, so a burst (an editor's rename-save, a formatter, a `git checkout`) costs one or
 * a few rebuilds and the final state is always what a cold tangle would produce.
 *
 * Every rebuild is wrapped: an exception is reported as a message and the watcher goes on.
 */
import chokidar, { type FSWatcher } from 'chokidar';
import { posix, relative, sep } from 'node:path';
import { CONFIG_FILE } from './config.js';
import type { Project } from './context.js';
import { message } from './messages.js';
import type { TangleResult } from './types.js';

/** What the watcher reports. */
export type WatchEvent =
  | { type: 'ready'; result: TangleResult; changed: string[] }
  | { type: 'rebuild'; result: TangleResult; changed: string[]; trigger: string[] }
  | { type: 'error'; error: string };

export interface WatchOptions {
  /** Called after the first build and after each rebuild. */
  onEvent?: (event: WatchEvent) => void;
  /** Quiet period in milliseconds before a rebuild starts. @default 15 */
  debounceMs?: number;
}

/** Start watching; resolves (with a stop function) after the first build, once the watcher is ready. */
export async function startWatching(project: Project, options: WatchOptions): Promise<() => Promise<void>> {
  const onEvent = options.onEvent ?? (() => {});
  const debounceMs = options.debounceMs ?? 15;
  const ignoredSegments = new Set(['.git', 'node_modules', '.weft']);

  const safeRebuild = async (): Promise<TangleResult> => {
    try {
      return await project.rebuild();
    } catch (error) {
      const result = emptyResult();
      result.messages.push(message('(watch)', 0, 0, 'error', 'internal-error', `rebuild failed: ${(error as Error).message}`));
      result.ok = false;
      return result;
    }
  };

  const first = await safeRebuild();
  onEvent({ type: 'ready', result: first, changed: project.lastDetails.changedDocuments });

  let outputDirs: readonly string[] = [];
  const refreshConfig = () => {
    const { config } = project.loadConfig();
    if (config) outputDirs = config.outputDirs;
    return config;
  };
  const config = refreshConfig();
  const roots = new Set<string>([CONFIG_FILE]);
  for (const glob of config?.sources ?? []) roots.add(globBase(glob));

  const watcher: FSWatcher = chokidar.watch([...roots].map((r) => project.resolve(r)), {
    ignoreInitial: true,
    ignored: (path: string) => {
      const rel = relative(project.root, path).split(sep).join('/');
      if (rel === '' || rel.startsWith('..')) return false;
      if (rel.split('/').some((segment) => ignoredSegments.has(segment))) return true;
      return outputDirs.some((dir) => rel === dir || rel.startsWith(`${dir}/`));
    },
  });

  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  const run = async () => {
    timer = undefined;
    if (closed) return;
    if (running) return; // The running rebuild reschedules when it ends.
    const trigger = [...pending].sort();
    pending = new Set();
    running = (async () => {
      if (trigger.includes(CONFIG_FILE)) refreshConfig();
      const result = await safeRebuild();
      if (!closed) onEvent({ type: 'rebuild', result, changed: project.lastDetails.changedDocuments, trigger });
    })();
    await running;
    running = undefined;
    if (pending.size > 0 && !closed) schedule();
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void run(), debounceMs);
  };
  const onChange = (path: string) => {
    pending.add(posix.normalize(relative(project.root, path).split(sep).join('/')));
    if (!running) schedule();
  };
  watcher.on('add', onChange).on('change', onChange).on('unlink', onChange).on('addDir', onChange).on('unlinkDir', onChange);
  watcher.on('error', (error) => onEvent({ type: 'error', error: (error as Error).message }));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));

  return async () => {
    closed = true;
    if (timer) clearTimeout(timer);
    await running;
    await watcher.close();
  };
}

/** The static folder a glob starts in (`docs/**\/*.lit.md` → `docs`). */
export function globBase(glob: string): string {
  const segments = glob.split('/');
  const base: string[] = [];
  for (const segment of segments) {
    if (/[*?[\]{}()!]/.test(segment)) break;
    base.push(segment);
  }
  if (base.length === segments.length) base.pop(); // A plain file path: watch its folder.
  return base.length === 0 ? '.' : base.join('/');
}

function emptyResult(): TangleResult {
  return {
    outputs: [],
    messages: [],
    files: [],
    summary: { written: 0, unchanged: 0, deleted: 0, stale: 0, documents: 0, cached: 0, tangleMs: 0, bundleMs: null },
    ok: true,
  };
}
