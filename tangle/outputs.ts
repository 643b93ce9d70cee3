/**
 * What a tangle reads and writes, exactly, for build systems that cache by declared inputs
 * and outputs (Turborepo, Nx, Bazel), and the project's roots and unused chunks (`weft ls`,
 * like noweb's `noroots`).
 *
 * Computed from the documents and the config alone, by the pure stages over a snapshot
 * (`snapshot.ts`): nothing is written, so `weft outputs` can run before a build to tell the
 * build system what to cache. The output list is the set `weft tangle` writes — each output,
 * its `.map` for JavaScript/TypeScript outputs, and `.weft/manifest.json` — which
 * `test/outputs.test.ts` checks against a real tangle. The bundle's files are named by
 * esbuild, so the bundle folder is given as a folder. A cache-keyed build system must also
 * know the tool (its version) and that no environment variable changes the result (`env: []`).
 *
 * Turborepo and Nx paths are POSIX and project-relative; a test validates the monorepo
 * fixture snippets in the README against these formats. Where the tangle writes
 * (`--out-root`, `--cache-dir`, `--no-manifest`) is resolved by `layout.ts`, as for
 * `weft tangle`, so the declared set follows the same flags.
 */
import { BUNDLE_RECORD } from './bundle.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_FILE } from './journal.js';
import { layoutOf, shownPath, type Layout } from './layout.js';
import { CONFIG_FILE } from './config.js';
import { byteOrder } from './read.js';
import type { TangledSnapshot } from './snapshot.js';
import { WEFT_VERSION } from './version.js';
import { LOCK_FILE } from './lock.js';
import { MANIFEST_FILE, WEFT_DIR } from './write.js';

/** The `weft outputs --json` contract. All paths project-relative, POSIX, sorted. */
export interface ProjectOutputs {
  inputs: {
    /** Globs that select the documents (`sources` in the config). */
    globs: string[];
    /** The documents those globs select now, and `weft.config.json` when there is one. */
    files: string[];
  };
  outputs: {
    /** Where the paths below are: `.` (the project root) or the `--out-root` folder, relative to the project root when inside it, else absolute. */
    root: string;
    /** Every file a successful `weft tangle` writes: outputs, their source maps, the manifest. */
    files: string[];
    /** Folders outputs may be written to (`outputDirs`), and the bundle's `outdir`. */
    dirs: string[];
    /** `.weft/manifest.json`, or null in generated mode (`--no-manifest`, `--out-root`). */
    manifest: string | null;
    /** The bundle's output folder (files named by esbuild), or null without a bundle. */
    bundle: string | null;
    /** Files each run creates and removes again (the lock, the journals): never cache or restore them. */
    transient: string[];
    /** Where `--force` and removed orphans keep what they replaced (the last 10 runs): state, not an output. */
    trash: string;
  };
  /** Environment variables that change the result: none. */
  env: string[];
  /** The tool and its version: part of any cache key. */
  tool: { name: 'weft'; version: string };
  /**
   * Weft's cache (the parse cache, the build state, stitch's copy of the sources), relative
   * to the project root when inside it, else absolute; null with `--no-cache`. Never an
   * output to restore, never a change to an output byte; safe to delete.
   */
  cacheDir: string | null;
}

/**
 * What `project` (at the absolute `root`, only looked at for `weft.config.json`) reads and
 * writes, with the tangle's `layout` (`layout.ts`) and `cache` (false: `--no-cache`).
 */
export function projectOutputs(project: TangledSnapshot, root: string, layout: Layout = layoutOf(root, {}), cache = true): ProjectOutputs {
  const files = new Set<string>();
  for (const output of project.outputs) {
    files.add(output.path);
    if (output.map !== null) files.add(`${output.path}.map`);
  }
  if (layout.manifest) files.add(MANIFEST_FILE);
  // No bundle under an out root (layout.ts).
  const bundle = project.config.bundle && layout.writeRoot === root ? project.config.bundle.outdir : null;
  // The bundle's files are recorded apart from the outputs' (bundle.ts), in their own manifest.
  if (bundle && layout.manifest) files.add(BUNDLE_RECORD.manifest);
  const inputs = project.sources.map((s) => s.path);
  if (existsSync(join(root, CONFIG_FILE))) inputs.push(CONFIG_FILE);
  const transient = [JOURNAL_FILE, LOCK_FILE, ...(bundle ? [BUNDLE_RECORD.journal] : [])].sort(byteOrder);
  return {
    inputs: { globs: [...project.config.sources], files: inputs.sort(byteOrder) },
    outputs: {
      root: shownPath(root, layout.writeRoot),
      files: [...files].sort(byteOrder),
      dirs: [...project.config.outputDirs, ...(bundle ? [bundle] : [])].sort(byteOrder),
      manifest: layout.manifest ? MANIFEST_FILE : null,
      bundle,
      transient,
      trash: `${WEFT_DIR}/trash`,
    },
    env: [],
    tool: { name: 'weft', version: WEFT_VERSION },
    cacheDir: cache ? shownPath(root, layout.cacheDir) : null,
  };
}

/** The build systems `weft outputs --format` writes a snippet for. */
export type OutputsFormat = 'turbo' | 'nx' | 'bazel';
export const OUTPUTS_FORMATS: readonly OutputsFormat[] = ['turbo', 'nx', 'bazel'];

/** A `turbo.json` task (`tasks.tangle`): inputs, outputs, no env. */
export function turboTask(outputs: ProjectOutputs) {
  return {
    inputs: [...outputs.inputs.globs, ...(outputs.inputs.files.includes(CONFIG_FILE) ? [CONFIG_FILE] : [])],
    outputs: [...outputs.outputs.files, ...(outputs.outputs.bundle ? [`${outputs.outputs.bundle}/**`] : [])],
    env: outputs.env,
  };
}

/** An Nx `project.json` target: file sets under `{projectRoot}`, weft as an external dependency. */
export function nxTarget(outputs: ProjectOutputs) {
  const under = (path: string) => `{projectRoot}/${path}`;
  const turbo = turboTask(outputs);
  return {
    executor: 'nx:run-commands',
    options: { command: 'weft tangle', cwd: '{projectRoot}' },
    cache: true,
    inputs: [...turbo.inputs.map(under), { externalDependencies: ['weft-lit'] }],
    outputs: turbo.outputs.map(under),
  };
}

/**
 * A Bazel `genrule` (untested: Weft's own builds do not use Bazel). It tangles with
 * `--out-root $(RULEDIR)`, so its `outs` are the outputs and maps alone: no manifest, no
 * bundle (layout.ts).
 */
export function bazelRule(outputs: ProjectOutputs): string {
  const outs = outputs.outputs.files.filter((path) => path !== MANIFEST_FILE && path !== BUNDLE_RECORD.manifest);
  const list = (items: string[]) => items.map((item) => `        ${JSON.stringify(item)},`).join('\n');
  return `genrule(
    name = "tangle",
    srcs = glob([
${list(outputs.inputs.globs)}
    ])${outputs.inputs.files.includes(CONFIG_FILE) ? ` + [${JSON.stringify(CONFIG_FILE)}]` : ''},
    outs = [
${list(outs)}
    ],
    # Untested. Bazel expects outs under $(RULEDIR): weft writes them there.
    cmd = "weft tangle${outputs.inputs.files.includes(CONFIG_FILE) ? ` -C $$(dirname $(execpath ${CONFIG_FILE}))` : ''} --out-root $(RULEDIR) --no-cache",
)
`;
}

/** The `weft ls --json` contract: roots (outputs) and chunks that no output uses. */
export interface ProjectListing {
  /** Every output (a root, in noweb's terms) and the document that defines it. */
  outputs: { path: string; document: string }[];
  /** Chunks defined but never used, where they are defined. */
  unused: { name: string; document: string; line: number }[];
}

/** The roots and the unused chunks of `project`. */
export function listProject(project: TangledSnapshot): ProjectListing {
  const outputs = project.documents
    .flatMap((d) => d.files.map((f) => ({ path: f.path, document: d.path })))
    .sort((a, b) => byteOrder(a.path, b.path));
  const unused = project.messages
    .filter((m) => m.rule === 'unused-chunk')
    .map((m) => ({ name: /`([^`]+)`/.exec(m.message)?.[1] ?? m.message, document: m.file, line: m.line }));
  return { outputs, unused };
}
