// DMS-1, DMS-2 and an emulated device on loopback: the peers' interfaces over HTTPS with mutual TLS
// (certificates from `omadm certs`' authority), their DM Servers over HTTP.
import { createAuthority, issue } from '../../server/src/host/certs.ts';
import { DmServerEngine } from '../../server/src/core/engine/server.ts';
import { DataRepository, MemoryStore } from '../../server/src/core/engine/repository.ts';
import { DelegatingServer } from '../../server/src/core/engine/delegation/dms1.ts';
import { DelegatedServer, bootstrapData } from '../../server/src/core/engine/delegation/dms2.ts';
import type { FailurePoint } from '../../server/src/core/engine/delegation/peer.ts';
import { serveDmServer, type RunningServer } from '../../server/src/host/dmServerHost.ts';
import { peerPorts, servePeer, type Credentials } from '../../server/src/host/peerHost.ts';
import { UndiciHttpClient } from '../../server/src/host/httpClient.ts';
import { runDevice, systemClock, type RunningDevice } from '../../server/src/host/deviceHost.ts';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';
import { DEVID, treeOf } from './harness.ts';

export const DEVINFO = 'urn:oma:mo:oma-dm-devinfo:1.0';
export const DMACC = 'urn:oma:mo:oma-dm-dmacc:1.2';
export const DACMO = 'urn:oma:mo:oma-dm-dacmo:1.0';
export const SCOMO = 'urn:oma:mo:oma-scomo:1.0';

let pki: Promise<{ ca: string; dms1: Credentials; dms2: Credentials; stranger: Credentials }> | undefined;
/** One authority for the whole file: key generation is the slow part. */
export function certificates() {
  return (pki ??= (async () => {
    const ca = await createAuthority();
    const other = await createAuthority('Another CA');
    const [d1, d2, s] = await Promise.all([issue(ca, 'dms1'), issue(ca, 'dms2'), issue(other, 'stranger')]);
    return { ca: ca.cert, dms1: { ...d1, ca: ca.cert }, dms2: { ...d2, ca: ca.cert }, stranger: { ...s, ca: ca.cert } };
  })());
}

const full = (id: string) => ({ '1': { Permissions: { '1': { MAID: `serverid:${id}`, AR: 15 } } } });

/** The device: DevInfo, a SCOMO instance to delegate, its DM Account for DMS-1, and a DACMO giving DMS-1 every right. */
export function deviceItems(dms1Url: string): unknown[] {
  return [
    { DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf', ClientURI: `${DEVINFO}/miid1/`, MOData: { miid1: { DevID: DEVID, Man: 'Vendor', Mod: 'DM_Client' } } },
    { ClientURI: `${SCOMO}/S1/`, MOData: { S1: { Inventory: { Deployed: { C1: { ID: 'pkg1_id' } } } } } },
    { ClientURI: `${DMACC}/dms1/`, MOData: { dms1: { SrvID: 'DMS1', SrvURI: dms1Url, Name: 'Delegating Server', Auth: { Noti: { Type: 0, Data: 'd1', Secret: 's1' } } } } },
    { ClientURI: `${DACMO}/acl/`, MOData: { acl: { [DEVINFO]: { miid1: full('DMS1') }, [SCOMO]: { S1: full('DMS1') }, [DMACC]: { dms1: full('DMS1') }, [DACMO]: { acl: full('DMS1') } } } },
  ];
}

export interface DelegationRig {
  dms1: DelegatingServer;
  dms2: DelegatedServer;
  device: RunningDevice;
  events: TraceEvent[];
  servers: RunningServer[];
  close(): Promise<void>;
}

export async function delegationRig(o: { failDms1?: FailurePoint; failDms2?: FailurePoint; accept?: boolean; timeout?: number; items?: (dms1Url: string) => unknown[]; approach?: 'dmacc' | 'bootstrap'; silent?: boolean; switchAfter?: number } = {}): Promise<DelegationRig> {
  const c = await certificates();
  const events: TraceEvent[] = [];
  const trace = (e: TraceEvent): void => void events.push(e);
  const store1 = new MemoryStore();
  const dm1 = new DmServerEngine({ serverId: 'DMS1', repository: new DataRepository(store1), clock: systemClock, trace, name: 'dms1' });
  const urls = { dms1: '', dms2: '', dm2: '' };
  const account = { serverId: 'DMS2', name: 'Delegated Server', get address() { return `${urls.dm2}/dm`; }, notification: { secret: 's2', data: 'd2' } };
  const dm2 = new DmServerEngine({ serverId: 'DMS2', repository: new DataRepository(new MemoryStore()), clock: systemClock, trace, name: 'dms2', bootstrap: () => bootstrapData(account) });
  const [dm1Server, dm2Server] = await Promise.all([serveDmServer(dm1), serveDmServer(dm2)]);
  urls.dm2 = dm2Server.url;
  let devicePort = 0;
  const ports1 = peerPorts(c.dms1, { host: '127.0.0.1', port: () => devicePort }, trace);
  const ports2 = peerPorts(c.dms2, { host: '127.0.0.1', port: () => devicePort }, trace);
  const timeout = o.timeout ?? 5000;
  const dms1 = new DelegatingServer({ serverId: 'DMS1', dm: dm1, store: store1, repositoryUrl: `${dm1Server.url}/repository/`, get peerUrl() { return urls.dms2; }, device: { devId: DEVID, man: 'Vendor', mod: 'DM_Client' }, notification: { secret: 's1', authData: 'd1' }, timeout, ...(o.failDms1 ? { failAt: o.failDms1 } : {}), ...(o.switchAfter !== undefined ? { switchAfter: o.switchAfter } : {}) }, ports1);
  const dms2 = new DelegatedServer({ serverId: 'DMS2', dm: dm2, account, get peerUrl() { return urls.dms1; }, timeout, ...(o.approach ? { approach: o.approach } : {}), ...(o.silent ? { silent: true } : {}), ...(o.accept === false ? { accept: false } : {}), ...(o.failDms2 ? { failAt: o.failDms2 } : {}) }, ports2);
  const [p1, p2] = await Promise.all([servePeer(dms1, c.dms1), servePeer(dms2, c.dms2)]);
  urls.dms1 = p1.url;
  urls.dms2 = p2.url;
  const http = new UndiciHttpClient({ timeout });
  const device = await runDevice({ tree: treeOf((o.items ?? deviceItems)(`${dm1Server.url}/dm`)), http, trace, udpPort: 0 });
  devicePort = device.udpPort;
  const servers = [dm1Server, dm2Server, p1, p2];
  return {
    dms1, dms2, device, events, servers,
    close: async () => {
      await dms1.idle();
      await dms2.idle();
      await device.close();
      await Promise.all([http.close(), ports1.close(), ports2.close(), ...servers.map((s) => s.close())]);
    },
  };
}
