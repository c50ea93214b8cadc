/**
 * The VS Code side: starts the language server, routes its log to an output channel, and adds the
 * commands. Everything protocol-specific is asked of the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ConTypesRequest, DecodeNotificationRequest, EncodeNotificationRequest, MessagesRequest, SettingsNotification, SkeletonRequest, TreeStatusNotification, TreeStatusRequest, ValidateWorkspaceRequest, type EncodeArgs, type Settings, type TreeStatus, type ValidateWorkspaceResult } from '../../server/src/lsp/contract';
import { LanguageClient, RevealOutputChannelOn, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { type EmulatorApi, TRACE_SCHEME, registerEmulator } from './emulator/index';
import { SCENARIO_SELECTOR, type ScenariosApi, registerScenarios } from './scenarios/index';
import { registerTraceViewer } from './trace/index';
import { registerDebugger } from './debug/index';

let client: LanguageClient | undefined;

/** The scheme of the read-only decode previews. */
const DECODE_SCHEME = 'omadm-decode';


export async function activate(context: vscode.ExtensionContext): Promise<{ client: LanguageClient; emulator: EmulatorApi; scenarios: ScenariosApi }> {
  const output = vscode.window.createOutputChannel('OMA DM Workbench');
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  // The trace documents of the emulated parts are validated like files (what was really sent).
  const selector = ['file', 'untitled', TRACE_SCHEME].flatMap((scheme) => ['dm-delegation', 'dm-http', 'dm-json', 'dm-notification', 'dm-ddf', 'xml', 'json'].map((language) => ({ scheme, language })));
  const settings = (): Settings => {
    const c = vscode.workspace.getConfiguration('omadm');
    const serverId = c.get<string>('serverId') || undefined;
    return { sampleTrees: c.get<string[]>('sampleTrees') ?? [], ...(serverId ? { serverId } : {}) };
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [...selector, SCENARIO_SELECTOR],
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: settings(),
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{dmtree.json,ddf}') },
  };
  client = new LanguageClient('omadm', 'OMA DM Workbench', serverOptions, clientOptions);
  const emulator = registerEmulator(context, output);
  const scenarios = registerScenarios(context);
  registerTraceViewer(context, emulator.documents);
  registerDebugger(context);

  context.subscriptions.push(
    output,
    // Every DM file of the workspace now, whatever is open; the findings go to the Problems panel.
    vscode.commands.registerCommand('omadm.validateWorkspace', async (): Promise<ValidateWorkspaceResult> => {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'OMA DM: validating the workspace' }, () => client!.sendRequest(ValidateWorkspaceRequest, {}));
      void vscode.commands.executeCommand('workbench.actions.view.problems');
      void vscode.window.showInformationMessage(`OMA DM: ${r.files} file${r.files === 1 ? '' : 's'} validated: ${r.errors} errors, ${r.warnings} warnings${r.skipped ? `; ${r.skipped} left out (omadm.workspaceDiagnosticsMaxFiles)` : ''}.`);
      return r;
    }),
    vscode.commands.registerCommand('omadm.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('omadm.newDelegationMessage', async (root?: string, section?: string) => {
      let choice: { root: string; section?: string } | undefined = root ? { root, ...(section ? { section } : {}) } : undefined;
      if (!choice) {
        const items = await client!.sendRequest(MessagesRequest);
        const picked = await vscode.window.showQuickPick(
          items.map((i) => ({ label: i.label, description: i.detail, choice: i })),
          { placeHolder: 'Delegation message to create (Delegation 5.3)' },
        );
        if (!picked) return undefined;
        choice = picked.choice;
      }
      const content = await client!.sendRequest(SkeletonRequest, { root: choice.root, ...(choice.section ? { section: choice.section } : {}) });
      if (!content) {
        void vscode.window.showErrorMessage(`No delegation message is called ${choice.root}.`);
        return undefined;
      }
      const doc = await vscode.workspace.openTextDocument({ language: 'dm-delegation', content });
      await vscode.window.showTextDocument(doc);
      return doc;
    }),
  );
  // Decoded notifications, served read-only under their own scheme.
  const decoded = new Map<string, string>();
  const decodeChanged = new vscode.EventEmitter<vscode.Uri>();
  let decodes = 0;
  context.subscriptions.push(decodeChanged, vscode.workspace.registerTextDocumentContentProvider(DECODE_SCHEME, { onDidChange: decodeChanged.event, provideTextDocumentContent: (uri) => decoded.get(uri.toString()) ?? '' }));
  // Into a notification file being edited; anything else (a JSON package, say) is left alone: a new notification document.
  const openNotification = async (hex: string): Promise<string> => {
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId === 'dm-notification') await editor.edit((e) => e.replace(editor.selection, hex));
    else await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'dm-notification', content: hex + '\n' }));
    return hex;
  };
  context.subscriptions.push(
    // The selection (a hex string in a fixture, a log line, ...) or the whole file, decoded into a Markdown preview.
    vscode.commands.registerCommand('omadm.decodeNotification', async (text?: string) => {
      const editor = vscode.window.activeTextEditor;
      const input = text ?? (editor ? editor.document.getText(editor.selection.isEmpty ? undefined : editor.selection) : undefined);
      if (!input?.trim()) {
        void vscode.window.showInformationMessage('Select the hex or base64 of a DM Notification to decode it.');
        return undefined;
      }
      const markdown = await client!.sendRequest(DecodeNotificationRequest, { text: input.replace(/^\s*["']|["'],?\s*$/g, '') });
      // A read-only virtual document: nothing for the user to save or discard when the window closes.
      const uri = vscode.Uri.from({ scheme: DECODE_SCHEME, path: `/DM Notification ${++decodes}.md` });
      decoded.set(uri.toString(), markdown);
      decodeChanged.fire(uri);
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
      return markdown;
    }),
    vscode.commands.registerCommand('omadm.newNotification', async (given?: EncodeArgs) => {
      if (given) return openNotification(await client!.sendRequest(EncodeNotificationRequest, given));
      const serverId = await vscode.window.showInputBox({ title: 'New DM Notification (1/5)', prompt: 'SERVER-ID: the Server Identifier of the DM Server (DMAcc)', value: 'DMS_ID1' });
      if (serverId === undefined) return undefined;
      const nid = await vscode.window.showInputBox({ title: 'New DM Notification (2/5)', prompt: 'NOTIFICATION-ID, 0-65535 (empty: none)', value: String(Math.floor(Math.random() * 65536)), validateInput: (v) => (v === '' || (/^\d+$/.test(v) && Number(v) < 65536) ? undefined : 'an integer from 0 to 65535') });
      if (nid === undefined) return undefined;
      const conTypes = await client!.sendRequest(ConTypesRequest);
      const types = await vscode.window.showQuickPick(conTypes.map((c) => ({ label: c.name, description: c.description })), { title: 'New DM Notification (3/5)', placeHolder: 'PREFERRED-CON-TYPE, in priority order (none for no option)', canPickMany: true });
      if (types === undefined) return undefined;
      const reqMos = await vscode.window.showQuickPick(['No', 'Yes'], { title: 'New DM Notification (4/5)', placeHolder: 'REQ-MOS: ask for the MOS array in Package#1?' });
      if (reqMos === undefined) return undefined;
      const secret = await vscode.window.showInputBox({ title: 'New DM Notification (5/5)', prompt: 'Server secret for the SHA256-DIGEST (empty: no digest)', password: true });
      if (secret === undefined) return undefined;
      const authData = secret ? await vscode.window.showInputBox({ title: 'New DM Notification', prompt: 'Auth data for the digest (may be empty)' }) : undefined;
      const picked = types.map((t) => t.label);
      const fields: EncodeArgs = {
        serverId, ...(nid ? { notificationId: Number(nid) } : {}), ...(picked.length ? { conTypes: picked } : {}), timestamp: Math.floor(Date.now() / 1000), reqMos: reqMos === 'Yes', ...(secret ? { secret, authData: authData ?? '' } : {}),
      };
      return openNotification(await client!.sendRequest(EncodeNotificationRequest, fields));
    }),
  );
  // The status bar names the sample trees ClientURIs resolve against, and the server identity for access.
  const status = vscode.window.createStatusBarItem('omadm.trees', vscode.StatusBarAlignment.Left, 10);
  status.name = 'OMA DM sample trees';
  status.command = 'omadm.showTrees';
  let treeFiles: string[] = [];
  const showStatus = (s: TreeStatus): void => {
    treeFiles = s.files;
    status.text = `$(list-tree) ${s.files.length} DM tree${s.files.length === 1 ? '' : 's'}${s.serverId ? ` · ${s.serverId}` : ''}`;
    status.tooltip = s.files.length ? `ClientURIs resolve against ${s.instances} MO instances in:\n${s.files.map((f) => vscode.workspace.asRelativePath(f)).join('\n')}${s.serverId ? `\nAccess predicted for ${s.serverId} (omadm.serverId)` : '\nSet omadm.serverId to predict access (403)'}` : 'No sample trees (*.dmtree.json, setting omadm.sampleTrees)';
    status.show();
  };
  context.subscriptions.push(
    status,
    vscode.commands.registerCommand('omadm.showTrees', async () => {
      const pick = await vscode.window.showQuickPick(
        [...treeFiles.map((f) => ({ label: vscode.workspace.asRelativePath(f), file: f })), { label: '$(gear) Settings: omadm.sampleTrees, omadm.serverId', file: '' }],
        { placeHolder: 'Sample DM trees' },
      );
      if (!pick) return;
      if (pick.file) await vscode.window.showTextDocument(vscode.Uri.file(pick.file));
      else await vscode.commands.executeCommand('workbench.action.openSettings', 'omadm.');
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('omadm')) void client?.sendNotification(SettingsNotification, settings());
    }),
  );
  try {
    await client.start();
    context.subscriptions.push(client.onNotification(TreeStatusNotification, showStatus));
    showStatus(await client.sendRequest(TreeStatusRequest));
  } catch (e) {
    output.appendLine(`The OMA DM language server did not start: ${(e as Error).message}`);
    void vscode.window.showErrorMessage('OMA DM Workbench: the language server did not start; see the "OMA DM Workbench" output.', 'Show output').then((a) => a && output.show());
  }
  return { client, emulator, scenarios };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
