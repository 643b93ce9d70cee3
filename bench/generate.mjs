// Deterministic benchmark corpus: N literate documents, each written twice — as
// `docs/mod-XXXX.lit.md` for Weft and as `nw/mod-XXXX.nw` for noweb — from ONE
// in-memory model of the program, so both tools are asked to tangle the same thing.
//
// Guarantees
// - Same `{docs, seed}` -> byte-identical files on any machine: the only randomness is
//   a seeded mulberry32 (integer arithmetic via Math.imul), there is no Date, locale or
//   Math.random, and every collection is iterated in insertion order. Document k
//   depends only on (seed, k), so the first 10 documents of N=1000 equal those of N=10.
// - `expectedOutputs(project)` tangles the model itself (not the rendered text), so it
//   is an independent oracle for both Weft and noweb.
// - Each document: 21-27 code blocks, 13-19 KB, chunks nested 3 deep, indented
//   references, multi-part chunks, output files in two parts each, two outputs
//   (`src-generated/mod-XXXX/a.ts` and `b.ts`, b importing a), two untangled examples.
//   The TypeScript typechecks under `strict`.
//
// Constructs avoided because notangle (noweb 2.12) and Weft would tangle them
// differently — `assertPortable` rejects them at generation time:
// - A chunk whose FIRST line is blank: notangle prints the reference's indentation
//   before the first line even when that line is empty (trailing whitespace); Weft
//   leaves blank lines empty. Blank lines after the first are fine: notangle leaves them
//   empty too, which is what Weft does.
// - Whitespace-only lines and trailing whitespace: notangle keeps them and indents
//   whitespace-only lines. We only ever emit truly empty blank lines.
// - A blank last line in a block: remark gives "foo\n" for a fence holding `foo` and a
//   blank line, which matches noweb only if the engine strips exactly one newline; the
//   benchmark stays off that edge. Blocks start and end with a non-blank line.
// - `<<` anywhere except a reference alone on its line: noweb expands `a << b >> c` and
//   references in mid-line (`x = <<c>>;`); Weft only expands whole-line references.
// - Tabs: `notangle` expands them to spaces, `noweb -t` keeps them. Spaces only.
// - A line starting with `@`: `@ ` or a lone `@` ends a noweb chunk, `@<<` escapes.
// - A code line starting with three backticks would close the Markdown fence.
// - A defined but unused chunk: `noweb -t` writes every unused chunk whose name has no
//   space as a file of that name. Every chunk here is used.
// Indentation itself agrees: notangle prefixes every line of an expansion with the
// reference's indentation, nesting accumulates, and files end with exactly one "\n".
//
// Usage: node bench/generate.mjs --docs N --out DIR [--seed S] [--expected]

import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Default seed when none is given. */
export const DEFAULT_SEED = 1;

/** Marker file that identifies a directory as a generated corpus, safe to clear. */
const CORPUS_MARKER = '.weft-bench-corpus';

// ---------------------------------------------------------------------------
// Public API

/**
 * Generate a whole project in memory.
 * @param {{docs: number, seed?: number | string}} options docs: number of documents (>= 1)
 * @returns {Map<string, string>} relative POSIX path -> file content, in a stable order
 */
export function generateProject(options) {
  const { docs, seed } = resolveOptions(options);
  const documents = [];
  for (let index = 1; index <= docs; index += 1) documents.push(buildDocument(seed, index));

  const project = new Map();
  project.set('weft.config.json',
    JSON.stringify({ sources: ['docs/**/*.lit.md'], outputDirs: ['src-generated'] }, null, 2) + '\n');
  for (const doc of documents) project.set(`docs/${doc.id}.lit.md`, renderMarkdown(doc));
  for (const doc of documents) project.set(`nw/${doc.id}.nw`, renderNoweb(doc));
  modelsByProject.set(project, documents);
  return project;
}

/**
 * The tangled TypeScript each output must contain, computed from the model, without
 * Weft's header and sourceMappingURL lines (see `stripWeftFraming`).
 * @param {Map<string, string> | {docs: number, seed?: number | string}} project
 *   the Map returned by `generateProject`, or the options to regenerate it
 * @returns {Map<string, string>} output path (e.g. `src-generated/mod-0001/a.ts`) -> content
 */
export function expectedOutputs(project) {
  const documents = project instanceof Map ? modelsByProject.get(project) : undefined;
  if (project instanceof Map && !documents) {
    throw new TypeError('Cannot compute `expectedOutputs` for a Map that `generateProject` did not return: pass that Map, or `{docs, seed}`');
  }
  const models = documents ?? modelsByProject.get(generateProject(project));
  const outputs = new Map();
  for (const doc of models) {
    for (const [file, content] of tangleModel(doc)) outputs.set(file, content);
  }
  return outputs;
}

/**
 * Write a generated project to `dir`. Refuses a non-empty directory unless it holds a
 * corpus generated earlier, which it clears first: stale documents from a larger N
 * would otherwise be globbed by Weft and skew the benchmark.
 * @param {string} dir
 * @param {{docs: number, seed?: number | string, expected?: boolean}} options
 *   expected: also write `expected/<output path>` for each output (default false)
 * @returns {Promise<Map<string, string>>} the project written
 */
export async function writeProject(dir, options) {
  const project = generateProject(options);
  await prepareDirectory(dir);
  const files = new Map(project);
  files.set(CORPUS_MARKER, `generated by bench/generate.mjs: ${JSON.stringify(resolveOptions(options))}\n`);
  if (options.expected) {
    for (const [file, content] of expectedOutputs(project)) files.set(`expected/${file}`, content);
  }
  const directories = new Set([...files.keys()].map((file) => path.dirname(path.join(dir, file))));
  for (const directory of directories) await mkdir(directory, { recursive: true });
  await Promise.all([...files].map(([file, content]) => writeFile(path.join(dir, file), content)));
  return project;
}

/**
 * The two outputs of a document, relative to the project root.
 * @param {string} id document id, e.g. `mod-0001`
 */
export function outputPathsFor(id) {
  return [`src-generated/${id}/a.ts`, `src-generated/${id}/b.ts`];
}

/**
 * Remove the header line Weft puts on top of each .ts output and the trailing
 * `//# sourceMappingURL=` line, so the rest compares byte for byte with noweb's output.
 * @param {string} text
 */
export function stripWeftFraming(text) {
  let lines = text.split('\n');
  if (lines[0]?.startsWith('// generated from ')) lines = lines.slice(1);
  const last = lines.at(-1) === '' ? lines.length - 2 : lines.length - 1;
  if (lines[last]?.startsWith('//# sourceMappingURL=')) lines.splice(last, 1);
  return lines.join('\n');
}

const modelsByProject = new WeakMap();

function resolveOptions(options) {
  if (!options || typeof options !== 'object') throw new TypeError('Expected options `{docs, seed}`');
  const { docs, seed = DEFAULT_SEED } = options;
  if (!Number.isInteger(docs) || docs < 1) throw new TypeError(`Expected \`docs\` to be a positive integer, got ${docs}`);
  return { docs, seed: seedToInteger(seed) };
}

/** Integer seeds are used as they are (mod 2^32); other strings are hashed (FNV-1a). */
function seedToInteger(seed) {
  if (typeof seed === 'number' && Number.isInteger(seed)) return seed >>> 0;
  const text = String(seed);
  if (/^\d+$/.test(text)) return Number(BigInt(text) % 4294967296n);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

async function prepareDirectory(dir) {
  if (!existsSync(dir)) return;
  const entries = await readdir(dir);
  if (entries.length === 0) return;
  if (!entries.includes(CORPUS_MARKER)) {
    throw new Error(`Refusing to write into ${dir}: it is not empty and was not generated by bench/generate.mjs; choose an empty directory`);
  }
  await Promise.all(entries.map((entry) => rm(path.join(dir, entry), { recursive: true, force: true })));
}

// ---------------------------------------------------------------------------
// Randomness: mulberry32, seeded per document so documents are independent.

function mulberry32(state) {
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer hash (lowbias32) to spread (seed, index) into unrelated PRNG states. */
function mix(value) {
  value ^= value >>> 16;
  value = Math.imul(value, 0x7feb352d);
  value ^= value >>> 15;
  value = Math.imul(value, 0x846ca68b);
  value ^= value >>> 16;
  return value >>> 0;
}

function createRandom(seed, index) {
  const next = mulberry32(mix(mix(seed) ^ Math.imul(index, 0x9e3779b9)));
  const random = {
    /** Integer in [low, high]. */
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)],
    shuffle(items) {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy;
    },
    sample: (items, count) => random.shuffle(items).slice(0, count),
  };
  return random;
}

// ---------------------------------------------------------------------------
// Vocabulary

const ENTITIES = [
  ['invoice', 'invoices'], ['order', 'orders'], ['shipment', 'shipments'], ['customer', 'customers'],
  ['ticket', 'tickets'], ['session', 'sessions'], ['payment', 'payments'], ['refund', 'refunds'],
  ['booking', 'bookings'], ['device', 'devices'], ['sensor', 'sensors'], ['reading', 'readings'],
  ['article', 'articles'], ['comment', 'comments'], ['review', 'reviews'], ['project', 'projects'],
  ['task', 'tasks'], ['release', 'releases'], ['build', 'builds'], ['deployment', 'deployments'],
  ['account', 'accounts'], ['budget', 'budgets'], ['contract', 'contracts'], ['vendor', 'vendors'],
  ['parcel', 'parcels'], ['route', 'routes'], ['vehicle', 'vehicles'], ['patient', 'patients'],
  ['visit', 'visits'], ['course', 'courses'], ['lesson', 'lessons'], ['student', 'students'],
  ['entry', 'entries'], ['policy', 'policies'], ['survey', 'surveys'], ['recipe', 'recipes'],
  ['playlist', 'playlists'], ['track', 'tracks'], ['album', 'albums'], ['warehouse', 'warehouses'],
  ['coupon', 'coupons'], ['subscription', 'subscriptions'], ['incident', 'incidents'], ['alert', 'alerts'],
];

const STATUSES = ['draft', 'pending', 'active', 'paused', 'archived', 'open', 'closed', 'failed',
  'sent', 'paid', 'cancelled', 'shipped', 'delivered', 'expired', 'approved', 'rejected'];

// kind decides the type, the validation, the formatting and the sample value.
const FIELDS = [
  { name: 'amount', kind: 'measure', about: 'the amount in minor units, so that no rounding happens in between' },
  { name: 'weight', kind: 'measure', about: 'the weight in grams' },
  { name: 'score', kind: 'measure', about: 'a score that only ever grows' },
  { name: 'quantity', kind: 'count', about: 'how many units, always a whole number' },
  { name: 'priority', kind: 'count', about: 'a priority from 1 (highest) down' },
  { name: 'createdAt', kind: 'count', about: 'creation time in milliseconds since the epoch' },
  { name: 'title', kind: 'text', about: 'a short human-readable title' },
  { name: 'owner', kind: 'text', about: 'the team that owns the record' },
  { name: 'region', kind: 'text', about: 'the region that serves it' },
  { name: 'currency', kind: 'code', about: 'an ISO 4217 currency code such as `EUR`' },
  { name: 'contact', kind: 'email', about: 'an e-mail address for questions' },
  { name: 'tags', kind: 'list', about: 'free-form tags used for filtering' },
  { name: 'labels', kind: 'list', about: 'labels shown in the dashboard' },
  { name: 'archived', kind: 'flag', about: 'whether it is hidden from default views' },
  { name: 'verified', kind: 'flag', about: 'whether someone checked it by hand' },
  { name: 'note', kind: 'note', about: 'an optional remark, never shown to customers' },
];

const TYPE_BY_KIND = {
  measure: 'number', count: 'number', text: 'string', code: 'string', email: 'string',
  list: 'readonly string[]', flag: 'boolean', note: 'string',
};

const WORDS = ['north', 'south', 'urgent', 'backlog', 'core', 'platform', 'retail', 'billing', 'alpha', 'edge'];
const TEAMS = ['payments', 'logistics', 'growth', 'support', 'infra', 'search'];
const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY', 'CHF'];

// ---------------------------------------------------------------------------
// The model: a document is a list of items in reading order. Code blocks carry a
// target (output file, named chunk, or none for examples) and their lines; a line is a
// string or a reference `{indent, name}` standing alone on its line.

function buildDocument(seed, index) {
  const random = createRandom(seed, index);
  const id = `mod-${String(index).padStart(4, '0')}`;
  const [singular, plural] = random.pick(ENTITIES);
  const fields = pickFields(random);
  const ctx = {
    id, singular, plural, random, fields,
    outputs: outputPathsFor(id),
    Type: capitalize(singular),
    Types: capitalize(plural),
    UPPER: singular.toUpperCase(),
    a: /^[aeiou]/.test(singular) ? 'an' : 'a',
    statuses: random.sample(STATUSES, random.int(3, 5)),
    limitedField: fields.find((field) => field.kind === 'measure'),
    flagField: fields.find((field) => field.kind === 'flag') ?? null,
    withFormatter: random.chance(0.7),
    withLoader: random.chance(0.6),
    withTotal: random.chance(0.4),
    withRemove: random.chance(0.4),
    loopStyle: random.pick(['for-of', 'for-index', 'for-each']),
    prose: createProse(random),
  };
  ctx.limitName = `MAX_${ctx.UPPER}_${screamingCase(ctx.limitedField.name)}`;
  ctx.textLimitName = fields.some((field) => field.kind === 'text') ? `MAX_${ctx.UPPER}_TEXT_LENGTH` : null;
  const items = [];
  writeDocument(ctx, items);
  const doc = { id, outputs: ctx.outputs, items };
  assertPortable(doc);
  return doc;
}

function pickFields(random) {
  // At least one measure so that limits and totals always have something to work on.
  const measure = random.pick(FIELDS.filter((field) => field.kind === 'measure'));
  const others = random.sample(FIELDS.filter((field) => field !== measure && field.kind !== 'measure'), random.int(3, 5));
  // Keep the pool's order so the record reads the same way the prose lists it.
  return FIELDS.filter((field) => field === measure || others.includes(field));
}

const heading = (level, text) => ({ kind: 'heading', level, text });
// Wrapped once here, since both renderers print the same text.
const paragraph = (text) => ({ kind: 'paragraph', text: wrap(text, 78) });
const list = (ordered, entries) => ({ kind: 'list', ordered, entries });
const file = (file, text) => ({ kind: 'code', language: 'ts', target: { file }, lines: toLines(text) });
const chunk = (name, text) => ({ kind: 'code', language: 'ts', target: { chunk: name }, lines: toLines(text) });
const example = (language, text) => ({ kind: 'code', language, target: null, lines: toLines(text) });

/** Split block text into lines, turning whole-line `<<name>>` into references. */
function toLines(text) {
  return text.split('\n').map((line) => {
    const match = /^( *)<<([a-z0-9-]+)>>$/.exec(line);
    return match ? { indent: match[1], name: match[2] } : line;
  });
}

/**
 * Template tag for code blocks: drops the first and last line break and the common
 * indentation, and splices an array value placed alone on a line as several lines,
 * each indented like the placeholder (an empty array removes the line).
 */
function code(strings, ...values) {
  const marker = (i) => `\u0000${i}\u0000`;
  // Cooked strings, so that \` and \${ in the template become ` and ${ in the code.
  let text = strings.map((part, i) => part + (i < values.length ? marker(i) : '')).join('');
  text = text.replace(/^\n/, '').replace(/\n *$/, '');
  const lines = text.split('\n');
  const margin = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length));
  const out = [];
  for (const line of lines.map((line) => line.slice(margin))) {
    const alone = /^( *)\u0000(\d+)\u0000$/.exec(line);
    if (alone && Array.isArray(values[Number(alone[2])])) {
      for (const spliced of values[Number(alone[2])]) {
        for (const part of spliced.split('\n')) out.push(part === '' ? '' : alone[1] + part);
      }
      continue;
    }
    out.push(line.replace(/\u0000(\d+)\u0000/g, (_, i) => {
      const value = String(values[Number(i)]);
      if (value.includes('\n')) throw new Error('code`...`: a multi-line value must be an array placed alone on its line');
      return value;
    }));
  }
  return out.join('\n');
}

function capitalize(word) {
  return word[0].toUpperCase() + word.slice(1);
}

// ---------------------------------------------------------------------------
// The document, section by section. Each section writes prose, then the code it explains.

function writeDocument(ctx, items) {
  const { Type, Types, singular, plural, prose, id, a } = ctx;
  const [aPath, bPath] = ctx.outputs;
  const names = chunkNames(ctx);

  items.push(heading(1, `${id}: ${plural}`));
  items.push(paragraph(prose.say('intro', ctx, 4)));
  items.push(list(false, [
    `\`${Type}\`, the record itself, and \`${Type}Status\`, the states it moves through;`,
    `\`validate${Type}\`, which reports *every* problem instead of stopping at the first;`,
    `\`${Type}Store\`, a small in-memory store keyed by \`id\`;`,
    `\`summarize${Types}ByStatus\`${ctx.withLoader ? `, and \`load${Types}\` for JSON input` : ''}.`,
  ]));
  items.push(paragraph(prose.say('reading', ctx, 3)));

  // --- a.ts, part one: the types and constants.
  items.push(heading(2, `The shape of ${a} ${singular}`));
  items.push(paragraph(prose.say('shape', ctx, 4)));
  items.push(file(aPath, code`
    /**
     * ${Types}: the record, its limits and its validation.
     * Everything here is pure; the store in b.ts is the only stateful part.
     */

    <<${names.record}>>

    <<${names.limits}>>

    <<${names.problem}>>
  `));
  items.push(paragraph(prose.say('fields', ctx, 1)));
  items.push(list(false, [
    '`id`: a stable identifier, unique within one store;',
    `\`status\`: one of ${ctx.statuses.map((status) => `\`"${status}"\``).join(', ')};`,
    ...ctx.fields.map((field) => `\`${field.name}\`: ${field.about};`),
  ]));
  items.push(chunk(names.record, recordDeclaration(ctx)));
  items.push(heading(3, 'Limits'));
  items.push(paragraph(prose.say('limits', ctx, 3)));
  items.push(chunk(names.limits, limitsDeclaration(ctx)));
  items.push(paragraph(prose.say('problem', ctx, 3)));
  items.push(chunk(names.problem, code`
    /** One thing wrong with ${a} ${singular}; \`field\` says where to look. */
    export interface ${Type}Problem {
      readonly field: keyof ${Type};
      readonly message: string;
    }
  `));

  // --- a.ts, part two: validation, three chunks deep.
  items.push(heading(2, 'Validation'));
  items.push(paragraph(prose.say('validation', ctx, 4)));
  items.push(list(true, [
    'reject anything that is not an object at all;',
    `check that every required field is present (\`${requiredFields(ctx).slice(0, 3).join('`, `')}\`, ...);`,
    'check the type and range of each field that is present;',
    'return the problems, in field order, without throwing.',
  ]));
  items.push(file(aPath, code`
    // Validation${ctx.withFormatter ? ' and formatting' : ''}.

    <<${names.validate}>>
    ${ctx.withFormatter ? ['', `<<${names.format}>>`] : []}
  `));
  items.push(chunk(names.validate, code`
    /** Every problem with \`input\`, in field order; an empty list means it is ${a} ${Type}. */
    export function validate${Type}(input: unknown): ${Type}Problem[] {
      const problems: ${Type}Problem[] = [];
      <<${names.rejectNonObject}>>
      const record = input as Record<string, unknown>;

      <<${names.checkRequired}>>
      <<${names.checkTypes}>>
      return problems;
    }
  `));
  items.push(paragraph(prose.say('nonObject', ctx, 2)));
  items.push(chunk(names.rejectNonObject, code`
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      problems.push({ field: "id", message: "expected an object" });
      return problems;
    }
  `));
  items.push(paragraph(prose.say('required', ctx, 3)));
  items.push(chunk(names.checkRequired, code`
    for (const field of REQUIRED_${ctx.UPPER}_FIELDS) {
      if (!(field in record) || record[field] === undefined) {
        <<${names.reportMissing}>>
      }
    }
  `));
  items.push(paragraph(prose.say('missing', ctx, 2)));
  items.push(chunk(names.reportMissing, code`
    problems.push({ field, message: \`missing required field "\${field}"\` });
    continue;
  `));
  items.push(paragraph(prose.say('types', ctx, 3)));
  items.push(chunk(names.checkTypes, fieldChecks(ctx)));
  items.push(paragraph(prose.say('usage', ctx, 1)));
  items.push(example('ts', usageExample(ctx)));

  items.push(heading(3, `Drafts and status checks`));
  items.push(paragraph(prose.say('drafts', ctx, 3)));
  items.push(chunk(names.record, code`
    /** ${capitalize(a)} ${singular} before it has been given an \`id\`. */
    export type ${Type}Draft = Omit<${Type}, "id">;

    export function is${Type}Status(value: unknown): value is ${Type}Status {
      return typeof value === "string" && (${ctx.UPPER}_STATUSES as readonly string[]).includes(value);
    }
  `));

  if (ctx.withFormatter) {
    items.push(heading(2, 'Formatting for logs'));
    items.push(paragraph(prose.say('format', ctx, 3)));
    items.push(chunk(names.format, formatterFunction(ctx, names)));
    if (names.describeFields) {
      items.push(paragraph(prose.say('describe', ctx, 2)));
      items.push(chunk(names.describeFields, describeFields(ctx)));
    }
  }

  // --- b.ts: the store, summaries and loading.
  items.push(heading(2, `Keeping ${plural} in memory`));
  items.push(paragraph(prose.say('store', ctx, 4)));
  items.push(file(bPath, code`
    import {
      type ${Type},
      type ${Type}Status,
      validate${Type},
    } from "./a.js";

    <<${names.store}>>
  `));
  items.push(chunk(names.store, code`
    /** ${Types} by \`id\`. Iteration follows insertion order, like the Map inside. */
    export class ${Type}Store {
      private readonly byId = new Map<string, ${Type}>();

      get size(): number {
        return this.byId.size;
      }

      values(): Iterable<${Type}> {
        return this.byId.values();
      }

      <<${names.methods}>>
    }
  `));
  items.push(paragraph(prose.say('add', ctx, 3)));
  items.push(chunk(names.methods, code`
    /** Adds ${a} ${singular}, replacing any earlier one with the same \`id\`. */
    add(record: ${Type}): void {
      const problems = validate${Type}(record);
      <<${names.throwIfInvalid}>>
      this.byId.set(record.id, record);
    }
  `));
  items.push(paragraph(prose.say('throw', ctx, 2)));
  items.push(chunk(names.throwIfInvalid, code`
    if (problems.length > 0) {
      const detail = problems.map((problem) => \`\${problem.field}: \${problem.message}\`).join("; ");
      throw new TypeError(\`invalid ${singular} \${String(record.id)}: \${detail}\`);
    }
  `));
  items.push(paragraph(prose.say('find', ctx, 3)));
  items.push(chunk(names.methods, findMethod(ctx)));
  if (ctx.withRemove) {
    items.push(paragraph(prose.say('remove', ctx, 2)));
    items.push(chunk(names.methods, code`
      /** Removes the ${singular} with this \`id\`; returns whether there was one. */
      remove(id: string): boolean {
        return this.byId.delete(id);
      }
    `));
  }

  items.push(heading(2, 'Summaries'));
  items.push(paragraph(prose.say('summary', ctx, 3)));
  items.push(file(bPath, code`
    // Summaries${ctx.withLoader ? ' and loading' : ''}.

    <<${names.summarize}>>
    ${ctx.withTotal ? ['', `<<${names.total}>>`] : []}
    ${ctx.withLoader ? ['', `<<${names.load}>>`] : []}
  `));
  items.push(chunk(names.summarize, summarizeFunction(ctx, names)));
  items.push(paragraph(prose.say('count', ctx, 2)));
  items.push(chunk(names.countOne, countOne(ctx)));
  if (ctx.withTotal) {
    items.push(paragraph(prose.say('total', ctx, 2)));
    items.push(chunk(names.total, totalFunction(ctx)));
  }

  if (ctx.withLoader) {
    items.push(heading(2, 'Loading from JSON'));
    items.push(paragraph(prose.say('load', ctx, 3)));
    items.push(chunk(names.load, code`
      /** Parses a JSON array of ${plural}; the first invalid item aborts the load. */
      export function load${Types}(text: string): ${Type}Store {
        const parsed: unknown = JSON.parse(text);
        if (!Array.isArray(parsed)) {
          throw new TypeError("expected a JSON array of ${plural}");
        }
        const store = new ${Type}Store();
        parsed.forEach((item: unknown, index: number) => {
          <<${names.addParsed}>>
        });
        return store;
      }
    `));
    items.push(paragraph(prose.say('parsedItem', ctx, 2)));
    items.push(chunk(names.addParsed, code`
      try {
        store.add(item as ${Type});
      } catch (error) {
        throw new Error(\`item \${index} of the JSON array was rejected\`, { cause: error });
      }
    `));
  }
  items.push(paragraph(prose.say('sample', ctx, 1)));
  items.push(example('json', JSON.stringify([sampleRecord(ctx, 1)], null, 2)));

  items.push(heading(2, 'Further reading'));
  items.push(paragraph(prose.say('closing', ctx, 3)));
  items.push(list(false, [
    `[The ${singular} lifecycle](https://example.com/guide/${plural}/lifecycle) explains each status;`,
    `[Validation conventions](https://example.com/guide/validation) covers *why* problems are values;`,
    `[Store design notes](https://example.com/notes/stores) compares this store with a database table.`,
  ]));
}

/** Chunk names are short kebab-case sentences saying what the code does. */
function chunkNames(ctx) {
  const { singular, plural, a } = ctx;
  return {
    record: `declare-the-${singular}-record`,
    limits: `define-the-${singular}-limits`,
    problem: `describe-a-validation-problem`,
    validate: `validate-${a}-${singular}`,
    rejectNonObject: `reject-input-that-is-not-an-object`,
    checkRequired: `check-each-required-${singular}-field`,
    reportMissing: `report-a-missing-field`,
    checkTypes: `check-the-type-of-each-${singular}-field`,
    format: `format-${a}-${singular}-for-logs`,
    // Half of the formatters list the fields inline instead of in a chunk of their own.
    describeFields: ctx.random.chance(0.5) ? `describe-each-${singular}-field` : null,
    store: `keep-${plural}-in-a-store`,
    methods: `define-the-${singular}-store-methods`,
    throwIfInvalid: `throw-if-the-${singular}-is-invalid`,
    summarize: `count-${plural}-by-status`,
    countOne: `count-one-${singular}`,
    total: `add-up-the-${ctx.limitedField.name}-of-all-${plural}`,
    load: `load-${plural}-from-json`,
    addParsed: `add-one-parsed-${singular}-to-the-store`,
  };
}

function requiredFields(ctx) {
  return ['id', 'status', ...ctx.fields.filter((field) => field.kind !== 'note').map((field) => field.name)];
}

function recordDeclaration(ctx) {
  const { Type, statuses } = ctx;
  const members = ctx.fields.map((field) => `readonly ${field.name}${field.kind === 'note' ? '?' : ''}: ${TYPE_BY_KIND[field.kind]};`);
  return code`
    export type ${Type}Status = ${statuses.map((status) => `"${status}"`).join(' | ')};

    export interface ${Type} {
      readonly id: string;
      readonly status: ${Type}Status;
      ${members}
    }
  `;
}

function limitsDeclaration(ctx) {
  const { Type, UPPER, random } = ctx;
  const lines = [
    `export const ${ctx.limitName} = ${random.pick([1000, 5000, 10000, 50000, 250000])};`,
    `export const ${UPPER}_STATUSES: readonly ${Type}Status[] = [${ctx.statuses.map((status) => `"${status}"`).join(', ')}];`,
    '',
    `export const REQUIRED_${UPPER}_FIELDS: readonly (keyof ${Type})[] = [`,
    ...requiredFields(ctx).map((name) => `  "${name}",`),
    '];',
  ];
  if (ctx.textLimitName) {
    lines.splice(1, 0, `export const ${ctx.textLimitName} = ${random.pick([80, 120, 200, 255])};`);
  }
  return lines.join('\n');
}

function screamingCase(name) {
  return name.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
}

/** One `if` per field, chosen by kind; the status check comes first. */
function fieldChecks(ctx) {
  const { Type } = ctx;
  const checks = [code`
    if (!is${Type}Status(record.status)) {
      problems.push({ field: "status", message: \`unknown status \${String(record.status)}\` });
    }
  `];
  for (const field of ctx.fields) checks.push(fieldCheck(ctx, field));
  // Blank lines between the checks: this chunk is referenced indented, so it exercises
  // the rule that blank lines in an expansion stay empty.
  return checks.join('\n\n');
}

function fieldCheck(ctx, field) {
  const value = `record.${field.name}`;
  const push = (message) => `problems.push({ field: "${field.name}", message: ${message} });`;
  switch (field.kind) {
    case 'measure':
      return code`
        if (typeof ${value} !== "number" || !Number.isFinite(${value}) || ${value} < 0) {
          ${push(`"${field.name} must be a non-negative number"`)}
        } else if (${value} > ${ctx.limitName}) {
          ${push(`\`${field.name} exceeds \${${ctx.limitName}}\``)}
        }
      `;
    case 'count':
      return code`
        if (!Number.isInteger(${value})) {
          ${push(`"${field.name} must be an integer"`)}
        }
      `;
    case 'text':
      return code`
        if (typeof ${value} !== "string" || ${value}.trim() === "") {
          ${push(`"${field.name} must be a non-empty string"`)}
        } else if (${value}.length > ${ctx.textLimitName}) {
          ${push(`"${field.name} is too long"`)}
        }
      `;
    case 'code':
      return code`
        if (typeof ${value} !== "string" || !/^[A-Z]{3}$/.test(${value})) {
          ${push(`"${field.name} must be three capital letters"`)}
        }
      `;
    case 'email':
      return code`
        if (typeof ${value} !== "string" || !${value}.includes("@")) {
          ${push(`"${field.name} must be an e-mail address"`)}
        }
      `;
    case 'list':
      return code`
        if (!Array.isArray(${value}) || !${value}.every((item) => typeof item === "string")) {
          ${push(`"${field.name} must be a list of strings"`)}
        }
      `;
    case 'flag':
      return code`
        if (typeof ${value} !== "boolean") {
          ${push(`"${field.name} must be true or false"`)}
        }
      `;
    case 'note':
      return code`
        if (${value} !== undefined && typeof ${value} !== "string") {
          ${push(`"${field.name} must be a string when present"`)}
        }
      `;
    default:
      throw new Error(`unknown field kind ${field.kind}`);
  }
}

function formatterFunction(ctx, names) {
  const { Type, a, singular } = ctx;
  const body = names.describeFields ? [`<<${names.describeFields}>>`] : [describeFields(ctx)];
  return code`
    /** One line describing ${a} ${singular}, for logs; not meant to be parsed back. */
    export function format${Type}(record: ${Type}): string {
      const parts: string[] = [\`\${record.id} (\${record.status})\`];
      ${body}
      return parts.join(" ");
    }
  `;
}

function describeFields(ctx) {
  if (ctx.random.chance(0.5)) {
    // A generic loop: shorter, but it loses the per-field formatting.
    return code`
      for (const [key, value] of Object.entries(record)) {
        if (key === "id" || key === "status" || value === undefined) {
          continue;
        }
        parts.push(\`\${key}=\${Array.isArray(value) ? value.join(",") : String(value)}\`);
      }
    `;
  }
  return ctx.fields.map((field) => {
    const value = `record.${field.name}`;
    switch (field.kind) {
      case 'list': return `parts.push(\`${field.name}=[\${${value}.join(", ")}]\`);`;
      case 'flag': return `if (${value}) {\n  parts.push("${field.name}");\n}`;
      case 'note': return `if (${value} !== undefined) {\n  parts.push(\`${field.name}="\${${value}}"\`);\n}`;
      default: return `parts.push(\`${field.name}=\${${value}}\`);`;
    }
  }).join('\n');
}

function findMethod(ctx) {
  const { Type, singular, plural } = ctx;
  if (ctx.random.chance(0.5)) {
    return code`
      /** The ${plural} for which \`predicate\` holds, in insertion order. */
      find(predicate: (record: ${Type}) => boolean): ${Type}[] {
        const matches: ${Type}[] = [];
        for (const record of this.byId.values()) {
          if (predicate(record)) {
            matches.push(record);
          }
        }
        return matches;
      }
    `;
  }
  return code`
    /** The ${singular} with this \`id\`, if there is one. */
    get(id: string): ${Type} | undefined {
      return this.byId.get(id);
    }
    /** The ${plural} for which \`predicate\` holds, in insertion order. */
    find(predicate: (record: ${Type}) => boolean): ${Type}[] {
      return [...this.byId.values()].filter(predicate);
    }
  `;
}

function summarizeFunction(ctx, names) {
  const { Type, Types } = ctx;
  const head = `/** How many ${ctx.plural} are in each status; statuses with none are absent. */`;
  const count = `<<${names.countOne}>>`;
  switch (ctx.loopStyle) {
    case 'for-index':
      return code`
        ${head}
        export function summarize${Types}ByStatus(records: readonly ${Type}[]): Map<${Type}Status, number> {
          const counts = new Map<${Type}Status, number>();
          for (let index = 0; index < records.length; index += 1) {
            const record = records[index];

            ${count}
          }
          return counts;
        }
      `;
    case 'for-each':
      return code`
        ${head}
        export function summarize${Types}ByStatus(records: readonly ${Type}[]): Map<${Type}Status, number> {
          const counts = new Map<${Type}Status, number>();
          records.forEach((record) => {
            ${count}
          });
          return counts;
        }
      `;
    default:
      return code`
        ${head}
        export function summarize${Types}ByStatus(records: Iterable<${Type}>): Map<${Type}Status, number> {
          const counts = new Map<${Type}Status, number>();
          for (const record of records) {
            ${count}
          }
          return counts;
        }
      `;
  }
}

function countOne(ctx) {
  // `for-each` has no loop to `continue`, so it skips with `return` instead.
  const skip = ctx.loopStyle === 'for-each' ? 'return;' : 'continue;';
  const guard = ctx.loopStyle === 'for-index' ? ['if (record === undefined) {', `  ${skip}`, '}'] : [];
  const flag = ctx.flagField ? [`if (record.${ctx.flagField.name} && record.status !== "${ctx.statuses[0]}") {`, `  ${skip}`, '}'] : [];
  const skips = [...guard, ...flag];
  return code`
    ${skips.length > 0 ? [...skips, ''] : []}
    const previous = counts.get(record.status) ?? 0;
    counts.set(record.status, previous + 1);
  `;
}

function totalFunction(ctx) {
  const { Type, Types, limitedField } = ctx;
  const field = limitedField.name;
  const Field = capitalize(field);
  if (ctx.random.chance(0.5)) {
    return code`
      /** The sum of \`${field}\` over all ${ctx.plural}; 0 for none. */
      export function total${Types}${Field}(records: readonly ${Type}[]): number {
        return records.reduce((sum, record) => sum + record.${field}, 0);
      }
    `;
  }
  return code`
    /** The sum of \`${field}\` over all ${ctx.plural}; 0 for none. */
    export function total${Types}${Field}(records: Iterable<${Type}>): number {
      let total = 0;
      for (const record of records) {
        total += record.${field};
      }
      return total;
    }
  `;
}

function sampleRecord(ctx, n) {
  const { random } = ctx;
  const record = { id: `${ctx.singular.slice(0, 3)}-${ctx.id.slice(4)}-${n}`, status: ctx.statuses[0] };
  for (const field of ctx.fields) {
    switch (field.kind) {
      case 'measure': record[field.name] = random.int(1, 999) * 10; break;
      case 'count': record[field.name] = field.name === 'createdAt' ? 1700000000000 + random.int(0, 9999999) * 1000 : random.int(1, 9); break;
      case 'text': record[field.name] = field.name === 'owner' ? random.pick(TEAMS) : `${random.pick(WORDS)} ${ctx.singular}`; break;
      case 'code': record[field.name] = random.pick(CURRENCIES); break;
      case 'email': record[field.name] = `${random.pick(TEAMS)}@example.com`; break;
      case 'list': record[field.name] = random.sample(WORDS, random.int(1, 3)); break;
      case 'flag': record[field.name] = false; break;
      case 'note': if (random.chance(0.5)) record[field.name] = 'imported from the old system'; break;
      default: throw new Error(`unknown field kind ${field.kind}`);
    }
  }
  return record;
}

function usageExample(ctx) {
  const { Type, singular } = ctx;
  const record = sampleRecord(ctx, 1);
  const broken = { ...record, [ctx.limitedField.name]: -1 };
  return code`
    const ok = validate${Type}(${JSON.stringify(record).replaceAll('":', '": ').replaceAll(',"', ', "')});
    // ok.length === 0
    const problems = validate${Type}(${JSON.stringify(broken).replaceAll('":', '": ').replaceAll(',"', ', "')});
    // problems[0].field === "${ctx.limitedField.name}": a negative ${ctx.limitedField.name} is never a valid ${singular}
  `;
}

// ---------------------------------------------------------------------------
// Prose. A paragraph is `count` sentences on its topic, kept in the order they are
// written below (so they still read as an argument), plus one general remark drawn
// from a per-document deck, so no remark repeats until the deck is used up. A
// sentence ending in a colon introduces what follows, so it stays last.

function createProse(random) {
  let general = [];
  return {
    say(topic, ctx, count) {
      const topical = TOPIC_SENTENCES[topic];
      if (!topical) throw new Error(`no sentences for topic ${topic}`);
      const chosen = new Set(random.sample(topical, Math.min(count, topical.length)));
      const sentences = topical.filter((sentence) => chosen.has(sentence)).map((sentence) => sentence(ctx));
      if (general.length === 0) general = random.shuffle(GENERAL_SENTENCES);
      const remark = general.pop();
      if (sentences.at(-1)?.endsWith(':')) sentences.splice(-1, 0, remark);
      else sentences.push(remark);
      return sentences.join(' ');
    },
  };
}

const GENERAL_SENTENCES = [
  'We keep this part small on purpose; it is easier to read than to remember.',
  'Nothing here allocates more than it must, but *clarity* wins over speed when the two disagree.',
  'If you change this, run the tests first and read the diff of the generated files second.',
  'The compiler checks the types; the prose has to carry the reasons.',
  'This is the part people ask about most often, so it gets its own paragraph.',
  'A reviewer should be able to check this section without reading the rest of the module.',
  'See the [style notes](https://example.com/style) for the naming rules used throughout.',
  'Order matters only for the order of the messages, never for the result.',
  'We prefer plain loops here: they are easy to step through in a debugger.',
  'The names are long so that a search for them finds exactly one place.',
  'Each piece below is short enough to read in one go, which is the point of writing it this way.',
  'Callers never see the intermediate values, so we are free to change them later.',
  'When in doubt, the tests in the `test/` directory are the final word.',
  'This mirrors how the data actually arrives, which is rarely how we would like it to.',
  'An earlier version did this in one function; splitting it made each half obvious.',
  'None of this needs a library, and adding one would make it harder to follow.',
  'The [changelog](https://example.com/changelog) records when each rule was added and why.',
  'We use `readonly` everywhere a caller could otherwise be tempted to patch a record in place.',
  'Errors are *values* until the very edge of the program, where they finally become exceptions.',
  'Think of this as a contract: the code promises it, and the tests hold it to the promise.',
  'You can skip this on a first reading and come back when a problem report points here.',
  'The trade-off is deliberate and written down so that nobody has to rediscover it.',
  'The [FAQ](https://example.com/faq) answers the questions that come up in review.',
  'Tests pin this behaviour, so a change here shows up as a failing test first.',
  'Performance was measured once and found to be irrelevant at the sizes we see.',
  'Nothing in this section knows about the network or the disk.',
  'It would be shorter with a clever trick, and harder to change next year.',
  'A newcomer should be able to change this section after reading only this section.',
  'We write the *boring* version first and keep it until a profile says otherwise.',
  'Names here match the names in the user interface, which saves a translation step.',
  'Edge cases are listed in the tests rather than in comments, where they cannot rot.',
  'The same pattern appears in the other modules, so learning it once pays off.',
  'Keep an eye on the order of the chunks: it is the order of the explanation.',
  'If something here surprises you, that is a bug in the prose; please report it.',
];

const TOPIC_SENTENCES = {
  intro: [
    (c) => `This document defines the *${c.plural}* module of the example system: the \`${c.Type}\` record, the rules that make one valid, and a small store that keeps them in memory.`,
    (c) => `Every ${c.singular} that enters the system passes through \`validate${c.Type}\` before anything else touches it.`,
    (c) => `The [data guide](https://example.com/guide/${c.plural}) explains where ${c.plural} come from; here we care about their *shape* and their *invariants*.`,
    (c) => `The code is presented in the order that makes it easiest to understand, not in the order the compiler wants it; Weft puts it back together.`,
    (c) => `Two files come out of this document: \`${c.outputs[0]}\` with the types and validation, and \`${c.outputs[1]}\` with the store.`,
    (c) => `Most of the module is pure functions over plain ${c.singular} objects, which keeps it easy to test.`,
  ],
  reading: [
    () => 'Read it top to bottom the first time.',
    (c) => `Sections refer to each other by chunk name, so \`validate-${c.a}-${c.singular}\` in one place is the function defined under **Validation**.`,
    () => 'Code blocks without a name are examples; they are not part of any output file.',
    () => 'Some chunks are defined in more than one place; their parts are joined in the order they appear.',
  ],
  shape: [
    (c) => `${capitalize(c.a)} ${c.singular} is a plain object with an \`id\`, a \`status\` and ${c.fields.length} further fields.`,
    (c) => `We describe it with an \`interface\` rather than a class, because ${c.plural} travel as JSON and a class would suggest behaviour they do not have.`,
    () => 'All fields are `readonly`: a change is a new record, never an edit in place.',
    (c) => `The status is a union of string literals, so a typo such as \`"${c.statuses[0]}x"\` fails to compile.`,
    () => 'The first output file starts here; its remaining parts follow further down.',
  ],
  fields: [
    () => 'The fields, in the order they appear in the record:',
    () => 'Each field has one job, listed here with the unit it uses:',
    () => 'Here is what each field means:',
  ],
  limits: [
    (c) => `The limits are constants, not configuration: changing \`${c.limitName}\` is a code change that deserves review.`,
    (c) => `\`REQUIRED_${c.UPPER}_FIELDS\` lists the fields that must be present, in the order their problems are reported.`,
    () => 'Keeping the list of statuses next to the type makes it hard to update one and forget the other.',
    () => 'These numbers come from what the upstream systems actually accept, with a margin.',
  ],
  problem: [
    (c) => `A validation problem names the field and says what is wrong in plain words, so that \`${c.Type}Problem\` can be shown to a person as it is.`,
    () => 'We never throw from validation: a list of problems is more useful than the first exception.',
    () => 'The field is typed with `keyof`, so renaming a field renames its problems too.',
  ],
  validation: [
    (c) => `\`validate${c.Type}\` takes \`unknown\`, not \`${c.Type}\`, because its whole purpose is to find out whether the input is one.`,
    () => 'The function is built from smaller chunks, each explained where it is defined.',
    () => 'The second part of the first output file is just this function and its neighbours.',
    () => 'It runs the checks below in this order:',
  ],
  nonObject: [
    () => 'Anything that is not a plain object is rejected at once; none of the later checks would make sense for it.',
    () => 'Arrays are objects too, so they need their own test.',
    () => 'This is the only early `return` in the function.',
  ],
  required: [
    (c) => `Required fields come from \`REQUIRED_${c.UPPER}_FIELDS\`, so adding a field to the list is enough to make it required.`,
    () => 'A field that is present but `undefined` counts as missing, which matches how `JSON.stringify` drops it.',
    () => 'The loop reports each missing field once and moves on to the next.',
  ],
  missing: [
    () => 'Reporting a missing field is one line, but it gets a name because the message format is shared with the type checks.',
    () => 'The `continue` skips nothing today; it keeps later additions to the loop body from running for a missing field.',
  ],
  types: [
    () => 'Each present field is then checked against its type and, where there is one, its limit.',
    (c) => `The checks are written out one by one rather than driven by a schema: there are only ${c.fields.length + 1} of them, and each has its own message.`,
    () => 'Status comes first because most other problems are less interesting when the status is wrong.',
    () => 'A field that is missing will fail its type check as well; both problems are reported.',
  ],
  usage: [
    () => 'For example:',
    () => 'A quick illustration, not part of the output:',
    () => 'Here is how a caller sees it:',
  ],
  drafts: [
    (c) => `We now come back to the record types and add two more things: a draft type for ${c.plural} that have no \`id\` yet, and a type guard for the status.`,
    (c) => `\`is${c.Type}Status\` is what the status check above calls; it is defined here, next to the type it guards.`,
    () => 'This block is the second part of a chunk started earlier; Weft appends it to the first.',
    () => 'The cast to `readonly string[]` is needed because `includes` on a union-typed array only accepts the union.',
  ],
  format: [
    (c) => `Logs need a one-line description of ${c.a} ${c.singular}.`,
    () => 'The format is meant for people, so we do not promise to keep it stable.',
    (c) => `\`format${c.Type}\` starts with the \`id\` and the status, then lists the other fields.`,
  ],
  describe: [
    () => 'Describing the fields is the part that changes whenever the record does, so it lives in its own chunk.',
    () => 'Lists are joined with commas; flags appear only when they are set.',
  ],
  store: [
    (c) => `\`${c.Type}Store\` keeps ${c.plural} in a \`Map\` keyed by \`id\`.`,
    () => 'It is deliberately simple: no indexes, no persistence, no events.',
    (c) => `Everything that enters the store has passed \`validate${c.Type}\`, so code that reads from it can trust the types.`,
    () => 'This is where the second output file begins.',
    () => 'The methods are defined in several parts below, one per method.',
  ],
  add: [
    () => 'Adding validates first and stores second, so a failed add leaves the store unchanged.',
    () => 'A record with an existing `id` replaces the old one; that is what callers asked for.',
    () => 'Validation runs again here even for typed input, because types do not survive JSON.',
  ],
  throw: [
    () => 'An invalid record is a programming error at this point, so it throws a `TypeError` with every problem in the message.',
    () => 'The message joins all problems so that one log line tells the whole story.',
  ],
  find: [
    () => 'Lookups come next.',
    () => 'A predicate keeps the store ignorant of what callers search for.',
    () => 'The result is a fresh array, so callers may sort or filter it freely.',
  ],
  remove: [
    () => 'Removing returns whether anything was removed, like `Map.prototype.delete`.',
    () => 'There is no bulk removal; callers loop, which keeps this method trivial.',
  ],
  summary: [
    (c) => `Dashboards show how many ${c.plural} are in each status.`,
    () => 'The summary is a `Map`, so statuses keep the order in which they were first seen.',
    () => 'The last part of the second output file gathers these functions.',
  ],
  count: [
    () => 'Counting one record is the loop body; it is short, but it is where the rules about what to count live.',
    (c) => c.flagField ? `Records with \`${c.flagField.name}\` set are only counted while they are still \`"${c.statuses[0]}"\`.` : 'Every record counts; there is nothing to skip.',
  ],
  total: [
    (c) => `Reports also need the total \`${c.limitedField.name}\` across ${c.plural}.`,
    () => 'The sum starts at zero, so an empty input gives zero rather than `NaN`.',
  ],
  load: [
    (c) => `${c.Types} usually arrive as a JSON array from an export.`,
    (c) => `\`load${c.Types}\` parses the text, checks that it is an array, and adds each item to a fresh store.`,
    () => 'The first invalid item stops the load; a partial store would be worse than none.',
  ],
  parsedItem: [
    () => 'Each item goes through `add`, which validates it; the error is wrapped so it says which item failed.',
    () => 'The original error is kept as the `cause`, so nothing is lost.',
  ],
  sample: [
    (c) => `A sample input with one ${c.singular} looks like this:`,
    () => 'Sample data, for reference only:',
  ],
  closing: [
    () => 'That is the whole module.',
    (c) => `If you add a field to \`${c.Type}\`, update the list of required fields, its check, and its description in the same change.`,
    () => 'For the background, see:',
  ],
};

// ---------------------------------------------------------------------------
// Guard rails: the constructs that noweb and Weft tangle differently (see top of file)
// are bugs in this generator, so they throw instead of producing a skewed corpus.

function assertPortable(doc) {
  const defined = new Set();
  const used = new Set();
  for (const item of doc.items) {
    if (item.kind !== 'code') continue;
    const where = `${doc.id} block ${item.target ? JSON.stringify(item.target) : 'example'}`;
    if (item.target?.chunk) defined.add(item.target.chunk);
    const isBlank = (line) => line === '';
    if (isBlank(item.lines[0]) || isBlank(item.lines.at(-1))) throw new Error(`${where}: starts or ends with a blank line`);
    for (const line of item.lines) {
      if (typeof line !== 'string') {
        if (!item.target) throw new Error(`${where}: an example must not contain references`);
        used.add(line.name);
        continue;
      }
      const problem =
        /\t/.test(line) ? 'a tab' :
        /\s$/.test(line) ? 'trailing whitespace' :
        line.includes('<<') ? '`<<` outside a whole-line reference' :
        line.startsWith('@') ? 'a line starting with `@`' :
        line.startsWith('```') ? 'a line starting with a code fence' : null;
      if (problem) throw new Error(`${where}: ${problem} in ${JSON.stringify(line)}`);
    }
  }
  for (const name of defined) if (!used.has(name)) throw new Error(`${doc.id}: chunk ${name} is never used`);
  for (const name of used) if (!defined.has(name)) throw new Error(`${doc.id}: chunk ${name} is never defined`);
}

// ---------------------------------------------------------------------------
// The oracle: tangle the model directly, with Weft's semantics (parts concatenate in
// document order; a reference's indentation prefixes every non-blank line).

function tangleModel(doc) {
  const parts = new Map();
  for (const item of doc.items) {
    if (item.kind !== 'code' || !item.target) continue;
    const key = item.target.file ? `file:${item.target.file}` : `chunk:${item.target.chunk}`;
    if (!parts.has(key)) parts.set(key, []);
    parts.get(key).push(item.lines);
  }
  const expand = (key, active) => {
    if (active.includes(key)) throw new Error(`${doc.id}: chunk cycle ${[...active, key].join(' -> ')}`);
    const blocks = parts.get(key);
    if (!blocks) throw new Error(`${doc.id}: undefined ${key}`);
    const out = [];
    for (const line of blocks.flat()) {
      if (typeof line === 'string') {
        out.push(line);
        continue;
      }
      for (const inner of expand(`chunk:${line.name}`, [...active, key])) out.push(inner === '' ? '' : line.indent + inner);
    }
    return out;
  };
  return doc.outputs.map((output) => [output, expand(`file:${output}`, []).join('\n') + '\n']);
}

// ---------------------------------------------------------------------------
// Renderers. Both walk the same items; only the markup differs.

function renderLine(line) {
  return typeof line === 'string' ? line : `${line.indent}<<${line.name}>>`;
}

function renderMarkdown(doc) {
  const blocks = doc.items.map((item) => {
    switch (item.kind) {
      case 'heading': return `${'#'.repeat(item.level)} ${item.text}`;
      case 'paragraph': return item.text;
      case 'list': return item.entries.map((entry, i) => `${item.ordered ? `${i + 1}.` : '-'} ${entry}`).join('\n');
      case 'code': {
        const info = item.target?.file ? `${item.language} file=${item.target.file}`
          : item.target?.chunk ? `${item.language} #${item.target.chunk}` : item.language;
        return ['```' + info, ...item.lines.map(renderLine), '```'].join('\n');
      }
      default: throw new Error(`unknown item ${item.kind}`);
    }
  });
  return blocks.join('\n\n') + '\n';
}

/**
 * noweb: prose is documentation (its text is irrelevant to tangling, so the Markdown is
 * kept as is), each code block becomes `<<name>>=` ... `@`, output files are root chunks
 * named by their path, and examples stay in the documentation with their fences.
 */
function renderNoweb(doc) {
  const lines = [];
  for (const item of doc.items) {
    if (item.kind === 'code' && item.target) {
      lines.push(`<<${item.target.file ?? item.target.chunk}>>=`, ...item.lines.map(renderLine), '@');
      continue;
    }
    const markdown = renderMarkdown({ items: [item] }).trimEnd();
    lines.push(...markdown.split('\n'), '');
  }
  return lines.join('\n') + (lines.at(-1) === '' ? '' : '\n');
}

/**
 * Hard-wrap a paragraph the way people do, never starting a line with something
 * Markdown or noweb would read as markup (a list marker, a heading, `@`, `<<`).
 */
function wrap(text, width) {
  // Only a bare marker word is markup at the start of a line (`- `, `# `, `1. `, `@ `,
  // a setext `===`), except `>` and `<<`, which are markup even when glued to a word.
  const risky = /^(?:[-+*]|#{1,6}|=+|-+|@|\d{1,9}[.)])$|^(?:>|<<)/;
  const lines = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width && !risky.test(word)) {
      lines.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  if (current !== '') lines.push(current);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// CLI

function parseArguments(argv) {
  const options = { docs: undefined, out: undefined, seed: DEFAULT_SEED, expected: false };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new TypeError(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === '--docs') options.docs = Number(value());
    else if (flag === '--out') options.out = value();
    else if (flag === '--seed') options.seed = value();
    else if (flag === '--expected') options.expected = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else throw new TypeError(`Unknown option ${flag}`);
  }
  return options;
}

async function main() {
  const usage = 'Usage: node bench/generate.mjs --docs N --out DIR [--seed S] [--expected]';
  const options = parseArguments(process.argv.slice(2));
  if (options.help) {
    console.log(usage);
    return;
  }
  if (options.docs === undefined || options.out === undefined) throw new TypeError(`--docs and --out are required\n${usage}`);
  const project = await writeProject(options.out, options);
  let bytes = 0;
  for (const [name, content] of project) if (name.endsWith('.lit.md')) bytes += Buffer.byteLength(content);
  console.log(`wrote ${options.docs} documents (${(bytes / 1024).toFixed(0)} KB of .lit.md, same again as .nw) to ${options.out}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
