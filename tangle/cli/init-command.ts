/**
 * `weft init`: flags → `init()` → the list of files created, updated and kept, and what
 * to do next (or, with `--json`, one JSON document).
 */
import { init, initFromEntangled } from '../init.js';
import { COMMON_FLAGS, findProjectRoot, parseFlags, UsageError, type Command, type Io } from './args.js';
import { messageJson, plural, printJson, printMessages } from './print.js';

const INIT_FLAGS = {
  weft: { type: 'string' },
  name: { type: 'string' },
  json: { type: 'boolean' },
  'from-entangled': { type: 'boolean' },
  ...COMMON_FLAGS,
} as const;

export const initCommand: Command = {
  usage: `Usage: weft init [options]

Make the current folder a literate project: package.json, weft.config.json,
tsconfig.json, vitest.config.ts, .gitignore, and docs/ with a module, its test plan and
a deployment guide; then tangle it. Installs nothing: run npm install next.
In an existing project it adds only what is missing and never overwrites a file: the
scripts and devDependencies package.json lacks, the .gitignore lines for Weft's derived
data; existing files (and sample documents whose outputs exist) are kept as they are.

With --from-entangled, it writes only weft.config.json, mapped from entangled.toml (or
[tool.entangled] in pyproject.toml): the watch and ignore lists, the output folders of
the documents' file= targets, the [[languages]] comments, Entangled's one chunk
namespace, the quarto_attributes hook. It prints what it mapped and warns about each
setting it could not map; it never overwrites weft.config.json and tangles nothing.

Options:
  --from-entangled  write only weft.config.json, from the Entangled configuration
  --weft SPEC       how package.json depends on weft-lit: any npm spec (a git URL, a
                    tarball, a version range) (default: file: this copy of weft)
  --name NAME       package name (default: the folder's name)
  --json            print one JSON document on stdout (created, updated, kept, tangled;
                    with --from-entangled: created, from, config, mapped, notes, …)
  -C, --root DIR    the folder, which must exist (default: the current folder)
  -h, --help        show this help`,
  async run(argv, io) {
    const { values } = parseFlags(argv, INIT_FLAGS);
    // No upward search: init makes the folder it is given (or the current one) a project.
    const root = values.root === undefined ? io.cwd : findProjectRoot(values.root, io.cwd).root;
    if (values['from-entangled']) {
      if (values.weft !== undefined || values.name !== undefined) throw new UsageError('--from-entangled writes only weft.config.json; --weft and --name do not apply');
      return fromEntangled(root, values.json === true, io);
    }
    const result = await init({ root, weft: values.weft, name: values.name });
    if (values.json) {
      const { messages, ...rest } = result;
      printJson(io, { root, ...rest, diagnostics: messages.map(messageJson) });
      return result.ok ? 0 : 1;
    }
    printMessages(result.messages, io, root);
    if (result.created.length === 0 && result.updated.length === 0) {
      io.stdout(result.ok && result.kept.length > 0 ? `weft: nothing to add; ${plural(result.kept.length, 'file')} already there, kept as they are\n` : 'weft: nothing written\n');
      return result.ok ? 0 : 1;
    }
    const updated = result.updated.length > 0 ? `, added to ${result.updated.join(' and ')}` : '';
    io.stdout(`weft: created ${plural(result.created.length, 'file')}${updated} and tangled ${plural(result.tangled.length, 'output')} in ${root}\n`);
    for (const path of [...result.created, ...result.tangled]) io.stdout(`  ${path}\n`);
    if (result.kept.length > 0) io.stdout(`kept as they are: ${result.kept.join(', ')}\n`);
    const ours = values.weft === undefined && result.weft.startsWith('file:') ? ' (this copy of weft; see --weft)' : '';
    io.stdout(`package.json depends on weft-lit as "${result.weft}"${ours}\n`);
    io.stdout(`
Next:
  npm install
  npm test           tangle, then run the test plans with vitest
  npx weft check     type-check and lint, reported at the .lit.md lines
  npm run deploy     run the deployment guide's script
`);
    return result.ok ? 0 : 1;
  },
};

/** `weft init --from-entangled`: the mapping, printed (or one JSON document). */
async function fromEntangled(root: string, json: boolean, io: Io): Promise<number> {
  const result = await initFromEntangled({ root });
  if (json) {
    const { messages, ...rest } = result;
    printJson(io, { root, ...rest, diagnostics: messages.map(messageJson) });
    return result.ok ? 0 : 1;
  }
  printMessages(result.messages, io, root);
  if (!result.ok) {
    io.stdout('weft: nothing written\n');
    return 1;
  }
  // One write: a reader that stops early (`| head`) then gets the start, not a broken pipe.
  const lines = [`weft: wrote weft.config.json from ${result.from} (${plural(result.documents.length, 'document')}, ${plural(result.targets.length, 'file target')}) in ${root}`, 'mapped:', ...result.mapped.map((line) => `  ${line}`)];
  if (result.notes.length > 0) lines.push('notes:', ...result.notes.map((line) => `  ${line}`));
  const unmapped = result.messages.filter((m) => m.rule === 'entangled-unmapped').length;
  if (unmapped > 0) lines.push(`not mapped: ${plural(unmapped, 'setting')} (the warnings above)`);
  lines.push('', 'Next:', '  npx weft tangle    outputs Entangled wrote (with its markers) are refused as hand edits;', '                     weft tangle --force replaces them, keeping a copy under .weft/trash/', '');
  io.stdout(lines.join('\n'));
  return 0;
}
