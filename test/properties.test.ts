/**
 * Property tests over hostile generated documents (garbage, huge lines, deeply nested
 * lists and quotes, unbalanced fences, control characters, invalid UTF-8, random
 * attribute strings): tangling never throws, only reports; it is deterministic and
 * idempotent; it writes only where it may, and nothing when it reports an error.
 *
 * The properties live in `fixtures/reliability/properties.mjs`, shared with
 * `test/fuzz.mjs`, which runs many more cases (`npm run fuzz`).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import * as index from '../tangle/index.js';
import { collectDocument } from '../tangle/collect.js';
import { emitFile } from '../tangle/emit.js';
import { parseDocument, remarkBlocks } from '../tangle/parse.js';
import { decodeSource } from '../tangle/read.js';
import { resolveProject } from '../tangle/resolve.js';
import { scanBlocks, tooComplexForRemark } from '../tangle/scan.js';
import { didYouMean } from '../tangle/messages.js';
import { hostileDocument } from './fixtures/reliability/generators.mjs';
import { diskProperty, pipelineProperty } from './fixtures/reliability/properties.mjs';

// The pipeline's stages are internals, not exports of the package: taken from their modules.
const engine = { ...index, decodeSource, parseDocument, remarkBlocks, scanBlocks, collectDocument, resolveProject, emitFile, tooComplexForRemark };

/** Cases per property in `npm test`; `npm run fuzz` runs thousands. */
const PIPELINE_RUNS = 200;
const DISK_RUNS = 80;
/** Half hostile everywhere, half hostile in everything but the code blocks (so outputs get written). */
const documents = fc.oneof(hostileDocument(), hostileDocument({ validCode: true }));

describe('tangling hostile documents', () => {
  test(`the pure stages never throw, give the same result twice, and the fast path agrees with remark (${PIPELINE_RUNS} documents)`, () => {
    fc.assert(
      fc.property(documents, (bytes) => pipelineProperty(engine, bytes)),
      { numRuns: PIPELINE_RUNS },
    );
  });

  test(`tangle never throws, stays in the output folders, is all or nothing, idempotent and deterministic (${DISK_RUNS} projects)`, async () => {
    let wrote = 0;
    await fc.assert(
      fc.asyncProperty(documents, async (bytes) => {
        const { ok, outputs } = await diskProperty(engine, bytes);
        if (ok && outputs > 0) wrote++;
      }),
      { numRuns: DISK_RUNS },
    );
    // The property has teeth only when some documents do produce outputs. About a quarter
    // do (16-23 of 80 in four runs); more than a tenth failed once in a full run (8 of 80),
    // so the bound is a twentieth: still far from "none wrote".
    expect(wrote).toBeGreaterThan(DISK_RUNS / 20);
  });

  afterAll(() => {
    // Hostile targets that would land outside the project if they were not refused.
    expect(existsSync('/tmp/weft-absolute.ts')).toBe(false);
    expect(existsSync(`${homedir()}/weft-home.ts`)).toBe(false);
  });
});

describe('didYouMean', () => {
  /** Full Levenshtein, no early exit: the reference the bounded one must agree with. */
  const distance = (a: string, b: string): number => {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const current = [i];
      for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
    return previous[b.length]!;
  };
  const reference = (name: string, candidates: string[]): string | undefined => {
    const threshold = Math.max(2, Math.floor(name.length / 3));
    const close = candidates.filter((c) => Math.abs(c.length - name.length) <= 8).map((c) => [distance(name, c), c] as const);
    const best = close.filter(([d]) => d <= threshold).sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0))[0];
    return best?.[1];
  };
  test('gives up early on far candidates yet suggests exactly what a full search suggests', () => {
    const word = fc.stringMatching(/^[a-e-]{1,40}$/);
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 8 }), (name, candidates) => {
        expect(didYouMean(name, candidates)).toBe(reference(name, candidates));
      }),
      { numRuns: 3000 },
    );
  });
});
