/**
 * Syntax highlighting at build time with shiki's grammars and themes, one whole block at a time.
 *
 * A block is highlighted as written, `<<name>>` lines included, so the grammar sees the
 * lines in their real context (a string or comment that spans lines stays one); the
 * renderer replaces the reference lines afterwards. Both themes are emitted at once as CSS
 * variables (`--shiki-light`, `--shiki-dark`), so the dark-mode toggle needs no second
 * render. A language shiki does not know renders as plain text, never as an error.
 *
 * Each block is tokenized ONCE, for both themes: the grammar (TextMate) gives every token
 * its scope list, and each theme's colour for a scope list is looked up with the theme's
 * own matcher (`Theme.match`, the rule vscode-textmate applies when it colours a token),
 * cached per scope list. shiki's `codeToHast` with two themes
 * tokenizes every block twice, once per theme, then aligns the two token lists and builds
 * a tree: 4.0 s for the 2,432 blocks of the 100-document bench corpus, against 1.6 s here
 * (tokenizing is the cost; colouring and the HTML are a few per cent of it).
 *
 * The result is HTML text, one string per line, not a tree: the lines are the bulk of a
 * page, and building then serialising a hast node per token cost more than highlighting
 * them. Every text is escaped here (`escapeText`), and the only attribute values are the
 * themes' colours and names, escaped too; the renderer embeds the lines as a `raw` node.
 *
 * Output is the markup of shiki's `codeToHast` with `defaultColor: false` (a `pre.shiki`
 * with one `span.line` per line, lines joined by newlines), except that adjacent tokens of
 * one style are merged, and a whitespace-only token joins the token after it (as shiki's
 * `mergeWhitespaces` does), so pages are smaller.
 *
 * Grammars are loaded on demand (only the languages a project uses), once per process.
 *
 * The grammars' patterns run on shiki's JavaScript regex engine (patterns translated to
 * `RegExp`), not on its oniguruma WebAssembly build: as fast here (1,000 bench documents:
 * 21.5 s against 22.6 s cold), the same pages byte for byte on the bench corpus and on this
 * repository's documents, and about 90 MB less peak memory (oniguruma's linear memory grows
 * and is never returned). A pattern the translation does not support is skipped (shiki's
 * `forgiving`), so an exotic grammar may colour a little less; it never fails a weave.
 *
 * Rejected: tokenizing with one theme and deriving the other (themes disagree on which
 * scopes they colour).
 */
import { bundledLanguages, bundledThemes, createHighlighter, type HighlighterGeneric, type ThemeRegistrationResolved } from 'shiki';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import { INITIAL, Theme, type StateStack } from 'shiki/textmate';

/** The two themes: light (the default) and dark. */
export interface Themes {
  light: string;
  dark: string;
}

type Highlighter = HighlighterGeneric<string, string>;

/** A highlighted block: the `<pre …><code>` opening and each line's inner HTML. */
export interface HighlightedBlock {
  open: string;
  lines: string[];
}

/** Whether shiki ships a theme of this name. */
export function isKnownTheme(name: string): boolean {
  return Object.hasOwn(bundledThemes, name);
}

/** The grammar to use for a fence's language: itself when shiki knows it, else plain text. */
export function grammarOf(lang: string | null): string {
  const name = (lang ?? '').toLowerCase();
  return name !== '' && Object.hasOwn(bundledLanguages, name) ? name : 'text';
}

/** `&` and `<` as character references: all that text in HTML needs (and `"` for attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<"]/g, (c) => (c === '&' ? '&#x26;' : c === '<' ? '&#x3C;' : '&#x22;'));
}

/** One theme, ready to colour scope lists. */
interface ThemeColours {
  resolved: ThemeRegistrationResolved;
  theme: Theme;
  colours: string[];
}

/** A highlighter for two themes: shiki's grammars, the themes' matchers, and a style per scope list. */
export class BlockHighlighter {
  private readonly styles = new Map<string, string>();
  private readonly loaded = new Set<string>(['text']);
  /** Tokenized lines by language, then by the state before the line and its text. */
  private readonly lines = new Map<string, LineCache>();
  private states = new CanonicalStates();
  private cachedChars = 0;

  private constructor(
    private readonly shiki: Highlighter,
    private readonly themes: Themes,
    private readonly light: ThemeColours,
    private readonly dark: ThemeColours,
  ) {}

  static async create(themes: Themes): Promise<BlockHighlighter> {
    const shiki = (await createHighlighter({ themes: [themes.light, themes.dark], langs: [], engine: createJavaScriptRegexEngine({ forgiving: true }) })) as Highlighter;
    const colours = (name: string): ThemeColours => {
      const resolved = shiki.getTheme(name);
      const theme = Theme.createFromRawTheme({ name: resolved.name, settings: resolved.settings }, undefined);
      const replace = (colour: string) => resolved.colorReplacements?.[colour.toLowerCase()] ?? colour;
      return { resolved, theme, colours: theme.getColorMap().map((c) => replace(c)) };
    };
    return new BlockHighlighter(shiki, themes, colours(themes.light), colours(themes.dark));
  }

  /** Load the grammars of these languages (once each). */
  async load(langs: Iterable<string>): Promise<void> {
    const missing = [...new Set(langs)].filter((lang) => !this.loaded.has(lang));
    if (missing.length === 0) return;
    await this.shiki.loadLanguage(...(missing as Parameters<Highlighter['loadLanguage']>));
    for (const lang of missing) this.loaded.add(lang);
  }

  /** The `<pre>` opening every block shares: the themes' names, foregrounds and backgrounds. */
  private opening(): string {
    const { light, dark } = this;
    const style = `--shiki-light:${light.resolved.fg};--shiki-dark:${dark.resolved.fg};--shiki-light-bg:${light.resolved.bg};--shiki-dark-bg:${dark.resolved.bg}`;
    return `<pre class="shiki shiki-themes ${escapeHtml(light.resolved.name)} ${escapeHtml(dark.resolved.name)}" style="${escapeHtml(style)}" tabindex="0"><code>`;
  }

  /** Highlight a block (its language loaded with `load`, else plain text). */
  highlight(code: string, lang: string): HighlightedBlock {
    const lines = code.split(/\r\n|\r|\n/);
    const open = this.opening();
    if (lang === 'text' || !this.loaded.has(lang)) return { open, lines: lines.map((line) => (line === '' ? '' : `<span>${escapeHtml(line)}</span>`)) };
    const grammar = this.shiki.getLanguage(lang);
    const cache = this.lineCacheOf(lang);
    let state: StateStack = INITIAL;
    let id = 0;
    const html: string[] = [];
    for (const line of lines) {
      if (line === '') {
        html.push('');
        continue;
      }
      const key = `${id}\n${line}`;
      let known = cache.get(key);
      if (known === undefined) {
        const result = grammar.tokenizeLine(line, state, 0);
        const next = this.states.canonical(result.ruleStack);
        known = { html: this.lineHtml(line, result.tokens), state: next.state, id: next.id };
        if (this.cachedChars > MAX_CACHED_LINE_CHARS) this.clearLines();
        cache.set(key, known);
        this.cachedChars += key.length + known.html.length;
      }
      state = known.state;
      id = known.id;
      html.push(known.html);
    }
    return { open, lines: html };
  }

  /** The line cache of one language (see `LineCache`). */
  private lineCacheOf(lang: string): LineCache {
    let cache = this.lines.get(lang);
    if (!cache) {
      cache = new Map();
      this.lines.set(lang, cache);
    }
    return cache;
  }

  private clearLines(): void {
    this.lines.clear();
    this.states = new CanonicalStates();
    this.cachedChars = 0;
  }

  /** One line's tokens as spans: equal styles merged, whitespace joined to the next token. */
  private lineHtml(line: string, tokens: readonly { startIndex: number; endIndex: number; scopes: string[] }[]): string {
    let html = '';
    let text = '';
    let style: string | undefined;
    let pendingSpace = '';
    const flush = () => {
      if (text !== '') html += `<span style="${style}">${escapeHtml(text)}</span>`;
      text = '';
    };
    for (const token of tokens) {
      const end = Math.min(token.endIndex, line.length);
      if (end <= token.startIndex) continue;
      const content = line.slice(token.startIndex, end);
      const tokenStyle = this.styleOf(token.scopes);
      if (/^\s+$/.test(content) && !tokenStyle.includes('text-decoration')) {
        pendingSpace += content;
        continue;
      }
      if (tokenStyle !== style) {
        flush();
        style = tokenStyle;
      }
      text += pendingSpace + content;
      pendingSpace = '';
    }
    if (pendingSpace !== '') {
      // Trailing whitespace keeps the last style (or the default colour on a blank line).
      style ??= this.styleOf([]);
      text += pendingSpace;
    }
    flush();
    return html;
  }

  /** The CSS variables of a token with these scopes, in both themes. */
  private styleOf(scopes: string[]): string {
    const key = scopes.join(' ');
    let style = this.styles.get(key);
    if (style === undefined) {
      style = escapeHtml(`${themeStyle(this.light, scopes, '--shiki-light')};${themeStyle(this.dark, scopes, '--shiki-dark')}`);
      this.styles.set(key, style);
    }
    return style;
  }

  get themeNames(): Themes {
    return this.themes;
  }
}

/**
 * Tokenized lines, keyed by the id of the grammar state before the line and the line's text.
 * A TextMate grammar tokenizes a line from that state and the text alone (vscode's editor
 * relies on the same fact: it re-tokenizes a line only when the state before it is not
 * `equals` to the last one), so a line seen before in an equal state needs no tokenizing:
 * blank-ish lines, closing braces, imports and repeated statements, and every line of a block
 * highlighted before (a watch's edit). Measured on the bench corpus: 19,680 code lines, of
 * which 3,891 differ.
 */
type LineCache = Map<string, { html: string; state: StateStack; id: number }>;

/**
 * Characters of keys and HTML the line caches hold before they start again. Measured on
 * the 1,000-document bench corpus: 16 million made the cold weave 2.5 s faster than 4
 * million, but its render worker held about 35 MB more at the peak.
 */
const MAX_CACHED_LINE_CHARS = 4_000_000;

/**
 * One object and one small id per distinct grammar state (by `StateStack.equals`), so that
 * equal states reached by different lines share their cache entries. The state's frames
 * (rule id and end pattern of each, the fields `equals` compares) give the bucket; `equals`
 * decides within it (it also compares the scopes of the innermost frame).
 */
class CanonicalStates {
  private readonly ids = new WeakMap<StateStack, number>();
  private readonly buckets = new Map<string, StateStack[]>();
  private next = 1; // 0 is INITIAL: the first line of a block.

  canonical(state: StateStack): { state: StateStack; id: number } {
    const known = this.ids.get(state);
    if (known !== undefined) return { state, id: known };
    let frames = '';
    for (let frame = state as unknown as StateFrame | null; frame; frame = frame.parent) frames += `${frame.ruleId}\u0001${frame.endRule ?? ''}\u0002`;
    let bucket = this.buckets.get(frames);
    if (!bucket) {
      bucket = [];
      this.buckets.set(frames, bucket);
    }
    for (const other of bucket) if (other.equals(state)) return { state: other, id: this.ids.get(other)! };
    const id = this.next++;
    bucket.push(state);
    this.ids.set(state, id);
    return { state, id };
  }
}

/** The fields of a vscode-textmate state frame that `equals` compares frame by frame (public at run time, not in its types). */
interface StateFrame {
  parent: StateFrame | null;
  ruleId: number;
  endRule: string | null;
}

/** A theme's colour and font style for a scope list, as vscode-textmate resolves it: each scope's rule overrides the ones above. */
function themeStyle(theme: ThemeColours, scopes: string[], prefix: string): string {
  const defaults = theme.theme.getDefaults();
  let foreground = defaults.foregroundId;
  let fontStyle = defaults.fontStyle;
  let path: { parent: unknown; scopeName: string } | null = null;
  for (const scope of scopes) {
    path = { parent: path, scopeName: scope };
    const match = theme.theme.match(path as Parameters<Theme['match']>[0]);
    if (!match) continue;
    if (match.foregroundId !== 0) foreground = match.foregroundId;
    if (match.fontStyle !== -1) fontStyle = match.fontStyle;
  }
  let style = `${prefix}:${theme.colours[foreground] ?? theme.resolved.fg}`;
  // FontStyle bits (vscode-textmate): 1 italic, 2 bold, 4 underline, 8 strikethrough.
  if (fontStyle > 0) {
    if (fontStyle & 1) style += `;${prefix}-font-style:italic`;
    if (fontStyle & 2) style += `;${prefix}-font-weight:bold`;
    const decoration = [fontStyle & 4 ? 'underline' : '', fontStyle & 8 ? 'line-through' : ''].filter(Boolean).join(' ');
    if (decoration) style += `;${prefix}-text-decoration:${decoration}`;
  }
  return style;
}

const highlighters = new Map<string, Promise<BlockHighlighter>>();

/**
 * Load the highlighter for these themes and the grammars of these samples (code by fence
 * language), and highlight each sample once: a grammar compiles its patterns on first use,
 * which made a watch's first edit cost 600 ms more than the next ones. Never fails: a
 * highlighter that cannot load now fails the render that needs it, with its message.
 */
export async function warmGrammars(themes: Themes, samples: readonly (readonly [lang: string, code: string])[]): Promise<void> {
  const byGrammar = samples.map(([lang, code]) => [grammarOf(lang), code] as const);
  const highlighter = await loadHighlighter(themes, byGrammar.map(([lang]) => lang)).catch(() => undefined);
  for (const [lang, code] of byGrammar) highlighter?.highlight(code, lang);
}

/** The process's highlighter for these themes, with these languages loaded. */
export async function loadHighlighter(themes: Themes, langs: Iterable<string>): Promise<BlockHighlighter> {
  const key = `${themes.light}\0${themes.dark}`;
  let pending = highlighters.get(key);
  if (!pending) {
    pending = BlockHighlighter.create(themes);
    highlighters.set(key, pending);
  }
  const highlighter = await pending;
  await highlighter.load(langs);
  return highlighter;
}

/**
 * Highlighted blocks by themes, language and text: in watch mode an edit to one document
 * re-highlights only the blocks whose text changed (highlighting is most of the render
 * time). Bounded by the characters it holds, so a long session or a large project never
 * grows it without limit: past the bound it starts again.
 */
const highlighted = new Map<string, HighlightedBlock>();
let highlightedChars = 0;
let keepHighlighted = true;

/** Turn the cache of highlighted blocks off (a render worker: it sees each block once, and memory is shared). */
export function keepHighlightedBlocks(keep: boolean): void {
  keepHighlighted = keep;
  if (!keep) highlighted.clear();
}
const MAX_HIGHLIGHTED_CHARS = 4_000_000;

/** A block's highlighted lines, from the cache when the same text was highlighted before. */
export function highlightBlock(highlighter: BlockHighlighter, code: string, lang: string): HighlightedBlock {
  const themes = highlighter.themeNames;
  const key = `${themes.light}\0${themes.dark}\0${lang}\0${code}`;
  let block = highlighted.get(key);
  if (!block) {
    block = highlighter.highlight(code, lang);
    if (!keepHighlighted) return block;
    const size = key.length + block.lines.reduce((sum, line) => sum + line.length, 0);
    if (highlightedChars + size > MAX_HIGHLIGHTED_CHARS) {
      highlighted.clear();
      highlightedChars = 0;
    }
    highlighted.set(key, block);
    highlightedChars += size;
  }
  return block;
}

/** The `<pre>` of a block, its lines joined as shiki joins them. */
export function blockHtml(block: HighlightedBlock, lines: readonly string[] = block.lines): string {
  return `${block.open}${lines.map((line) => `<span class="line">${line}</span>`).join('\n')}</code></pre>`;
}
