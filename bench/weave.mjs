// `weft weave` benchmark, on the bench generator's corpus (the same one `bench/run.mjs` tangles).
//
// Scenarios, per corpus size:
// - cold:   `weft weave` as a whole process, no site yet (wall-clock ms and peak RSS via GNU time)
// - warm:   the same command again, nothing changed (must write no file)
// - edit:   in one process, as `weft watch --serve` does: one prose line of one document changed,
//           re-weave with the memo (pages by content hash and cross-reference fingerprint);
//           p50 and p95 over `edits` edits, and how many pages each edit rewrote
//
// Usage: node bench/weave.mjs [--docs 10,100] [--edits 100] [--json]
// (also run by `node bench/run.mjs` unless --no-weave)

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateProject } from './generate.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEFT = path.join(ROOT, 'bin', 'weft.js');

function timedWeave(cwd) {
  const gnuTime = existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const args = [WEFT, 'weave', '--json'];
  const result = gnuTime ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { cwd, encoding: 'utf8' }) : spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const done = result.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((event) => event.event === 'done');
  if (!done?.ok) throw new Error(`weft weave failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  const rssKiB = gnuTime ? Number(result.stderr.trim().split('\n').pop()) : null;
  return { ms: Math.round(ms), rssMiB: rssKiB === null ? null : Math.round(rssKiB / 1024), summary: done.summary };
}

function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10;
}

/** Benchmark one corpus size. */
export async function benchWeave({ docs, edits = 100 }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-weave-bench-'));
  try {
    for (const [file, content] of generateProject({ docs })) {
      if (file.startsWith('nw/')) continue;
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
    const cold = timedWeave(dir);
    const warm = timedWeave(dir);
    // In process, as the watch does: the same memo across edits.
    const { weave, createWeaveMemo } = await import(pathToFileURL(path.join(ROOT, 'lib', 'weave', 'index.js')).href);
    const memo = createWeaveMemo();
    await weave({ root: dir, memo });
    const document = path.join(dir, 'docs', 'mod-0001.lit.md');
    const original = readFileSync(document, 'utf8');
    const times = [];
    const rewritten = [];
    for (let i = 0; i < edits; i++) {
      writeFileSync(document, `${original}\nEdit number ${i} of the prose.\n`);
      const started = performance.now();
      const result = await weave({ root: dir, memo });
      times.push(performance.now() - started);
      rewritten.push(result.files.filter((f) => f.action === 'written' && f.path.endsWith('.html')).length);
    }
    return {
      documents: docs,
      cold,
      warm,
      edit: { edits, p50: percentile(times, 50), p95: percentile(times, 95), pagesRewritten: { max: Math.max(...rewritten) } },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { docs: { type: 'string', default: '10,100' }, edits: { type: 'string', default: '100' }, json: { type: 'boolean' } } });
  const results = [];
  for (const docs of values.docs.split(',').map(Number)) {
    const entry = await benchWeave({ docs, edits: Number(values.edits) });
    results.push(entry);
    process.stderr.write(
      `${docs} docs: cold ${entry.cold.ms} ms (peak ${entry.cold.rssMiB} MiB), warm ${entry.warm.ms} ms (${entry.warm.summary.written} written), one-document edit p50 ${entry.edit.p50} ms, p95 ${entry.edit.p95} ms (at most ${entry.edit.pagesRewritten.max} pages rewritten)\n`,
    );
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
