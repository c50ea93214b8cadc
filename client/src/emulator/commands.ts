/**
 * The emulator's commands. Every one takes its input as arguments too (a tree path, a Package#2
 * file, a DevID), so it runs without UI; without them it asks. They refuse in an untrusted
 * workspace: they open sockets and act on the workspace's files.
 */
import * as vscode from 'vscode';
import { parsePackage } from '../../../server/src/core/dm20/model';
import { account, accounts } from '../../../server/src/core/engine/account';
import { parseInput } from '../../../server/src/core/notification/input';
import { wrapWapPush } from '../../../server/src/core/notification/wapPush';
import type { DmTree, TreeNode } from '../../../server/src/core/tree/model';
import { sendDatagram } from '../../../server/src/host/udp';
import type { DevicePart, Emulator } from './parts';
import { UserError, asUri, pickDevice, pickFiles } from './pick';
import { followSession } from './follow';

const LOOPBACK = '127.0.0.1';

export function register(id: string, guarded: boolean, fn: (...args: unknown[]) => Promise<unknown>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    if (guarded && !vscode.workspace.isTrusted) {
      void vscode.window
        .showErrorMessage('OMA DM: the emulated device and the mini DM Server run only in a trusted workspace: they open network ports on loopback and read the workspace\'s trees and packages.', 'Manage Workspace Trust')
        .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
      return undefined;
    }
    try {
      return await fn(...args);
    } catch (e) {
      const actions = e instanceof UserError ? e.actions : [];
      const message = e instanceof UserError ? e.message : `${(e as Error).message ?? String(e)}`;
      void vscode.window.showErrorMessage(`OMA DM: ${message}`, ...actions.map((a) => a.title)).then((t) => actions.find((a) => a.title === t)?.run());
      return undefined;
    }
  });
}

function progress<T>(title: string, task: () => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OMA DM: ${title}` }, task);
}

/** The notification credentials of the DMAcc for `serverId` (12.2 Auth/Noti, or the spellings the examples use), for the digest of 5.2.1.2. */
function notificationCredentials(tree: DmTree, serverId: string): { secret: string; authData: string } | undefined {
  const root = account(tree, serverId)?.instance.root;
  const leaf = (paths: string[][]): string | undefined => {
    for (const p of paths) {
      const n = p.reduce<TreeNode | undefined>((x, name) => x?.child(name), root);
      if (n && !n.interior && n.value !== undefined && n.value !== null) return String(n.value);
    }
    return undefined;
  };
  const secret = leaf([['Auth', 'Noti', 'Secret'], ['Credentials', 'Noti', 'AuthSecret'], ['AuthNoti', 'AuthSecret']]);
  return secret === undefined ? undefined : { secret, authData: leaf([['Auth', 'Noti', 'Data'], ['Credentials', 'Noti', 'AuthData'], ['AuthNoti', 'AuthData']]) ?? '' };
}

function isDeviceNode(arg: unknown): boolean {
  return !!arg && typeof arg === 'object' && 'part' in arg;
}

function requireServer(emulator: Emulator) {
  if (emulator.server) return emulator.server;
  throw new UserError('No DM Server is running.', [{ title: 'Start DM Server', run: () => vscode.commands.executeCommand('omadm.startServer') }]);
}

/** Checks the device would accept a DM Notification of the server (5.2.1.2): it needs a DM Account for the SERVER-ID. */
function requireAccount(part: DevicePart, serverId: string): void {
  if (account(part.tree, serverId)) return;
  const ids = accounts(part.tree).map((a) => a.serverId);
  throw new UserError(`The device ${part.name} has no DM Account (DMAcc, DM 2.0 12.2) for the DM Server's SERVER-ID '${serverId}', so it would drop the DM Notification. ${ids.length ? `Its DM Accounts are for ${ids.join(', ')}: set omadm.serverId to one and restart the DM Server.` : 'Add a DMAcc to its tree.'}`);
}

export function emulatorCommands(emulator: Emulator, openAsExchange: (node: unknown) => vscode.Uri | undefined): vscode.Disposable[] {
  const send = async (part: DevicePart, bytes: Uint8Array): Promise<void> => {
    // A device stopped while the pick was open has no port any more.
    if (!emulator.devices.has(part.id)) throw new UserError(`The device ${part.name} is no longer running.`);
    await sendDatagram(bytes, LOOPBACK, part.udpPort);
  };
  const sendFollowed = async (part: DevicePart, bytes: Uint8Array, notificationId: number): Promise<void> => {
    const follow = followSession(emulator, part, notificationId);
    try {
      await send(part, bytes);
    } catch (e) {
      follow.cancel();
      throw e;
    }
  };
  return [
    register('omadm.startServer', true, async (serverIdArg?: unknown) => {
      const serverId = (typeof serverIdArg === 'string' && serverIdArg) || vscode.workspace.getConfiguration('omadm').get<string>('serverId') || 'DMS_ID1';
      const s = emulator.server ?? (await progress(`starting the mini DM Server ${serverId}…`, () => emulator.startServer(serverId)));
      vscode.window.setStatusBarMessage(`OMA DM: DM Server ${s.serverId} at ${s.url}`, 5000);
      return { url: s.url, port: s.port, serverId: s.serverId };
    }),
    register('omadm.stopServer', false, () => emulator.stopServer()),
    register('omadm.startDevice', true, async (arg?: unknown, selection?: unknown) => {
      // From the explorer the second argument is every selected file.
      const given = Array.isArray(selection) && selection.length ? selection : Array.isArray(arg) ? arg : arg !== undefined ? [arg] : [];
      let uris = given.map(asUri).filter((u): u is vscode.Uri => !!u);
      if (!uris.length) uris = (await pickFiles('**/*.dmtree.json', 'DM trees (*.dmtree.json)', true)) ?? [];
      if (!uris.length) return undefined;
      const bad = uris.find((u) => u.scheme !== 'file');
      if (bad) throw new UserError(`${bad.toString()} is not a file on disk: the device reads its tree files (and never writes them).`);
      const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && uris.some((u) => u.toString() === d.uri.toString()));
      if (dirty.length) void vscode.window.showWarningMessage(`OMA DM: the device starts from the saved contents of ${dirty.map((d) => vscode.workspace.asRelativePath(d.uri)).join(', ')}, not the unsaved edits.`);
      const part = await progress('starting the emulated device…', () => emulator.startDevice(uris.map((u) => u.fsPath)));
      const problems = [...(part.devId ? [] : ['no DevInfo DevID (DM 2.0 12.1), which every Package#1 carries']), ...(accounts(part.tree).length ? [] : ['no DM Account (DMAcc, 12.2), so it drops every DM Notification'])];
      if (problems.length) void vscode.window.showWarningMessage(`OMA DM: the device's tree has ${problems.join(' and ')}.`);
      vscode.window.setStatusBarMessage(`OMA DM: device ${part.name} listens on udp://${LOOPBACK}:${part.udpPort}`, 5000);
      return { id: part.id, devId: part.devId, name: part.name, udpPort: part.udpPort };
    }),
    register('omadm.stopDevice', false, async (arg?: unknown) => {
      if (!arg && !emulator.devices.size) return false;
      const part = await pickDevice(emulator, arg);
      if (!part) return false;
      await emulator.stopDevice(part);
      return true;
    }),
    register('omadm.sendNotification', true, async (sourceArg?: unknown, deviceArg?: unknown) => {
      // From a device's context menu the device comes first.
      const [source, device] = isDeviceNode(sourceArg) ? [undefined, sourceArg] : [sourceArg, deviceArg];
      const editor = vscode.window.activeTextEditor;
      let uri = source === 'build' ? undefined : asUri(source);
      if (!uri && source !== 'build' && editor?.document.languageId === 'dm-notification') uri = editor.document.uri;
      let build = source === 'build';
      if (!uri && !build) {
        const files = (await vscode.workspace.findFiles('**/*.{pkg0,pkg0.hex}', '**/node_modules/**')).map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u as vscode.Uri | undefined }));
        const items = [{ label: '$(tools) Build one for the DM Server', description: emulator.server ? `SERVER-ID ${emulator.server.serverId}, with the device's notification secret` : 'needs a running DM Server', uri: undefined }, ...files];
        const picked = await vscode.window.showQuickPick(items, { placeHolder: 'The DM Notification (Package#0) to send' });
        if (!picked) return undefined;
        uri = picked.uri;
        build = !uri;
      }
      const part = await pickDevice(emulator, device);
      if (!part) return undefined;
      if (build) {
        const server = requireServer(emulator);
        requireAccount(part, server.serverId);
        const { bytes, notificationId } = server.engine.notification(notificationCredentials(part.tree, server.serverId) ?? {});
        await sendFollowed(part, bytes, notificationId);
        return { bytes: bytes.length, notificationId, udpPort: part.udpPort };
      }
      const doc = await vscode.workspace.openTextDocument(uri!);
      const label = vscode.workspace.asRelativePath(uri!);
      const parsed = parseInput(doc.getText());
      if (parsed.errors.length || !parsed.bytes.length) throw new UserError(`${label} is not the hex or base64 of a DM Notification: ${parsed.errors[0]?.message ?? 'it is empty'}.`);
      // Sent as a connectionless WAP Push (E.1); one that is already wrapped goes as written.
      const bytes = parsed.wapPush ? parsed.bytes : wrapWapPush(parsed.bytes);
      await send(part, bytes);
      vscode.window.setStatusBarMessage(`OMA DM: ${label} sent to udp://${LOOPBACK}:${part.udpPort}`, 5000);
      return { bytes: bytes.length, udpPort: part.udpPort };
    }),
    register('omadm.sendPackage2', true, async (arg?: unknown, deviceArg?: unknown) => {
      const [fileArg, device] = isDeviceNode(arg) ? [undefined, arg] : [arg, deviceArg];
      const server = requireServer(emulator);
      const active = vscode.window.activeTextEditor?.document;
      const uri = asUri(fileArg) ?? (active && /\.pkg2\.json$/i.test(active.uri.path) ? active.uri : (await pickFiles('**/*.pkg2.json', 'Package#2 files (*.pkg2.json)', false))?.[0]);
      if (!uri) return undefined;
      const doc = await vscode.workspace.openTextDocument(uri);
      const parsed = parsePackage(doc.getText(), 'pkg2');
      if (!parsed.value) {
        const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
        const first = errors[0]!;
        const range = new vscode.Range(doc.positionAt(first.start), doc.positionAt(first.end));
        throw new UserError(`${vscode.workspace.asRelativePath(uri)}:${range.start.line + 1}:${range.start.character + 1} is not a valid Package#2 (DM 2.0 7.2.1.2): ${first.message} [${first.code}]${errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : ''}`, [
          { title: 'Open', run: () => vscode.window.showTextDocument(doc, { selection: range }) },
        ]);
      }
      const part = await pickDevice(emulator, device);
      if (!part) return undefined;
      if (!part.devId) throw new UserError(`The device ${part.name} has no DevInfo DevID (DM 2.0 12.1): the DM Server queues Package#2s by it.`);
      requireAccount(part, server.serverId);
      // Queued for the device's next session, then a Package#0 asks for that session (5.2.1).
      server.engine.enqueue(part.devId, parsed.value);
      const { bytes, notificationId } = server.engine.notification(notificationCredentials(part.tree, server.serverId) ?? {});
      await sendFollowed(part, bytes, notificationId);
      return { devId: part.devId, notificationId, commands: parsed.value.commands.length };
    }),
    register('omadm.openTraceAsHttp', false, async (node?: unknown) => {
      const uri = openAsExchange(node);
      if (!uri) throw new UserError('Select a Package#1 or Package#3 in the DM Sessions view.');
      return vscode.window.showTextDocument(uri, { preview: true });
    }),
  ];
}
