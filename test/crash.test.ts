/**
 * Crash safety: `weft tangle` killed with SIGKILL at random moments.
 *
 * A project with 120 outputs (TypeScript with source maps, executable scripts) flips
 * between two versions of its documents; version B changes every output, drops some
 * (orphans to delete) and adds others. Each trial writes one version's documents,
 * starts `weft tangle` and kills it after a random delay, until 50 runs were killed
 * (a run that finishes first does not count, and makes later delays shorter). After
 * every trial:
 *
 * - every output is entirely one version's content or absent, never a mixture;
 * - the manifest is consistent with the files, meaning: `.weft/manifest.json` is absent
 *   or valid, and every output file on disk is accounted for, that is its SHA-256 equals
 *   its manifest entry's hash, or the journal (`.weft/journal.json`, present) accepts
 *   that hash for the path (the old or the new content of an interrupted write). An output
 *   accounted for is Weft's to overwrite; anything else would be treated as a hand edit.
 *   (The journal lists, per output, every content hash it accepts as Weft's own.)
 *
 * Every 25th trial, and at the end, `weft tangle` runs to completion and must repair
 * everything: exactly the current version's outputs (content, mode, maps), no orphans,
 * no temporary files, no journal, a manifest that matches, and no hand-edit complaint.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tangle } from '../tangle/context.js';
import { makeProject, WEFT_BIN, weftAsync, writeFiles } from './helpers.js';

/** Kills to survive (runs that finish before their kill do not count). */
const KILLS = 50;
const DOCUMENTS = 4;
const OUTPUTS_PER_DOCUMENT = 30;

type Version = 'A' | 'B';

/** The documents of one version of the project. */
function documents(version: Version): Record<string, string> {
  const files: Record<string, string> = {};
  for (let d = 0; d < DOCUMENTS; d++) {
    let text = `# Module ${d}, version ${version}\n\n`;
    for (let i = 0; i < OUTPUTS_PER_DOCUMENT; i++) {
      const dropped = version === 'B' && i % 7 === 0;
      const script = i % 10 === 9;
      const path = script ? `scripts/m${d}-${i}.sh` : `src-generated/m${d}/${dropped ? 'new' : 'f'}${i}.ts`;
      const body = script
        ? `#!/bin/sh\necho "module ${d} script ${i} version ${version}"\n${'echo line\n'.repeat(20)}`
        : `export const version = '${version}';\n${Array.from({ length: 30 }, (_, k) => `export const value${k} = ${k * (version === 'A' ? 1 : 2)};`).join('\n')}\n`;
      text += `Output ${i}.\n\n\`\`\`${script ? 'sh' : 'ts'} file=${path}\n${body}\`\`\`\n\n`;
    }
    files[`docs/m${d}.lit.md`] = text;
  }
  return files;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Every file below `dir`, project-relative (no folders). */
function filesBelow(root: string, dir = ''): string[] {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesBelow(root, path) : [path];
  });
}

/** Each version's outputs exactly as a clean tangle writes them (path → bytes and mode). */
async function expectedOutputs(version: Version): Promise<Map<string, { content: string; mode: number }>> {
  const root = makeProject(documents(version));
  const result = await tangle({ root, bundle: false, cache: false });
  expect(result.ok).toBe(true);
  const expected = new Map<string, { content: string; mode: number }>();
  for (const path of [...filesBelow(root, 'src-generated'), ...filesBelow(root, 'scripts')]) {
    expected.set(path, { content: readFileSync(join(root, path), 'utf8'), mode: statSync(join(root, path)).mode & 0o777 });
  }
  return expected;
}

/** A small seeded generator (mulberry32), so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Start `weft tangle`, kill it with SIGKILL after `delay` ms; resolve how it ended. */
function tangleKilledAfter(root: string, delay: number): Promise<'killed' | 'finished'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WEFT_BIN, 'tangle', '--no-bundle'], { cwd: root, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : 'finished');
    });
  });
}

/** `.weft/journal.json` as far as the test reads it: the contents still accepted as Weft's, per output. */
interface Journal {
  accepted?: Record<string, string[]>;
}

/** The invariants that must hold at any instant, even right after a SIGKILL. */
function checkAfterKill(root: string, versions: Record<Version, Map<string, { content: string }>>, trial: string): { journal: boolean } {
  const outputs = new Set([...versions.A.keys(), ...versions.B.keys()]);
  const manifestText = existsSync(join(root, '.weft/manifest.json')) ? readFileSync(join(root, '.weft/manifest.json'), 'utf8') : undefined;
  const manifest = manifestText === undefined ? { outputs: {} } : (JSON.parse(manifestText) as { outputs: Record<string, { hash: string }> });
  const journalPath = join(root, '.weft/journal.json');
  const journal = existsSync(journalPath) ? (JSON.parse(readFileSync(journalPath, 'utf8')) as Journal) : undefined;
  for (const path of outputs) {
    if (!existsSync(join(root, path))) continue;
    const content = readFileSync(join(root, path), 'utf8');
    expect([versions.A.get(path)?.content, versions.B.get(path)?.content], `${trial}: ${path} is a mixture`).toContain(content);
    if (path.endsWith('.map')) continue; // Derived data: rewritten whenever it differs, never in the manifest.
    const hash = sha256(content);
    const accounted =
      manifest.outputs[path]?.hash === hash || (journal?.accepted?.[path] ?? []).includes(hash);
    expect(accounted, `${trial}: ${path} is on disk but neither the manifest nor the journal accounts for its content`).toBe(true);
  }
  for (const path of [...filesBelow(root, 'src-generated'), ...filesBelow(root, 'scripts')]) {
    expect(outputs.has(path) || path.endsWith('.map') || path.includes('.weft-tmp-'), `${trial}: unexpected file ${path}`).toBe(true);
  }
  return { journal: journal !== undefined };
}

/** After a run to completion: exactly `expected` on disk, nothing else, nothing left over. */
async function checkRepaired(root: string, expected: Map<string, { content: string; mode: number }>, trial: string): Promise<void> {
  const result = await weftAsync(root, 'tangle', '--no-bundle');
  expect(result.stderr, trial).toBe('');
  expect(result.code, trial).toBe(0);
  const onDisk = [...filesBelow(root, 'src-generated'), ...filesBelow(root, 'scripts')].sort();
  const wanted = new Set(expected.keys());
  expect(onDisk.filter((p) => !wanted.has(p)), `${trial}: files that should not be there`).toEqual([]);
  expect(onDisk, trial).toEqual([...expected.keys()].sort());
  for (const [path, { content, mode }] of expected) {
    expect(readFileSync(join(root, path), 'utf8'), `${trial}: ${path}`).toBe(content);
    expect(statSync(join(root, path)).mode & 0o777, `${trial}: mode of ${path}`).toBe(mode);
  }
  const manifest = JSON.parse(readFileSync(join(root, '.weft/manifest.json'), 'utf8')) as { outputs: Record<string, { hash: string }> };
  const outputs = [...expected.keys()].filter((p) => !p.endsWith('.map'));
  expect(Object.keys(manifest.outputs).sort(), trial).toEqual(outputs.sort());
  for (const path of outputs) expect(manifest.outputs[path]!.hash, `${trial}: manifest hash of ${path}`).toBe(sha256(expected.get(path)!.content));
  expect(existsSync(join(root, '.weft/journal.json')), `${trial}: journal left behind`).toBe(false);
  const leftovers = filesBelow(root).filter((p) => p.includes('.weft-tmp-') || p.endsWith('.tmp') || p === '.weft/lock');
  expect(leftovers, `${trial}: temporary files left behind`).toEqual([]);
}

type Versions = Record<Version, Map<string, { content: string; mode: number }>>;
type Outcomes = { killed: number; finished: number; midWrite: number };

/**
 * Kill `weft tangle` in a fresh project until `kills` runs were killed; return how long
 * one whole run took. Delays aim at the
 * writes: a run that beats its kill lowers the latest delay, a kill that came before any
 * write raises the earliest; both drift apart a little every trial.
 */
async function killRepeatedly(versions: Versions, kills: number, seed: number, outcomes: Outcomes): Promise<number> {
  const root = makeProject(documents('A'));
  // How long a whole run takes here (start-up, parse, write), to aim the kills at it.
  const started = performance.now();
  expect(await tangleKilledAfter(root, 60_000)).toBe('finished');
  const duration = performance.now() - started;
  rmSync(join(root, 'src-generated'), { recursive: true });
  rmSync(join(root, 'scripts'), { recursive: true, force: true });
  rmSync(join(root, '.weft'), { recursive: true });

  const next = random(seed);
  let version: Version = 'A';
  let killed = 0;
  let earliest = duration * 0.2;
  let latest = duration * 0.8;
  for (let trial = 1; killed < kills && trial <= kills * 3; trial++) {
    const label = `trial ${trial} (seed ${seed})`;
    if (next() < 0.85) {
      version = version === 'A' ? 'B' : 'A';
      writeFiles(root, documents(version));
    }
    const delay = earliest + (latest - earliest) * next();
    const ended = await tangleKilledAfter(root, delay);
    outcomes[ended]++;
    const { journal } = checkAfterKill(root, versions, label);
    if (ended === 'finished') latest = Math.max(earliest + 20, delay * 0.9);
    else {
      killed++;
      if (journal) outcomes.midWrite++;
      else earliest = Math.min(latest - 20, delay);
    }
    earliest = Math.max(0, earliest - 3);
    latest += 3;
    if (trial % 25 === 0) await checkRepaired(root, versions[version], label);
  }
  await checkRepaired(root, versions[version], `after the last trial (seed ${seed})`);
  return duration;
}

describe('weft tangle killed with SIGKILL at random moments', () => {
  test(`${KILLS} kills over ${DOCUMENTS * OUTPUTS_PER_DOCUMENT} outputs: every output old or new, manifest consistent, next run repairs everything`, { timeout: 300_000 }, async () => {
    const versions = { A: await expectedOutputs('A'), B: await expectedOutputs('B') };
    const seed = Date.now() % 2 ** 31;
    const outcomes: Outcomes = { killed: 0, finished: 0, midWrite: 0 };
    const duration = await killRepeatedly(versions, KILLS, seed, outcomes);
    // The test has teeth only if kills land while outputs are being written.
    expect(outcomes.killed).toBe(KILLS);
    expect(outcomes.midWrite).toBeGreaterThanOrEqual(KILLS / 5);
    console.log(`crash test: one run ${Math.round(duration)} ms; ${outcomes.killed} kills (${outcomes.midWrite} mid-write), ${outcomes.finished} runs finished first; seed ${seed}`);
  });
});
