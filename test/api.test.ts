/**
 * The public surface, pinned: what `import … from 'weft'` gives (the compiled
 * `lib/index.js`, as the package's `exports` names it), every rule id in one union and
 * in the README, and the runtime dependencies (each one used by the engine).
 *
 * Changing the export list is a change of the package's contract: update this list, the
 * README's Programmatic API section, and say so in the changelog.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../tangle/messages.js';
import { REPO } from './helpers.js';

const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
/** The built entry point, by URL: the build's typings may not exist yet when tests are type-checked. */
const BUILT_INDEX = pathToFileURL(join(REPO, 'lib/index.js')).href;

/** Every module of `tangle/` (recursively) with its text. */
function engineSources(): { file: string; text: string }[] {
  return readdirSync(join(REPO, 'tangle'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => ({ file: join(entry.parentPath, entry.name), text: readFileSync(join(entry.parentPath, entry.name), 'utf8') }));
}

describe("the package's exports", () => {
  it('are exactly these (the stages behind them are internals)', async () => {
    expect(PACKAGE.exports['.'].default).toBe('./lib/index.js');
    const index = await import(BUILT_INDEX);
    expect(Object.keys(index).sort()).toEqual([
      'DEFAULT_CONFIG',
      'ExplainError',
      'WEFT_VERSION',
      'check',
      'createContext',
      'diffSnapshots',
      'diffSummaryLine',
      'explainChunk',
      'explainLine',
      'formatDiffMarkdown',
      'formatDiffText',
      'formatMessage',
      'formatStats',
      'init',
      'initFromEntangled',
      'loadConfig',
      'parseConfig',
      'planStitch',
      'projectStats',
      'readFolder',
      'readRevision',
      'snapshotOfTexts',
      'startServer',
      'stitch',
      'tangle',
      'tangleSnapshot',
      'tangleSources',
      'weave',
    ]);
  });

  it('are the same in the source and the build', async () => {
    const [source, built] = await Promise.all([import('../tangle/index.js'), import(BUILT_INDEX)]);
    expect(Object.keys(source).sort()).toEqual(Object.keys(built).sort());
  });
});

describe('rule ids', () => {
  /** Rule ids written in `tangle/`: after a severity in `message(…)`, or as `rule: '…'`. */
  function usedRuleIds(): string[] {
    const used = new Set<string>();
    const patterns = [/(?:'error'|'warning'|severity),\s*'([a-z0-9]+(?:-[a-z0-9]+)*)'/g, /\brule: '([a-z0-9]+(?:-[a-z0-9]+)*)'/g, /'(stitch\/[a-z0-9]+(?:-[a-z0-9]+)*)'/g, /\breport\(\w+, '([a-z0-9]+(?:-[a-z0-9]+)*)'/g, /\bat\('([a-z0-9]+(?:-[a-z0-9]+)*)'/g];
    for (const { text } of engineSources()) for (const pattern of patterns) for (const match of text.matchAll(pattern)) used.add(match[1]!);
    return [...used].sort();
  }

  /** The ids in the first column of the README's Diagnostics table. */
  function documentedRuleIds(): string[] {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Diagnostics'), readme.indexOf('\n## ', readme.indexOf('\n## Diagnostics') + 1));
    const ids = section.split('\n').filter((line) => line.startsWith('| `')).flatMap((line) => [...line.split('|')[1]!.matchAll(/`((?:stitch\/)?[a-z0-9]+(?:-[a-z0-9]+)*)`/g)].map((m) => m[1]!));
    return [...new Set(ids)].sort();
  }

  it('every id used in tangle/ is in the RuleId union', () => {
    const used = usedRuleIds();
    expect(used.length).toBeGreaterThan(25);
    expect(used.filter((id) => !(RULE_IDS as readonly string[]).includes(id))).toEqual([]);
  });

  it('every id in the union is used, and documented in the README Diagnostics table (and nothing else is)', () => {
    expect([...RULE_IDS].sort()).toEqual(usedRuleIds());
    expect(documentedRuleIds()).toEqual([...RULE_IDS].sort());
  });
});

describe('dependencies', () => {
  it('every runtime dependency is imported by the engine', () => {
    const code = engineSources().map((s) => s.text).join('\n');
    const unused = Object.keys(PACKAGE.dependencies).filter((name) => !code.includes(`'${name}'`) && !code.includes(`'${name}/`));
    expect(unused).toEqual([]);
  });

  it('test-only packages are devDependencies', () => {
    expect(Object.keys(PACKAGE.dependencies)).not.toContain('@jridgewell/trace-mapping');
    expect(Object.keys(PACKAGE.dependencies)).not.toContain('vfile-message');
    expect(Object.keys(PACKAGE.devDependencies)).toContain('@jridgewell/trace-mapping');
  });
});
