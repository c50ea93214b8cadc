/**
 * The DM Sessions view: the running parts (the mini DM Server with its URL, each emulated device
 * with its DevID and UDP port), under each device the DM Notifications it received and its DM
 * Sessions, under each session its packages and HTTP exchanges in order (DM 2.0 5.2), failures
 * marked. Selecting an exchange opens what was sent as a read-only document the language server
 * validates.
 */
import * as vscode from 'vscode';
import type { TraceEvent } from '../../../server/src/core/trace/events';
import type { DevicePart, Emulator } from './parts';
import { type TraceDocuments, segment } from './documents';
import { eventDocument, eventLabel, exchangeText, failed } from './render';

export type SessionNode =
  | { type: 'server' }
  | { type: 'server-device'; devId: string }
  | { type: 'device'; part: DevicePart }
  | { type: 'session'; part: DevicePart; sessionId: string }
  | { type: 'event'; part: DevicePart; index: number; event: TraceEvent };

const errorIcon = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));

export class SessionsProvider implements vscode.TreeDataProvider<SessionNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<SessionNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly emulator: Emulator, private readonly documents: TraceDocuments) {
    // Events come in bursts (a Package#2 runs many commands): one refresh per burst.
    this.subscription = emulator.onDidChange(() => {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.emitter.fire(undefined);
      }, 30);
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.emitter.dispose();
  }

  getChildren(node?: SessionNode): SessionNode[] {
    if (!node) {
      const out: SessionNode[] = this.emulator.server ? [{ type: 'server' }] : [];
      for (const part of this.emulator.devices.values()) out.push({ type: 'device', part });
      return out;
    }
    if (node.type === 'server') return [...(this.emulator.server?.engine.devices.keys() ?? [])].map((devId) => ({ type: 'server-device', devId }));
    if (node.type === 'device') {
      // Notifications outside any session and sessions, in the order they began.
      const out: SessionNode[] = [];
      const seen = new Set<string>();
      node.part.trace.forEach((event, index) => {
        if (event.sessionId === undefined) {
          if (event.kind !== 'note') out.push({ type: 'event', part: node.part, index, event });
        } else if (!seen.has(event.sessionId)) {
          seen.add(event.sessionId);
          out.push({ type: 'session', part: node.part, sessionId: event.sessionId });
        }
      });
      return out;
    }
    if (node.type === 'session') {
      return this.events(node.part).filter(({ event }) => event.sessionId === node.sessionId && (event.kind !== 'note' || failed(event)));
    }
    if (node.type === 'event' && node.event.kind === 'package2') {
      // What each command of the Package#2 did, as the device noted it (its status, Appendix C).
      const out: SessionNode[] = [];
      for (const n of this.events(node.part).slice(node.index + 1)) {
        if (n.event.sessionId !== node.event.sessionId) continue;
        if (n.event.kind !== 'note' || failed(n.event)) break;
        out.push(n);
      }
      return out;
    }
    return [];
  }

  private events(part: DevicePart): Extract<SessionNode, { type: 'event' }>[] {
    return part.trace.map((event, index) => ({ type: 'event' as const, part, index, event }));
  }

  getTreeItem(node: SessionNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.type) {
      case 'server': {
        const s = this.emulator.server!;
        const item = new vscode.TreeItem(`DM Server ${s.serverId}`, C.Expanded);
        item.id = s.id;
        item.description = s.url;
        item.tooltip = `The mini DM Server (DM 2.0 5.2) at ${s.url}, SERVER-ID ${s.serverId}; its Data Repository is in memory.`;
        item.iconPath = new vscode.ThemeIcon('server');
        item.contextValue = 'omadm.server';
        return item;
      }
      case 'server-device': {
        const d = this.emulator.server!.engine.devices.get(node.devId)!;
        const item = new vscode.TreeItem(node.devId, C.None);
        item.id = `${this.emulator.server!.id}/${node.devId}`;
        item.description = `${d.sessions} session${d.sessions === 1 ? '' : 's'} · ${d.queue.length} Package#2 queued · ${d.alerts.length} alert${d.alerts.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('device-mobile');
        return item;
      }
      case 'device': {
        const item = new vscode.TreeItem(node.part.devId ?? node.part.name, C.Expanded);
        item.id = node.part.id;
        item.description = `udp://127.0.0.1:${node.part.udpPort}`;
        item.tooltip = `Emulated device ${node.part.name}, DM Notifications (WAP Push, DM 2.0 E.1) on UDP port ${node.part.udpPort}; tree from:\n${node.part.files.map((f) => vscode.workspace.asRelativePath(f)).join('\n')}`;
        item.iconPath = new vscode.ThemeIcon('device-mobile');
        item.contextValue = 'omadm.device';
        return item;
      }
      case 'session': {
        const o = node.part.outcomes.get(node.sessionId);
        const item = new vscode.TreeItem(node.sessionId, C.Expanded);
        item.id = `${node.part.id}/${node.sessionId}`;
        item.description = o ? `${o.outcome} · ${o.packages} packages` : 'running';
        item.tooltip = o ? `${o.outcome}: ${o.reason}` : 'The DM Session is running';
        item.iconPath = !o ? new vscode.ThemeIcon('sync~spin') : o.outcome === 'completed' ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')) : errorIcon;
        item.contextValue = 'omadm.session';
        return item;
      }
      case 'event':
        return this.eventItem(node);
    }
  }

  private eventItem(node: Extract<SessionNode, { type: 'event' }>): vscode.TreeItem {
    const e = node.event;
    const C = vscode.TreeItemCollapsibleState;
    const hasNotes = e.kind === 'package2' && this.getChildren(node).length > 0;
    const item = new vscode.TreeItem(eventLabel(e), hasNotes ? C.Collapsed : C.None);
    item.id = `${node.part.id}/#${node.index}`;
    item.description = e.kind === 'package2' || e.kind === 'package0' ? e.note ?? `from ${e.from}` : e.transport === 'http' && e.status === undefined ? e.note : undefined;
    const unseen = e.kind === 'http' && e.method !== 'GET' ? '\nThe trace does not hold the body of this request.' : '';
    item.tooltip = `${new Date(e.time).toISOString()}  ${e.from} -> ${e.to}${e.duration !== undefined ? `  ${e.duration} ms` : ''}${e.note ? `\n${e.note}` : ''}${unseen}`;
    const icon = e.kind === 'note' ? 'info' : e.kind === 'package0' ? 'bell' : e.from === node.part.name ? 'arrow-up' : 'arrow-down';
    item.iconPath = failed(e) ? errorIcon : new vscode.ThemeIcon(icon);
    if (e.kind !== 'note') {
      item.command = { command: 'vscode.open', title: 'Open', arguments: [this.documentUri(node, false), { preview: true }] };
      item.contextValue = e.kind === 'package1' || e.kind === 'package3' ? 'omadm.package' : 'omadm.exchange';
    }
    return item;
  }

  /** The event's document; with `asExchange`, a package is shown as the HTTP exchange that carried it. */
  documentUri(node: Extract<SessionNode, { type: 'event' }>, asExchange: boolean): vscode.Uri {
    const e = node.event;
    const response = e.kind === 'package1' || e.kind === 'package3' ? this.responseOf(node) : undefined;
    const doc = () => (asExchange && e.kind !== 'package2' ? { extension: '.dmhttp', text: exchangeText(e, response) } : eventDocument(e, response));
    const extension = asExchange && e.kind !== 'package2' ? '.dmhttp' : eventDocument(e).extension;
    const path = `/${node.part.id}/${segment(e.sessionId ?? 'notifications')}/${node.index}-${e.kind}${extension}`;
    return this.documents.uri(path, () => doc().text);
  }

  /** The Package#2 that answered a Package#1 or #3 (5.2.3): the next one in its session. */
  private responseOf(node: Extract<SessionNode, { type: 'event' }>): TraceEvent | undefined {
    for (const e of node.part.trace.slice(node.index + 1)) {
      if (e.sessionId !== node.event.sessionId) continue;
      if (e.kind === 'package2') return e;
      if (e.kind === 'package1' || e.kind === 'package3') return undefined;
    }
    return undefined;
  }
}
