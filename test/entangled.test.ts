/**
 * Entangled projects tangle without edits (issue 15): a block may name a file and a chunk
 * at once, root-level files listed in `outputFiles` are outputs, the generated header
 * speaks the comment syntax of the common languages (and of any the config adds),
 * `quartoAttributes` reads `#|` attribute lines, and a whole Entangled project tangles
 * from only `weft init --from-entangled` and `weft tangle` (its config mapping is tested
 * in init.test.ts).
 */
import { cpSync, readdirSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commentStyleFor } from '../tangle/comment-syntax.js';
import { collectDocument, collectVariant } from '../tangle/collect.js';
import { parseConfig } from '../tangle/config.js';
import { SourceReader } from '../tangle/documents.js';
import { parseDocument } from '../tangle/parse.js';
import { exists, fence, makeProject, read, REPO, weft } from './helpers.js';

/** The first line of each diagnostic printed on stderr. */
const diagnosticLines = (stderr: string) => stderr.split('\n').filter((line) => /: (error|warning): /.test(line));

const HEADER = (comment: string, doc = 'docs/a.lit.md') => `${comment} generated from ${doc} by weft — edit the source, not this file`;

describe('a block with both file= and #name (Entangled: written to the file, referable by name)', () => {
  it('writes the whole chunk, later parts included, to the file and expands it where referenced', () => {
    const dir = makeProject({
      'docs/a.lit.md': [
        fence('{.python #hello file=scripts/hello.py}', 'print("hello")'),
        fence('{.python #hello}', 'print("again")'),
        fence('python file=scripts/twice.py', '<<hello>>\n<<hello>>'),
      ].join('\n'),
    });
    const run = weft(dir, 'tangle');
    expect(diagnosticLines(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    expect(read(dir, 'scripts/hello.py')).toBe(`${HEADER('#')}\nprint("hello")\nprint("again")\n`);
    expect(read(dir, 'scripts/twice.py')).toBe(`${HEADER('#')}\nprint("hello")\nprint("again")\nprint("hello")\nprint("again")\n`);
  });

  it('stitches edits of such a file back into each block it came from', () => {
    const doc = `# A\n\n${fence('{.python #hello file=scripts/hello.py}', 'print("hello")')}\n${fence('{.python #hello}', 'print("again")')}`;
    const dir = makeProject({ 'docs/a.lit.md': doc });
    expect(weft(dir, 'tangle').code).toBe(0);
    writeFileSync(`${dir}/scripts/hello.py`, read(dir, 'scripts/hello.py').replace('hello")', 'HELLO")').replace('again', 'AGAIN'));
    const run = weft(dir, 'stitch');
    expect(run.code).toBe(0);
    expect(read(dir, 'docs/a.lit.md')).toBe(doc.replace('hello")', 'HELLO")').replace('again', 'AGAIN'));
    expect(weft(dir, 'tangle', '--check').code).toBe(0);
  });

  it('still refuses two chunks, or two files, on one block', () => {
    const dir = makeProject({ 'docs/a.lit.md': fence('{.python file=scripts/a.py file=scripts/b.py}', 'x') });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnosticLines(run.stderr)).toEqual([
      'docs/a.lit.md:1:1: error: block names 2 targets (file=scripts/a.py, file=scripts/b.py); a block defines one file or one chunk [conflicting-target]',
    ]);
  });
});

describe('outputFiles: root-level outputs listed one by one', () => {
  const makefile = fence('{.makefile file=Makefile}', 'all:\n\techo hi');

  it('writes a listed root file and records it', () => {
    const dir = makeProject({ 'weft.config.json': JSON.stringify({ outputFiles: ['Makefile'] }), 'docs/a.lit.md': makefile });
    const run = weft(dir, 'tangle');
    expect(diagnosticLines(run.stderr)).toEqual([]);
    expect(read(dir, 'Makefile')).toBe(`${HEADER('#')}\nall:\n\techo hi\n`);
    expect(JSON.stringify(JSON.parse(read(dir, '.weft/manifest.json')))).toContain('"Makefile"');
  });

  it('refuses a root file that is not listed', () => {
    const dir = makeProject({ 'docs/a.lit.md': makefile });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnosticLines(run.stderr)).toEqual(['docs/a.lit.md:1:1: error: output path "Makefile" is outside the output directories (scripts/, src-generated/) [output-outside-root]']);
    expect(exists(dir, 'Makefile')).toBe(false);
  });

  it('protects a hand-edited root output like any other', () => {
    const dir = makeProject({ 'weft.config.json': JSON.stringify({ outputFiles: ['Makefile'] }), 'docs/a.lit.md': makefile });
    expect(weft(dir, 'tangle').code).toBe(0);
    const edited = `${read(dir, 'Makefile')}# mine\n`;
    writeFileSync(`${dir}/Makefile`, edited);
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(read(dir, 'Makefile')).toBe(edited);
  });

  it('refuses a root output file that is a symbolic link', () => {
    const dir = makeProject({ 'weft.config.json': JSON.stringify({ outputFiles: ['Makefile'] }), 'docs/a.lit.md': makefile, 'elsewhere.txt': 'x\n' });
    symlinkSync('elsewhere.txt', `${dir}/Makefile`);
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(read(dir, 'elsewhere.txt')).toBe('x\n');
  });

  it('accepts only plain file names in the root', () => {
    const { messages } = parseConfig(JSON.stringify({ outputFiles: ['.', 'src/Makefile', 'weft.config.json', 'scripts', 'x.lit.md', '../Makefile'] }));
    expect(messages.map((m) => m.message)).toEqual([
      'output file "." is not allowed: name one file in the project root (files in folders go under `outputDirs`)',
      'output file "../Makefile" is not allowed: it leaves the project through ..',
      'output file "scripts" is not allowed: it is also an output directory',
      'output file "src/Makefile" is not allowed: name one file in the project root (files in folders go under `outputDirs`)',
      'output file "weft.config.json" is not allowed: it is a Weft source',
      'output file "x.lit.md" is not allowed: it is a Weft source',
    ]);
    expect(messages.every((m) => m.rule === 'malformed-config' && m.line === 1)).toBe(true);
  });
});

describe('comment syntax of the generated header', () => {
  it('knows Julia, Haskell, Dhall, gnuplot and the other common languages', () => {
    const cases: Array<[string, string | null, string | null]> = [
      ['src/a.jl', 'julia', '#'],
      ['src/Main.hs', 'haskell', '--'],
      ['src/a.dhall', null, '--'],
      ['plot.gp', 'gnuplot', '#'],
      ['Makefile', null, '#'],
      ['src/a.clj', null, ';'],
      ['src/a.erl', null, '%'],
      ['src/a.f90', null, '!'],
      ['src/a.vim', null, '"'],
      ['src/a.r', null, '#'],
      ['src/a.php', 'php', null],
      ['data.json', null, null],
      ['src/x.unknown', null, null],
      ['src/x.unknown', 'Julia', '#'],
    ];
    expect(cases.map(([path, lang]) => commentStyleFor(path, lang)?.open ?? null)).toEqual(cases.map(([, , open]) => open));
    expect(commentStyleFor('src/a.ml', 'ocaml')).toEqual({ open: '(*', close: ' *)' });
  });

  it('takes additions and overrides from the config, null meaning no header', () => {
    const dir = makeProject({
      'weft.config.json': JSON.stringify({ comments: { MYL: ';;', julia: null } }),
      'docs/a.lit.md': [fence('myl file=scripts/a.myl', 'x'), fence('julia file=scripts/a.jl', 'y = 1'), fence('haskell file=scripts/A.hs', 'main = pure ()')].join('\n'),
    });
    const run = weft(dir, 'tangle');
    expect(diagnosticLines(run.stderr)).toEqual([]);
    expect(read(dir, 'scripts/a.myl')).toBe(`${HEADER(';;')}\nx\n`);
    expect(read(dir, 'scripts/a.jl')).toBe('y = 1\n');
    expect(read(dir, 'scripts/A.hs')).toBe(`${HEADER('--')}\nmain = pure ()\n`);
  });

  it('rejects a comment marker that is not a non-empty one-line string or null', () => {
    const { messages } = parseConfig('{\n  "comments": { "jl": 3, "hs": "" }\n}');
    expect(messages.map((m) => `${m.line}:${m.column}: ${m.message} [${m.rule}]`)).toEqual([
      '2:17: `comments.jl` must be a line-comment marker such as "#" or "//", or null for no header [malformed-config]',
      '2:26: `comments.hs` must be a line-comment marker such as "#" or "//", or null for no header [malformed-config]',
    ]);
  });
});

describe('no-targets: a project where every block is an example', () => {
  it('warns at the first document and says what Weft looks for', () => {
    const dir = makeProject({ 'docs/a.lit.md': fence('python', '#| file: hello.py\nprint("hi")'), 'docs/b.lit.md': fence('julia', 'x = 1') });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(0);
    expect(diagnosticLines(run.stderr)).toEqual([
      'docs/a.lit.md:1:1: warning: no block in the 2 documents names a target, so nothing is tangled; Weft tangles blocks whose info string names a file (`ts file=src/a.ts` or `{.ts file=src/a.ts}`) or a chunk (`ts #name`), and treats every other block as an example [no-targets]',
    ]);
    expect(run.stderr).toContain('  note: 1 block starts with a Quarto-style attribute such as `#| file: src/x.jl` (Entangled\'s quarto_attributes hook): set "quartoAttributes": true in weft.config.json to read them (weft init --from-entangled does)\n');
  });

  it('says nothing about quartoAttributes when no block starts with a `#| file:` or `#| id:` line', () => {
    const dir = makeProject({ 'docs/a.lit.md': fence('python', '#| echo: false\nprint("hi")') });
    const run = weft(dir, 'tangle');
    expect(diagnosticLines(run.stderr)).toHaveLength(1);
    expect(run.stderr).not.toContain('note:');
  });

  it('says nothing for a project of prose only', () => {
    const dir = makeProject({ 'docs/a.lit.md': '# Notes\n\nNo code here.\n' });
    expect(diagnosticLines(weft(dir, 'tangle').stderr)).toEqual([]);
  });

  it('says nothing when one block names a target', () => {
    const dir = makeProject({ 'docs/a.lit.md': fence('python', 'print("hi")'), 'docs/b.lit.md': fence('ts #x', 'x;') });
    expect(diagnosticLines(weft(dir, 'tangle').stderr).filter((l) => l.includes('no-targets'))).toEqual([]);
  });
});

describe('chunkScope: "project" (Entangled\'s one chunk namespace)', () => {
  const docs = {
    'docs/a.lit.md': [fence('{.python file=scripts/main.py}', '<<imports>>\n<<body>>'), fence('{.python #imports}', 'import os')].join('\n'),
    'docs/b.lit.md': [fence('{.python #imports}', 'import sys'), fence('{.python #body}', 'print(os.name, sys.argv)')].join('\n'),
  };

  it('makes same-named blocks of all documents one chunk, in document path order', () => {
    const dir = makeProject({ 'weft.config.json': JSON.stringify({ chunkScope: 'project' }), ...docs });
    const run = weft(dir, 'tangle');
    expect(diagnosticLines(run.stderr)).toEqual([]);
    expect(read(dir, 'scripts/main.py')).toBe(`${HEADER('#')}\nimport os\nimport sys\nprint(os.name, sys.argv)\n`);
  });

  it('keeps per-document names by default', () => {
    const dir = makeProject(docs);
    const run = weft(dir, 'tangle');
    expect(diagnosticLines(run.stderr)).toEqual(['docs/b.lit.md:1:1: warning: chunk `imports` is never used [unused-chunk]']);
    expect(read(dir, 'scripts/main.py')).toBe(`${HEADER('#')}\nimport os\nprint(os.name, sys.argv)\n`);
  });

  it('accepts only "document" or "project"', () => {
    expect(parseConfig('{ "chunkScope": "global" }').messages.map((m) => `${m.line}:${m.column}: ${m.message}`)).toEqual(['1:3: `chunkScope` must be "document" or "project"']);
  });
});

describe('quartoAttributes: Entangled 2.4 / Quarto `#|` attribute lines', () => {
  const QUARTO = JSON.stringify({ quartoAttributes: true });
  const doc = [
    '# Q\n',
    fence('julia', '#| file: scripts/hello.jl\n#| id: hello\nprintln("hi")'),
    fence('julia', '#| id: hello\nprintln("again")'),
    fence('cpp', '//| file: scripts/x.cpp\nint x;'),
    fence('haskell', '--| file: scripts/Main.hs\nmain = putStrLn "hi"'),
  ].join('\n');

  it('reads `#| file:` and `#| id:` behind each language\'s line comment and leaves them out of the code', () => {
    const dir = makeProject({ 'weft.config.json': QUARTO, 'docs/a.lit.md': doc });
    const run = weft(dir, 'tangle');
    expect(diagnosticLines(run.stderr)).toEqual([]);
    expect(read(dir, 'scripts/hello.jl')).toBe(`${HEADER('#')}\nprintln("hi")\nprintln("again")\n`);
    expect(read(dir, 'scripts/x.cpp')).toBe(`${HEADER('//')}\nint x;\n`);
    expect(read(dir, 'scripts/Main.hs')).toBe(`${HEADER('--')}\nmain = putStrLn "hi"\n`);
  });

  it('keeps each code line at its real line of the document', () => {
    const dir = makeProject({ 'weft.config.json': QUARTO, 'docs/a.lit.md': doc });
    expect(weft(dir, 'tangle').code).toBe(0);
    const origin = (at: string) => (JSON.parse(weft(dir, 'explain', at, '--json').stdout) as { source: { line: number; column: number } }).source;
    // Line 3 is the fence, 4 and 5 the attributes, 6 the code; the second block's code is at 11.
    expect(origin('scripts/hello.jl:2')).toMatchObject({ line: 6, column: 1 });
    expect(origin('scripts/hello.jl:3')).toMatchObject({ line: 11, column: 1 });
    expect(origin('scripts/x.cpp:2')).toMatchObject({ line: 16, column: 1 });
  });

  it('is off by default: such blocks are examples', () => {
    const dir = makeProject({ 'docs/a.lit.md': doc });
    const run = weft(dir, 'tangle');
    expect(diagnosticLines(run.stderr).map((line) => line.replace(/ no block.*/, ''))).toEqual(['docs/a.lit.md:1:1: warning:']);
    expect(exists(dir, 'scripts/hello.jl')).toBe(false);
  });

  it('takes effect when the switch changes, with the caches on (a document only remark reads is cached on disk)', () => {
    // In a block quote the scanner is not certain, so remark parses and the collected document is cached on disk.
    const quoted = `# Q\n\n> \`\`\`python\n> #| file: scripts/q.py\n> print("q")\n> \`\`\`\n`;
    const dir = makeProject({ 'weft.config.json': '{}', 'docs/a.lit.md': quoted });
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(exists(dir, 'scripts/q.py')).toBe(false);
    expect(readdirSync(`${dir}/.weft/cache`, { recursive: true }).some((name) => String(name).endsWith('.json'))).toBe(true);
    writeFileSync(`${dir}/weft.config.json`, QUARTO);
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(read(dir, 'scripts/q.py')).toBe(`${HEADER('#')}\nprint("q")\n`);
    writeFileSync(`${dir}/weft.config.json`, '{}');
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(exists(dir, 'scripts/q.py')).toBe(false);
    writeFileSync(`${dir}/weft.config.json`, QUARTO);
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(read(dir, 'scripts/q.py')).toBe(`${HEADER('#')}\nprint("q")\n`);
  });

  it('gives the collect stage a different result, and a different cache variant, for each setting', () => {
    const parsed = parseDocument({ path: 'docs/a.lit.md', text: doc, hash: 'h', messages: [] });
    expect(collectDocument(parsed).files).toEqual([]);
    expect(collectDocument(parsed, { quartoAttributes: true, comments: {} }).files.map((f) => f.path)).toEqual(['scripts/hello.jl', 'scripts/x.cpp', 'scripts/Main.hs']);
    expect(collectVariant({ quartoAttributes: false, comments: { jl: '#' } })).toBe('');
    expect(collectVariant({ quartoAttributes: true, comments: {} })).not.toBe(collectVariant({ quartoAttributes: true, comments: { jl: '#' } }));
  });

  it('leaves the attribute lines out of the code of a block whose info string names the target too', () => {
    const dir = makeProject({ 'weft.config.json': QUARTO, 'docs/a.lit.md': fence('{.python file=scripts/a.py}', '#| echo: false\nprint(1)') });
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(read(dir, 'scripts/a.py')).toBe(`${HEADER('#')}\nprint(1)\n`);
  });

  it('reads a Haskell header of `-- |` lines that are all `key: value`, and stays quiet about a Haddock comment', () => {
    const dir = makeProject({
      'weft.config.json': QUARTO,
      'docs/a.lit.md': [fence('haskell', '-- | file: scripts/Main.hs\nmain = greet'), fence('haskell', '-- | Greet the world.\ngreet = putStrLn "hi"')].join('\n'),
    });
    const run = weft(dir, 'tangle');
    expect(diagnosticLines(run.stderr)).toEqual([]);
    expect(read(dir, 'scripts/Main.hs')).toBe(`${HEADER('--')}\nmain = greet\n`);
  });

  it('reads quoted values, comments and a classes list', () => {
    const dir = makeProject({ 'weft.config.json': QUARTO, 'docs/a.lit.md': fence('python', '#| file: "scripts/a b.py"  \n#| classes: [python, extra]\n#| # a comment\n#|\nprint(1)') });
    expect(weft(dir, 'tangle').code).toBe(0);
    expect(read(dir, 'scripts/a b.py')).toBe(`${HEADER('#')}\nprint(1)\n`);
  });

  it('stitches an edit of the output back below the attribute lines', () => {
    const dir = makeProject({ 'weft.config.json': QUARTO, 'docs/a.lit.md': doc });
    expect(weft(dir, 'tangle').code).toBe(0);
    writeFileSync(`${dir}/scripts/hello.jl`, read(dir, 'scripts/hello.jl').replace('again', 'AGAIN'));
    expect(weft(dir, 'stitch').code).toBe(0);
    expect(read(dir, 'docs/a.lit.md')).toBe(doc.replace('again', 'AGAIN'));
    expect(weft(dir, 'tangle', '--check').code).toBe(0);
  });

  it('reports `#| file:` with no path as an error at its line, and skips the block', () => {
    const dir = makeProject({ 'weft.config.json': QUARTO, 'docs/a.lit.md': `# A\n\n${fence('julia', '#| file:\nx = 1')}${fence('julia', '#| id: ""\ny = 1')}` });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(1);
    expect(diagnosticLines(run.stderr)).toEqual(['docs/a.lit.md:4:1: error: `#| file:` has no path [empty-target]', 'docs/a.lit.md:8:1: error: `#| id:` has no chunk name [empty-target]']);
  });

  it('warns at a `#|` line that is not `key: value` when the header means a target, and reads the block as its info string says', () => {
    const dir = makeProject({ 'weft.config.json': QUARTO, 'docs/a.lit.md': `# A\n\n${fence('julia', '#| id: x\n#| file scripts/x.jl\nx = 1')}${fence('julia', '#| filename: scripts/y.jl\ny = 1')}` });
    const run = weft(dir, 'tangle');
    expect(run.code).toBe(0);
    expect(diagnosticLines(run.stderr)).toEqual([
      "docs/a.lit.md:5:1: warning: attribute line `#| file scripts/x.jl` is not `key: value`, so the block's `#|` lines are not read and it stays as its info string says [unclear-info-string]",
      'docs/a.lit.md:9:1: warning: attribute `filename` is kept and ignored; Weft reads a file target from `file` [unclear-info-string]',
      'docs/a.lit.md:1:1: warning: no block in the document names a target, so nothing is tangled; Weft tangles blocks whose info string names a file (`ts file=src/a.ts` or `{.ts file=src/a.ts}`) or a chunk (`ts #name`), and treats every other block as an example [no-targets]',
    ].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
  });

  it('accepts only true or false', () => {
    expect(parseConfig('{ "quartoAttributes": "yes" }').messages.map((m) => `${m.line}:${m.column}: ${m.message}`)).toEqual(['1:3: `quartoAttributes` must be true or false']);
  });
});

describe('sources with `!` globs (how ignore_list is mapped)', () => {
  it('leaves the matching documents out, also when watch mode adds one without searching the disk again', async () => {
    const dir = makeProject({ 'docs/a.md': fence('python file=scripts/a.py', 'a'), 'docs/README.md': fence('python file=scripts/a.py', 'not this') });
    const { config } = parseConfig(JSON.stringify({ sources: ['docs/**/*.md', '!**/README.md'] }));
    const reader = new SourceReader(dir, undefined);
    expect((await reader.read(config!)).documents.map((d) => d.path)).toEqual(['docs/a.md']);
    writeFileSync(`${dir}/docs/b.md`, fence('python file=scripts/b.py', 'b'));
    writeFileSync(`${dir}/docs/sub-README.md`, 'x\n');
    writeFileSync(`${dir}/docs/README.md`, 'changed\n');
    const changed = new Set(['docs/b.md', 'docs/sub-README.md', 'docs/README.md']);
    expect((await reader.read(config!, { changed })).documents.map((d) => d.path)).toEqual(['docs/a.md', 'docs/b.md', 'docs/sub-README.md']);
  });
});

describe('an Entangled project, from only `weft init --from-entangled` and `weft tangle`', () => {
  // test/fixtures/entangled/project: file+name blocks, an appended definition, a root
  // Makefile, Julia and Haskell outputs, `#|` / `--|` attributes, references across
  // documents that rely on Entangled's one namespace, an ignore_list. The expected
  // outputs in test/fixtures/entangled/expected are what Entangled writes with its
  // `~/~` annotation lines removed, derived by hand (expected/README.md says from what).
  const FIXTURE = join(REPO, 'test/fixtures/entangled');

  /** Every file under `dir`, relative, sorted. */
  const filesUnder = (dir: string): string[] =>
    (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
      .sort();

  it('tangles to what Entangled writes, minus its annotation lines and Weft\'s one-line header', () => {
    const dir = makeProject({});
    cpSync(join(FIXTURE, 'project'), dir, { recursive: true });
    const init = weft(dir, 'init', '--from-entangled');
    expect(diagnosticLines(init.stderr)).toEqual([]);
    expect(init.code).toBe(0);
    const run = weft(dir, 'tangle');
    expect(diagnosticLines(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    const expected = filesUnder(join(FIXTURE, 'expected')).filter((path) => path !== 'README.md');
    const written = filesUnder(dir).filter((path) => !path.startsWith('.weft/') && !path.startsWith('docs/') && !['entangled.toml', 'weft.config.json'].includes(path));
    expect(written).toEqual(expected);
    for (const path of expected) {
      const [header, ...rest] = read(dir, path).split('\n');
      const document = path === 'src/Main.hs' ? 'docs/more.md' : 'docs/index.md';
      expect(header).toBe(HEADER(path.endsWith('.hs') ? '--' : '#', document));
      expect(rest.join('\n')).toBe(read(join(FIXTURE, 'expected'), path));
    }
    expect(weft(dir, 'tangle', '--check').code).toBe(0);
  });
});
