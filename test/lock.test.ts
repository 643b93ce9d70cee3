/**
 * One writer at a time: `.weft/lock` holds the pid (and, on Linux, the start time) of the
 * weft that is writing. A second weft says who holds the lock and writes nothing; a lock
 * left by a process that is gone (killed, crashed), even if its pid was given to another
 * process since, is taken over by the next run, by one process only.
 *
 * `LOCK_ROUNDS=60 npx vitest run test/lock.test.ts -t racing --testTimeout=200000` runs
 * the race between processes for longer (2 rounds of 8 processes by default).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { snapshot } from './fixtures/reliability/properties.mjs';
import { fence, makeProject, REPO, weft, WEFT_BIN, weftAsync, writeFiles } from './helpers.js';

/** A project whose tangle writes `count` outputs (long enough to overlap with another run). */
function documents(count: number, version: string): Record<string, string> {
  let text = '# Many outputs\n\n';
  for (let i = 0; i < count; i++) text += fence(`ts file=src-generated/f${i}.ts`, `export const version = '${version}';\nexport const value = ${i};`);
  return { 'docs/many.lit.md': text };
}

/** The pid of a process that has exited (and so cannot hold a lock). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

const outputsOf = (root: string) => Object.fromEntries(Object.entries(snapshot(root)).filter(([p]) => p.startsWith('src-generated/')).map(([p, f]) => [p, f.hash]));

describe('the lock', () => {
  test('a weft that finds the lock held by a running process says which and writes nothing', () => {
    const root = makeProject(documents(3, 'A'));
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFiles(root, { '.weft/lock': `${holder.pid}\n` });
      const result = weft(root, 'tangle', '--no-bundle');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`.weft/lock: error: another weft is running (pid ${holder.pid}); wait for it to finish [locked]`);
      expect(result.stderr).toContain('note: if no weft is running, delete .weft/lock');
      expect(existsSync(join(root, 'src-generated'))).toBe(false);
      expect(readFileSync(join(root, '.weft/lock'), 'utf8')).toBe(`${holder.pid}\n`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('a stale lock left by a process that is gone is taken over, and released after the run', () => {
    const root = makeProject(documents(3, 'A'));
    writeFiles(root, { '.weft/lock': `${deadPid()}\n` });
    const result = weft(root, 'tangle', '--no-bundle');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(join(root, 'src-generated/f2.ts'))).toBe(true);
    expect(existsSync(join(root, '.weft/lock'))).toBe(false);
  });

  test.runIf(existsSync('/proc/self/stat'))('a lock whose pid now belongs to another process (the holder died, the pid was reused) is taken over', () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const stat = readFileSync(`/proc/${other.pid}/stat`, 'utf8');
      const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      // The same pid and start time: that process holds the lock.
      const held = makeProject(documents(1, 'A'));
      writeFiles(held, { '.weft/lock': `${other.pid} ${started}\n` });
      const blocked = weft(held, 'tangle', '--no-bundle');
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toContain(`another weft is running (pid ${other.pid})`);
      // The same pid, another start time: the holder is gone and its pid was reused.
      const stale = makeProject(documents(1, 'A'));
      writeFiles(stale, { '.weft/lock': `${other.pid} ${Number(started) + 1}\n` });
      const run = weft(stale, 'tangle', '--no-bundle');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(existsSync(join(stale, 'src-generated/f0.ts'))).toBe(true);
      expect(existsSync(join(stale, '.weft/lock'))).toBe(false);
    } finally {
      other.kill('SIGKILL');
    }
  });

  test('a lock that holds no pid (empty, garbage) is taken over', () => {
    for (const garbage of ['', 'not a pid\n', '99999999999999999999\n']) {
      const root = makeProject(documents(1, 'A'));
      writeFiles(root, { '.weft/lock': garbage });
      expect(weft(root, 'tangle', '--no-bundle').code, JSON.stringify(garbage)).toBe(0);
    }
  });

  test('the lock of a weft killed with SIGKILL while writing is recovered by the next run', async () => {
    const root = makeProject(documents(400, 'A'));
    const child = spawn(process.execPath, [WEFT_BIN, 'tangle', '--no-bundle'], { cwd: root, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it as soon as it holds the lock.
    while (!existsSync(join(root, '.weft/lock')) && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
    child.kill('SIGKILL');
    await exited;
    const result = weft(root, 'tangle', '--no-bundle');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(Object.keys(outputsOf(root)).filter((p) => p.endsWith('.ts'))).toHaveLength(400);
  });

  test('two wefts started together never write at the same time, also when they find a stale lock: one writes, the other finds nothing to do or reports the lock', async () => {
    const root = makeProject(documents(300, 'A'));
    const outcomes = { wrote: 0, nothingToDo: 0, locked: 0 };
    for (const [round, version] of ['B', 'C', 'D'].entries()) {
      writeFiles(root, documents(300, version));
      if (round % 2 === 1) writeFiles(root, { '.weft/lock': `${deadPid()}\n` });
      const runs = await Promise.all([weftAsync(root, 'tangle', '--no-bundle', '--json'), weftAsync(root, 'tangle', '--no-bundle', '--json')]);
      const writers = runs.filter((run) => run.code === 0 && JSON.parse(run.stdout).summary.written > 0);
      // A second writer would find the outputs still old, so it too would report them written.
      expect(writers, `round ${round}`).toHaveLength(1);
      for (const run of runs) {
        const { ok, summary, diagnostics } = JSON.parse(run.stdout);
        if (ok) outcomes[summary.written > 0 ? 'wrote' : 'nothingToDo']++;
        else {
          outcomes.locked++;
          expect(diagnostics.map((d: { rule: string }) => d.rule)).toEqual(['locked']);
        }
      }
      expect(readFileSync(join(root, 'src-generated/f299.ts'), 'utf8')).toContain(`export const version = '${version}';`);
      expect(existsSync(join(root, '.weft/lock'))).toBe(false);
    }
    console.log(`lock test: 6 concurrent runs: ${outcomes.wrote} wrote, ${outcomes.nothingToDo} found nothing to do, ${outcomes.locked} found the lock taken`);
  });

  test('eight processes racing for a stale lock: never two holders at once', async () => {
    const root = makeProject({});
    // Each child waits for the same instant and takes the lock; while it holds it, it holds a
    // marker file made with O_EXCL too, so a second holder at the same moment cannot make it
    // (no clocks compared across processes: exit code 4 says two held the lock at once).
    const child = `
      const { openSync, closeSync, rmSync } = await import('node:fs');
      const { acquireLock } = await import(${JSON.stringify(join(REPO, 'lib/write.js'))});
      const [root, startAt] = process.argv.slice(1);
      while (Date.now() < Number(startAt));
      const lock = acquireLock(root);
      if ('error' in lock) process.exit(3);
      let marker;
      try {
        marker = openSync(root + '/.weft/holder', 'wx');
      } catch {
        process.exit(4);
      }
      const start = Date.now();
      while (Date.now() < start + 30);
      closeSync(marker);
      rmSync(root + '/.weft/holder');
      lock.release();`;
    let held = 0;
    const rounds = Number(process.env.LOCK_ROUNDS ?? 2);
    for (let round = 0; round < rounds; round++) {
      writeFiles(root, { '.weft/lock': `${deadPid()}\n` });
      const startAt = Date.now() + 400;
      const codes = await Promise.all(
        Array.from({ length: 8 }, () => new Promise<number>((resolve) => {
          execFile(process.execPath, ['--input-type=module', '-e', child, root, String(startAt)], (error) => resolve(error ? ((error as { code?: number }).code ?? 1) : 0));
        })),
      );
      expect(codes.filter((code) => code !== 0 && code !== 3), `round ${round}: exit codes ${codes.join(' ')} (4: two holders at once)`).toEqual([]);
      expect(codes.filter((code) => code === 0).length, `round ${round}`).toBeGreaterThanOrEqual(1);
      held += codes.filter((code) => code === 0).length;
    }
    console.log(`lock test: ${rounds * 8} racing processes, ${held} took the lock, one at a time`);
  });
});
