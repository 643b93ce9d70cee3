// `npm run bench`: Weft against noweb on the same generated literate project, as whole
// processes, plus watch latency and the cells reference system's request/reply figures.
//
// Scenarios (each several runs; median and min–max of wall-clock milliseconds):
// - cold:      no .weft/ cache, no outputs          (weft tangle --no-bundle, in a fresh copy of the project)
// - warm:      nothing changed since the last run
// - one edit:  one code line of one document changed since the last run
// - noweb:     noweb -t over the same program (bench/noweb.mjs), in a fresh empty folder, alternating with Weft's cold runs
// Also the peak memory (max RSS) of a cold run, the process start-up of Node and of
// `weft --version` (so "work beyond process start" can be read off), and Weft's own
// reported tangle time. Before timing, both tools' outputs are checked byte-identical
// (Weft's header line and source-map comment stripped): a comparison is only fair on the
// same work.
//
// Usage: node bench/run.mjs [--docs 10,100,1000] [--runs 5] [--no-watch] [--no-cells] [--no-lsp] [--no-weave] [--json]
// --no-lsp skips the language server's figures (bench/lsp.mjs).
// --no-weave skips `weft weave` (bench/weave.mjs: cold, warm, and 100 one-line edits under `weft watch --serve`, per size).
// Without noweb installed the comparison is skipped (install it: apt-get install -y noweb).

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { globSync } from 'tinyglobby';
import { expectedOutputs, generateProject, outputPathsFor, stripWeftFraming, writeProject } from './generate.mjs';
import { nowebAvailable, tangleWithNoweb } from './noweb.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEFT = path.join(ROOT, 'bin', 'weft.js');

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '10,100,1000' },
    runs: { type: 'string', default: '5' },
    'no-watch': { type: 'boolean' },
    'no-cells': { type: 'boolean' },
    'no-lsp': { type: 'boolean' },
    'no-weave': { type: 'boolean' },
    json: { type: 'boolean' },
  },
});
const sizes = values.docs.split(',').map(Number);
const runs = Number(values.runs);
const log = (text) => process.stderr.write(`${text}\n`);

/** Wall time of one command, in milliseconds, and its max RSS (KiB) when GNU time is there. */
function timed(command, args, cwd) {
  const gnuTime = existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const result = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { cwd, encoding: 'utf8' })
    : spawnSync(command, args, { cwd, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  const rss = gnuTime ? Number(result.stderr.trim().split('\n').pop()) : null;
  return { ms, rssKiB: rss, stdout: result.stdout };
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { median: round(median), min: round(sorted[0]), max: round(sorted.at(-1)), runs: sorted.length };
}
const round = (x) => Math.round(x * 10) / 10;

function weftTangle(dir) {
  const run = timed(process.execPath, [WEFT, 'tangle', '--no-bundle', '--json'], dir);
  const report = JSON.parse(run.stdout);
  if (!report.ok) throw new Error(`weft tangle reported errors: ${JSON.stringify(report.diagnostics.slice(0, 3))}`);
  return { ...run, report };
}

/** Change one code line of one document (a different value every time). */
function editOneDocument(dir, count) {
  const file = path.join(dir, 'docs', readdirSync(path.join(dir, 'docs')).sort()[0]);
  const text = readFileSync(file, 'utf8');
  const edited = text.replace(/^(export const MAX_\w+ = )(\d+);$/m, (_, head) => `${head}${100000 + count};`);
  if (edited === text) throw new Error(`no editable line in ${file}`);
  writeFileSync(file, edited);
}

/** Check that Weft's outputs equal the generator's expected program (and noweb's). */
function verify(dir, project, nowebDir) {
  const expected = expectedOutputs(project);
  let compared = 0;
  for (const [file, content] of expected) {
    const weft = stripWeftFraming(readFileSync(path.join(dir, file), 'utf8'));
    if (weft !== content) throw new Error(`weft's ${file} differs from the expected program`);
    if (nowebDir) {
      const noweb = readFileSync(path.join(nowebDir, file), 'utf8');
      if (noweb !== content) throw new Error(`noweb's ${file} differs from the expected program`);
    }
    compared++;
  }
  return compared;
}

const results = { machine: machine(), sizes: [] };
const startup = {
  node: stats(Array.from({ length: runs }, () => timed(process.execPath, ['-e', '0'], ROOT).ms)),
  weftVersion: stats(Array.from({ length: runs }, () => timed(process.execPath, [WEFT, '--version'], ROOT).ms)),
};
results.startup = startup;
const haveNoweb = nowebAvailable();
if (!haveNoweb) log('noweb is not installed: the comparison is skipped (apt-get install -y noweb)');

for (const docs of sizes) {
  const dir = mkdtempSync(path.join(tmpdir(), `weft-bench-${docs}-`));
  log(`generating ${docs} documents in ${dir}`);
  const project = generateProject({ docs });
  await writeProject(dir, { docs });
  const bytes = [...project].filter(([p]) => p.endsWith('.lit.md')).reduce((sum, [, text]) => sum + Buffer.byteLength(text), 0);

  // Correctness first: both tools produce the same program.
  let nowebDir;
  if (haveNoweb) {
    nowebDir = mkdtempSync(path.join(tmpdir(), 'weft-bench-noweb-'));
    await tangleWithNoweb(dir, nowebDir);
  }
  weftTangle(dir);
  const compared = verify(dir, project, nowebDir);
  if (nowebDir) rmSync(nowebDir, { recursive: true, force: true });

  // Cold runs of both tools alternate, and each writes into folders made for it just
  // before (a fresh copy of the project for Weft, an empty folder for noweb): on this
  // machine's file system, creating files in a folder tree that was just deleted and
  // made again can cost ten times more than in a new one, which would make the
  // comparison about where each tool happens to write instead of what it does.
  const cold = [];
  const coldRss = [];
  const coldReported = [];
  const noweb = [];
  for (let i = 0; i < runs; i++) {
    const copy = mkdtempSync(path.join(tmpdir(), `weft-bench-${docs}-cold-`));
    cpSync(path.join(dir, 'docs'), path.join(copy, 'docs'), { recursive: true });
    cpSync(path.join(dir, 'weft.config.json'), path.join(copy, 'weft.config.json'));
    const run = weftTangle(copy);
    cold.push(run.ms);
    coldRss.push(run.rssKiB);
    coldReported.push(run.report.summary.tangleMs);
    rmSync(copy, { recursive: true, force: true });
    if (haveNoweb) {
      const out = mkdtempSync(path.join(tmpdir(), 'weft-bench-noweb-'));
      const started = process.hrtime.bigint();
      await tangleWithNoweb(dir, out);
      noweb.push(Number(process.hrtime.bigint() - started) / 1e6);
      rmSync(out, { recursive: true, force: true });
    }
  }
  const warm = [];
  const warmReported = [];
  for (let i = 0; i < runs; i++) {
    const run = weftTangle(dir);
    if (run.report.summary.written !== 0) throw new Error('a warm run wrote files');
    warm.push(run.ms);
    warmReported.push(run.report.summary.tangleMs);
  }
  // What "reading the files' metadata" costs on its own: the source search Weft does and a
  // stat of every document, output and map, in one process (warm file-system caches, as
  // in a warm run). The warm target is about Weft's work beyond this.
  const metadata = stats(Array.from({ length: runs }, () => metadataMs(dir)));
  const edit = [];
  const editReported = [];
  for (let i = 0; i < runs; i++) {
    editOneDocument(dir, i);
    const run = weftTangle(dir);
    if (run.report.summary.written < 1) throw new Error('an edit wrote nothing');
    edit.push(run.ms);
    editReported.push(run.report.summary.tangleMs);
  }
  const entry = {
    documents: docs,
    markdownBytes: bytes,
    outputsCompared: compared,
    cold: stats(cold),
    coldReportedMs: stats(coldReported),
    warm: stats(warm),
    warmReportedMs: stats(warmReported),
    metadataMs: metadata,
    warmBeyondMetadataMs: round(stats(warmReported).median - metadata.median),
    oneEdit: stats(edit),
    oneEditReportedMs: stats(editReported),
    peakRssMiB: coldRss.every((x) => x !== null) ? round(Math.max(...coldRss) / 1024) : null,
    noweb: haveNoweb ? stats(noweb) : null,
  };
  if (haveNoweb) {
    entry.ratio = {
      coldOverNoweb: Math.round((entry.cold.median / entry.noweb.median) * 100) / 100,
      warmOverNoweb: Math.round((entry.warm.median / entry.noweb.median) * 100) / 100,
    };
  }
  results.sizes.push(entry);
  log(
    `${docs} docs (${(bytes / 1e6).toFixed(1)} MB): cold ${entry.cold.median} ms, warm ${entry.warm.median} ms, one edit ${entry.oneEdit.median} ms, peak ${entry.peakRssMiB} MiB` +
      (haveNoweb ? `; noweb ${entry.noweb.median} ms; weft/noweb cold ${entry.ratio.coldOverNoweb}, warm ${entry.ratio.warmOverNoweb}` : ''),
  );
  if (docs === Math.max(...sizes) && !values['no-watch']) {
    const { measureWatchLatency } = await import('./watch-latency.mjs');
    log(`watch latency over 100 edits of one document of ${docs}`);
    results.watch = await measureWatchLatency(dir, { edits: 100 });
  }
  rmSync(dir, { recursive: true, force: true });
}

if (!values['no-weave']) {
  const { benchWeave, describe: describeWeave } = await import('./weave.mjs');
  results.weave = [];
  for (const docs of sizes) {
    log(`weave: ${docs} documents (cold, warm, 100 one-line edits under watch --serve)`);
    results.weave.push(await benchWeave({ docs, edits: 100 }));
  }
}

if (!values['no-cells']) {
  log('cells reference system: request/reply in process, in a worker, in a child process, over loopback HTTP');
  const cells = spawnSync(process.execPath, [path.join(ROOT, 'scripts/cells/bench.mjs'), '--quick', '--json'], { cwd: ROOT, encoding: 'utf8' });
  results.cells = cells.status === 0 ? JSON.parse(cells.stdout) : { error: cells.stderr.trim() };
}

if (!values['no-lsp']) {
  log('weft lsp: start-up, chunk features, diagnostics and TypeScript completion (bench/lsp.mjs)');
  const lsp = spawnSync(process.execPath, [path.join(ROOT, 'bench/lsp.mjs'), '--docs', String(Math.max(...sizes)), '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  results.lsp = lsp.status === 0 ? JSON.parse(lsp.stdout) : { error: `bench/lsp.mjs exited with ${lsp.status}` };
}

mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
else process.stdout.write(table(results));

function table(r) {
  const range = (s) => `${s.median} (${s.min}–${s.max})`;
  let out = `\nWeft benchmark — ${r.machine}\n`;
  out += `process start: node ${range(r.startup.node)} ms, weft --version ${range(r.startup.weftVersion)} ms\n\n`;
  out += '| documents | MB | cold ms | warm ms | one edit ms | noweb ms | cold/noweb | warm/noweb | peak MiB |\n';
  out += '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
  for (const s of r.sizes) {
    out += `| ${s.documents} | ${(s.markdownBytes / 1e6).toFixed(1)} | ${range(s.cold)} | ${range(s.warm)} | ${range(s.oneEdit)} | ${s.noweb ? range(s.noweb) : '—'} | ${s.ratio?.coldOverNoweb ?? '—'} | ${s.ratio?.warmOverNoweb ?? '—'} | ${s.peakRssMiB ?? '—'} |\n`;
  }
  out += '\nWeft-reported tangle time (work inside the process, ms, median):\n';
  for (const s of r.sizes) {
    out += `  ${s.documents} docs: cold ${s.coldReportedMs.median}, warm ${s.warmReportedMs.median} (reading metadata alone: ${s.metadataMs.median}; beyond it: ${s.warmBeyondMetadataMs}), one edit ${s.oneEditReportedMs.median}\n`;
  }
  if (r.watch) {
    out += `\nwatch (${r.watch.documents} docs, ${r.watch.edits} edits of a ${Math.round(r.watch.bytes / 1024)} KB document): `;
    out += `to outputs p50 ${r.watch.outputs.p50} ms, p95 ${r.watch.outputs.p95} ms`;
    if (r.watch.bundle) out += `; to bundle p50 ${r.watch.bundle.p50} ms, p95 ${r.watch.bundle.p95} ms`;
    if (r.watch.event) out += `; to the rebuild event p50 ${r.watch.event.p50} ms, p95 ${r.watch.event.p95} ms`;
    out += '\n';
  }
  for (const w of r.weave ?? []) {
    out += `\n${describeWeave(w)}\n`;
  }
  if (r.cells && !r.cells.error) {
    out += '\ncells request/reply (echo cell):\n';
    for (const c of r.cells.results) {
      out += `  ${c.transport.padEnd(14)} p50 ${Math.round(c.p50Micros)} µs${c.p50RangeMicros ? ` (rounds ${Math.round(c.p50RangeMicros[0])}–${Math.round(c.p50RangeMicros[1])})` : ''}, p99 ${Math.round(c.p99Micros)} µs, ${Math.round(c.throughputPerSecond)}/s at ${c.concurrency} in flight\n`;
    }
  }
  else if (r.cells) out += `\ncells: ${r.cells.error}\n`;
  if (r.lsp && !r.lsp.error) {
    const p = (x) => `p50 ${x.p50} ms, p95 ${x.p95} ms`;
    out += `\nweft lsp: start-up ${r.lsp.startupMs} ms, peak ${r.lsp.peakMiB} MiB; definition ${p(r.lsp.definition)}; references ${p(r.lsp.references)}; hover ${p(r.lsp.hover)}; completion ${p(r.lsp.completion)}; diagnostics ${p(r.lsp.diagnostics)}; TypeScript completion ${p(r.lsp.typescriptCompletion)}\n`;
  } else if (r.lsp) out += `\nweft lsp: ${r.lsp.error}\n`;
  return out;
}

/** Milliseconds to find the sources (as Weft does, with tinyglobby) and stat every document, output and map. */
function metadataMs(dir) {
  const started = process.hrtime.bigint();
  const documents = globSync(['docs/**/*.lit.md'], { cwd: dir, ignore: ['**/.git/**', '**/node_modules/**', '**/.weft/**'], onlyFiles: true, dot: false, followSymbolicLinks: false });
  for (const doc of documents) statSync(path.join(dir, doc), { throwIfNoEntry: false });
  for (const file of readdirSync(path.join(dir, 'docs'))) {
    if (!file.endsWith('.lit.md')) continue;
    for (const output of outputPathsFor(file.slice(0, -'.lit.md'.length))) {
      statSync(path.join(dir, output), { throwIfNoEntry: false });
      statSync(path.join(dir, `${output}.map`), { throwIfNoEntry: false });
    }
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function machine() {
  const cpus = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
    } catch {
      return 'unknown CPU';
    }
  })();
  return `${cpus}, ${(() => { try { return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '); } catch { return '?'; } })()} load, Node ${process.version}`;
}
