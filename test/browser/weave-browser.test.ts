/// <reference lib="dom" />
/**
 * The woven site in a real browser: Debian's Chromium driven by playwright-core, over a
 * 10-document fixture (the bench generator's corpus) served by `weft watch --serve` (the
 * live-reload client is injected there; the site itself must also work from `file://`,
 * which the last test checks).
 *
 * Chromium is not preinstalled everywhere: `.ci/run` installs it. These tests never skip:
 * without `/usr/bin/chromium` they fail with a one-line message saying how to install it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, REPO, stopChild, WEFT_BIN, writeFiles } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const require = createRequire(import.meta.url);
let browser: Browser;
let server: ChildProcess;
let dir: string;
let site: string;
let base: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing${process.env.CI === 'true' ? ' (CI must install it: see .ci/run)' : ''}: install it with \`apt-get install -y chromium\``);
  }
  dir = makeProject();
  const { generateProject } = (await import('../../bench/generate.mjs' as string)) as { generateProject: (o: { docs: number }) => Map<string, string> };
  writeFiles(dir, Object.fromEntries([...generateProject({ docs: 10 })].filter(([path]) => !path.startsWith('nw/'))));
  site = join(dir, 'site');
  server = spawn(process.execPath, [WEFT_BIN, 'watch', '--serve', '--port', '0', '--no-bundle', '--json'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  server.stdout!.on('data', (chunk) => (stdout += chunk));
  for (const started = Date.now(); !/"event":"serve"/.test(stdout); ) {
    if (Date.now() - started > 60_000 || server.exitCode !== null) throw new Error(`no serve event: ${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  base = /\{"event":"serve","url":"([^"]+)"\}/.exec(stdout)![1]!;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopChild(server, 'SIGTERM');
});

const url = (path: string) => `${base}${path}`;

/** A page that records console errors, failed requests and responses of 400 and above (404s). */
async function open(path: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // The live-reload stream is cut when a page is left: that is not a failure.
    if (!request.url().endsWith('/__weft/events')) problems.push(`failed: ${request.url()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
  });
  await page.goto(url(path));
  return { page, problems };
}

describe('the woven site in Chromium', () => {
  it('resolves every link on every page to a page and an element, with no console error or 404', async () => {
    const { page, problems } = await open('index.html');
    const pages = await page.$$eval('main a[href]', (links) => [...new Set(links.map((a) => (a as HTMLAnchorElement).href.split('#')[0]!))]);
    expect(pages.length).toBeGreaterThan(10);
    const broken: string[] = [];
    const anchors = new Map<string, Set<string>>();
    const visited = new Set<string>();
    for (const target of [url('index.html'), ...pages]) {
      if (visited.has(target)) continue;
      visited.add(target);
      await page.goto(target);
      for (const href of await page.$$eval('a[href], link[href], script[src]', (as) => as.map((a) => (a as HTMLAnchorElement).href || (a as HTMLScriptElement).src))) {
        const [file, fragment] = href.split('#') as [string, string | undefined];
        if (!file.startsWith(base)) continue;
        if (!anchors.has(file)) anchors.set(file, new Set());
        if (fragment) anchors.get(file)!.add(`${target} -> ${decodeURIComponent(fragment)}`);
      }
    }
    // Every file a link names is served, and every fragment names an element of it.
    for (const [file, wanted] of anchors) {
      // Assets are fetched, not opened: a browser showing a stylesheet as a page asks for /favicon.ico.
      const isPage = /\.html$|\/$/.test(new URL(file).pathname);
      const status = isPage ? (await page.goto(file))?.status() : (await page.request.get(file)).status();
      if (status !== 200) {
        broken.push(`${file}: ${status}`);
        continue;
      }
      if (!isPage) continue;
      for (const entry of wanted) {
        const id = entry.split(' -> ')[1]!;
        if (!(await page.evaluate((id) => document.getElementById(id) !== null, id))) broken.push(entry);
      }
    }
    expect(broken).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('keyboard: Tab reaches the skip link first and Enter moves focus to main', async () => {
    const { page } = await open('docs/mod-0001.html');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.context().close();
  });

  it('Tab reaches a chunk reference; Enter makes the definition :target and in view, and Back returns', async () => {
    const { page } = await open('docs/mod-0001.html');
    // Tab through the page, as a keyboard user does, until a chunk reference has the focus.
    let href: string | null = null;
    for (let tabs = 0; tabs < 400 && href === null; tabs++) {
      await page.keyboard.press('Tab');
      href = await page.evaluate(() => (document.activeElement?.classList.contains('reference') ? document.activeElement.getAttribute('href') : null));
    }
    expect(href, 'no chunk reference reached with Tab').not.toBeNull();
    await page.keyboard.press('Enter');
    const id = decodeURIComponent(href!.split('#')[1]!);
    await page.waitForFunction((id) => document.querySelector(':target')?.id === id, id);
    expect(await page.evaluate((id) => { const r = document.getElementById(id)!.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }, id)).toBe(true);
    await page.goBack();
    expect(page.url()).toBe(url('docs/mod-0001.html'));
    await page.context().close();
  });

  it('has no axe-core wcag2a/wcag2aa violations in light and in dark mode', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page } = await open('docs/mod-0001.html', { colorScheme: scheme });
      await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
        });
        return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
      });
      expect(violations, scheme).toEqual([]);
      await page.context().close();
    }
  }, 60_000);

  it('sets the dark theme before first paint and keeps the toggled theme across a reload', async () => {
    const context = await browser.newContext({ colorScheme: 'dark' });
    // Record the theme at the first moment scripts can see the body.
    await context.addInitScript(() => {
      document.addEventListener('readystatechange', () => ((window as unknown as { firstTheme?: string }).firstTheme ??= document.documentElement.dataset.theme), { once: true });
    });
    const page = await context.newPage();
    await page.goto(url('docs/mod-0001.html'));
    expect(await page.evaluate(() => (window as unknown as { firstTheme?: string }).firstTheme)).toBe('dark');
    await page.click('#weft-theme');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await context.close();
  });

  it('finds a chunk by name with the search box (/ focuses it) and links to its definition', async () => {
    const { page, problems } = await open('index.html');
    const name = await page.locator('table code').first().textContent();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('weft-search');
    await page.keyboard.type(name!.slice(1, -1));
    const first = page.locator('#weft-results a').first();
    await first.waitFor();
    expect(await first.getAttribute('href')).toMatch(/#chunk-/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("copies a chunk's exact text, <<references>> as written, with its copy button", async () => {
    const context = await browser.newContext();
    // The clipboard is recorded, not used: headless Chromium has no system clipboard.
    await context.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', { value: { writeText: (text: string) => ((window as unknown as { copied: string }).copied = text, Promise.resolve()) } });
    });
    const page = await context.newPage();
    await page.goto(url('docs/mod-0001.html'));
    await page.locator('figure.chunk button.copy').first().click();
    await page.waitForFunction(() => (window as unknown as { copied?: string }).copied !== undefined);
    const copied = await page.evaluate(() => (window as unknown as { copied: string }).copied);
    const markdown = readFileSync(join(dir, 'docs', 'mod-0001.lit.md'), 'utf8');
    const first = /^```[^\n]*(?:file=|#)[^\n]*\n([\s\S]*?)\n```$/m.exec(markdown)!;
    expect(copied).toBe(first[1]);
    expect(await page.locator('figure.chunk button.copy').first().textContent()).toBe('Copied');
    await context.close();
  });

  it('keeps screenshots of one page in both themes as test artifacts', async () => {
    const folder = join(REPO, 'test-results', 'weave');
    mkdirSync(folder, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      const { page } = await open('docs/mod-0001.html', { colorScheme: scheme });
      await page.screenshot({ path: join(folder, `mod-0001-${scheme}.png`), fullPage: false });
      expect(existsSync(join(folder, `mod-0001-${scheme}.png`))).toBe(true);
      await page.context().close();
    }
  });

  it('works from file:// too: relative links, local assets, no live-reload client in the files', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
    await page.goto(pathToFileURL(join(site, 'docs', 'mod-0001.html')).href);
    await page.locator('a.reference').first().click();
    expect(page.url()).toMatch(/^file:.*#chunk-/);
    expect(readFileSync(join(site, 'docs', 'mod-0001.html'), 'utf8')).not.toContain('__weft');
    expect(problems).toEqual([]);
    await context.close();
  });
});
