/**
 * The emulated device: a DM 2.0 Client with a live DM tree. It checks a DM Notification as 5.2.1
 * says (a known SERVER-ID, the SHA256-DIGEST with the DM Account's credentials, duplicates
 * dropped), runs DM Sessions (5.2: Package#1, then each Package#2's commands in order, then a
 * Package#3 until END), reports subscribed changes (5.3.11) and asynchronous EXEC results (5.4.1).
 * No sockets and no timers: HTTP, the clock and the trace come in through ports.
 */
import type { Ddf } from '../tree/ddf.js';
import type { DmTree, TreeNode } from '../tree/model.js';
import type { TreeChange } from '../tree/model.js';
import { JsonDocument, isObject, own } from '../json/document.js';
import { decode, verifyDecoded } from '../notification/codec.js';
import { type NotificationCredentials, notificationCredentials } from '../notification/credentials.js';
import { ALERT_CLIENT_INITIATED, ALERT_SERVER_INITIATED, type CommandStatus, type DmCommand, type GenericAlert, type MosItem, mediaTypeOf } from '../dm20/model.js';
import { package3Body, type DataPart } from '../dm20/appendixF.js';
import { SessionFlow } from '../dm20/session.js';
import { rightsOf } from '../tree/access.js';
import { mediaType } from '../http/message.js';
import { resolveClientUri } from '../tree/resolve.js';
import { type Account, type NetworkIdentity, accounts, devId, pickAccount, provisioned, substituteServerUri } from './account.js';
import { type CommandResult, executeCommand, serializeNodes } from './commands.js';
import { ALERT_BOOTSTRAP_COMPLETE, installBootstrap, pendingBootstraps } from './bootstrap.js';
import { type DeviceContext, type DeviceState, exchange, hostOf, sendData } from './transfer.js';
import type { Clock, HttpPort, HttpRequest, TraceSink } from './ports.js';
import { NO_TRACE, text, utf8 } from './ports.js';
import { pushAll } from '../diagnostic.js';

export const ALERT_EXEC_RESULT = 'urn:x-omadm-workbench:at:ExecResult';
const MAX_PACKAGES = 1000;

export interface DeviceOptions {
  tree: DmTree;
  ddfs?: ReadonlyMap<string, Ddf>;
  http: HttpPort;
  clock: Clock;
  trace: TraceSink;
  /** The name in traces (default: the DevID). */
  name?: string;
  network?: NetworkIdentity;
  maxNodes?: number;
  /** Multipart boundaries; injected so that runs can be reproduced. */
  boundary?: () => string;
  /** DDF links by MOID, for the MOS of MOs whose instances do not name their DDF (5.2.2). */
  ddfLinks?: ReadonlyMap<string, string>;
  /** Called before each command of a Package#2 is carried out: a debugger pauses there. */
  beforeCommand?: (c: DmCommand, at: { sessionId: string; index: number; count: number }) => Promise<void>;
}

export type NotificationVerdict = { accepted: true; serverId: string; notificationId?: number; reqMos: boolean } | { accepted: false; reason: string; serverId?: string; notificationId?: number };

export interface SessionRequest {
  serverId?: string;
  /** The DM Notification that asked for the session (5.2.2: ServerInitiatedMgmt with its NOTIFICATION-ID). */
  notification?: { notificationId?: number; reqMos: boolean };
  /** Another DM Server URL than the account's SrvURI (an asynchronous EXEC's ServerURI, 5.4.1). */
  url?: string;
  alerts?: GenericAlert[];
  /** The session that follows a DM Bootstrap (8: the BootstrapComplete alert instead of ClientInitiatedMgmt). */
  bootstrapComplete?: boolean;
}

export interface SessionOutcome {
  outcome: 'completed' | 'aborted';
  reason: string;
  sessionId: string;
  serverId?: string;
  packages: number;
}

export class DeviceEngine {
  readonly state: DeviceState = { defaults: new Map(), subscriptions: new Map(), pendingExecs: [], bootstraps: new Set(), contacted: new Set() };
  readonly name: string;
  private readonly seen = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly background: Promise<unknown>[] = [];
  private sessions = 0;
  private boundaries = 0;
  /** Whether anyone reads the trace: without, no event is built (ports.ts NO_TRACE). */
  private readonly tracing: boolean;
  /** The DM Accounts, the DevID and the notification credentials as the tree has them: read once, again after the tree changes (it tells `changed`). */
  private known: { accounts: Account[]; devId: string | undefined; credentials: Map<string, NotificationCredentials | undefined> } | undefined;

  constructor(private readonly opts: DeviceOptions) {
    this.name = opts.name ?? devId(opts.tree) ?? 'device';
    this.tracing = opts.trace !== NO_TRACE;
    opts.tree.onChange((c) => this.changed(c));
  }

  get tree(): DmTree {
    return this.opts.tree;
  }

  get devId(): string | undefined {
    return this.read().devId;
  }

  private read(): { accounts: Account[]; devId: string | undefined; credentials: Map<string, NotificationCredentials | undefined> } {
    return (this.known ??= { accounts: accounts(this.opts.tree), devId: devId(this.opts.tree), credentials: new Map() });
  }

  /** The notification credentials of a DM Server's DMAcc, read once per tree change (5.2.1.2). */
  private credentials(serverId: string): NotificationCredentials | undefined {
    const known = this.read().credentials;
    if (!known.has(serverId)) known.set(serverId, notificationCredentials(this.opts.tree, serverId));
    return known.get(serverId);
  }

  /** A DM Notification (the bytes inside the WAP Push): accepted, or dropped with the reason (5.2.1). */
  receiveNotification(bytes: Uint8Array): NotificationVerdict {
    const n = decode(bytes);
    const bad = n.problems.find((p) => p.severity === 'error');
    if (bad) return { accepted: false, reason: `malformed: ${bad.message}` };
    const id = n.options.find((o) => o.number === 3)?.value;
    const notificationId = typeof id === 'number' ? id : undefined;
    const nid = notificationId !== undefined ? { notificationId } : {};
    const serverId = n.options.find((o) => o.number === 1)?.value;
    if (typeof serverId !== 'string') return { accepted: false, reason: 'no SERVER-ID, and the device cannot tell which DM Server sent it (5.2.1.2)', ...nid };
    const acc = pickAccount(this.read().accounts, serverId);
    if (!acc) return { accepted: false, reason: `unknown SERVER-ID '${serverId}': no DM Account has it (12.2)`, serverId, ...nid };
    if (n.options.some((o) => o.number === 4)) {
      const c = this.credentials(serverId);
      if (!c) return { accepted: false, reason: `the DM Account of '${serverId}' has no notification secret to check the digest with (5.2.1.2)`, serverId, ...nid };
      if (verifyDecoded(n, c.secret, c.authData) !== true) return { accepted: false, reason: `the SHA256-DIGEST is wrong for the credentials of ${c.account.clientUri()} (5.2.1.2)`, serverId, ...nid };
    }
    if (notificationId !== undefined) {
      const key = `${serverId}\u0000${notificationId}`;
      if (this.seen.has(key)) return { accepted: false, reason: `duplicate NOTIFICATION-ID ${notificationId} from '${serverId}': dropped (5.2.1.2)`, serverId, ...nid };
      this.seen.add(key);
    }
    return { accepted: true, serverId, ...nid, reqMos: n.options.some((o) => o.number === 6) };
  }

  /** One DM Session, from Package#1 to END or to an abort (5.2, 5.6). */
  async session(req: SessionRequest = {}): Promise<SessionOutcome> {
    const sessionId = `${this.name}#${++this.sessions}`;
    const acc = pickAccount(this.read().accounts, req.serverId);
    if (!acc) return notStarted(sessionId, undefined, req.serverId ? `no DM Account for '${req.serverId}' (12.2)` : `the tree has ${this.read().accounts.length} DM Accounts; say which DM Server (12.2)`);
    const id = this.devId;
    if (id === undefined) return notStarted(sessionId, acc, 'no DevInfo DevID in the tree, for the OMADM-DevID header (5.2.2, 12.1)');
    const url = req.url ?? acc.serverUri;
    if (!url) return notStarted(sessionId, acc, `the DM Account of '${acc.serverId}' has no SrvURI to connect to (12.2)`);
    const flow = new SessionFlow(url);
    const ctx = this.context(acc, flow, sessionId);
    const alerts: GenericAlert[] = req.notification
      ? [{ AlertType: ALERT_SERVER_INITIATED, ...(req.notification.notificationId !== undefined ? { DataType: 'application/json', Data: { NotificationID: req.notification.notificationId } } : {}) }]
      : [{ AlertType: req.bootstrapComplete ? ALERT_BOOTSTRAP_COMPLETE : ALERT_CLIENT_INITIATED }];
    this.state.contacted.add(acc.serverId);
    pushAll(alerts, req.alerts ?? []);
    const pkg1 = { ...(req.notification?.reqMos ? { MOS: this.mos(acc) } : {}), Alert: alerts };
    flow.package1();
    const headers = this.sessionHeaders(acc, id);
    let res = await this.post(ctx, 'package1', { method: 'POST', url: flow.target, headers: { ...headers, 'content-type': mediaTypeOf('pkg1') }, body: utf8(JSON.stringify(pkg1, null, 1)) }, pkg1);
    for (;;) {
      if (!res.ok) return this.abort(flow, ctx, `${res.error}: the DM Session is aborted and not retried (5.6)`);
      const r = res.response;
      if (r.status >= 400) return this.abort(flow, ctx, `HTTP ${r.status}: the DM Session is aborted and not retried (5.6)`);
      const body = text(r.body);
      const type = mediaType(r.headers['content-type'] ?? '');
      const doc = new JsonDocument(body);
      if (this.tracing) this.opts.trace({ time: this.opts.clock.now(), from: hostOf(flow.target), to: this.name, transport: 'http', kind: 'package2', status: r.status, contentType: r.headers['content-type'] ?? '', body: doc.valid ? doc.value : body, sessionId });
      if (type !== mediaTypeOf('pkg2')) return this.abort(flow, ctx, `the answer is ${type || 'untyped'}, not a Package#2 (${mediaTypeOf('pkg2')}, 5.2.3)`);
      const commands = commandsOf(doc);
      if (typeof commands === 'string') return this.abort(flow, ctx, commands);
      flow.package2({ commands: commands.filter((c): c is DmCommand => !('invalid' in c)) });
      ctx.omadmAccept = r.headers['omadm-accept'];
      const statuses: CommandStatus[] = [];
      const parts: DataPart[] = [];
      for (const [index, c] of commands.entries()) {
        if (this.opts.beforeCommand && !('invalid' in c)) await this.opts.beforeCommand(c, { sessionId, index, count: commands.length });
        const result: CommandResult = 'invalid' in c ? { status: { sc: 400 }, note: c.invalid } : await executeCommand(ctx, c);
        if (this.tracing) this.opts.trace({ time: this.opts.clock.now(), from: this.name, to: this.name, transport: 'local', kind: 'note', note: `${'invalid' in c ? 'CMD entry' : c.name}: ${result.status ? `${result.status.sc} ` : ''}${result.note}`, sessionId });
        if (result.status) {
          if (result.data && result.status.sc === 200) parts.push({ name: String(statuses.length), ...result.data });
          statuses.push(result.status);
        }
        if (this.dirty.size) await this.flushSubscriptions(sessionId);
      }
      if (flow.state === 'ended') break;
      if (flow.packages.length >= MAX_PACKAGES) return this.abort(flow, ctx, `more than ${MAX_PACKAGES} packages without END`);
      const pkg3 = { Status: statuses };
      const out = package3Body(JSON.stringify(pkg3, null, 1), parts, this.opts.boundary?.() ?? `omadm-${sessionId.replace(/[^0-9A-Za-z]/g, '')}-${++this.boundaries}`);
      flow.package3();
      res = await this.post(ctx, 'package3', { method: 'POST', url: flow.target, headers: { ...headers, 'content-type': out.contentType }, body: utf8(out.body) }, pkg3, parts);
    }
    if (this.background.length) await Promise.allSettled(this.background.splice(0));
    return { outcome: 'completed', reason: flow.reason ?? 'END', sessionId, serverId: acc.serverId, packages: flow.packages.length };
  }

  /** The sessions that report asynchronous EXEC results to their ServerURIs (5.4.1), one per EXEC. */
  async reportExecs(serverId?: string): Promise<SessionOutcome[]> {
    const out: SessionOutcome[] = [];
    for (const e of this.state.pendingExecs.splice(0)) {
      out.push(await this.session({ ...(serverId !== undefined ? { serverId } : {}), url: e.serverUri, alerts: [{ AlertType: ALERT_EXEC_RESULT, SourceURI: e.clientUri, DataType: 'application/json', Data: { sc: e.sc } }] }));
    }
    return out;
  }

  /**
   * What the DM Client does on its own once a DM Session ended: the asynchronous EXEC reports
   * (5.4.1); a DM Bootstrap from a Bootstrap Server URL it was given, then the session with the
   * bootstrapped DM Server (8.3, 8); and the initial session with a DM Server whose DM Account says
   * NoAutoInitialSession false and that it never contacted (Delegation 5.2.1.4, [DMSTDOBJ]
   * NoAutoInitialSession, kept under the DM Account's Ext node).
   */
  async followUps(serverId?: string): Promise<SessionOutcome[]> {
    const out = await this.reportExecs(serverId);
    for (const entry of pendingBootstraps(this.opts.tree, this.state.bootstraps)) {
      this.state.bootstraps.add(entry.key);
      const sessionId = `${this.name}#bootstrap-${this.state.bootstraps.size}`;
      const r = await installBootstrap(this.base(new SessionFlow(entry.url), sessionId), entry);
      this.opts.trace({ time: this.opts.clock.now(), from: this.name, to: this.name, transport: 'local', kind: 'note', note: r.ok ? `DM Bootstrap from ${entry.url} installed at ${r.locations.join(', ')} (8.3, 8.5)` : `DM Bootstrap from ${entry.url} not installed: ${r.reason}`, sessionId });
      if (r.ok) for (const id of r.serverIds) out.push(await this.session({ serverId: id, bootstrapComplete: true }));
    }
    for (const acc of this.read().accounts) {
      if (this.state.contacted.has(acc.serverId)) continue;
      const flag = acc.instance.root.child('Ext')?.child('NoAutoInitialSession');
      if (flag && !flag.interior && String(flag.value) === 'false') out.push(await this.session({ serverId: acc.serverId }));
    }
    return out;
  }

  /** Waits for what runs beside sessions (the Web Browser Component's page loads, subscription PUTs). */
  async settled(): Promise<void> {
    while (this.background.length) await Promise.allSettled(this.background.splice(0));
  }

  /** A session's context, built whole in one literal: the commands read it often, and an object that keeps its shape reads fast. */
  private context(acc: Account, session: SessionFlow, sessionId: string): DeviceContext {
    return {
      name: this.name, tree: this.opts.tree, ddfs: this.opts.ddfs, device: this.state, session, sessionId,
      http: this.opts.http, clock: this.opts.clock, trace: this.opts.trace, maxNodes: this.opts.maxNodes ?? 100_000,
      substitute: this.substitute(), show: (u) => this.show(u, sessionId), serverId: acc.serverId, account: acc, omadmAccept: undefined,
    };
  }

  private base(session: SessionFlow, sessionId: string): Omit<DeviceContext, 'serverId' | 'account'> {
    return {
      name: this.name, tree: this.opts.tree, ddfs: this.opts.ddfs, device: this.state, session, sessionId,
      http: this.opts.http, clock: this.opts.clock, trace: this.opts.trace, maxNodes: this.opts.maxNodes ?? 100_000,
      substitute: this.substitute(), show: (u) => this.show(u, sessionId), omadmAccept: undefined,
    };
  }

  private substitute(): (serverUri: string) => string {
    const id = this.devId;
    return (u) => substituteServerUri(u, { ...(id !== undefined ? { DevID: id } : {}), ...(this.opts.network ?? {}) });
  }

  private show(url: string, sessionId: string): void {
    this.background.push(exchange({ name: `${this.name} (browser)`, http: this.opts.http, clock: this.opts.clock, trace: this.opts.trace, sessionId }, { method: 'GET', url, headers: { accept: 'text/html' } }));
  }

  private sessionHeaders(acc: Account, id: string): Record<string, string> {
    const h: Record<string, string> = { accept: mediaTypeOf('pkg2'), 'omadm-devid': id };
    // HTTP Basic with the DM Account's transport credentials (9.2.1, 12.2 Auth/Trsp); a PEM certificate goes in the TLS handshake instead.
    if (acc.transport && !acc.transport.data.includes('-----BEGIN')) h.authorization = `Basic ${Buffer.from(`${acc.transport.data}:${acc.transport.secret}`).toString('base64')}`;
    return h;
  }

  private async post(ctx: DeviceContext, kind: 'package1' | 'package3', req: HttpRequest, body: unknown, parts: DataPart[] = []) {
    const t0 = this.opts.clock.now();
    const acc = ctx.account;
    const tls = acc.transport && acc.transport.data.includes('-----BEGIN') ? { tls: { cert: acc.transport.data, key: acc.transport.secret } } : {};
    const res = await this.opts.http.send({ ...req, ...tls });
    if (!this.tracing) return res;
    this.opts.trace({
      time: t0, from: this.name, to: hostOf(req.url), transport: 'http', kind, method: 'POST', url: req.url, contentType: req.headers['content-type']!, body, sessionId: ctx.sessionId, duration: this.opts.clock.now() - t0, headers: req.headers,
      ...(parts.length ? { parts: parts.map((p) => ({ name: p.name, contentType: p.contentType, body: p.body })) } : {}),
      ...(res.ok ? { status: res.response.status } : { note: res.error }),
    });
    return res;
  }

  private abort(flow: SessionFlow, ctx: DeviceContext, reason: string): SessionOutcome {
    flow.abort(reason);
    if (this.tracing) this.opts.trace({ time: this.opts.clock.now(), from: this.name, to: this.name, transport: 'local', kind: 'note', note: `session aborted: ${reason}`, sessionId: ctx.sessionId });
    return { outcome: 'aborted', reason, sessionId: ctx.sessionId, serverId: ctx.serverId, packages: flow.packages.length };
  }

  /**
   * The MOS of Package#1 (5.2.2): the MOIDs provisioned for the server at bootstrap, each with the
   * MIIDs of the instances it has any permission for (none yet: an empty list), and its DDF link.
   */
  private mos(acc: Account): MosItem[] {
    const out: MosItem[] = [];
    const tree = this.opts.tree;
    const moids = new Set([...tree.moids(), ...(acc.moids ?? []).filter((m) => m !== '*')]);
    for (const moid of moids) {
      if (!provisioned(acc, moid)) continue;
      const instances = tree.instances(moid);
      const ddf = instances.find((i) => i.ddf)?.ddf ?? this.opts.ddfLinks?.get(moid);
      // Each MOS item MUST carry the link to its DDF (5.2.2): an MO whose DDF link is unknown is left out.
      if (!ddf) continue;
      out.push({ DDF: ddf, MOID: moid, MIID: instances.filter((i) => rightsOf(tree, i.root, acc.serverId).rights !== 0).map((i) => i.miid) });
    }
    return out;
  }

  /** A change under a subscribed ClientURI marks it for an HTTP PUT (5.3.11). */
  private changed(c: TreeChange): void {
    this.known = undefined;
    for (const uri of this.state.subscriptions.keys()) {
      if (this.dirty.has(uri)) continue;
      const r = resolveClientUri(this.opts.tree, uri);
      const covers = (n: TreeNode): boolean => {
        if (n.instance !== c.instance) return false;
        const p = n.path();
        const k = Math.min(p.length, c.path.length);
        for (let i = 0; i < k; i++) if (p[i] !== c.path[i]) return false;
        return true;
      };
      if (r.nodes.some(covers)) this.dirty.add(uri);
    }
  }

  private async flushSubscriptions(sessionId: string): Promise<void> {
    for (const uri of [...this.dirty]) {
      this.dirty.delete(uri);
      const sub = this.state.subscriptions.get(uri);
      if (!sub) continue;
      const r = resolveClientUri(this.opts.tree, uri, { command: 'SUB', serverId: sub.serverId });
      if (r.status !== 200) continue;
      const ctx = { name: this.name, http: this.opts.http, clock: this.opts.clock, trace: this.opts.trace, sessionId };
      const url = substituteServerUri(sub.serverUri, { ...(this.devId !== undefined ? { DevID: this.devId } : {}), ...(this.opts.network ?? {}) });
      await sendData(ctx, 'PUT', url, serializeNodes(r.nodes, undefined, 'application/dmmo+json'), r.nodes, (type) => serializeNodes(r.nodes, undefined, type));
    }
  }
}

/** A session that could not start. */
function notStarted(sessionId: string, acc: Account | undefined, reason: string): SessionOutcome {
  return { outcome: 'aborted', reason, sessionId, ...(acc ? { serverId: acc.serverId } : {}), packages: 0 };
}

type Entry = DmCommand | { invalid: string };

/** The commands of a Package#2, read leniently: a bad entry gets its own 400 (Appendix C), a body that is no Package#2 at all aborts. */
function commandsOf(doc: JsonDocument): Entry[] | string {
  if (!doc.valid) return `the Package#2 is not JSON: ${doc.errors[0]?.message ?? ''}`;
  const cmd = isObject(doc.value) ? own(doc.value, 'CMD') : undefined;
  if (!Array.isArray(cmd)) return 'the Package#2 has no CMD array (7.2.1.2)';
  return cmd.map((e): Entry => {
    if (!Array.isArray(e) || typeof e[0] !== 'string') return { invalid: 'a CMD entry is [COMMAND, parameters...] (7.2.1.2)' };
    if (e.some((p) => typeof p !== 'string')) return { invalid: 'the parameters of a command are strings (7.2.1.2)' };
    return { name: e[0] as DmCommand['name'], params: (e as string[]).slice(1) };
  });
}
