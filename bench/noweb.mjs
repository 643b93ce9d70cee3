// Tangle a corpus from bench/generate.mjs with noweb, as the baseline Weft is compared
// against. Every document's two outputs land in `outDir/src-generated/mod-XXXX/{a,b}.ts`.
//
// Strategies (all honest uses of noweb's own commands, run with bounded parallelism):
// - `noweb-batched` (default, fastest): `noweb -t doc1.nw doc2.nw ...`. `noweb -t`
//   skips weaving and pipes each file through `markup | mnt -all`, which writes every
//   root chunk whose name has no spaces to the file of that name, relative to the
//   working directory. One `sh` per batch of files instead of one per file. Files are
//   still processed one by one, so chunk names stay per document (passing several
//   files to `notangle` would merge their chunks into one web).
// - `noweb-per-document`: one `noweb -t doc.nw` per document.
// - `notangle-per-output`: one `notangle -R<root> doc.nw > root` per output file, the
//   classic Makefile recipe; it parses each document once per output.
//
// Things about noweb that the harness has to respect:
// - mnt does not create directories ("Can't open output file"), so we create them
//   first, as Weft has to.
// - mnt leaves a file untouched when its content is unchanged (like `cpif`); for a
//   cold-build timing give it an empty `outDir`.
// - Any output on stderr (an undefined chunk, a missing root) is treated as a failure:
//   the corpus is meant to tangle cleanly.

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, open, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { outputPathsFor } from './generate.mjs';

/**
 * Most documents per `noweb` call: 500 absolute paths are ~50 KB of arguments, far
 * below Linux's 2 MB ARG_MAX, and batches this large already amortise the shell.
 */
const MAX_BATCH = 500;

/** The strategies `tangleWithNoweb` accepts; the first is the default. */
export const NOWEB_STRATEGIES = ['noweb-batched', 'noweb-per-document', 'notangle-per-output'];

/** Whether `noweb` and `notangle` are on the PATH (checked without spawning). */
export function nowebAvailable() {
  return ['noweb', 'notangle'].every((command) => findOnPath(command) !== null);
}

/**
 * Tangle every `nw/*.nw` document of a generated project into `outDir`.
 * @param {string} projectDir directory written by `writeProject`
 * @param {string} outDir where `src-generated/...` is written; should be empty for timing
 * @param {{strategy?: string, concurrency?: number, batchSize?: number}} [options]
 *   strategy: one of NOWEB_STRATEGIES (default `noweb-batched`);
 *   concurrency: processes at once (default: number of cores);
 *   batchSize: documents per `noweb` call for `noweb-batched` (default: an even split
 *   into a multiple of `concurrency` calls of at most MAX_BATCH documents each)
 * @returns {Promise<{strategy: string, documents: number, outputs: number, processes: number}>}
 *   processes counts the commands started (each one is a shell pipeline of 2-3 programs)
 */
export async function tangleWithNoweb(projectDir, outDir, options = {}) {
  const { strategy = NOWEB_STRATEGIES[0], concurrency = availableParallelism() } = options;
  if (!NOWEB_STRATEGIES.includes(strategy)) {
    throw new TypeError(`Unknown noweb strategy \`${strategy}\`; use one of ${NOWEB_STRATEGIES.join(', ')}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError('Expected `concurrency` to be a positive integer');
  if (!nowebAvailable()) throw new Error('noweb is not installed: apt-get install -y noweb');

  const sourceDir = path.resolve(projectDir, 'nw');
  const documents = (await readdir(sourceDir)).filter((name) => name.endsWith('.nw')).sort()
    .map((name) => ({ source: path.join(sourceDir, name), outputs: outputPathsFor(name.slice(0, -'.nw'.length)) }));
  const target = path.resolve(outDir);
  const directories = new Set(documents.flatMap((doc) => doc.outputs.map((output) => path.dirname(path.join(target, output)))));
  await Promise.all([...directories].map((directory) => mkdir(directory, { recursive: true })));

  const jobs = [];
  if (strategy === 'noweb-batched') {
    // Documents are about the same size, so equal batches keep every core busy until the end.
    const rounds = Math.ceil(documents.length / (concurrency * MAX_BATCH));
    const size = options.batchSize ?? Math.max(1, Math.ceil(documents.length / (concurrency * rounds)));
    for (let i = 0; i < documents.length; i += size) {
      const sources = documents.slice(i, i + size).map((doc) => doc.source);
      jobs.push(() => run('noweb', ['-t', ...sources], { cwd: target }));
    }
  } else if (strategy === 'noweb-per-document') {
    for (const doc of documents) jobs.push(() => run('noweb', ['-t', doc.source], { cwd: target }));
  } else {
    for (const doc of documents) {
      for (const output of doc.outputs) {
        jobs.push(() => run('notangle', [`-R${output}`, doc.source], { cwd: target, stdoutFile: path.join(target, output) }));
      }
    }
  }
  await runPool(jobs, concurrency);
  return { strategy, documents: documents.length, outputs: documents.length * 2, processes: jobs.length };
}

/** Run `jobs` (functions returning promises) with at most `limit` in flight; fail fast. */
async function runPool(jobs, limit) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}

/**
 * Spawn a command without a shell of our own; stdout goes to `stdoutFile` when given,
 * like `> file`. Rejects on a non-zero exit or on anything written to stderr.
 */
async function run(command, args, { cwd, stdoutFile }) {
  const handle = stdoutFile ? await open(stdoutFile, 'w') : null;
  try {
    await new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd, stdio: ['ignore', handle ? handle.fd : 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (text) => { stderr += text; });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code === 0 && stderr === '') resolve();
        else reject(new Error(`${command} ${args.slice(0, 3).join(' ')}${args.length > 3 ? ' ...' : ''} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
      });
    });
  } finally {
    await handle?.close();
  }
}

function findOnPath(command) {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    const candidate = path.join(directory, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return null;
}
