/**
 * The Delegating Server, DMS-1, running the DMAcc approach (Delegation 5.2.1, 5.3.1): DELEGATION_REQ
 * to DMS-2, then on BOOTSTRAP_CONFIRMED it prepares the DM Client in DM Sessions of its own (the
 * DMS-2 DMAcc created with HGET, NoAutoInitialSession set, the DACMO updated for the DMS-2 serverId:
 * DM 2.0 10, 12.2, 12.3), sends DELEGATION_PREPARED and waits for DELEGATION_CONFIRMED; with full
 * delegation it then deletes its own DMAcc. Whatever fails, on either side, it undoes what it did to
 * the DM Client and tells DMS-2 (5.3: "SHOULD undo all changes done to the DM Client").
 */
import type { DelegationValue, Tree } from '../../delegation/model.js';
import { dm20Account } from '../../delegation/account.js';
import type { DmServerEngine, CommandRecord } from '../server.js';
import type { RepositoryStore } from '../repository.js';
import type { Package2, MoDataItem } from '../../dm20/model.js';
import { DACMO_MOID } from '../../tree/access.js';
import { utf8 } from '../ports.js';
import { DelegationFailed, type DelegationRecord, type FailurePoint, Peer, type PeerPorts, failure } from './peer.js';

export interface DelegatingOptions {
  serverId: string;
  /** DMS-1's DM Server, which manages the DM Client. */
  dm: DmServerEngine;
  /** DMS-1's Data Repository, and its URL as the DM Client reaches it (ending in '/'). */
  store: RepositoryStore;
  repositoryUrl: string;
  /** DMS-2's delegation interface. */
  peerUrl: string;
  device: { devId: string; man: string; mod: string };
  /** DMS-1's notification credentials on the DM Client (its DMAcc Auth/Noti, 12.2). */
  notification?: { secret: string; authData: string };
  /** The MOID of the DM Client's DM Accounts (12.2). */
  dmaccMoid?: string;
  failAt?: FailurePoint;
  /** Milliseconds to wait for each DM Session and each message of DMS-2 (default 10 s). */
  timeout?: number;
}

export class DelegatingServer extends Peer {
  private count = 0;

  constructor(
    readonly opts: DelegatingOptions,
    ports: PeerPorts,
  ) {
    super('dms1', ports);
  }

  /** DMS-2 serverIds of the delegations in force, by session. */
  private readonly delegated = new Map<string, string>();

  protected async receive(v: DelegationValue, sessionId: string): Promise<DelegationValue | undefined> {
    if (v.root === 'delegation_failure') Object.assign(this.record(sessionId), { reason: `DELEGATION_FAILURE from DMS-2 (reason code ${String(v.params.reasonCode)})` });
    // 5.2.4: DMS-2 asks for the revocation; DMS-1 removes it from the DM Client without waiting, then says so.
    if (v.root === 'delegation_revocation_req') this.later(() => this.revoke(sessionId, { root: 'delegation_revoked', params: { reasonCode: '200', status: 'DEL_REVOKED', sessionId } }));
    return undefined;
  }

  /** 5.2.3: termination asked of DMS-2, acknowledged, DMS-2's activities ended, then the removal and DELEGATION_REVOKED. */
  async terminate(sessionId: string): Promise<DelegationRecord> {
    const r = this.record(sessionId);
    const { answer } = await this.send(this.opts.peerUrl, { root: 'delegation_termination_req', params: { deviceId: this.opts.device.devId, status: 'DEL_TERM_REQ', sessionId } }, sessionId);
    if (answer?.root !== 'delegation_termination_ack') return Object.assign(r, { state: 'failed' as const, reason: 'DMS-2 did not acknowledge the termination (5.3.3.2)' });
    // "the DMS-1 MAY implement a timeout for the DMS-2's activities termination notification; if this timeout expires, the DMS-1 MAY proceed" (5.2.3.4).
    await this.next(sessionId, 'delegation_termination_resp', this.timeout).catch(() => undefined);
    return this.revoke(sessionId, { root: 'delegation_revoked', params: { reasonCode: '200', status: 'DEL_REVOKED', sessionId } });
  }

  /** 5.2.5: removal without notice, then (MAY) the forced DELEGATION_REVOKED, which names the device (Table 18). */
  async forceRevoke(sessionId: string, notify = true): Promise<DelegationRecord> {
    return this.revoke(sessionId, notify ? { root: 'delegation_revoked', params: { deviceId: this.opts.device.devId, reasonCode: '200', status: 'DEL_REVOKED' } } : undefined);
  }

  /** DMS-2 removed from the DM Client (its DMAcc, its permissions in the DACMO); REVOCATION_FAILURE when that fails (5.3). */
  private async revoke(sessionId: string, notice: DelegationValue | undefined): Promise<DelegationRecord> {
    const r = this.record(sessionId);
    const dms2 = this.delegated.get(sessionId);
    try {
      if (!dms2) throw new DelegationFailed('revocation', `no delegation in force for session ${sessionId}`);
      const dmaccMoid = this.opts.dmaccMoid ?? 'urn:oma:mo:oma-dm-dmacc:1.2';
      // DELETE first: the DM Client drops the permissions of the MO instance it deletes, then the DACMO is read.
      const [del, acl] = await this.onDevice({ commands: [{ name: 'DELETE', params: [`${dmaccMoid}/(x)/?nv=(x)/SrvID:${dms2}`] }, { name: 'GET', params: [`${DACMO_MOID}/*/`] }] }, 'DMS-2 removal');
      if (del?.status !== 200 && del?.status !== 404) throw new DelegationFailed('revocation', `the DM Client answered ${del?.status ?? 'nothing'} to the DELETE of the DMS-2 DMAcc`, 500);
      if (acl?.status === 200 && acl.data) {
        const items = withdraw(JSON.parse(acl.data.body) as MoDataItem[], dms2);
        const cmds = await Promise.all(items.map(async (item, i) => ({ name: 'HGET' as const, params: [await this.publish(`revocation/${sessionId}/dacmo-${i}`, [item]), item.ClientURI] })));
        const bad = (await this.onDevice({ commands: cmds }, 'DACMO')).find((x) => x.status !== 200);
        if (bad) throw new DelegationFailed('revocation', `the DM Client answered ${bad.status} to ${bad.command}`, 500);
      }
      this.delegated.delete(sessionId);
      if (notice) await this.send(this.opts.peerUrl, notice, sessionId);
      return Object.assign(r, { state: 'revoked' as const });
    } catch (e) {
      Object.assign(r, { reason: (e as Error).message });
      // "if the DMS-1 fails in removing the DMS-2 data from DM Client, it SHOULD notify the DMS-2 that delegation could be compromised" (5.3).
      await this.send(this.opts.peerUrl, { root: 'revocation_failure', params: { reasonCode: '500', status: 'FAILURE', sessionId } }, sessionId).catch(() => undefined);
      return r;
    }
  }

  private get timeout(): number {
    return this.opts.timeout ?? 10_000;
  }

  private check(step: string): void {
    if (this.opts.failAt?.step === step) throw new DelegationFailed(step, `failure injected at ${step}`, this.opts.failAt.reasonCode ?? 400);
  }

  /** One DM Session with the DM Client: the Package#2 queued, a DM Notification sent, the results back. */
  private async onDevice(p: Package2, what: string): Promise<CommandRecord[]> {
    const { dm, device } = this.opts;
    const record = dm.device(device.devId);
    const from = record.results.length;
    // The commands alone: their statuses come back in a Package#3, then the DM Server ends the session with END (5.3.9).
    dm.enqueue(device.devId, p);
    const ended = new Promise<void>((resolve) => {
      const stop = dm.onSessionEnd((d) => {
        if (d.devId !== device.devId) return;
        stop();
        resolve();
      });
    });
    await this.ports.notifyDevice(dm.notification(this.opts.notification ? { secret: this.opts.notification.secret, authData: this.opts.notification.authData } : {}).bytes);
    await this.ports.within(ended, this.timeout, `the DM Client's DM Session (${what})`);
    return record.results.slice(from);
  }

  private async publish(key: string, items: MoDataItem[]): Promise<string> {
    await this.opts.store.put(key, { contentType: 'application/dmmo+json', body: utf8(JSON.stringify(items)) });
    return this.opts.repositoryUrl + key;
  }

  /** Runs 5.2.1 from DELEGATION_REQ to DELEGATION_CONFIRMED; the record says how it ended and at which step. */
  async delegate(o: { full: boolean; treeUri: string; moid: string; dms2ServerId?: string }): Promise<DelegationRecord> {
    const sessionId = `${this.opts.serverId}-${Date.now().toString(36)}-${++this.count}`;
    const r = this.record(sessionId, '5.2.1');
    const dmaccMoid = this.opts.dmaccMoid ?? 'urn:oma:mo:oma-dm-dmacc:1.2';
    let undo: { dacmo?: MoDataItem[]; created?: string; dacmoChanged?: boolean } | undefined;
    try {
      this.check('delegation_req');
      const { answer } = await this.send(this.opts.peerUrl, { root: 'delegation_req', params: { serverId: this.opts.serverId, deviceId: this.opts.device.devId, deviceMan: this.opts.device.man, deviceMod: this.opts.device.mod, DMTreeURI: o.treeUri, isDelegationFull: String(o.full), sessionId } }, sessionId);
      if (answer?.root !== 'delegation_resp' || answer.params.sessionId !== sessionId) throw new DelegationFailed('delegation_resp', 'DMS-2 did not answer with the DELEGATION_RESP of this session (5.3.1.2)');
      if (answer.params.isAknowledged !== 'true') throw new DelegationFailed('delegation_resp', `DMS-2 declined (isAknowledged false, reason code ${String(answer.params.reasonCode)}, 5.3.1.2)`, Number(answer.params.reasonCode) || 403);
      const boot = await this.next(sessionId, 'bootstrap_confirmed', this.timeout);
      if (boot.root === 'delegation_failure') throw new DelegationFailed('bootstrap_confirmed', `DMS-2 sent DELEGATION_FAILURE (reason code ${String(boot.params.reasonCode)})`, 0);

      // Step 4 (5.2.1.4): the DMS-2 DMAcc, NoAutoInitialSession, the DACMO for the DMS-2 serverId.
      const dmacc = boot.params.DMAcc && typeof boot.params.DMAcc === 'object' ? dm20Account(boot.params.DMAcc as Tree) : undefined;
      if (boot.params.isClientBootstapped !== 'true' && !dmacc) throw new DelegationFailed('bootstrap_confirmed', 'BOOTSTRAP_CONFIRMED carries no usable DMAcc (ServerID and an address, Table 3)');
      const dms2 = String(dmacc?.SrvID ?? o.dms2ServerId ?? '');
      // "The DMS-1 indicates to the DM Client that no DM session must be initiated to the DMS-2" ([DMSTDOBJ] NoAutoInitialSession, kept under Ext in the DM 2.0 DMAcc of 12.2).
      const accountUrl = dmacc ? await this.publish(`delegation/${sessionId}/dmacc`, [{ ClientURI: `${dmaccMoid}//`, MOData: { [`acc-${dms2}`.replace(/[^A-Za-z0-9._~-]/g, '-')]: { ...dmacc, Ext: { NoAutoInitialSession: 'true' } } } }]) : undefined;
      const first = await this.onDevice({ commands: [{ name: 'GET', params: [`${DACMO_MOID}/*/`] }, ...(accountUrl ? [{ name: 'HGET' as const, params: [accountUrl] }] : []), { name: 'GET', params: [`${DACMO_MOID}/*/`] }] }, 'DMS-2 DMAcc');
      const [before, created, after] = first;
      undo = { ...(before?.status === 200 && before.data ? { dacmo: JSON.parse(before.data.body) as MoDataItem[] } : {}), ...(created?.status === 200 && created.uris?.[0] ? { created: created.uris[0] } : {}) };
      if (accountUrl && created?.status !== 200) throw new DelegationFailed('device_preparation', `the DM Client answered ${created?.status ?? 'nothing'} to the HGET of the DMS-2 DMAcc`, created?.status === 403 ? 403 : 500);
      this.check('device_preparation');
      if (after?.status === 200 && after.data) {
        const dacmo = grant(JSON.parse(after.data.body) as MoDataItem[], o.moid, dms2, undo.created);
        const cmds = await Promise.all(dacmo.map(async (item, i) => ({ name: 'HGET' as const, params: [await this.publish(`delegation/${sessionId}/dacmo-${i}`, [item]), item.ClientURI] })));
        const set = await this.onDevice({ commands: cmds }, 'DACMO');
        undo.dacmoChanged = set.some((x) => x.status === 200);
        const bad = set.find((x) => x.status !== 200);
        if (bad) throw new DelegationFailed('device_preparation', `the DM Client answered ${bad.status} to ${bad.command}`, bad.status === 403 ? 403 : 500);
      }
      this.check('delegation_prepared');
      await this.send(this.opts.peerUrl, { root: 'delegation_prepared', params: { reasonCode: '200', status: 'PREPARED', isDelegationFull: String(o.full), sessionId } }, sessionId);
      const done = await this.next(sessionId, 'delegation_confirmed', this.timeout);
      if (done.root === 'delegation_failure') throw new DelegationFailed('delegation_confirmed', `DMS-2 sent DELEGATION_FAILURE (reason code ${String(done.params.reasonCode)})`, 0);
      // Step 4b (5.2.1.5, "Delegation complete"): with full delegation DMS-1 deletes its own DMAcc, once nothing is left to undo.
      if (o.full) await this.onDevice({ commands: [{ name: 'DELETE', params: [`${dmaccMoid}/(x)/?nv=(x)/SrvID:${this.opts.serverId}`] }] }, 'DMS-1 DMAcc removal');
      else this.delegated.set(sessionId, dms2);
      return Object.assign(r, { state: 'completed' as const });
    } catch (e) {
      const f = e instanceof DelegationFailed ? e : new DelegationFailed('dms1', (e as Error).message ?? String(e), 500);
      Object.assign(r, { state: 'failed', step: r.step ?? f.step, reason: r.reason ?? f.message });
      if (undo) await this.rollback(undo).catch((x: Error) => Object.assign(r, { reason: `${r.reason}; the rollback failed too: ${x.message}` }));
      if (f.reasonCode) await this.send(this.opts.peerUrl, failure(sessionId, f.reasonCode), sessionId).catch(() => undefined);
      return r;
    }
  }

  /** Puts the DM Client back as it was: the DMS-2 DMAcc deleted, the DACMO as it was read before (5.3). */
  private async rollback(u: { dacmo?: MoDataItem[]; created?: string; dacmoChanged?: boolean }): Promise<void> {
    const cmds: Package2['commands'] = [];
    if (u.created) cmds.push({ name: 'DELETE', params: [u.created] });
    for (const [i, item] of (u.dacmoChanged ? (u.dacmo ?? []) : []).entries()) cmds.push({ name: 'HGET', params: [await this.publish(`rollback/${this.count}/dacmo-${i}`, [item]), item.ClientURI] });
    if (!cmds.length) return;
    const res = await this.onDevice({ commands: cmds }, 'rollback');
    const bad = res.find((x) => x.status !== 200);
    if (bad) throw new Error(`the DM Client answered ${bad.status} to ${bad.command}`);
  }
}

/**
 * The DACMO with a permission for the DMS-2 serverId (Read, Write, Execute: 7) in every entry of the
 * delegated MOID's instances, and full rights on its own new DMAcc (DM 2.0 10, 12.3).
 */
export function grant(items: MoDataItem[], moid: string, serverId: string, ownAccount?: string): MoDataItem[] {
  const account = ownAccount?.split('/');
  return items.map((item) => {
    const data = structuredClone(item.MOData);
    for (const miid of Object.keys(data)) {
      const root = data[miid] as Record<string, Record<string, Record<string, { Permissions?: Record<string, unknown> }>>>;
      for (const m of Object.keys(root)) {
        const full = account && m === account[0] ? account[1] : undefined;
        if (m !== moid && !full) continue;
        for (const inst of Object.keys(root[m]!)) {
          if (m !== moid && inst !== full) continue;
          for (const x of Object.values(root[m]![inst]!)) {
            if (x.Permissions) Object.defineProperty(x.Permissions, `delegated-${serverId}`.replace(/[^A-Za-z0-9._~-]/g, '-'), { value: { MAID: `serverid:${serverId}`, AR: m === moid ? 7 : 15 }, enumerable: true, writable: true, configurable: true });
          }
        }
      }
    }
    const { CV: _cv, ...rest } = item;
    void _cv;
    return { ...rest, MOData: data };
  });
}

/** The DACMO without any permission for the serverId (DM 2.0 12.3): what revoking a delegation leaves. */
export function withdraw(items: MoDataItem[], serverId: string): MoDataItem[] {
  return items.map((item) => {
    const data = structuredClone(item.MOData);
    const stack: unknown[] = [data];
    while (stack.length) {
      const o = stack.pop() as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const v = o[k] as Record<string, unknown> | undefined;
        if (!v || typeof v !== 'object') continue;
        if (v.MAID === `serverid:${serverId}`) delete o[k];
        else stack.push(v);
      }
    }
    const { CV: _cv, ...rest } = item;
    void _cv;
    return { ...rest, MOData: data };
  });
}
