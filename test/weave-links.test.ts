/**
 * Link integrity of real sites: the repository's own `docs/` and the 100-document bench
 * corpus are woven, then every page is parsed back (rehype-parse) and every relative link,
 * anchor and asset reference is checked: 0 broken links, 0 missing anchors, 0 duplicate ids.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFolder, tangleSnapshot } from '../tangle/snapshot.js';
import { checkLinks } from '../tangle/weave/links.js';
import { weaveSite } from '../tangle/weave/index.js';
import { makeProject, REPO, writeFiles } from './helpers.js';

async function wovenLinks(root: string) {
  const { site, messages } = await weaveSite(tangleSnapshot(await readFolder(root, 'test')));
  return { site, messages, links: checkLinks(site, 'site') };
}

describe('link integrity', () => {
  it("weaves the repository's own docs with no broken link, missing anchor or duplicate id", async () => {
    const dir = makeProject();
    cpSync(join(REPO, 'docs'), join(dir, 'docs'), { recursive: true });
    cpSync(join(REPO, 'weft.config.json'), join(dir, 'weft.config.json'));
    const { site, messages, links } = await wovenLinks(dir);
    expect(messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(links).toEqual([]);
    expect([...site.keys()].filter((p) => p.startsWith('docs/')).length).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it('weaves the 100-document bench corpus with no broken link, missing anchor or duplicate id', async () => {
    const dir = makeProject();
    // The generator is plain JavaScript (bench/), untyped.
    const { generateProject } = (await import('../bench/generate.mjs' as string)) as { generateProject: (o: { docs: number }) => Map<string, string> };
    writeFiles(dir, Object.fromEntries([...generateProject({ docs: 100 })].filter(([path]) => !path.startsWith('nw/'))));
    const { site, messages, links } = await wovenLinks(dir);
    expect(messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(links).toEqual([]);
    expect([...site.keys()].filter((p) => p.startsWith('docs/')).length).toBe(100);
  }, 300_000);

  it('finds a planted broken link, a missing anchor and a duplicate id', () => {
    const site = new Map([
      ['index.html', '<a href="a.html#x">a</a><a href="gone.html">gone</a><p id="d"></p><p id="d"></p>'],
      ['a.html', '<h1 id="y">A</h1>'],
    ]);
    expect(checkLinks(site, 'site').map((m) => `${m.file}:${m.line}:${m.column} ${m.rule}: ${m.message}`)).toEqual([
      'site/index.html:1:67 duplicate-id: id "d" is used by more than one element',
      'site/index.html:1:1 broken-link: link "a.html#x": a.html has no element with id "x"',
      'site/index.html:1:25 broken-link: link "gone.html" names gone.html, which the site does not have',
    ]);
  });
});
