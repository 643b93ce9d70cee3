// generated from docs/cells/deploy.lit.md by weft — edit the source, not this file
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleScript, freePort, type Bundle } from './testing/helpers.js';

const scripts = fileURLToPath(new URL('../../scripts/cells/', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', [join(scripts, script)], { env: { ...process.env, ...env }, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

let bundle: Bundle;
let runDirectory: string;
beforeAll(async () => {
  bundle = await bundleScript(fileURLToPath(new URL('./service/main.ts', import.meta.url)));
  runDirectory = await mkdtemp(join(tmpdir(), 'weft-cells-run-'));
});
afterAll(async () => {
  await bundle.dispose();
  await rm(runDirectory, { recursive: true, force: true });
});

describe('the deployment scripts', () => {
  it('start the service, pass the smoke test against it, and stop it', async () => {
    const port = String(await freePort());
    const env = {
      PORT: port,
      CELLS_SERVICE_BUNDLE: bundle.path,
      CELLS_RUN_DIR: runDirectory,
      CELLS_IN_CHILD_PROCESS: 'audit',
      AUDIT_LOG: join(runDirectory, 'audit.jsonl'),
    };
    const started = await run('start.sh', env);
    expect(started).toMatchObject({ code: 0, stdout: expect.stringContaining(`start: cells-kv is up on http://127.0.0.1:${port}`) });
    try {
      const smoke = await run('smoke.sh', env);
      expect(smoke).toEqual({ code: 0, stdout: `smoke: OK: 10 checks against http://127.0.0.1:${port}\n`, stderr: '' });
      expect(await run('start.sh', env)).toMatchObject({ code: 1, stderr: expect.stringContaining('start: already running as pid') });
    } finally {
      const stopped = await run('stop.sh', env);
      expect(stopped).toMatchObject({ code: 0, stdout: expect.stringMatching(/^stop: stopped pid \d+\n$/) });
    }
    const log = await readFile(join(runDirectory, 'service.log'), 'utf8');
    expect(log).toContain('cells-kv: listening on');
    expect(log).toContain('cells-kv: SIGTERM, stopping');
    expect(await run('stop.sh', env)).toMatchObject({ code: 0, stdout: `stop: not running on port ${port} (no ${runDirectory}/service.pid)\n` });
  });

  it('fail the smoke test loudly when nothing is listening', async () => {
    const smoke = await run('smoke.sh', { PORT: String(await freePort()) });
    expect(smoke.code).toBe(1);
    expect(smoke.stderr).toMatch(/smoke: FAIL: PUT \/kv\/smoke-\d+-\d+: no answer from http:\/\/127\.0\.0\.1:\d+/);
  });

  it('refuse to start without a bundle, saying how to build one', async () => {
    const started = await run('start.sh', { PORT: '1', CELLS_SERVICE_BUNDLE: join(runDirectory, 'missing.js'), CELLS_RUN_DIR: runDirectory });
    expect(started).toMatchObject({
      code: 1,
      stderr: `start: no bundle at ${join(runDirectory, 'missing.js')}; run 'node bin/weft.js tangle' to build it, or set CELLS_SERVICE_BUNDLE\n`,
    });
  });
});
//# sourceMappingURL=deploy.test.ts.map
