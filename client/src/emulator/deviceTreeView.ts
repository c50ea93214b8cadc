/**
 * The Device Tree view: each emulated device's live DM tree (DM 2.0 6.3), MOs > instances (MIID,
 * with the cache validator of 11.1) > nodes, leaves with their values. It follows the tree's
 * changes; what a DM Server changed since the device started is marked, and deleted nodes stay
 * listed as deleted.
 */
import * as vscode from 'vscode';
import type { TreeNode } from '../../../server/src/core/tree/model';
import { type DevicePart, type Emulator, changeKey } from './parts';

export type DeviceTreeNode =
  | { type: 'device'; part: DevicePart }
  | { type: 'mo'; part: DevicePart; moid: string }
  | { type: 'node'; part: DevicePart; moid: string; miid: string; path: string[] }
  | { type: 'deleted'; part: DevicePart; moid: string; miid: string; path: string[] };

function valueText(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

export class DeviceTreeProvider implements vscode.TreeDataProvider<DeviceTreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<DeviceTreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly emulator: Emulator) {
    const refresh = (): void => {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.emitter.fire(undefined);
      }, 30);
    };
    // tree.onChange fires after every single write; one refresh per burst of them.
    this.subscriptions = [emulator.onDidChangeTree(refresh), emulator.onDidChange(refresh)];
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }

  /** The live node, or undefined once it is gone. */
  private resolve(part: DevicePart, moid: string, miid: string, path: readonly string[]): TreeNode | undefined {
    let n: TreeNode | undefined = part.tree.instance(moid, miid)?.root;
    for (const name of path) n = n?.child(name);
    return n;
  }

  /** Modified: the node, or a node above it, was written since the device started. */
  private modified(part: DevicePart, moid: string, miid: string, path: readonly string[]): boolean {
    for (let i = 0; i <= path.length; i++) if (part.changes.get(changeKey(moid, miid, path.slice(0, i))) === 'modified') return true;
    return false;
  }

  /** Deleted nodes whose parent is `path` (instances when `miid` is undefined) and that are still missing. */
  private deleted(part: DevicePart, moid: string, miid: string | undefined, path: readonly string[]): DeviceTreeNode[] {
    const out: DeviceTreeNode[] = [];
    for (const [key, mark] of part.changes) {
      if (mark !== 'deleted') continue;
      const [m, i, ...p] = key.split('\u0000') as [string, string, ...string[]];
      if (m !== moid || (miid === undefined ? p.length !== 0 : i !== miid || p.length !== path.length + 1 || path.some((x, k) => p[k] !== x))) continue;
      if (!this.resolve(part, m, i, p)) out.push({ type: 'deleted', part, moid: m, miid: i, path: p });
    }
    return out;
  }

  getChildren(node?: DeviceTreeNode): DeviceTreeNode[] {
    if (!node) return [...this.emulator.devices.values()].map((part) => ({ type: 'device', part }));
    const { part } = node;
    if (node.type === 'device') {
      const moids = new Set(part.tree.moids());
      // An MO whose last instance was deleted is still listed, with that instance as deleted.
      for (const [key, mark] of part.changes) if (mark === 'deleted') moids.add(key.split('\u0000')[0]!);
      return [...moids].sort().map((moid) => ({ type: 'mo', part, moid }));
    }
    if (node.type === 'mo') {
      const live: DeviceTreeNode[] = part.tree.instances(node.moid).map((i) => ({ type: 'node', part, moid: node.moid, miid: i.miid, path: [] }));
      return [...live, ...this.deleted(part, node.moid, undefined, [])];
    }
    if (node.type === 'node') {
      const n = this.resolve(part, node.moid, node.miid, node.path);
      const kids: DeviceTreeNode[] = [...(n?.children?.keys() ?? [])].map((name) => ({ type: 'node', part, moid: node.moid, miid: node.miid, path: [...node.path, name] }));
      return [...kids, ...this.deleted(part, node.moid, node.miid, node.path)];
    }
    return [];
  }

  getTreeItem(node: DeviceTreeNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    const { part } = node;
    if (node.type === 'device') {
      const item = new vscode.TreeItem(part.devId ?? part.name, C.Expanded);
      item.id = `tree/${part.id}`;
      item.description = `${part.tree.all().length} MO instances`;
      item.iconPath = new vscode.ThemeIcon('device-mobile');
      return item;
    }
    if (node.type === 'mo') {
      const item = new vscode.TreeItem(node.moid, C.Collapsed);
      item.id = `tree/${part.id}/${node.moid}`;
      item.iconPath = new vscode.ThemeIcon('symbol-namespace');
      return item;
    }
    const id = `tree/${part.id}/${[node.moid, node.miid, ...node.path].join('/')}`;
    const uri = `${node.moid}/${node.miid}/${node.path.join('/')}`;
    const name = node.path.length ? node.path[node.path.length - 1]! : node.miid;
    if (node.type === 'deleted') {
      const item = new vscode.TreeItem(name, C.None);
      item.id = `${id}#deleted`;
      item.description = 'deleted';
      item.tooltip = `${uri}\nDeleted since the device started`;
      item.iconPath = new vscode.ThemeIcon('diff-removed', new vscode.ThemeColor('gitDecoration.deletedResourceForeground'));
      return item;
    }
    const n = this.resolve(part, node.moid, node.miid, node.path);
    const changed = this.modified(part, node.moid, node.miid, node.path);
    const item = new vscode.TreeItem(name, n?.interior ? C.Collapsed : C.None);
    item.id = id;
    const value = n && !n.interior ? valueText(n.value) : node.path.length === 0 ? `CV ${part.tree.instance(node.moid, node.miid)?.cv ?? ''}` : '';
    item.description = changed ? `${value}${value ? ' ' : ''}(modified)` : value;
    item.tooltip = `${uri}${n && !n.interior ? `\n= ${JSON.stringify(n.value)}` : ''}${changed ? '\nModified since the device started' : ''}`;
    item.iconPath = changed
      ? new vscode.ThemeIcon('diff-modified', new vscode.ThemeColor('gitDecoration.modifiedResourceForeground'))
      : new vscode.ThemeIcon(node.path.length === 0 ? 'symbol-class' : n?.interior ? 'symbol-folder' : 'symbol-field');
    item.contextValue = n?.interior ? 'omadm.interior' : 'omadm.leaf';
    return item;
  }
}
