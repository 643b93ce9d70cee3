/**
 * Comment syntax by file extension and language name, for the one-line "generated from"
 * header emit puts at the top of each output.
 *
 * An output whose syntax is unknown gets no header (a wrong comment marker would break
 * the file), so the table covers the languages of GitHub's linguist top 50 and the usual
 * build and config files; `weft.config.json`'s `comments` adds or overrides entries
 * (`{ "jl": "#", "txt": null }`). Keys are lower case. `null` means "this language has
 * no comment a header can use" (JSON, PHP — whose text before `<?php` is printed —,
 * plain text).
 *
 * Rejected: guessing from the block's first line or a shebang. The table is data a user
 * can read and extend; a guess cannot be corrected.
 */

/** How a header line is written: `open` text `close` (close is '' for line comments). */
export type CommentStyle = { readonly open: string; readonly close: string } | null;

/** The config's additions: extension or language name (any case) → line-comment marker, or null for no header. */
export type CommentOverrides = Readonly<Record<string, string | null>>;

const table = new Map<string, CommentStyle>();
const add = (style: CommentStyle, keys: string) => {
  for (const key of keys.split(/\s+/).filter(Boolean)) table.set(key, style);
};
const line = (open: string): CommentStyle => ({ open, close: '' });

// C family and friends.
add(line('//'), `ts tsx js mjs cjs mts cts jsx typescript javascript c h cc cpp cxx hpp hh hxx c++ cs csharp go golang java kt kts kotlin
  swift dart scala sc m mm objective-c objc objective-c++ groovy gradle rs rust zig fs fsi fsx fsharp f# d sol solidity v
  jsonc json5 proto protobuf glsl hlsl cu cuda scss less pas pascal dpr delphi hx haxe gleam cairo move odin carbon`);
// Hash-comment languages, shells and build/config files.
add(line('#'), `py pyi pyw python rb ruby pl pm perl sh bash zsh fish ksh shell r jl julia ex exs elixir cr crystal nim nims tcl
  coffee coffeescript ps1 psm1 powershell yaml yml toml cmake makefile mk make dockerfile containerfile nix tf tfvars hcl terraform
  gnuplot gp plt gnu awk conf cfg gitignore gitattributes dockerignore env raku rakumod mojo just justfile meson build bzl starlark
  bazel editorconfig properties`);
add(line('--'), `hs haskell lhs elm lua sql plsql ada adb ads dhall purs purescript idr idris agda vhdl vhd applescript`);
add(line(';'), `clj cljs cljc edn clojure el elisp emacs-lisp lisp cl common-lisp scm ss scheme rkt racket asm nasm ini fnl fennel`);
add(line('%'), `erl hrl erlang tex sty latex matlab prolog pro octave`);
add(line('"'), `vim vimrc viml vimscript`);
add(line("'"), `vb vbs bas vba visualbasic vbnet`);
add(line('!'), `f90 f95 f03 f08 for fortran`);
add(line('REM'), `bat cmd batch`);
add({ open: '(*', close: ' *)' }, `ml mli ocaml sml mathematica wl`);
add({ open: '/*', close: ' */' }, `css`);
add({ open: '<!--', close: ' -->' }, `html htm xml svg xhtml md markdown vue svelte xsl xslt plist`);
add(null, `json txt text csv tsv php`);

/** Every built-in key (lower case) and its style, for tests and docs. */
export const COMMENT_TABLE: ReadonlyMap<string, CommentStyle> = table;

/** The style a config value names: a line-comment marker, or null for no header. */
const fromOverride = (value: string | null): CommentStyle => (value === null ? null : line(value));

/**
 * The header's comment syntax for an output: by its extension, then (for a name without
 * one, such as `Makefile`) by its file name, then by the block's language; the config's
 * `comments` first (so `{ "julia": null }` silences `.jl` files), then the built-in
 * table. Unknown everywhere: null (no header).
 */
export function commentStyleFor(path: string, lang: string | null, overrides: CommentOverrides = {}): CommentStyle {
  const base = (path.slice(path.lastIndexOf('/') + 1)).toLowerCase();
  const dot = base.lastIndexOf('.');
  const extension = dot > 0 ? base.slice(dot + 1) : '';
  const keys = [extension || base, lang?.toLowerCase() ?? ''].filter(Boolean);
  const lowered = lowerKeys(overrides);
  for (const key of keys) if (Object.hasOwn(lowered, key)) return fromOverride(lowered[key]!);
  for (const key of keys) if (table.has(key)) return table.get(key)!;
  return null;
}

const EMPTY: Record<string, string | null> = Object.create(null);
const lowered = new WeakMap<object, Record<string, string | null>>();
function lowerKeys(overrides: CommentOverrides): Record<string, string | null> {
  // Called as `outputs.map(emitFile)`, the second argument is an index: no overrides.
  if (typeof overrides !== 'object' || overrides === null) return EMPTY;
  let result = lowered.get(overrides);
  if (!result) {
    result = Object.create(null) as Record<string, string | null>;
    for (const [key, value] of Object.entries(overrides)) result[key.toLowerCase()] = value;
    lowered.set(overrides, result);
  }
  return result;
}
