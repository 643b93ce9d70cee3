/**
 * `weft init`: a new literate project in the current folder.
 *
 * Writes a small, complete project — package.json, weft.config.json, tsconfig.json, a
 * vitest config, a .gitignore, and docs/ with one module, its test plan and a
 * deployment guide — then tangles it, so the outputs, `weft check` and the sources agree
 * from the first commit. It installs nothing: `npm install` is the user's step.
 *
 * Guarantees: it never overwrites anything. Every file it would write (the tangled
 * outputs and the manifest included) is looked up first; if any exists, each is
 * reported and nothing is written. Files are then created with `wx` (fail if present),
 * so a file that appears in between is not overwritten either.
 *
 * How the new project depends on Weft: the npm name `weft` belongs to an unrelated
 * package, so a version range would install the wrong thing (or nothing). By default
 * the project depends on the copy of Weft that created it, as `file:<path>`; `--weft
 * SPEC` writes any other npm dependency spec (a git URL, a tarball, a scoped name).
 * The versions of vitest, typescript and @types/node are the ones Weft itself is
 * built and tested with, read from its package.json.
 */
import { lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliHelpers } from './check.js';
import type { Command, Io } from './cli.js';
import { tangle } from './context.js';
import { formatMessage, message, sortMessages } from './messages.js';
import type { Message } from './types.js';

/** Options of `init()`. */
export interface InitOptions {
  /** Folder to create the project in. @default process.cwd() */
  root?: string;
  /** npm dependency spec for Weft in the new package.json. @default `file:` + the path of this copy of Weft */
  weft?: string;
  /** Package name. @default the folder's name, made a valid npm name */
  name?: string;
}

/** The result of `init()`. */
export interface InitResult {
  /** Files written from the templates, project-relative, sorted. Empty when refused. */
  created: string[];
  /** Outputs the first tangle wrote. */
  tangled: string[];
  /** Refusals (`file-exists`) and the first tangle's messages. */
  messages: Message[];
  /** The dependency spec written for Weft. */
  weft: string;
  ok: boolean;
}

/** The root of the Weft package that is running (one level up from `tangle/` and `lib/`). */
const WEFT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Version ranges for the new project's tools: the ones Weft is built and tested with. */
function toolVersions(): { vitest: string; typescript: string; typesNode: string } {
  let manifest: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } = {};
  try {
    manifest = JSON.parse(readFileSync(join(WEFT_ROOT, 'package.json'), 'utf8'));
  } catch {
    // An unusual install without package.json: fall back to the ranges below.
  }
  const range = (name: string, fallback: string) => manifest.dependencies?.[name] ?? manifest.devDependencies?.[name] ?? fallback;
  return { vitest: range('vitest', '^4.1.0'), typescript: range('typescript', '5.9'), typesNode: range('@types/node', '^20.19.0') };
}

/** A valid npm package name from a folder name (`My Project` → `my-project`). */
export function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '')
    .slice(0, 214);
  return name.length > 0 ? name : 'literate-project';
}

/** `file:` + the path from `root` to this copy of Weft (POSIX separators). */
export function defaultWeftSpec(root: string): string {
  const path = relative(root, WEFT_ROOT).split('\\').join('/').replace(/\/$/, '');
  return `file:${path === '' ? '.' : path}`;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Every template file, path → content. */
export function projectFiles(options: { name: string; weft: string }): Record<string, string> {
  const versions = toolVersions();
  return {
    'package.json': json({
      name: options.name,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: {
        tangle: 'weft tangle',
        check: 'weft check',
        // Tangle first: the tests, and the source maps that put failures at the .lit.md line, are then current.
        test: 'weft tangle && vitest run',
        deploy: 'scripts/deploy.sh',
      },
      devDependencies: {
        '@types/node': versions.typesNode,
        typescript: versions.typescript,
        vitest: versions.vitest,
        weft: options.weft,
      },
    }),
    'weft.config.json': json({ sources: ['docs/**/*.lit.md'], outputDirs: ['src-generated', 'scripts'] }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        isolatedModules: true,
        noEmit: true,
      },
      include: ['src-generated/**/*.ts', 'vitest.config.ts'],
    }),
    'vitest.config.ts': VITEST_CONFIG,
    '.gitignore': GITIGNORE,
    'docs/greeting.lit.md': GREETING_DOCUMENT,
    'docs/deploy.lit.md': DEPLOY_DOCUMENT,
  };
}

const VITEST_CONFIG = `import { defineConfig } from 'vitest/config';

// The test plans are tangled from docs/ into src-generated/. \`npm test\` tangles first,
// so the tests and their source maps (which put failures at the .lit.md line) are current.
export default defineConfig({
  test: {
    include: ['src-generated/**/*.test.ts'],
  },
});
`;

const GITIGNORE = `node_modules/
dist/
# Derived data, rewritten by \`weft tangle\` (and so by \`npm test\`).
src-generated/**/*.map
scripts/**/*.map
.weft/cache/
.weft/lock
.weft/journal.json
.weft/backup/
*.weft-tmp-*
`;

const GREETING_DOCUMENT = `# Greeting

This project is literate: the prose explains, the fenced blocks are the code.
\`weft tangle\` copies each block marked \`file=PATH\` into that file, expanding
\`<<chunk-name>>\` references, and writes a source map back to this document, so
type errors and test failures point here rather than at the generated file.

## The module

\`greet\` says hello to someone, or to the world when nobody is named.

\`\`\`ts file=src-generated/greeting.ts
/** A greeting for \`name\`, or for the world when no name is given. */
export function greet(name?: string): string {
  <<fall-back-to-the-world-for-a-blank-name>>
  return \`Hello, \${who}!\`;
}
\`\`\`

A name that is only white space is no name:

\`\`\`ts #fall-back-to-the-world-for-a-blank-name
const who = name?.trim() || 'world';
\`\`\`

## Test plan

The tests are tangled into \`src-generated/greeting.test.ts\` and run by vitest in
\`npm test\`. A failing assertion is reported at its line in this document.

\`\`\`ts file=src-generated/greeting.test.ts
import { describe, expect, it } from 'vitest';
import { greet } from './greeting.js';

describe('greet', () => {
  it('greets someone by name', () => {
    expect(greet('Ada')).toBe('Hello, Ada!');
  });

  it('greets the world when no name is given', () => {
    expect(greet()).toBe('Hello, world!');
    expect(greet('   ')).toBe('Hello, world!');
  });
});
\`\`\`
`;

const DEPLOY_DOCUMENT = `# Deploying

A deployment guide is prose plus the script it describes. The block below is
tangled into \`scripts/deploy.sh\`; it starts with \`#!\`, so Weft makes it
executable. \`weft check\` runs \`bash -n\` and ShellCheck over it and reports what
they find at the lines of this document. Run it with \`npm run deploy\`.

\`\`\`sh file=scripts/deploy.sh
#!/usr/bin/env bash
# Deploy: check everything, then copy the modules into a new release folder.
set -euo pipefail
cd "$(dirname "$0")/.."

<<choose-a-release-folder-that-does-not-exist-yet>>
<<refuse-to-deploy-unchecked-code>>
<<copy-the-modules-into-the-release-folder>>
\`\`\`

## A release is never overwritten

Each version is released once, into \`$DEPLOY_DIR/<version>\` (by default
\`dist/release/<version>\`). To release again, raise the version in
\`package.json\`. This is decided first, before the slower checks.

\`\`\`sh #choose-a-release-folder-that-does-not-exist-yet
version=$(node -p 'require("./package.json").version')
target="\${DEPLOY_DIR:-dist/release}/$version"
if [ -e "$target" ]; then
  echo "deploy: $target already exists; raise the version in package.json" >&2
  exit 1
fi
\`\`\`

## Nothing unchecked leaves

The script stops at the first failure (\`set -e\`): a stale output, a type
error, a shell finding or a failing test.

\`\`\`sh #refuse-to-deploy-unchecked-code
npx --no -- weft check
npx --no -- vitest run
\`\`\`

## The release

This project ships its modules as they are; the tests stay behind.

\`\`\`sh #copy-the-modules-into-the-release-folder
mkdir -p "$target"
for module in src-generated/*.ts; do
  case "$module" in *.test.ts) continue ;; esac
  cp "$module" "$target/"
done
echo "deploy: released $version to $target"
\`\`\`
`;

/** The outputs the template documents name with `file=` (what the first tangle writes). */
function templateOutputs(files: Record<string, string>): string[] {
  const outputs: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    if (!path.endsWith('.lit.md')) continue;
    for (const match of text.matchAll(/^```\w+ file=(\S+)$/gm)) outputs.push(match[1]!);
  }
  return outputs;
}

function exists(path: string): boolean {
  try {
    lstatSync(path); // lstat: a dangling symbolic link is in the way too.
    return true;
  } catch {
    return false;
  }
}

/** Create the project (or refuse, writing nothing), then tangle it. */
export async function init(options: InitOptions = {}): Promise<InitResult> {
  const root = resolvePath(options.root ?? process.cwd());
  const weft = options.weft ?? defaultWeftSpec(root);
  const files = projectFiles({ name: options.name ?? packageName(basename(root)), weft });
  const planned = [...Object.keys(files), ...templateOutputs(files), '.weft/manifest.json'];
  const refusals = planned
    .filter((path) => exists(join(root, path)))
    .map((path) => message(path, 0, 0, 'error', 'file-exists', `${path} already exists; weft init never overwrites a file`));
  if (refusals.length > 0) return { created: [], tangled: [], messages: sortMessages(refusals), weft, ok: false };

  const created: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    try {
      writeFileSync(full, content, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const refusal = message(path, 0, 0, 'error', 'file-exists', `${path} appeared while weft init was writing; left as it is`);
      return { created: created.sort(), tangled: [], messages: [refusal], weft, ok: false };
    }
    created.push(path);
  }
  const result = await tangle({ root, bundle: false });
  return {
    created: created.sort(),
    tangled: result.files.filter((f) => f.action === 'written').map((f) => f.path),
    messages: result.messages,
    weft,
    ok: result.ok,
  };
}

const INIT_FLAGS = {
  weft: { type: 'string' },
  name: { type: 'string' },
  root: { type: 'string', short: 'C' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const initCommand: Command = {
  usage: `Usage: weft init [options]

Create a literate project in the current folder: package.json, weft.config.json,
tsconfig.json, vitest.config.ts, .gitignore, and docs/ with a module, its test plan and
a deployment guide; then tangle it. Installs nothing: run npm install next. Refuses,
writing nothing, when any of these files already exists.

Options:
  --weft SPEC     how package.json depends on weft: any npm spec (a git URL, a
                  tarball, a version range) (default: file: this copy of weft)
  --name NAME     package name (default: the folder's name)
  -C, --root DIR  the folder (default: the current folder)
  -h, --help      show this help`,
  async run(argv: string[], io: Io): Promise<number> {
    const { parseFlags, printMessagesWith } = await cliHelpers();
    const { values } = parseFlags(argv, INIT_FLAGS);
    const root = resolvePath(io.cwd, values.root ?? '.');
    const result = await init({ root, weft: values.weft, name: values.name });
    printMessagesWith(formatMessage, result.messages, io, root);
    if (result.created.length === 0) {
      io.stdout('weft: nothing written\n');
      return 1;
    }
    io.stdout(`weft: created ${result.created.length} files and tangled ${result.tangled.length} outputs in ${root}\n`);
    for (const path of [...result.created, ...result.tangled]) io.stdout(`  ${path}\n`);
    io.stdout(`package.json depends on weft as "${result.weft}"${values.weft === undefined ? ' (this copy of weft; see --weft)' : ''}\n`);
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
