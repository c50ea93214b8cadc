/**
 * How the emulator commands find what they work on: from their arguments (so tests and other
 * extensions need no UI), else the active editor, else a quick pick. Failures are `UserError`s:
 * their message is shown as it is.
 */
import * as vscode from 'vscode';
import type { DevicePart, Emulator } from './parts';

export class UserError extends Error {
  constructor(message: string, readonly actions: { title: string; run: () => unknown }[] = []) {
    super(message);
  }
}

/** A file argument: a Uri, a path, or a tree/explorer node carrying a `resourceUri`. */
export function asUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return /^[a-z][a-z0-9+.-]+:\/\//i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (arg && typeof arg === 'object' && 'resourceUri' in arg && (arg as { resourceUri: unknown }).resourceUri instanceof vscode.Uri) return (arg as { resourceUri: vscode.Uri }).resourceUri;
  return undefined;
}

/** The workspace's files matching `glob`, one or several picked; undefined when the pick is cancelled. */
export async function pickFiles(glob: string, what: string, many: boolean): Promise<vscode.Uri[] | undefined> {
  const files = (await vscode.workspace.findFiles(glob, '**/node_modules/**')).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  if (!files.length) throw new UserError(`No ${what} in the workspace (${glob}).`);
  const items = files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }));
  if (!many) {
    const one = await vscode.window.showQuickPick(items, { placeHolder: `The ${what} to use` });
    return one ? [one.uri] : undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder: `The ${what} that make up the device (one or more)`, canPickMany: true });
  return picked?.length ? picked.map((p) => p.uri) : undefined;
}

/** The device named by the argument (part, tree node, DevID, name), the only one, or the one picked. */
export async function pickDevice(emulator: Emulator, arg: unknown): Promise<DevicePart | undefined> {
  const all = [...emulator.devices.values()];
  if (arg && typeof arg === 'object' && 'part' in arg) {
    const part = (arg as { part: DevicePart }).part;
    if (emulator.devices.get(part.id) === part) return part;
  }
  if (typeof arg === 'string' && arg) {
    const found = all.find((d) => d.devId === arg || d.name === arg || d.id === arg);
    if (!found) throw new UserError(`No running emulated device is ${arg}.`);
    return found;
  }
  if (!all.length) {
    throw new UserError('No emulated device is running.', [{ title: 'Start Emulated Device…', run: () => vscode.commands.executeCommand('omadm.startDevice') }]);
  }
  if (all.length === 1) return all[0];
  const picked = await vscode.window.showQuickPick(all.map((part) => ({ label: part.devId ?? part.name, description: `udp://127.0.0.1:${part.udpPort}`, part })), { placeHolder: 'Emulated device' });
  return picked?.part;
}
