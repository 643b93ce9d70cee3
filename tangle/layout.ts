/**
 * Where a tangle writes: the write root (`outRoot`, for Bazel), the cache folder
 * (`cacheDir`), and whether a manifest is kept (generated mode). Resolved once, from the
 * options alone, by `tangle` and by `weft outputs`, so what `weft outputs` declares is
 * what `weft tangle` writes.
 *
 * - The documents are always read from the project root. With `outRoot`, everything
 *   Weft writes for a tangle lands under it: each output at `OUTROOT/<path>` (confined
 *   to `OUTROOT/<outputDir>` by the usual rules), its map, the lock and the journal in
 *   `OUTROOT/.weft/`, and by default the cache in `OUTROOT/.weft/cache/`.
 * - `outRoot` implies generated mode (no manifest): an out root is a build product
 *   that nobody edits by hand, and a manifest beside it would only record that. It also
 *   means no bundle: the bundle's esbuild resolves packages from where the outputs are,
 *   and an out root (Bazel's `bazel-out/…`) has no `node_modules`; bundle with the build
 *   system's own esbuild rule from the tangled outputs.
 * - A source map's `sources` are relative to the map: under an out root they are
 *   recomputed from the map's new place to the document (`rebaseMaps`).
 * - The build state (file stamps, `state.ts`) lives in `.weft/cache/` of the project and
 *   records the manifest: it is used only with the default cache folder and a manifest.
 *   Elsewhere every run reads every document (the parse cache still spares the parsing).
 *
 * Rejected: writing the outputs to the project and copying them to the out root (two
 * writers of one tree; a copy can be half-done), and keeping the manifest in the out root
 * (a fresh out root makes every run a first run: it would record nothing useful).
 */
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { CACHE_DIR } from './cache.js';
import type { Output } from './types.js';

/** The options that say where a tangle writes (see `TangleOptions`). */
export interface LayoutOptions {
  /** Write under this folder (relative to the root, or absolute) instead of the root. @default the root */
  outRoot?: string;
  /** The cache folder, relative to the root or absolute. @default `.weft/cache` under the write root */
  cacheDir?: string;
  /** Keep `.weft/manifest.json`. @default true, false with `outRoot` */
  manifest?: boolean;
}

/** Where one tangle writes. */
export interface Layout {
  /** Absolute folder the outputs, maps, lock and journal are written under. */
  writeRoot: string;
  /** Absolute cache folder. */
  cacheDir: string;
  /** Whether the manifest is read and written (committed mode). */
  manifest: boolean;
  /** Whether the build state may be consulted and recorded. */
  state: boolean;
}

/** Resolve `options` for the project at `root` (absolute). */
export function layoutOf(root: string, options: LayoutOptions): Layout {
  const writeRoot = options.outRoot === undefined ? root : resolve(root, options.outRoot);
  const outside = writeRoot !== root;
  const cacheDir = options.cacheDir === undefined ? join(writeRoot, CACHE_DIR) : resolve(root, options.cacheDir);
  const manifest = !outside && options.manifest !== false;
  return { writeRoot, cacheDir, manifest, state: manifest && cacheDir === join(root, CACHE_DIR) };
}

/** A path as `weft outputs` prints it: relative to the project root when inside it (POSIX), else absolute. */
export function shownPath(root: string, absolute: string): string {
  const path = relative(root, absolute).split(sep).join('/');
  return path === '' ? '.' : path === '..' || path.startsWith('../') ? absolute.split(sep).join('/') : path;
}

/** `outputs` with each map's `sources` relative to where the map is written under `writeRoot`. */
export function rebaseMaps(outputs: readonly Output[], root: string, writeRoot: string): Output[] {
  if (writeRoot === root) return [...outputs];
  return outputs.map((output) => {
    if (output.map === null) return output;
    const map = JSON.parse(output.map) as { sources: string[] };
    const from = dirname(join(writeRoot, output.path));
    map.sources = map.sources.map((source) => relative(from, join(root, posix.join(posix.dirname(output.path), source))).split(sep).join('/'));
    return { ...output, map: JSON.stringify(map) };
  });
}
