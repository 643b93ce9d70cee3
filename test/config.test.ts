/**
 * `weft.config.json`: JSON with comments, one located message per problem, a "did you
 * mean" for mistyped keys, hard ceilings on the limits, and a JSON Schema shipped with
 * the package that lists exactly the keys the parser accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, LIMIT_CEILINGS, parseConfig } from '../tangle/config.js';
import { SCHEMA_PATH } from '../tangle/init.js';
import { fence, makeProject, read, REPO, weft } from './helpers.js';

/** `line:column: message` of each problem in `text`. */
function problems(text: string): string[] {
  return parseConfig(text).messages.map((m) => `${m.line}:${m.column}: ${m.message} [${m.rule}]`);
}

describe('weft.config.json syntax', () => {
  it('allows comments and trailing commas, as tsconfig.json does', () => {
    const { config, messages } = parseConfig('{\n  // where the documents are\n  "sources": ["notes/**/*.lit.md"], /* and more */\n  "outputDirs": ["gen",],\n}\n');
    expect(messages).toEqual([]);
    expect(config?.sources).toEqual(['notes/**/*.lit.md']);
    expect(config?.outputDirs).toEqual(['gen']);
  });

  it('locates a key exactly, not where its name appears in a comment', () => {
    expect(problems('{\n  // "sources": was here\n  "outputDirs": [],\n  "sources": 3\n}\n')).toEqual([
      '3:3: `outputDirs` must name at least one folder [malformed-config]',
      '4:3: `sources` must be a list of strings [malformed-config]',
    ]);
  });

  it('locates a syntax error', () => {
    expect(problems('{\n  "sources": [,]\n}\n')).toEqual(['2:15: invalid JSON: value expected [malformed-config]']);
  });

  it('accepts $schema', () => {
    expect(parseConfig('{ "$schema": "./node_modules/weft-lit/schema/weft.config.schema.json" }').messages).toEqual([]);
  });

  it('reports a "__proto__" key as unknown, never as the prototype', () => {
    expect(problems('{ "__proto__": { "sources": [] } }')).toEqual(['1:3: unknown config key `__proto__` (known keys: sources, outputDirs, outputFiles, comments, chunkScope, quartoAttributes, bundle, limits, budgets, allowInvalidUtf8, weave, watch) [malformed-config]']);
  });
});

describe('weft.config.json keys', () => {
  it('suggests the key that was meant', () => {
    expect(problems('{\n  "source": ["docs/**/*.lit.md"],\n  "bundle": { "entryPoints": ["a.ts"], "outDir": "out" }\n}')).toEqual([
      '2:3: unknown config key `source`; did you mean `sources`? [malformed-config]',
      '3:40: unknown config key `bundle.outDir`; did you mean `bundle.outdir`? [malformed-config]',
    ]);
  });

  it('reports a value of the wrong type once, not also as missing or out of range', () => {
    expect(problems('{ "bundle": { "entryPoints": "a.ts", "platform": 5 }, "budgets": { "severity": 1 }, "limits": { "maxDepth": "9" } }')).toEqual([
      '1:15: `bundle.entryPoints` must be a list of strings [malformed-config]',
      '1:38: `bundle.platform` must be a string [malformed-config]',
      '1:68: `budgets.severity` must be a string [malformed-config]',
      '1:97: `limits.maxDepth` must be a number [malformed-config]',
    ]);
  });

  it('requires bundle.entryPoints when it is absent', () => {
    expect(problems('{ "bundle": { "outdir": "out" } }')).toEqual(['1:3: `bundle.entryPoints` is required (a list of entry files) [malformed-config]']);
  });
});

describe('limits', () => {
  it('have ceilings: 1000 levels, 256 MiB per output and per document', () => {
    expect(LIMIT_CEILINGS).toEqual({ maxDepth: 1000, maxOutputBytes: 268435456, maxDocumentBytes: 268435456 });
    expect(problems('{ "limits": { "maxOutputBytes": 9007199254740991, "maxDocumentBytes": 268435457, "maxDepth": 1001 } }')).toEqual([
      '1:15: `limits.maxOutputBytes` must be at most 268435456 (256 MiB) [malformed-config]',
      '1:51: `limits.maxDocumentBytes` must be at most 268435456 (256 MiB) [malformed-config]',
      '1:82: `limits.maxDepth` must be at most 1000 [malformed-config]',
    ]);
  });

  it('accept the ceilings themselves', () => {
    const { config, messages } = parseConfig('{ "limits": { "maxOutputBytes": 268435456, "maxDocumentBytes": 268435456, "maxDepth": 1000 } }');
    expect(messages).toEqual([]);
    expect(config?.limits).toEqual(LIMIT_CEILINGS);
  });

  it('must be positive integers', () => {
    expect(problems('{ "limits": { "maxDepth": 0, "maxOutputBytes": 1.5 } }')).toEqual([
      '1:15: `limits.maxDepth` must be a positive integer [malformed-config]',
      '1:30: `limits.maxOutputBytes` must be a positive integer [malformed-config]',
    ]);
  });

  it('a run with a config over a ceiling writes nothing and exits 1', () => {
    const dir = makeProject({ 'weft.config.json': '{ "limits": { "maxOutputBytes": 9007199254740991 } }\n', 'docs/a.lit.md': fence('ts file=src-generated/a.ts', 'a();') });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('weft.config.json:1:15: error: `limits.maxOutputBytes` must be at most 268435456 (256 MiB) [malformed-config]\n');
  });
});

describe('the JSON Schema shipped with weft', () => {
  const schema = JSON.parse(readFileSync(join(REPO, 'schema/weft.config.schema.json'), 'utf8'));
  const keysOf = (object: { properties: Record<string, unknown> }) => Object.keys(object.properties).sort();

  it('lists exactly the keys the parser accepts, at every level', () => {
    expect(keysOf(schema)).toEqual(Object.keys(CONFIG_KEYS['']).sort());
    for (const section of ['bundle', 'limits', 'budgets'] as const) expect(keysOf(schema.properties[section])).toEqual(Object.keys(CONFIG_KEYS[section]).sort());
  });

  it('forbids other keys and states the ceilings', () => {
    expect([schema, schema.properties.bundle, schema.properties.limits, schema.properties.budgets].map((s) => s.additionalProperties)).toEqual([false, false, false, false]);
    for (const [key, ceiling] of Object.entries(LIMIT_CEILINGS)) expect(schema.properties.limits.properties[key].maximum).toBe(ceiling);
  });

  it('is shipped in the package and named by the config weft init writes', () => {
    expect(JSON.parse(read(REPO, 'package.json')).files).toContain('schema/');
    const dir = makeProject();
    expect(weft(dir, 'init', '--weft', 'file:/nowhere').code).toBe(0);
    expect(JSON.parse(read(dir, 'weft.config.json')).$schema).toBe('./node_modules/weft-lit/schema/weft.config.schema.json');
    expect(SCHEMA_PATH.replace('./node_modules/weft-lit/', '')).toBe('schema/weft.config.schema.json');
  });
});
