/**
 * `weft lsp` as an editor starts it: a child process on stdio. initialize, didOpen, a
 * definition request, shutdown and exit end the process with code 0.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { A, WORKSPACE } from './lsp-fixture.js';
import { makeProject, weft, WEFT_BIN } from './helpers.js';

describe('weft lsp over stdio', () => {
  it('answers a definition request and exits 0 after shutdown and exit', async () => {
    const root = makeProject(WORKSPACE);
    const child = spawn(process.execPath, [WEFT_BIN, 'lsp', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    const uri = pathToFileURL(join(root, 'docs/a.lit.md')).href;
    const initialized = await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(root).href, capabilities: {}, workspaceFolders: null });
    expect(initialized).toMatchObject({ capabilities: { definitionProvider: true }, serverInfo: { name: 'weft' } });
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text: A } });
    expect(await connection.sendRequest('textDocument/definition', { textDocument: { uri }, position: { line: 5, character: 6 } })).toEqual([
      { uri, range: { start: { line: 11, character: 7 }, end: { line: 11, character: 25 } } },
      { uri, range: { start: { line: 16, character: 7 }, end: { line: 16, character: 25 } } },
    ]);
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    expect(await exited).toBe(0);
    connection.dispose();
  });

  it('rejects an unknown flag with its usage and exit code 2', () => {
    const run = weft(makeProject(), 'lsp', '--bogus');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('weft lsp: unknown option --bogus (options: --stdio, --no-typescript, --root, --help)');
    expect(run.stderr).toContain('Usage: weft lsp [--stdio]');
  });
});
