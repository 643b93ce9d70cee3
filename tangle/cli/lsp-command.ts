/**
 * `weft lsp`: start the language server on stdin/stdout, as editors launch it.
 *
 * A thin adapter (the server is `lsp/server.ts`): it parses the flags and hands the process's
 * streams to the server. The `exit` notification ends the process (code 0 after `shutdown`,
 * 1 without it, as the protocol asks); this command's promise never settles before that.
 * `--stdio` is accepted because most clients pass it.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from '../lsp/server.js';
import { COMMON_FLAGS, parseFlags, projectRootFor, type Command } from './args.js';

const LSP_FLAGS = {
  stdio: { type: 'boolean' },
  'no-typescript': { type: 'boolean' },
  ...COMMON_FLAGS,
} as const;

export const lspCommand: Command = {
  usage: `Usage: weft lsp [--stdio]

Start the language server for *.lit.md on stdin/stdout (editors start it; see the README,
"Editor support"): chunk navigation, rename, outline, live diagnostics with quick fixes,
and TypeScript completion, hover, definition and type errors inside the fences.

Options:
  --stdio          talk over stdin/stdout (the default and only transport)
  --no-typescript  no TypeScript features inside the fences
  -C, --root DIR   project root, an existing folder (default: found upward from here)
  -h, --help       show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, LSP_FLAGS);
    const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
    startServer(connection, { root: projectRootFor(values, io).root, typescript: !values['no-typescript'] });
    return new Promise<number>(() => {});
  },
};
