/**
 * `weft outputs`: what a tangle reads and writes, for build-system caches (`tangle/outputs.ts`),
 * as JSON or as a Turborepo task, an Nx target or a Bazel rule. Writes nothing.
 */
import { bazelRule, nxTarget, OUTPUTS_FORMATS, projectOutputs, turboTask, type OutputsFormat } from '../outputs.js';
import { readFolder, tangleSnapshot } from '../snapshot.js';
import { COMMON_FLAGS, parseFlags, projectRootFor, UsageError, type Command } from './args.js';
import { WORKING_TREE } from './diff-command.js';
import { layoutOf } from '../layout.js';
import { layoutOptions } from './tangle-command.js';
import { printJson } from './print.js';

export const outputsCommand: Command = {
  usage: `Usage: weft outputs [options]

Print what weft tangle reads (the source globs, the documents, weft.config.json) and
writes (each output and its source map, .weft/manifest.json, the bundle folder), the
environment variables that matter (none), the tool version and the cache folder: what
a build system needs to cache weft tangle. Writes nothing.

Options:
  --json           print one JSON document
  --format NAME    print a snippet instead: turbo (a turbo.json task), nx (a project.json
                   target) or bazel (a genrule; untested)
  --out-root DIR, --cache-dir DIR, --no-manifest, --no-cache
                   declare what weft tangle writes with the same flags
  -C, --root DIR   project root, an existing folder (default: found upward from here)
  -h, --help       show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      json: { type: 'boolean' },
      format: { type: 'string' },
      'out-root': { type: 'string' },
      'cache-dir': { type: 'string' },
      'no-manifest': { type: 'boolean' },
      'no-cache': { type: 'boolean' },
      ...COMMON_FLAGS,
    });
    const format = values.format as OutputsFormat | undefined;
    if (format !== undefined && !OUTPUTS_FORMATS.includes(format)) throw new UsageError(`--format ${format}: expected one of ${OUTPUTS_FORMATS.join(', ')}`);
    if (format === 'bazel' && values.json) throw new UsageError('--format bazel is not JSON; drop --json');
    const root = projectRootFor(values, io).root;
    const layout = layoutOf(root, layoutOptions(values, io.cwd));
    const outputs = projectOutputs(tangleSnapshot(await readFolder(root, WORKING_TREE)), root, layout, !values['no-cache']);
    if (format === 'turbo') printJson(io, { tasks: { tangle: turboTask(outputs) } });
    else if (format === 'nx') printJson(io, { targets: { tangle: nxTarget(outputs) } });
    else if (format === 'bazel') io.stdout(bazelRule(outputs));
    else if (values.json) printJson(io, outputs);
    else {
      const section = (title: string, items: string[]) => `${title}:\n${items.map((item) => `  ${item}\n`).join('')}`;
      io.stdout(
        section('inputs', [...outputs.inputs.globs, ...outputs.inputs.files]) +
          section('outputs', [...outputs.outputs.files, ...(outputs.outputs.bundle ? [`${outputs.outputs.bundle}/`] : [])]) +
          `${outputs.outputs.root === '.' ? '' : `out root: ${outputs.outputs.root}/\n`}env: (none)\ntool: weft ${outputs.tool.version}\ncache: ${outputs.cacheDir === null ? '(none)' : `${outputs.cacheDir}/`}\n`,
      );
    }
    return 0;
  },
};
