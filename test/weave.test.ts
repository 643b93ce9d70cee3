/**
 * `weft weave`: the woven site's captions, notes, anchors, references, escaping and
 * tangled views, on small in-memory projects with exact expected HTML fragments; then the
 * command's exit codes, diagnostics and determinism on real temp folders.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import rehypeParse from 'rehype-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { readFolder, snapshotOfTexts, tangleSnapshot } from '../tangle/snapshot.js';
import { checkLinks } from '../tangle/weave/links.js';
import { listInSentence, slug } from '../tangle/weave/model.js';
import { createWeaveMemo, weaveSite } from '../tangle/weave/index.js';
import { weave } from '../tangle/weave/weave.js';
import { fence, makeProject, read, WEFT_BIN, weft, writeFiles } from './helpers.js';

async function site(files: Record<string, string>) {
  return weaveSite(tangleSnapshot(snapshotOfTexts(files)));
}

async function page(files: Record<string, string>, path: string): Promise<string> {
  const { site: built } = await site(files);
  const html = built.get(path);
  if (typeof html !== 'string') throw new Error(`no page ${path}; pages: ${[...built.keys()].join(', ')}`);
  return html;
}

/** The `<figcaption>` of the element with this id. */
function caption(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, `no element with id ${id}`).toBeGreaterThan(-1);
  const from = html.indexOf('<figcaption>', start);
  return html.slice(from, html.indexOf('</figcaption>', from) + '</figcaption>'.length);
}

/** The paragraph with class `cls` inside the figure with this id. */
function paragraph(html: string, id: string, cls: string): string | undefined {
  const start = html.indexOf(`id="${id}"`);
  const end = html.indexOf('</figure>', start);
  const figure = html.slice(start, end);
  const from = figure.indexOf(`<p class="${cls}`);
  return from < 0 ? undefined : figure.slice(from, figure.indexOf('</p>', from) + 4);
}

const GREET = [
  '# Greeting\n\n',
  fence('ts file=src-generated/greet.ts', 'export function greet(name: string) {\n  <<build-the-message>>\n  return message;\n}'),
  '\n\n## The message\n\n',
  fence('ts #build-the-message', 'let message = `Hello, ${name}`;'),
  '\n\nAnd a second part:\n\n',
  fence('ts #build-the-message', "message += '!';"),
  '\n',
].join('');

describe('chunk captions and numbering', () => {
  it('captions a file root with its output path linked to the tangled view, and a chunk with ≡ then +≡', async () => {
    const html = await page({ 'docs/greet.lit.md': GREET }, 'docs/greet.html');
    expect(caption(html, 'file-src-generated-greet-ts')).toBe(
      '<figcaption><a class="number" href="#file-src-generated-greet-ts" aria-label="§1.1, permalink">§1.1</a> <a class="name" href="../tangled/src-generated/greet.ts.html"><code>src-generated/greet.ts</code></a> ≡</figcaption>',
    );
    expect(caption(html, 'chunk-build-the-message')).toBe(
      '<figcaption><a class="number" href="#chunk-build-the-message" aria-label="§1.2, permalink">§1.2</a> <span class="name">⟨build-the-message⟩</span> ≡</figcaption>',
    );
    expect(caption(html, 'chunk-build-the-message-2')).toBe(
      '<figcaption><a class="number" href="#chunk-build-the-message-2" aria-label="§1.3, permalink">§1.3</a> <span class="name">⟨build-the-message⟩</span> +≡</figcaption>',
    );
  });

  it('numbers chunks per document: the second document starts again at §2.1', async () => {
    const other = `# Other\n\n${fence('ts #helper', 'const x = 1;')}\n`;
    const html = await page({ 'docs/a.lit.md': GREET, 'docs/b.lit.md': other }, 'docs/b.html');
    expect(caption(html, 'chunk-helper')).toContain('>§2.1</a>');
  });

  it('orders documents by weave.order, then by path', async () => {
    const other = `# Other\n\n${fence('ts #helper', 'const x = 1;')}\n`;
    const tangled = tangleSnapshot(snapshotOfTexts({ 'docs/a.lit.md': GREET, 'docs/b.lit.md': other }));
    const { site: built } = await weaveSite(tangled, { title: 'T', out: 'site', order: ['docs/b.lit.md'], themes: { light: 'github-light-default', dark: 'github-dark-default' }, repoUrl: null });
    expect(caption(built.get('docs/b.html') as string, 'chunk-helper')).toContain('>§1.1</a>');
    expect(caption(built.get('docs/a.html') as string, 'chunk-build-the-message')).toContain('>§2.2</a>');
  });
});

describe('notes', () => {
  it('says where a chunk is used, where it continues, where else it is defined, and where it is written', async () => {
    const html = await page({ 'docs/greet.lit.md': GREET }, 'docs/greet.html');
    expect(paragraph(html, 'chunk-build-the-message', 'used')).toBe('<p class="used">Used in <a href="#file-src-generated-greet-ts">§1.1</a>.</p>');
    expect(paragraph(html, 'chunk-build-the-message', 'notes')).toBe(
      '<p class="notes">Continued in <a href="#chunk-build-the-message-2">§1.3</a>. Written to <a href="../tangled/src-generated/greet.ts.html"><code>src-generated/greet.ts</code></a>.</p>',
    );
    expect(paragraph(html, 'chunk-build-the-message-2', 'notes')).toBe(
      '<p class="notes">Also defined in <a href="#chunk-build-the-message">§1.2</a>. Written to <a href="../tangled/src-generated/greet.ts.html"><code>src-generated/greet.ts</code></a>.</p>',
    );
  });

  it('joins two uses with "and" and three with commas and an Oxford comma', async () => {
    expect(listInSentence(['§1.1'])).toBe('§1.1');
    expect(listInSentence(['§1.1', '§1.2'])).toBe('§1.1 and §1.2');
    expect(listInSentence(['§1.1', '§1.2', '§2.1'])).toBe('§1.1, §1.2, and §2.1');
    const doc = [
      fence('ts file=src-generated/a.ts', '<<shared>>'),
      fence('ts file=src-generated/b.ts', '<<shared>>'),
      fence('ts file=src-generated/c.ts', '<<shared>>'),
      fence('ts #shared', 'export const x = 1;'),
    ].join('\n');
    const html = await page({ 'docs/a.lit.md': doc }, 'docs/a.html');
    expect(paragraph(html, 'chunk-shared', 'used')).toBe(
      '<p class="used">Used in <a href="#file-src-generated-a-ts">§1.1</a>, <a href="#file-src-generated-b-ts">§1.2</a>, and <a href="#file-src-generated-c-ts">§1.3</a>.</p>',
    );
    expect(paragraph(html, 'chunk-shared', 'notes')).toBe(
      '<p class="notes">Written to <a href="../tangled/src-generated/a.ts.html"><code>src-generated/a.ts</code></a>, <a href="../tangled/src-generated/b.ts.html"><code>src-generated/b.ts</code></a>, and <a href="../tangled/src-generated/c.ts.html"><code>src-generated/c.ts</code></a>.</p>',
    );
  });

  it('never links a chunk to itself: a part that references its own chunk is not a use', async () => {
    const doc = [fence('ts file=src-generated/a.ts', '<<loop>>'), fence('ts #loop', 'a();'), fence('ts #loop', 'b();')].join('\n');
    const html = await page({ 'docs/a.lit.md': doc }, 'docs/a.html');
    expect(paragraph(html, 'chunk-loop', 'used')).toBe('<p class="used">Used in <a href="#file-src-generated-a-ts">§1.1</a>.</p>');
    expect(html).not.toMatch(/Used in[^.]*§1\.2/);
  });

  it('marks a chunk that nothing uses, on its page and in the chunk index', async () => {
    const doc = `${fence('ts file=src-generated/a.ts', 'x();')}\n${fence('ts #orphan', 'y();')}\n`;
    const { site: built } = await site({ 'docs/a.lit.md': doc });
    expect(paragraph(built.get('docs/a.html') as string, 'chunk-orphan', 'used')).toBe('<p class="used unused">Not used.</p>');
    expect(built.get('index.html')).toContain('<td><span class="unused-mark">unused</span></td>');
  });
});

describe('anchors', () => {
  it('keeps a chunk anchor when another chunk is inserted above it (only the § number moves)', async () => {
    const before = `${fence('ts file=src-generated/a.ts', '<<second>>')}\n${fence('ts #second', 'b();')}\n`;
    const after = `${fence('ts file=src-generated/a.ts', '<<first>>\n<<second>>')}\n${fence('ts #first', 'a();')}\n${fence('ts #second', 'b();')}\n`;
    const one = await page({ 'docs/a.lit.md': before }, 'docs/a.html');
    const two = await page({ 'docs/a.lit.md': after }, 'docs/a.html');
    expect(caption(one, 'chunk-second')).toContain('href="#chunk-second"');
    expect(caption(two, 'chunk-second')).toContain('href="#chunk-second"');
    expect(caption(one, 'chunk-second')).toContain('§1.2');
    expect(caption(two, 'chunk-second')).toContain('§1.3');
  });

  it('never lets heading ids collide with chunk ids, or chunk slugs with part suffixes', async () => {
    const doc = [
      '# Chunk parse\n\n## main\n\n',
      fence('ts file=src-generated/a.ts', '<<parse>>\n<<parse 2>>'),
      fence('ts #parse', 'a();'),
      fence('ts #parse', 'b();'),
      fence('ts #"parse 2"', 'c();'),
      fence('ts #parse-2', 'd();'),
    ].join('\n');
    const html = await page({ 'docs/a.lit.md': doc }, 'docs/a.html');
    expect(html).toContain('<h1 id="section-chunk-parse">');
    expect(html).toContain('<h2 id="main-1">');
    expect(html).toContain('id="chunk-parse"');
    expect(html).toContain('id="chunk-parse-2"');
    expect(html).toContain('id="chunk-parse-2_"');
    expect(html).toContain('id="chunk-parse-2__2"');
    expect(slug('parse 2')).toBe('parse-2_');
  });

  it('has no duplicate ids and no broken links on any page', async () => {
    const doc = ['# A\n\n# A\n\n', fence('ts file=src-generated/a.ts', '<<x>>'), fence('ts #x', 'a();'), fence('ts #x', 'b();'), '\n[to b](b.lit.md#b)\n'].join('\n');
    const { site: built } = await site({ 'docs/a.lit.md': doc, 'docs/b.lit.md': '# B\n\nText.\n' });
    expect(checkLinks(built, '')).toEqual([]);
    expect(built.get('docs/a.html')).toContain('<a href="b.html#b">to b</a>');
  });
});

describe('references', () => {
  it('renders a reference line as ⟨name §n⟩ linked to the first definition, keeping its indentation', async () => {
    const html = await page({ 'docs/greet.lit.md': GREET }, 'docs/greet.html');
    expect(html).toContain(
      '<span class="line">  <a class="reference" href="#chunk-build-the-message" title="docs/greet.lit.md:13">⟨build-the-message <span class="number">§1.2</span>⟩</a></span>',
    );
  });

  it('links references across documents to the other page', async () => {
    const a = `${fence('ts file=src-generated/a.ts', '<<helper>>')}\n`;
    const b = `# B\n\n${fence('ts #helper', 'export const x = 1;')}\n`;
    const { site: built } = await site({ 'docs/a.lit.md': a, 'docs/sub/b.lit.md': b });
    expect(built.get('docs/a.html')).toContain('<a class="reference" href="sub/b.html#chunk-helper" title="docs/sub/b.lit.md:3">⟨helper <span class="number">§2.1</span>⟩</a>');
    expect(paragraph(built.get('docs/sub/b.html') as string, 'chunk-helper', 'used')).toBe('<p class="used">Used in <a href="../a.html#file-src-generated-a-ts">§1.1</a>.</p>');
  });

  it('renders an undefined reference visibly broken and reports undefined-chunk, also in a chunk no output uses', async () => {
    const doc = `${fence('ts file=src-generated/a.ts', '<<missing>>')}\n${fence('ts #unused', '  <<also-missing>>')}\n`;
    const { site: built, messages } = await site({ 'docs/a.lit.md': doc });
    expect(built.get('docs/a.html')).toContain('<span class="reference broken" title="undefined chunk: missing">⟨missing ?⟩</span>');
    expect(messages.map((m) => `${m.file}:${m.line}:${m.column} ${m.rule}`)).toEqual(['docs/a.lit.md:2:1 undefined-chunk', 'docs/a.lit.md:6:3 undefined-chunk']);
  });
});

describe('escaping', () => {
  it('escapes <script> in code, in chunk names and in prose code spans', async () => {
    const doc = [
      'Prose with `<script>alert(1)</script>` in a code span.\n',
      fence('ts file=src-generated/a.ts', '<<x<script>y>>\nconst s = "<script>alert(2)</script>";'),
      fence('ts #x<script>y', 'y();'),
    ].join('\n');
    const html = await page({ 'docs/a.lit.md': doc }, 'docs/a.html');
    // Only the page's own two scripts are elements; everything else is text or attribute values.
    const scripts: string[] = [];
    const walk = (node: any): void => {
      if (node.tagName === 'script') scripts.push(String(node.properties.src ?? 'inline'));
      for (const child of node.children ?? []) walk(child);
    };
    walk(unified().use(rehypeParse).parse(html));
    expect(scripts).toEqual(['inline', '../assets/weft.js']);
    expect(html).toContain('<code>&#x3C;script>alert(1)&#x3C;/script></code>');
    expect(html).toContain('<span class="name">⟨x&#x3C;script>y⟩</span>');
    expect(html).toContain('⟨x&#x3C;script>y <span class="number">§1.2</span>⟩</a>');
    expect(html).toContain('&#x3C;script>alert(2)&#x3C;/script>');
  });
});

describe('plain fences', () => {
  it('keeps fences that define nothing, highlighted, without a caption', async () => {
    const doc = `# A\n\n${fence('sh', 'echo "hi"')}\n\n${fence('nosuchlanguage', 'plain <text>')}\n`;
    const html = await page({ 'docs/a.lit.md': doc }, 'docs/a.html');
    expect(html).not.toContain('<figure');
    expect(html).toMatch(/<pre class="shiki[^>]*><code><span class="line"><span style="[^"]*">echo<\/span>/);
    expect(html).toContain('<span class="line"><span>plain &#x3C;text></span></span>');
  });

  it('keeps Markdown-looking code as code, in documents the line scanner reads and in those it does not', async () => {
    // The prose parser gets the scanner's documents with the fences' content lines emptied;
    // a fence inside a list is left to remark. Either way the code is shown as written.
    const code = '# not a heading\n$$x$$ and *not emphasis*\n[not](a-link.md)';
    const scanned = `# A\n\n${fence('md', code)}\n\nAfter.\n`;
    const listed = `# A\n\n- item\n\n  ${fence('md', code).split('\n').join('\n  ')}\n\nAfter.\n`;
    for (const doc of [scanned, listed]) {
      const html = await page({ 'docs/a.lit.md': doc }, 'docs/a.html');
      expect(html).not.toContain('<h1 id="not-a-heading"');
      expect(html).not.toContain('<em>not emphasis</em>');
      expect(html).not.toContain('katex');
      const lines = [...html.matchAll(/<span class="line">(.*?)<\/span>(?=\n|<\/code>)/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
      expect(lines).toEqual(['# not a heading', '$$x$$ and *not emphasis*', '[not](a-link.md)']);
      expect(html).toContain('<p>After.</p>');
    }
  });

  it('shows a weave=collapsed fence inside <details>', async () => {
    const doc = `${fence('ts file=src-generated/a.ts weave=collapsed', 'x();')}\n`;
    const html = await page({ 'docs/a.lit.md': doc }, 'docs/a.html');
    expect(html).toContain('<details><summary>Show code</summary><div class="code">');
  });
});

/** The text of the `<pre><code>` of a tangled view, as a browser would read it. */
function tangledText(html: string): string {
  const tree = unified().use(rehypeParse).parse(html);
  let text: string | undefined;
  const walk = (node: any): void => {
    if (node.tagName === 'pre' && node.children?.[0]?.tagName === 'code') text = node.children[0].children.map((c: any) => c.value ?? '').join('');
    for (const child of node.children ?? []) walk(child);
  };
  walk(tree);
  return text!;
}

describe('weft weave (command)', () => {
  it('writes the site and exits 0; every tangled view is the exact file weft tangle wrote', () => {
    const dir = makeProject({ 'docs/greet.lit.md': GREET, 'docs/more.lit.md': `# More\n\n${fence('ts file=src-generated/more.ts', 'export const less = "<&>";\n\n\tdone();')}\n` });
    expect(weft(dir, 'tangle', '--no-bundle').code).toBe(0);
    const run = weft(dir, 'weave');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^weft: wove 5 pages from 2 documents into site: \d+ written, 0 unchanged, 0 deleted in \d+ ms\n$/);
    for (const output of ['src-generated/greet.ts', 'src-generated/more.ts']) {
      expect(tangledText(read(dir, `site/tangled/${output}.html`))).toBe(read(dir, output));
    }
    // Line 1 is Weft's header: it comes from no chunk.
    const view = read(dir, 'site/tangled/src-generated/greet.ts.html');
    expect(view).toContain('<span id="L1">1</span><a id="L2" href="../../docs/greet.html#file-src-generated-greet-ts"');
    expect(view).toContain('<a id="L3" href="../../docs/greet.html#chunk-build-the-message" title="§1.2 ⟨build-the-message⟩ (docs/greet.lit.md:14)">3</a>');
    expect(view).toContain('<a id="L4" href="../../docs/greet.html#chunk-build-the-message-2"');
    // Back in the file root, after the lines of the parts its reference expanded to.
    expect(view).toContain('<a id="L5" href="../../docs/greet.html#file-src-generated-greet-ts" title="§1.1 src-generated/greet.ts (docs/greet.lit.md:6)">5</a>');
  });

  it('gives byte-identical sites in two different folders', () => {
    const files = { 'docs/greet.lit.md': GREET, 'docs/math.lit.md': '# Math\n\nEuler: $e^{i\\pi} + 1 = 0$.\n' };
    const one = makeProject(files);
    const two = makeProject(files);
    expect(weft(one, 'weave').code).toBe(0);
    expect(weft(two, 'weave', '--out', 'elsewhere').code).toBe(0);
    const list = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
    const first = list(join(one, 'site'));
    expect(first).toEqual(list(join(two, 'elsewhere')));
    expect(first).toContain('assets/katex/katex.min.css');
    for (const path of first) expect(readFileSync(join(two, 'elsewhere', path)).equals(readFileSync(join(one, 'site', path))), path).toBe(true);
    expect(read(one, 'site/docs/math.html')).toContain('class="katex"');
    expect(read(one, 'site/docs/greet.html')).not.toContain('katex.min.css');
    expect(read(one, 'site/docs/math.html')).not.toContain(one);
  });

  it('writes nothing the second time when nothing changed, with or without --check', () => {
    const dir = makeProject({ 'docs/greet.lit.md': GREET });
    expect(weft(dir, 'weave').code).toBe(0);
    expect(weft(dir, 'weave').stdout).toMatch(/: 0 written, \d+ unchanged, 0 deleted/);
    expect(weft(dir, 'weave', '--check').stdout).toMatch(/: 0 written, \d+ unchanged, 0 deleted/);
    expect(weft(dir, 'weave', '--check').stdout).toMatch(/: 0 written, \d+ unchanged, 0 deleted/);
  });

  it('re-renders no page in a new process when nothing changed (pages come from .weft/cache/weave/), unless --no-cache', () => {
    const dir = makeProject({ 'docs/greet.lit.md': GREET });
    const rendered = (...args: string[]) => JSON.parse(weft(dir, 'weave', '--json', ...args).stdout.trim().split('\n').at(-1)!).summary.rendered;
    expect(rendered()).toBe(1);
    expect(rendered()).toBe(0);
    expect(rendered('--no-cache')).toBe(1);
  });

  it('ignores a rendered page in .weft/cache/weave/ that this user did not write (entries are signed)', () => {
    const dir = makeProject({ 'docs/greet.lit.md': GREET });
    expect(weft(dir, 'weave').code).toBe(0);
    const folder = join(dir, '.weft/cache/weave');
    const bodies = readdirSync(folder).filter((name) => name.endsWith('.body.json'));
    expect(bodies.length).toBe(1);
    // The entry as it would arrive with a project: valid JSON, the right key, a forged signature.
    const [, json] = read(dir, `.weft/cache/weave/${bodies[0]}`).split('\n', 2) as [string, string];
    const forged = JSON.stringify({ ...JSON.parse(json), value: '<script>alert(1)</script>' });
    writeFiles(dir, { [`.weft/cache/weave/${bodies[0]}`]: `weft-cache-entry-1 ${'0'.repeat(64)}\n${forged}` });
    rmSync(join(dir, 'site/docs/greet.html'));
    const run = JSON.parse(weft(dir, 'weave', '--json').stdout.trim().split('\n').at(-1)!);
    expect(run.summary.rendered).toBe(1);
    expect(read(dir, 'site/docs/greet.html')).not.toContain('alert(1)');
  });

  it('exits 1 with the engine diagnostic for an undefined reference', () => {
    const dir = makeProject({ 'docs/a.lit.md': `# A\n\n${fence('ts file=src-generated/a.ts', '<<missing>>')}\n` });
    const run = weft(dir, 'weave');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('docs/a.lit.md:4:1: error: chunk `missing` is not defined [undefined-chunk]\n');
  });

  it('--check reports a planted broken link with broken-link and exits 1', () => {
    const dir = makeProject({ 'docs/a.lit.md': '# A\n\nSee [nowhere](missing.html) and [no anchor](#no-such-heading).\n' });
    const run = weft(dir, 'weave', '--check');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      [
        'site/docs/a.html:2:8: error: link "missing.html" names docs/missing.html, which the site does not have [broken-link]',
        'site/docs/a.html:2:47: error: link "#no-such-heading": docs/a.html has no element with id "no-such-heading" [broken-link]',
        '',
      ].join('\n'),
    );
  });

  it('--json streams one event per line: a file event per site file as it is written, diagnostics, then done', () => {
    const dir = makeProject({ 'docs/a.lit.md': `${fence('ts file=src-generated/a.ts', '<<missing>>')}\n` });
    const run = weft(dir, 'weave', '--json');
    expect(run.code).toBe(1);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const files = events.filter((e) => e.event === 'file');
    expect(events.map((e) => e.event)).toEqual([...files.map(() => 'file'), 'diagnostic', 'done']);
    expect(files.map((e) => e.path)).toEqual(expect.arrayContaining(['docs/a.html', 'index.html', 'assets/weft.css', 'assets/search-data.js']));
    expect(files[0]).toEqual({ event: 'file', path: 'docs/a.html', action: 'written' });
    expect(events.at(-2)).toMatchObject({ file: 'docs/a.lit.md', line: 2, column: 1, rule: 'undefined-chunk', severity: 'error' });
    expect(events.at(-1)).toMatchObject({ ok: false, out: 'site', summary: { documents: 1, written: files.length } });
    const again = weft(dir, 'weave', '--json').stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(again.filter((e) => e.event === 'file').map((e) => e.action)).toEqual(files.map(() => 'unchanged'));
  });

  it('--json keeps weaving, without a stack trace, when its reader stops early (`| head -1`)', async () => {
    const dir = makeProject(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`docs/d${i}.lit.md`, `# D${i}\n\n${'Prose. '.repeat(200)}\n`])));
    const child = spawn(process.execPath, [WEFT_BIN, 'weave', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(join(dir, 'site/docs')).length).toBe(12);
  });

  it('weaves a large site in a worker with a bounded heap, byte for byte as in one thread, and again in one thread when that heap is too small', () => {
    const project = () => makeProject(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`docs/d${i}.lit.md`, `# D${i}\n\n${fence(`ts file=src-generated/d${i}.ts`, `export const d${i} = ${i};`)}\n`])));
    const run = (dir: string, env: Record<string, string>) => {
      const result = spawnSync(process.execPath, [WEFT_BIN, 'weave', '--json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
      return { code: result.status, events: result.stdout.trim().split('\n').map((line) => JSON.parse(line)), stderr: result.stderr };
    };
    const [here, worker, small] = [project(), project(), project()];
    const inThread = run(here, { WEFT_WEAVE_WORKER: '0' });
    // 1: in the worker whatever the size; the 4 MB heap cannot even load the weaver, so the weave is done again here.
    for (const [dir, env] of [[worker, { WEFT_WEAVE_WORKER: '1' }], [small, { WEFT_WEAVE_WORKER: '1', WEFT_WEAVE_HEAP_MB: '4' }]] as const) {
      const result = run(dir, env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.events.at(-1)).toMatchObject({ event: 'done', ok: true, summary: { documents: 9, written: inThread.events.at(-1).summary.written } });
      expect(result.events.filter((e) => e.event === 'file').map((e) => e.path).sort()).toEqual(inThread.events.filter((e) => e.event === 'file').map((e) => e.path).sort());
      for (const name of readdirSync(join(here, 'site/docs'))) expect(read(dir, `site/docs/${name}`), name).toBe(read(here, `site/docs/${name}`));
      expect(read(dir, 'site/index.html')).toBe(read(here, 'site/index.html'));
    }
  });

  it('rejects an unknown weave config key and an unknown theme with malformed-config', () => {
    const dir = makeProject({ 'docs/a.lit.md': '# A\n', 'weft.config.json': JSON.stringify({ weave: { titel: 'x', themes: { light: 'no-such-theme' } } }) });
    const run = weft(dir, 'weave');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown config key `weave.titel`');
    expect(run.stderr).toContain('`weave.themes.light` must name a shiki theme');
    expect(run.stderr).toContain('[malformed-config]');
  });

  it('refuses an output folder inside .git and the project root', () => {
    const dir = makeProject({ 'docs/a.lit.md': '# A\n' });
    expect(weft(dir, 'weave', '--out', '.').stderr).toContain('is not allowed: it is the project root [malformed-config]');
    expect(weft(dir, 'weave', '--out', '.git/site').code).toBe(1);
  });
});

describe('incremental weaves (the watch: one memo across weaves)', () => {
  const helper = (title: string, body: string) => `# ${title}\n\nSome prose.\n\n${fence('ts #helper', body)}\n`;
  const files = () => ({
    'docs/a.lit.md': `# A\n\n${fence('ts file=src-generated/a.ts', '<<helper>>\nexport const a = 1;')}\n`,
    'docs/b.lit.md': helper('B', 'export const help = 1;'),
    'docs/c.lit.md': `# C\n\nThird.\n`,
  });
  const list = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
  /** Every file of `dir/site` equals a cold weave of the same sources into a fresh project. */
  async function expectSameAsCold(dir: string) {
    const cold = makeProject(Object.fromEntries(Object.keys(files()).map((path) => [path, read(dir, path)])));
    await weave({ root: cold, cache: false });
    expect(list(join(dir, 'site'))).toEqual(list(join(cold, 'site')));
    for (const path of list(join(cold, 'site'))) expect(read(dir, `site/${path}`), path).toBe(read(cold, `site/${path}`));
  }

  it('rewrites only the edited page and the search data after a prose edit, and the site equals a cold weave', async () => {
    const dir = makeProject(files());
    const memo = createWeaveMemo();
    await weave({ root: dir, memo });
    writeFiles(dir, { 'docs/b.lit.md': helper('B', 'export const help = 1;').replace('Some prose.', 'Other prose.') });
    const result = await weave({ root: dir, memo, changed: ['docs/b.lit.md'] });
    expect(result.summary.rendered).toBe(1);
    expect(result.files.filter((f) => f.action === 'written').map((f) => f.path)).toEqual(['docs/b.html', 'assets/search-data-0.js']);
    await expectSameAsCold(dir);
  });

  it("uses a caller's tangle of the same documents, and ignores one of other contents", async () => {
    const dir = makeProject(files());
    const memo = createWeaveMemo();
    const before = tangleSnapshot(await readFolder(dir, 'working tree'));
    await weave({ root: dir, memo, tangled: before });
    writeFiles(dir, { 'docs/b.lit.md': helper('B', 'export const help = 2;') });
    // A tangle of the old contents (a watch's, made before this save): not used.
    const result = await weave({ root: dir, memo, changed: ['docs/b.lit.md'], tangled: before });
    expect(result.ok).toBe(true);
    await expectSameAsCold(dir);
    // A tangle of the current contents: used as is (its outputs are what the tangled views show).
    const now = tangleSnapshot(await readFolder(dir, 'working tree'));
    const marked = { ...now, outputs: now.outputs.map((o) => ({ ...o, content: `${o.content}// from the caller\n` })) };
    writeFiles(dir, { 'docs/c.lit.md': '# C\n\nThird, edited.\n' });
    const current = tangleSnapshot(await readFolder(dir, 'working tree'));
    await weave({ root: dir, memo, changed: ['docs/c.lit.md'], tangled: { ...current, outputs: marked.outputs } });
    expect(read(dir, 'site/tangled/src-generated/a.ts.html')).toContain('// from the caller');
  });

  it('splits the search data in parts of 32 documents, and a prose edit rewrites only its part', async () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`docs/d${String(i).padStart(2, '0')}.lit.md`, `# Doc ${i}\n\nProse of document ${i}.\n`]));
    const dir = makeProject(many);
    const memo = createWeaveMemo();
    await weave({ root: dir, memo });
    expect(read(dir, 'site/assets/search-data.js')).toBe('window.WEFT_SEARCH_PARTS = 2;\n');
    expect(read(dir, 'site/assets/search-data-0.js')).toContain('Prose of document 31.');
    expect(read(dir, 'site/assets/search-data-0.js')).not.toContain('Prose of document 32.');
    expect(read(dir, 'site/assets/search-data-1.js')).toMatch(/^\(window\.WEFT_SEARCH = window\.WEFT_SEARCH \|\| \[\]\)\[1\] = \[\{.*Prose of document 39\./);
    writeFiles(dir, { 'docs/d35.lit.md': '# Doc 35\n\nNew prose.\n' });
    const result = await weave({ root: dir, memo, changed: ['docs/d35.lit.md'] });
    expect(result.files.filter((f) => f.action === 'written').map((f) => f.path)).toEqual(['docs/d35.html', 'assets/search-data-1.js']);
    expect(read(dir, 'site/assets/search-data-1.js')).toContain('New prose.');
  });

  it('follows moved chunks, changed code and a new title into the other pages, exactly as a cold weave', async () => {
    const dir = makeProject(files());
    const memo = createWeaveMemo();
    await weave({ root: dir, memo });
    // Two lines more above the chunk: its fence line moves (a's reference title shows it), its code changes, and the title (the pager of a and c).
    writeFiles(dir, { 'docs/b.lit.md': helper('B, renamed', 'export const help = 2;').replace('Some prose.', 'Some prose.\n\nMore.') });
    const result = await weave({ root: dir, memo, changed: ['docs/b.lit.md'] });
    const written = result.files.filter((f) => f.action === 'written').map((f) => f.path);
    expect(written).toEqual(expect.arrayContaining(['docs/a.html', 'docs/b.html', 'docs/c.html', 'index.html', 'tangled/src-generated/a.ts.html']));
    await expectSameAsCold(dir);
    // A page deleted behind the weave's back is written again by the next weave in a new process.
    rmSync(join(dir, 'site/docs/c.html'));
    const again = await weave({ root: dir });
    expect(again.files.filter((f) => f.action === 'written').map((f) => f.path)).toEqual(['docs/c.html']);
    expect(again.summary.rendered).toBe(0);
    await expectSameAsCold(dir);
  });

  it('puts a new site title on every page when only weft.config.json changed, exactly as a cold weave', async () => {
    const dir = makeProject(files());
    const memo = createWeaveMemo();
    await weave({ root: dir, memo });
    writeFiles(dir, { 'weft.config.json': JSON.stringify({ weave: { title: 'Renamed site' } }) });
    const result = await weave({ root: dir, memo });
    expect(result.files.filter((f) => f.action === 'written').map((f) => f.path)).toEqual(expect.arrayContaining(['docs/a.html', 'docs/b.html', 'docs/c.html', 'index.html']));
    expect(read(dir, 'site/docs/c.html')).toContain('Renamed site');
    const cold = makeProject({ ...Object.fromEntries(Object.keys(files()).map((path) => [path, read(dir, path)])), 'weft.config.json': read(dir, 'weft.config.json') });
    await weave({ root: cold, cache: false });
    for (const path of ['docs/a.html', 'docs/c.html', 'index.html', 'tangled/src-generated/a.ts.html']) expect(read(dir, `site/${path}`), path).toBe(read(cold, `site/${path}`));
  });

  it('follows a document added and one removed, exactly as a cold weave, and deletes the removed page', async () => {
    const dir = makeProject(files());
    const memo = createWeaveMemo();
    await weave({ root: dir, memo });
    rmSync(join(dir, 'docs/c.lit.md'));
    writeFiles(dir, { 'docs/d.lit.md': '# D\n\nFourth, [see A](a.lit.md).\n' });
    const result = await weave({ root: dir, memo, changed: ['docs/c.lit.md', 'docs/d.lit.md'] });
    expect(result.files.filter((f) => f.action === 'deleted').map((f) => f.path)).toEqual(['docs/c.html']);
    expect(read(dir, 'site/docs/d.html')).toContain('<a href="a.html">see A</a>');
    const cold = makeProject({ 'docs/a.lit.md': read(dir, 'docs/a.lit.md'), 'docs/b.lit.md': read(dir, 'docs/b.lit.md'), 'docs/d.lit.md': read(dir, 'docs/d.lit.md') });
    await weave({ root: cold, cache: false });
    expect(list(join(dir, 'site'))).toEqual(list(join(cold, 'site')));
    for (const path of list(join(cold, 'site'))) expect(read(dir, `site/${path}`), path).toBe(read(cold, `site/${path}`));
  });

  it('rebuilds the cross-references when a chunk is added or removed', async () => {
    const dir = makeProject(files());
    const memo = createWeaveMemo();
    await weave({ root: dir, memo });
    writeFiles(dir, { 'docs/c.lit.md': `# C\n\n${fence('ts file=src-generated/c.ts', '<<helper>>')}\n` });
    await weave({ root: dir, memo, changed: ['docs/c.lit.md'] });
    expect(paragraph(read(dir, 'site/docs/b.html'), 'chunk-helper', 'used')).toBe('<p class="used">Used in <a href="a.html#file-src-generated-a-ts">§1.1</a> and <a href="c.html#file-src-generated-c-ts">§3.1</a>.</p>');
    await expectSameAsCold(dir);
  });
});
