/**
 * `weft.config.json`: the user's options, validated into a frozen `ResolvedConfig`.
 *
 * The config file is untrusted input: every key is checked for its type, unknown keys
 * are errors that name the key (with a "did you mean" for a near miss), limits have hard
 * ceilings, and output directories are confined to the project (no absolute paths, no
 * `..`, nothing inside `.git`, `node_modules` or `.weft`), so a malicious config cannot
 * redirect writes or exhaust memory. Problems are located messages
 * (`weft.config.json:3:5: error: ... [malformed-config]`), never exceptions, and one per
 * problem: a value of the wrong type is not also reported as missing or out of range.
 *
 * The file is JSON with comments and trailing commas, as tsconfig.json is (jsonc-parser,
 * which also locates each key exactly: a key named in a comment is never mistaken for
 * the real one). `schema/weft.config.schema.json` describes the same keys for editors;
 * a test keeps it equal to `CONFIG_KEYS`.
 */
import { readFileSync } from 'node:fs';
import type { Node as JsonNode, ParseError } from 'jsonc-parser';
import { createRequire } from 'node:module';
import { join, posix } from 'node:path';
import { didYouMean, message, sortMessages } from './messages.js';
import type { Message } from './types.js';

/**
 * jsonc-parser, loaded on first use: a config that is plain JSON (most are) is read with
 * `JSON.parse`, and jsonc-parser, a CommonJS build of a dozen files that took 14 ms of
 * every run's start-up, is needed only for comments, trailing commas, and to locate a
 * problem.
 */
const jsonc = (() => {
  let loaded: typeof import('jsonc-parser') | undefined;
  return () => (loaded ??= createRequire(import.meta.url)('jsonc-parser') as typeof import('jsonc-parser'));
})();

/** The config file's name, at the project root. */
export const CONFIG_FILE = 'weft.config.json';

/** What esbuild builds after tangling. */
export interface BundleConfig {
  /** Entry points, project-relative (usually tangled modules under `src-generated/`). */
  entryPoints: string[];
  /** Output folder for bundles, project-relative. @default "dist" */
  outdir?: string;
  /** @default "node" */
  platform?: 'node' | 'browser' | 'neutral';
  /** @default "esm" */
  format?: 'esm' | 'cjs' | 'iife';
  /** esbuild target, e.g. "node20". @default "node20" */
  target?: string;
  /** Minify the bundle. @default false */
  minify?: boolean;
  /** Packages left out of the bundle. @default [] */
  external?: string[];
  /**
   * Embed the `.lit.md` documents in the bundle's source map (`sourcesContent`). Off by
   * default: the map then names each document and line without copying every document's
   * prose into `dist/` (a 50-module bundle's map is 130 KB instead of 1.8 MB, and a watch
   * rebuild is about a third faster); debuggers and Node read the documents from disk.
   * @default false
   */
  sourcesContent?: boolean;
  /**
   * Folder whose layout is mirrored under `outdir` (`src-generated` puts
   * `src-generated/a/b.ts` at `dist/a/b.js`). @default the entry points' common folder
   */
  outbase?: string;
}

/** Limits against runaway input. */
export interface LimitsConfig {
  /** Deepest nesting of `<<references>>`, at most 1000. @default 50 */
  maxDepth?: number;
  /** Largest output file, in bytes, at most 268435456 (256 MiB). @default 4194304 (4 MiB: expanding and mapping an output costs about 25 bytes of memory per output byte) */
  maxOutputBytes?: number;
  /** Largest document read, in bytes, at most 268435456 (256 MiB). @default 67108864 (64 MiB) */
  maxDocumentBytes?: number;
}

/** Token budgets (see `weft stats`). Counts are BPE tokens. */
export interface BudgetsConfig {
  /** Most tokens in one chunk (all its parts). */
  chunk?: number;
  /** Most tokens in one document (prose and code). */
  document?: number;
  /** Most tokens in one output file. */
  output?: number;
  /** How an exceeded budget is reported. @default "warning" */
  severity?: 'warning' | 'error';
}

/** The options a user may write in `weft.config.json`; all optional. */
export interface UserConfig {
  /** Globs of literate sources, project-relative. @default ["docs/**\/*.lit.md"] */
  sources?: string[];
  /** Folders outputs may be written to, project-relative. @default ["src-generated", "scripts"] */
  outputDirs?: string[];
  /**
   * Files in the project root that outputs may be written to, listed one by one
   * (`["Makefile", "pyproject.toml"]`); the root itself is never an output folder. They
   * keep every other rule of an output: no symbolic link, never a source, hand edits
   * protected, recorded in the manifest. @default []
   */
  outputFiles?: string[];
  /**
   * Comment syntax for the generated header, by file extension or language name (any
   * case): a line-comment marker (`{ "jl": "#" }`), or null for no header
   * (`{ "txt": null }`). Added to and overriding the built-in table (comment-syntax.ts).
   * @default {}
   */
  comments?: Record<string, string | null>;
  /**
   * Where chunk names live: `"document"` (each document has its own names; an unqualified
   * reference finds the one other document that defines a name) or `"project"`
   * (Entangled's one namespace: same-named blocks of all documents are one chunk,
   * concatenated in document path order). @default "document"
   */
  chunkScope?: 'document' | 'project';
  /**
   * Read Quarto-style attribute lines at the top of a block (Entangled 2.4's
   * `quarto_attributes` hook): a plain ```` ```julia ```` block whose first lines are
   * `#| file: src/x.jl` or `#| id: name` (behind the language's line comment: `//|` in C,
   * `--|` in Haskell) names that target, and those lines are left out of the code.
   * @default false
   */
  quartoAttributes?: boolean;
  /** esbuild bundle built after tangling; none when absent. */
  bundle?: BundleConfig;
  limits?: LimitsConfig;
  budgets?: BudgetsConfig;
  /** The JSON Schema editors validate the file with; Weft ignores it. */
  $schema?: string;
  /**
   * Read documents that are not valid UTF-8, with each invalid byte sequence as U+FFFD,
   * and only warn (`invalid-utf8`). Off, such a document is an error: Weft cannot
   * reproduce text it could not read. @default false
   */
  allowInvalidUtf8?: boolean;
}

/** The config after defaults and validation. Frozen. */
export interface ResolvedConfig {
  readonly sources: readonly string[];
  readonly outputDirs: readonly string[];
  /** Root-level output files, sorted. */
  readonly outputFiles: readonly string[];
  /** Header comment markers by lower-case extension or language. */
  readonly comments: Readonly<Record<string, string | null>>;
  readonly chunkScope: 'document' | 'project';
  readonly quartoAttributes: boolean;
  readonly bundle: Readonly<Required<BundleConfig>> | null;
  readonly limits: Readonly<Required<LimitsConfig>>;
  readonly budgets: Readonly<BudgetsConfig> | null;
  readonly allowInvalidUtf8: boolean;
}

/** Highest `limits.maxDepth` a config may set: expansion recurses once per level. */
export const MAX_DEPTH_LIMIT = 1000;

/**
 * The highest value each limit may be set to. A limit is a guard against runaway input,
 * so a config must not be able to switch it off: 256 MiB is far above any real document
 * or output (Weft holds both in memory, and strings over ~512 MiB fail in V8).
 */
export const LIMIT_CEILINGS: Readonly<Required<LimitsConfig>> = Object.freeze({
  maxDepth: MAX_DEPTH_LIMIT,
  maxOutputBytes: 256 * 1024 * 1024,
  maxDocumentBytes: 256 * 1024 * 1024,
});

export const DEFAULT_LIMITS: Required<LimitsConfig> = {
  maxDepth: 50,
  maxOutputBytes: 4 * 1024 * 1024,
  maxDocumentBytes: 64 * 1024 * 1024,
};

export const DEFAULT_CONFIG: ResolvedConfig = deepFreeze({
  sources: ['docs/**/*.lit.md'],
  outputDirs: ['src-generated', 'scripts'],
  outputFiles: [],
  comments: {},
  chunkScope: 'document',
  quartoAttributes: false,
  bundle: null,
  limits: DEFAULT_LIMITS,
  budgets: null,
  allowInvalidUtf8: false,
});

/** Folders no output (and no output directory) may be inside. */
export const FORBIDDEN_SEGMENTS = new Set(['.git', 'node_modules', '.weft']);

type Shape = 'string' | 'string[]' | 'number' | 'boolean' | 'object';

const TOP_KEYS: Record<string, Shape> = {
  $schema: 'string',
  sources: 'string[]',
  outputDirs: 'string[]',
  outputFiles: 'string[]',
  comments: 'object',
  chunkScope: 'string',
  quartoAttributes: 'boolean',
  bundle: 'object',
  limits: 'object',
  budgets: 'object',
  allowInvalidUtf8: 'boolean',
  // Checked by tangle/weave/config.ts.
  weave: 'object',
  // Checked by tangle/stitch/watch.ts (`watch.stitch`).
  watch: 'object',
};
const BUNDLE_KEYS: Record<string, Shape> = {
  entryPoints: 'string[]',
  outdir: 'string',
  platform: 'string',
  format: 'string',
  target: 'string',
  minify: 'boolean',
  external: 'string[]',
  outbase: 'string',
  sourcesContent: 'boolean',
};
const LIMIT_KEYS: Record<string, Shape> = { maxDepth: 'number', maxOutputBytes: 'number', maxDocumentBytes: 'number' };
const BUDGET_KEYS: Record<string, Shape> = { chunk: 'number', document: 'number', output: 'number', severity: 'string' };

/** Every key `weft.config.json` accepts, by the object it is in ('' for the top level), with its shape. */
export const CONFIG_KEYS: Readonly<Record<'' | 'bundle' | 'limits' | 'budgets', Readonly<Record<string, Shape>>>> = { '': TOP_KEYS, bundle: BUNDLE_KEYS, limits: LIMIT_KEYS, budgets: BUDGET_KEYS };

export interface LoadedConfig {
  /** The resolved config, or null when the file has errors. */
  config: ResolvedConfig | null;
  messages: Message[];
  /** Whether a config file was found. */
  found: boolean;
}

/** Read and validate `weft.config.json` in `root` (absent file: defaults). */
export function loadConfig(root: string, overrides?: UserConfig): LoadedConfig {
  let text: string | undefined;
  try {
    text = readFileSync(join(root, CONFIG_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return {
        config: null,
        found: true,
        messages: [message(CONFIG_FILE, 0, 0, 'error', 'malformed-config', `cannot read config: ${(error as Error).message}`)],
      };
    }
  }
  if (text === undefined) {
    const resolved = resolveConfig(overrides ?? {}, '');
    return { ...resolved, found: false };
  }
  return { ...parseConfig(text, overrides), found: true };
}

/** Validate config text (the contents of `weft.config.json`: JSON with comments and trailing commas). */
export function parseConfig(text: string, overrides?: UserConfig): { config: ResolvedConfig | null; messages: Message[] } {
  const json = text.replace(/^\uFEFF/, '');
  // Plain JSON, the common case, needs no second parser: JSON.parse makes every key an own
  // property and keeps a repeated key's last value, as treeValue below does.
  try {
    const data: unknown = JSON.parse(json);
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) return resolveConfig({ ...(data as UserConfig), ...(overrides ?? {}) }, text);
  } catch {
    // Comments, trailing commas or a syntax error: jsonc-parser reads the first two and
    // locates the third (JSON.parse on Node 20 often does not say where).
  }
  const { parseTree, printParseErrorCode } = jsonc();
  const errors: ParseError[] = [];
  let tree: JsonNode | undefined;
  try {
    tree = parseTree(json, errors, { disallowComments: false, allowTrailingComma: true });
  } catch {
    // jsonc-parser recurses: JSON nested many thousands deep overflows the stack.
    return { config: null, messages: [message(CONFIG_FILE, 1, 1, 'error', 'malformed-config', 'invalid JSON: nested too deeply')] };
  }
  if (errors.length > 0 || tree === undefined) {
    const { line, column } = offsetToPosition(json, errors[0]?.offset ?? 0);
    const why = errors[0] ? describeJsonError(printParseErrorCode(errors[0].error)) : 'value expected';
    return { config: null, messages: [message(CONFIG_FILE, line, column, 'error', 'malformed-config', `invalid JSON: ${why}`)] };
  }
  if (tree.type !== 'object') {
    return { config: null, messages: [message(CONFIG_FILE, 1, 1, 'error', 'malformed-config', 'config must be a JSON object')] };
  }
  let data: Record<string, unknown>;
  try {
    data = treeValue(tree) as Record<string, unknown>;
  } catch {
    return { config: null, messages: [message(CONFIG_FILE, 1, 1, 'error', 'malformed-config', 'invalid JSON: nested too deeply')] };
  }
  return resolveConfig({ ...(data as UserConfig), ...(overrides ?? {}) }, text);
}

/**
 * The value of a parsed JSON node. Every key becomes an own property, as JSON.parse makes
 * it: `"__proto__"` is then an unknown key, never the object's prototype. A repeated key
 * keeps its last value, as in JSON.parse.
 */
function treeValue(node: JsonNode): unknown {
  if (node.type === 'array') return (node.children ?? []).map(treeValue);
  if (node.type !== 'object') return node.value;
  const object: Record<string, unknown> = {};
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key === undefined || value === undefined) continue;
    Object.defineProperty(object, key.value as string, { value: treeValue(value), enumerable: true, writable: true, configurable: true });
  }
  return object;
}

/** Apply defaults and check every key; `text` (may be empty) is used to locate keys. */
export function resolveConfig(user: UserConfig, text: string): { config: ResolvedConfig | null; messages: Message[] } {
  const messages: Message[] = [];
  const locate = keyLocator(text);
  /** Report a problem at the key `path` (e.g. ['bundle', 'outdir']; [] is the top level). */
  const fail = (path: readonly string[], why: string) => {
    const { line, column } = locate(path);
    messages.push(message(CONFIG_FILE, line, column, 'error', 'malformed-config', why));
  };
  const top = user as Record<string, unknown>;
  const wellShaped = checkShape(top, TOP_KEYS, [], fail);
  const bundle = wellShaped.has('bundle') ? (top.bundle as Record<string, unknown>) : undefined;
  if (bundle) {
    const ok = checkShape(bundle, BUNDLE_KEYS, ['bundle'], fail);
    if (bundle.entryPoints === undefined) fail(['bundle'], '`bundle.entryPoints` is required (a list of entry files)');
    if (ok.has('platform') && !['node', 'browser', 'neutral'].includes(bundle.platform as string))
      fail(['bundle', 'platform'], '`bundle.platform` must be "node", "browser" or "neutral"');
    if (ok.has('format') && !['esm', 'cjs', 'iife'].includes(bundle.format as string)) fail(['bundle', 'format'], '`bundle.format` must be "esm", "cjs" or "iife"');
    if (ok.has('outdir')) {
      const problem = unsafeRelativePath(bundle.outdir as string);
      if (problem) fail(['bundle', 'outdir'], `bundle outdir "${bundle.outdir}" is not allowed: ${problem}`);
    }
    if (ok.has('entryPoints')) {
      for (const entry of bundle.entryPoints as string[]) {
        const problem = unsafeRelativePath(entry);
        if (problem) fail(['bundle', 'entryPoints'], `bundle entry point "${entry}" is not allowed: ${problem}`);
      }
    }
  }
  if (wellShaped.has('limits')) {
    const limits = user.limits as Record<string, unknown>;
    for (const key of checkShape(limits, LIMIT_KEYS, ['limits'], fail)) {
      const value = limits[key] as number;
      const ceiling = LIMIT_CEILINGS[key as keyof LimitsConfig];
      if (!(Number.isInteger(value) && value > 0)) fail(['limits', key], `\`limits.${key}\` must be a positive integer`);
      else if (value > ceiling) fail(['limits', key], `\`limits.${key}\` must be at most ${ceiling}${key === 'maxDepth' ? '' : ` (${ceiling / 1024 / 1024} MiB)`}`);
    }
  }
  if (wellShaped.has('budgets')) {
    const budgets = user.budgets as Record<string, unknown>;
    for (const key of checkShape(budgets, BUDGET_KEYS, ['budgets'], fail)) {
      const value = budgets[key];
      if (typeof value === 'number' && !(Number.isInteger(value) && value > 0)) fail(['budgets', key], `\`budgets.${key}\` must be a positive integer`);
      if (key === 'severity' && value !== 'warning' && value !== 'error') fail(['budgets', key], '`budgets.severity` must be "warning" or "error"');
    }
  }
  const outputDirs = wellShaped.has('outputDirs') ? (user.outputDirs as string[]) : DEFAULT_CONFIG.outputDirs;
  const normalisedDirs: string[] = [];
  for (const dir of outputDirs) {
    const problem = unsafeRelativePath(dir);
    if (problem) {
      fail(['outputDirs'], `output directory "${dir}" is not allowed: ${problem}`);
      continue;
    }
    const normal = posix.normalize(dir).replace(/\/+$/, '');
    if (normal === '.' || normal === '') {
      fail(['outputDirs'], `output directory "${dir}" is the project root; name a folder inside it`);
      continue;
    }
    normalisedDirs.push(normal);
  }
  if (wellShaped.has('outputDirs') && outputDirs.length === 0) fail(['outputDirs'], '`outputDirs` must name at least one folder');
  const outputFiles = wellShaped.has('outputFiles') ? (user.outputFiles as string[]) : [];
  for (const file of outputFiles) {
    const problem = outputFileProblem(file, normalisedDirs);
    if (problem) fail(['outputFiles'], `output file "${file}" is not allowed: ${problem}`);
  }
  const comments: Record<string, string | null> = {};
  if (wellShaped.has('comments')) {
    for (const [key, value] of Object.entries(user.comments as Record<string, unknown>)) {
      if (value === null || (typeof value === 'string' && value.trim() !== '' && !/[\r\n]/.test(value))) comments[key.toLowerCase()] = value;
      else fail(['comments', key], `\`comments.${key}\` must be a line-comment marker such as "#" or "//", or null for no header`);
    }
  }
  if (wellShaped.has('chunkScope') && user.chunkScope !== 'document' && user.chunkScope !== 'project') fail(['chunkScope'], '`chunkScope` must be "document" or "project"');
  const sources = wellShaped.has('sources') ? (user.sources as string[]) : undefined;
  if (sources && sources.length === 0) fail(['sources'], '`sources` must name at least one glob');
  for (const source of sources ?? []) {
    if (/^([a-zA-Z]:|[\\/~])/.test(source) || /(^|[\\/{,])\.\.([\\/},]|$)/.test(source)) {
      fail(['sources'], `source glob "${source}" is not allowed: sources must be inside the project`);
    }
  }
  if (messages.length > 0) return { config: null, messages: sortMessages(messages) };
  const b = bundle as BundleConfig | undefined;
  const config: ResolvedConfig = deepFreeze({
    sources: [...(user.sources ?? DEFAULT_CONFIG.sources)],
    outputDirs: [...new Set(normalisedDirs)].sort(),
    outputFiles: [...new Set(outputFiles)].sort(),
    comments,
    chunkScope: user.chunkScope ?? 'document',
    quartoAttributes: user.quartoAttributes ?? false,
    bundle: b
      ? {
          entryPoints: [...b.entryPoints],
          outdir: posix.normalize(b.outdir ?? 'dist'),
          platform: b.platform ?? 'node',
          format: b.format ?? 'esm',
          target: b.target ?? 'node20',
          minify: b.minify ?? false,
          external: [...(b.external ?? [])],
          sourcesContent: b.sourcesContent ?? false,
          outbase: b.outbase === undefined ? '' : posix.normalize(b.outbase),
        }
      : null,
    limits: { ...DEFAULT_LIMITS, ...(user.limits ?? {}) },
    budgets: user.budgets ? { ...user.budgets } : null,
    allowInvalidUtf8: user.allowInvalidUtf8 ?? false,
  });
  return { config, messages };
}

/**
 * Why `file` cannot be a root-level output file, or undefined: it must be one plain file
 * name in the root (a file in a folder belongs under `outputDirs`), not Weft's own config,
 * not a literate source, not an output folder.
 */
function outputFileProblem(file: string, dirs: readonly string[]): string | undefined {
  const unsafe = unsafeRelativePath(file);
  if (unsafe) return unsafe;
  if (file === '.' || file === '..' || file.includes('/')) return 'name one file in the project root (files in folders go under `outputDirs`)';
  if (file === CONFIG_FILE || file.endsWith('.lit.md')) return 'it is a Weft source';
  if (dirs.includes(file)) return 'it is also an output directory';
  return undefined;
}

/**
 * Why a project-relative path is unsafe, or undefined when it is fine: absolute
 * paths, `~`, backslashes, drive letters, NUL and other control characters, `..`
 * that leaves the project, and `.git`/`node_modules`/`.weft` segments.
 */
export function unsafeRelativePath(path: string): string | undefined {
  if (path.length === 0) return 'the path is empty';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'it contains a control character';
  // A NUL byte or invalid UTF-8 in a document reaches here as U+FFFD: never a file name.
  if (path.includes('\uFFFD')) return 'it contains U+FFFD (a NUL byte or invalid UTF-8 in the document)';
  if (path.includes('\\')) return 'it contains a backslash (use / to separate folders)';
  if (/^[a-zA-Z]:/.test(path)) return 'it starts with a drive letter';
  if (path.startsWith('/')) return 'it is absolute';
  if (path.startsWith('~')) return 'it starts with ~';
  const normal = posix.normalize(path);
  if (normal === '..' || normal.startsWith('../')) return 'it leaves the project through ..';
  for (const segment of normal.split('/')) {
    if (FORBIDDEN_SEGMENTS.has(segment)) return `it is inside ${segment}/`;
  }
  return undefined;
}

/**
 * Report unknown keys (with a "did you mean") and values of the wrong shape; return the
 * keys that are known and well shaped, the only ones later checks look at (one message
 * per problem).
 */
function checkShape(object: Record<string, unknown>, keys: Record<string, Shape>, path: readonly string[], fail: (path: readonly string[], why: string) => void): Set<string> {
  const prefix = path.map((p) => `${p}.`).join('');
  const good = new Set<string>();
  for (const [key, value] of Object.entries(object)) {
    const shape = Object.hasOwn(keys, key) ? keys[key] : undefined; // Not `constructor` from Object.prototype.
    if (!shape) {
      const known = Object.keys(keys).filter((k) => k !== '$schema');
      const guess = didYouMean(key, known) ?? known.find((k) => k.toLowerCase() === key.toLowerCase());
      fail([...path, key], `unknown config key \`${prefix}${key}\`${guess ? `; did you mean \`${prefix}${guess}\`?` : ` (known keys: ${known.map((k) => prefix + k).join(', ')})`}`);
      continue;
    }
    if (value === undefined) continue; // An override that sets nothing.
    if (!hasShape(value, shape)) fail([...path, key], `\`${prefix}${key}\` must be ${describe(shape)}`);
    else good.add(key);
  }
  return good;
}

function hasShape(value: unknown, shape: Shape): boolean {
  switch (shape) {
    case 'string':
      return typeof value === 'string';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isObject(value);
  }
}

function describe(shape: Shape): string {
  return { string: 'a string', 'string[]': 'a list of strings', number: 'a number', boolean: 'true or false', object: 'an object' }[shape];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Where a key is in the config text: `path` ['bundle', 'outdir'] is the `"outdir"` key
 * inside `"bundle"`; [] is the start of the text. Falls back to the nearest enclosing key
 * that is in the text (a key from `overrides` is not), then to 1:1.
 */
function keyLocator(text: string): (path: readonly string[]) => { line: number; column: number } {
  const json = text.replace(/^\uFEFF/, '');
  // Parsed on the first problem only: a valid config never needs a key's position.
  let tree: JsonNode | undefined | null = null;
  const parsed = () => {
    if (tree !== null) return tree;
    try {
      tree = json === '' ? undefined : jsonc().parseTree(json, [], { disallowComments: false, allowTrailingComma: true });
    } catch {
      tree = undefined;
    }
    return tree;
  };
  return (path) => {
    for (let length = path.length; length > 0 && parsed(); length--) {
      const key = jsonc().findNodeAtLocation(parsed()!, path.slice(0, length))?.parent?.children?.[0];
      if (key) return offsetToPosition(json, key.offset);
    }
    return { line: 1, column: 1 };
  };
}

/** `ValueExpected` → `value expected`. */
function describeJsonError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
