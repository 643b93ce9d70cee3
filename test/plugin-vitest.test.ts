/**
 * Vitest through `weft-lit/vite`, run programmatically: a `.lit.md` test plan is collected as
 * its test output and a failure points at the Markdown; a document without tests is not
 * collected (`weftTestDocs`).
 */
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startVitest } from 'vitest/node';
import { weft, weftTestDocs } from '../tangle/plugins/vite.js';
import { makeProject, REPO } from './helpers.js';

/** A project with a test plan (one failing assertion at plan.lit.md line 12) and a document without tests. */
function planProject(): string {
  const dir = makeProject({
    'weft.config.json': '{ "sources": ["docs/*.lit.md"], "outputDirs": ["src-generated"] }',
    'docs/add.lit.md': '# Adding\n\n```ts file=src-generated/add.ts\nexport const add = (a: number, b: number) => a + b;\n```\n',
    'docs/plan.lit.md': [
      '# The plan for `add`',
      '',
      '```ts file=src-generated/add.test.ts',
      "import { expect, test } from 'vitest';",
      "import { add } from './add';",
      '',
      '<<check-the-sum>>',
      '```',
      '',
      '```ts #check-the-sum',
      "test('adds', () => {",
      '  expect(add(1, 2)).toBe(4);',
      '});',
      '```',
      '',
    ].join('\n'),
  });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

describe('Vitest with weft-lit/vite', () => {
  test('weftTestDocs lists only documents with a test output', async () => {
    expect(await weftTestDocs({ root: planProject() })).toEqual(['docs/plan.lit.md']);
  });

  test('a failing assertion in a .lit.md test plan is reported at its line', async () => {
    const dir = planProject();
    const include = await weftTestDocs({ root: dir });
    const vitest = await startVitest('test', [], { root: dir, include, watch: false, reporters: [{}], config: false }, { plugins: [weft({ write: false })] });
    try {
      const files = vitest.state.getFiles();
      expect(files.map((f) => f.filepath)).toEqual([join(dir, 'docs/plan.lit.md')]);
      const failed = files[0]!.tasks[0]!;
      expect(failed.name).toBe('adds');
      const error = failed.result!.errors![0]!;
      expect(error.message).toBe('expected 3 to be 4 // Object.is equality');
      expect(error.stacks!.map((s) => `${s.file}:${s.line}:${s.column}`)).toContain(`${join(dir, 'docs/plan.lit.md')}:12:21`);
    } finally {
      await vitest.close();
    }
  }, 60_000);
});
