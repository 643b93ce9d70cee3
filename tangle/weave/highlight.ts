/**
 * Syntax highlighting at build time with shiki, one whole block at a time.
 *
 * A block is highlighted as written, `<<name>>` lines included, so the grammar sees the
 * lines in their real context (a string or comment that spans lines stays one); the
 * renderer replaces the reference lines afterwards. Both themes are emitted at once as CSS
 * variables (`--shiki-light`, `--shiki-dark`), so the dark-mode toggle needs no second
 * render. A language shiki does not know renders as plain text, never as an error.
 *
 * Grammars are loaded on demand (only the languages a project uses), once per process.
 */
import { bundledLanguages, bundledThemes, createHighlighter, type HighlighterGeneric } from 'shiki';
import type { Element, Root } from 'hast';

/** The two themes: light (the default) and dark. */
export interface Themes {
  light: string;
  dark: string;
}

type Highlighter = HighlighterGeneric<string, string>;
const highlighters = new Map<string, Promise<Highlighter>>();

/** Whether shiki ships a theme of this name. */
export function isKnownTheme(name: string): boolean {
  return Object.hasOwn(bundledThemes, name);
}

/** The grammar to use for a fence's language: itself when shiki knows it, else plain text. */
export function grammarOf(lang: string | null): string {
  const name = (lang ?? '').toLowerCase();
  return name !== '' && Object.hasOwn(bundledLanguages, name) ? name : 'text';
}

/** A highlighter for these themes with these languages loaded. */
export async function loadHighlighter(themes: Themes, langs: Iterable<string>): Promise<Highlighter> {
  const key = `${themes.light}\0${themes.dark}`;
  let pending = highlighters.get(key);
  if (!pending) {
    pending = createHighlighter({ themes: [themes.light, themes.dark], langs: [] }) as Promise<Highlighter>;
    highlighters.set(key, pending);
  }
  const highlighter = await pending;
  const loaded = new Set(highlighter.getLoadedLanguages());
  const missing = [...new Set(langs)].filter((lang) => lang !== 'text' && !loaded.has(lang));
  if (missing.length > 0) {
    await highlighter.loadLanguage(...(missing as Parameters<Highlighter['loadLanguage']>));
    // A grammar's first use was seen to colour its first line for one theme only (every
    // token in the default foreground), so output differed between runs: use each new
    // grammar once, for each theme, before any real block.
    for (const lang of missing) for (const theme of [themes.light, themes.dark]) highlighter.codeToTokensBase('x = 1 // x\n"x"', { lang, theme });
  }
  return highlighter;
}

/** The `<pre>` of a highlighted block; its `<code>` holds one `span.line` per line. A fresh copy: callers may change it. */
export function highlightBlock(highlighter: Highlighter, code: string, lang: string, themes: Themes): Element {
  const key = `${themes.light}\0${themes.dark}\0${lang}\0${code}`;
  let pre = highlighted.get(key);
  if (!pre) {
    const root = highlighter.codeToHast(code, {
      lang,
      themes: { light: themes.light, dark: themes.dark },
      defaultColor: false,
      // No time limit: shiki stops tokenizing a line after 500 ms by default, which a busy
      // machine can reach; the rest of the line would lose its colours.
      tokenizeTimeLimit: 0,
    }) as Root;
    pre = root.children.find((node): node is Element => node.type === 'element' && node.tagName === 'pre')!;
    // Bounded: a long watch session must not grow without limit.
    if (highlighted.size >= 50_000) highlighted.clear();
    highlighted.set(key, pre);
  }
  return structuredClone(pre);
}

/**
 * Highlighted blocks by themes, language and text: in watch mode an edit to one document
 * re-highlights only the blocks whose text changed (highlighting is most of the render time).
 */
const highlighted = new Map<string, Element>();
