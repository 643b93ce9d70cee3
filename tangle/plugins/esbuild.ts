/**
 * `weft-lit/esbuild`: bundle literate sources with no `weft watch` beside the build.
 *
 *     import { weft } from 'weft-lit/esbuild';
 *     await esbuild.build({ entryPoints: ['src-generated/app.ts'], bundle: true, plugins: [weft()] });
 *
 * - `onStart` tangles (incrementally, through the one pipeline) and returns Weft's
 *   messages as esbuild's: the `.lit.md` file, 1-based line, 0-based column, `lineText`,
 *   the rule in `id`, the notes as notes. Diagnostics must come from here or `onLoad`:
 *   an `onEnd` callback cannot rewrite esbuild's messages.
 * - `onLoad` serves every tangled output from memory with an inline source map (as
 *   `@mdx-js/esbuild` does), in the `file` namespace (a custom one leaks into the map's
 *   `sources`, esbuild#2283), watching the documents it is made from, the config, and the
 *   source folders (so `ctx.watch()` notices a new document that defines a missing chunk).
 * - A preflight parse reports TypeScript syntax errors at their `.lit.md` place: esbuild
 *   would report them at the tangled file, since it does not map its diagnostics through
 *   input source maps (esbuild#3051).
 * - `import x from './doc.lit.md'` is the document's only module output; `?out=PATH`
 *   picks one; anything else is a `document-import` error at the import.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import type { Message as EsbuildMessage, PartialMessage, Plugin } from 'esbuild';
import type { Message } from '../types.js';
import { documentPath, isModuleOutput, lineOf, splitDocumentImport, WeftBuild, withInlineMap, type WeftPluginOptions } from './shared.js';

export type { WeftPluginOptions } from './shared.js';

/** The esbuild plugin; one instance per build or context. */
export function weft(options: WeftPluginOptions = {}): Plugin {
  return {
    name: 'weft',
    setup(build) {
      const weftBuild = new WeftBuild(options, build.initialOptions.absWorkingDir);
      build.onStart(async () => {
        const { messages } = await weftBuild.rebuild();
        return {
          errors: messages.filter((m) => m.severity === 'error').map((m) => toEsbuild(weftBuild, m)),
          warnings: messages.filter((m) => m.severity === 'warning').map((m) => toEsbuild(weftBuild, m)),
        };
      });
      build.onResolve({ filter: /\.lit\.md(\?.*)?$/ }, (args) => {
        const { path, out } = splitDocumentImport(args.path);
        const document = documentPath(path, args.resolveDir || dirname(args.importer));
        if (document === undefined) return undefined;
        const resolved = weftBuild.resolveDocumentImport(document, out);
        if ('error' in resolved) return { errors: [{ text: `${resolved.error} [${resolved.rule}]`, id: resolved.rule, notes: resolved.notes.map((text) => ({ text })) }] };
        if (options.dts) weftBuild.writeDeclaration(document, resolved.path);
        return { path: resolved.path, watchFiles: [document] };
      });
      // Outputs resolve to their tangled text even when not on disk (`write: false`, or not yet written).
      build.onResolve({ filter: /^[./]|^[A-Za-z]:[\\/]/ }, (args) => {
        const base = resolvePath(args.resolveDir || build.initialOptions.absWorkingDir || process.cwd(), args.path);
        const path = weftBuild.outputFor(base);
        return path === undefined ? undefined : { path };
      });
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== 'entry-point') return undefined;
        const path = weftBuild.outputFor(resolvePath(build.initialOptions.absWorkingDir || process.cwd(), args.path));
        return path === undefined ? undefined : { path };
      });
      build.onLoad({ filter: /\.(m|c)?(t|j)sx?$/ }, (args) => {
        const output = weftBuild.last.outputs.get(args.path);
        if (!output || !isModuleOutput(output.path)) return undefined;
        return {
          contents: withInlineMap(output),
          loader: loaderOf(output.path),
          resolveDir: dirname(args.path),
          watchFiles: [...weftBuild.contributors(output), weftBuild.configFile()],
          watchDirs: weftBuild.sourceDirectories(),
        };
      });
      build.onDispose(() => {
        void weftBuild.dispose();
      });
    },
  };
}

/** esbuild's loader for an output path. */
function loaderOf(path: string): 'ts' | 'tsx' | 'js' | 'jsx' {
  if (/\.tsx$/i.test(path)) return 'tsx';
  if (/\.jsx$/i.test(path)) return 'jsx';
  if (/\.(m|c)?ts$/i.test(path)) return 'ts';
  return 'js';
}

/**
 * A Weft message as esbuild's: 1-based line, 0-based column, the rule as `id` and in
 * `detail.rule` (esbuild keeps only the `id`s of its own log messages, so an unknown one
 * arrives as ''; `detail` reaches `onEnd` and the build's result unchanged).
 */
function toEsbuild(weftBuild: WeftBuild, m: Message): PartialMessage {
  const location: EsbuildMessage['location'] =
    m.line > 0
      ? { file: m.file, namespace: 'file', line: m.line, column: Math.max(0, m.column - 1), length: 0, lineText: lineOf(weftBuild.absolute(m.file), m.line), suggestion: '' }
      : { file: m.file, namespace: 'file', line: 0, column: 0, length: 0, lineText: '', suggestion: '' };
  return { id: m.rule, detail: { rule: m.rule }, text: `${m.message} [${m.rule}]`, location, notes: (m.notes ?? []).map((text) => ({ text })) };
}
