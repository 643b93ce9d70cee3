/**
 * `weft weave`: flags → `weave()` → printed messages and an exit code.
 *
 * A thin adapter over the weave API (tangle/weave/). Exit 0 when the site was built without
 * errors, 1 on any document error or (with `--check`) any broken link, 2 on usage errors.
 * `--json` streams one JSON object per line: a `diagnostic` event per message, then `done`.
 */
import { relative, resolve as resolvePath } from 'node:path';
import { messageJson, parseFlags, printMessages, type Command } from './cli.js';
import { weave } from './weave/index.js';

const WEAVE_FLAGS = {
  out: { type: 'string', short: 'o' },
  check: { type: 'boolean' },
  json: { type: 'boolean' },
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
  -C, --root DIR  project root (default: the current folder)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, WEAVE_FLAGS);
    const root = resolvePath(io.cwd, values.root ?? '.');
    const result = await weave({ root, out: values.out === undefined ? undefined : resolvePath(io.cwd, values.out), check: values.check ?? false });
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
