/**
 * `weft-lit/vite` in a dev server (middleware mode, the SSR environment): hot updates follow
 * Weft's dependency graph, and errors are located in the `.lit.md`.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { afterEach, describe, expect, test } from 'vitest';
import { weft } from '../tangle/plugins/vite.js';
import { makeProject, REPO, writeFiles } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/plugins/guide', import.meta.url));

/** What the SSR environment's hot update ends with, per changed file, after Weft's hook. */
interface Update {
  file: string;
  modules: string[];
}

let server: ViteDevServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The guide fixture plus an unrelated document, served by a dev server; `next(file)` waits for that file's hot update. */
async function serve() {
  const dir = makeProject();
  cpSync(FIXTURE, dir, { recursive: true });
  writeFiles(dir, { 'docs/other.lit.md': '# Other\n\n```ts file=src-generated/other.ts\nexport const other = 1;\n```\n' });
  const waiting = new Map<string, (update: Update) => void>();
  const recorder: Plugin = {
    name: 'record-hot-updates',
    hotUpdate({ file, modules }) {
      if (this.environment.name === 'ssr') waiting.get(file)?.({ file, modules: modules.map((m) => m.file ?? '') });
    },
  };
  server = await createServer({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    appType: 'custom',
    server: { middlewareMode: true, ws: false },
    plugins: [weft(), recorder],
  });
  /**
   * Write `content` to `path` and wait for its hot update. An event can be lost while the
   * watcher still scans the new project, so the write is repeated until one arrives.
   */
  const edit = async (path: string, content: string): Promise<Update> => {
    const arrived = new Promise<Update>((resolve) => waiting.set(join(dir, path), resolve));
    let update: Update | undefined;
    void arrived.then((u) => (update = u));
    for (let attempt = 0; update === undefined; attempt++) {
      writeFiles(dir, { [path]: attempt % 2 === 0 ? content : `${content}\n` });
      await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 500))]);
    }
    return update;
  };
  return { dir, server, edit };
}

describe('weft-lit/vite', () => {
  test('load serves the tangled module with its map back to the .lit.md', async () => {
    const { dir, server } = await serve();
    const greet = (await server.ssrLoadModule('/src-generated/greet.ts')) as { greet: (name: string) => string };
    expect(greet.greet('ada')).toBe('hello, ADA');
    const module = server.environments.ssr.moduleGraph.getModuleById(join(dir, 'src-generated/greet.ts'))!;
    expect((module.transformResult?.map as { sources?: string[] } | undefined)?.sources).toEqual(['../docs/app.lit.md', '../docs/shout.lit.md']);
  });

  test('editing chunk A, used by B’s output, invalidates B’s module', async () => {
    const { dir, server, edit } = await serve();
    await server.ssrLoadModule('/src-generated/greet.ts');
    const updated = await edit('docs/shout.lit.md', readFileSync(join(dir, 'docs/shout.lit.md'), 'utf8').replace('toUpperCase()', 'toUpperCase() + "!"'));
    expect(updated).toEqual({ file: join(dir, 'docs/shout.lit.md'), modules: [join(dir, 'src-generated/greet.ts')] });
    const greet = (await server.ssrLoadModule('/src-generated/greet.ts')) as { greet: (name: string) => string };
    expect(greet.greet('ada')).toBe('hello, ADA!');
  });

  test('editing an unrelated document invalidates nothing', async () => {
    const { dir, server, edit } = await serve();
    await server.ssrLoadModule('/src-generated/greet.ts');
    const updated = await edit('docs/other.lit.md', '# Other\n\n```ts file=src-generated/other.ts\nexport const other = 2;\n```\n');
    expect(updated).toEqual({ file: join(dir, 'docs/other.lit.md'), modules: [] });
  });

  test('an error is located in the .lit.md, with the rule as pluginCode', async () => {
    const { dir, server, edit } = await serve();
    await server.ssrLoadModule('/src-generated/greet.ts');
    await edit('docs/shout.lit.md', readFileSync(join(dir, 'docs/shout.lit.md'), 'utf8').replace('toUpperCase();', 'toUpperCase(;'));
    const failure = await server.ssrLoadModule('/src-generated/greet.ts').then(
      () => undefined,
      (error: { message: string; loc?: unknown; pluginCode?: string }) => error,
    );
    expect(failure?.pluginCode).toBe('TS1005');
    expect(failure?.loc).toEqual({ file: join(dir, 'docs/shout.lit.md'), line: 8, column: 30 });
    expect(failure?.message).toContain("docs/shout.lit.md:8:31: ')' expected. [TS1005]");
  });

  test('the guide’s vite.config.ts (scripts/guide/) serves the guide’s modules from its .lit.md', async () => {
    const dir = makeProject({
      'weft.config.json': '{ "sources": ["docs/*.lit.md"], "outputDirs": ["src-generated", "scripts"] }',
      'docs/guide.lit.md': readFileSync(join(REPO, 'docs/guide.lit.md'), 'utf8'),
    });
    server = await createServer({ configFile: join(REPO, 'scripts/guide/vite.config.ts'), root: dir, logLevel: 'silent', appType: 'custom', server: { middlewareMode: true, ws: false } });
    const slug = (await server.ssrLoadModule('/src-generated/guide/slug.ts')) as { slugify: (heading: string) => string };
    expect(slug.slugify('Über uns')).toBe('über-uns');
  });
});
