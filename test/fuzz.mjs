// `npm run fuzz`: the write planner's safety property (planWrites over random outputs,
// manifests and disks), the reliability properties of `test/properties.test.ts` and the
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
import { planWrites } from '../lib/plan-writes.js';
import { createHash } from 'node:crypto';
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

// planWrites over random outputs, manifests and disks: whatever it is given, it plans no
// write or removal outside the output folders or through a link, never replaces a file
// that is not Weft's without force, removes only into .weft/trash, and
// plans nothing at all when it reports an error.
const sha = (text) => createHash('sha256').update(text).digest('hex');
const segment = fc.constantFrom('src-generated', 'scripts', 'docs', 'a', 'a.ts', 'b.ts', 'a.ts.map', 'caf\u00e9.ts', 'cafe\u0301.ts', 'A.ts', '..', 'link');
const pathArb = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
const contentArb = fc.constantFrom('one\n', 'two\n', 'three\n');
const stateArb = fc.oneof(
  fc.constant({ kind: 'missing' }),
  fc.constant({ kind: 'folder' }),
  fc.constant({ kind: 'other' }),
  contentArb.map((text) => ({ kind: 'file', hash: sha(text), mode: 0o644, text })),
  fc.constantFrom(null, 'docs', 'src-generated/a', 'scripts').map((target) => ({ kind: 'link', target })),
);
const planInput = fc.record({
  outputs: fc.uniqueArray(fc.record({ path: pathArb, content: contentArb, map: fc.option(fc.constant('{}'), { nil: null }) }), { selector: (o) => o.path, maxLength: 6 }),
  recorded: fc.dictionary(pathArb, contentArb, { maxKeys: 4 }),
  disk: fc.dictionary(pathArb, stateArb, { maxKeys: 10 }),
  force: fc.boolean(),
});
function planIsSafe({ outputs, recorded, disk, force }) {
  const outputDirs = ['scripts', 'src-generated'];
  const manifest = { weft: 'fuzz', outputs: Object.fromEntries(Object.entries(recorded).map(([path, text]) => [path, { hash: sha(text), document: 'docs/a.lit.md', chunks: {} }])) };
  const full = outputs.map((o) => ({ ...o, document: 'docs/a.lit.md', mode: 0o644, origins: [], chunks: {} }));
  const paths = new Map(Object.entries(disk));
  const plan = planWrites(full, manifest, { paths, journalled: new Map() }, { outputDirs, force, stamp: 'T' });
  if (plan.messages.some((m) => m.severity === 'error')) assert.deepEqual(plan.actions, []);
  const inside = (path) => outputDirs.some((d) => path.startsWith(`${d}/`)) && !path.split('/').includes('..');
  /** Whether a folder on the way to `path` is a link that leads out of the path's output folder. */
  const leavesThroughLink = (path) => {
    const dir = path.split('/')[0];
    const parts = path.split('/').slice(0, -1);
    return parts.some((_, i) => {
      const state = paths.get(parts.slice(0, i + 1).join('/'));
      return state?.kind === 'link' && (state.target === null || (state.target !== dir && !state.target.startsWith(`${dir}/`)));
    });
  };
  for (const action of plan.actions) {
    assert.ok(inside(action.path), `${action.kind} outside the output folders: ${action.path}`);
    if (action.kind === 'remove') assert.match(action.to, /^\.weft\/(trash|backup)\/T\//);
    if (action.kind === 'write') {
      assert.ok(!leavesThroughLink(action.path), `write through a link out of its folder: ${action.path}`);
      assert.notEqual(paths.get(action.path)?.kind, 'link', `write over a link: ${action.path}`);
      const state = paths.get(action.path);
      const ours = state?.kind !== 'file' || state.hash === manifest.outputs[action.path]?.hash || state.hash === sha(full.find((o) => o.path === action.path)?.content ?? '');
      if (!force && !action.path.endsWith('.map')) assert.ok(ours, `replaces a file that is not Weft's without force: ${action.path}`);
      if (force && !ours) assert.ok(plan.actions.some((a) => a.kind === 'backup' && a.path === action.path), `replaces without a backup: ${action.path}`);
    }
  }
}

const properties = [
  ['planWrites never plans a write or removal that escapes, loses a file or follows an error', fc.property(planInput, planIsSafe), runs],
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
