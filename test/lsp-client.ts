/**
 * A language client for the tests: `weft lsp`'s server on one end of an in-memory stream
 * pair, a `vscode-languageserver-protocol` connection on the other, and the diagnostics
 * the server publishes collected by URI so a test can wait for them.
 */
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createConnection } from 'vscode-languageserver/node';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { startServer, type ServerOptions } from '../tangle/lsp/server.js';

export interface TestClient {
  connection: ProtocolConnection;
  root: string;
  /** The URI of a project-relative path. */
  uri: (path: string) => string;
  /** The next diagnostics published for `path` that satisfy `accept` (or already published ones). */
  diagnostics: (path: string, accept?: (list: Diagnostic[]) => boolean) => Promise<Diagnostic[]>;
  open: (path: string, text: string) => Promise<void>;
  /** Replace the whole text of an open buffer (unsaved). */
  change: (path: string, text: string) => Promise<void>;
  request: <R>(method: string, params: unknown) => Promise<R>;
  dispose: () => void;
}

/** Start a server over `root` and initialize it. */
export async function startClient(root: string, options: ServerOptions = {}): Promise<TestClient> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  startServer(createConnection(toServer, toClient), options);
  const connection = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const published = new Map<string, Diagnostic[]>();
  const waiting: { uri: string; accept: (list: Diagnostic[]) => boolean; resolve: (list: Diagnostic[]) => void }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    published.set(params.uri, params.diagnostics);
    for (const waiter of [...waiting]) {
      if (waiter.uri === params.uri && waiter.accept(params.diagnostics)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(params.diagnostics);
      }
    }
  });
  connection.listen();
  const uri = (path: string) => pathToFileURL(join(root, path)).href;
  await connection.sendRequest('initialize', { processId: null, rootUri: pathToFileURL(root).href, capabilities: {}, workspaceFolders: null });
  await connection.sendNotification('initialized', {});
  const versions = new Map<string, number>();
  return {
    connection,
    root,
    uri,
    diagnostics: (path, accept = () => true) =>
      new Promise((resolve) => {
        const known = published.get(uri(path));
        if (known && accept(known)) return resolve(known);
        waiting.push({ uri: uri(path), accept, resolve });
      }),
    open: async (path, text) => {
      versions.set(path, 1);
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(path), languageId: 'markdown', version: 1, text } });
    },
    change: async (path, text) => {
      const version = (versions.get(path) ?? 1) + 1;
      versions.set(path, version);
      await connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(path), version }, contentChanges: [{ text }] });
    },
    request: (method, params) => connection.sendRequest(method, params),
    dispose: () => connection.dispose(),
  };
}
