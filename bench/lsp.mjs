// `weft lsp` latency, as an editor sees it: the server is spawned on stdio (`weft lsp`)
// and driven by a vscode-languageserver-protocol client; every figure is wall-clock time
// from sending a message to receiving the answer (or the published diagnostics).
//
// Scenarios
// - start-up:    spawn → initialize → first workspace/symbol answered (the whole corpus
//                read, tangled and indexed), on the 1,000-document benchmark corpus;
// - chunk features: definition, references, hover, completion after `<<`, each at 200
//                references spread over the corpus, after start-up;
// - diagnostics: 100 edits of one open document, alternately breaking and fixing a
//                reference; time from didChange to publishDiagnostics for it (Weft's
//                diagnostics; TypeScript's follow in a second publish and are not timed here);
// - TypeScript completion: in a fence of the repository's own docs/, after a warm-up of 5
//                requests, 50 edits each followed by a completion request;
// - memory:      the server's peak resident set (VmHWM) after the 1,000-document runs.
//
// The machine is shared, so wall-clock figures are upper bounds: each scenario also reports
// the server process's own CPU time (user + system, from /proc/PID/stat), and the run its
// load average before and after.
//
// Usage: node bench/lsp.mjs [--docs 1000] [--json] [--profile DIR]   (build first: node build.mjs)
//        --profile DIR  runs each server with --cpu-prof, writing its profile to DIR

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { writeProject } from './generate.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEFT = path.join(ROOT, 'bin', 'weft.js');
const { values } = parseArgs({ options: { docs: { type: 'string', default: '1000' }, json: { type: 'boolean' }, profile: { type: 'string' } } });
const log = (text) => process.stderr.write(`${text}\n`);

/** p50 and p95 of samples (ms), rounded to 0.1. */
function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] * 10) / 10;
  return { p50: pick(0.5), p95: pick(0.95), n: sorted.length };
}
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Spawn `weft lsp` in `root` and initialize it. */
async function startServer(root, args = []) {
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`] : [];
  const child = spawn(process.execPath, [...profile, WEFT, 'lsp', '--stdio', ...args], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiters = [];
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    for (const waiter of [...waiters]) if (waiter.uri === params.uri) waiters.splice(waiters.indexOf(waiter), 1) && waiter.resolve(params.diagnostics);
  });
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(root).href, capabilities: {}, workspaceFolders: null });
  await connection.sendNotification('initialized', {});
  return {
    child,
    connection,
    nextDiagnostics: (uri) => new Promise((resolve) => waiters.push({ uri, resolve })),
    /** CPU time (user + system) the server has used so far, in ms (/proc/PID/stat, clock ticks of 10 ms). */
    cpuMs: () => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    peakMiB: () => Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024),
    async stop() {
      await connection.sendRequest('shutdown');
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await connection.sendNotification('exit');
      await exited;
      connection.dispose();
    },
  };
}

/** Every `<<reference>>` of the corpus: uri, 0-based line and the character inside the name. */
function referencesIn(root, files) {
  const found = [];
  for (const file of files) {
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    lines.forEach((text, line) => {
      const match = /^(\s*)<<[^>]+>>\s*$/.exec(text);
      if (match) found.push({ uri: pathToFileURL(path.join(root, file)).href, line, character: match[1].length + 3, indent: match[1].length });
    });
  }
  return found;
}

const results = { machine: `${process.platform} ${process.arch}, node ${process.version}, ${os.cpus().length} cores`, loadAverageBefore: os.loadavg().map((l) => Math.round(l * 100) / 100) };

// --- The benchmark corpus -----------------------------------------------------------
const docs = Number(values.docs);
const dir = mkdtempSync(path.join(tmpdir(), 'weft-lsp-bench-'));
try {
  const project = await writeProject(dir, { docs });
  const files = [...project.keys()].filter((file) => file.endsWith('.lit.md'));
  log(`weft lsp on ${files.length} documents`);
  const started = now();
  const server = await startServer(dir, ['--no-typescript']);
  await server.connection.sendRequest('workspace/symbol', { query: 'zz-none' });
  results.startupMs = Math.round(now() - started);
  results.startupCpuMs = server.cpuMs();
  log(`  start-up (index of ${files.length} documents): ${results.startupMs} ms (server CPU ${results.startupCpuMs} ms)`);

  const references = referencesIn(dir, files);
  const step = Math.max(1, Math.floor(references.length / 200));
  const sample = references.filter((_, i) => i % step === 0).slice(0, 200);
  const timeRequests = async (method, params) => {
    const samples = [];
    const cpu = server.cpuMs();
    for (const reference of sample) {
      const t = now();
      await server.connection.sendRequest(method, params(reference));
      samples.push(now() - t);
    }
    return { ...percentiles(samples), cpuMsPerRequest: Math.round(((server.cpuMs() - cpu) / samples.length) * 10) / 10 };
  };
  const position = (r) => ({ textDocument: { uri: r.uri }, position: { line: r.line, character: r.character } });
  results.definition = await timeRequests('textDocument/definition', position);
  results.references = await timeRequests('textDocument/references', (r) => ({ ...position(r), context: { includeDeclaration: true } }));
  results.hover = await timeRequests('textDocument/hover', position);
  results.completion = await timeRequests('textDocument/completion', (r) => ({ textDocument: { uri: r.uri }, position: { line: r.line, character: r.indent + 2 } }));
  for (const name of ['definition', 'references', 'hover', 'completion']) log(`  ${name}: p50 ${results[name].p50} ms, p95 ${results[name].p95} ms (server CPU ${results[name].cpuMsPerRequest} ms per request)`);

  // Diagnostics: break and fix one reference of one open document, alternately.
  const edited = sample[0];
  const file = fileURLToPath(edited.uri);
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const broken = [...lines];
  broken[edited.line] = broken[edited.line].replace('>>', 'x>>');
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: edited.uri, languageId: 'markdown', version: 1, text } });
  const samples = [];
  const cpu = server.cpuMs();
  for (let i = 0; i < 100; i++) {
    const published = server.nextDiagnostics(edited.uri);
    const t = now();
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri: edited.uri, version: i + 2 }, contentChanges: [{ text: i % 2 === 0 ? broken.join('\n') : text }] });
    await published;
    samples.push(now() - t);
  }
  results.diagnostics = { ...percentiles(samples), cpuMsPerEdit: Math.round(((server.cpuMs() - cpu) / samples.length) * 10) / 10 };
  log(`  diagnostics after an edit: p50 ${results.diagnostics.p50} ms, p95 ${results.diagnostics.p95} ms (server CPU ${results.diagnostics.cpuMsPerEdit} ms per edit)`);
  results.peakMiB = server.peakMiB();
  log(`  peak memory: ${results.peakMiB} MiB`);
  await server.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// --- TypeScript completion in the repository's own docs/ -------------------------------
{
  const document = path.join(ROOT, 'docs/cells/bus.lit.md');
  const uri = pathToFileURL(document).href;
  const text = readFileSync(document, 'utf8');
  const lines = text.split('\n');
  // A code line inside a ts fence with `this.` or an identifier followed by `.`: complete after the dot.
  let fence = false;
  let target;
  lines.forEach((line, i) => {
    if (/^\s*```/.test(line)) fence = !fence && /^\s*```ts\b/.test(line);
    else if (fence && !target && /^\s+[a-z]\w*\.\w/.test(line)) target = { line: i, character: line.indexOf('.') + 1 };
  });
  const server = await startServer(ROOT);
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text } });
  const request = () => server.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: target });
  const t0 = now();
  await request();
  results.typescriptFirstCompletionMs = Math.round(now() - t0);
  for (let i = 0; i < 5; i++) await request();
  const samples = [];
  const cpu = server.cpuMs();
  for (let i = 0; i < 50; i++) {
    // An edit of a prose line (a new version of the buffer), then a completion.
    const changed = [...lines];
    changed[0] = `${lines[0]}${i % 2 === 0 ? ' ' : ''}`;
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [{ text: changed.join('\n') }] });
    const t = now();
    const items = await request();
    samples.push(now() - t);
    if (!items || items.length === 0) throw new Error(`no TypeScript completion at ${path.relative(ROOT, document)}:${target.line + 1}:${target.character + 1}`);
  }
  results.typescriptCompletion = { document: path.relative(ROOT, document), line: target.line + 1, ...percentiles(samples), cpuMsPerEditAndRequest: Math.round(((server.cpuMs() - cpu) / samples.length) * 10) / 10 };
  log(
    `  TypeScript completion in ${path.relative(ROOT, document)} (first ${results.typescriptFirstCompletionMs} ms): p50 ${results.typescriptCompletion.p50} ms, p95 ${results.typescriptCompletion.p95} ms (server CPU ${results.typescriptCompletion.cpuMsPerEditAndRequest} ms per edit and request)`,
  );
  await server.stop();
}

results.loadAverageAfter = os.loadavg().map((l) => Math.round(l * 100) / 100);
log(`  load average before ${results.loadAverageBefore.join(' ')}, after ${results.loadAverageAfter.join(' ')}`);
if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
