// `weft weave` benchmark, on the bench generator's corpus (the same one `bench/run.mjs` tangles).
//
// Scenarios, per corpus size:
// - cold:   `weft weave` as a whole process, no site and no cache yet (wall-clock ms, CPU
//           time (user + system, all threads) and peak RSS via GNU time)
// - warm:   the same command again, nothing changed (must write no file)
// - watch:  `weft watch --serve --json` as a user runs it (a child process). Each edit
//           changes one prose line of one document, in place, as most editors save. Measured
//           per edit: save → the document's page on disk with the new text (fs.watch on its
//           folder, in this otherwise idle process), save → the SSE `change` event naming the
//           page (a client of /__weft/events), the SSE event's lag behind the last page
//           written (its mtime), the same lag after this process saw the page with its new
//           text (its own clock: file mtimes come from the kernel's coarse clock, which on
//           this machine runs up to a 4 ms tick behind, so the mtime figure is up to a tick
//           too high), and how many site files the re-weave wrote (its `weave`
//           event). Edits are 150 ms apart at least (chokidar drops a second `change` of
//           one file within 50 ms); the first 3 warm up and are not counted.
//
// Usage: node bench/weave.mjs [--docs 10,100] [--edits 100] [--no-watch] [--json]
//        node bench/weave.mjs --watch-only DIR [--edits 100] [--gap 150]   (a corpus already tangled and woven;
//        --gap: least milliseconds from one edit to the next)
// (also run by `node bench/run.mjs` unless --no-weave)

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, watch, writeFileSync, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { childEvents } from './child-events.mjs';
import { generateProject } from './generate.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEFT = path.join(ROOT, 'bin', 'weft.js');
const WARM_UP = 3;
const MIN_GAP_MS = 150;

function timedWeave(cwd) {
  const gnuTime = existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const args = [WEFT, 'weave', '--json'];
  const result = gnuTime ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 }) : spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const done = result.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((event) => event.event === 'done');
  if (!done?.ok) throw new Error(`weft weave failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  const [rssKiB, user, system] = gnuTime ? result.stderr.trim().split('\n').pop().split(' ').map(Number) : [null, null, null];
  return { ms: Math.round(ms), cpuMs: user === null ? null : Math.round((user + system) * 1000), rssMiB: rssKiB === null ? null : Math.round(rssKiB / 1024), summary: done.summary };
}

function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10;
}


/** Server-Sent Events from `url`: each `change` event with the time it arrived. */
function sse(url) {
  const changes = [];
  let wake = () => {};
  const request = get(url, (response) => {
    let buffer = '';
    response.on('data', (chunk) => {
      const at = Date.now();
      buffer += chunk.toString();
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === 'change') changes.push({ at, ...JSON.parse(data) });
      }
      wake();
    });
  });
  return {
    close: () => request.destroy(),
    async next(accept, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = changes.findIndex(accept);
        if (index >= 0) return changes.splice(0, index + 1).at(-1);
        if (Date.now() > deadline) throw new Error('no SSE change event in time');
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}

/** `weft watch --serve` on a woven project: one-line prose edits, timed to disk and to the SSE event. */
export async function benchWatchServe(dir, edits, gapMs = MIN_GAP_MS) {
  const child = spawn(process.execPath, [WEFT, 'watch', '--serve', '--port', '0', '--no-bundle', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  const stream = childEvents(child);
  try {
    const { url } = await stream.next((e) => e.event === 'serve', 600_000);
    await stream.next((e) => e.event === 'ready', 600_000);
    await stream.next((e) => e.event === 'weave', 600_000);
    const changes = sse(`${url}__weft/events`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const document = path.join(dir, 'docs', 'mod-0001.lit.md');
    const pageFile = path.join(dir, 'site', 'docs', 'mod-0001.html');
    const original = readFileSync(document, 'utf8');
    const anchor = original.indexOf('\n\n', original.indexOf('\n# ') + 1) + 2;
    const toDisk = [];
    const toEvent = [];
    const eventLag = [];
    const eventAfterSeen = [];
    const written = [];
    const weaveMs = [];
    const tangleMs = [];
    let seen = () => {};
    // Only events naming the page itself (not weave's temporary file): reading the page on
    // every event delayed this process's receipt of the SSE event by a few milliseconds.
    const watcher = watch(path.dirname(pageFile), (_event, name) => {
      if (name === path.basename(pageFile)) seen();
    });
    try {
      for (let i = 0; i < edits + WARM_UP; i++) {
        // New text every run, so the edited page is really rendered (never taken from .weft/cache/weave/).
        const marker = `Edit number ${i} of the prose (run ${process.pid}).`;
        const pageHas = () => {
          try {
            return readFileSync(pageFile, 'utf8').includes(marker);
          } catch {
            return false;
          }
        };
        const onDisk = new Promise((resolve) => {
          seen = () => {
            if (pageHas()) resolve(Date.now());
          };
        });
        const started = Date.now();
        writeFileSync(document, `${original.slice(0, anchor)}${marker}\n\n${original.slice(anchor)}`);
        const diskAt = await Promise.race([onDisk, new Promise((_, reject) => setTimeout(() => reject(new Error('page not rewritten in 30 s')), 30_000))]);
        const change = await changes.next((c) => c.pages.includes('docs/mod-0001.html'), 30_000);
        // This edit's events (a rebuild the watch makes again later, finding nothing new, is skipped).
        const rebuild = await stream.next((e) => e.event === 'rebuild' && e.changed.includes('docs/mod-0001.lit.md'), 30_000);
        const weaveEvent = await stream.next((e) => e.event === 'weave' && (e.pages ?? []).includes('docs/mod-0001.html'), 30_000);
        if (i >= WARM_UP) {
          toDisk.push(diskAt - started);
          toEvent.push(change.at - started);
          // The last page written (the search data is made and written after the event, on purpose).
          const lastWrite = Math.max(...weaveEvent.pages.filter((p) => p.endsWith('.html')).map((p) => statSync(path.join(dir, 'site', p)).mtimeMs));
          eventLag.push(change.at - lastWrite);
          eventAfterSeen.push(change.at - diskAt);
          written.push(weaveEvent.pages.length);
          weaveMs.push(weaveEvent.summary.ms);
          tangleMs.push(rebuild.summary.tangleMs);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, gapMs - (Date.now() - started))));
      }
    } finally {
      watcher.close();
      changes.close();
      writeFileSync(document, original);
    }
    return {
      edits,
      toDisk: { p50: percentile(toDisk, 50), p95: percentile(toDisk, 95) },
      toEvent: { p50: percentile(toEvent, 50), p95: percentile(toEvent, 95) },
      eventAfterLastWrite: { p50: percentile(eventLag, 50), p95: percentile(eventLag, 95) },
      eventAfterPageSeen: { p50: percentile(eventAfterSeen, 50), p95: percentile(eventAfterSeen, 95) },
      filesWritten: { min: Math.min(...written), max: Math.max(...written) },
      // As the watch reports them: its tangle rebuild, then the re-weave (which starts after it).
      tangleMs: { p50: percentile(tangleMs, 50), p95: percentile(tangleMs, 95) },
      weaveMs: { p50: percentile(weaveMs, 50), p95: percentile(weaveMs, 95) },
    };
  } finally {
    // Wait for it to stop: it finishes the weave in progress, which writes into the corpus
    // folder the caller is about to delete.
    const exited = child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : Promise.resolve();
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
}

/** Benchmark one corpus size. */
export async function benchWeave({ docs, edits = 100, watch: withWatch = true }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-weave-bench-'));
  try {
    for (const [file, content] of generateProject({ docs })) {
      if (file.startsWith('nw/')) continue;
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
    const cold = timedWeave(dir);
    const warm = timedWeave(dir);
    if (withWatch) {
      const tangled = spawnSync(process.execPath, [WEFT, 'tangle', '--no-bundle'], { cwd: dir, encoding: 'utf8' });
      if (tangled.status !== 0) throw new Error(`weft tangle failed:\n${tangled.stdout}${tangled.stderr}`);
    }
    return { documents: docs, cold, warm, watch: withWatch ? await benchWatchServe(dir, edits) : null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { docs: { type: 'string', default: '10,100' }, edits: { type: 'string', default: '100' }, 'no-watch': { type: 'boolean' }, 'watch-only': { type: 'string' }, gap: { type: 'string', default: String(MIN_GAP_MS) }, json: { type: 'boolean' } } });
  if (values['watch-only']) {
    // A project already woven and tangled (e.g. by an earlier run): the watch scenario alone.
    const watched = await benchWatchServe(values['watch-only'], Number(values.edits), Number(values.gap));
    process.stderr.write(`${describe({ documents: '?', cold: {}, warm: { summary: {} }, watch: watched }).replace(/^.*?; watch/, 'watch')}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify(watched, null, 2)}\n`);
    process.exit(0);
  }
  const results = [];
  for (const docs of values.docs.split(',').map(Number)) {
    const entry = await benchWeave({ docs, edits: Number(values.edits), watch: !values['no-watch'] });
    results.push(entry);
    process.stderr.write(
      `${describe(entry)}\n`,
    );
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

/** One line per corpus size. */
export function describe(w) {
  const watchPart = w.watch
    ? `; watch --serve, one-line edit: page on disk p50 ${w.watch.toDisk.p50} ms, p95 ${w.watch.toDisk.p95} ms; SSE change p50 ${w.watch.toEvent.p50} ms, p95 ${w.watch.toEvent.p95} ms (${w.watch.eventAfterLastWrite.p95} ms p95 after the last write's mtime, ${w.watch.eventAfterPageSeen.p95} ms p95 after the page was seen); tangle p50 ${w.watch.tangleMs.p50} ms then re-weave p50 ${w.watch.weaveMs.p50} ms, p95 ${w.watch.weaveMs.p95} ms; ${w.watch.filesWritten.min}-${w.watch.filesWritten.max} files written per edit`
    : '';
  return `weave ${w.documents} docs: cold ${w.cold.ms} ms (CPU ${w.cold.cpuMs} ms, peak ${w.cold.rssMiB} MiB), warm ${w.warm.ms} ms (${w.warm.summary.written} written)${watchPart}`;
}
