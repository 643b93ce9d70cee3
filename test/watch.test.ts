/**
 * Watch mode, as a user lives with it: real chokidar on real temporary projects, edits made
 * on disk, and every test waits for the rebuild event (never sleep-and-hope). After each
 * burst the outputs must be exactly what a cold `weft tangle` of the same sources makes.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, Project, tangle, type TangleOptions, type WeftContext } from '../tangle/context.js';
import type { WatchEvent } from '../tangle/watch.js';
import { fence, makeProject, read, WEFT_BIN, writeFiles } from './helpers.js';

type Rebuild = Extract<WatchEvent, { type: 'rebuild' }>;

const CONFIG = `${JSON.stringify({ sources: ['docs/**/*.lit.md'], outputDirs: ['src-generated'] })}\n`;

/** A document that writes `src-generated/NAME.ts` from one named chunk. */
function doc(name: string, body = `export const ${name} = 1;`): string {
  return `# ${name}\n\n${fence(`ts file=src-generated/${name}.ts`, `<<${name}-body>>`)}\n${fence(`ts #${name}-body`, body)}`;
}

/** A project with `count` documents d000 … (plus `extra` files). */
function project(count: number, extra: Record<string, string> = {}): string {
  const files: Record<string, string> = { 'weft.config.json': CONFIG };
  for (let i = 0; i < count; i++) files[`docs/d${String(i).padStart(3, '0')}.lit.md`] = doc(`d${String(i).padStart(3, '0')}`);
  return makeProject({ ...files, ...extra });
}

/** Every file under `folder` of `dir`, path → content ({} when the folder is missing). */
function tree(dir: string, folder = 'src-generated'): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else result[relative(dir, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(join(dir, folder));
  return result;
}

/** The outputs a cold `weft tangle` makes from `dir`'s sources and config, in a fresh copy. */
async function coldTangle(dir: string): Promise<Record<string, string>> {
  const copy = mkdtempSync(join(tmpdir(), 'weft-cold-'));
  try {
    for (const name of ['docs', 'notes', 'weft.config.json']) if (existsSync(join(dir, name))) cpSync(join(dir, name), join(copy, name), { recursive: true });
    await tangle({ root: copy, bundle: false, cache: false });
    return tree(copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

interface Watching {
  context: WeftContext;
  ready: Extract<WatchEvent, { type: 'ready' }>;
  rebuilds: Rebuild[];
  /** The next rebuild event (after those already returned) for which `accept` holds. */
  next(accept?: (event: Rebuild) => boolean, timeoutMs?: number): Promise<Rebuild>;
}

const open: WeftContext[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((context) => context.dispose()));
});

async function watch(dir: string, options: TangleOptions = {}): Promise<Watching> {
  const rebuilds: Rebuild[] = [];
  let seen = 0;
  let wake = () => {};
  let ready: Extract<WatchEvent, { type: 'ready' }> | undefined;
  const context = await createContext({ root: dir, bundle: false, ...options });
  open.push(context);
  await context.watch({
    onEvent: (event) => {
      if (event.type === 'ready') ready = event;
      if (event.type === 'rebuild') rebuilds.push(event);
      wake();
    },
  });
  return {
    context,
    ready: ready!,
    rebuilds,
    async next(accept = () => true, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (seen < rebuilds.length) {
          const event = rebuilds[seen++]!;
          if (accept(event)) return event;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`no matching rebuild event within ${timeoutMs} ms (saw ${rebuilds.length})`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}

/** Wait until a rebuild leaves the outputs equal to a cold tangle of the sources as they are now. */
async function settlesLikeColdTangle(dir: string, watching: Watching): Promise<Rebuild> {
  const expected = await coldTangle(dir);
  if (JSON.stringify(tree(dir)) === JSON.stringify(expected) && watching.rebuilds.length > 0) return watching.rebuilds.at(-1)!;
  return watching.next(() => JSON.stringify(tree(dir)) === JSON.stringify(expected));
}

const brief = (event: Rebuild) => ({ ok: event.result.ok, changed: event.changed, written: event.result.summary.written, deleted: event.result.summary.deleted });
const messageLines = (event: Rebuild) => event.result.messages.map((m) => `${m.file}:${m.line}:${m.column}: ${m.severity}: ${m.message} [${m.rule}]`);

describe('watch: documents', () => {
  it('re-parses only the edited document and writes only its output', async () => {
    const dir = project(5);
    const watching = await watch(dir);
    expect(watching.ready.result.summary).toMatchObject({ written: 5, documents: 5 });
    writeFileSync(join(dir, 'docs/d002.lit.md'), doc('d002', 'export const d002 = 2;'));
    const event = await watching.next();
    expect(brief(event)).toEqual({ ok: true, changed: ['docs/d002.lit.md'], written: 1, deleted: 0 });
    expect(event.trigger).toEqual(['docs/d002.lit.md']);
    expect(event.result.summary).toMatchObject({ unchanged: 4, documents: 5, cached: 4 });
    expect(read(dir, 'src-generated/d002.ts')).toContain('export const d002 = 2;');
  });

  it('re-expands the outputs of other documents that use the edited chunk', async () => {
    const dir = project(2, {
      'docs/shared.lit.md': `# shared\n\n${fence('ts #shared-greeting', "export const greeting = 'hello';")}`,
      'docs/user.lit.md': `# user\n\n${fence('ts file=src-generated/user.ts', '<<shared-greeting>>')}`,
    });
    const watching = await watch(dir);
    writeFileSync(join(dir, 'docs/shared.lit.md'), `# shared\n\n${fence('ts #shared-greeting', "export const greeting = 'bonjour';")}`);
    const event = await watching.next();
    expect(brief(event)).toEqual({ ok: true, changed: ['docs/shared.lit.md'], written: 1, deleted: 0 });
    expect(read(dir, 'src-generated/user.ts')).toContain("export const greeting = 'bonjour';");
    // A second definition makes the name ambiguous: the unchanged user document now fails.
    writeFiles(dir, { 'docs/other.lit.md': `# other\n\n${fence('ts #shared-greeting', 'x();')}` });
    const ambiguous = await watching.next();
    expect(ambiguous.result.messages.map((m) => `${m.file}:${m.line}: ${m.rule}`)).toEqual(['docs/user.lit.md:4: ambiguous-chunk']);
    rmSync(join(dir, 'docs/other.lit.md'));
    const fixed = await watching.next();
    expect(fixed).toMatchObject({ recovered: true, result: { ok: true } });
    expect(await coldTangle(dir)).toEqual(tree(dir));
  });

  it('picks up a new document', async () => {
    const dir = project(2);
    const watching = await watch(dir);
    writeFiles(dir, { 'docs/sub/fresh.lit.md': doc('fresh') });
    const event = await watching.next((e) => e.changed.includes('docs/sub/fresh.lit.md'));
    expect(brief(event)).toMatchObject({ ok: true, written: 1 });
    expect(read(dir, 'src-generated/fresh.ts')).toContain('export const fresh = 1;');
  });

  it('removes the outputs of a deleted document', async () => {
    const dir = project(3);
    const watching = await watch(dir);
    rmSync(join(dir, 'docs/d001.lit.md'));
    const event = await watching.next();
    expect(brief(event)).toEqual({ ok: true, changed: ['docs/d001.lit.md'], written: 0, deleted: 1 });
    expect(event.result.files.filter((f) => f.action === 'deleted')).toEqual([{ path: 'src-generated/d001.ts', action: 'deleted' }]);
    expect(existsSync(join(dir, 'src-generated/d001.ts'))).toBe(false);
    expect(existsSync(join(dir, 'src-generated/d001.ts.map'))).toBe(false);
  });

  it('follows a renamed document: the old outputs go, the new ones come', async () => {
    const dir = project(2);
    const watching = await watch(dir);
    renameSync(join(dir, 'docs/d000.lit.md'), join(dir, 'docs/renamed.lit.md'));
    await settlesLikeColdTangle(dir, watching);
    expect(read(dir, 'src-generated/d000.ts')).toMatch(/^\/\/ generated from docs\/renamed\.lit\.md by weft/);
    writeFileSync(join(dir, 'docs/renamed.lit.md'), doc('renamed'));
    const event = await watching.next((e) => e.result.summary.deleted === 1);
    expect(brief(event)).toEqual({ ok: true, changed: ['docs/renamed.lit.md'], written: 1, deleted: 1 });
    expect(Object.keys(tree(dir))).toEqual(['src-generated/d001.ts', 'src-generated/d001.ts.map', 'src-generated/renamed.ts', 'src-generated/renamed.ts.map']);
  });

  it('sees every edit to a document that was deleted and written again', async () => {
    const dir = project(2);
    const watching = await watch(dir);
    rmSync(join(dir, 'docs/d000.lit.md'));
    await watching.next((e) => e.result.summary.deleted === 1);
    writeFileSync(join(dir, 'docs/d000.lit.md'), doc('d000', 'export const d000 = 2;'));
    await watching.next((e) => e.changed.includes('docs/d000.lit.md') && e.result.summary.written === 1);
    for (const value of [3, 4]) {
      writeFileSync(join(dir, 'docs/d000.lit.md'), doc('d000', `export const d000 = ${value};`));
      await watching.next(() => read(dir, 'src-generated/d000.ts').includes(`d000 = ${value};`));
    }
    expect(await coldTangle(dir)).toEqual(tree(dir));
  });

  it('watches folders made, and renamed, while it runs', async () => {
    const dir = project(1);
    const watching = await watch(dir);
    writeFiles(dir, { 'docs/new/deeper/x.lit.md': doc('x') });
    await watching.next((e) => e.changed.includes('docs/new/deeper/x.lit.md'));
    writeFileSync(join(dir, 'docs/new/deeper/x.lit.md'), doc('x', 'export const x = 2;'));
    await watching.next(() => read(dir, 'src-generated/x.ts').includes('x = 2;'));
    renameSync(join(dir, 'docs/new'), join(dir, 'docs/moved'));
    await watching.next((e) => e.changed.includes('docs/moved/deeper/x.lit.md'));
    expect(read(dir, 'src-generated/x.ts')).toMatch(/^\/\/ generated from docs\/moved\/deeper\/x\.lit\.md by weft/);
    writeFileSync(join(dir, 'docs/moved/deeper/x.lit.md'), doc('x', 'export const x = 3;'));
    await watching.next(() => read(dir, 'src-generated/x.ts').includes('x = 3;'));
    mkdirSync(join(dir, 'docs/empty'));
    await watching.next((e) => e.trigger.includes('docs/empty'));
    writeFileSync(join(dir, 'docs/empty/y.lit.md'), doc('y'));
    await watching.next((e) => e.changed.includes('docs/empty/y.lit.md'));
    expect(await coldTangle(dir)).toEqual(tree(dir));
  });

  it('merges a burst of 200 writes into a few rebuilds and ends like a cold tangle', async () => {
    const dir = project(20);
    const watching = await watch(dir);
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 20; i++) {
        const name = `d${String(i).padStart(3, '0')}`;
        writeFileSync(join(dir, `docs/${name}.lit.md`), doc(name, `export const ${name} = ${round};`));
      }
    }
    const last = await settlesLikeColdTangle(dir, watching);
    expect(last.result.ok).toBe(true);
    expect(read(dir, 'src-generated/d019.ts')).toContain('export const d019 = 9;');
    expect(watching.rebuilds.length).toBeLessThanOrEqual(10);
  });

  it('ends like a cold tangle after a git checkout between branches that differ in 100 documents', async () => {
    const dir = project(120);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'pipe' });
    writeFileSync(join(dir, '.gitignore'), '.weft/\nsrc-generated/\n');
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'main');
    git('checkout', '-q', '-b', 'other');
    for (let i = 0; i < 100; i++) {
      const name = `d${String(i).padStart(3, '0')}`;
      if (i < 40) writeFileSync(join(dir, `docs/${name}.lit.md`), doc(name, `export const ${name} = 'other';`));
      else if (i < 70) rmSync(join(dir, `docs/${name}.lit.md`));
      else writeFiles(dir, { [`docs/more/n${i}.lit.md`]: doc(`n${i}`) });
    }
    git('add', '-A');
    git('commit', '-q', '-m', 'other');
    git('checkout', '-q', 'main');

    const watching = await watch(dir);
    git('checkout', '-q', 'other');
    await settlesLikeColdTangle(dir, watching);
    expect(Object.keys(tree(dir)).filter((p) => p.endsWith('.ts'))).toHaveLength(120);
    const afterFirst = watching.rebuilds.length;
    git('checkout', '-q', 'main');
    await settlesLikeColdTangle(dir, watching);
    expect(read(dir, 'src-generated/d000.ts')).toContain('export const d000 = 1;');
    expect(watching.rebuilds.length - afterFirst).toBeLessThanOrEqual(6);
  });
});

describe('watch: errors', () => {
  it('reports an error, keeps the last good outputs, and says when it is fixed', async () => {
    const dir = project(2);
    const watching = await watch(dir);
    const good = tree(dir);
    writeFileSync(join(dir, 'docs/d000.lit.md'), `# d000\n\n${fence('ts file=src-generated/d000.ts', '<<d000-bodi>>')}\n${fence('ts #d000-body', 'export const d000 = 2;')}`);
    const failed = await watching.next();
    expect(failed.result.ok).toBe(false);
    expect(failed.recovered).toBe(false);
    expect(messageLines(failed)).toEqual([
      'docs/d000.lit.md:4:1: error: chunk `d000-bodi` is not defined [undefined-chunk]',
    ]);
    expect(tree(dir)).toEqual(good);
    writeFileSync(join(dir, 'docs/d000.lit.md'), doc('d000', 'export const d000 = 2;'));
    const fixed = await watching.next();
    expect(fixed).toMatchObject({ recovered: true, result: { ok: true, messages: [] } });
    expect(read(dir, 'src-generated/d000.ts')).toContain('export const d000 = 2;');
  });

  it('reports a hand-edited output and never overwrites it', async () => {
    const dir = project(2);
    const watching = await watch(dir);
    const edited = `${read(dir, 'src-generated/d001.ts')}// my fix\n`;
    writeFileSync(join(dir, 'src-generated/d001.ts'), edited);
    const noticed = await watching.next();
    expect(noticed.trigger).toEqual(['src-generated/d001.ts']);
    expect(noticed.changed).toEqual([]);
    expect(messageLines(noticed)).toEqual(['src-generated/d001.ts:4:1: error: src-generated/d001.ts was edited by hand; refusing to overwrite it [hand-edited-output]']);
    // Reported once: no rebuild follows until something changes again (it used to recur every 120 ms).
    const seen = watching.rebuilds.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(watching.rebuilds.length).toBe(seen);
    writeFileSync(join(dir, 'docs/d001.lit.md'), doc('d001', 'export const d001 = 2;'));
    const refused = await watching.next();
    expect(refused.result.ok).toBe(false);
    expect(read(dir, 'src-generated/d001.ts')).toBe(edited);
    rmSync(join(dir, 'src-generated/d001.ts')); // Give up the hand edit: the next rebuild writes it again.
    const restored = await watching.next();
    expect(restored).toMatchObject({ recovered: true, result: { ok: true } });
    expect(read(dir, 'src-generated/d001.ts')).toContain('export const d001 = 2;');
  });

  it('keeps and reports a hand-edited output whose document is deleted', async () => {
    const dir = project(2);
    const watching = await watch(dir);
    writeFileSync(join(dir, 'src-generated/d001.ts'), 'hand written\n');
    await watching.next();
    rmSync(join(dir, 'docs/d001.lit.md'));
    const event = await watching.next((e) => e.changed.includes('docs/d001.lit.md'));
    expect(event.result.ok).toBe(true);
    expect(event.result.files).toContainEqual({ path: 'src-generated/d001.ts', action: 'kept' });
    expect(messageLines(event)).toEqual(['src-generated/d001.ts:0:0: warning: src-generated/d001.ts is no longer produced by any document but was edited by hand; keeping it [hand-edited-output]']);
    expect(read(dir, 'src-generated/d001.ts')).toBe('hand written\n');
  });

  it('reloads a changed config, and keeps the previous one while the config is bad', async () => {
    const dir = project(1, { 'notes/n.lit.md': doc('n') });
    const watching = await watch(dir);
    expect(existsSync(join(dir, 'src-generated/n.ts'))).toBe(false);
    writeFileSync(join(dir, 'weft.config.json'), JSON.stringify({ sources: ['docs/**/*.lit.md', 'notes/*.lit.md'], outputDirs: ['src-generated'] }));
    const reloaded = await watching.next();
    expect(reloaded).toMatchObject({ trigger: ['weft.config.json'], changed: ['notes/n.lit.md'], result: { ok: true } });
    expect(read(dir, 'src-generated/n.ts')).toContain('export const n = 1;');
    // The new source folder is watched from now on.
    writeFileSync(join(dir, 'notes/n.lit.md'), doc('n', 'export const n = 2;'));
    await watching.next((e) => e.changed.includes('notes/n.lit.md'));
    expect(read(dir, 'src-generated/n.ts')).toContain('export const n = 2;');

    writeFileSync(join(dir, 'weft.config.json'), '{ "sources": [');
    const bad = await watching.next();
    expect(bad.result.ok).toBe(false);
    expect(bad.result.messages.map((m) => `${m.severity} ${m.rule}`)).toEqual(['warning malformed-config', 'error malformed-config']);
    expect(read(dir, 'src-generated/n.ts')).toContain('export const n = 2;');
    writeFileSync(join(dir, 'weft.config.json'), CONFIG);
    const fixed = await watching.next();
    expect(fixed).toMatchObject({ recovered: true, result: { ok: true } });
    expect(fixed.result.files).toContainEqual({ path: 'src-generated/n.ts', action: 'deleted' });
  });
});

describe('watch: incremental rebuilds', () => {
  /** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  /** A document: one output, chunks defined here, and references (some to other documents). */
  const source = (name: string, defines: Record<string, string>, references: string[], alsoWrites?: string) =>
    `# ${name}\n\nProse.\n\n${fence(`ts file=src-generated/${name}.ts`, references.map((r) => `<<${r}>>`).join('\n') || '// empty')}\n` +
    (alsoWrites ? `${fence(`ts file=src-generated/${alsoWrites}.ts`, `// ${name} writes this too`)}\n` : '') +
    Object.entries(defines)
      .map(([chunk, body]) => `Why ${chunk}.\n\n${fence(`ts #${chunk}`, body)}\n`)
      .join('');

  // WEFT_WATCH_SEEDS=200 tries seeds 1…200 (slow); `npm test` tries three.
  const seeds = Array.from({ length: Number(process.env.WEFT_WATCH_SEEDS ?? 3) }, (_, i) => i + 1);
  it.each(seeds)('after every edit, a cold tangle of the folder has nothing to do and reports the same (seed %i)', async (seed) => {
    const next = random(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const names = ['a', 'b', 'c', 'd', 'e'];
    const chunkNames = ['parse', 'print', 'check', 'load', 'save', 'prase'];
    const state = new Map<string, { defines: Record<string, string>; references: string[]; alsoWrites?: string }>();
    for (const name of names.slice(0, 4)) state.set(name, { defines: { [`${name}-${pick(chunkNames)}`]: `export const ${name} = 0;` }, references: [] });
    for (const [name, doc] of state) doc.references.push(...Object.keys(doc.defines), ...(name === 'a' ? [] : ['a-' + Object.keys(state.get('a')!.defines)[0]!.slice(2)]));
    const dir = makeProject({ 'weft.config.json': CONFIG });
    const save = (name: string) => {
      const doc = state.get(name);
      if (doc) writeFileSync(join(dir, `docs/${name}.lit.md`), source(name, doc.defines, doc.references, doc.alsoWrites));
      else rmSync(join(dir, `docs/${name}.lit.md`), { force: true });
    };
    writeFiles(dir, { 'docs/.keep': '' });
    for (const name of state.keys()) save(name);
    const project = new Project({ root: dir, bundle: false, cache: false });
    project.incremental = true;
    await project.rebuild();
    for (let step = 0; step < 25; step++) {
      const changed = new Set<string>();
      const name = pick(names);
      const doc = state.get(name);
      const action = next();
      if (!doc) state.set(name, { defines: { [`${name}-${pick(chunkNames)}`]: `export const ${name}${step} = ${step};` }, references: [] });
      else if (action < 0.3) {
        const chunk = pick(Object.keys(doc.defines).concat(['missing']));
        if (chunk in doc.defines) doc.defines[chunk] = `export const ${name}${step} = ${step}; // ${'x'.repeat(step)}`;
      } else if (action < 0.5) doc.references.push(pick([...state.values()].flatMap((d) => Object.keys(d.defines)).concat(['nowhere', `docs/${pick(names)}.lit.md#${pick(chunkNames)}`])));
      else if (action < 0.65) doc.defines[`${pick(names)}-${pick(chunkNames)}`] = `// defined in ${name} at step ${step}`;
      else if (action < 0.7) doc.references = doc.references.slice(1);
      else if (action < 0.75) doc.alsoWrites = doc.alsoWrites ? undefined : pick(['shared', ...names]); // Perhaps another document's file.
      else if (action < 0.85) state.delete(name);
      else if (existsSync(join(dir, `src-generated/${name}.ts`))) {
        writeFileSync(join(dir, `src-generated/${name}.ts`), 'edited by hand\n');
        changed.add(`src-generated/${name}.ts`);
      }
      if (!changed.size) {
        save(name);
        changed.add(`docs/${name}.lit.md`);
      }
      const watched = await project.rebuild({ changed });
      const cold = await tangle({ root: dir, bundle: false, cache: false });
      expect(cold.files.filter((f) => f.action === 'written' || f.action === 'deleted'), `seed ${seed} step ${step}`).toEqual([]);
      expect(watched.messages, `seed ${seed} step ${step}`).toEqual(cold.messages);
      expect(watched.outputs.map((o) => [o.path, o.content]), `seed ${seed} step ${step}`).toEqual(cold.outputs.map((o) => [o.path, o.content]));
      if (!watched.ok && cold.messages.some((m) => m.rule === 'hand-edited-output')) {
        for (const m of cold.messages) if (m.rule === 'hand-edited-output') rmSync(join(dir, m.file), { force: true }); // Give the edit up.
        await project.rebuild({ changed: new Set(cold.messages.filter((m) => m.rule === 'hand-edited-output').map((m) => m.file)) });
      }
    }
    await project.dispose();
  });
});

describe('watch: a bad start', () => {
  it('starts with a broken config, reports it, and builds once it is fixed', async () => {
    const dir = project(1, { 'weft.config.json': '{ nope' });
    const watching = await watch(dir);
    expect(watching.ready.result.ok).toBe(false);
    expect(watching.ready.result.messages.map((m) => m.rule)).toEqual(['malformed-config']);
    writeFileSync(join(dir, 'weft.config.json'), CONFIG);
    const fixed = await watching.next();
    expect(fixed).toMatchObject({ recovered: true, changed: [], result: { ok: true, summary: { written: 1 } } });
    writeFileSync(join(dir, 'docs/d000.lit.md'), doc('d000', 'export const d000 = 2;'));
    await watching.next((e) => e.changed.includes('docs/d000.lit.md'));
    expect(read(dir, 'src-generated/d000.ts')).toContain('export const d000 = 2;');
  });
});

describe('watch: bundle', () => {
  const bundled = () =>
    project(1, {
      'weft.config.json': JSON.stringify({ sources: ['docs/**/*.lit.md'], outputDirs: ['src-generated'], bundle: { entryPoints: ['src-generated/main.ts'] } }),
      'docs/main.lit.md': `# main\n\n${fence('ts file=src-generated/main.ts', "import { d000 } from './d000.js';\nconsole.log(d000);")}`,
    });

  it('rebuilds the bundle after an edit, reports a syntax error, and recovers', async () => {
    const dir = bundled();
    const watching = await watch(dir, { bundle: true });
    expect(watching.ready.result.ok).toBe(true);
    expect(read(dir, 'dist/main.js')).toContain('d000 = 1');
    writeFileSync(join(dir, 'docs/d000.lit.md'), doc('d000', 'export const d000 = 42;'));
    const edited = await watching.next();
    expect(edited.result.summary.bundleMs).not.toBeNull();
    expect(read(dir, 'dist/main.js')).toContain('d000 = 42');
    writeFileSync(join(dir, 'docs/d000.lit.md'), doc('d000', 'export const d000 = ;'));
    const broken = await watching.next();
    expect(broken.result.ok).toBe(false);
    expect(messageLines(broken)).toEqual(['docs/d000.lit.md:8:21: error: Unexpected ";" [bundle-error]']);
    writeFileSync(join(dir, 'docs/d000.lit.md'), doc('d000', 'export const d000 = 43;'));
    const fixed = await watching.next();
    expect(fixed).toMatchObject({ recovered: true, result: { ok: true } });
    expect(read(dir, 'dist/main.js')).toContain('d000 = 43');
  });

  it('records the manifest of a rebuild with a bundle, so a later tangle finds its own outputs', async () => {
    const dir = bundled();
    const watching = await watch(dir, { bundle: true });
    writeFileSync(join(dir, 'docs/d000.lit.md'), doc('d000', 'export const d000 = 7;'));
    const edited = await watching.next();
    expect(edited.result.ok).toBe(true);
    expect(read(dir, 'dist/main.js')).toContain('d000 = 7');
    const manifest = JSON.parse(read(dir, '.weft/manifest.json')) as { outputs: Record<string, { hash: string }> };
    const content = read(dir, 'src-generated/d000.ts');
    expect(content).toContain('d000 = 7');
    expect(manifest.outputs['src-generated/d000.ts']!.hash).toBe(createHash('sha256').update(content).digest('hex'));
    expect(existsSync(join(dir, '.weft/journal.json'))).toBe(false);
    // Another process sees the outputs as Weft's own: nothing stale, nothing hand-edited.
    const check = spawnSync(process.execPath, [WEFT_BIN, 'tangle', '--check', '--no-bundle'], { cwd: dir, encoding: 'utf8' });
    expect(check.stdout + check.stderr).not.toMatch(/hand-edited|stale/);
    expect(check.status).toBe(0);
  });
});

describe('watch: the project folder', () => {
  /** Watch `dir` and resolve with every event once the watch stops by itself. */
  async function watchUntilStopped(dir: string, change: () => void): Promise<WatchEvent[]> {
    const events: WatchEvent[] = [];
    let stopped = () => {};
    const done = new Promise<void>((resolve) => (stopped = resolve));
    const context = await createContext({ root: dir, bundle: false });
    open.push(context);
    await context.watch({
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'stopped') stopped();
      },
    });
    change();
    await done;
    return events;
  }

  it('stops with an error, instead of recreating the old path, when the project folder is renamed', async () => {
    const dir = project(2);
    const moved = `${dir}-moved`;
    const events = await watchUntilStopped(dir, () => {
      renameSync(dir, moved);
      writeFileSync(join(moved, 'docs/d001.lit.md'), doc('d001', 'export const d001 = 2;'));
    });
    try {
      const error = `the project folder ${dir} was moved or deleted; stopping`;
      expect(events.map((e) => e.type)).toEqual(['ready', 'error', 'stopped']);
      expect(events.slice(1)).toEqual([
        { type: 'error', error },
        { type: 'stopped', error },
      ]);
      expect(existsSync(dir)).toBe(false);
    } finally {
      rmSync(moved, { recursive: true, force: true });
    }
  });

  it('stops with an error when the project folder is deleted', async () => {
    const dir = project(1);
    const events = await watchUntilStopped(dir, () => rmSync(dir, { recursive: true, force: true }));
    expect(events.map((e) => e.type)).toEqual(['ready', 'error', 'stopped']);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('weft watch (the command)', () => {
  /** Start `weft watch ARGS` in `dir`; resolves once it printed a line that matches `until`. */
  function child(dir: string, args: string[]) {
    const process_ = spawn(process.execPath, [WEFT_BIN, 'watch', ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let wake = () => {};
    process_.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      wake();
    });
    process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => process_.on('exit', (code) => resolve(code)));
    return {
      process: process_,
      exited,
      get stdout() {
        return stdout;
      },
      get stderr() {
        return stderr;
      },
      async line(match: RegExp, timeoutMs = 15_000): Promise<string> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const found = stdout.split('\n').find((l) => match.test(l));
          if (found) return found;
          if (Date.now() > deadline) throw new Error(`no line matching ${match} in:\n${stdout}\n${stderr}`);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, deadline - Date.now());
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      },
    };
  }

  /** Temporary files and the lock, anywhere in the project. */
  const leftovers = (dir: string) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => /weft-tmp|\.tmp$/.test(p) || p === join('.weft', 'lock') || p === join('.weft', 'journal.json'));

  it('prints one status line per rebuild and stops cleanly on SIGTERM', async () => {
    const dir = project(2);
    const watcher = child(dir, []);
    expect(await watcher.line(/initial build/)).toMatch(/^\d\d:\d\d:\d\d ok initial build: 2 written, 0 unchanged, 0 removed; tangle \d+ ms$/);
    writeFileSync(join(dir, 'docs/d001.lit.md'), doc('d001', 'export const d001 = 2;'));
    expect(await watcher.line(/d001/)).toMatch(/^\d\d:\d\d:\d\d ok docs\/d001\.lit\.md: 1 written, 1 unchanged, 0 removed; tangle \d+ ms$/);
    writeFileSync(join(dir, 'docs/d001.lit.md'), doc('d001', 'export const d001 = 3;'));
    watcher.process.kill('SIGTERM'); // Possibly in the middle of that rebuild.
    expect(await watcher.exited).toBe(0);
    expect(watcher.stdout).toMatch(/weft: stopped watching\n$/);
    expect(leftovers(dir)).toEqual([]);
    expect(read(dir, 'src-generated/d001.ts')).toMatch(/export const d001 = [23];\n/);
  });

  it('exits 1 with the reason when the project folder is moved away', async () => {
    const dir = project(1);
    const watcher = child(dir, ['--no-bundle']);
    await watcher.line(/initial build/);
    renameSync(dir, `${dir}-moved`);
    try {
      expect(await watcher.exited).toBe(1);
      expect(watcher.stderr).toContain(`watcher error: the project folder ${dir} was moved or deleted; stopping`);
      expect(watcher.stdout).toMatch(/weft: stopped watching\n$/);
      expect(existsSync(dir)).toBe(false);
    } finally {
      rmSync(`${dir}-moved`, { recursive: true, force: true });
    }
  });

  it('streams NDJSON events with --json, and lets weft tangle run meanwhile', async () => {
    const dir = project(2);
    const watcher = child(dir, ['--json', '--no-bundle']);
    const ready = JSON.parse(await watcher.line(/"event":"ready"/));
    expect(ready).toMatchObject({ event: 'ready', ok: true, changed: [], summary: { written: 2 } });
    expect(ready.files).toEqual([
      { path: 'src-generated/d000.ts', action: 'written' },
      { path: 'src-generated/d001.ts', action: 'written' },
    ]);
    writeFileSync(join(dir, 'docs/d000.lit.md'), `# d000\n\n${fence('ts file=src-generated/d000.ts', '<<nope>>')}`);
    const failed = JSON.parse(await watcher.line(/"event":"rebuild"/));
    expect(failed).toMatchObject({ ok: false, changed: ['docs/d000.lit.md'], trigger: ['docs/d000.lit.md'], recovered: false });
    expect(failed.diagnostics).toEqual([{ file: 'docs/d000.lit.md', line: 4, column: 1, severity: 'error', rule: 'undefined-chunk', message: 'chunk `nope` is not defined', notes: [] }]);
    // The lock is held only while writing: a tangle beside the watcher works (and fails only on the error).
    const run = spawnSync(process.execPath, [WEFT_BIN, 'tangle', '--json'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).diagnostics.map((d: { rule: string }) => d.rule)).toEqual(['undefined-chunk']);
    watcher.process.kill('SIGINT');
    expect(await watcher.exited).toBe(0);
    expect(JSON.parse(watcher.stdout.trim().split('\n').at(-1)!)).toMatchObject({ event: 'stopped' });
    expect(leftovers(dir)).toEqual([]);
  });
});
