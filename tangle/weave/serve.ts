/**
 * The live-reload server of `weft watch --serve`: the woven site over `node:http` on
 * 127.0.0.1 only, with Server-Sent Events at `/__weft/events`.
 *
 * - Static files are served from the site folder only: the URL path is decoded, normalised
 *   and must stay inside the folder (no `..`, no absolute path, no NUL); everything is sent
 *   with `Cache-Control: no-store`, so a reload always shows the last build.
 * - The live-reload client (`/__weft/live.js`) is injected into HTML responses by the server;
 *   it is never written into the built site.
 * - Events: `hello {build}` on connect; `change {build, pages[], assets}` after a build's
 *   atomic writes are done; `error {diagnostics}` when a build fails (the last good pages
 *   stay on disk and the client shows an overlay); a comment line every 15 s keeps proxies
 *   and the browser from closing an idle stream.
 * - The client reloads when its page or a shared asset changed (the search data is loaded on
 *   demand, so it does not count), after an error once a build is good again, or on
 *   reconnect when the build id changed; it restores the scroll position; it closes its stream on `pagehide`
 *   and while the page is hidden (browsers allow 6 HTTP/1.1 connections per host, so open
 *   background tabs must not hold them).
 *
 * Rejected: WebSockets (a dependency or a hand-written framing for a one-way channel SSE
 * already gives, with reconnection built into `EventSource`).
 */
import { createServer, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Message } from '../types.js';

/** A running server. */
export interface SiteServer {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  /** Tell the clients a build finished; `pages` are site-relative paths that were written. */
  changed(build: string, pages: string[], assets: boolean): void;
  /** Tell the clients a build failed. */
  failed(diagnostics: Message[]): void;
  /** Close every stream and the server. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The live-reload client. Plain script; state that must survive a reload is in sessionStorage. */
export const LIVE_SCRIPT = `(function () {
  var page = location.pathname.replace(/^\\//, '') || 'index.html';
  if (page.endsWith('/')) page += 'index.html';
  var key = 'weft-scroll:' + page;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) { sessionStorage.removeItem(key); var y = Number(saved); window.scrollTo(0, y); addEventListener('load', function () { window.scrollTo(0, y); }); }
  var build = null, source = null;
  function reload() { sessionStorage.setItem(key, String(window.scrollY)); location.reload(); }
  function overlay(diagnostics) {
    var box = document.getElementById('weft-overlay');
    if (!diagnostics) { if (box) box.remove(); return; }
    if (!box) { box = document.createElement('div'); box.id = 'weft-overlay'; box.className = 'weft-overlay'; box.setAttribute('role', 'alert'); document.body.appendChild(box); }
    box.textContent = 'Weft: the last edit has errors; showing the last good page.\\n' + diagnostics.map(function (d) { return d.file + ':' + d.line + ':' + d.column + ': ' + d.severity + ': ' + d.message + ' [' + d.rule + ']'; }).join('\\n');
  }
  function open() {
    if (source) return;
    source = new EventSource('/__weft/events');
    source.addEventListener('hello', function (e) { var data = JSON.parse(e.data); if (build !== null && data.build !== build) return reload(); build = data.build; });
    source.addEventListener('change', function (e) {
      var data = JSON.parse(e.data);
      // After an error, any good build reloads: the page on disk may be the one shown, but the overlay must go.
      if (data.assets || data.pages.indexOf(page) >= 0 || document.getElementById('weft-overlay')) return reload();
      build = data.build; overlay(null);
    });
    source.addEventListener('error', function (e) { if (e.data) overlay(JSON.parse(e.data).diagnostics); });
  }
  function close() { if (source) { source.close(); source = null; } }
  addEventListener('pagehide', close);
  document.addEventListener('visibilitychange', function () { if (document.hidden) close(); else open(); });
  if (!document.hidden) open();
})();
`;

/** Serve `folder` on 127.0.0.1:`port` (0: any free port). */
export async function serveSite(folder: string, port: number, firstBuild: string): Promise<SiteServer> {
  const root = normalize(folder);
  const clients = new Set<ServerResponse>();
  let build = firstBuild;
  const send = (response: ServerResponse, event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    if (path === '/__weft/events') {
      response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      clients.add(response);
      send(response, 'hello', { build });
      request.on('close', () => clients.delete(response));
      return;
    }
    if (path === '/__weft/live.js') {
      response.writeHead(200, { 'Content-Type': TYPES['.js']!, 'Cache-Control': 'no-store' });
      response.end(LIVE_SCRIPT);
      return;
    }
    const file = await confined(root, path);
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      response.end('not found\n');
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    let body: Buffer | string = await readFile(file);
    if (type.startsWith('text/html')) body = body.toString('utf8').replace(/<\/body>/, '<script src="/__weft/live.js"></script></body>');
    response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    response.end(body);
  });
  const heartbeat = setInterval(() => {
    for (const client of clients) client.write(': heartbeat\n\n');
  }, 15_000);
  heartbeat.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    changed(next, pages, assets) {
      build = next;
      for (const client of clients) send(client, 'change', { build, pages, assets });
    },
    failed(diagnostics) {
      for (const client of clients) send(client, 'error', { diagnostics });
    },
    async close() {
      clearInterval(heartbeat);
      for (const client of clients) client.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The file a URL path names inside `root`, or null (outside, missing, or not a file). */
async function confined(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  let full = normalize(join(root, decoded));
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    if ((await stat(full)).isDirectory()) full = join(full, 'index.html');
    return (await stat(full)).isFile() ? full : null;
  } catch {
    return null;
  }
}
