/**
 * `weft lsp`, chunk features: driven over an in-memory JSON-RPC connection on a fixture
 * workspace (test/lsp-fixture.ts), with exact responses.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startClient, type TestClient } from './lsp-client.js';
import { A, WORKSPACE } from './lsp-fixture.js';
import { fence, makeProject } from './helpers.js';

let client: TestClient;
beforeEach(async () => {
  client = await startClient(makeProject(WORKSPACE), { typescript: false });
});
afterEach(() => client.dispose());

const range = (line: number, start: number, end: number) => ({ start: { line, character: start }, end: { line, character: end } });
const at = (path: string, line: number, character: number) => ({ textDocument: { uri: client.uri(path) }, position: { line, character } });

describe('go to definition', () => {
  it('goes from a reference to every block that defines the chunk (chunks concatenate)', async () => {
    expect(await client.request('textDocument/definition', at('docs/a.lit.md', 5, 6))).toEqual([
      { uri: client.uri('docs/a.lit.md'), range: range(11, 7, 25) },
      { uri: client.uri('docs/a.lit.md'), range: range(16, 7, 25) },
    ]);
  });

  it('goes to the one other document that defines a name the document does not', async () => {
    expect(await client.request('textDocument/definition', at('docs/b.lit.md', 3, 3))).toEqual([{ uri: client.uri('docs/a.lit.md'), range: range(20, 7, 13) }]);
  });

  it('follows a qualified reference to the document it names', async () => {
    expect(await client.request('textDocument/definition', at('docs/b.lit.md', 6, 10))).toEqual([{ uri: client.uri('docs/b.lit.md'), range: range(10, 7, 17) }]);
  });

  it('goes from file=PATH to the output file', async () => {
    expect(await client.request('textDocument/definition', at('docs/a.lit.md', 2, 15))).toEqual([{ uri: client.uri('src-generated/greet.ts'), range: range(0, 0, 0) }]);
  });

  it('answers an empty list on a reference that resolves to nothing', async () => {
    await client.open('docs/a.lit.md', A.replace('  <<build-the-greeting>>', '  <<nowhere>>'));
    expect(await client.request('textDocument/definition', at('docs/a.lit.md', 5, 6))).toEqual([]);
  });
});

describe('find references', () => {
  it('finds the uses of a chunk in other documents, from its definition, with the declaration when asked', async () => {
    const params = { ...at('docs/a.lit.md', 20, 9), context: { includeDeclaration: true } };
    expect(await client.request('textDocument/references', params)).toEqual([
      { uri: client.uri('docs/a.lit.md'), range: range(20, 7, 13) },
      { uri: client.uri('docs/b.lit.md'), range: range(3, 2, 8) },
    ]);
  });

  it('finds a qualified use from the use itself', async () => {
    const params = { ...at('docs/b.lit.md', 6, 8), context: { includeDeclaration: false } };
    expect(await client.request('textDocument/references', params)).toEqual([{ uri: client.uri('docs/b.lit.md'), range: range(6, 4, 28) }]);
  });
});

describe('hover', () => {
  it('shows the fully expanded text of every part and where it is defined', async () => {
    expect(await client.request('textDocument/hover', at('docs/a.lit.md', 5, 4))).toEqual({
      contents: {
        kind: 'markdown',
        value: '```ts\nconst text = `hello ${name}`;\nreturn shout(text);\n// said twice\n```\n\n`<<build-the-greeting>>` defined at docs/a.lit.md:12, docs/a.lit.md:17',
      },
      range: range(5, 4, 22),
    });
  });

  it('expands nested references with their indentation', async () => {
    await client.open('docs/b.lit.md', WORKSPACE['docs/b.lit.md'].replace('```ts #upper-case\n', '```ts #upper-case\nif (text) {\n  <<banner>>\n}\n'));
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', at('docs/b.lit.md', 6, 10));
    expect(hover.contents.value).toBe('```ts\nif (text) {\n  // greeting kit\n}\nreturn text.toUpperCase();\n```\n\n`<<upper-case>>` defined at docs/b.lit.md:11');
  });

  it('says where the expansion stopped when the chunk does not tangle (a cycle)', async () => {
    await client.open('docs/b.lit.md', WORKSPACE['docs/b.lit.md'].replace('```ts #upper-case\n', '```ts #upper-case\nif (text) {\n  <<upper-case>>\n}\n'));
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', at('docs/b.lit.md', 6, 10));
    expect(hover.contents.value).toBe('```ts\nif (text) {\n}\nreturn text.toUpperCase();\n```\n\n`<<upper-case>>` defined at docs/b.lit.md:11\n\nnot tangled: reference cycle: <<upper-case>> → <<upper-case>> (docs/b.lit.md:13) [chunk-cycle]');
  });
});

describe('completion after <<', () => {
  it('offers the local chunks, then unique global names, then qualified names, with their first line', async () => {
    await client.open('docs/a.lit.md', A.replace('  <<build-the-greeting>>\n', '  <<build-the-greeting>>\n  <<\n'));
    const items = await client.request<unknown[]>('textDocument/completion', at('docs/a.lit.md', 6, 4));
    const edit = (newText: string) => ({ range: range(6, 4, 4), newText });
    expect(items).toEqual([
      { label: 'build-the-greeting', kind: 18, detail: 'const text = `hello ${name}`;', sortText: '0build-the-greeting', textEdit: edit('build-the-greeting>>') },
      { label: 'banner', kind: 18, detail: '// greeting kit', sortText: '0banner', textEdit: edit('banner>>') },
      { label: 'upper-case', kind: 18, detail: 'return text.toUpperCase();', sortText: '1upper-case', textEdit: edit('upper-case>>') },
      { label: 'docs/b.lit.md#upper-case', kind: 18, detail: 'return text.toUpperCase();', sortText: '2docs/b.lit.md#upper-case', textEdit: edit('docs/b.lit.md#upper-case>>') },
    ]);
  });

  it('replaces the part of the name already typed and does not repeat a closing >>', async () => {
    await client.open('docs/a.lit.md', A.replace('  <<build-the-greeting>>\n', '  <<build-the-greeting>>\n  <<up>>\n'));
    const items = await client.request<{ label: string; textEdit: unknown }[]>('textDocument/completion', at('docs/a.lit.md', 6, 6));
    expect(items.find((item) => item.label === 'upper-case')!.textEdit).toEqual({ range: range(6, 4, 6), newText: 'upper-case' });
  });

  it('offers nothing outside a <<', async () => {
    expect(await client.request('textDocument/completion', at('docs/a.lit.md', 12, 3))).toBeNull();
  });
});

describe('rename', () => {
  it('renames the definitions and every reference', async () => {
    expect(await client.request('textDocument/rename', { ...at('docs/a.lit.md', 5, 6), newName: 'make-the-greeting' })).toEqual({
      changes: {
        [client.uri('docs/a.lit.md')]: [
          { range: range(11, 7, 25), newText: 'make-the-greeting' },
          { range: range(16, 7, 25), newText: 'make-the-greeting' },
          { range: range(5, 4, 22), newText: 'make-the-greeting' },
        ],
      },
    });
  });

  it('renames only the name part of a qualified reference, across documents', async () => {
    expect(await client.request('textDocument/rename', { ...at('docs/a.lit.md', 20, 8), newName: 'kit-banner' })).toEqual({
      changes: {
        [client.uri('docs/a.lit.md')]: [{ range: range(20, 7, 13), newText: 'kit-banner' }],
        [client.uri('docs/b.lit.md')]: [{ range: range(3, 2, 8), newText: 'kit-banner' }],
      },
    });
    expect(await client.request('textDocument/rename', { ...at('docs/b.lit.md', 6, 10), newName: 'upper' })).toEqual({
      changes: { [client.uri('docs/b.lit.md')]: [{ range: range(10, 7, 17), newText: 'upper' }, { range: range(6, 18, 28), newText: 'upper' }] },
    });
  });

  it('prepares a rename on the name part of a qualified reference, and nowhere else', async () => {
    expect(await client.request('textDocument/prepareRename', at('docs/b.lit.md', 6, 10))).toEqual({ range: range(6, 18, 28), placeholder: 'upper-case' });
    expect(await client.request('textDocument/prepareRename', at('docs/a.lit.md', 12, 3))).toBeNull();
  });

  it('refuses a name that another chunk already has', async () => {
    await expect(client.request('textDocument/rename', { ...at('docs/b.lit.md', 6, 10), newName: 'banner' })).rejects.toThrow(
      '`banner` is already defined at docs/a.lit.md:21; renaming would change what references mean',
    );
  });

  it('refuses a name that is not a chunk name', async () => {
    await expect(client.request('textDocument/rename', { ...at('docs/b.lit.md', 6, 10), newName: 'two words' })).rejects.toThrow('`two words` is not a chunk name (no spaces, not empty)');
  });
});

describe('symbols', () => {
  it('outlines a document: headings, with their file targets and chunks', async () => {
    const symbol = (name: string, kind: number, r: ReturnType<typeof range>, children?: unknown[]) => ({ name, kind, range: r, selectionRange: r, ...(children ? { children } : {}) });
    expect(await client.request('textDocument/documentSymbol', { textDocument: { uri: client.uri('docs/a.lit.md') } })).toEqual([
      symbol('Greeting', 15, range(0, 0, 10), [
        symbol('src-generated/greet.ts', 1, range(2, 11, 33)),
        symbol('Building', 15, range(9, 0, 11), [
          symbol('<<build-the-greeting>>', 12, range(11, 7, 25)),
          symbol('<<build-the-greeting>>', 12, range(16, 7, 25)),
          symbol('<<banner>>', 12, range(20, 7, 13)),
        ]),
      ]),
    ]);
  });

  it('finds chunks of every document by part of their name', async () => {
    expect(await client.request('workspace/symbol', { query: 'UP' })).toEqual([
      { name: 'upper-case', kind: 12, location: { uri: client.uri('docs/b.lit.md'), range: range(10, 7, 17) }, containerName: 'docs/b.lit.md' },
    ]);
  });
});

describe('diagnostics as you type', () => {
  it('reports an undefined chunk in an unsaved buffer with its rule id as code and fixes it', async () => {
    await client.open('docs/a.lit.md', A.replace('<<build-the-greeting>>', '<<build-the-greting>>'));
    const [diagnostic] = await client.diagnostics('docs/a.lit.md', (list) => list.length > 0);
    expect(diagnostic).toEqual({
      range: range(5, 2, 23),
      severity: 1,
      code: 'undefined-chunk',
      source: 'weft',
      message: 'chunk `build-the-greting` is not defined\ndid you mean `<<build-the-greeting>>`?',
    });
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri: client.uri('docs/a.lit.md') }, range: diagnostic!.range, context: { diagnostics: [diagnostic] } });
    expect(actions).toEqual([
      {
        title: 'Change to <<build-the-greeting>>',
        kind: 'quickfix',
        diagnostics: [diagnostic],
        isPreferred: true,
        edit: { changes: { [client.uri('docs/a.lit.md')]: [{ range: range(5, 4, 21), newText: 'build-the-greeting' }] } },
      },
      {
        title: 'Create chunk <<build-the-greting>> here',
        kind: 'quickfix',
        diagnostics: [diagnostic],
        edit: { changes: { [client.uri('docs/a.lit.md')]: [{ range: range(8, 0, 0), newText: '\n```ts #build-the-greting\n```\n' }] } },
      },
    ]);
  });

  it('clears the diagnostics once the buffer is fixed', async () => {
    await client.open('docs/a.lit.md', A.replace('<<build-the-greeting>>', '<<build-the-greting>>'));
    await client.diagnostics('docs/a.lit.md', (list) => list.length > 0);
    await client.change('docs/a.lit.md', A);
    expect(await client.diagnostics('docs/a.lit.md', (list) => list.length === 0)).toEqual([]);
  });

  it('reports an ambiguous reference made by an unsaved new document, with the definitions as related locations', async () => {
    await client.open('docs/c.lit.md', '```ts #banner\n// another kit\n```\n');
    const [diagnostic] = await client.diagnostics('docs/b.lit.md', (list) => list.length > 0);
    expect(diagnostic).toEqual({
      range: range(3, 0, 10),
      severity: 1,
      code: 'ambiguous-chunk',
      source: 'weft',
      message: 'chunk `banner` is defined in 2 other documents\nqualify the reference, e.g. `<<docs/a.lit.md#banner>>`',
      relatedInformation: [
        { location: { uri: client.uri('docs/a.lit.md'), range: range(20, 0, 0) }, message: 'defined at docs/a.lit.md:21:1' },
        { location: { uri: client.uri('docs/c.lit.md'), range: range(0, 0, 0) }, message: 'defined at docs/c.lit.md:1:1' },
      ],
    });
  });

  it('qualifies an ambiguous reference with either document that defines the name', async () => {
    await client.open('docs/c.lit.md', '```ts #banner\n// another kit\n```\n');
    const [diagnostic] = await client.diagnostics('docs/b.lit.md', (list) => list.length > 0);
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri: client.uri('docs/b.lit.md') }, range: diagnostic!.range, context: { diagnostics: [diagnostic] } });
    const qualify = (path: string) => ({
      title: `Change to <<${path}#banner>>`,
      kind: 'quickfix',
      diagnostics: [diagnostic],
      edit: { changes: { [client.uri('docs/b.lit.md')]: [{ range: range(3, 2, 8), newText: `${path}#banner` }] } },
    });
    expect(actions).toEqual([qualify('docs/a.lit.md'), qualify('docs/c.lit.md')]);
  });

  it('warns about an unused chunk once the project resolves', async () => {
    await client.open('docs/b.lit.md', `${WORKSPACE['docs/b.lit.md']}\n\`\`\`ts #spare\n// unused\n\`\`\`\n`);
    expect(await client.diagnostics('docs/b.lit.md', (list) => list.length > 0)).toEqual([
      { range: range(14, 0, 12), severity: 2, code: 'unused-chunk', source: 'weft', message: 'chunk `spare` is never used' },
    ]);
  });
});

describe('custom requests for side-by-side views', () => {
  it('weft/explain: an output line back to its document line', async () => {
    const explanation = await client.request<Record<string, unknown>>('weft/explain', { output: 'src-generated/greet.ts', line: 4 });
    expect(explanation).toMatchObject({
      output: 'src-generated/greet.ts',
      line: 4,
      text: '  const text = `hello ${name}`;',
      source: { document: 'docs/a.lit.md', line: 13, column: 1 },
      section: ['Greeting', 'Building'],
      chunk: { name: 'build-the-greeting', part: 1, parts: 2 },
      location: { uri: client.uri('docs/a.lit.md'), range: range(12, 0, 0) },
    });
  });

  it('weft/explain: a line that does not exist is an error', async () => {
    await expect(client.request('weft/explain', { output: 'src-generated/greet.ts', line: 99 })).rejects.toThrow('src-generated/greet.ts has 8 lines; there is no line 99');
  });

  it('weft/showOutput: the tangled text of a document, unsaved edits included', async () => {
    await client.open('docs/a.lit.md', A.replace('// said twice', '// said three times'));
    const shown = await client.request<{ outputs: { path: string; content: string }[] }>('weft/showOutput', { uri: client.uri('docs/a.lit.md') });
    expect(shown.outputs.map((o) => o.path)).toEqual(['src-generated/greet.ts']);
    expect(shown.outputs[0]!.content).toBe(
      [
        '// generated from docs/a.lit.md by weft — edit the source, not this file',
        "import { shout } from './shout.js';",
        'export function greet(name: string): string {',
        '  const text = `hello ${name}`;',
        '  return shout(text);',
        '  // said three times',
        '}',
        '//# sourceMappingURL=greet.ts.map',
        '',
      ].join('\n'),
    );
  });
});

describe('chunkScope: "project" (one namespace, as Entangled)', () => {
  const shared = (from: string) => fence('ts #shared', `// from ${from}`);
  // docs/p.lit.md: 1 file fence, 2 `<<shared>>`, 5 the fence of its part of shared; docs/q.lit.md: 1 the fence of the other part.
  const PROJECT = {
    'weft.config.json': '{ "chunkScope": "project" }\n',
    'docs/p.lit.md': `${fence('ts file=src-generated/p.ts', '<<shared>>')}\n${shared('p')}`,
    'docs/q.lit.md': shared('q'),
    'package.json': '{ "type": "module" }\n',
  };
  let scoped: TestClient;
  beforeEach(async () => {
    scoped = await startClient(makeProject(PROJECT), { typescript: false });
  });
  afterEach(() => scoped.dispose());
  const where = (path: string, line: number, character: number) => ({ textDocument: { uri: scoped.uri(path) }, position: { line, character } });

  it('goes from a reference to the blocks of every document that define the name', async () => {
    expect(await scoped.request('textDocument/definition', where('docs/p.lit.md', 1, 3))).toEqual([
      { uri: scoped.uri('docs/p.lit.md'), range: range(4, 7, 13) },
      { uri: scoped.uri('docs/q.lit.md'), range: range(0, 7, 13) },
    ]);
  });

  it('hovers with the chunk merged from every document, as it is tangled', async () => {
    const hover = await scoped.request<{ contents: { value: string } }>('textDocument/hover', where('docs/p.lit.md', 1, 3));
    expect(hover.contents.value).toBe('```ts\n// from p\n// from q\n```\n\n`<<shared>>` defined at docs/p.lit.md:5, docs/q.lit.md:1');
  });

  it('finds the use from the definition in the other document, and the output tangles', async () => {
    expect(await scoped.request('textDocument/references', { ...where('docs/q.lit.md', 0, 9), context: { includeDeclaration: false } })).toEqual([{ uri: scoped.uri('docs/p.lit.md'), range: range(1, 2, 8) }]);
    expect(await scoped.request('weft/showOutput', { uri: scoped.uri('docs/p.lit.md') })).toMatchObject({ outputs: [{ path: 'src-generated/p.ts' }] });
  });

  it('completes a name that several documents define, as one unqualified chunk', async () => {
    await scoped.open('docs/r.lit.md', fence('ts file=src-generated/r.ts', '<<'));
    const items = await scoped.request<{ label: string; sortText: string }[]>('textDocument/completion', where('docs/r.lit.md', 1, 2));
    expect(items.map((item) => item.sortText)).toEqual(['1shared', '2docs/p.lit.md#shared', '2docs/q.lit.md#shared']);
  });
});
