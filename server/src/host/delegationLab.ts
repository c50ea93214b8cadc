/**
 * The delegation lab: DMS-1 and DMS-2 (their interfaces over HTTPS with mutual TLS, certificates
 * from a development CA made on the spot), their mini DM Servers, and an emulated device, all on
 * loopback with ephemeral ports; and the five process flows of Delegation 5.2 run on them, with a
 * failure injected at any step when asked. `omadm demo`, VS Code's Run Delegation Flow command,
 * scenarios and the benchmark all run flows through here.
 */
import { DmServerEngine } from '../core/engine/server.js';
import { DataRepository, MemoryStore } from '../core/engine/repository.js';
import { DelegatingServer } from '../core/engine/delegation/dms1.js';
import { DelegatedServer, bootstrapData } from '../core/engine/delegation/dms2.js';
import type { DelegationRecord, FailurePoint } from '../core/engine/delegation/peer.js';
import { type TraceEvent, renamed, serverSideOfExchange } from '../core/trace/events.js';
import type { DmTree } from '../core/tree/model.js';
import { loadTrees, serializeTree } from '../core/tree/load.js';
import { createAuthority, issue } from './certs.js';
import { serveDmServer, type RunningServer } from './dmServerHost.js';
import { peerPorts, servePeer, type Credentials } from './peerHost.js';
import { UndiciHttpClient } from './httpClient.js';
import { runDevice, systemClock, type RunningDevice } from './deviceHost.js';
import { sniffXmlRoot } from '../core/kinds.js';

/** The five process flows of Delegation 5.2, by the name people pick them with. */
export const FLOWS = {
  dmacc: { section: '5.2.1', title: 'Delegation using the DMS-2 DMAcc approach' },
  bootstrap: { section: '5.2.2', title: 'Delegation using the DMS-2 Bootstrap Server URL approach' },
  termination: { section: '5.2.3', title: 'Delegation revocation asked by DMS-1 (termination)' },
  revocation: { section: '5.2.4', title: 'Delegation revocation asked by DMS-2' },
  'forced-revocation': { section: '5.2.5', title: 'Forced delegation revocation by DMS-1' },
} as const;
export type FlowName = keyof typeof FLOWS;

/** The steps a failure can be injected at, in the order the delegation reaches them, and the peer that fails. */
export const FAILURE_STEPS: Record<'dmacc' | 'bootstrap', readonly [string, 'dms1' | 'dms2'][]> = {
  dmacc: [
    ['delegation_req', 'dms1'], ['delegation_resp', 'dms2'], ['bootstrap_confirmed', 'dms2'], ['device_preparation', 'dms1'],
    ['delegation_prepared', 'dms1'], ['dms2_session', 'dms2'], ['delegation_confirmed', 'dms2'],
  ],
  bootstrap: [
    ['delegation_req', 'dms1'], ['delegation_resp', 'dms2'], ['bootstrap_srv_url_req', 'dms1'], ['bootstrap_srv_url_delivery', 'dms2'], ['device_preparation', 'dms1'],
    ['bootstrap_confirmed', 'dms2'], ['acl_update', 'dms1'], ['delegation_prepared', 'dms1'], ['delegation_confirmed', 'dms2'],
  ],
};

export const DEVICE = { devId: 'IMEI:493005100592800', man: 'Vendor', mod: 'DM_Client' };
const DEVINFO = 'urn:oma:mo:oma-dm-devinfo:1.0';
const DMACC = 'urn:oma:mo:oma-dm-dmacc:1.2';
const DACMO = 'urn:oma:mo:oma-dm-dacmo:1.0';
export const SCOMO = 'urn:oma:mo:oma-scomo:1.0';

const full = (id: string) => ({ '1': { Permissions: { '1': { MAID: `serverid:${id}`, AR: 15 } } } });

/** The lab's device: DevInfo, a SCOMO instance to delegate, its DM Account for DMS-1, and a DACMO giving DMS-1 every right (DM 2.0 12). */
export function labDeviceItems(dms1Url: string): unknown[] {
  return [
    { DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf', ClientURI: `${DEVINFO}/miid1/`, MOData: { miid1: { DevID: DEVICE.devId, Man: DEVICE.man, Mod: DEVICE.mod } } },
    { ClientURI: `${SCOMO}/S1/`, MOData: { S1: { Inventory: { Deployed: { C1: { ID: 'pkg1_id' } } } } } },
    { ClientURI: `${DMACC}/dms1/`, MOData: { dms1: { SrvID: 'DMS1', SrvURI: dms1Url, Name: 'Delegating Server', Auth: { Noti: { Type: 0, Data: 'd1', Secret: 's1' } } } } },
    { ClientURI: `${DACMO}/acl/`, MOData: { acl: { [DEVINFO]: { miid1: full('DMS1') }, [SCOMO]: { S1: full('DMS1') }, [DMACC]: { dms1: full('DMS1') }, [DACMO]: { acl: full('DMS1') } } } },
  ];
}

export interface Pki {
  ca: string;
  dms1: Credentials;
  dms2: Credentials;
}

/** A development CA and the two peers' certificates (key generation is the slow part: reuse one across labs). */
export async function labCertificates(): Promise<Pki> {
  const ca = await createAuthority();
  const [d1, d2] = await Promise.all([issue(ca, 'dms1'), issue(ca, 'dms2')]);
  return { ca: ca.cert, dms1: { ...d1, ca: ca.cert }, dms2: { ...d2, ca: ca.cert } };
}

export interface LabOptions {
  pki?: Pki;
  trace?: (e: TraceEvent) => void;
  failDms1?: FailurePoint;
  failDms2?: FailurePoint;
  /** Whether DMS-2 acknowledges the delegation (5.3.1.2). */
  accept?: boolean;
  /** Milliseconds each peer waits for a message or a DM Session (default 10 s). */
  timeout?: number;
  /** The approach DMS-2 expects (the messages do not say, 5.3). */
  approach?: 'dmacc' | 'bootstrap';
  /** DMS-2 never sends its DM Notification: DMS-1's timeout of 5.2.1.4 then applies. */
  silent?: boolean;
  switchAfter?: number;
  /** The device's tree as MO data items, given DMS-1's DM Server URL (default: `labDeviceItems`). */
  items?: (dms1Url: string) => unknown[];
  /** Called before each delegation message a peer sends (a debugger pauses there); `label` is the message's root element. */
  beforeMessage?: (m: { from: string; to: string; label: string; method: string; url: string; body: string }) => Promise<void>;
  /** Once aborted, every wait of the peers ends at once: a cancelled run settles without waiting out the timeouts of 5.2.1.4 and 5.2.3.4. */
  signal?: AbortSignal;
}

/** The peers' ports, their waits cut short when the signal aborts. */
function abortable<T extends { within<U>(p: Promise<U>, ms: number, what: string): Promise<U> }>(ports: T, signal: AbortSignal | undefined): T {
  if (!signal) return ports;
  const aborted = new Promise<never>((_, reject) => {
    const stop = (): void => reject(new Error('the run was cancelled'));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  aborted.catch(() => undefined);
  return { ...ports, within: <U>(p: Promise<U>, ms: number, what: string) => Promise.race([ports.within(p, ms, what), aborted]) };
}

export interface DelegationLab {
  dms1: DelegatingServer;
  dms2: DelegatedServer;
  device: RunningDevice;
  events: TraceEvent[];
  servers: RunningServer[];
  /** Runs one of the five flows; 5.2.3-5.2.5 first delegate with the DMAcc approach. */
  run(flow: FlowName, o?: { full?: boolean }): Promise<FlowResult>;
  close(): Promise<void>;
}

export interface FlowResult {
  flow: FlowName;
  section: string;
  ok: boolean;
  /** DMS-1's records: the delegation, then the revocation when the flow has one. */
  records: DelegationRecord[];
  /** DMS-2's record of the same delegation session. */
  peer?: DelegationRecord;
  /** Where it failed and why, when it did. */
  step?: string;
  reason?: string;
  /** The device's tree before and after (MO serialization, 7.2.1.4). */
  before: string;
  after: string;
}

export async function startLab(o: LabOptions = {}): Promise<DelegationLab> {
  const c = o.pki ?? (await labCertificates());
  const events: TraceEvent[] = [];
  // DMS-1 and DMS-2 are each one lifeline: their delegation interface and their DM Server alike.
  const names = new Map<string, string>();
  const trace = (e: TraceEvent): void => {
    const x = renamed(e, names);
    events.push(x);
    o.trace?.(x);
  };
  const serverTrace = (e: TraceEvent): void => {
    if (!serverSideOfExchange(e)) trace(e);
  };
  const urls = { dms1: '', dms2: '', dm2: '' };
  const account = { serverId: 'DMS2', name: 'Delegated Server', get address() { return `${urls.dm2}/dm`; }, notification: { secret: 's2', data: 'd2' } };
  const store1 = new MemoryStore();
  const dm1 = new DmServerEngine({ serverId: 'DMS1', repository: new DataRepository(store1), clock: systemClock, trace: serverTrace, name: 'dms1' });
  const dm2 = new DmServerEngine({ serverId: 'DMS2', repository: new DataRepository(new MemoryStore()), clock: systemClock, trace: serverTrace, name: 'dms2', bootstrap: () => bootstrapData(account) });
  const [dm1Server, dm2Server] = await Promise.all([serveDmServer(dm1), serveDmServer(dm2)]);
  urls.dm2 = dm2Server.url;
  names.set(new URL(dm1Server.url).host, 'dms1').set(new URL(dm2Server.url).host, 'dms2').set('DMS1', 'dms1').set('DMS2', 'dms2');
  let devicePort = 0;
  const gate = (ports: ReturnType<typeof peerPorts>, from: string, to: string): ReturnType<typeof peerPorts> =>
    o.beforeMessage ? { ...ports, post: async (url, xml, headers) => (await o.beforeMessage!({ from, to, label: sniffXmlRoot(xml) ?? 'message', method: 'POST', url, body: xml }), ports.post(url, xml, headers)) } : ports;
  const ports1 = abortable(gate(peerPorts(c.dms1, { host: '127.0.0.1', port: () => devicePort }, trace), 'dms1', 'dms2'), o.signal);
  const ports2 = abortable(gate(peerPorts(c.dms2, { host: '127.0.0.1', port: () => devicePort }, trace), 'dms2', 'dms1'), o.signal);
  const timeout = o.timeout ?? 10_000;
  const dms1 = new DelegatingServer({
    serverId: 'DMS1', dm: dm1, store: store1, repositoryUrl: `${dm1Server.url}/repository/`, get peerUrl() { return urls.dms2; }, device: DEVICE, notification: { secret: 's1', authData: 'd1' }, timeout,
    ...(o.failDms1 ? { failAt: o.failDms1 } : {}), ...(o.switchAfter !== undefined ? { switchAfter: o.switchAfter } : {}),
  }, ports1);
  const dms2 = new DelegatedServer({
    serverId: 'DMS2', dm: dm2, account, get peerUrl() { return urls.dms1; }, timeout,
    ...(o.approach ? { approach: o.approach } : {}), ...(o.silent ? { silent: true } : {}), ...(o.accept === false ? { accept: false } : {}), ...(o.failDms2 ? { failAt: o.failDms2 } : {}),
  }, ports2);
  const [p1, p2] = await Promise.all([servePeer(dms1, c.dms1), servePeer(dms2, c.dms2)]);
  urls.dms1 = p1.url;
  urls.dms2 = p2.url;
  names.set(new URL(p1.url).host, 'dms1').set(new URL(p2.url).host, 'dms2');
  const http = new UndiciHttpClient({ timeout });
  const tree: DmTree = loadTrees([{ file: 'lab.dmtree.json', text: JSON.stringify((o.items ?? labDeviceItems)(`${dm1Server.url}/dm`)) }]).tree;
  const device = await runDevice({ tree, http, trace, udpPort: 0 });
  devicePort = device.udpPort;
  const servers = [dm1Server, dm2Server, p1, p2];
  const lab: DelegationLab = {
    dms1, dms2, device, events, servers,
    run: async (flow, r = {}) => {
      const before = serializeTree(tree);
      const approach = flow === 'bootstrap' ? 'bootstrap' : 'dmacc';
      dms2.opts.approach = approach;
      // Records change as the flow goes on (a revocation updates the delegation's): keep each as it was when its part ended.
      const snapshot = (x: DelegationRecord): DelegationRecord => ({ ...x, messages: [...x.messages] });
      const first = snapshot(await dms1.delegate({ full: r.full ?? false, treeUri: '/SCOMO', moid: SCOMO, approach }));
      const records = [first];
      await dms2.idle();
      if (first.state === 'completed') {
        if (flow === 'termination') records.push(snapshot(await dms1.terminate(first.sessionId)));
        if (flow === 'revocation') {
          await dms2.requestRevocation(first.sessionId).catch(() => undefined);
          await dms1.idle();
          records.push(snapshot(dms1.record(first.sessionId)));
        }
        if (flow === 'forced-revocation') records.push(snapshot(await dms1.forceRevoke(first.sessionId)));
        await dms1.idle();
        await dms2.idle();
      }
      await device.idle();
      const last = records[records.length - 1]!;
      const expected = flow === 'dmacc' || flow === 'bootstrap' ? 'completed' : 'revoked';
      const ok = records.length === (expected === 'completed' ? 1 : 2) && last.state === expected;
      const peer = dms2.sessions.get(first.sessionId);
      return {
        flow, section: FLOWS[flow].section, ok, records, ...(peer ? { peer: snapshot(peer) } : {}),
        // Where a failure started: DMS-2's own step when it was DMS-2 that failed, DMS-1's otherwise.
        ...(ok ? {} : peer?.state === 'failed' && peer.step ? { step: peer.step, reason: `DMS-2 failed at ${peer.step}: ${peer.reason ?? ''}` } : { step: last.step ?? first.step ?? 'unknown', reason: `DMS-1 failed at ${last.step ?? first.step ?? 'an unknown step'}: ${last.reason ?? first.reason ?? `ended ${last.state}`}` }),
        before, after: serializeTree(tree),
      };
    },
    close: async () => {
      await dms1.idle();
      await dms2.idle();
      await device.close();
      await Promise.all([http.close(), ports1.close(), ports2.close(), ...servers.map((s) => s.close())]);
    },
  };
  return lab;
}

/** One flow in a lab of its own, torn down afterwards whatever happened. */
export async function runDelegationFlow(flow: FlowName, o: LabOptions & { full?: boolean } = {}): Promise<FlowResult & { events: TraceEvent[] }> {
  const lab = await startLab({ ...o, approach: flow === 'bootstrap' ? 'bootstrap' : 'dmacc' });
  try {
    return { ...(await lab.run(flow, o.full !== undefined ? { full: o.full } : {})), events: lab.events };
  } finally {
    await lab.close();
  }
}
