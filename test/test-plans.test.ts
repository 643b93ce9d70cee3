/**
 * Literate test plans, end to end: a failing assertion in a test plan tangled from a
 * `.lit.md` is reported by vitest at the Markdown line and column.
 *
 * Nothing in vitest is special-cased: vite reads the `//# sourceMappingURL=` comment of
 * each file it loads and chains that input map into its own, so vitest's stack traces
 * land in the document. What it needs is the `.map` file beside the test, which
 * `weft tangle` writes (the maps are not committed, so `npm test` tangles first).
 *
 * vitest runs as a child process in a temporary project that uses this repository's
 * vitest (node_modules is a symbolic link to ours).
 */
import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProject, REPO, weft } from './helpers.js';

// Line numbers are the array index + 1; the comments give them for the expectations.
const PLAN = [
  '# Counter', // 1
  '',
  '```ts file=src-generated/counter.ts',
  'export function next(count: number): number {',
  '  return count + 2;', // 5: the bug
  '}',
  '```',
  '',
  '## Test plan',
  '', // 10
  '```ts file=src-generated/counter.test.ts',
  "import { describe, expect, it } from 'vitest';",
  "import { next } from './counter.js';",
  '',
  "describe('next', () => {", // 15
  "  it('adds one', () => {",
  '    expect(next(1)).toBe(2);', // 17: fails at `toBe`, column 21
  '  });',
  '',
  '  <<count-from-zero>>', // 20
  '});',
  '```',
  '',
  'A test kept in a chunk, tangled two columns to the right of where it is written:',
  '', // 25
  '```ts #count-from-zero',
  "it('counts from zero', () => {",
  '  expect(next(0)).toBe(1);', // 28: fails at `toBe`, column 19 here (21 in the tangled file)
  '});',
  '```', // 30
  '',
].join('\n');

/** This process's environment without vitest's own variables (the child runs its own vitest). */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [key, value] of Object.entries(process.env)) if (!/^(VITEST|TEST$|NODE_ENV$|FORCE_COLOR$)/.test(key)) env[key] = value;
  return env;
}

describe('a failing literate test plan', { timeout: 120_000 }, () => {
  let output: string;
  let code: number | null;
  beforeAll(() => {
    const dir = makeProject({
      'docs/counter.lit.md': PLAN,
      'vitest.config.ts': "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({ test: { include: ['src-generated/**/*.test.ts'] } });\n",
      'package.json': '{ "type": "module" }\n',
    });
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    expect(weft(dir, 'tangle').code).toBe(0);
    const run = spawnSync(process.execPath, [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run'], { cwd: dir, encoding: 'utf8', env: childEnvironment() });
    output = run.stdout + run.stderr;
    code = run.status;
  }, 120_000);

  it('fails the run', () => {
    expect(code).toBe(1);
    expect(output).toMatch(/Tests +2 failed \(2\)/);
  });

  it('is reported by vitest at the .lit.md line and column of the failing assertion', () => {
    const locations = output.split('\n').filter((line) => /❯ \S+:\d+:\d+$/.test(line.trim())).map((line) => line.trim());
    expect(locations).toEqual(['❯ docs/counter.lit.md:17:21', '❯ docs/counter.lit.md:28:19']);
  });

  it('names the test plan, not the tangled file, as the place to look', () => {
    expect(output).not.toMatch(/src-generated\/counter\.test\.ts:\d+/);
  });
});
