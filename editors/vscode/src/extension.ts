/**
 * The VS Code client of `weft lsp`: starts the server over stdio for `*.lit.md` files.
 *
 * The documents stay in VS Code's `markdown` language (the selector matches by pattern),
 * so Markdown preview, folding and highlighting keep working; the server adds the chunk
 * features and TypeScript inside the fences. `<<name>>` inside fences is coloured by the
 * injection grammar in syntaxes/.
 */
import { workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const [command = 'npx', ...args] = workspace.getConfiguration('weft').get<string[]>('command') ?? ['npx', 'weft', 'lsp', '--stdio'];
  const cwd = workspace.workspaceFolders?.[0]?.uri.fsPath;
  const server: ServerOptions = { command, args, transport: TransportKind.stdio, options: { cwd } };
  const options: LanguageClientOptions = {
    documentSelector: [{ language: 'markdown', pattern: '**/*.lit.md' }],
    synchronize: { fileEvents: workspace.createFileSystemWatcher('**/*.lit.md') },
  };
  client = new LanguageClient('weft', 'Weft', server, options);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
