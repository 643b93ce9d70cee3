/**
 * `weft init --from-entangled`, the pure part: an Entangled configuration (`entangled.toml`,
 * or the `[tool.entangled]` table of `pyproject.toml`) read and mapped to the
 * `weft.config.json` that tangles the same project the same way.
 *
 * The mapping follows Entangled 2.x (`entangled/config/config_update.py`): every key of
 * its `ConfigUpdate` is either mapped (`watch_list`, `ignore_list`, `languages`,
 * `namespace_default`, the `quarto_attributes` hook and `style = "basic"`, which turns it
 * on), noted (`version`, `annotation`, `annotation_format`, the `shebang` hook: Weft's
 * behaviour already matches, or it writes no markers at all), or reported as not mapped
 * with an `entangled-unmapped` warning at its line (`markers`, `namespace`,
 * `use_line_directives`, the task hooks, `brei`), as is any key Entangled does not have.
 * Output folders are not in Entangled's config at all: they are inferred from the `file=`
 * targets of the watched documents, which the caller finds and passes in.
 *
 * Guarantee: the config returned is valid for `resolveConfig`, or the problems are in
 * `messages` as errors; nothing here touches the disk. The TOML is read with smol-toml
 * (a TOML 1.0 parser with located errors); its error becomes
 * `entangled.toml:line:column: error: … [entangled-config]`.
 *
 * Rejected: keeping `ignore_list` as a separate Weft option. Weft's `sources` already
 * takes `!glob` exclusions (tinyglobby), so each ignored pattern becomes one; a pattern
 * without a leading `**` gets one, because Entangled matches ignore patterns from the
 * right of the path (`PurePath.match`), so `README.md` ignores it in every folder.
 */
import { posix } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { UserConfig } from './config.js';
import { message } from './messages.js';
import type { Message } from './types.js';

/** The Entangled settings that matter to the mapping, read from TOML. */
export interface EntangledSettings {
  /** The file they came from: `entangled.toml` or `pyproject.toml`. */
  file: string;
  /** Globs of documents. @default ["**\/*.md"] (Entangled's default) */
  watchList: string[];
  ignoreList: string[];
  /** Line-comment markers of `[[languages]]`, by identifier. */
  comments: Record<string, string>;
  /** Entangled's one namespace (`namespace_default = "global"`, its default). */
  globalNamespace: boolean;
  /** The hooks in effect (the default `shebang`, the style's, then `hooks` with `~` removals). */
  hooks: string[];
}

/** What the mapping made. */
export interface EntangledMapping {
  /** The `weft.config.json` to write (without `$schema`). */
  config: UserConfig;
  /** One line per Entangled setting that was mapped: `watch_list → sources`. */
  mapped: string[];
  /** What Weft does differently, in words (markers, the annotation setting). */
  notes: string[];
  /** `entangled-config` errors and `entangled-unmapped` warnings, located in the TOML file. */
  messages: Message[];
}

/** Every key of Entangled 2.x's config (`ConfigUpdate`). */
const ENTANGLED_KEYS = ['version', 'style', 'languages', 'markers', 'watch_list', 'ignore_list', 'annotation_format', 'annotation', 'use_line_directives', 'namespace_default', 'namespace', 'hooks', 'hook', 'brei'];

/** Hooks `style = "basic"` turns on (Entangled's `prefab_config`). */
const BASIC_STYLE_HOOKS = ['quarto_attributes', 'spdx_license', 'shebang', 'repl', 'brei'];

/** Hooks with no Weft equivalent, and why. */
const UNMAPPED_HOOKS: Record<string, string> = {
  build: 'Weft runs no build tasks; run them from a Makefile or npm scripts',
  brei: 'Weft runs no build tasks; run them from a Makefile or npm scripts',
  task: 'Weft runs no build tasks; run them from a Makefile or npm scripts',
  repl: 'Weft does not collect REPL sessions',
  spdx_license: 'Weft does not move an SPDX line above its header; its one-line header comes first (after a `#!` line)',
};

/**
 * Read Entangled's settings from TOML `text` (the whole of `entangled.toml`, or of
 * `pyproject.toml` when `file` is that: then its `[tool.entangled]` table). Undefined
 * settings when the text is not TOML or a key has the wrong type (errors in `messages`).
 */
export function readEntangledSettings(text: string, file: string): { settings?: EntangledSettings; messages: Message[]; keys: Record<string, unknown> } {
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const why = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    return { messages: [message(file, error.line, error.column, 'error', 'entangled-config', `invalid TOML: ${why}`)], keys: {} };
  }
  const table = file === 'pyproject.toml' ? ((data.tool as Record<string, unknown> | undefined)?.entangled as Record<string, unknown> | undefined) : data;
  if (table === undefined || typeof table !== 'object' || Array.isArray(table)) {
    return { messages: [message(file, 1, 1, 'error', 'entangled-config', 'pyproject.toml has no [tool.entangled] table')], keys: {} };
  }
  const messages: Message[] = [];
  const locate = keyLocator(text, file === 'pyproject.toml' ? 'tool.entangled' : undefined);
  const wrong = (key: string, what: string) => {
    const { line, column } = locate(key);
    messages.push(message(file, line, column, 'error', 'entangled-config', `\`${key}\` must be ${what}`));
  };
  const strings = (key: string): string[] | undefined => {
    const value = table[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
    wrong(key, 'a list of strings');
    return undefined;
  };
  const watchList = strings('watch_list') ?? ['**/*.md'];
  const ignoreList = strings('ignore_list') ?? [];
  const listedHooks = strings('hooks') ?? [];
  if (table.style !== undefined && table.style !== 'default' && table.style !== 'basic') wrong('style', '"default" or "basic"');
  if (table.namespace_default !== undefined && table.namespace_default !== 'global' && table.namespace_default !== 'private') wrong('namespace_default', '"global" or "private"');
  const comments: Record<string, string> = {};
  if (table.languages !== undefined) {
    if (!Array.isArray(table.languages)) wrong('languages', 'a list of [[languages]] tables');
    else {
      for (const language of table.languages as unknown[]) {
        const { identifiers, comment } = (language ?? {}) as { identifiers?: unknown; comment?: { open?: unknown; close?: unknown } };
        if (!Array.isArray(identifiers) || typeof comment?.open !== 'string') {
          wrong('languages', 'a list of tables with `identifiers` (a list of strings) and `comment = { open = "…" }`');
          break;
        }
        // A comment with a closing marker cannot be a Weft header marker (a line comment).
        if (comment.close === undefined) for (const id of identifiers) if (typeof id === 'string') comments[id] = comment.open;
      }
    }
  }
  if (messages.length > 0) return { messages, keys: table };
  const hooks = new Set(['shebang', ...(table.style === 'basic' ? BASIC_STYLE_HOOKS : [])]);
  for (const hook of listedHooks) {
    if (hook.startsWith('~')) hooks.delete(hook.slice(1));
    else hooks.add(hook);
  }
  return {
    settings: { file, watchList, ignoreList, comments, globalNamespace: table.namespace_default !== 'private', hooks: [...hooks].sort() },
    messages,
    keys: table,
  };
}

/**
 * The `weft.config.json` for `settings`, given the TOML `text` they came from (to locate
 * warnings), its top-level `keys`, and `targets`: the `file=` paths of the watched documents.
 */
export function mapEntangledSettings(settings: EntangledSettings, text: string, keys: Record<string, unknown>, targets: readonly string[]): EntangledMapping {
  const file = settings.file;
  const locate = keyLocator(text, file === 'pyproject.toml' ? 'tool.entangled' : undefined);
  const messages: Message[] = [];
  const unmapped = (key: string, why: string, nth = 0) => {
    const { line, column } = locate(key, nth);
    messages.push(message(file, line, column, 'warning', 'entangled-unmapped', `\`${key}\` is not mapped: ${why}`));
  };
  const mapped: string[] = [];
  const notes: string[] = ['Weft writes no `~/~ begin` / `~/~ end` markers: each output gets a one-line "generated from" header, and `weft explain`, the `.map` files and `weft stitch` carry it back to the documents'];
  const config: UserConfig = {};
  config.sources = sourceGlobs(settings);
  const ignored = config.sources.slice(settings.watchList.length);
  mapped.push(`watch_list${keys.watch_list === undefined ? ' (Entangled\'s default)' : ''} → sources: ${settings.watchList.join(', ')}`);
  if (ignored.length > 0) mapped.push(`ignore_list → sources: ${ignored.join(', ')}`);
  const { dirs, files, outside } = outputPlaces(targets);
  if (dirs.length > 0) {
    config.outputDirs = dirs;
    mapped.push(`file= targets in the documents → outputDirs: ${dirs.join(', ')}`);
  } else notes.push('no `file=` target was found in folders, so `outputDirs` is left at Weft\'s default');
  if (files.length > 0) {
    config.outputFiles = files;
    mapped.push(`file= targets in the project root → outputFiles: ${files.join(', ')}`);
  }
  if (outside.length > 0) notes.push(`no output folder is made for targets outside the project (${outside.join(', ')}); \`weft tangle\` refuses them (output-outside-root)`);
  if (settings.globalNamespace) {
    config.chunkScope = 'project';
    mapped.push(`namespace_default = "${keys.namespace_default ?? 'global'}"${keys.namespace_default === undefined ? ' (Entangled\'s default)' : ''} → chunkScope: "project"`);
  } else mapped.push('namespace_default = "private" → chunkScope: "document" (Weft\'s default)');
  if (settings.hooks.includes('quarto_attributes')) {
    config.quartoAttributes = true;
    mapped.push(`${keys.style === 'basic' && !(keys.hooks as string[] | undefined)?.includes('quarto_attributes') ? 'style = "basic"' : 'hooks: quarto_attributes'} → quartoAttributes: true`);
  }
  if (Object.keys(settings.comments).length > 0) {
    config.comments = settings.comments;
    mapped.push(`[[languages]] comments → comments: ${Object.entries(settings.comments).map(([id, open]) => `${id} "${open}"`).join(', ')}`);
  }
  mapKeysWithoutEquivalent(keys, settings, notes, unmapped);
  return { config, mapped, notes, messages };
}

/**
 * Weft `sources` for Entangled's watch and ignore lists: the watch list, then `!glob` for
 * each ignored pattern, anchored anywhere (`**\/`) since Entangled matches it from the
 * right of the path.
 */
export function sourceGlobs(settings: EntangledSettings): string[] {
  return [...settings.watchList, ...settings.ignoreList.map((glob) => `!${glob.startsWith('**/') ? glob : `**/${glob.replace(/^\/+/, '')}`}`)];
}

/** The notes and `entangled-unmapped` warnings for the keys and hooks Weft has no setting for. */
function mapKeysWithoutEquivalent(keys: Record<string, unknown>, settings: EntangledSettings, notes: string[], unmapped: (key: string, why: string, nth?: number) => void): void {
  if (keys.version !== undefined) notes.push(`version = "${String(keys.version)}": Weft reads Entangled 2.x documents whatever the version`);
  if (keys.annotation !== undefined || keys.annotation_format !== undefined) notes.push(`annotation${keys.annotation !== undefined ? ` = "${String(keys.annotation)}"` : '_format'}: no equivalent, since Weft writes no markers`);
  if (keys.style === 'default') notes.push('style = "default": Weft reads the braces form `{.lang #name file=path}` as it is');
  if (settings.hooks.includes('shebang')) notes.push('the shebang hook: Weft keeps a `#!` line first (its header goes after it) and makes the file executable');
  for (const [key, value] of Object.entries(keys)) {
    if (!ENTANGLED_KEYS.includes(key)) unmapped(key, 'Entangled 2.x has no such key');
    else if (key === 'markers') unmapped(key, 'Weft reads fenced code as CommonMark does; custom fence patterns have no equivalent');
    else if (key === 'namespace') unmapped(key, 'Weft has no namespace prefix; names are per document or, with chunkScope "project", one namespace');
    else if (key === 'use_line_directives' && value === true) unmapped(key, 'Weft writes no line directives; `.map` files and `weft explain` map outputs to the documents');
    else if (key === 'hook' && value !== null && typeof value === 'object' && Object.keys(value).length > 0) unmapped(key, `hook settings (${Object.keys(value).join(', ')}) have no equivalent`);
    else if (key === 'brei') unmapped(key, 'Weft runs no build tasks; run them from a Makefile or npm scripts');
    else if (key === 'languages') {
      (value as Array<{ name?: unknown; comment?: { close?: unknown } }>).forEach((language, nth) => {
        if (language.comment?.close !== undefined) unmapped('languages', `${String(language.name ?? 'a language')} has a comment with a closing marker; Weft's header needs a line comment (set \`comments\` by hand, or null for no header)`, nth);
      });
    }
  }
  for (const hook of (keys.hooks as string[] | undefined) ?? []) {
    if (Object.hasOwn(UNMAPPED_HOOKS, hook)) unmapped('hooks', `the ${hook} hook: ${UNMAPPED_HOOKS[hook]}`);
    else if (!['quarto_attributes', 'shebang'].includes(hook.replace(/^~/, ''))) unmapped('hooks', `the ${hook} hook is not one Weft knows`);
  }
}

/**
 * The folders and root files that hold `targets`: each target's folder, leaving out a
 * folder inside another one listed; root-level targets as files; targets that leave the
 * project apart.
 */
export function outputPlaces(targets: readonly string[]): { dirs: string[]; files: string[]; outside: string[] } {
  const folders = new Set<string>();
  const files = new Set<string>();
  const outside = new Set<string>();
  for (const target of targets) {
    const normal = posix.normalize(target);
    if (normal.startsWith('../') || normal === '..' || posix.isAbsolute(normal)) outside.add(target);
    else if (!normal.includes('/')) files.add(normal);
    else folders.add(posix.dirname(normal));
  }
  const dirs = [...folders].filter((dir) => ![...folders].some((other) => other !== dir && dir.startsWith(`${other}/`)));
  return { dirs: dirs.sort(), files: [...files].sort(), outside: [...outside].sort() };
}

/**
 * Where a key is written in TOML text: the first line that assigns it (`key =`) or opens
 * it as a table (`[key]`, `[[key]]`), after the line opening `table` when given (for
 * pyproject.toml's `[tool.entangled]`); the `nth` such line for the nth `[[key]]` table.
 * 1:1 when it cannot be found.
 */
function keyLocator(text: string, table?: string): (key: string, nth?: number) => { line: number; column: number } {
  const lines = text.split(/\r?\n/);
  const start = table === undefined ? 0 : Math.max(0, lines.findIndex((line) => new RegExp(`^\\s*\\[\\s*${table.replace('.', '\\s*\\.\\s*')}\\s*\\]`).test(line)));
  return (key, nth = 0) => {
    let seen = 0;
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const assigns = new RegExp(`^(\\s*)(?:"${escaped}"|${escaped})\\s*=|^(\\s*)\\[\\[?\\s*(?:${table === undefined ? '' : `${table.replace('.', '\\.')}\\.`})?${escaped}\\s*\\]`);
    for (let i = start; i < lines.length; i++) {
      const match = assigns.exec(lines[i]!);
      if (match && seen++ === nth) return { line: i + 1, column: (match[1] ?? match[2] ?? '').length + 1 };
    }
    return { line: 1, column: 1 };
  };
}
