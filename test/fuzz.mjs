// `npm run fuzz`: the reliability properties of `test/properties.test.ts` and the
// scanner's differential test of `test/scan.test.ts`, with many more generated cases,
// against the compiled engine in lib/. Prints how many cases each property ran and
// exits 1 on the first counterexample (fast-check prints it, shrunk, with its seed).
//
// Options: --runs N (scale: N pure-pipeline cases, N/10 projects on disk; default 5000),
// --seed S (replay), --seconds T (stop each property after about T seconds).
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import * as index from '../lib/index.js';
import { collectDocument } from '../lib/collect.js';
import { emitFile } from '../lib/emit.js';
import { parseDocument, remarkBlocks } from '../lib/parse.js';
import { decodeSource } from '../lib/read.js';
import { resolveProject } from '../lib/resolve.js';
import { scanBlocks, tooComplexForRemark } from '../lib/scan.js';
import { columnOneFenceText, commonmarkText, hostileDocument, literateText } from './fixtures/reliability/generators.mjs';
import { diskProperty, pipelineProperty } from './fixtures/reliability/properties.mjs';
import assert from 'node:assert/strict';

// The pipeline's stages are internals, not exports of the package: taken from their modules.
const engine = { ...index, decodeSource, parseDocument, remarkBlocks, scanBlocks, collectDocument, resolveProject, emitFile, tooComplexForRemark };
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5000' }, seed: { type: 'string' }, seconds: { type: 'string', default: '600' } } });
const runs = Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const interruptAfterTimeLimit = Number(values.seconds) * 1000;
const settings = (numRuns) => ({ numRuns, seed, interruptAfterTimeLimit, markInterruptAsFailure: false });

const scannerAgrees = (text) => {
  const normal = engine.decodeSource('doc.lit.md', Buffer.from(text)).text;
  const scanned = engine.scanBlocks(normal);
  if (scanned) assert.deepEqual(scanned, engine.remarkBlocks(normal));
};
// Larger inputs than `npm test` uses: longer lines, deeper nesting, more sections.
const documents = fc.oneof(hostileDocument({ maxHugeLine: 200_000, maxDepth: 100, maxSections: 60 }), hostileDocument({ maxHugeLine: 200_000, maxDepth: 100, maxSections: 60, validCode: true }));

const properties = [
  ['the scanner answers like remark or not at all (generated CommonMark)', fc.property(fc.oneof(commonmarkText, columnOneFenceText, literateText), scannerAgrees), runs],
  ['the pure stages never throw, are deterministic, and the fast path agrees with remark', fc.property(documents, (bytes) => pipelineProperty(engine, bytes)), runs],
  ['tangle never throws, is confined, all or nothing, idempotent and deterministic', fc.asyncProperty(documents, async (bytes) => void (await diskProperty(engine, bytes))), Math.ceil(runs / 10)],
];

console.log(`weft fuzz: seed ${seed}`);
let total = 0;
for (const [name, property, numRuns] of properties) {
  const started = performance.now();
  const details = await fc.check(property, settings(numRuns));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (details.failed) {
    console.error(`FAIL ${name} after ${details.numRuns} cases (${seconds} s)\n${fc.defaultReportMessage(details)}\n${details.errorInstance?.stack ?? details.errorInstance}`);
    process.exit(1);
  }
  total += details.numRuns;
  console.log(`ok   ${name}: ${details.numRuns} cases in ${seconds} s${details.interrupted ? ' (time limit reached)' : ''}`);
}
console.log(`weft fuzz: ${total} cases, no counterexample (seed ${seed})`);
