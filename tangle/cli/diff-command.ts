/**
 * `weft diff`: flags → two snapshots tangled in memory (git revisions or folders) → `diffSnapshots` →
 * text, Markdown or JSON. Reads git objects; writes nothing.
 */
import { diffSnapshots, formatDiffMarkdown, formatDiffText } from '../diff.js';
import { GitError, isGitRepository, mergeBase, readFolder, readRevision, tangleSnapshot, type Snapshot } from '../snapshot.js';
import { COMMON_FLAGS, existingFolder, parseFlags, projectRootFor, UsageError, type Command } from './args.js';
import { printJson } from './print.js';

/** The label of the snapshot read from the project folder. */
export const WORKING_TREE = 'working tree';

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
  -C, --root DIR  project root, an existing folder (default: found upward from here)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      { json: { type: 'boolean' }, markdown: { type: 'boolean' }, from: { type: 'string' }, ...COMMON_FLAGS },
      1,
    );
    if (values.json && values.markdown) throw new UsageError('--json and --markdown cannot be used together');
    const root = projectRootFor(values, io).root;
    const range = positionals[0];
    if (values.from !== undefined && range !== undefined) throw new UsageError('give either --from DIR or a revision, not both');
    let before: Snapshot;
    let after: Snapshot;
    try {
      if (values.from !== undefined) {
        before = await readFolder(existingFolder('--from', values.from, io.cwd), values.from);
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
    if (values.json) printJson(io, diff);
    else if (values.markdown) io.stdout(formatDiffMarkdown(diff));
    else io.stdout(formatDiffText(diff, { color: io.color }));
    return 0;
  },
};

