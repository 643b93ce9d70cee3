/**
 * `weft weave`: flags → `weave()` → printed messages and an exit code.
 *
 * A thin adapter over the weave API (tangle/weave/). Exit 0 when the site was built without
 * errors, 1 on any document error or (with `--check`) any broken link, 2 on usage errors.
 * `--json` streams one JSON object per line: a `file` event per site file as it is written
 * (or found unchanged, or deleted), a `diagnostic` event per message, then `done`.
 * Also the `--serve` part of `weft watch` (`startWatchServe`).
 */
import { relative, resolve as resolvePath } from 'node:path';
import { CONFIG_FILE } from '../config.js';
import type { TangledProject } from '../pipeline.js';
import type { WatchEvent } from '../watch.js';
import { weave } from '../weave/weave.js';
import { parseFlags, UsageError, type Command, type Io } from './args.js';
import { messageJson, printMessages } from './print.js';

const WEAVE_FLAGS = {
  out: { type: 'string', short: 'o' },
  check: { type: 'boolean' },
  json: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  root: { type: 'string', short: 'C' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const weaveCommand: Command = {
  usage: `Usage: weft weave [options]

Weave the literate sources into a static HTML site: one page per document, an index
page with the chunk index, and one page per output file, every line linked to its chunk.

Options:
  -o, --out DIR   output folder (default: weave.out in weft.config.json, else site/)
  --check         also verify every emitted link and id (broken-link, duplicate-id)
  --json          stream one JSON object per line (file events as files are written,
                  diagnostic events, then done)
  --no-cache      ignore the rendered pages kept in .weft/cache/weave/
  -C, --root DIR  project root (default: the current folder)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, WEAVE_FLAGS);
    const root = resolvePath(io.cwd, values.root ?? '.');
    const event = (data: object) => {
      io.stdout(`${JSON.stringify(data)}\n`);
    };
    return weaveAndReport(values, root, io, event);
  },
};


/** Run the weave and print its messages and summary (or its events). */
async function weaveAndReport(
  values: { out?: string; check?: boolean; json?: boolean; 'no-cache'?: boolean },
  root: string,
  io: Io,
  event: (data: object) => void,
): Promise<number> {
  const result = await weave({
    root,
    out: values.out === undefined ? undefined : resolvePath(io.cwd, values.out),
    check: values.check ?? false,
    cache: !values['no-cache'],
    onFile: values.json ? (file) => event({ event: 'file', path: file.path, action: file.action }) : undefined,
  });
  if (values.json) {
    for (const m of result.messages) event({ event: 'diagnostic', ...messageJson(m) });
    event({ event: 'done', ok: result.ok, out: relative(root, result.out) || '.', summary: result.summary });
  } else {
    printMessages(result.messages, io, root);
    const s = result.summary;
    const errors = result.messages.filter((m) => m.severity === 'error').length;
    io.stdout(
      `weft: wove ${s.pages} pages from ${s.documents} document${s.documents === 1 ? "" : "s"} into ${relative(io.cwd, result.out) || '.'}: ${s.written} written, ${s.unchanged} unchanged, ${s.deleted} deleted in ${s.ms} ms${errors ? `; ${errors} error${errors === 1 ? '' : 's'}` : ''}\n`,
    );
  }
  return result.ok ? 0 : 1;
}

/** What `weft watch --serve` adds to the watch: a weave after every build, and the server. */
export interface WatchServe {
  /** Give it every watch event; it re-weaves after each build (one weave at a time). */
  onEvent(event: WatchEvent): void;
  close(): Promise<void>;
}

/**
 * Weave once, start the server and print its URL (with `--json`, a `serve` event). The
 * watch passes its events in; each build is followed by a weave that keeps the last good
 * site when the documents have errors (`writeOnError: false`) and tells the clients.
 */
export async function startWatchServe(root: string, port: string | undefined, json: boolean, io: Io): Promise<WatchServe> {
  const { closeWeaveMemo, createWeaveMemo, isSearchData } = await import('../weave/index.js');
  const { serveSite } = await import('../weave/serve.js');
  const portNumber = port === undefined ? 4173 : Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${port}"`);
  const memo = createWeaveMemo();
  const first = await weave({ root, memo, writeOnError: false });
  const server = await serveSite(first.out, portNumber, first.build.slice(0, 12));
  io.stdout(json ? `${JSON.stringify({ event: 'serve', url: server.url })}\n` : `weft: serving the woven site at ${server.url}\n`);
  let running: Promise<void> = Promise.resolve();
  /** Documents changed since the last weave; undefined: read them all (the config changed, or the first build). */
  let changed: Set<string> | undefined = new Set();
  let pending = false;
  /** The engine's result of the latest build. */
  let tangled: TangledProject | undefined;
  const reweave = async (documents: string[] | undefined) => {
    const result = await weave({
      root,
      memo,
      changed: documents,
      // The watch's own tangle of these documents: used if the weave reads the same ones.
      tangled,
      writeOnError: false,
      // The browsers hear of the change as soon as the pages are on disk, before weave's bookkeeping.
      onSiteWritten: (files, build) => {
        const written = files.filter((f) => f.action !== 'unchanged').map((f) => f.path);
        server.changed(
          build.slice(0, 12),
          written.filter((p) => p.endsWith('.html')),
          // The search data is read on demand: a change to it alone reloads nothing.
          written.some((p) => p.startsWith('assets/') && !isSearchData(p)),
        );
      },
    });
    if (!result.ok) {
      server.failed(result.messages.filter((m) => m.severity === 'error'));
      if (json) io.stdout(`${JSON.stringify({ event: 'weave', ok: false, diagnostics: result.messages.map(messageJson) })}\n`);
      return;
    }
    if (json) io.stdout(`${JSON.stringify({ event: 'weave', ok: true, summary: result.summary, pages: result.files.filter((f) => f.action !== 'unchanged').map((f) => f.path) })}\n`);
  };
  return {
    onEvent(event) {
      if (event.type === 'error' || event.type === 'stopped') return;
      tangled = event.tangled;
      if (event.type === 'ready' || event.trigger.includes(CONFIG_FILE)) changed = undefined;
      else for (const path of event.changed) changed?.add(path);
      if (pending) return;
      pending = true;
      running = running.then(async () => {
        pending = false;
        const documents = changed === undefined ? undefined : [...changed];
        changed = new Set();
        try {
          await reweave(documents);
        } catch (error) {
          io.stderr(`weft: weave failed: ${(error as Error).message}\n`);
        }
      });
    },
    async close() {
      await running;
      await closeWeaveMemo(memo);
      await server.close();
    },
  };
}
