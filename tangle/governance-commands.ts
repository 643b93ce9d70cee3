/**
 * The commands that govern regenerated code: `weft diff`, `weft stats`, `weft explain`.
 *
 * Thin, like every command (STYLE.md §5): flags → a snapshot tangled in memory → the pure
 * module (`diff.ts`, `stats.ts`, `explain.ts`) → printed text or JSON. None of them writes
 * anything. They live here rather than in those modules so the pure modules never import
 * the CLI: `cli.ts` imports this file and this file imports `cli.ts`, a cycle that is safe
 * because nothing here touches a `cli.ts` binding before a command runs.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { budgetMessages } from './budgets.js';
import { parseFlags, printMessages, UsageError, type Command, type Io } from './cli.js';
import { diffSnapshots, formatDiffMarkdown, formatDiffText } from './diff.js';
import { explainChunk, explainLine, ExplainError, formatChunkExplanation, formatLineExplanation } from './explain.js';
import { sortMessages } from './messages.js';
import { GitError, isGitRepository, mergeBase, readFolder, readRevision, tangleSnapshot, type Snapshot, type TangledSnapshot } from './snapshot.js';
import { formatStats, projectStats, SORT_KEYS, type SortKey } from './stats.js';

const WORKING_TREE = 'working tree';

function rootOf(values: { root?: string }, io: Io): string {
  return resolvePath(io.cwd, values.root ?? '.');
}

async function workingTree(root: string): Promise<TangledSnapshot> {
  return tangleSnapshot(await readFolder(root, WORKING_TREE));
}

export const diffCommand: Command = {
  usage: `Usage: weft diff [REV | A..B | A...B] [options]

Compare the project's chunks at git revision REV (default HEAD) with the working tree,
at revision A with revision B (A..B), or at the merge base of A and B with B (A...B:
what branch B changed since it left A). Reports chunks changed (with a diff of the body),
added, removed, renamed (same body, new name) and moved to another document; documents
whose prose changed but no code; and, for every output, whether it changed, which
chunks caused it, and whether it was patched or regenerated (most of it changed).
Old documents are read from git's objects: nothing is checked out or written.

Options:
  --from DIR      compare the project in DIR (the old version) with this one; no git needed
  --json          print the comparison as one JSON document
  --markdown      print it as Markdown, for a pull-request comment
  -C, --root DIR  project root (default: the current folder)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      { json: { type: 'boolean' }, markdown: { type: 'boolean' }, from: { type: 'string' }, root: { type: 'string', short: 'C' }, help: { type: 'boolean', short: 'h' } },
      1,
    );
    if (values.json && values.markdown) throw new UsageError('--json and --markdown cannot be used together');
    const root = rootOf(values, io);
    const range = positionals[0];
    if (values.from !== undefined && range !== undefined) throw new UsageError('give either --from DIR or a revision, not both');
    let before: Snapshot;
    let after: Snapshot;
    try {
      if (values.from !== undefined) {
        before = await readFolder(resolvePath(io.cwd, values.from), values.from);
        after = await readFolder(root, WORKING_TREE);
      } else {
        if (!isGitRepository(root)) throw new UsageError(`${root} is not in a git repository; compare two folders with --from DIR`);
        // As in git: `A..B` compares A with B, `A...B` the merge base of A and B with B,
        // and an empty side of either is HEAD.
        const symmetric = range?.includes('...') === true;
        const [from, to] = range?.includes('..') ? range.split(symmetric ? '...' : '..', 2) : [range ?? 'HEAD', undefined];
        if (symmetric) {
          const base = mergeBase(root, from || 'HEAD', to || 'HEAD');
          before = { ...readRevision(root, base), label: `${from || 'HEAD'}...${to || 'HEAD'} (merge base ${base.slice(0, 12)})` };
        } else {
          before = readRevision(root, from || 'HEAD');
        }
        after = to !== undefined ? readRevision(root, to || 'HEAD') : await readFolder(root, WORKING_TREE);
      }
    } catch (error) {
      if (error instanceof GitError) throw new UsageError(error.message);
      throw error;
    }
    const diff = diffSnapshots(tangleSnapshot(before), tangleSnapshot(after));
    if (values.json) io.stdout(`${JSON.stringify(diff, null, 2)}\n`);
    else if (values.markdown) io.stdout(formatDiffMarkdown(diff));
    else io.stdout(formatDiffText(diff, { color: io.isTTY }));
    return 0;
  },
};

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
  -C, --root DIR  project root (default: the current folder)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      json: { type: 'boolean' },
      sort: { type: 'string' },
      top: { type: 'string' },
      root: { type: 'string', short: 'C' },
      help: { type: 'boolean', short: 'h' },
    });
    const sort = (values.sort ?? 'tokens') as SortKey;
    if (!SORT_KEYS.includes(sort)) throw new UsageError(`--sort must be one of ${SORT_KEYS.join(', ')}`);
    const top = values.top === undefined ? 10 : Number(values.top);
    if (!Number.isInteger(top) || top < 0) throw new UsageError('--top must be a whole number (0 lists all)');
    const root = rootOf(values, io);
    const project = await workingTree(root);
    const stats = await projectStats(project);
    const texts = new Map(project.sources.map((s) => [s.path, s.text]));
    const budgets = sortMessages(await budgetMessages(project.documents, project.outputs, project.config, { text: (path) => texts.get(path) }));
    if (values.json) io.stdout(`${JSON.stringify({ ...stats, budgets: budgets }, null, 2)}\n`);
    else {
      printMessages(budgets, io, root);
      io.stdout(formatStats(stats, { sort, top, color: io.isTTY }));
    }
    return budgets.some((m) => m.severity === 'error') ? 1 : 0;
  },
};

export const explainCommand: Command = {
  usage: `Usage: weft explain FILE:LINE | '<<chunk name>>' [options]

FILE:LINE (e.g. src-generated/bus.ts:42): print the .lit.md file, line, section heading
and chunk that produced that line of an output, and the chain of <<references>> that
brought the chunk into the file. '<<chunk name>>' (or '<<docs/a.lit.md#name>>'): print
where the chunk is defined (every part), where it is used, and the output lines it
became. Answers are for the sources as they are now.

Options:
  --json          print the answer as one JSON document
  -C, --root DIR  project root (default: the current folder)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, root: { type: 'string', short: 'C' }, help: { type: 'boolean', short: 'h' } }, 1);
    const query = positionals[0];
    if (query === undefined) throw new UsageError('name a line (FILE:LINE) or a chunk (\'<<name>>\')');
    const chunkQuery = /^<<(.+)>>$/s.exec(query.trim());
    const lineQuery = /^(.+):(\d+)(?::\d+)?$/.exec(query);
    if (!chunkQuery && !lineQuery) throw new UsageError(`cannot read "${query}": expected FILE:LINE or '<<chunk name>>'`);
    const root = rootOf(values, io);
    const project = await workingTree(root);
    try {
      if (chunkQuery) {
        const answer = explainChunk(project, chunkQuery[1]!.trim());
        io.stdout(values.json ? `${JSON.stringify(answer, null, 2)}\n` : formatChunkExplanation(answer));
        return 0;
      }
      const file = lineQuery![1]!;
      const absolute = resolvePath(io.cwd, file);
      const inProject = relative(root, absolute);
      const path = inProject.startsWith('..') || isAbsolute(inProject) ? file : inProject.split('\\').join('/');
      const answer = explainLine(project, path, Number(lineQuery![2]));
      const onDisk = diskState(root, answer.output, project);
      io.stdout(values.json ? `${JSON.stringify({ ...answer, onDisk }, null, 2)}\n` : formatLineExplanation(answer));
      if (!values.json && onDisk !== 'same') {
        io.stderr(`weft explain: note: ${answer.output} on disk ${onDisk === 'missing' ? 'is missing' : 'differs from what the sources produce now (stale or edited)'}; line ${answer.line} is the line of a fresh \`weft tangle\`\n`);
      }
      return 0;
    } catch (error) {
      if (error instanceof ExplainError) {
        io.stderr(`weft explain: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};

/** Whether the output on disk is what the sources produce now. */
function diskState(root: string, path: string, project: TangledSnapshot): 'same' | 'different' | 'missing' {
  let disk: string;
  try {
    disk = readFileSync(resolvePath(root, path), 'utf8');
  } catch {
    return 'missing';
  }
  return project.outputs.find((o) => o.path === path)?.content === disk ? 'same' : 'different';
}
