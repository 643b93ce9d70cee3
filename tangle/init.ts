/**
 * `weft init`: a new literate project in a folder, or Weft added to an existing one.
 *
 * In an empty folder it writes a small, complete project — package.json,
 * weft.config.json, tsconfig.json, a vitest config, a .gitignore, and docs/ with one
 * module, its test plan and a deployment guide — then tangles it, so the outputs,
 * `weft check` and the sources agree from the first commit. It installs nothing:
 * `npm install` is the user's step.
 *
 * In a folder that already has some of these files (adopting Weft in an existing
 * project) it adds what is missing and never overwrites a file: an existing
 * package.json gets the scripts and devDependencies it lacks (keys already there are
 * left alone; the file's own indentation and line endings are kept, by jsonc-parser's
 * edits rather than a re-serialisation); an existing .gitignore gets the lines for
 * Weft's derived data it lacks, appended; every other existing file is kept as it is. A
 * sample document is added only when neither it nor any file it tangles to exists.
 * Files are created with `wx` (fail if present), so a file that appears in between is
 * kept too. A package.json that is not valid JSON stops init before anything is written.
 *
 * How the new project depends on Weft: its npm name is `weft-lit` (the name `weft`
 * belongs to an unrelated package; the command is still `weft`), which is not published
 * yet, so a version range would install nothing. By default
 * the project depends on the copy of Weft that created it, as `file:<path>`; `--weft
 * SPEC` writes any other npm dependency spec (a git URL, a tarball, a scoped name).
 * The versions of vitest, typescript and @types/node are the ones Weft itself is
 * built and tested with, read from its package.json. The config names the JSON Schema
 * shipped with Weft (`$schema`), so editors complete and validate its keys.
 *
 * `initFromEntangled` (`weft init --from-entangled`) writes only `weft.config.json`, mapped
 * from the project's Entangled configuration (`entangled-config.ts`), with the output
 * folders inferred from the `file=` targets of the documents Entangled watches. It never
 * overwrites a config (`config-exists`) and tangles nothing: the outputs Entangled wrote
 * carry its markers, so the first `weft tangle` would refuse them as hand edits; the
 * user decides (`weft tangle --force` keeps a copy of each under `.weft/trash/`).
 */
import { appendFileSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEdits, modify, parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { collectDocument } from './collect.js';
import { CONFIG_FILE, DEFAULT_LIMITS, resolveConfig, type UserConfig } from './config.js';
import { tangle } from './context.js';
import { message, sortMessages } from './messages.js';
import { parseDocument } from './parse.js';
import { findSources, readSource } from './read.js';
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
  /** Files written from the templates, project-relative, sorted. */
  created: string[];
  /** Existing files init added to: `package.json` (scripts, devDependencies) and `.gitignore` (lines). */
  updated: string[];
  /** Template files that already existed and were left as they are, sorted. */
  kept: string[];
  /** Outputs the first tangle wrote. */
  tangled: string[];
  /** A `malformed-package-json` error (then nothing is written), or the first tangle's messages. */
  messages: Message[];
  /** How package.json depends on Weft: the spec written, or the one it already had. */
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

/** Where an installed Weft's config schema is, from the project root (`weft` is a devDependency). */
export const SCHEMA_PATH = './node_modules/weft-lit/schema/weft.config.schema.json';

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
        'weft-lit': options.weft,
      },
    }),
    'weft.config.json': json({ $schema: SCHEMA_PATH, sources: ['docs/**/*.lit.md'], outputDirs: ['src-generated', 'scripts'] }),
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
    '.prettierignore': PRETTIERIGNORE,
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

/** The .gitignore lines for Weft's derived data (added to an existing .gitignore when missing). */
const WEFT_IGNORES = ['src-generated/**/*.map', 'scripts/**/*.map', '.weft/cache/', '.weft/lock', '.weft/journal.json', '.weft/backup/', '.weft/trash/', '.weft/bundle-manifest.json', '.weft/bundle-journal.json', '*.weft-tmp-*'];
const IGNORES_COMMENT = '# Derived data, rewritten by `weft tangle` (and so by `npm test`).';

const GITIGNORE = ['node_modules/', 'dist/', IGNORES_COMMENT, ...WEFT_IGNORES, ''].join('\n');

/**
 * The .prettierignore lines: a formatter that rewrites a generated file makes it differ
 * from what Weft wrote, which the next tangle reports as a hand edit. Format the
 * Markdown instead. (ESLint 9 has no ignore file: the README shows `globalIgnores`.)
 */
const FORMATTER_IGNORES = ['src-generated/', 'scripts/', '.weft/'];
const FORMATTER_COMMENT = '# Generated by `weft tangle`: formatting them would look like a hand edit. Format docs/ instead.';
const PRETTIERIGNORE = [FORMATTER_COMMENT, ...FORMATTER_IGNORES, ''].join('\n');

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

/** The outputs a template document names with `file=` (what the first tangle writes). */
function documentOutputs(text: string): string[] {
  return [...text.matchAll(/^```\w+ file=(\S+)$/gm)].map((match) => match[1]!);
}

function exists(path: string): boolean {
  try {
    lstatSync(path); // lstat: a dangling symbolic link is in the way too.
    return true;
  } catch {
    return false;
  }
}

/** The indentation and line ending a JSON text uses (two spaces and LF when it has none). */
function jsonFormatting(text: string): { insertSpaces: boolean; tabSize: number; eol: string } {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/**
 * `text` (an existing package.json) with the template's scripts and devDependencies added
 * where their keys are absent (a devDependency also counts as present in `dependencies`).
 * Undefined when nothing is missing; a message when the text is not a JSON object.
 */
export function mergePackageJson(text: string, template: string): { text?: string; problem?: Message } {
  const errors: ParseError[] = [];
  const data = parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true }) as unknown;
  if (errors.length > 0 || data === null || typeof data !== 'object' || Array.isArray(data)) {
    const offset = errors[0]?.offset ?? 0;
    const before = text.slice(0, offset).split('\n');
    const why = errors[0] ? `invalid JSON: ${printParseErrorCode(errors[0].error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}` : 'it is not a JSON object';
    return { problem: message('package.json', before.length, before.at(-1)!.length + 1, 'error', 'malformed-package-json', `cannot add weft's scripts to package.json: ${why}`) };
  }
  const existing = data as Record<string, Record<string, unknown> | undefined>;
  const wanted = JSON.parse(template) as Record<string, Record<string, string>>;
  const formattingOptions = jsonFormatting(text);
  let merged = text;
  for (const section of ['scripts', 'devDependencies'] as const) {
    for (const [key, value] of Object.entries(wanted[section]!)) {
      const present = (group: string) => typeof existing[group] === 'object' && existing[group] !== null && Object.hasOwn(existing[group]!, key);
      if (present(section) || (section === 'devDependencies' && present('dependencies'))) continue;
      merged = applyEdits(merged, modify(merged, [section, key], value, { formattingOptions }));
    }
  }
  return merged === text ? {} : { text: merged };
}

/** `text` (an existing .gitignore) with Weft's lines it lacks appended; undefined when it has them all. */
export function mergeGitignore(text: string, lines: readonly string[] = WEFT_IGNORES, comment = IGNORES_COMMENT): string | undefined {
  const present = new Set(text.split(/\r?\n/).map((line) => line.trim()));
  const missing = lines.filter((line) => !present.has(line));
  if (missing.length === 0) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = text === '' || text.endsWith('\n') ? '' : eol;
  return `${text}${separator}${[comment, ...missing].join(eol)}${eol}`;
}

/** Create what is missing of the project (never overwriting a file), then tangle it. */
export async function init(options: InitOptions = {}): Promise<InitResult> {
  const root = resolvePath(options.root ?? process.cwd());
  const weft = options.weft ?? defaultWeftSpec(root);
  const files = projectFiles({ name: options.name ?? packageName(basename(root)), weft });
  const created: string[] = [];
  const updated: string[] = [];
  const kept: string[] = [];
  const writes = new Map<string, string>();
  const appends = new Map<string, string>();
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    const present = exists(full);
    if (path === 'package.json' && present) {
      const merged = mergePackageJson(readFileSync(full, 'utf8'), content);
      if (merged.problem) return { created, updated, kept, tangled: [], messages: [merged.problem], weft, ok: false };
      if (merged.text === undefined) kept.push(path);
      else writes.set(path, merged.text);
    } else if ((path === '.gitignore' || path === '.prettierignore') && present) {
      const text = readFileSync(full, 'utf8');
      const merged = path === '.gitignore' ? mergeGitignore(text) : mergeGitignore(text, FORMATTER_IGNORES, FORMATTER_COMMENT);
      if (merged === undefined) kept.push(path);
      else appends.set(path, merged.slice(text.length));
    } else if (present || (path.endsWith('.lit.md') && documentOutputs(content).some((output) => exists(join(root, output))))) {
      kept.push(path);
    }
  }
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    if (writes.has(path)) {
      // Replaced in place: the user's file, with keys added (never a key changed).
      writeFileSync(full, writes.get(path)!);
      updated.push(path);
    } else if (appends.has(path)) {
      appendFileSync(full, appends.get(path)!);
      updated.push(path);
    } else if (!kept.includes(path)) {
      mkdirSync(dirname(full), { recursive: true });
      try {
        writeFileSync(full, content, { flag: 'wx' });
        created.push(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        kept.push(path); // It appeared while init was writing: left as it is.
      }
    }
  }
  const result = await tangle({ root, bundle: false });
  return {
    created: created.sort(),
    updated: updated.sort(),
    kept: kept.sort(),
    tangled: result.files.filter((f) => f.action === 'written').map((f) => f.path),
    messages: result.messages,
    weft: dependencySpec(readFileSync(join(root, 'package.json'), 'utf8')) ?? weft,
    ok: result.ok,
  };
}

/** The spec package.json gives for `weft-lit` (devDependencies, then dependencies), if any. */
function dependencySpec(text: string): string | undefined {
  const data = parseJsonc(text) as { devDependencies?: Record<string, unknown>; dependencies?: Record<string, unknown> } | undefined;
  const spec = data?.devDependencies?.['weft-lit'] ?? data?.dependencies?.['weft-lit'];
  return typeof spec === 'string' ? spec : undefined;
}

/** The result of `initFromEntangled()`. */
export interface EntangledInitResult {
  /** `["weft.config.json"]` when it was written, else `[]`. */
  created: string[];
  /** The Entangled configuration read: `entangled.toml` or `pyproject.toml`; null when there is none. */
  from: string | null;
  /** The config written (or that would have been), `$schema` included; null on errors. */
  config: UserConfig | null;
  /** One line per Entangled setting mapped (`watch_list → sources: **\/*.md`). */
  mapped: string[];
  /** What Weft does differently, in words. */
  notes: string[];
  /** Documents the watch list found, and the file targets they name. */
  documents: string[];
  targets: string[];
  /** `entangled-unmapped` warnings; `entangled-config`, `config-exists` errors (then nothing is written). */
  messages: Message[];
  ok: boolean;
}

/** Write the `weft.config.json` equivalent to the Entangled configuration in `root` (never overwriting one). */
export async function initFromEntangled(options: { root?: string } = {}): Promise<EntangledInitResult> {
  const root = resolvePath(options.root ?? process.cwd());
  const result: EntangledInitResult = { created: [], from: null, config: null, mapped: [], notes: [], documents: [], targets: [], messages: [], ok: false };
  if (exists(join(root, CONFIG_FILE))) {
    result.messages.push(message(CONFIG_FILE, 1, 1, 'error', 'config-exists', `${CONFIG_FILE} already exists; init --from-entangled never overwrites it`, ['move it aside (or delete it) and run weft init --from-entangled again, or edit it by hand']));
    return result;
  }
  const from = ['entangled.toml', 'pyproject.toml'].find((file) => exists(join(root, file)) && (file === 'entangled.toml' || /^\s*\[\s*tool\s*\.\s*entangled\s*\]/m.test(readFileSync(join(root, file), 'utf8'))));
  if (from === undefined) {
    result.messages.push(message('entangled.toml', 0, 0, 'error', 'entangled-config', 'no entangled.toml here, and no [tool.entangled] table in pyproject.toml', ['run weft init --from-entangled in the folder of the Entangled project (an empty entangled.toml stands for Entangled\'s defaults)']));
    return result;
  }
  result.from = from;
  // Loaded here: only this mode needs the TOML reader.
  const { mapEntangledSettings, readEntangledSettings, sourceGlobs } = await import('./entangled-config.js');
  const text = readFileSync(join(root, from), 'utf8');
  const read = readEntangledSettings(text, from);
  result.messages.push(...read.messages);
  if (!read.settings) return result;
  // The documents Entangled watches, read as Weft will read them, for their file targets.
  result.documents = await findSources(root, sourceGlobs(read.settings));
  const quarto = { quartoAttributes: read.settings.hooks.includes('quarto_attributes'), comments: read.settings.comments };
  const targets = new Set<string>();
  for (const path of result.documents) {
    const source = readSource(root, path, DEFAULT_LIMITS.maxDocumentBytes, { allowInvalidUtf8: true });
    if (source.hash === '') continue;
    for (const file of collectDocument(parseDocument(source), quarto).files) targets.add(file.path);
  }
  result.targets = [...targets].sort();
  const mapping = mapEntangledSettings(read.settings, text, read.keys, result.targets);
  result.mapped = mapping.mapped;
  result.notes = mapping.notes;
  result.messages = sortMessages([...result.messages, ...mapping.messages]);
  const config: UserConfig = { $schema: SCHEMA_PATH, ...mapping.config };
  result.config = config;
  // The mapping is checked as weft.config.json would be, before it is written.
  const checked = resolveConfig(config, '');
  if (checked.config === null) {
    result.messages.push(...checked.messages);
    return result;
  }
  try {
    writeFileSync(join(root, CONFIG_FILE), json(config), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    result.messages.push(message(CONFIG_FILE, 1, 1, 'error', 'config-exists', `${CONFIG_FILE} appeared while init was writing it; it was kept as it is`));
    return result;
  }
  result.created.push(CONFIG_FILE);
  result.ok = true;
  return result;
}
