/**
 * The emulated parts in VS Code: the mini DM Server and emulated devices run in the extension host
 * (never in the language server, which only reads), with the DM Sessions and Device Tree views,
 * the documents of what was exchanged, and the commands; and the runs of the delegation flows
 * (Delegation 5.2), each in a lab of its own. Everything stops when the extension is deactivated:
 * the `Emulator` and the runs are disposed with the extension's subscriptions.
 */
import * as vscode from 'vscode';
import { Emulator } from './parts';
import { TRACE_SCHEME, TraceDocuments } from './documents';
import { type SessionNode, SessionsProvider } from './sessionsView';
import { DeviceTreeProvider } from './deviceTreeView';
import { emulatorCommands, register } from './commands';
import { DelegationRuns, runDelegationFlowCommand } from './delegationFlow';

export { TRACE_SCHEME };

export interface EmulatorApi {
  emulator: Emulator;
  sessions: SessionsProvider;
  deviceTree: DeviceTreeProvider;
  documents: TraceDocuments;
  delegation: DelegationRuns;
}

/** `output` gets a line per message of the delegation runs. */
export function registerEmulator(context: vscode.ExtensionContext, output?: vscode.OutputChannel): EmulatorApi {
  const emulator = new Emulator();
  const documents = new TraceDocuments();
  const delegation = new DelegationRuns(output);
  const sessions = new SessionsProvider(emulator, documents, delegation);
  const deviceTree = new DeviceTreeProvider(emulator);
  const openAsExchange = (node: unknown): vscode.Uri | undefined => {
    const n = node as SessionNode | undefined;
    return n?.type === 'event' && (n.event.kind === 'package1' || n.event.kind === 'package3') ? sessions.documentUri(n, true) : undefined;
  };
  // Context keys for the view title buttons, set when they change (not at every trace event).
  let state = '';
  const setContext = (): void => {
    const now = `${!!emulator.server}/${emulator.devices.size > 0}`;
    if (now === state) return;
    state = now;
    void vscode.commands.executeCommand('setContext', 'omadm.serverRunning', !!emulator.server);
    void vscode.commands.executeCommand('setContext', 'omadm.deviceRunning', emulator.devices.size > 0);
  };
  setContext();
  context.subscriptions.push(
    sessions,
    deviceTree,
    // Their dispose closes every socket the emulated parts and the delegation labs opened.
    emulator,
    delegation,
    emulator.onDidChange(setContext),
    vscode.workspace.registerTextDocumentContentProvider(TRACE_SCHEME, documents),
    vscode.window.createTreeView('omadm.sessions', { treeDataProvider: sessions, showCollapseAll: true }),
    vscode.window.createTreeView('omadm.deviceTree', { treeDataProvider: deviceTree, showCollapseAll: true }),
    ...emulatorCommands(emulator, openAsExchange),
    // Guarded like the emulator commands: the lab opens ports on loopback.
    register('omadm.runDelegationFlow', true, (arg?: unknown) => runDelegationFlowCommand(delegation, arg)),
  );
  return { emulator, sessions, deviceTree, documents, delegation };
}
