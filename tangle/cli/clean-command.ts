/**
 * `weft clean`: flags → `clean()` (`tangle/clean.ts`) → messages, a summary line, an exit
 * code (1 when an output was refused).
 */
import { clean } from '../clean.js';
import { COMMON_FLAGS, parseFlags, projectRootFor, type Command } from './args.js';
import { messageJson, plural, printJson, printMessages, summary } from './print.js';

export const cleanCommand: Command = {
  usage: `Usage: weft clean [options]

Remove every output weft wrote (as .weft/manifest.json records them), with its source
map, and the manifest. Nothing is lost: each file is moved to .weft/trash/<time>/<path>.
Hand-written files in the output folders are never touched. An output edited by hand
since weft wrote it is refused (and then nothing is removed) unless --force.

Options:
  --force         remove hand-edited outputs too (into the trash)
  --json          print one JSON document: { ok, trash, files: [{path, action}], diagnostics }
  -C, --root DIR  project root, an existing folder (default: found upward from here)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, { force: { type: 'boolean' }, json: { type: 'boolean' }, ...COMMON_FLAGS });
    const root = projectRootFor(values, io).root;
    const result = clean({ root, force: values.force ?? false });
    if (values.json) printJson(io, { ok: result.ok, trash: result.trash, files: result.files, diagnostics: result.messages.map(messageJson) });
    else {
      printMessages(result.messages, io, root);
      const removed = result.files.filter((f) => f.action === 'removed').length;
      if (result.ok) summary(io, removed === 0 && result.trash === null ? 'weft: nothing to clean' : `weft: removed ${plural(removed, 'output')}; a copy of each is in ${result.trash}/`);
      else summary(io, 'weft: nothing removed');
    }
    return result.ok ? 0 : 1;
  },
};
