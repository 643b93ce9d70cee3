// `npm run attack`: the resource suite of issue 14. Each case is a project in a temporary
// folder, tangled by the real CLI (`node bin/weft.js tangle --no-bundle`) in a child
// process; the suite reports each case's wall time and peak memory (the child's maximum
// resident set size, worker threads included) and what Weft answered.
//
// A case passes when it takes at most 5 s and 300 MB and Weft either tangles it (exit 0)
// or refuses it with located diagnostics only (`path:line:column: error: ... [rule]`,
// exit 1), never "internal error". The child runs with a 1 GB heap and is killed after
// 30 s, so a case that would take 4 GB or minutes shows up as a failure, honestly, without
// taking the machine down. Exits 1 when any case fails.
//
// Options: --only SUBSTRING (run the cases whose name contains it), --keep (keep the folders).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const WEFT_BIN = join(REPO, 'bin', 'weft.js');
const LIMIT_SECONDS = 5;
const LIMIT_MB = 300;
const KILL_AFTER_MS = 30_000;
const HEAP_CAP_MB = 1024;

const { values } = parseArgs({ options: { only: { type: 'string' }, keep: { type: 'boolean', default: false } } });

const fence = (info, body, indent = '') => `${indent}\`\`\`${info}\n${body.split('\n').map((line) => indent + line).join('\n')}\n${indent}\`\`\`\n`;

/** n chunks, each referencing the next twice: 2^(n-1) lines of 2 bytes in a document under 1 KB (n = 24: exactly the default limits.maxOutputBytes). */
function expansionBomb(n) {
  let text = fence('ts file=src-generated/bomb.ts', '<<c0>>');
  for (let i = 0; i < n - 1; i++) text += fence(`ts #c${i}`, `<<c${i + 1}>>\n<<c${i + 1}>>`);
  text += fence(`ts #c${n - 1}`, 'x');
  return { 'docs/bomb.lit.md': text };
}

/** One list item of `bytes` bytes of lines ending in hard line breaks, with a fenced block in it. */
function hardBreakListItem(bytes) {
  let item = '- start  \n';
  while (item.length < bytes) item += '  a line that ends in a hard break  \n';
  return { 'docs/list.lit.md': `${item}\n${fence('ts file=src-generated/list.ts', 'list();', '  ')}` };
}

/** Nested list items whose depth cycles 0, 1, ... 30, 29, ... 0 until `bytes` bytes, then a fence. */
function nestedLists(bytes) {
  let text = '';
  for (let i = 0; text.length < bytes; i++) {
    const depth = 30 - Math.abs((i % 60) - 30);
    text += `${'  '.repeat(depth)}- item ${i}\n`;
  }
  return { 'docs/nested.lit.md': `${text}\n${fence('ts file=src-generated/nested.ts', 'nested();')}` };
}

/** `count` short link reference definitions (30,000 fit under the 256 KiB a document may hand to remark), then a fence. */
function linkDefinitions(count) {
  let text = '';
  for (let i = 0; i < count; i++) text += `[${i.toString(36)}]:u\n`;
  return { 'docs/links.lit.md': `${text}\n${fence('ts file=src-generated/links.ts', 'links();')}` };
}

/** `count` documents of one output each. */
function tinyDocuments(count) {
  const files = {};
  for (let i = 0; i < count; i++) files[`docs/d${i}.lit.md`] = `# D${i}\n\n${fence(`ts file=src-generated/d${i}.ts`, `export const d${i} = ${i};`)}`;
  return files;
}

const CASES = [
  ['expansion bomb: 23 chunks, each referencing the next twice (2^22 lines)', () => expansionBomb(23)],
  ['expansion bomb: 24 chunks, each referencing the next twice (2^23 lines)', () => expansionBomb(24)],
  ['a 60 KB list item with hard line breaks', () => hardBreakListItem(60_000)],
  ['a 262 KB list item with hard line breaks', () => hardBreakListItem(262_000)],
  ['nested lists cycling 0-30 deep to 262 KB', () => nestedLists(262_000)],
  ['30,000 link reference definitions', () => linkDefinitions(30_000)],
  ['10,000 tiny documents', () => tinyDocuments(10_000)],
];

/** Preloaded into the child: write its peak memory (KB) to a file when it exits. */
const preload = join(mkdtempSync(join(tmpdir(), 'weft-attack-')), 'peak.mjs');
writeFileSync(
  preload,
  "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { try { writeFileSync(process.env.WEFT_ATTACK_PEAK, String(process.resourceUsage().maxRSS)); } catch {} });\n",
);

function run(root, peakFile) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, '--import', pathToFileURL(preload).href, WEFT_BIN, 'tangle', '--no-bundle'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', WEFT_ATTACK_PEAK: peakFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr.length < 1_000_000 ? (stderr += chunk) : undefined));
    child.stdout.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

const LOCATED = /^[^\s:][^:]*:\d+:\d+: error: .+ \[[a-z0-9-]+\]$/;

let failures = 0;
console.log(`weft attack: limits ${LIMIT_SECONDS} s and ${LIMIT_MB} MB per case (child heap capped at ${HEAP_CAP_MB} MB, killed after ${KILL_AFTER_MS / 1000} s)`);
for (const [name, make] of CASES) {
  if (values.only && !name.includes(values.only)) continue;
  const root = mkdtempSync(join(tmpdir(), 'weft-attack-'));
  for (const [path, content] of Object.entries(make())) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const peakFile = join(root, '.peak');
  const result = await run(root, peakFile);
  let peakMb = NaN;
  try {
    peakMb = Number(readFileSync(peakFile, 'utf8')) / 1024;
  } catch {
    // The child died before its exit handler ran (killed, or V8 out of memory).
  }
  const errors = result.stderr.split('\n').filter((line) => / error: /.test(line) || /internal error/.test(line));
  const problems = [];
  if (result.signal) problems.push(`killed by ${result.signal}${result.signal === 'SIGKILL' ? ` after ${KILL_AFTER_MS / 1000} s` : ''}`);
  else if (result.code !== 0 && result.code !== 1) problems.push(`exit ${result.code}${/heap out of memory|Allocation failed/.test(result.stderr) ? ` (out of memory at the ${HEAP_CAP_MB} MB heap cap)` : ''}`);
  if (result.seconds > LIMIT_SECONDS) problems.push(`${result.seconds.toFixed(1)} s > ${LIMIT_SECONDS} s`);
  if (!(peakMb <= LIMIT_MB)) problems.push(Number.isNaN(peakMb) ? 'peak memory unknown (the process died)' : `${Math.round(peakMb)} MB > ${LIMIT_MB} MB`);
  if (result.stderr.includes('internal error')) problems.push('"internal error"');
  if (result.code === 1) {
    const unlocated = errors.filter((line) => !LOCATED.test(line));
    if (errors.length === 0) problems.push('exit 1 without an error diagnostic');
    if (unlocated.length > 0) problems.push(`unlocated: ${unlocated[0].slice(0, 160)}`);
  }
  const answer = result.code === 0 ? 'tangled' : result.code === 1 ? `refused: ${[...new Set(errors.map((line) => /\[([a-z0-9-]+)\]$/.exec(line)?.[1] ?? '?'))].join(', ')}` : 'crashed';
  const measured = `${result.seconds.toFixed(1)} s, ${Number.isNaN(peakMb) ? '?' : Math.round(peakMb)} MB, ${answer}`;
  if (problems.length > 0) failures++;
  console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}: ${measured}${problems.length > 0 ? ` -- ${problems.join('; ')}` : ''}`);
  if (!values.keep) rmSync(root, { recursive: true, force: true });
}
rmSync(dirname(preload), { recursive: true, force: true });
console.log(failures === 0 ? 'weft attack: every case within its limits' : `weft attack: ${failures} case(s) over their limits`);
process.exitCode = failures === 0 ? 0 : 1;
