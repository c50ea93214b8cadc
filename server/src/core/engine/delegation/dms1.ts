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
  /** Milliseconds to wait for DELEGATION_CONFIRMED before telling the DM Client to connect to DMS-2 on its own (5.2.1.4). */
  switchAfter?: number;
}

export interface DelegateOptions {
  full: boolean;
  treeUri: string;
  moid: string;
  dms2ServerId?: string;
  /** The DMAcc approach (5.2.1, the default) or the Bootstrap Server URL approach (5.2.2). */
  approach?: 'dmacc' | 'bootstrap';
}

interface BootstrapUndo {
  dacmo: MoDataItem[];
  created: string | undefined;
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

  /**
   * Runs a delegation from DELEGATION_REQ to DELEGATION_CONFIRMED: the DMAcc approach (5.2.1) or the
   * Bootstrap Server URL approach (5.2.2); the record says how it ended and at which step.
   */
  async delegate(o: DelegateOptions): Promise<DelegationRecord> {
    if (o.approach === 'bootstrap') return this.delegateViaBootstrap(o);
    const sessionId = this.newSession();
    this.record(sessionId, '5.2.1');
    const dmaccMoid = this.opts.dmaccMoid ?? 'urn:oma:mo:oma-dm-dmacc:1.2';
    let undo: { dacmo?: MoDataItem[]; created?: string; dacmoChanged?: boolean } | undefined;
    try {
      await this.initiate(o, sessionId);
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
      return await this.complete(o, sessionId, dms2);
    } catch (e) {
      return this.failed(sessionId, e, undo && (() => this.rollback(undo!)));
    }
  }

  private newSession(): string {
    return `${this.opts.serverId}-${Date.now().toString(36)}-${++this.count}`;
  }

  /** Steps 1-2 (5.2.1.1-5.2.1.2, the same in 5.2.2.1): DELEGATION_REQ, answered by an acknowledging DELEGATION_RESP. */
  private async initiate(o: DelegateOptions, sessionId: string): Promise<void> {
    this.check('delegation_req');
    const { answer } = await this.send(this.opts.peerUrl, { root: 'delegation_req', params: { serverId: this.opts.serverId, deviceId: this.opts.device.devId, deviceMan: this.opts.device.man, deviceMod: this.opts.device.mod, DMTreeURI: o.treeUri, isDelegationFull: String(o.full), sessionId } }, sessionId);
    if (answer?.root !== 'delegation_resp' || answer.params.sessionId !== sessionId) throw new DelegationFailed('delegation_resp', 'DMS-2 did not answer with the DELEGATION_RESP of this session (5.3.1.2)');
    if (answer.params.isAknowledged !== 'true') throw new DelegationFailed('delegation_resp', `DMS-2 declined (isAknowledged false, reason code ${String(answer.params.reasonCode)}, 5.3.1.2)`, Number(answer.params.reasonCode) || 403);
  }

  /**
   * DELEGATION_PREPARED, then DELEGATION_CONFIRMED (5.2.1.6-5.2.1.8, 5.2.2.9-5.2.2.10); with full
   * delegation DMS-1 then deletes its own DMAcc (5.2.1.5), once nothing is left to undo. The DMS-1
   * timeout of 5.2.1.4: when `switchAfter` passes without DELEGATION_CONFIRMED, DMS-1 sets the
   * DMS-2 DMAcc's NoAutoInitialSession to false, so that the DM Client connects to DMS-2 on its own.
   */
  private async complete(o: DelegateOptions, sessionId: string, dms2: string): Promise<DelegationRecord> {
    const r = this.record(sessionId);
    const dmaccMoid = this.opts.dmaccMoid ?? 'urn:oma:mo:oma-dm-dmacc:1.2';
    this.check('delegation_prepared');
    await this.send(this.opts.peerUrl, { root: 'delegation_prepared', params: { reasonCode: '200', status: 'PREPARED', isDelegationFull: String(o.full), sessionId } }, sessionId);
    let done: DelegationValue;
    if (this.opts.switchAfter !== undefined) {
      done = await this.next(sessionId, 'delegation_confirmed', this.opts.switchAfter).catch(async () => {
        await this.onDevice({ commands: [{ name: 'HGET', params: [await this.publish(`delegation/${sessionId}/auto-session`, [{ ClientURI: `${dmaccMoid}/(x)/?nv=(x)/SrvID:${dms2}`, MOData: { Ext: { NoAutoInitialSession: 'false' } } }]), `${dmaccMoid}/(x)/Ext?nv=(x)/SrvID:${dms2}`] }] }, 'NoAutoInitialSession');
        Object.assign(r, { note: `no DELEGATION_CONFIRMED within ${this.opts.switchAfter} ms: the DM Client was told to connect to DMS-2 on its own (5.2.1.4)` });
        return this.next(sessionId, 'delegation_confirmed', this.timeout);
      });
    } else done = await this.next(sessionId, 'delegation_confirmed', this.timeout);
    if (done.root === 'delegation_failure') throw new DelegationFailed('delegation_confirmed', `DMS-2 sent DELEGATION_FAILURE (reason code ${String(done.params.reasonCode)})`, 0);
    if (o.full) await this.onDevice({ commands: [{ name: 'DELETE', params: [`${dmaccMoid}/(x)/?nv=(x)/SrvID:${this.opts.serverId}`] }] }, 'DMS-1 DMAcc removal');
    else this.delegated.set(sessionId, dms2);
    return Object.assign(r, { state: 'completed' as const });
  }

  /** Whatever failed: the record says where, the DM Client is put back, and DMS-2 is told with DELEGATION_FAILURE (5.3). */
  private async failed(sessionId: string, e: unknown, rollback: (() => Promise<void>) | undefined): Promise<DelegationRecord> {
    const r = this.record(sessionId);
    const f = e instanceof DelegationFailed ? e : new DelegationFailed('dms1', (e as Error).message ?? String(e), 500);
    Object.assign(r, { state: 'failed', step: r.step ?? f.step, reason: r.reason ?? f.message });
    if (rollback) await rollback().catch((x: Error) => Object.assign(r, { reason: `${r.reason}; the rollback failed too: ${x.message}` }));
    if (f.reasonCode) await this.send(this.opts.peerUrl, failure(sessionId, f.reasonCode), sessionId).catch(() => undefined);
    return r;
  }

  /**
   * 5.2.2: BOOTSTRAP_SRV_URL_REQ, answered by BOOTSTRAP_SRV_URL_DELIVERY; the URL put in a DM
   * Account entry's Auth/Bootstrap/ServerURI on the DM Client (5.2.2.3, DM 2.0 12.2), which then
   * bootstraps from it and opens its session with DMS-2 (8.3); on BOOTSTRAP_CONFIRMED the ACLs are
   * updated for the DMS-2 serverId (5.2.2.7), and the flow ends as 5.2.1 does.
   */
  private async delegateViaBootstrap(o: DelegateOptions): Promise<DelegationRecord> {
    const sessionId = this.newSession();
    this.record(sessionId, '5.2.2');
    const dmaccMoid = this.opts.dmaccMoid ?? 'urn:oma:mo:oma-dm-dmacc:1.2';
    let undo: BootstrapUndo | undefined;
    try {
      await this.initiate(o, sessionId);
      this.check('bootstrap_srv_url_req');
      const { answer } = await this.send(this.opts.peerUrl, { root: 'bootstrap_srv_url_req', params: { reasonCode: '200', status: 'BOOT_SRV_URL_REQ', sessionId } }, sessionId);
      const url = answer?.root === 'bootstrap_srv_url_delivery' ? answer.params.bootstrapURL : undefined;
      if (typeof url !== 'string') throw new DelegationFailed('bootstrap_srv_url_delivery', 'DMS-2 did not answer with its Bootstrap Server URL (BOOTSTRAP_SRV_URL_DELIVERY, 5.3.2.4)');
      if (answer!.params.reasonCode !== '200') throw new DelegationFailed('bootstrap_srv_url_delivery', `DMS-2 delivered its Bootstrap Server URL with reason code ${String(answer!.params.reasonCode)} (5.3.2.4)`, Number(answer!.params.reasonCode) || 400);
      // Step 4 (5.2.2.3): a DM Account entry that only names the Bootstrap Server.
      const entry = await this.publish(`delegation/${sessionId}/bootstrap`, [{ ClientURI: `${dmaccMoid}//`, MOData: { [`bootstrap-${sessionId}`.replace(/[^A-Za-z0-9._~-]/g, '-')]: { Name: 'Bootstrap Server of the Delegated Server', Auth: { Bootstrap: { ServerURI: url } } } } }]);
      const [before, created] = await this.onDevice({ commands: [{ name: 'GET', params: [`${DACMO_MOID}/*/`] }, { name: 'HGET', params: [entry] }] }, 'Bootstrap Server URL');
      undo = { dacmo: before?.status === 200 && before.data ? (JSON.parse(before.data.body) as MoDataItem[]) : [], created: created?.status === 200 ? created.uris?.[0] : undefined };
      if (created?.status !== 200) throw new DelegationFailed('device_preparation', `the DM Client answered ${created?.status ?? 'nothing'} to the HGET of the Bootstrap Server URL`, created?.status === 403 ? 403 : 500);
      this.check('device_preparation');
      // Steps 5-7: the DM Client bootstraps and opens its session with DMS-2, which says so; "the DMS-1 needs to wait a finite duration before declaring that the step 7 has failed" (5.3.2).
      const boot = await this.next(sessionId, 'bootstrap_confirmed', this.timeout);
      if (boot.root === 'delegation_failure') throw new DelegationFailed('bootstrap_confirmed', `DMS-2 sent DELEGATION_FAILURE (reason code ${String(boot.params.reasonCode)})`, 0);
      // Step 8 (5.2.2.7): the DMS-2 serverId is the one the bootstrap gave creator rights to (DM 2.0 10); DMS-2 gets the delegated MOID, DMS-1 the right to remove DMS-2's DMAcc later (5.2.3), and the entry goes.
      const [now] = await this.onDevice({ commands: [{ name: 'GET', params: [`${DACMO_MOID}/*/`] }] }, 'DACMO');
      const current = now?.status === 200 && now.data ? (JSON.parse(now.data.body) as MoDataItem[]) : [];
      const dms2 = newcomers(undo.dacmo, current, this.opts.serverId)[0];
      if (!dms2) throw new DelegationFailed('bootstrap_confirmed', 'BOOTSTRAP_CONFIRMED came, but no DM Account was bootstrapped on the DM Client (no new serverId in the DACMO, DM 2.0 10)', 400);
      const dacmo = adopt(grant(current, o.moid, dms2), dmaccMoid, dms2, this.opts.serverId);
      const cmds = await Promise.all(dacmo.map(async (item, i) => ({ name: 'HGET' as const, params: [await this.publish(`delegation/${sessionId}/dacmo-${i}`, [item]), item.ClientURI] })));
      const set = await this.onDevice({ commands: [...cmds, ...(undo.created ? [{ name: 'DELETE' as const, params: [undo.created] }] : [])] }, 'ACLs');
      const bad = set.find((x) => x.status !== 200);
      if (bad) throw new DelegationFailed('acl_update', `the DM Client answered ${bad.status} to ${bad.command}`, bad.status === 403 ? 403 : 500);
      undo.created = undefined;
      this.check('acl_update');
      return await this.complete(o, sessionId, dms2);
    } catch (e) {
      return this.failed(sessionId, e, undo && (() => this.rollbackBootstrap(undo!)));
    }
  }

  /**
   * Puts the DM Client back after a failed 5.2.2: any DM Account a bootstrap added is removed (DMS-1
   * first takes the right to, through the DACMO it manages), the entry naming the Bootstrap Server
   * too, and the DACMO is restored as it was read before (5.3).
   */
  private async rollbackBootstrap(u: BootstrapUndo): Promise<void> {
    const dmaccMoid = this.opts.dmaccMoid ?? 'urn:oma:mo:oma-dm-dmacc:1.2';
    const [now] = await this.onDevice({ commands: [{ name: 'GET', params: [`${DACMO_MOID}/*/`] }] }, 'rollback');
    const current = now?.status === 200 && now.data ? (JSON.parse(now.data.body) as MoDataItem[]) : [];
    const others = newcomers(u.dacmo, current, this.opts.serverId);
    let adopted = current;
    for (const id of others) adopted = adopt(adopted, dmaccMoid, id, this.opts.serverId);
    const cmds: Package2['commands'] = [];
    if (others.length) for (const [i, item] of adopted.entries()) cmds.push({ name: 'HGET', params: [await this.publish(`rollback/${this.count}/adopt-${i}`, [item]), item.ClientURI] });
    for (const id of others) cmds.push({ name: 'DELETE', params: [`${dmaccMoid}/(x)/?nv=(x)/SrvID:${id}`] });
    if (u.created) cmds.push({ name: 'DELETE', params: [u.created] });
    for (const [i, item] of u.dacmo.entries()) cmds.push({ name: 'HGET', params: [await this.publish(`rollback/${this.count}/dacmo-${i}`, [item]), item.ClientURI] });
    const res = await this.onDevice({ commands: cmds }, 'rollback');
    const bad = res.find((x) => x.status !== 200 && !(x.status === 404 && x.command.startsWith('DELETE')));
    if (bad) throw new Error(`the DM Client answered ${bad.status} to ${bad.command}`);
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

/** The serverIds with a permission in the DACMO now that had none before (other than `self`): DM Servers a bootstrap added. */
export function newcomers(before: MoDataItem[], now: MoDataItem[], self: string): string[] {
  const ids = (items: MoDataItem[]): Set<string> => new Set(JSON.stringify(items.map((i) => i.MOData)).match(/"serverid:[^"\\]*"/g)?.map((m) => m.slice(10, -1)) ?? []);
  const had = ids(before);
  return [...ids(now)].filter((id) => !had.has(id) && id !== self);
}

/** The DACMO with a full permission for `self` on every DM Account instance `serverId` has rights on: DMS-1 may then remove it (5.2.3, DM 2.0 12.3). */
export function adopt(items: MoDataItem[], dmaccMoid: string, serverId: string, self: string): MoDataItem[] {
  return items.map((item) => {
    const data = structuredClone(item.MOData);
    for (const root of Object.values(data) as Record<string, Record<string, Record<string, { Permissions?: Record<string, { MAID?: string }> }>>>[]) {
      for (const inst of Object.values(root[dmaccMoid] ?? {})) {
        for (const x of Object.values(inst)) {
          if (!x.Permissions || !Object.values(x.Permissions).some((p) => p.MAID === `serverid:${serverId}`)) continue;
          Object.defineProperty(x.Permissions, `delegating-${self}`.replace(/[^A-Za-z0-9._~-]/g, '-'), { value: { MAID: `serverid:${self}`, AR: 15 }, enumerable: true, writable: true, configurable: true });
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
