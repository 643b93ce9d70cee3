/// <reference lib="dom" />
/**
 * The woven site in a real browser: Debian's Chromium driven by playwright-core, over a
 * 10-document fixture (the bench generator's corpus) opened from `file://` (which the site
 * must support: relative links, local assets, no fetch).
 *
 * Chromium is not preinstalled everywhere: `.ci/run` installs it. These tests never skip:
 * without `/usr/bin/chromium` they fail with a one-line message saying how to install it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, REPO, weft, writeFiles } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const require = createRequire(import.meta.url);
let browser: Browser;
let site: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing${process.env.CI === 'true' ? ' (CI must install it: see .ci/run)' : ''}: install it with \`apt-get install -y chromium\``);
  }
  const dir = makeProject();
  const { generateProject } = (await import('../../bench/generate.mjs' as string)) as { generateProject: (o: { docs: number }) => Map<string, string> };
  writeFiles(dir, Object.fromEntries([...generateProject({ docs: 10 })].filter(([path]) => !path.startsWith('nw/'))));
  const run = weft(dir, 'weave');
  expect(run.code, run.stderr).toBe(0);
  site = join(dir, 'site');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const url = (path: string) => pathToFileURL(join(site, path)).href;

/** A page that records console errors and failed requests. */
async function open(path: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
  await page.goto(url(path));
  return { page, problems };
}

describe('the woven site in Chromium', () => {
  it('resolves every link on every page to a page and an element, with no console error or failed request', async () => {
    const { page, problems } = await open('index.html');
    const pages = await page.$$eval('main a[href]', (links) => [...new Set(links.map((a) => (a as HTMLAnchorElement).href.split('#')[0]!))]);
    expect(pages.length).toBeGreaterThan(10);
    const broken: string[] = [];
    for (const target of ['index.html', ...pages.map((href) => href.slice(pathToFileURL(site).href.length + 1))]) {
      await page.goto(url(target));
      const links = await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
      for (const href of links) {
        const [file, fragment] = href.split('#') as [string, string | undefined];
        if (!file.startsWith('file:')) continue;
        const ok = await page.evaluate(
          async ({ file, fragment }) => {
            if (file === location.href.split('#')[0]) return !fragment || document.getElementById(decodeURIComponent(fragment)) !== null;
            return true;
          },
          { file, fragment },
        );
        if (!ok) broken.push(`${target}: ${href}`);
        if (!existsSync(new URL(file))) broken.push(`${target}: ${href} (no file)`);
      }
    }
    expect(broken).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('keyboard: Tab reaches the skip link first and Enter moves focus to main', async () => {
    const { page } = await open('docs/mod-0001.html');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.context().close();
  });

  it('follows a chunk reference: the definition becomes :target and in view, and Back returns', async () => {
    const { page } = await open('docs/mod-0001.html');
    const reference = page.locator('a.reference').first();
    const href = await reference.getAttribute('href');
    await reference.focus();
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
    const markdown = readFileSync(join(site, '..', 'docs', 'mod-0001.lit.md'), 'utf8');
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
});
