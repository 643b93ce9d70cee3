/**
 * The `weave` section of `weft.config.json`: validated into a frozen `WeaveConfig`.
 *
 * The engine's `loadConfig` accepts the `weave` key as an object and leaves its contents to
 * this module (weave's options are weave's business). Same rules as the rest of the config:
 * every key checked, unknown keys named, the output folder confined to the project.
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { CONFIG_FILE, unsafeRelativePath } from '../config.js';
import { message } from '../messages.js';
import type { Message } from '../types.js';
import { isKnownTheme, type Themes } from './highlight.js';

/** What a user may write under `"weave"`; all optional. */
export interface WeaveUserConfig {
  /** Site title, shown in every page's header and the index. @default "Weft" */
  title?: string;
  /** Output folder, project-relative. @default "site" */
  out?: string;
  /** Document paths in reading order; documents not listed follow in path order. @default [] (path order) */
  order?: string[];
  /** shiki theme names. @default { "light": "github-light-default", "dark": "github-dark-default" } */
  themes?: Partial<Themes>;
  /** Base URL a document path is appended to for "source" links, e.g. `https://github.com/o/r/blob/main`. @default none */
  repoUrl?: string;
}

/** The weave options after defaults and validation. Frozen. */
export interface WeaveConfig {
  readonly title: string;
  readonly out: string;
  readonly order: readonly string[];
  readonly themes: Readonly<Themes>;
  readonly repoUrl: string | null;
}

export const DEFAULT_WEAVE_CONFIG: WeaveConfig = Object.freeze({
  title: 'Weft',
  out: 'site',
  order: Object.freeze([]) as readonly string[],
  themes: Object.freeze({ light: 'github-light-default', dark: 'github-dark-default' }),
  repoUrl: null,
});

/** Validate a `weave` object (`undefined`: the defaults). */
export function resolveWeaveConfig(user: unknown): { config: WeaveConfig | null; messages: Message[] } {
  const messages: Message[] = [];
  const fail = (text: string) => messages.push(message(CONFIG_FILE, 0, 0, 'error', 'malformed-config', text));
  if (user === undefined) return { config: DEFAULT_WEAVE_CONFIG, messages };
  if (user === null || typeof user !== 'object' || Array.isArray(user)) {
    fail('`weave` must be an object');
    return { config: null, messages };
  }
  const u = user as Record<string, unknown>;
  const known = ['title', 'out', 'order', 'themes', 'repoUrl'];
  for (const key of Object.keys(u)) if (!known.includes(key)) fail(`unknown config key \`weave.${key}\` (known keys: ${known.map((k) => `weave.${k}`).join(', ')})`);
  for (const key of ['title', 'out', 'repoUrl']) if (u[key] !== undefined && typeof u[key] !== 'string') fail(`\`weave.${key}\` must be a string`);
  if (u.order !== undefined && !(Array.isArray(u.order) && u.order.every((p) => typeof p === 'string'))) fail('`weave.order` must be a list of strings');
  if (typeof u.out === 'string') {
    const problem = unsafeRelativePath(u.out);
    if (problem) fail(`weave output folder "${u.out}" is not allowed: ${problem}`);
  }
  const themes = { ...DEFAULT_WEAVE_CONFIG.themes };
  if (u.themes !== undefined) {
    if (u.themes === null || typeof u.themes !== 'object' || Array.isArray(u.themes)) fail('`weave.themes` must be an object with `light` and `dark`');
    else
      for (const [key, value] of Object.entries(u.themes)) {
        if (key !== 'light' && key !== 'dark') fail(`unknown config key \`weave.themes.${key}\` (known keys: weave.themes.light, weave.themes.dark)`);
        else if (typeof value !== 'string' || !isKnownTheme(value)) fail(`\`weave.themes.${key}\` must name a shiki theme, e.g. "${DEFAULT_WEAVE_CONFIG.themes[key]}"`);
        else themes[key] = value;
      }
  }
  if (messages.length > 0) return { config: null, messages };
  return {
    config: Object.freeze({
      title: (u.title as string | undefined) ?? DEFAULT_WEAVE_CONFIG.title,
      out: typeof u.out === 'string' ? posix.normalize(u.out).replace(/\/+$/, '') : DEFAULT_WEAVE_CONFIG.out,
      order: Object.freeze([...((u.order as string[] | undefined) ?? [])]),
      themes: Object.freeze(themes),
      repoUrl: (u.repoUrl as string | undefined) ?? null,
    }),
    messages,
  };
}

/** Read the `weave` section of the project's config file (the rest is `loadConfig`'s). */
export function loadWeaveConfig(root: string): { config: WeaveConfig | null; messages: Message[] } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(join(root, CONFIG_FILE), 'utf8').replace(/^\uFEFF/, ''));
  } catch {
    // Absent: defaults. Malformed: loadConfig reports it, located.
    return { config: DEFAULT_WEAVE_CONFIG, messages: [] };
  }
  return resolveWeaveConfig(data && typeof data === 'object' ? (data as Record<string, unknown>).weave : undefined);
}
