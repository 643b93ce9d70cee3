/**
 * Weft's pure core is written in Weft: `docs/engine/*.lit.md` tangle into `tangle/*.ts`.
 * The committed `tangle/*.ts` are the bootstrap, as noweb's committed C is. This test
 * proves the fixpoint the way a compiler that compiles itself does:
 *
 *   stage 1: the engine built from the committed files (`lib/`) tangles docs/engine → T1,
 *            and T1 must equal the committed files byte for byte;
 *   stage 2: an engine built from T1 (with the engine's non-literate files beside it)
 *            tangles docs/engine again → T2, and T2 must equal T1, source maps included.
 *
 * So the documents are the engine's source: a change to them that the committed engine
 * cannot reproduce, or that changes how the engine tangles itself, fails here.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, REPO, WEFT_BIN } from './helpers.js';

/** The first line of every tangled engine module. */
const LITERATE_HEADER = /^\/\/ generated from docs\/engine\/[\w.-]+\.lit\.md by weft/;

/** A project holding only the engine's documents, writing into its own `tangle/`. */
function engineProject(): string {
  const root = makeProject({ 'weft.config.json': JSON.stringify({ sources: ['docs/engine/*.lit.md'], outputDirs: ['tangle'] }) });
  cpSync(join(REPO, 'docs/engine'), join(root, 'docs/engine'), { recursive: true });
  return root;
}

function tangleWith(weftBin: string, root: string): void {
  execFileSync(process.execPath, [weftBin, 'tangle', '--no-bundle', '-C', root], { stdio: 'pipe' });
}

/** Every file directly in `dir`: name → bytes. */
function filesIn(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name))]),
  );
}

describe('the engine tangles itself', () => {
  it('reaches a fixpoint: the committed core, stage 1 and stage 2 are byte-identical', () => {
    const committed = readdirSync(join(REPO, 'tangle'))
      .filter((name) => name.endsWith('.ts') && LITERATE_HEADER.test(readFileSync(join(REPO, 'tangle', name), 'utf8')))
      .sort();
    expect(committed.length).toBeGreaterThan(0);

    const stage1 = engineProject();
    tangleWith(WEFT_BIN, stage1);
    const t1 = filesIn(join(stage1, 'tangle'));
    expect([...t1.keys()].filter((name) => name.endsWith('.ts'))).toEqual(committed);
    for (const name of committed) expect(t1.get(name)!.toString('utf8'), name).toBe(readFileSync(join(REPO, 'tangle', name), 'utf8'));

    // Stage 2: an engine whose literate core is stage 1's output.
    const engine = makeProject();
    cpSync(join(REPO, 'tangle'), join(engine, 'tangle'), { recursive: true, filter: (path) => !path.endsWith('.map') });
    for (const [name, bytes] of t1) writeFileSync(join(engine, 'tangle', name), bytes);
    for (const path of ['bin', 'build.mjs', 'package.json']) cpSync(join(REPO, path), join(engine, path), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(engine, 'node_modules'), 'dir');
    execFileSync(process.execPath, ['build.mjs'], { cwd: engine, stdio: 'pipe' });

    const stage2 = engineProject();
    tangleWith(join(engine, 'bin/weft.js'), stage2);
    const t2 = filesIn(join(stage2, 'tangle'));
    expect([...t2.keys()]).toEqual([...t1.keys()]);
    for (const [name, bytes] of t1) expect(t2.get(name)!.equals(bytes), name).toBe(true);
  }, 120_000);
});
