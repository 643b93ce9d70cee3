/**
 * `weft-lit/vite`: serve literate sources to Vite (6 to 8) and to Vitest, which runs through
 * the same plugin.
 *
 *     import { weft, weftTestDocs } from 'weft-lit/vite';
 *     export default defineConfig({ plugins: [weft()], test: { include: await weftTestDocs() } });
 *
 * - `load` returns the tangled text and its source map as `{ code, map }`, and adds each
 *   document the output is made from as a watch file.
 * - `hotUpdate` is driven by Weft's own dependency graph (`Output.chunks`): after a
 *   `.lit.md` or config change it re-tangles once (shared by the environments) and
 *   invalidates exactly the modules whose tangled text or map changed, including an
 *   output of another document that uses an edited chunk. `this.addWatchFile` alone does
 *   not invalidate derived modules in dev (vite#15860). Weft's own writes of outputs and
 *   maps invalidate nothing: the module was already invalidated from the document.
 * - Problems go through `this.error` / `this.warn` located at the `.lit.md`, with the
 *   rule as `pluginCode`.
 * - A `.lit.md` in `test.include` (see `weftTestDocs`) loads as its test output, so a
 *   Vitest run collects only documents that have tests (a collected file with no tests
 *   fails the run, vitest#4457).
 */
import { dirname } from 'node:path';
import type { EnvironmentModuleNode, Plugin } from 'vite';
import type { Message, Output } from '../types.js';
import { documentPath, isModuleOutput, splitDocumentImport, WeftBuild, withoutMapComment, type WeftPluginOptions, type WeftSnapshot } from './shared.js';

export type { WeftPluginOptions } from './shared.js';

/** Output paths that are test files (`x.test.ts`, `x.spec.mjs`, ...). */
const TEST_OUTPUT = /\.(test|spec)\.(m|c)?(t|j)sx?$/i;

/** The Vite plugin; Vitest uses it unchanged. */
export function weft(options: WeftPluginOptions = {}): Plugin {
  let weftBuild: WeftBuild | undefined;
  /** The rebuild for one file event, shared by every environment's `hotUpdate`. */
  let pending: { key: string; changed: Promise<Set<string>> } | undefined;
  const build = (root?: string) => (weftBuild ??= new WeftBuild(options, root));
  const ready = async (root?: string): Promise<WeftSnapshot> => {
    const current = build(root);
    return current.last.documents.length > 0 ? current.last : current.rebuild();
  };
  return {
    name: 'weft',
    enforce: 'pre',
    configResolved(config) {
      build(config.root);
    },
    async buildStart() {
      const { messages } = await build().rebuild();
      for (const m of messages) if (m.severity === 'warning') this.warn(rollupError(build(), m));
    },
    async resolveId(source, importer) {
      const current = build();
      await ready();
      const importerDir = importer ? dirname(importer.split('?')[0]!) : current.root;
      if (/\.lit\.md(\?.*)?$/.test(source)) {
        const { path, out } = splitDocumentImport(source);
        const document = documentPath(fromRoot(current, path), importerDir);
        if (document === undefined) return null;
        // A test run collects the document itself (see `weftTestDocs`): it loads as its test output.
        if (!importer) return testOutputOf(current, document) ?? null;
        // Vite dev resolves `addWatchFile` paths (absolute) into the module graph: the document itself.
        if (source.startsWith(current.root) && out === undefined) return null;
        const resolved = current.resolveDocumentImport(document, out);
        if ('error' in resolved) this.error({ message: resolved.error, pluginCode: resolved.rule, notes: resolved.notes } as never);
        return resolved.path;
      }
      if (!source.startsWith('.') && !source.startsWith('/')) return null;
      return current.outputFor(documentPath(fromRoot(current, source), importerDir) ?? source) ?? null;
    },
    load(id) {
      const current = build();
      const path = id.split('?')[0]!;
      const output = current.last.outputs.get(path);
      const errors = current.last.messages.filter((m) => m.severity === 'error');
      if (!output) {
        // An output that did not tangle: the first error of its documents, at the .lit.md.
        if (errors.length > 0 && current.everServed.has(path)) this.error(rollupError(current, errors[0]!));
        return null;
      }
      current.everServed.add(path);
      for (const document of current.contributors(output)) this.addWatchFile(document);
      this.addWatchFile(current.configFile());
      const mine = errors.filter((m) => current.contributors(output).includes(current.absolute(m.file)));
      if (mine.length > 0) this.error(rollupError(current, mine[0]!));
      return { code: withoutMapComment(output), map: output.map === null ? null : JSON.parse(output.map) };
    },
    async hotUpdate({ file, timestamp }) {
      const current = build();
      const ownWrite = current.last.outputs.has(file) || current.last.outputs.has(file.replace(/\.map$/, ''));
      const weftFolder = file.startsWith(`${current.root}/.weft/`) || file.startsWith(`${current.root}\\.weft\\`);
      if ((ownWrite || weftFolder) && !file.endsWith('.lit.md')) return [];
      if (!file.endsWith('.lit.md') && file !== current.configFile()) return undefined;
      const key = `${file}\0${timestamp}`;
      if (pending?.key !== key) pending = { key, changed: changedOutputs(current) };
      const changed = await pending.changed;
      const modules: EnvironmentModuleNode[] = [];
      for (const path of changed) {
        for (const module of this.environment.moduleGraph.getModulesByFile(path) ?? []) {
          this.environment.moduleGraph.invalidateModule(module);
          modules.push(module);
        }
      }
      return modules;
    },
    async buildEnd() {
      await weftBuild?.dispose();
    },
  };
}

/** A Vite URL like `/docs/x.lit.md` (relative to the root) as a file path; other paths unchanged. */
function fromRoot(weftBuild: WeftBuild, path: string): string {
  return path.startsWith('/') && !path.startsWith(`${weftBuild.root}/`) ? weftBuild.root + path : path;
}

/** Re-tangle; the absolute paths of outputs whose text or map changed, appeared or vanished. */
async function changedOutputs(weftBuild: WeftBuild): Promise<Set<string>> {
  const before = weftBuild.last.outputs;
  const after = (await weftBuild.rebuild()).outputs;
  const changed = new Set<string>();
  const differs = (a: Output | undefined, b: Output | undefined) => a?.content !== b?.content || a?.map !== b?.map;
  for (const path of new Set([...before.keys(), ...after.keys()])) if (differs(before.get(path), after.get(path))) changed.add(path);
  return changed;
}

/** The one test output of a document, absolute; undefined when it has none. */
function testOutputOf(weftBuild: WeftBuild, document: string): string | undefined {
  const relativePath = weftBuild.relative(document);
  const tests = [...weftBuild.last.outputs.values()].filter((o) => o.document === relativePath && TEST_OUTPUT.test(o.path) && isModuleOutput(o.path));
  return tests.length === 1 ? weftBuild.absolute(tests[0]!.path) : undefined;
}

/** A Weft message as a Rollup error: `.lit.md` location (1-based line, 0-based column), rule as `pluginCode`. */
function rollupError(weftBuild: WeftBuild, m: Message) {
  const file = weftBuild.absolute(m.file);
  return {
    message: `${m.file}:${m.line}:${m.column}: ${m.message} [${m.rule}]`,
    id: file,
    loc: { file, line: m.line, column: Math.max(0, m.column - 1) },
    pluginCode: m.rule,
  };
}

/**
 * Project-relative paths of the documents that have exactly one test output (`*.test.ts`,
 * `*.spec.ts`, ...), for Vitest's `test.include`: a document without tests is not
 * collected. Reads and tangles the project once, writing nothing.
 */
export async function weftTestDocs(options: Pick<WeftPluginOptions, 'root' | 'config'> = {}): Promise<string[]> {
  const weftBuild = new WeftBuild({ ...options, write: false, preflight: false });
  const { outputs } = await weftBuild.rebuild();
  const counts = new Map<string, number>();
  for (const output of outputs.values()) if (TEST_OUTPUT.test(output.path)) counts.set(output.document, (counts.get(output.document) ?? 0) + 1);
  return [...counts].filter(([, n]) => n === 1).map(([document]) => document).sort();
}
