/**
 * `weft ls`: the outputs (roots) and the chunks no output uses, like noweb's `noroots`.
 * Writes nothing; exit 0 even with unused chunks (they are warnings in a tangle).
 */
import { listProject } from '../outputs.js';
import { readFolder, tangleSnapshot } from '../snapshot.js';
import { COMMON_FLAGS, parseFlags, projectRootFor, type Command } from './args.js';
import { WORKING_TREE } from './diff-command.js';
import { printJson, summary } from './print.js';

export const lsCommand: Command = {
  usage: `Usage: weft ls [options]

List every output with the document that defines it, then the chunks that no output
uses (with where they are defined). Writes nothing.

Options:
  --json          print one JSON document: { outputs: [{path, document}], unused: [{name, document, line}] }
  -C, --root DIR  project root, an existing folder (default: found upward from here)
  -h, --help      show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' }, ...COMMON_FLAGS });
    const root = projectRootFor(values, io).root;
    const listing = listProject(tangleSnapshot(await readFolder(root, WORKING_TREE)));
    if (values.json) printJson(io, listing);
    else {
      for (const output of listing.outputs) io.stdout(`${output.path}  (${output.document})\n`);
      if (listing.unused.length > 0) {
        summary(io, 'unused chunks:');
        for (const chunk of listing.unused) io.stdout(`  <<${chunk.name}>>  ${chunk.document}:${chunk.line}\n`);
      }
    }
    return 0;
  },
};
