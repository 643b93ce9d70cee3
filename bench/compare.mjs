// Before/after: the same generated corpus tangled by two checkouts of Weft, runs interleaved
// (A, B, A, B, ...) so that the machine's load falls on both alike. For each size: cold (a
// fresh copy, no .weft/), warm (nothing changed) and one edit (one document changed), as
// median wall-clock and CPU (user + system, from /usr/bin/time) milliseconds and peak RSS.
//
// Usage: node bench/compare.mjs --base DIR [--docs 100,1000] [--runs 9] [--json]
// DIR is another checkout of Weft with its lib/ built (e.g. `git worktree add /tmp/base
// <rev> && (cd /tmp/base && npm ci && node build.mjs)`); the other side is this checkout.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeProject } from './generate.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { base: { type: 'string' }, docs: { type: 'string', default: '100,1000' }, runs: { type: 'string', default: '9' }, json: { type: 'boolean' } } });
if (!values.base) {
  console.error('usage: node bench/compare.mjs --base DIR [--docs 100,1000] [--runs 9] [--json]');
  process.exit(2);
}
const tools = { base: path.resolve(values.base, 'bin/weft.js'), this: path.join(ROOT, 'bin/weft.js') };
const runs = Number(values.runs);

function tangle(tool, dir) {
  const started = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, tools[tool], 'tangle', '--no-bundle'], { cwd: dir, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${tool}: weft tangle failed: ${run.stderr}`);
  const [user, system, rssKiB] = run.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { ms, cpuMs: (user + system) * 1000, rssMiB: rssKiB / 1024 };
}
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]);
};

const results = { loadBefore: loadavg()[0], sizes: [] };
for (const docs of values.docs.split(',').map(Number)) {
  const corpus = mkdtempSync(path.join(tmpdir(), `weft-compare-${docs}-`));
  await writeProject(corpus, { docs });
  const samples = {};
  const projects = {};
  for (const tool of Object.keys(tools)) {
    for (const phase of ['cold', 'warm', 'edit']) samples[`${phase} ${tool}`] = [];
    projects[tool] = mkdtempSync(path.join(tmpdir(), `weft-compare-${tool}-`));
    cpSync(corpus, projects[tool], { recursive: true });
    tangle(tool, projects[tool]);
  }
  for (let i = 0; i < runs; i++) {
    for (const tool of Object.keys(tools)) {
      const copy = mkdtempSync(path.join(tmpdir(), 'weft-compare-cold-'));
      cpSync(corpus, copy, { recursive: true });
      samples[`cold ${tool}`].push(tangle(tool, copy));
      rmSync(copy, { recursive: true, force: true });
      samples[`warm ${tool}`].push(tangle(tool, projects[tool]));
      const folder = path.join(projects[tool], 'docs');
      const file = path.join(folder, readdirSync(folder).sort()[i % 7]);
      writeFileSync(file, `${readFileSync(file, 'utf8')}\nEdit ${i}.\n`);
      samples[`edit ${tool}`].push(tangle(tool, projects[tool]));
    }
  }
  const entry = { documents: docs };
  for (const [key, list] of Object.entries(samples)) {
    entry[key] = { wallMs: median(list.map((s) => s.ms)), cpuMs: median(list.map((s) => s.cpuMs)), rssMiB: median(list.map((s) => s.rssMiB)), wallRange: [Math.round(Math.min(...list.map((s) => s.ms))), Math.round(Math.max(...list.map((s) => s.ms)))] };
  }
  results.sizes.push(entry);
  for (const d of [corpus, ...Object.values(projects)]) rmSync(d, { recursive: true, force: true });
}
results.loadAfter = loadavg()[0];
if (values.json) console.log(JSON.stringify(results, null, 2));
else {
  console.log(`load average ${results.loadBefore.toFixed(1)} → ${results.loadAfter.toFixed(1)}; medians of ${runs} interleaved runs`);
  console.log('| documents | run | base wall (range) | this wall (range) | base CPU | this CPU | base RSS | this RSS |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const entry of results.sizes) {
    for (const phase of ['cold', 'warm', 'edit']) {
      const a = entry[`${phase} base`];
      const b = entry[`${phase} this`];
      console.log(`| ${entry.documents} | ${phase} | ${a.wallMs} (${a.wallRange.join('–')}) | ${b.wallMs} (${b.wallRange.join('–')}) | ${a.cpuMs} | ${b.cpuMs} | ${Math.round(a.rssMiB)} MiB | ${Math.round(b.rssMiB)} MiB |`);
    }
  }
}
