/**
 * `weft-lit/esbuild`: a build with the plugin is the build of `weft tangle && esbuild`; its
 * diagnostics, watch mode and `.lit.md` imports are located in the Markdown.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { describe, expect, test } from 'vitest';
import { weft } from '../tangle/plugins/esbuild.js';
import { makeProject, REPO, weft as weftCli, writeFiles } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/plugins/guide', import.meta.url));

/** A copy of the guide-like fixture in a temp folder. */
function guideProject(): string {
  const dir = makeProject();
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

/** esbuild options shared by both builds of a comparison. */
const bundleOptions = (dir: string): esbuild.BuildOptions => ({
  absWorkingDir: dir,
  entryPoints: ['src-generated/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  sourcemap: true,
  write: false,
  logLevel: 'silent',
});

/** `file:line:column: text` of an esbuild message (column 1-based, as Weft prints it). */
const located = (m: esbuild.Message) => `${m.location?.file}:${m.location?.line}:${(m.location?.column ?? -1) + 1}: ${m.text}`;

/** The errors a failing build threw. */
async function buildErrors(options: esbuild.BuildOptions): Promise<esbuild.Message[]> {
  try {
    await esbuild.build(options);
  } catch (error) {
    // Weft's own: esbuild adds "Could not resolve" for an output that did not tangle.
    return (error as esbuild.BuildFailure).errors.filter((e) => e.pluginName === 'weft');
  }
  throw new Error('the build succeeded');
}

describe('weft-lit/esbuild', () => {
  test('a plugin build equals `weft tangle && esbuild`, byte for byte, map included', async () => {
    const tangled = guideProject();
    expect(weftCli(tangled, 'tangle').code).toBe(0);
    const plain = await esbuild.build(bundleOptions(tangled));
    const plugged = await esbuild.build({ ...bundleOptions(guideProject()), plugins: [weft()] });
    expect(plugged.errors).toEqual([]);
    expect(plugged.outputFiles!.map((f) => f.text)).toEqual(plain.outputFiles!.map((f) => f.text));
    expect(plugged.outputFiles!.map((f) => f.path.slice(-12))).toEqual(['main.js.map', 'dist/main.js'].map((p) => p.padStart(12, '/')));
  });

  test('the bundle’s thrown error is at the .lit.md line under --enable-source-maps', async () => {
    const dir = guideProject();
    await esbuild.build({ ...bundleOptions(dir), write: true, plugins: [weft()] });
    const run = spawnSync(process.execPath, ['--enable-source-maps', join(dir, 'dist/main.js'), ''], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Error: nobody to greet');
    expect(run.stderr).toContain(`(${join(dir, 'docs/shout.lit.md')}:7:24)`);
  });

  test('with write (the default) the outputs are on disk for tsc; with write: false nothing is written', async () => {
    const written = guideProject();
    await esbuild.build({ ...bundleOptions(written), plugins: [weft()] });
    expect(readFileSync(join(written, 'src-generated/greet.ts'), 'utf8')).toContain('toUpperCase');
    const pure = guideProject();
    const result = await esbuild.build({ ...bundleOptions(pure), plugins: [weft({ write: false })] });
    expect(result.errors).toEqual([]);
    expect(() => readFileSync(join(pure, 'src-generated/greet.ts'))).toThrow(/ENOENT/);
  });

  test('an undefined reference is an error at the .lit.md reference, with the rule as id', async () => {
    const dir = guideProject();
    writeFiles(dir, { 'docs/app.lit.md': readFileSync(join(dir, 'docs/app.lit.md'), 'utf8').replace('<<print-the-greeting>>', '<<print-the-greting>>') });
    const errors = await buildErrors({ ...bundleOptions(dir), plugins: [weft({ write: false })] });
    expect(errors.map(located)).toEqual(['docs/app.lit.md:8:1: chunk `print-the-greting` is not defined [undefined-chunk]']);
    expect(errors[0]!.detail).toEqual({ rule: 'undefined-chunk' });
    expect(errors[0]!.location!.lineText).toBe('<<print-the-greting>>');
    expect(errors[0]!.notes.map((n) => n.text)).toEqual(['did you mean `<<print-the-greeting>>`?']);
  });

  test('a TypeScript syntax error in a chunk is reported at its .lit.md place, under its TS code', async () => {
    const dir = guideProject();
    writeFiles(dir, { 'docs/shout.lit.md': readFileSync(join(dir, 'docs/shout.lit.md'), 'utf8').replace('const loud = name.toUpperCase();', 'const loud = name.toUpperCase(;') });
    const errors = await buildErrors({ ...bundleOptions(dir), plugins: [weft({ write: false })] });
    expect(errors.map(located)).toEqual(['docs/shout.lit.md:8:31: \')\' expected. [TS1005]']);
    expect(errors[0]!.detail).toEqual({ rule: 'TS1005' });
    expect(errors[0]!.location!.lineText).toBe('const loud = name.toUpperCase(;');
    expect(errors[0]!.notes.map((n) => n.text)).toEqual(['in src-generated/greet.ts:4:33']);
  });

  test('the config option overrides weft.config.json, as `weft tangle` resolves it', async () => {
    const errors = await buildErrors({ ...bundleOptions(guideProject()), plugins: [weft({ write: false, config: { outputDirs: ['generated'] } })] });
    expect(errors.map((e) => [e.location?.file, (e.detail as { rule: string }).rule])).toEqual([
      ['docs/app.lit.md', 'output-outside-root'],
      ['docs/app.lit.md', 'output-outside-root'],
    ]);
  });

  test('with preflight: false, a syntax error is esbuild’s own, at the tangled file', async () => {
    const dir = guideProject();
    writeFiles(dir, { 'docs/shout.lit.md': readFileSync(join(dir, 'docs/shout.lit.md'), 'utf8').replace('const loud = name.toUpperCase();', 'const loud = name.toUpperCase(;') });
    const failure = await esbuild.build({ ...bundleOptions(dir), plugins: [weft({ write: false, preflight: false })] }).catch((error: esbuild.BuildFailure) => error);
    expect((failure as esbuild.BuildFailure).errors.map(located)).toEqual(['src-generated/greet.ts:4:33: Unexpected ";"']);
  });

  test('ctx.watch() rebuilds after a .lit.md edit, and after a new document defines a missing chunk', async () => {
    const dir = guideProject();
    writeFiles(dir, { 'docs/shout.lit.md': '# Shouting, to be written\n' });
    const ends: esbuild.BuildResult[] = [];
    let notify = () => {};
    const next = () => new Promise<esbuild.BuildResult>((resolve) => (notify = () => resolve(ends.at(-1)!)));
    const ctx = await esbuild.context({
      ...bundleOptions(dir),
      write: true,
      plugins: [weft({ write: false }), { name: 'record', setup: (b) => b.onEnd((r) => { ends.push(r); notify(); }) }],
    });
    try {
      let ended = next();
      await ctx.watch();
      const first = await ended;
      expect(first.errors.filter((e) => e.pluginName === 'weft').map(located)).toEqual(['docs/app.lit.md:20:3: chunk `shout-the-name` is not defined [undefined-chunk]']);
      // A new document in a source folder: the folder is watched, so the build notices.
      ended = next();
      writeFiles(dir, { 'docs/loud.lit.md': '# Loud\n\n```ts #shout-the-name\nconst loud = name.toUpperCase() + "!";\n```\n' });
      const second = await ended;
      expect(second.errors).toEqual([]);
      expect(readFileSync(join(dir, 'dist/main.js'), 'utf8')).toContain('name.toUpperCase() + "!"');
      // An edit to a contributing document.
      ended = next();
      writeFiles(dir, { 'docs/loud.lit.md': '# Loud\n\n```ts #shout-the-name\nconst loud = name.toUpperCase() + "!!!";\n```\n' });
      await ended;
      expect(readFileSync(join(dir, 'dist/main.js'), 'utf8')).toContain('name.toUpperCase() + "!!!"');
    } finally {
      await ctx.dispose();
    }
  });

  describe('importing a document', () => {
    const project = () =>
      makeProject({
        'weft.config.json': '{ "sources": ["docs/*.lit.md"], "outputDirs": ["src-generated"] }',
        'docs/one.lit.md': '# One\n\n```ts file=src-generated/one.ts\nexport const one = 1;\n```\n',
        'docs/two.lit.md': '# Two\n\n```ts file=src-generated/a.ts\nexport const two = "a";\n```\n\n```ts file=src-generated/b.ts\nexport const two = "b";\n```\n',
      });
    const entry = (dir: string, code: string): esbuild.BuildOptions => ({
      absWorkingDir: dir,
      stdin: { contents: code, resolveDir: join(dir, 'docs'), sourcefile: 'entry.ts', loader: 'ts' },
      bundle: true,
      format: 'esm',
      write: false,
      logLevel: 'silent',
      plugins: [weft({ write: false })],
    });

    test('`./doc.lit.md` is the document’s only module output', async () => {
      const result = await esbuild.build(entry(project(), "import { one } from './one.lit.md'; console.log(one);"));
      expect(result.outputFiles![0]!.text).toContain('var one = 1;');
    });

    test('`?out=PATH` selects one of several outputs', async () => {
      const result = await esbuild.build(entry(project(), "import { two } from './two.lit.md?out=src-generated/b.ts'; console.log(two);"));
      expect(result.outputFiles![0]!.text).toContain('var two = "b";');
    });

    test('a document with several module outputs is an error at the import, listing them', async () => {
      const errors = await buildErrors(entry(project(), "import { two } from './two.lit.md';\nconsole.log(two);"));
      expect(errors.map(located)).toEqual(['docs/entry.ts:1:21: docs/two.lit.md has 2 module outputs; choose one with `?out=` [document-import]']);
      expect(errors[0]!.notes.map((n) => n.text)).toEqual(['two.lit.md?out=src-generated/a.ts', 'two.lit.md?out=src-generated/b.ts']);
    });

    test('an `?out=` path that is not a module output of the document is an error at the import', async () => {
      const errors = await buildErrors(entry(project(), "import { two } from './two.lit.md?out=src-generated/c.ts';\nconsole.log(two);"));
      expect(errors.map(located)).toEqual(['docs/entry.ts:1:21: docs/two.lit.md has no module output `src-generated/c.ts` [document-import]']);
      expect(errors[0]!.notes.map((n) => n.text)).toEqual(['its module outputs: src-generated/a.ts, src-generated/b.ts']);
    });

    test('a document with no module output is an error at the import', async () => {
      const dir = project();
      writeFiles(dir, { 'docs/notes.lit.md': '# Notes\n\n```sh file=src-generated/run.sh\necho hi\n```\n' });
      const errors = await buildErrors(entry(dir, "import './notes.lit.md';"));
      expect(errors.map(located)).toEqual(['docs/entry.ts:1:8: docs/notes.lit.md has no JavaScript or TypeScript output to import [document-import]']);
    });

    test('with dts, the import writes the one-line declaration beside the document', async () => {
      const dir = project();
      await esbuild.build({ ...entry(dir, "import { one } from './one.lit.md'; console.log(one);"), plugins: [weft({ write: false, dts: true })] });
      expect(readFileSync(join(dir, 'docs/one.lit.d.md.ts'), 'utf8')).toBe("export * from '../src-generated/one.js';\n");
    });
  });

  test('the guide’s build script (scripts/guide/build.mjs) tangles and bundles the guide with no weft watch', () => {
    const dir = makeProject({
      'weft.config.json': '{ "sources": ["docs/*.lit.md"], "outputDirs": ["src-generated", "scripts"] }',
      'docs/guide.lit.md': readFileSync(join(REPO, 'docs/guide.lit.md'), 'utf8'),
    });
    const build = spawnSync(process.execPath, [join(REPO, 'scripts/guide/build.mjs')], { cwd: dir, encoding: 'utf8' });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    expect(readFileSync(join(dir, 'src-generated/guide/slug.ts'), 'utf8')).toContain('export function slugify');
    const run = spawnSync(process.execPath, [join(dir, 'dist/guide/cli.js'), 'Hello World'], { encoding: 'utf8' });
    expect(run.stdout).toBe('hello-world\n');
  });
});
