/**
 * `weft show`: print one chunk's expansion or one output's text on stdout, like
 * `notangle -R` (`tangle/show.ts`). Writes nothing. Exit 1 when the name matches nothing,
 * is ambiguous, or its expansion has errors (which are printed as diagnostics).
 */
import { readFolder, tangleSnapshot } from '../snapshot.js';
import { show } from '../show.js';
import { COMMON_FLAGS, parseFlags, projectRootFor, UsageError, type Command } from './args.js';
import { WORKING_TREE } from './diff-command.js';
import { messageJson, printJson, printMessages } from './print.js';

export const showCommand: Command = {
  usage: `Usage: weft show NAME [options]

Print on stdout one chunk fully expanded ('<<name>>', a bare name, or DOCUMENT#NAME when
several documents define it) or one output as weft tangle writes it (src-generated/x.ts).
Writes nothing.

Options:
  --json          print one JSON document: { kind, name or path, document, text, diagnostics }
  -C, --root DIR  project root, an existing folder (default: found upward from here)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, ...COMMON_FLAGS }, 1);
    const query = positionals[0];
    if (query === undefined) throw new UsageError('name a chunk (<<name>>) or an output path');
    const root = projectRootFor(values, io).root;
    const result = show(tangleSnapshot(await readFolder(root, WORKING_TREE)), query);
    if (result.kind === 'problem') {
      if (values.json) printJson(io, { ok: false, error: result.message, candidates: result.candidates });
      else io.stderr(`weft show: ${result.message}\n${result.candidates.map((c) => `  ${c}\n`).join('')}`);
      return 1;
    }
    const { messages, ...answer } = result;
    if (values.json) printJson(io, { ok: messages.length === 0, ...answer, diagnostics: messages.map(messageJson) });
    else {
      printMessages(messages, io, root);
      io.stdout(result.text);
    }
    return messages.length === 0 ? 0 : 1;
  },
};
