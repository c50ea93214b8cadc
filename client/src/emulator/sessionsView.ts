/**
 * The DM Sessions view: the running parts (the mini DM Server with its URL, each emulated device
 * with its DevID and UDP port), under each device the DM Notifications it received and its DM
 * Sessions, under each session its packages and HTTP exchanges in order (DM 2.0 5.2), failures
 * marked; then each run of a delegation flow (Delegation 5.2): the delegation messages between
 * DMS-1 and DMS-2 in order, and the DM Notifications and DM Sessions they led to. Selecting an
 * exchange opens what was sent as a read-only document the language server validates.
 */
import * as vscode from 'vscode';
import type { TraceEvent } from '../../../server/src/core/trace/events';
import type { DevicePart, Emulator } from './parts';
import { type TraceDocuments, segment } from './documents';
import { eventDocument, eventLabel, exchangeText, failed } from './render';
import { DelegationRun, type DelegationRuns, delegationRoot, isDelegationMessage } from './delegationFlow';

/** What keeps a trace: an emulated device, or a run of a delegation flow. */
export interface TraceOwner {
  readonly id: string;
  /** Its device's name in the trace: what that device sent points up. */
  readonly name: string;
  readonly trace: readonly TraceEvent[];
}

export type SessionNode =
  | { type: 'server' }
  | { type: 'server-device'; devId: string }
  | { type: 'device'; part: DevicePart }
  | { type: 'session'; part: DevicePart; sessionId: string }
  | { type: 'delegation'; run: DelegationRun }
  | { type: 'delegation-session'; run: DelegationRun; sessionId: string }
  | { type: 'event'; part: TraceOwner; index: number; event: TraceEvent };

const errorIcon = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));

export class SessionsProvider implements vscode.TreeDataProvider<SessionNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<SessionNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly emulator: Emulator, private readonly documents: TraceDocuments, private readonly runs: DelegationRuns) {
    // Events come in bursts (a Package#2 runs many commands): one refresh per burst.
    const refresh = (): void => {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.emitter.fire(undefined);
      }, 30);
    };
    this.subscriptions = [emulator.onDidChange(refresh), runs.onDidChange(refresh)];
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }

  getChildren(node?: SessionNode): SessionNode[] {
    if (!node) {
      const out: SessionNode[] = this.emulator.server ? [{ type: 'server' }] : [];
      for (const part of this.emulator.devices.values()) out.push({ type: 'device', part });
      for (const run of this.runs.runs) out.push({ type: 'delegation', run });
      return out;
    }
    if (node.type === 'delegation') {
      // The delegation messages in order, with the DM Notifications and DM Sessions they led to where they began.
      const out: SessionNode[] = [];
      const seen = new Set<string>();
      node.run.trace.forEach((event, index) => {
        if (event.sessionId === undefined || isDelegationMessage(event)) out.push({ type: 'event', part: node.run, index, event });
        else if (!seen.has(event.sessionId)) {
          seen.add(event.sessionId);
          out.push({ type: 'delegation-session', run: node.run, sessionId: event.sessionId });
        }
      });
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
    if (node.type === 'session' || node.type === 'delegation-session') {
      const part = node.type === 'session' ? node.part : node.run;
      return this.events(part).filter(({ event }) => event.sessionId === node.sessionId && (event.kind !== 'note' || failed(event)));
    }
    if (node.type === 'event' && node.event.kind === 'package2') {
      // What each command of the Package#2 did, as the device noted it (its status, Appendix C).
      const out: SessionNode[] = [];
      for (const n of this.events(node.part).slice(node.index + 1)) {
        // An HGET's own HTTP exchange comes before the device's note of what the HGET did: listed in the session, it does not end the notes.
        if (n.event.sessionId !== node.event.sessionId || n.event.kind === 'http') continue;
        if (n.event.kind !== 'note' || failed(n.event)) break;
        out.push(n);
      }
      return out;
    }
    return [];
  }

  private events(part: TraceOwner): Extract<SessionNode, { type: 'event' }>[] {
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
      case 'delegation':
        return this.runItem(node.run);
      case 'delegation-session':
        return this.runSessionItem(node.run, node.sessionId);
      case 'event':
        return this.eventItem(node);
    }
  }

  private runItem(run: DelegationRun): vscode.TreeItem {
    const item = new vscode.TreeItem(`Delegation ${run.section}`, vscode.TreeItemCollapsibleState.Expanded);
    item.id = run.id;
    const r = run.result;
    const failure = run.failAt ? ` · failure injected at ${run.failAt.step}` : '';
    item.description = run.state === 'failed' ? `failed at ${r?.step ?? 'start'}${failure}` : `${run.state}${failure}`;
    const outcome = r ? (r.ok ? 'Completed.' : `Failed at ${r.step ?? 'an unknown step'}: ${r.reason ?? ''}`) : run.error ? `Did not run: ${run.error}` : run.state === 'cancelled' ? 'Cancelled: its sockets are closed.' : 'Running…';
    item.tooltip = `${run.title} (Delegation ${run.section})${run.failAt ? `, failure injected at ${run.failAt.step}` : ''}\n${outcome}${run.endpoints.length ? `\n${run.endpoints.map((p) => `${p.name}: ${p.url}`).join('\n')}` : ''}`;
    item.iconPath = run.state === 'running' ? new vscode.ThemeIcon('sync~spin') : run.state === 'completed' ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')) : run.state === 'cancelled' ? new vscode.ThemeIcon('circle-slash') : errorIcon;
    item.contextValue = 'omadm.delegationRun';
    return item;
  }

  /** A DM Session the delegation flow led to: the device with DMS-1 or DMS-2 (DM 2.0 5.2). */
  private runSessionItem(run: DelegationRun, sessionId: string): vscode.TreeItem {
    const events = run.trace.filter((e) => e.sessionId === sessionId);
    const item = new vscode.TreeItem(sessionId, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `${run.id}/${sessionId}`;
    const peers = [...new Set(events.flatMap((e) => [e.from, e.to]).filter((w) => w !== run.name).map((w) => run.alias(w)))];
    const packages = events.filter((e) => /^package[123]$/.test(e.kind)).length;
    const broken = events.some(failed);
    item.description = `device ↔ ${peers.join(', ')} · ${packages} packages`;
    item.tooltip = `DM Session ${sessionId} between the device and ${peers.join(', ')} (DM 2.0 5.2)${broken ? ': it failed' : ''}`;
    item.iconPath = broken ? errorIcon : run.state === 'running' ? new vscode.ThemeIcon('sync~spin') : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    item.contextValue = 'omadm.session';
    return item;
  }

  private eventItem(node: Extract<SessionNode, { type: 'event' }>): vscode.TreeItem {
    const e = node.event;
    const C = vscode.TreeItemCollapsibleState;
    const hasNotes = e.kind === 'package2' && this.getChildren(node).length > 0;
    const delegation = isDelegationMessage(e) && node.part instanceof DelegationRun ? node.part : undefined;
    const item = new vscode.TreeItem(delegation ? delegationRoot(e) : eventLabel(e), hasNotes ? C.Collapsed : C.None);
    item.id = `${node.part.id}/#${node.index}`;
    const description = delegation
      ? `${delegation.alias(e.from)} → ${delegation.alias(e.to)} · ${e.status ?? 'no answer'}`
      : e.kind === 'package2' || e.kind === 'package0' ? e.note ?? `from ${e.from}` : e.transport === 'http' && e.status === undefined ? e.note : undefined;
    if (description !== undefined) item.description = description;
    const unseen = e.kind === 'http' && e.method !== 'GET' && e.requestBody === undefined ? '\nThe trace does not hold the body of this request.' : '';
    item.tooltip = `${new Date(e.time).toISOString()}  ${e.from} -> ${e.to}${e.duration !== undefined ? `  ${e.duration} ms` : ''}${e.note ? `\n${e.note}` : ''}${unseen}`;
    const icon = e.kind === 'note' ? 'info' : e.kind === 'package0' ? 'bell' : delegation ? 'mail' : e.from === node.part.name ? 'arrow-up' : 'arrow-down';
    // A DELEGATION_FAILURE or REVOCATION_FAILURE (Delegation 5.3.1.6, 5.3.3.5) ends the flow even when its POST succeeded.
    const refused = delegation !== undefined && /_failure$/.test(delegationRoot(e));
    item.iconPath = failed(e) || refused ? errorIcon : new vscode.ThemeIcon(icon);
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
