/**
 * `weft explain`: flags → the working tree tangled in memory → `explainLine` or `explainChunk` →
 * text or JSON. A chunk may be named bare (`weft explain parse-args`): typed unquoted in a
 * shell, `<<name>>` is a here-document.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { explainChunk, explainLine, ExplainError, formatChunkExplanation, formatLineExplanation } from '../explain.js';
import { readFolder, tangleSnapshot, type TangledSnapshot } from '../snapshot.js';
import { COMMON_FLAGS, parseFlags, projectRootFor, UsageError, type Command } from './args.js';
import { WORKING_TREE } from './diff-command.js';
import { printJson } from './print.js';

export const explainCommand: Command = {
  usage: `Usage: weft explain FILE:LINE | CHUNK-NAME | '<<chunk name>>' [options]

FILE:LINE (e.g. src-generated/bus.ts:42): print the .lit.md file, line, section heading
and chunk that produced that line of an output, and the chain of <<references>> that
brought the chunk into the file. CHUNK-NAME (bare, as '<<chunk name>>' in quotes since
a shell reads << as a here-document, or qualified as docs/a.lit.md#name): print where
the chunk is defined (every part), where it is used, and the output lines it became.
Answers are for the sources as they are now.

Options:
  --json          print the answer as one JSON document
  -C, --root DIR  project root, an existing folder (default: found upward from here)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, ...COMMON_FLAGS }, 1);
    const query = positionals[0];
    if (query === undefined || query.trim() === '') throw new UsageError('name a line (FILE:LINE) or a chunk (CHUNK-NAME)');
    const lineQuery = /^(.+):(\d+)(?::\d+)?$/.exec(query);
    // Anything that is not FILE:LINE names a chunk, with or without the << >>.
    const chunkQuery = lineQuery ? undefined : (/^<<(.*)>>$/s.exec(query.trim())?.[1] ?? query).trim();
    if (chunkQuery === '') throw new UsageError('name a line (FILE:LINE) or a chunk (CHUNK-NAME)');
    const root = projectRootFor(values, io).root;
    const project = tangleSnapshot(await readFolder(root, WORKING_TREE));
    try {
      if (chunkQuery !== undefined) {
        const answer = explainChunk(project, chunkQuery);
        if (values.json) printJson(io, answer);
        else io.stdout(formatChunkExplanation(answer));
        return 0;
      }
      const file = lineQuery![1]!;
      const absolute = resolvePath(io.cwd, file);
      const inProject = relative(root, absolute);
      const path = inProject.startsWith('..') || isAbsolute(inProject) ? file : inProject.split('\\').join('/');
      const answer = explainLine(project, path, Number(lineQuery![2]));
      const onDisk = diskState(root, answer.output, project);
      if (values.json) printJson(io, { ...answer, onDisk });
      else io.stdout(formatLineExplanation(answer));
      if (!values.json && onDisk !== 'same') {
        io.stderr(`weft explain: note: ${answer.output} on disk ${onDisk === 'missing' ? 'is missing' : 'differs from what the sources produce now (stale or edited)'}; line ${answer.line} is the line of a fresh \`weft tangle\`\n`);
      }
      return 0;
    } catch (error) {
      // A bare word with a dot or a slash that names no chunk was meant as a file: say what is expected.
      if (error instanceof ExplainError && chunkQuery === query && /[./]/.test(query)) {
        throw new UsageError(`cannot read "${query}": expected FILE:LINE, or a chunk name (${error.message})`);
      }
      if (error instanceof ExplainError) {
        // With --json, stdout still carries one JSON document: the question could not be answered.
        if (values.json) printJson(io, { ok: false, error: error.message });
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
