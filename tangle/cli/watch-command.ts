/**
 * `weft watch`: tangle and bundle, then rebuild on every change, printing one status line
 * (or one NDJSON object with `--json`) per event. Signals are handled here: the first
 * Ctrl-C or SIGTERM stops cleanly, a second stops at once.
 */
import pc from 'picocolors';
import { createContext } from '../context.js';
import type { WatchEvent } from '../watch.js';
import { parseFlags, projectRootFor, UsageError, type Command, type Io, type ProjectRoot } from './args.js';
import { loadStitchWatchMode } from '../stitch/watch.js';
import { printMessages } from './print.js';
import { stitchInWatch } from './stitch-command.js';
import { countLine, explainNoSources, fileReports, TANGLE_FLAGS, tangleJson, tangleOptions } from './tangle-command.js';

export const watchCommand: Command = {
  usage: `Usage: weft watch [options]

Tangle and bundle once, then watch the sources and weft.config.json and rebuild on
every change. Errors are reported and the last good outputs stay on disk. Ctrl-C or
SIGTERM stops cleanly (exit 0).

Options:
  --force         overwrite hand-edited outputs (a copy is kept under .weft/trash/)
  --no-bundle     do not run esbuild
  --json          print one JSON object per event, one per line
  --no-cache      neither read nor write the cache (.weft/cache/)
  --cache-dir DIR, --no-manifest, --out-root DIR
                  as for weft tangle (weft tangle --help)
  --serve         also weave the site after every build and serve it on 127.0.0.1, with live reload
  --port N        port for --serve (default 4173; 0: any free port)
  -C, --root DIR  project root, an existing folder (default: found upward from here)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, { ...TANGLE_FLAGS, serve: { type: 'boolean' }, port: { type: 'string' } });
    if (values.check) throw new UsageError('--check cannot be used with watch');
    if (values.port !== undefined && !values.serve) throw new UsageError('--port needs --serve');
    const found = projectRootFor(values, io);
    // Signals are caught before the first build: a Ctrl-C during it still stops cleanly,
    // after the build's writes (which are atomic) are done. A second one stops at once.
    let requestStop = () => {};
    const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
    let signals = 0;
    let stoppedByItself = false;
    const onSignal = () => {
      if (++signals === 1) return requestStop();
      io.stderr('weft: interrupted again; stopping without waiting\n');
      process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const context = await createContext(tangleOptions(values, found.root, io.cwd));
    let serve: import('./weave-command.js').WatchServe | undefined;
    // `watch.stitch`: a settled hand edit of an output becomes a proposal (or, with auto, a stitch).
    const stitchMode = loadStitchWatchMode(found.root);
    printMessages(stitchMode.messages, io, found.root);
    const stitchEvent = stitchMode.mode === 'off' ? undefined : stitchInWatch(found.root, stitchMode.mode, io, { json: values.json ?? false, input: process.stdin });
    try {
      if (values.serve) serve = await (await import('./weave-command.js')).startWatchServe(found.root, values.port, values.json ?? false, io);
      await context.watch({
        onEvent: (event) => {
          // The watch stopped by itself (its `error` event said why): exit 1.
          if (event.type === 'stopped') return void ((stoppedByItself = true), requestStop());
          io.stdout(values.json ? `${JSON.stringify(watchEventJson(event, found))}\n` : watchStatus(event, io, found.root));
          serve?.onEvent(event);
          stitchEvent?.(event);
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
    return stoppedByItself ? 1 : 0;
  },
};

/**
 * One NDJSON object per watch event: `event` ("ready", "rebuild", "error"), an ISO `time`,
 * the changed documents and triggering paths, and the `weft tangle --json` fields, where
 * `files` lists only the outputs that were written, deleted, kept, refused or not written.
 */
function watchEventJson(event: Exclude<WatchEvent, { type: 'stopped' }>, found: ProjectRoot) {
  const time = new Date().toISOString();
  if (event.type === 'error') return { event: 'error', time, error: event.error };
  const messages = explainNoSources(event.result.messages, found.root, false);
  const { files, ...rest } = tangleJson(event.result, found, messages, fileReports(event.result, false));
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

/**
 * The line that opens each build's diagnostics; the status line (`HH:MM:SS ok …` or
 * `HH:MM:SS failed …`) closes them. The `$weft-watch` problem matcher (`matchers/weft.json`)
 * matches both to know when a build's problems begin and end, so VS Code replaces the old
 * ones. Stable, like the plain message format.
 */
export const WATCH_BEGIN = 'weft: build started';

/** Messages (with code frames in a terminal) between a begin and an end line, per watch event, for stdout. */
function watchStatus(event: Exclude<WatchEvent, { type: 'stopped' }>, io: Io, root: string): string {
  const time = new Date().toTimeString().slice(0, 8);
  if (event.type === 'error') {
    io.stderr(`${time} watcher error: ${event.error}\n`);
    return '';
  }
  io.stdout(`${time} ${WATCH_BEGIN}\n`);
  printMessages(explainNoSources(event.result.messages, root, false), io, root);
  const s = event.result.summary;
  const color = pc.createColors(io.color);
  const causes = event.changed.length > 0 ? event.changed : event.type === 'rebuild' ? event.trigger : [];
  const cause =
    event.type === 'ready' ? 'initial build' : causes.length === 0 ? 'nothing changed' : causes.length <= 3 ? causes.join(', ') : `${causes.slice(0, 2).join(', ')} and ${causes.length - 2} more`;
  const status = !event.result.ok
    ? color.red('failed (last good outputs kept)')
    : event.type === 'rebuild' && event.recovered
      ? color.green('ok (errors fixed)')
      : color.green('ok');
  const counts = countLine(fileReports(event.result, false), { deleted: 'removed' });
  const timing = `tangle ${Math.round(s.tangleMs)} ms${s.bundleMs === null ? '' : `, bundle ${Math.round(s.bundleMs)} ms`}`;
  return `${time} ${status} ${cause}: ${counts}; ${timing}\n`;
}
