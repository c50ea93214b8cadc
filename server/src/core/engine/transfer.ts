/**
 * The HTTP transactions a DM Client makes to run commands, outside the DM Session itself (DM 2.0
 * 5.2: "not formally part of the DM Session"): HGET's HTTP GET and the storing of what comes back
 * (5.3.1), the PUT/POST of HPUT, HPOST and SUB with the 415 retry of 5.3.11, each traced.
 */
import type { Ddf } from '../tree/ddf.js';
import type { DmTree, TreeNode } from '../tree/model.js';
import { DACMO_MOID } from '../tree/access.js';
import { parseClientUri } from '../dm20/clientUri.js';
import { parsePackage, type MoDataItem } from '../dm20/model.js';
import type { SessionFlow } from '../dm20/session.js';
import type { DataPart } from '../dm20/appendixF.js';
import { acceptsMediaType, mediaRanges, mediaType } from '../http/message.js';
import { type Account, provisioned } from './account.js';
import { type Clock, type HttpOutcome, type HttpPort, type HttpRequest, NO_TRACE, type TraceSink, text, utf8 } from './ports.js';
import { resolveClientUri } from '../tree/resolve.js';
import { pushAll } from '../diagnostic.js';

export interface Subscription {
  serverUri: string;
  serverId: string;
}

export interface PendingExec {
  clientUri: string;
  serverUri: string;
  sc: number;
}

/** What the DM Client keeps between sessions: DEFAULT's table (5.3.10), SUB's subscriptions (5.3.11), EXECs still to report (5.4.1). */
export interface DeviceState {
  defaults: Map<string, string>;
  subscriptions: Map<string, Subscription>;
  pendingExecs: PendingExec[];
  /** The Bootstrap Server URLs already used, by the DMAcc entry that named them (8.3). */
  bootstraps: Set<string>;
  /** The DM Servers this DM Client has opened a DM Session with. */
  contacted: Set<string>;
}

export interface DeviceContext {
  name: string;
  tree: DmTree;
  ddfs: ReadonlyMap<string, Ddf> | undefined;
  serverId: string;
  account: Account;
  device: DeviceState;
  session: SessionFlow;
  sessionId: string;
  /** The OMADM-Accept of the response that carried the Package#2 (5.5). */
  omadmAccept: string | undefined;
  http: HttpPort;
  clock: Clock;
  trace: TraceSink;
  substitute(serverUri: string): string;
  /** Opens the Web Browser Component on a URL without waiting for it (5.3.7). */
  show(url: string): void;
  /** Nodes an HGET may add at once; more is 506 Device Full (Appendix C). */
  maxNodes: number;
}

export const CLIENT_ACCEPT = 'application/dmmo+json, text/plain';
const WRITABLE = ['application/dmmo+json', 'text/plain', 'application/json'];

type Ctx = Pick<DeviceContext, 'name' | 'http' | 'clock' | 'trace' | 'sessionId'>;

/** One HTTP exchange, traced. */
export async function exchange(ctx: Ctx, req: HttpRequest, to?: string): Promise<HttpOutcome> {
  const t0 = ctx.clock.now();
  const res = await ctx.http.send(req);
  if (ctx.trace === NO_TRACE) return res;
  ctx.trace({
    time: t0, from: ctx.name, to: to ?? hostOf(req.url), transport: 'http', kind: 'http', method: req.method, url: req.url, duration: ctx.clock.now() - t0, sessionId: ctx.sessionId,
    headers: req.headers,
    ...(req.body?.length ? { requestBody: text(req.body).slice(0, 65536) } : {}),
    ...(res.ok ? { status: res.response.status, contentType: res.response.headers['content-type'] ?? '', body: text(res.response.body).slice(0, 65536) } : { note: res.error }),
  });
  return res;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export const ok = (o: HttpOutcome): boolean => o.ok && o.response.status >= 200 && o.response.status < 300;
export const why = (o: HttpOutcome): string => (o.ok ? `HTTP ${o.response.status}` : o.error);

/** PUT or POST data; a 415 naming other formats in OMADM-Accept is retried once in one of them (5.3.11, 5.5). */
export async function sendData(ctx: Ctx, method: 'PUT' | 'POST', url: string, data: Omit<DataPart, 'name'>, nodes: readonly TreeNode[], reserialize?: (type: string) => Omit<DataPart, 'name'>): Promise<{ ok: boolean; status?: number; reason: string }> {
  let res = await exchange(ctx, { method, url, headers: { 'content-type': data.contentType }, body: utf8(data.body) });
  if (res.ok && res.response.status === 415 && res.response.headers['omadm-accept']) {
    const ranges = mediaRanges(res.response.headers['omadm-accept']).ranges;
    const other = WRITABLE.find((f) => f !== data.contentType && acceptsMediaType(ranges, f) && (f !== 'text/plain' || (nodes.length === 1 && !nodes[0]!.interior)));
    if (other && reserialize) res = await exchange(ctx, { method, url, headers: { 'content-type': other }, body: utf8(reserialize(other).body) });
  }
  return ok(res) ? { ok: true, status: (res as { response: { status: number } }).response.status, reason: 'stored' } : { ok: false, reason: why(res) };
}

function countNodes(v: unknown, max: number): number {
  let n = 0;
  const stack = [v];
  while (stack.length && n <= max) {
    const x = stack.pop();
    n++;
    if (x && typeof x === 'object' && !Array.isArray(x)) for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
  }
  return n;
}

export interface Stored {
  sc: number;
  note: string;
  /** Where the data went, when the DM Client chose (5.3.1: returned with the status). */
  locations?: string[];
}

/** HGET: the HTTP GET, then the data stored at the ClientURI, or where the DM Client chooses (5.3.1). */
export async function fetchInto(ctx: DeviceContext, url: string, clientUri: string | undefined, targets: TreeNode[] | undefined): Promise<Stored> {
  const res = await exchange(ctx, { method: 'GET', url, headers: { accept: CLIENT_ACCEPT } });
  if (!ok(res) || !res.ok) return { sc: 419, note: `GET ${url} failed: ${why(res)} (Appendix C 419)` };
  const type = mediaType(res.response.headers['content-type'] ?? '');
  const body = text(res.response.body);
  if (type === 'text/plain') {
    if (clientUri === undefined) return { sc: 415, note: 'text/plain data needs a ClientURI to be stored at (Appendix C 415)' };
    return place(ctx, clientUri, targets, body);
  }
  if (type !== 'application/dmmo+json') return { sc: 415, note: `${type || 'no Content-Type'}: not a format the DM Client recognises (Appendix C 415)` };
  const parsed = parsePackage(body, 'mo');
  if (!parsed.value) return { sc: 415, note: `the MO data is not valid: ${parsed.diagnostics.find((d) => d.severity === 'error')?.message ?? ''} (Appendix C 415)` };
  if (countNodes(parsed.value, ctx.maxNodes) > ctx.maxNodes) return { sc: 506, note: `more than ${ctx.maxNodes} nodes (Appendix C 506 Device Full)` };
  if (clientUri !== undefined) {
    const [item, ...more] = parsed.value;
    const keys = item ? Object.keys(item.MOData) : [];
    if (!item || more.length || keys.length !== 1) return { sc: 415, note: 'stored at one ClientURI, the MO data holds one item with one node (Appendix C 415)' };
    return place(ctx, clientUri, targets, item.MOData[keys[0]!]);
  }
  return storeItems(ctx, parsed.value);
}

/** MO data stored where the DM Client chooses, item by item (5.3.1 without a ClientURI; the DM Bootstrap of 8.5 alike). */
export function storeItems(ctx: DeviceContext, items: readonly MoDataItem[]): Stored {
  const locations: string[] = [];
  for (const item of items) {
    const r = placeItem(ctx, item);
    if (r.sc !== 200) return r;
    pushAll(locations, r.locations ?? []);
  }
  return { sc: 200, note: `stored at ${locations.join(', ')}`, locations };
}

/** Replaces the nodes a ClientURI addresses, or creates the one it names under an existing parent. */
function place(ctx: DeviceContext, clientUri: string, targets: TreeNode[] | undefined, data: unknown): Stored {
  if (targets) {
    for (const n of targets) {
      if (!n.parent && (typeof data !== 'object' || data === null)) return { sc: 400, note: 'an MO instance root holds nodes, not a value' };
      ctx.tree.put(n.instance, n.path(), data);
    }
    return { sc: 200, note: `replaced ${targets.map((t) => t.clientUri()).join(', ')}` };
  }
  const full = clientUri.replace(/^oma:mo:/, 'urn:oma:mo:');
  const uri = parseClientUri(full);
  const last = uri.path[uri.path.length - 1];
  if (!last || last.kind !== 'real') return { sc: 404, note: `${clientUri} was not found (6.1.2)` };
  const q = full.indexOf('?');
  const parentUri = full.slice(0, last.start - 1) + (uri.path.length === 1 ? '/' : '') + (q < 0 ? '' : full.slice(q));
  const parent = resolveClientUri(ctx.tree, parentUri, { command: 'HGET', serverId: ctx.serverId });
  if (parent.status !== 200) return { sc: parent.status, note: parent.reason };
  if (parent.nodes.length !== 1 || !parent.nodes[0]!.interior) return { sc: 404, note: `${clientUri}: no single interior parent to add it to (6.1.2)` };
  const p = parent.nodes[0]!;
  const n = ctx.tree.put(p.instance, [...p.path(), last.text], data);
  return { sc: 200, note: `added ${n.clientUri()}` };
}

/** An item of MO data stored where the DM Client chooses; a new MO instance gets an MIID from the client (5.3.1). */
function placeItem(ctx: DeviceContext, item: MoDataItem): Stored {
  const uri = parseClientUri(item.ClientURI.replace(/^oma:mo:/, 'urn:oma:mo:'));
  const moid = uri.moid.text;
  if (uri.path.length > 0) {
    const r = resolveClientUri(ctx.tree, item.ClientURI, { command: 'HGET', serverId: ctx.serverId });
    const keys = Object.keys(item.MOData);
    if (keys.length !== 1) return { sc: 415, note: `${item.ClientURI}: the MO data of one node has one top key (7.2.1.4)` };
    const value = item.MOData[keys[0]!];
    if (r.status === 200) return { ...place(ctx, item.ClientURI, r.nodes, value), locations: r.nodes.map((n) => n.clientUri()) };
    if (r.status !== 404) return { sc: r.status, note: r.reason };
    const stored = place(ctx, item.ClientURI, undefined, value);
    return stored.sc === 200 ? { ...stored, locations: [stored.note.replace(/^added /, '')] } : stored;
  }
  if (!provisioned(ctx.account, moid)) return { sc: 403, note: `${moid} was not provisioned for ${ctx.serverId} at bootstrap: it cannot manage it (DM 2.0 10)` };
  const locations: string[] = [];
  for (const key of Object.keys(item.MOData)) {
    const data = item.MOData[key];
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return { sc: 415, note: `${moid}: an MO instance's data is an object of nodes (7.2.1.4)` };
    let miid = key;
    for (let k = 2; ctx.tree.instance(moid, miid); k++) miid = `${key}${k}`;
    const inst = ctx.tree.addInstance(moid, miid, item.DDF !== undefined ? { ddf: item.DDF } : {});
    ctx.tree.put(inst, [], data);
    grantCreator(ctx, moid, miid);
    locations.push(`${moid}/${miid}/`);
  }
  return { sc: 200, note: `created ${locations.join(', ')}`, locations };
}

/** "The creator of a MO instance automatically gets the exclusive full permissions for the new MO instance" (DM 2.0 10). */
function grantCreator(ctx: DeviceContext, moid: string, miid: string): void {
  const dacmo = ctx.tree.instances(DACMO_MOID)[0];
  if (!dacmo) return;
  ctx.tree.put(dacmo, [moid, miid], { '1': { Permissions: { '1': { MAID: `serverid:${ctx.serverId}`, AR: 15 } } } });
}
