// Watch latency: how long after a document is saved its changed outputs are on disk, and
// the bundle is written, with `weft watch` running as a user runs it (a child process).
//
// Method. The project gets a bundle (an entry document that imports the edited document's
// module and every 20th other one: 50 modules of 1,000, the size of an application's entry,
// not the whole corpus; `--bundle-all` imports all of them) and a `weft watch --json` child. Each edit changes one line of code in one large (~20 KB)
// document, in place, as most editors save. The clock starts just before the write; "to
// outputs" stops when the edited document's output holds the new line, "to bundle" when
// the bundle does (both seen through fs.watch on their folders, in this otherwise idle
// process; esbuild writes the bundle and its map together), and "to event" when the
// child's `rebuild` event arrives (printed once the whole rebuild is done, manifest
// included: what an editor or agent that listens to `--json` waits for). Edits are 150 ms
// apart at least: chokidar drops a second `change` of one file within 50 ms (watch.ts then
// catches it 120 ms later), and nobody saves one file 20 times a second. A cold `weft tangle`
// runs first, so the watch starts on a project with its outputs (the usual case), and the
// first 3 edits warm up and are not counted.
//
// Usage: node bench/watch-latency.mjs [--docs 1000] [--edits 100] [--dir DIR] [--no-bundle] [--bundle-all]
//   (builds lib/ first: `node build.mjs`). The exported `measureWatchLatency(dir)` takes a
//   folder that `bench/generate.mjs` wrote.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { childEvents } from './child-events.mjs';

const WEFT_BIN = fileURLToPath(new URL('../bin/weft.js', import.meta.url));
const ENTRY_DOCUMENT = 'docs/bench-entry.lit.md';
const ENTRY_MODULE = 'src-generated/bench-entry.ts';
/** What esbuild writes for it in `dist/`. */
const BUNDLE_FILE = 'bench-entry.js';
/** A code line the edits change: `export const MAX_STUDENT_SCORE = 250000;` */
const EDITABLE = /^(export const MAX_\w+ = )(\d+);$/m;
const WARM_UP = 3;
const MIN_GAP_MS = 150;

/**
 * Measure save → outputs and save → bundle latency of `weft watch` on a generated project.
 * @param {string} dir a project written by `bench/generate.mjs` (docs/mod-XXXX.lit.md)
 * @param {{edits?: number, bundle?: boolean, bundleAll?: boolean, samples?: boolean}} [options]
 *   edits: measured edits (default 100); bundleAll: the entry imports every module, not 50;
 *   samples: also return every measurement
 * @returns {Promise<{documents: number, document: string, bytes: number, edits: number,
 *   outputs: {p50: number, p95: number}, bundle: {p50: number, p95: number} | null,
 *   event: {p50: number, p95: number},
 *   reported: {tangleMs: number, bundleMs: number | null}}>} milliseconds
 */
export async function measureWatchLatency(dir, options = {}) {
  const edits = options.edits ?? 100;
  const bundle = options.bundle ?? true;
  const documents = readdirSync(path.join(dir, 'docs')).filter((f) => /^mod-\d+\.lit\.md$/.test(f)).sort();
  if (documents.length === 0) throw new TypeError(`Cannot measure watch latency in ${dir}: no docs/mod-XXXX.lit.md (write it with bench/generate.mjs)`);

  // The largest document with an editable line.
  const candidates = documents
    .map((name) => ({ name, bytes: statSync(path.join(dir, 'docs', name)).size }))
    .sort((a, b) => b.bytes - a.bytes);
  const target = candidates.find((c) => EDITABLE.test(readFileSync(path.join(dir, 'docs', c.name), 'utf8')));
  if (!target) throw new Error('no document has an editable `export const MAX_... = N;` line');
  const documentPath = path.join(dir, 'docs', target.name);
  const original = readFileSync(documentPath, 'utf8');
  const id = target.name.replace(/\.lit\.md$/, '');
  const outputDir = path.join(dir, 'src-generated', id);
  if (bundle) addBundle(dir, documents.filter((name, k) => name === target.name || options.bundleAll || k % 20 === 0));
  // A clean start, also in a --dir used before (whose outputs an earlier run's last edit may have left).
  for (const folder of ['.weft', 'src-generated', 'dist']) rmSync(path.join(dir, folder), { recursive: true, force: true });
  // Outputs are on disk when a watch starts, as in a real project (a watch that starts on
  // an empty output folder first sees thousands of new files arrive, once).
  const cold = spawnSync(process.execPath, [WEFT_BIN, 'tangle', '--no-cache', ...(bundle ? [] : ['--no-bundle'])], { cwd: dir, encoding: 'utf8' });
  if (cold.status !== 0) throw new Error(`weft tangle failed:\n${cold.stdout}${cold.stderr}`);

  const child = spawn(process.execPath, [WEFT_BIN, 'watch', '--json', ...(bundle ? [] : ['--no-bundle'])], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events = childEvents(child);
  try {
    const ready = await events.next((e) => e.event === 'ready', 600_000);
    if (!ready.ok) throw new Error(`the first build failed: ${JSON.stringify(ready.diagnostics.slice(0, 3))}`);

    const toOutputs = [];
    const toBundle = [];
    const toEvent = [];
    const tangleMs = [];
    const bundleMs = [];
    let lastEdit = 0;
    for (let i = 0; i < WARM_UP + edits; i++) {
      const wait = lastEdit + MIN_GAP_MS - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const value = 1_000_001 + 10 * i; // Ends in 1: esbuild prints it as written (1000000 would become 1e6).
      const text = original.replace(EDITABLE, `$1${value};`);
      const expected = `= ${value};`;
      const outputSeen = seen(outputDir, expected, ['a.ts', 'b.ts']);
      const bundleSeen = bundle ? seen(path.join(dir, 'dist'), expected, [BUNDLE_FILE]) : undefined;
      const rebuilt = events.next((e) => e.event === 'rebuild' && e.changed.includes(`docs/${target.name}`), 30_000);
      const start = performance.now();
      lastEdit = start;
      writeFileSync(documentPath, text);
      const outputAt = await outputSeen;
      const bundleAt = await bundleSeen;
      const event = await rebuilt;
      const eventAt = performance.now();
      if (!event.ok) throw new Error(`rebuild failed: ${JSON.stringify(event.diagnostics.slice(0, 3))}`);
      if (i < WARM_UP) continue;
      toOutputs.push(outputAt - start);
      if (bundleAt !== undefined) toBundle.push(bundleAt - start);
      toEvent.push(eventAt - start);
      tangleMs.push(event.summary.tangleMs);
      if (event.summary.bundleMs !== null) bundleMs.push(event.summary.bundleMs);
    }
    return {
      documents: documents.length,
      document: `docs/${target.name}`,
      bytes: target.bytes,
      edits,
      outputs: percentiles(toOutputs),
      bundle: bundle ? percentiles(toBundle) : null,
      event: percentiles(toEvent),
      reported: { tangleMs: percentiles(tangleMs).p50, bundleMs: bundleMs.length ? percentiles(bundleMs).p50 : null },
      ...(options.samples ? { samples: { toOutputs, toBundle, toEvent, tangleMs, bundleMs } } : {}),
    };
  } finally {
    writeFileSync(documentPath, original);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/** Give the project a bundle: an entry document whose module imports every document's module. */
function addBundle(dir, documents) {
  const ids = documents.map((name) => name.replace(/\.lit\.md$/, ''));
  const imports = ids.map((id, k) => `import * as m${k} from './${id}/b.js';`).join('\n');
  const body = `${imports}\nexport const modules = [${ids.map((_, k) => `m${k}`).join(', ')}];`;
  writeFileSync(path.join(dir, ENTRY_DOCUMENT), `# Benchmark entry\n\n\`\`\`ts file=${ENTRY_MODULE}\n${body}\n\`\`\`\n`);
  const configPath = path.join(dir, 'weft.config.json');
  const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : { sources: ['docs/**/*.lit.md'], outputDirs: ['src-generated'] };
  config.bundle = { entryPoints: [ENTRY_MODULE], outdir: 'dist' };
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
}

/** Resolves with the time at which one of the files `names` in `folder` first contains `text`. */
function seen(folder, text, names) {
  return new Promise((resolve, reject) => {
    const check = () => {
      for (const name of names) {
        let content = '';
        try {
          content = readFileSync(path.join(folder, name), 'utf8');
        } catch {
          continue; // Between a temporary file and its rename: look again on the next event.
        }
        if (content.includes(text)) {
          const at = performance.now();
          watcher.close();
          clearTimeout(timer);
          resolve(at);
          return;
        }
      }
    };
    const watcher = watch(folder, check);
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${text} did not reach ${folder} within 30 s`));
    }, 30_000);
  });
}


function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const round = (x) => Math.round(x * 10) / 10;
  return { p50: round(at(0.5)), p95: round(at(0.95)) };
}

/** A minimal stand-in for bench/generate.mjs: `docs` documents of about 20 KB, two outputs each. */
async function writeMinimalProject(dir, docs) {
  mkdirSync(path.join(dir, 'docs'), { recursive: true });
  writeFileSync(path.join(dir, 'weft.config.json'), `${JSON.stringify({ sources: ['docs/**/*.lit.md'], outputDirs: ['src-generated'] })}\n`);
  for (let k = 1; k <= docs; k++) {
    const id = `mod-${String(k).padStart(4, '0')}`;
    const sections = Array.from({ length: 18 }, (_, s) => {
      const prose = `Section ${s} of ${id} explains why the next function is written the way it is. `.repeat(6);
      const code = Array.from({ length: 12 }, (_, l) => `  total += input.length * ${s * 12 + l};`).join('\n');
      return `## Part ${s}\n\n${prose}\n\n\`\`\`ts #part-${s}\nexport function part${s}(input: string): number {\n  let total = 0;\n${code}\n  return total;\n}\n\`\`\`\n`;
    });
    const a = `\`\`\`ts file=src-generated/${id}/a.ts\nexport const MAX_${id.replace('-', '_').toUpperCase()}_SIZE = ${k};\n${sections.slice(0, 9).map((_, s) => `<<part-${s}>>`).join('\n')}\n\`\`\`\n`;
    const b = `\`\`\`ts file=src-generated/${id}/b.ts\nexport * from './a.js';\n${sections.slice(9).map((_, s) => `<<part-${s + 9}>>`).join('\n')}\n\`\`\`\n`;
    writeFileSync(path.join(dir, 'docs', `${id}.lit.md`), `# ${id}\n\n${a}\n${b}\n${sections.join('\n')}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseArgs({
    options: { docs: { type: 'string', default: '1000' }, edits: { type: 'string', default: '100' }, dir: { type: 'string' }, 'no-bundle': { type: 'boolean' }, 'bundle-all': { type: 'boolean' } },
  });
  const docs = Number(values.docs);
  const dir = values.dir ?? mkdtempSync(path.join(tmpdir(), 'weft-watch-bench-'));
  const generator = new URL('./generate.mjs', import.meta.url);
  if (existsSync(fileURLToPath(generator))) {
    const { writeProject } = await import(generator.href);
    await writeProject(dir, { docs, seed: 1 });
  } else {
    await writeMinimalProject(dir, docs);
  }
  const result = await measureWatchLatency(dir, { edits: Number(values.edits), bundle: !values['no-bundle'], bundleAll: values['bundle-all'] });
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `weft watch, ${result.documents} documents, one-line edits to ${result.document} (${Math.round(result.bytes / 1024)} KB), ${result.edits} edits: ` +
      `to outputs p50 ${result.outputs.p50} ms, p95 ${result.outputs.p95} ms` +
      (result.bundle ? `; to bundle p50 ${result.bundle.p50} ms, p95 ${result.bundle.p95} ms` : '') +
      `; to the rebuild event p50 ${result.event.p50} ms, p95 ${result.event.p95} ms`,
  );
  if (!values.dir) rmSync(dir, { recursive: true, force: true });
}
