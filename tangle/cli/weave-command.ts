/**
 * `weft weave`: flags → `weave()` → printed messages and an exit code.
 *
 * A thin adapter over the weave API (tangle/weave/). Exit 0 when the site was built without
 * errors, 1 on any document error or (with `--check`) any broken link, 2 on usage errors.
 * `--json` streams one JSON object per line: a `diagnostic` event per message, then `done`.
 * Also the `--serve` part of `weft watch` (`startWatchServe`).
 */
import { createHash } from 'node:crypto';
import { relative, resolve as resolvePath } from 'node:path';
import type { WatchEvent } from '../watch.js';
import { createWeaveMemo, weave } from '../weave/index.js';
import { serveSite } from '../weave/serve.js';
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
  --json          stream one JSON object per line (diagnostic events, then done)
  --no-cache      ignore the rendered pages kept in .weft/cache/weave/
  -C, --root DIR  project root (default: the current folder)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, WEAVE_FLAGS);
    const root = resolvePath(io.cwd, values.root ?? '.');
    const result = await weave({ root, out: values.out === undefined ? undefined : resolvePath(io.cwd, values.out), check: values.check ?? false, cache: !values['no-cache'] });
    if (values.json) {
      for (const m of result.messages) io.stdout(`${JSON.stringify({ event: 'diagnostic', ...messageJson(m) })}\n`);
      io.stdout(`${JSON.stringify({ event: 'done', ok: result.ok, out: relative(root, result.out) || '.', summary: result.summary })}\n`);
    } else {
      printMessages(result.messages, io, root);
      const s = result.summary;
      const errors = result.messages.filter((m) => m.severity === 'error').length;
      io.stdout(
        `weft: wove ${s.pages} pages from ${s.documents} document${s.documents === 1 ? "" : "s"} into ${relative(io.cwd, result.out) || '.'}: ${s.written} written, ${s.unchanged} unchanged, ${s.deleted} deleted in ${s.ms} ms${errors ? `; ${errors} error${errors === 1 ? '' : 's'}` : ''}\n`,
      );
    }
    return result.ok ? 0 : 1;
  },
};

/** What `weft watch --serve` adds to the watch: a weave after every build, and the server. */
export interface WatchServe {
  /** Give it every watch event; it re-weaves after each build (one weave at a time). */
  onEvent(event: WatchEvent): void;
  close(): Promise<void>;
}

/** The build id of a site: a hash of its files, so equal sites have equal ids. */
function buildId(site: ReadonlyMap<string, string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const path of [...site.keys()].sort()) hash.update(path).update('\0').update(site.get(path)!).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/**
 * Weave once, start the server and print its URL (with `--json`, a `serve` event). The
 * watch passes its events in; each build is followed by a weave that keeps the last good
 * site when the documents have errors (`writeOnError: false`) and tells the clients.
 */
export async function startWatchServe(root: string, port: string | undefined, json: boolean, io: Io): Promise<WatchServe> {
  const portNumber = port === undefined ? 4173 : Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, not "${port}"`);
  const memo = createWeaveMemo();
  const first = await weave({ root, memo, writeOnError: false });
  const server = await serveSite(first.out, portNumber, buildId(first.site));
  io.stdout(json ? `${JSON.stringify({ event: 'serve', url: server.url })}\n` : `weft: serving the woven site at ${server.url}\n`);
  let running: Promise<void> = Promise.resolve();
  let pending = false;
  const reweave = async () => {
    const result = await weave({ root, memo, writeOnError: false });
    if (!result.ok) {
      server.failed(result.messages.filter((m) => m.severity === 'error'));
      if (json) io.stdout(`${JSON.stringify({ event: 'weave', ok: false, diagnostics: result.messages.map(messageJson) })}\n`);
      return;
    }
    const written = result.files.filter((f) => f.action !== 'unchanged').map((f) => f.path);
    server.changed(
      buildId(result.site),
      written.filter((p) => p.endsWith('.html')),
      // The search data is read on demand: a change to it alone reloads nothing.
      written.some((p) => p.startsWith('assets/') && p !== 'assets/search-data.js'),
    );
    if (json) io.stdout(`${JSON.stringify({ event: 'weave', ok: true, summary: result.summary, pages: written })}\n`);
  };
  return {
    onEvent(event) {
      if (event.type === 'error') return;
      if (pending) return;
      pending = true;
      running = running.then(async () => {
        pending = false;
        try {
          await reweave();
        } catch (error) {
          io.stderr(`weft: weave failed: ${(error as Error).message}\n`);
        }
      });
    },
    async close() {
      await running;
      await server.close();
    },
  };
}
