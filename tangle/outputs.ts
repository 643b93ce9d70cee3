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
 * fixture snippets in the README against these formats.
 */
import { BUNDLE_RECORD } from './bundle.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR } from './cache.js';
import { CONFIG_FILE } from './config.js';
import { byteOrder } from './read.js';
import type { TangledSnapshot } from './snapshot.js';
import { WEFT_VERSION } from './version.js';
import { MANIFEST_FILE } from './write.js';

/** The `weft outputs --json` contract. All paths project-relative, POSIX, sorted. */
export interface ProjectOutputs {
  inputs: {
    /** Globs that select the documents (`sources` in the config). */
    globs: string[];
    /** The documents those globs select now, and `weft.config.json` when there is one. */
    files: string[];
  };
  outputs: {
    /** Every file a successful `weft tangle` writes: outputs, their source maps, the manifest. */
    files: string[];
    /** Folders outputs may be written to (`outputDirs`), and the bundle's `outdir`. */
    dirs: string[];
    /** `.weft/manifest.json`. */
    manifest: string;
    /** The bundle's output folder (files named by esbuild), or null without a bundle. */
    bundle: string | null;
  };
  /** Environment variables that change the result: none. */
  env: string[];
  /** The tool and its version: part of any cache key. */
  tool: { name: 'weft'; version: string };
  /** Weft's parse cache (never an output to restore; safe to delete). */
  cacheDir: string;
}

/** What `project` reads and writes. `root` is only looked at for `weft.config.json`. */
export function projectOutputs(project: TangledSnapshot, root: string): ProjectOutputs {
  const files = new Set<string>();
  for (const output of project.outputs) {
    files.add(output.path);
    if (output.map !== null) files.add(`${output.path}.map`);
  }
  files.add(MANIFEST_FILE);
  const bundle = project.config.bundle ? project.config.bundle.outdir : null;
  // The bundle's files are recorded apart from the outputs' (bundle.ts), in their own manifest.
  if (bundle) files.add(BUNDLE_RECORD.manifest);
  const inputs = project.sources.map((s) => s.path);
  if (existsSync(join(root, CONFIG_FILE))) inputs.push(CONFIG_FILE);
  return {
    inputs: { globs: [...project.config.sources], files: inputs.sort(byteOrder) },
    outputs: { files: [...files].sort(byteOrder), dirs: [...project.config.outputDirs, ...(bundle ? [bundle] : [])].sort(byteOrder), manifest: MANIFEST_FILE, bundle },
    env: [],
    tool: { name: 'weft', version: WEFT_VERSION },
    cacheDir: CACHE_DIR,
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

/** A Bazel `genrule` (untested: Weft's own builds do not use Bazel). */
export function bazelRule(outputs: ProjectOutputs): string {
  const list = (items: string[]) => items.map((item) => `        ${JSON.stringify(item)},`).join('\n');
  return `genrule(
    name = "tangle",
    srcs = glob([
${list(outputs.inputs.globs)}
    ])${outputs.inputs.files.includes(CONFIG_FILE) ? ` + [${JSON.stringify(CONFIG_FILE)}]` : ''},
    outs = [
${list(outputs.outputs.files)}
    ],
    # Untested: Bazel runs a genrule in a sandbox and expects outs under $(RULEDIR).
    cmd = "weft tangle --no-bundle",
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
