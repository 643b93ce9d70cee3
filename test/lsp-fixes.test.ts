/**
 * `weft lsp`, quick fixes for the fence mistakes of the authoring checks
 * (`unclear-info-string`, `unclosed-fence`, `swallowed-fence`): exact code actions over
 * an in-memory JSON-RPC connection, and the fixed text tangles without the warning.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import { startClient, type TestClient } from './lsp-client.js';
import { WORKSPACE } from './lsp-fixture.js';
import { makeProject } from './helpers.js';

let client: TestClient;
beforeEach(async () => {
  client = await startClient(makeProject(WORKSPACE), { typescript: false });
});
afterEach(() => client.dispose());

const DOC = 'docs/c.lit.md';
const at = (line: number, character: number, endCharacter = character) => ({ start: { line, character }, end: { line, character: endCharacter } });

/** Open `text` as an unsaved buffer; its diagnostic with `code` and that diagnostic's code actions. */
async function fixesFor(text: string, code: string): Promise<{ diagnostic: Diagnostic; actions: CodeAction[] }> {
  await client.open(DOC, text);
  const list = await client.diagnostics(DOC, (found) => found.some((d) => d.code === code));
  const diagnostic = list.find((d) => d.code === code)!;
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: client.uri(DOC) }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
  return { diagnostic, actions };
}

/** A quick fix with one edit of the test document. */
function fix(title: string, diagnostic: Diagnostic, edit: TextEdit, preferred = true): CodeAction {
  return { title, kind: 'quickfix', diagnostics: [diagnostic], ...(preferred ? { isPreferred: true } : {}), edit: { changes: { [client.uri(DOC)]: [edit] } } };
}

/** `text` with one action's edit applied. */
function applied(text: string, action: CodeAction): string {
  const [edit] = action.edit!.changes![client.uri(DOC)]!;
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((sum, line) => sum + line.length + 1, 0) + p.character;
  return text.slice(0, offset(edit!.range.start)) + edit!.newText + text.slice(offset(edit!.range.end));
}

/** The codes of the diagnostics once `text` replaces the buffer and the fence warnings are gone (a fix that leaves them times out). */
async function codesAfter(text: string): Promise<string[]> {
  await client.change(DOC, text);
  const list = await client.diagnostics(DOC, (found) => !found.some((d) => d.code === 'unclear-info-string' || d.code === 'unclosed-fence'));
  return list.map((d) => String(d.code));
}

describe('unclear info strings', () => {
  it('offers a chunk name with spaces quoted (preferred) or in kebab case', async () => {
    const text = '# C\n\n```ts #parse the args\nlet a = 1;\n```\n';
    const { diagnostic, actions } = await fixesFor(text, 'unclear-info-string');
    expect(actions).toEqual([
      fix('Change the info string to ```ts #"parse the args"', diagnostic, { range: at(2, 3, 21), newText: 'ts #"parse the args"' }),
      fix('Change the info string to ```ts #parse-the-args', diagnostic, { range: at(2, 3, 21), newText: 'ts #parse-the-args' }, false),
    ]);
    expect(applied(text, actions[0]!)).toBe('# C\n\n```ts #"parse the args"\nlet a = 1;\n```\n');
    expect(await codesAfter(applied(text, actions[0]!))).toEqual(['unused-chunk']);
    const symbols = await client.request<{ name: string }[]>('workspace/symbol', { query: 'parse' });
    expect(symbols.map((s) => s.name)).toEqual(['parse the args']);
  });

  it('joins an attribute written with spaces round =, and the block becomes a file target', async () => {
    const text = '# C\n\n```ts file = src-generated/c.ts\nlet a = 1;\n```\n';
    const { diagnostic, actions } = await fixesFor(text, 'unclear-info-string');
    expect(actions).toEqual([fix('Change the info string to ```ts file=src-generated/c.ts', diagnostic, { range: at(2, 3, 31), newText: 'ts file=src-generated/c.ts' })]);
    expect(await codesAfter(applied(text, actions[0]!))).toEqual([]);
    const shown = await client.request<{ outputs: { path: string }[] }>('weft/showOutput', { uri: client.uri(DOC) });
    expect(shown.outputs.map((o) => o.path)).toEqual(['src-generated/c.ts']);
  });

  it('joins a # set apart from its name', async () => {
    const { diagnostic, actions } = await fixesFor('# C\n\n```ts # parse\nlet a = 1;\n```\n', 'unclear-info-string');
    expect(actions).toEqual([fix('Change the info string to ```ts #parse', diagnostic, { range: at(2, 3, 13), newText: 'ts #parse' })]);
  });

  it('writes a misspelt file key as file=', async () => {
    const { diagnostic, actions } = await fixesFor('# C\n\n```ts filename=src-generated/c.ts\nlet a = 1;\n```\n', 'unclear-info-string');
    expect(actions).toEqual([fix('Change the info string to ```ts file=src-generated/c.ts', diagnostic, { range: at(2, 3, 33), newText: 'ts file=src-generated/c.ts' })]);
  });

  it('closes an unclosed braces group', async () => {
    const text = '# C\n\n```{.ts #name\nlet a = 1;\n```\n';
    const { diagnostic, actions } = await fixesFor(text, 'unclear-info-string');
    expect(actions).toEqual([fix('Change the info string to ```{.ts #name}', diagnostic, { range: at(2, 3, 13), newText: '{.ts #name}' })]);
    expect(await codesAfter(applied(text, actions[0]!))).toEqual(['unused-chunk']);
  });

  it('drops a stray closing brace after the braces group', async () => {
    const { diagnostic, actions } = await fixesFor('# C\n\n```ts {#name}}\nlet a = 1;\n```\n', 'unclear-info-string');
    expect(actions).toEqual([fix('Change the info string to ```ts {#name}', diagnostic, { range: at(2, 3, 14), newText: 'ts {#name}' })]);
  });

  it('keeps the fence of a block quote and leaves quoted values alone', async () => {
    const { diagnostic, actions } = await fixesFor('# C\n\n> ~~~~ts file = "src-generated/a = b.ts"\n> let a = 1;\n> ~~~~\n', 'unclear-info-string');
    expect(actions).toEqual([fix('Change the info string to ~~~~ts file="src-generated/a = b.ts"', diagnostic, { range: at(2, 6, 40), newText: 'ts file="src-generated/a = b.ts"' })]);
  });
});

describe('fences never closed', () => {
  it('offers to close the block before the prose that follows it, or at the end of the document', async () => {
    const text = '# C\n\n```sh file=scripts/c.sh\necho hi\n\nProse after.\n';
    const { diagnostic, actions } = await fixesFor(text, 'unclosed-fence');
    expect(actions).toEqual([
      fix('Close the block with ``` at line 5', diagnostic, { range: at(4, 0), newText: '```\n' }, false),
      fix('Close the block with ``` at line 7', diagnostic, { range: at(6, 0), newText: '```\n' }, false),
    ]);
    expect(applied(text, actions[0]!)).toBe('# C\n\n```sh file=scripts/c.sh\necho hi\n```\n\nProse after.\n');
    expect(await codesAfter(applied(text, actions[0]!))).toEqual([]);
  });

  it('closes the block before the Weft fence it swallowed, from either diagnostic', async () => {
    const text = '# C\n\n```sh file=scripts/c.sh\necho hi\n\n```ts #b\nlet b = 1;\n';
    const unclosed = await fixesFor(text, 'unclosed-fence');
    expect(unclosed.actions).toEqual([fix('Close the block with ``` at line 5', unclosed.diagnostic, { range: at(4, 0), newText: '```\n' })]);
    const swallowed = await fixesFor(text, 'swallowed-fence');
    expect(swallowed.actions).toEqual([fix('Close the block of line 3 with ``` at line 5', swallowed.diagnostic, { range: at(4, 0), newText: '```\n' })]);
  });

  it('closes a block in a list item at the item’s indentation, before the next item', async () => {
    const { diagnostic, actions } = await fixesFor('# C\n\n- item\n\n  ```ts #a\n  let a = 1;\n\n- next\n', 'unclosed-fence');
    expect(actions).toEqual([fix('Close the block with ``` at line 7', diagnostic, { range: at(6, 0), newText: '  ```\n' })]);
  });

  it('adds a line break before the closing fence when the document does not end with one', async () => {
    const { diagnostic, actions } = await fixesFor('# C\n\n```ts #a\nlet a = 1;', 'unclosed-fence');
    expect(actions).toEqual([fix('Close the block with ``` at line 5', diagnostic, { range: at(3, 10), newText: '\n```\n' })]);
  });
});

it('offers no fix for a reference that is not alone on its line (the author decides what it meant)', async () => {
  const { actions } = await fixesFor('# C\n\n```ts #a\n  <<b>>;\n```\n', 'reference-not-alone');
  expect(actions).toEqual([]);
});
