/**
 * Literate deployment guides: the repository's own tangled shell scripts are real.
 *
 * Every executable shell script that the repository's documents tangle (found through
 * `tangle()`, so a new guide is picked up without editing this file) must be on disk as
 * tangled, executable, stop at the first error (`set -euo pipefail`), and run to exit 0
 * from the repository root.
 *
 * Scripts of one folder run in order, as a deployment would: `start.sh` first, `stop.sh`
 * last (also when an earlier one failed, so nothing is left running), the others in
 * between by name. Each folder gets a free `PORT` (and `NATS_PORT`, `PORT_A`, `PORT_B` for
 * scripts that start more than one server) and its own `TMPDIR`, so a service a script
 * starts does not collide with another run of the tests.
 *
 * A script that needs a program the repository does not install says so in a comment,
 * `# requires: nats-server`. Where that program is missing its run fails with the command
 * that installs it (.ci/run installs every one): never skipped, so no run passes by not testing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isShellScript } from '../tangle/check.js';
import { tangle } from '../tangle/context.js';
import type { Output } from '../tangle/types.js';
import { REPO, type Run } from './helpers.js';

const { outputs } = await tangle({ root: REPO, check: true, bundle: false });
const scripts = outputs.filter((output) => isShellScript(output) && output.content.startsWith('#!'));

/** Scripts of one folder in the order a deployment runs them. */
function deploymentOrder(list: Output[]): Output[] {
  const rank = (output: Output) => ({ 'start.sh': 0, 'stop.sh': 2 })[posix.basename(output.path)] ?? 1;
  return [...list].sort((a, b) => rank(a) - rank(b) || (a.path < b.path ? -1 : 1));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Run a script from the repository root; resolves when it exits and its output is closed. */
function runScript(path: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(join(REPO, path), [], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data));
    child.stderr.on('data', (data: Buffer) => (stderr += data));
    child.on('error', (error) => resolve({ code: -1, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? -1, stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr }));
  });
}

/** The programs a script declares with `# requires: a b`, that are not on PATH. */
function missingRequirements(content: string): string[] {
  const required = [...content.matchAll(/^# requires: (.+)$/gm)].flatMap((match) => (match[1] ?? '').trim().split(/\s+/));
  return required.filter((program) => spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0);
}

it('the repository tangles at least one executable shell script', () => {
  expect(scripts.map((s) => s.path)).not.toEqual([]);
});

const folders = [...new Set(scripts.map((s) => posix.dirname(s.path)))].sort();
for (const folder of folders) {
  describe(`${folder}/`, { timeout: 120_000 }, () => {
    let env: NodeJS.ProcessEnv;
    let temporary: string;
    beforeAll(async () => {
      temporary = mkdtempSync(join(tmpdir(), 'weft-scripts-'));
      env = {
        ...process.env,
        PORT: String(await freePort()),
        NATS_PORT: String(await freePort()),
        PORT_A: String(await freePort()),
        PORT_B: String(await freePort()),
        TMPDIR: temporary,
      };
      for (const key of Object.keys(env)) if (/^(VITEST|TEST$)/.test(key)) delete env[key];
    });
    afterAll(() => rmSync(temporary, { recursive: true, force: true }));

    for (const script of deploymentOrder(scripts.filter((s) => posix.dirname(s.path) === folder))) {
      it(`${script.path} is on disk as tangled from ${script.document}, executable, and stops at the first error`, () => {
        expect(readFileSync(join(REPO, script.path), 'utf8'), `${script.path} is stale: run weft tangle`).toBe(script.content);
        expect(statSync(join(REPO, script.path)).mode & 0o777).toBe(0o755);
        expect(script.content).toMatch(/^set -euo pipefail$/m);
      });

      it(`${script.path} runs and exits 0`, async () => {
        // Never skipped: a program the script needs (`# requires:`) that is missing fails
        // the test with the one line that installs it (.ci/run installs them all).
        const missing = missingRequirements(script.content);
        expect(missing, `not installed: ${missing.join(', ')}; install with apt-get install -y ${missing.join(' ')}`).toEqual([]);
        const run = await runScript(script.path, env);
        expect(run.code, `${script.path} exited with ${run.code}\n${run.stdout}${run.stderr}`).toBe(0);
      });
    }
  });
}
