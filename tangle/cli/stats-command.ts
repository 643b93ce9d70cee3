/**
 * `weft stats`: flags → the working tree tangled in memory → `projectStats` and the budgets →
 * tables or JSON. Exit 1 when a budget with severity "error" is exceeded.
 */
import { budgetMessages } from '../budgets.js';
import { sortMessages } from '../messages.js';
import { readFolder, tangleSnapshot } from '../snapshot.js';
import { formatStats, projectStats, SORT_KEYS, type SortKey } from '../stats.js';
import { COMMON_FLAGS, parseFlags, projectRootFor, UsageError, type Command } from './args.js';
import { WORKING_TREE } from './diff-command.js';
import { messageJson, printJson, printMessages } from './print.js';

export const statsCommand: Command = {
  usage: `Usage: weft stats [options]

Measure every document, chunk and output in lines, bytes and tokens (BPE, o200k_base,
as GPT-4o and later models count them). A document's prose is counted on the text of
its Markdown, not its syntax; its code is the text of the blocks Weft tangles. Shows
the prose-to-code ratio of each document and the largest chunks, and reports the
budgets of weft.config.json that are exceeded.

Options:
  --sort KEY      sort the tables by tokens, lines, bytes or name (default: tokens)
  --top N         chunks to list (default: 10; 0 lists all)
  --json          print every measure as one JSON document
  -C, --root DIR  project root, an existing folder (default: found upward from here)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      json: { type: 'boolean' },
      sort: { type: 'string' },
      top: { type: 'string' },
      ...COMMON_FLAGS,
    });
    const sort = (values.sort ?? 'tokens') as SortKey;
    if (!SORT_KEYS.includes(sort)) throw new UsageError(`--sort must be one of ${SORT_KEYS.join(', ')}`);
    const top = values.top === undefined ? 10 : Number(values.top);
    if (!Number.isInteger(top) || top < 0) throw new UsageError('--top must be a whole number (0 lists all)');
    const root = projectRootFor(values, io).root;
    const project = tangleSnapshot(await readFolder(root, WORKING_TREE));
    const stats = await projectStats(project);
    const texts = new Map(project.sources.map((s) => [s.path, s.text]));
    const budgets = sortMessages(await budgetMessages(project.documents, project.outputs, project.config, { text: (path) => texts.get(path) }));
    if (values.json) printJson(io, { ...stats, budgets: budgets.map(messageJson) });
    else {
      printMessages(budgets, io, root);
      io.stdout(formatStats(stats, { sort, top, color: io.color }));
    }
    return budgets.some((m) => m.severity === 'error') ? 1 : 0;
  },
};

