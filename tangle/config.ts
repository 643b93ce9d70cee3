/**
 * `weft.config.json`: the user's options, validated into a frozen `ResolvedConfig`.
 *
 * The config file is untrusted input: every key is checked for its type, unknown keys
 * are errors that name the key, and output directories are confined to the project
 * (no absolute paths, no `..`, nothing inside `.git`, `node_modules` or `.weft`), so a
 * malicious config cannot redirect writes. Problems are located messages
 * (`weft.config.json:3:5: error: ... [malformed-config]`), never exceptions.
 */
import { readFileSync } from 'node:fs';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { join, posix } from 'node:path';
import { message } from './messages.js';
import type { Message } from './types.js';

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
  /** Largest output file, in bytes. @default 16777216 (16 MiB) */
  maxOutputBytes?: number;
  /** Largest document read, in bytes. @default 67108864 (64 MiB) */
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
  /** esbuild bundle built after tangling; none when absent. */
  bundle?: BundleConfig;
  limits?: LimitsConfig;
  budgets?: BudgetsConfig;
}

/** The config after defaults and validation. Frozen. */
export interface ResolvedConfig {
  readonly sources: readonly string[];
  readonly outputDirs: readonly string[];
  readonly bundle: Readonly<Required<BundleConfig>> | null;
  readonly limits: Readonly<Required<LimitsConfig>>;
  readonly budgets: Readonly<BudgetsConfig> | null;
}

/** Highest `limits.maxDepth` a config may set. */
export const MAX_DEPTH_LIMIT = 1000;

export const DEFAULT_LIMITS: Required<LimitsConfig> = {
  maxDepth: 50,
  maxOutputBytes: 16 * 1024 * 1024,
  maxDocumentBytes: 64 * 1024 * 1024,
};

export const DEFAULT_CONFIG: ResolvedConfig = deepFreeze({
  sources: ['docs/**/*.lit.md'],
  outputDirs: ['src-generated', 'scripts'],
  bundle: null,
  limits: DEFAULT_LIMITS,
  budgets: null,
});

/** Folders no output (and no output directory) may be inside. */
export const FORBIDDEN_SEGMENTS = new Set(['.git', 'node_modules', '.weft']);

type Shape = 'string' | 'string[]' | 'number' | 'boolean' | 'object';

const TOP_KEYS: Record<string, Shape> = {
  $schema: 'string',
  sources: 'string[]',
  outputDirs: 'string[]',
  bundle: 'object',
  limits: 'object',
  budgets: 'object',
  // Checked by tangle/weave/config.ts.
  weave: 'object',
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

/** Validate config text (the contents of `weft.config.json`). */
export function parseConfig(text: string, overrides?: UserConfig): { config: ResolvedConfig | null; messages: Message[] } {
  // jsonc-parser locates syntax errors (JSON.parse on Node 20 often does not say where).
  const errors: ParseError[] = [];
  const json = text.replace(/^\uFEFF/, '');
  try {
    parseJsonc(json, errors, { disallowComments: true, allowTrailingComma: false });
  } catch {
    // jsonc-parser recurses: JSON nested many thousands deep overflows the stack.
    return { config: null, messages: [message(CONFIG_FILE, 1, 1, 'error', 'malformed-config', 'invalid JSON: nested too deeply')] };
  }
  if (errors.length > 0) {
    const first = errors[0]!;
    const { line, column } = offsetToPosition(text, first.offset);
    return {
      config: null,
      messages: [message(CONFIG_FILE, line, column, 'error', 'malformed-config', `invalid JSON: ${describeJsonError(printParseErrorCode(first.error))}`)],
    };
  }
  // The data comes from JSON.parse, which keeps every key as written: jsonc-parser would turn
  // a `"__proto__"` key into the object's prototype instead of reporting an unknown key.
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    return { config: null, messages: [message(CONFIG_FILE, 1, 1, 'error', 'malformed-config', `invalid JSON: ${(error as Error).message}`)] };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { config: null, messages: [message(CONFIG_FILE, 1, 1, 'error', 'malformed-config', 'config must be a JSON object')] };
  }
  return resolveConfig({ ...(data as UserConfig), ...(overrides ?? {}) }, text);
}

/** Apply defaults and check every key; `text` (may be empty) is used to locate keys. */
export function resolveConfig(user: UserConfig, text: string): { config: ResolvedConfig | null; messages: Message[] } {
  const messages: Message[] = [];
  const fail = (key: string, why: string) => {
    const { line, column } = locateKey(text, key);
    messages.push(message(CONFIG_FILE, line, column, 'error', 'malformed-config', why));
  };
  checkShape(user as Record<string, unknown>, TOP_KEYS, '', fail);
  const bundle = (user as Record<string, unknown>).bundle;
  if (isObject(bundle)) {
    checkShape(bundle, BUNDLE_KEYS, 'bundle.', fail);
    if (!Array.isArray(bundle.entryPoints)) fail('bundle', '`bundle.entryPoints` is required (a list of entry files)');
    if (bundle.platform !== undefined && !['node', 'browser', 'neutral'].includes(bundle.platform as string))
      fail('platform', '`bundle.platform` must be "node", "browser" or "neutral"');
    if (bundle.format !== undefined && !['esm', 'cjs', 'iife'].includes(bundle.format as string))
      fail('format', '`bundle.format` must be "esm", "cjs" or "iife"');
  }
  if (isObject(user.limits)) {
    checkShape(user.limits as Record<string, unknown>, LIMIT_KEYS, 'limits.', fail);
    for (const [key, value] of Object.entries(user.limits)) {
      if (typeof value === 'number' && !(Number.isInteger(value) && value > 0)) fail(key, `\`limits.${key}\` must be a positive integer`);
      // Expansion recurses once per level, so a config must not be able to overflow the stack.
      if (key === 'maxDepth' && typeof value === 'number' && value > MAX_DEPTH_LIMIT) fail(key, `\`limits.maxDepth\` must be at most ${MAX_DEPTH_LIMIT}`);
    }
  }
  if (isObject(user.budgets)) {
    checkShape(user.budgets as Record<string, unknown>, BUDGET_KEYS, 'budgets.', fail);
    for (const [key, value] of Object.entries(user.budgets)) {
      if (typeof value === 'number' && !(Number.isInteger(value) && value > 0)) fail(key, `\`budgets.${key}\` must be a positive integer`);
    }
    const severity = (user.budgets as Record<string, unknown>).severity;
    if (severity !== undefined && severity !== 'warning' && severity !== 'error')
      fail('severity', '`budgets.severity` must be "warning" or "error"');
  }
  const outputDirs = Array.isArray(user.outputDirs) ? user.outputDirs : DEFAULT_CONFIG.outputDirs;
  const normalisedDirs: string[] = [];
  for (const dir of outputDirs) {
    if (typeof dir !== 'string') continue;
    const problem = unsafeRelativePath(dir);
    if (problem) {
      fail('outputDirs', `output directory "${dir}" is not allowed: ${problem}`);
      continue;
    }
    const normal = posix.normalize(dir).replace(/\/+$/, '');
    if (normal === '.' || normal === '') {
      fail('outputDirs', `output directory "${dir}" is the project root; name a folder inside it`);
      continue;
    }
    normalisedDirs.push(normal);
  }
  if (Array.isArray(user.outputDirs) && user.outputDirs.length === 0) fail('outputDirs', '`outputDirs` must name at least one folder');
  if (Array.isArray(user.sources) && user.sources.length === 0) fail('sources', '`sources` must name at least one glob');
  for (const source of Array.isArray(user.sources) ? user.sources : []) {
    if (typeof source === 'string' && (/^([a-zA-Z]:|[\\/~])/.test(source) || /(^|[\\/{,])\.\.([\\/},]|$)/.test(source))) {
      fail('sources', `source glob "${source}" is not allowed: sources must be inside the project`);
    }
  }
  if (isObject(bundle) && typeof bundle.outdir === 'string') {
    const problem = unsafeRelativePath(bundle.outdir);
    if (problem) fail('outdir', `bundle outdir "${bundle.outdir}" is not allowed: ${problem}`);
  }
  if (isObject(bundle) && Array.isArray(bundle.entryPoints)) {
    for (const entry of bundle.entryPoints) {
      const problem = typeof entry === 'string' ? unsafeRelativePath(entry) : undefined;
      if (problem) fail('entryPoints', `bundle entry point "${entry}" is not allowed: ${problem}`);
    }
  }
  if (messages.length > 0) return { config: null, messages };
  const b = bundle as BundleConfig | undefined;
  const config: ResolvedConfig = deepFreeze({
    sources: [...(user.sources ?? DEFAULT_CONFIG.sources)],
    outputDirs: [...new Set(normalisedDirs)].sort(),
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
  });
  return { config, messages };
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

function checkShape(
  object: Record<string, unknown>,
  keys: Record<string, Shape>,
  prefix: string,
  fail: (key: string, why: string) => void,
): void {
  for (const [key, value] of Object.entries(object)) {
    const shape = Object.hasOwn(keys, key) ? keys[key] : undefined; // Not `constructor` from Object.prototype.
    if (!shape) {
      const known = Object.keys(keys).filter((k) => k !== '$schema').map((k) => prefix + k);
      fail(key, `unknown config key \`${prefix}${key}\` (known keys: ${known.join(', ')})`);
      continue;
    }
    if (!hasShape(value, shape)) fail(key, `\`${prefix}${key}\` must be ${describe(shape)}`);
  }
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

/** 1-based position of `"key"` in the config text (1:1 when it cannot be found). */
function locateKey(text: string, key: string): { line: number; column: number } {
  const index = text.indexOf(`"${key}"`);
  return index < 0 ? { line: 1, column: 1 } : offsetToPosition(text, index);
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
