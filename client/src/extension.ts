/**
 * The VS Code side: starts the language server, routes its log to an output channel, and adds the
 * commands. Everything protocol-specific is asked of the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, RevealOutputChannelOn, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

interface MessageChoice {
  label: string;
  root: string;
  section: string;
  detail: string;
}

export async function activate(context: vscode.ExtensionContext): Promise<{ client: LanguageClient }> {
  const output = vscode.window.createOutputChannel('OMA DM Workbench');
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const selector = ['file', 'untitled'].flatMap((scheme) => ['dm-delegation', 'dm-http', 'dm-json', 'xml', 'json'].map((language) => ({ scheme, language })));
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };
  client = new LanguageClient('omadm', 'OMA DM Workbench', serverOptions, clientOptions);

  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('omadm.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('omadm.newDelegationMessage', async (root?: string, section?: string) => {
      let choice: { root: string; section?: string } | undefined = root ? { root, ...(section ? { section } : {}) } : undefined;
      if (!choice) {
        const items = (await client!.sendRequest('workspace/executeCommand', { command: 'omadm.server.messages', arguments: [] })) as MessageChoice[];
        const picked = await vscode.window.showQuickPick(
          items.map((i) => ({ label: i.label, description: i.detail, choice: i })),
          { placeHolder: 'Delegation message to create (Delegation 5.3)' },
        );
        if (!picked) return undefined;
        choice = picked.choice;
      }
      const content = (await client!.sendRequest('workspace/executeCommand', { command: 'omadm.server.skeleton', arguments: [choice.root, choice.section] })) as string | null;
      if (!content) {
        void vscode.window.showErrorMessage(`No delegation message is called ${choice.root}.`);
        return undefined;
      }
      const doc = await vscode.workspace.openTextDocument({ language: 'dm-delegation', content });
      await vscode.window.showTextDocument(doc);
      return doc;
    }),
  );
  try {
    await client.start();
  } catch (e) {
    output.appendLine(`The OMA DM language server did not start: ${(e as Error).message}`);
    void vscode.window.showErrorMessage('OMA DM Workbench: the language server did not start; see the "OMA DM Workbench" output.', 'Show output').then((a) => a && output.show());
  }
  return { client };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
