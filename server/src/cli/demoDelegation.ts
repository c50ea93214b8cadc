/**
 * The delegation part of `omadm demo`: the demo's mini DM Server acts as DMS-1 and delegates the
 * device's SCOMO to a second mini DM Server, DMS-2, with the DMAcc approach (Delegation 5.2.1),
 * the two talking HTTPS with mutual TLS over certificates made on the spot; then DMS-1 asks for the
 * termination (5.2.3), which puts the device back as it was.
 */
import { DelegatingServer } from '../core/engine/delegation/dms1.js';
import { DelegatedServer } from '../core/engine/delegation/dms2.js';
import { DmServerEngine } from '../core/engine/server.js';
import { DataRepository, MemoryStore, type RepositoryStore } from '../core/engine/repository.js';
import type { DelegationRecord } from '../core/engine/delegation/peer.js';
import type { TraceEvent } from '../core/trace/events.js';
import { createAuthority, issue } from '../host/certs.js';
import { peerPorts, servePeer } from '../host/peerHost.js';
import { serveDmServer } from '../host/dmServerHost.js';
import { systemClock } from '../host/deviceHost.js';

export interface DemoDelegation {
  records: DelegationRecord[];
  events: TraceEvent[];
}

export async function runDelegation(o: { dm: DmServerEngine; store: RepositoryStore; serverId: string; repositoryUrl: string; device: { devId: string; udpPort: number; man: string; mod: string }; notification?: { secret: string; authData: string } }): Promise<DemoDelegation> {
  const events: TraceEvent[] = [];
  const trace = (e: TraceEvent): void => void events.push(e);
  const ca = await createAuthority();
  const [c1, c2] = await Promise.all([issue(ca, 'dms1'), issue(ca, 'dms2')]);
  const dm2 = new DmServerEngine({ serverId: 'DMS2', repository: new DataRepository(new MemoryStore()), clock: systemClock, trace, name: 'dms2' });
  const dm2Server = await serveDmServer(dm2);
  const device = { host: '127.0.0.1', port: () => o.device.udpPort };
  const ports1 = peerPorts({ ...c1, ca: ca.cert }, device, trace);
  const ports2 = peerPorts({ ...c2, ca: ca.cert }, device, trace);
  const urls = { dms1: '', dms2: '' };
  const dms1 = new DelegatingServer({ serverId: o.serverId, dm: o.dm, store: o.store, repositoryUrl: o.repositoryUrl, get peerUrl() { return urls.dms2; }, device: o.device, ...(o.notification ? { notification: o.notification } : {}) }, ports1);
  const dms2 = new DelegatedServer({ serverId: 'DMS2', dm: dm2, account: { serverId: 'DMS2', name: 'Delegated DM Server', address: `${dm2Server.url}/dm`, notification: { secret: 'dms2-notification-secret', data: 'dms2-nonce' } }, get peerUrl() { return urls.dms1; } }, ports2);
  const [p1, p2] = await Promise.all([servePeer(dms1, { ...c1, ca: ca.cert }), servePeer(dms2, { ...c2, ca: ca.cert })]);
  urls.dms1 = p1.url;
  urls.dms2 = p2.url;
  try {
    const delegated = await dms1.delegate({ full: false, treeUri: '/SCOMO', moid: 'urn:oma:mo:oma-scomo:1.0' });
    await dms2.idle();
    const records = [{ ...delegated, messages: [...delegated.messages] }];
    if (delegated.state === 'completed') {
      records.push(await dms1.terminate(delegated.sessionId));
      await dms2.idle();
    }
    return { records, events };
  } finally {
    await Promise.all([ports1.close(), ports2.close(), p1.close(), p2.close(), dm2Server.close()]);
  }
}
