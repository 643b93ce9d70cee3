/**
 * `weft lsp`, TypeScript inside the fences: type errors, completion, hover, definition and
 * signature help at `.lit.md` positions, mapped through the tangled outputs' origins,
 * including text that lands in the output through an indented `<<reference>>`.
 */
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClient, type TestClient } from './lsp-client.js';
import { A, WORKSPACE } from './lsp-fixture.js';
import { makeProject, REPO } from './helpers.js';

// One server for all tests (a TypeScript service takes seconds to load @types/node); each
// test shows its own unsaved text of docs/a.lit.md.
let client: TestClient;
let opened = false;
beforeAll(async () => {
  const root = makeProject(WORKSPACE);
  // The repository's node_modules (TypeScript's lib files, @types/node) as the project's own.
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  client = await startClient(root);
});
afterAll(() => client.dispose());

/** Show `text` as the unsaved buffer of docs/a.lit.md. */
async function edit(text: string) {
  if (opened) return client.change('docs/a.lit.md', text);
  opened = true;
  return client.open('docs/a.lit.md', text);
}

const range = (line: number, start: number, end: number) => ({ start: { line, character: start }, end: { line, character: end } });
const at = (path: string, line: number, character: number) => ({ textDocument: { uri: client.uri(path) }, position: { line, character } });

describe('TypeScript inside the fences', () => {
  it('reports a type error as you type at the .lit.md line and column, through an indented reference', async () => {
    await edit(A.replace('const text = ', 'const text: number = '));
    const diagnostics = await client.diagnostics('docs/a.lit.md', (list) => list.some((d) => d.source === 'typescript'));
    expect(diagnostics).toEqual([
      { range: range(12, 6, 10), severity: 1, code: 'TS2322', source: 'typescript', message: "Type 'string' is not assignable to type 'number'." },
      { range: range(13, 13, 17), severity: 1, code: 'TS2345', source: 'typescript', message: "Argument of type 'number' is not assignable to parameter of type 'string'." },
    ]);
  });

  it('completes members after a dot in an unsaved buffer', async () => {
    await edit(A.replace('return shout(text);', 'return shout(text.);'));
    const items = await client.request<{ label: string; kind: number }[]>('textDocument/completion', at('docs/a.lit.md', 13, 18));
    expect(items.find((item) => item.label === 'toUpperCase')).toEqual({ label: 'toUpperCase', kind: 2, sortText: '11' });
    expect(items.map((item) => item.label)).toContain('padStart');
  });

  it('goes to a definition in another chunk of another document', async () => {
    await edit(A);
    expect(await client.request('textDocument/definition', at('docs/a.lit.md', 13, 9))).toEqual([{ uri: client.uri('docs/b.lit.md'), range: range(5, 16, 21) }]);
  });

  it('goes to a definition in node_modules', async () => {
    const text = A.replace("import { shout } from './shout.js';", "import { shout } from './shout.js';\nimport { readFileSync } from 'node:fs';");
    await edit(text);
    const [location] = await client.request<{ uri: string }[]>('textDocument/definition', at('docs/a.lit.md', 4, 11));
    expect(location!.uri).toMatch(/\/node_modules\/@types\/node\/fs\.d\.ts$/);
  });

  it('shows the type and the JSDoc on hover', async () => {
    await edit(A);
    expect(await client.request('textDocument/hover', at('docs/a.lit.md', 13, 9))).toEqual({
      contents: { kind: 'markdown', value: '```typescript\n(alias) shout(text: string): string\nimport shout\n```\n\nUpper-case a text.' },
    });
  });

  it('gives signature help inside a call', async () => {
    await edit(A);
    expect(await client.request('textDocument/signatureHelp', at('docs/a.lit.md', 13, 13))).toEqual({
      activeSignature: 0,
      activeParameter: 0,
      signatures: [{ label: 'shout(text: string): string', documentation: 'Upper-case a text.', parameters: [{ label: 'text: string' }] }],
    });
  });

  it('leaves a <<reference>> line to the chunk features', async () => {
    await edit(A);
    expect(await client.request('textDocument/hover', at('docs/a.lit.md', 5, 0))).toBeNull();
    expect(await client.request('textDocument/completion', at('docs/a.lit.md', 5, 1))).toBeNull();
  });
});
