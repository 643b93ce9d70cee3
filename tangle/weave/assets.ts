/**
 * The site's shared assets: its stylesheet, its script, and the libraries copied next to them.
 *
 * Everything a page needs is a local file under `assets/`, linked relatively, so a site works
 * from `file://`, from any subpath and offline. Nothing is fetched at run time from elsewhere.
 * The search index is scripts rather than JSON, because browsers refuse `fetch` on `file://`:
 * `search-data.js` says how many parts there are, and part `search-data-N.js` holds the
 * entries of documents 32N to 32N+31 (in site order), so that an edit to one document's prose
 * rewrites one part (about 350 KB in the 1,000-document bench corpus) instead of the whole
 * index (11 MB). MiniSearch and the data load on first use of the search box only.
 * KaTeX's stylesheet and fonts are copied only when some page has math.
 *
 * The theme is chosen by an inline script in `<head>` (before the stylesheet applies, so there
 * is no flash of the wrong theme): the saved choice, else `prefers-color-scheme`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Runs in `<head>` before first paint. Kept tiny; identical on every page. */
export const THEME_SCRIPT =
  "(function(){var t;try{t=localStorage.getItem('weft-theme')}catch(e){}if(t!=='light'&&t!=='dark')t=matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light';document.documentElement.dataset.theme=t})();";

export const STYLESHEET = `:root{color-scheme:light;--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--link:#0550ae;--border:#d1d9e0;--panel:#f6f8fa;--focus:#0969da;--broken:#a40e26;--code-bg:#ffffff}
:root[data-theme=dark]{color-scheme:dark;--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--link:#4493f8;--border:#3d444d;--panel:#151b23;--focus:#4493f8;--broken:#ff8182;--code-bg:#151b23}
@media (prefers-color-scheme:dark){:root:not([data-theme]){color-scheme:dark;--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--link:#4493f8;--border:#3d444d;--panel:#151b23;--focus:#4493f8;--broken:#ff8182;--code-bg:#151b23}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
main:focus{outline:none}
main:focus-visible{outline:3px solid var(--focus)}
.skip{position:absolute;left:-10000px;top:0;background:var(--bg);color:var(--link);padding:.5em 1em;z-index:10}
.skip:focus{left:.5em}
header.site{display:flex;gap:1em;align-items:center;flex-wrap:wrap;padding:.5em 1.5em;border-bottom:1px solid var(--border);background:var(--panel)}
header.site .title{font-weight:600;text-decoration:none;color:var(--fg)}
header.site .search{position:relative;margin-left:auto}
header.site input{font:inherit;padding:.2em .5em;border:1px solid var(--border);border-radius:6px;background:var(--bg);color:var(--fg);width:16em}
#weft-results{position:absolute;right:0;top:2.2em;z-index:5;background:var(--bg);border:1px solid var(--border);border-radius:6px;min-width:22em;max-height:60vh;overflow:auto;margin:0;padding:0;list-style:none}
#weft-results:empty{display:none}
#weft-results li a{display:block;padding:.3em .7em}
button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--border);border-radius:6px;padding:.1em .6em;cursor:pointer}
main{max-width:56em;margin:0 auto;padding:1em 1.5em 3em}
nav.pager{display:flex;justify-content:space-between;max-width:56em;margin:0 auto;padding:0 1.5em}
footer{border-top:1px solid var(--border);padding:1em 1.5em;color:var(--muted);font-size:.9em}
.permalink{text-decoration:none;color:var(--muted);font-weight:400}
figure.chunk{margin:1.2em 0;border:1px solid var(--border);border-radius:6px;background:var(--code-bg)}
figure.chunk:target{outline:3px solid var(--focus)}
figure.chunk figcaption{padding:.3em .8em;border-bottom:1px solid var(--border);font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
figure.chunk .number{font-weight:600}
figure.chunk .used,figure.chunk .notes{margin:0;padding:.2em .8em;font-size:.85em;color:var(--muted)}
figure.chunk .used a,figure.chunk .notes a{color:var(--link)}
.code{position:relative}
.code .copy{position:absolute;right:.5em;top:.4em;font-size:.8em}
pre{margin:0;padding:.7em .8em;overflow-x:auto;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--code-bg)}
.shiki,.shiki span{color:var(--shiki-light)}
.shiki span{font-style:var(--shiki-light-font-style);font-weight:var(--shiki-light-font-weight);text-decoration:var(--shiki-light-text-decoration)}
.shiki{background:var(--code-bg)!important}
:root[data-theme=dark] .shiki,:root[data-theme=dark] .shiki span{color:var(--shiki-dark)}
:root[data-theme=dark] .shiki span{font-style:var(--shiki-dark-font-style);font-weight:var(--shiki-dark-font-weight);text-decoration:var(--shiki-dark-text-decoration)}
.reference{text-decoration:none}
a.reference:hover{text-decoration:underline}
.reference.broken{color:var(--broken)!important;text-decoration:wavy underline}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em}
:not(pre)>code{background:var(--panel);padding:.1em .3em;border-radius:4px}
table{border-collapse:collapse}
td,th{border:1px solid var(--border);padding:.2em .6em;text-align:left;vertical-align:top}
.unused-mark{color:var(--broken)}
.tangled{display:flex;border:1px solid var(--border);border-radius:6px;background:var(--code-bg);overflow-x:auto}
.tangled .gutter{display:flex;flex-direction:column;text-align:right;padding:.7em .5em;border-right:1px solid var(--border);font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;user-select:none}
.tangled .gutter a,.tangled .gutter span{display:block;text-decoration:none;color:var(--link)}
.tangled .gutter span{color:var(--muted)}
.tangled pre{flex:1}
.weft-overlay{position:fixed;inset:auto 1em 1em 1em;z-index:20;background:#a40e26;color:#fff;padding:1em;border-radius:6px;white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace}
`;

export const CLIENT_SCRIPT = `// Weft site: theme toggle, copy buttons, search. No dependencies; MiniSearch loads on first search.
(function () {
  var root = document.body.getAttribute('data-root') || '';
  var toggle = document.getElementById('weft-theme');
  function theme() { return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light'; }
  function show() { if (toggle) { toggle.setAttribute('aria-pressed', String(theme() === 'dark')); toggle.textContent = theme() === 'dark' ? 'Light mode' : 'Dark mode'; } }
  show();
  if (toggle) toggle.addEventListener('click', function () {
    var next = theme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem('weft-theme', next); } catch (e) {}
    show();
  });
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button.copy');
    if (!button) return;
    var text = button.getAttribute('data-copy') || '';
    var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 1500); };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, function () {});
  });
  var input = document.getElementById('weft-search');
  var results = document.getElementById('weft-results');
  var index = null, loading = null;
  function load(src) { return new Promise(function (resolve, reject) { var s = document.createElement('script'); s.src = root + src; s.onload = resolve; s.onerror = reject; document.head.appendChild(s); }); }
  function ready() {
    if (!loading) loading = load('assets/minisearch.js').then(function () { return load('assets/search-data.js'); }).then(function () {
      var parts = [];
      for (var i = 0; i < window.WEFT_SEARCH_PARTS; i++) parts.push(load('assets/search-data-' + i + '.js'));
      return Promise.all(parts);
    }).then(function () {
      var entries = [].concat.apply([], window.WEFT_SEARCH || []);
      index = new MiniSearch({ fields: ['title', 'text'], storeFields: ['url', 'title', 'kind'], searchOptions: { prefix: true, fuzzy: 0.2, boost: { title: 3 } } });
      index.addAll(entries.map(function (entry, i) { return { id: i, url: entry.url, title: entry.title, text: entry.text, kind: entry.kind }; }));
    });
    return loading;
  }
  function search() {
    var query = input.value.trim();
    ready().then(function () {
      results.textContent = '';
      if (!query) return;
      index.search(query).slice(0, 20).forEach(function (hit) {
        var li = document.createElement('li'); var a = document.createElement('a');
        a.href = root + hit.url; a.textContent = hit.title || hit.url; li.appendChild(a); results.appendChild(li);
      });
    });
  }
  if (input) { input.addEventListener('focus', ready, { once: true }); input.addEventListener('input', search); }
  document.addEventListener('keydown', function (event) {
    if (event.key !== '/' || !input) return;
    var t = event.target; if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    event.preventDefault(); input.focus();
  });
})();
`;

/** MiniSearch's browser build (UMD: defines `window.MiniSearch`). */
export function miniSearchScript(): Buffer {
  miniSearch ??= readFileSync(join(dirname(require.resolve('minisearch')), '..', 'umd', 'index.js'));
  return miniSearch;
}
let miniSearch: Buffer | undefined;

/** KaTeX's stylesheet and fonts, as site-relative paths under `assets/katex/` → bytes. */
export function katexAssets(): Map<string, Buffer> {
  if (katex) return katex;
  const dist = join(dirname(require.resolve('katex/package.json')), 'dist');
  const files = new Map<string, Buffer>([['assets/katex/katex.min.css', readFileSync(join(dist, 'katex.min.css'))]]);
  for (const font of readdirSync(join(dist, 'fonts')).sort()) {
    if (font.endsWith('.woff2')) files.set(`assets/katex/fonts/${font}`, readFileSync(join(dist, 'fonts', font)));
  }
  katex = files;
  return files;
}
let katex: Map<string, Buffer> | undefined;
