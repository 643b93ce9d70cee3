// Check that noweb tangles the generated corpus to exactly what the generator's own
// model says (`expectedOutputs`), then time noweb on larger corpora. This is what makes
// the noweb baseline trustworthy: if the outputs differed, the timings would compare
// different work.
//
// Usage: node bench/check-noweb.mjs [--verify 10,100] [--time 100,1000] [--runs 3]
//        [--strategies noweb-batched,noweb-per-document,notangle-per-output]
// Exit status 1 if any output differs or noweb fails.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { expectedOutputs, writeProject } from './generate.mjs';
import { NOWEB_STRATEGIES, nowebAvailable, tangleWithNoweb } from './noweb.mjs';

function parseArguments(argv) {
  const options = { verify: [10, 100], time: [100, 1000], runs: 3, strategies: NOWEB_STRATEGIES, seed: 1 };
  const numbers = (text) => text.split(',').filter(Boolean).map(Number);
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new TypeError(`${flag} needs a value`);
    if (flag === '--verify') options.verify = numbers(value);
    else if (flag === '--time') options.time = numbers(value);
    else if (flag === '--runs') options.runs = Number(value);
    else if (flag === '--strategies') options.strategies = value.split(',');
    else if (flag === '--seed') options.seed = value;
    else throw new TypeError(`Unknown option ${flag}`);
  }
  return options;
}

/**
 * Compare every expected output with the file noweb wrote, and flag files nobody
 * expected (`noweb -t` writes unused chunks as files); return the differences.
 */
async function compare(project, outDir) {
  const differences = [];
  const expectedFiles = expectedOutputs(project);
  const written = (await readdir(outDir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(outDir, path.join(entry.parentPath ?? entry.path, entry.name)).split(path.sep).join('/'));
  for (const file of written) if (!expectedFiles.has(file)) differences.push(`${file}: not expected`);
  for (const [file, expected] of expectedFiles) {
    const actual = await readFile(path.join(outDir, file), 'utf8').catch(() => null);
    if (actual === expected) continue;
    if (actual === null) {
      differences.push(`${file}: missing`);
      continue;
    }
    const actualLines = actual.split('\n');
    const expectedLines = expected.split('\n');
    const line = expectedLines.findIndex((text, i) => text !== actualLines[i]);
    differences.push(`${file}:${line + 1}: expected ${JSON.stringify(expectedLines[line])}, noweb wrote ${JSON.stringify(actualLines[line])}`);
  }
  return differences;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * CPU milliseconds (user + system) used by child processes that have been waited for,
 * from /proc/self/stat (Linux only; null elsewhere). Wall time on a shared machine
 * includes waiting for other people's work; this does not.
 */
async function childCpuMilliseconds() {
  const stat = await readFile('/proc/self/stat', 'utf8').catch(() => null);
  if (stat === null) return null;
  // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ, 100 on every mainstream Linux build
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (!nowebAvailable()) throw new Error('noweb is not installed: apt-get install -y noweb');
  const scratch = await mkdtemp(path.join(tmpdir(), 'weft-noweb-'));
  let failed = false;
  try {
    for (const docs of options.verify) {
      const projectDir = path.join(scratch, `verify-${docs}`);
      const project = await writeProject(projectDir, { docs, seed: options.seed });
      for (const strategy of options.strategies) {
        const outDir = path.join(scratch, `verify-${docs}-${strategy}`);
        await tangleWithNoweb(projectDir, outDir, { strategy });
        const differences = await compare(project, outDir);
        failed ||= differences.length > 0;
        const verdict = differences.length === 0 ? `all ${docs * 2} outputs identical` : `${differences.length} outputs differ`;
        console.log(`verify N=${docs} ${strategy}: ${verdict}`);
        for (const difference of differences.slice(0, 5)) console.log(`  ${difference}`);
        await rm(outDir, { recursive: true, force: true });
      }
    }

    console.log(`\ntiming on ${availableParallelism()} cores (load average ${loadavg()[0].toFixed(1)}), ${options.runs} cold runs each (fresh output directory): median wall time, median CPU time of the noweb processes`);
    for (const docs of options.time) {
      const projectDir = path.join(scratch, `time-${docs}`);
      await writeProject(projectDir, { docs, seed: options.seed });
      for (const strategy of options.strategies) {
        const times = [];
        const cpuTimes = [];
        let processes = 0;
        for (let run = 0; run < options.runs; run += 1) {
          const outDir = path.join(scratch, `time-${docs}-${strategy}-${run}`);
          const cpuBefore = await childCpuMilliseconds();
          const start = performance.now();
          ({ processes } = await tangleWithNoweb(projectDir, outDir, { strategy }));
          times.push(performance.now() - start);
          const cpuAfter = await childCpuMilliseconds();
          if (cpuAfter !== null) cpuTimes.push(cpuAfter - cpuBefore);
          await rm(outDir, { recursive: true, force: true });
        }
        const all = times.map((time) => time.toFixed(0)).join(', ');
        const cpu = cpuTimes.length > 0 ? `${median(cpuTimes).toFixed(0).padStart(6)} ms CPU` : '';
        console.log(`N=${String(docs).padEnd(5)} ${strategy.padEnd(20)} ${median(times).toFixed(0).padStart(6)} ms wall ${cpu}  (wall runs: ${all} ms; ${processes} commands)`);
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
