/// <reference lib="dom" />
/**
 * `weft watch --serve` in a real browser: the page reloads soon after a save with the new
 * text and the scroll position kept; a broken edit shows the overlay and keeps the old
 * content; fixing it reloads; SIGTERM stops the server with exit 0. Never skipped: without
 * `/usr/bin/chromium` it fails with a one-line message saying how to install it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, stopChild, WEFT_BIN, writeFiles } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
let browser: Browser;
let server: ChildProcess;
let dir: string;
let base: string;
let stdout = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing${process.env.CI === 'true' ? ' (CI must install it: see .ci/run)' : ''}: install it with \`apt-get install -y chromium\``);
  }
  dir = makeProject();
  const { generateProject } = (await import('../../bench/generate.mjs' as string)) as { generateProject: (o: { docs: number }) => Map<string, string> };
  writeFiles(dir, Object.fromEntries([...generateProject({ docs: 10 })].filter(([path]) => !path.startsWith('nw/'))));
  server = spawn(process.execPath, [WEFT_BIN, 'watch', '--serve', '--port', '0', '--no-bundle', '--json'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  server.stdout!.on('data', (chunk) => (stdout += chunk));
  base = await new Promise<string>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const match = /\{"event":"serve","url":"([^"]+)"\}/.exec(stdout);
      if (match) {
        clearInterval(poll);
        resolve(match[1]!);
      } else if (Date.now() - started > 60_000) {
        clearInterval(poll);
        reject(new Error(`no serve event: ${stdout}`));
      }
    }, 50);
  });
  // Wait for the watcher's first build too, so edits are seen.
  for (const started = Date.now(); !stdout.includes('"event":"ready"'); ) {
    if (Date.now() - started > 60_000) throw new Error(`no ready event: ${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopChild(server, 'SIGKILL');
});

describe('weft watch --serve', () => {
  it('serves on 127.0.0.1 with no-store, confined to the site, and injects the live-reload client', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(`${base}docs/mod-0001.html`);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('<script src="/__weft/live.js"></script></body>');
    expect(readFileSync(join(dir, 'site/docs/mod-0001.html'), 'utf8')).not.toContain('live.js');
    expect((await fetch(`${base}..%2f..%2fweft.config.json`)).status).toBe(404);
    expect((await fetch(`${base}%2e%2e/weft.config.json`)).status).toBe(404);
  });

  it('reloads after a save with the new text, keeps the scroll position, shows an overlay for a broken edit, and reloads when fixed', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}docs/mod-0001.html`);
    await page.evaluate(() => window.scrollTo(0, 400));
    await page.waitForTimeout(300); // Let the event stream connect.
    const source = join(dir, 'docs/mod-0001.lit.md');
    const original = readFileSync(source, 'utf8');

    const saved = Date.now();
    appendFileSync(source, '\nA freshly written sentence.\n');
    await page.waitForFunction(() => document.body.textContent!.includes('A freshly written sentence.'), undefined, { timeout: 10_000 });
    // Within 1 s of the save: the watch reads only the saved document, re-renders its page
    // alone and tells the browser as soon as the page is on disk (bench/weave.mjs measures
    // the parts on 1,000 documents).
    const elapsed = Date.now() - saved;
    console.log(`live reload: the new text was on screen ${elapsed} ms after the save`);
    expect(elapsed).toBeLessThanOrEqual(1_000);
    expect(await page.evaluate(() => window.scrollY)).toBe(400);

    appendFileSync(source, '\n```ts file=src-generated/broken.ts\n<<no-such-chunk>>\n```\n\nBroken text.\n');
    await page.waitForSelector('#weft-overlay', { timeout: 5_000 });
    expect(await page.textContent('#weft-overlay')).toContain('chunk `no-such-chunk` is not defined [undefined-chunk]');
    expect(await page.evaluate(() => document.body.textContent!.includes('A freshly written sentence.'))).toBe(true);
    expect(await page.evaluate(() => document.body.textContent!.includes('Broken text.'))).toBe(false);

    writeFileSync(source, `${original}\nFixed text.\n`);
    await page.waitForFunction(() => document.body.textContent!.includes('Fixed text.') && !document.getElementById('weft-overlay'), undefined, { timeout: 5_000 });
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('leaves the same site as a cold weave after the edits (its kept render worker and the watch\'s own tangle change nothing)', async () => {
    const source = join(dir, 'docs/mod-0002.lit.md');
    writeFileSync(source, readFileSync(source, 'utf8').replace('\n\n', '\n\nAn edit for the cold comparison.\n\n'));
    const page = join(dir, 'site/docs/mod-0002.html');
    for (const started = Date.now(); !readFileSync(page, 'utf8').includes('An edit for the cold comparison.'); ) {
      if (Date.now() - started > 10_000) throw new Error('the edited page was not rewritten');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // The search data is written after the page.
    const cold = makeProject(Object.fromEntries(readdirSync(join(dir, 'docs')).map((name) => [`docs/${name}`, readFileSync(join(dir, 'docs', name), 'utf8')])));
    expect(spawnSync(process.execPath, [WEFT_BIN, 'weave'], { cwd: cold }).status).toBe(0);
    const files = (root: string) => readdirSync(join(root, 'site'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 6)).sort();
    expect(files(dir)).toEqual(files(cold));
    for (const path of files(cold)) expect(readFileSync(join(dir, 'site', path), 'utf8'), path).toBe(readFileSync(join(cold, 'site', path), 'utf8'));
  }, 60_000);

  it('stops with exit code 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
