/**
 * The Delegated Server, DMS-2, in the DMAcc approach (Delegation 5.2.1, 5.3.1): it acknowledges a
 * DELEGATION_REQ, tells DMS-1 in BOOTSTRAP_CONFIRMED the DMAcc to create on the DM Client, and once
 * DELEGATION_PREPARED arrives sends the DM Client a DM Notification, runs its own DM Session with
 * it (its DM Server role) and reports DELEGATION_CONFIRMED. It answers a termination or a revocation
 * as 5.2.3-5.2.5 say, and stops on DELEGATION_FAILURE.
 */
import type { DelegationValue } from '../../delegation/model.js';
import { type PeerAccount, dm13Account, dm20Account } from '../../delegation/account.js';
import { ALERT_BOOTSTRAP_COMPLETE } from '../bootstrap.js';
import type { DmServerEngine } from '../server.js';
import type { MoDataItem, Package2 } from '../../dm20/model.js';
import { DelegationFailed, type DelegationRecord, type FailurePoint, Peer, type PeerPorts, failure } from './peer.js';

export interface DelegatedOptions {
  serverId: string;
  /** DMS-2's DM Server, for its own DM Session with the DM Client. */
  dm: DmServerEngine;
  /** How the DM Client will reach and authenticate DMS-2 (becomes the DMAcc of Table 3). */
  account: PeerAccount;
  /** DMS-1's delegation interface. */
  peerUrl: string;
  /** Whether DMS-2 accepts to manage the DM Client (DELEGATION_RESP isAknowledged, 5.3.1.2). */
  accept?: boolean;
  /** What DMS-2 does in its first DM Session with the DM Client (default: END at once). */
  firstSession?: Package2;
  failAt?: FailurePoint;
  /** Milliseconds to wait for the DM Client's session (default 10 s). */
  timeout?: number;
  /**
   * The approach DMS-2 takes after DELEGATION_RESP: 'dmacc' sends its DMAcc in BOOTSTRAP_CONFIRMED
   * (5.2.1.3); 'bootstrap' waits for BOOTSTRAP_SRV_URL_REQ (5.2.2.2). The messages do not say which
   * (Delegation 5.3.1, 5.3.2): the two peers agree on it beforehand.
   */
  approach?: 'dmacc' | 'bootstrap';
  /** Its Bootstrap Server URL (BOOTSTRAP_SRV_URL_DELIVERY, 5.3.2.4), where its DM Server serves `bootstrapData` (DM 2.0 8.3). */
  bootstrapUrl?: string;
  /** Failures of its own making, for tests and demonstrations: a DM Notification that never leaves (5.2.1.4's timeout then applies). */
  silent?: boolean;
}

/** The DM Bootstrap a Delegated Server hands out (DM 2.0 8.5): its own DM Account (12.2), as a new instance. */
export function bootstrapData(account: PeerAccount, dmaccMoid = 'urn:oma:mo:oma-dm-dmacc:1.2'): MoDataItem[] {
  return [{ ClientURI: `${dmaccMoid}//`, MOData: { [`acc-${account.serverId}`.replace(/[^A-Za-z0-9._~-]/g, '-')]: dm20Account(dm13Account(account)) ?? {} } }];
}

export class DelegatedServer extends Peer {
  constructor(
    readonly opts: DelegatedOptions,
    ports: PeerPorts,
  ) {
    super('dms2', ports);
  }

  private fails(step: string): boolean {
    return this.opts.failAt?.step === step;
  }

  protected async receive(v: DelegationValue, sessionId: string): Promise<DelegationValue | undefined> {
    const r = this.record(sessionId);
    if (!r.flow) r.flow = '5.2.1';
    switch (v.root) {
      case 'delegation_req': {
        const ack = this.opts.accept !== false && !this.fails('delegation_resp');
        this.devices.set(sessionId, String(v.params.deviceId));
        if (!ack) Object.assign(r, { state: 'failed', step: 'delegation_resp', reason: 'DMS-2 declined the delegation (isAknowledged false, 5.3.1.2)' });
        else if (this.opts.approach === 'bootstrap') r.flow = '5.2.2';
        else this.later(() => this.bootstrapConfirmed(sessionId));
        return { root: 'delegation_resp', params: { reasonCode: ack ? '200' : String(this.opts.failAt?.reasonCode ?? 403), status: 'DELEGATION_RESP', isAknowledged: String(ack), sessionId } };
      }
      case 'bootstrap_srv_url_req': {
        // 5.2.2.2: the URL goes back in the HTTP response; DMS-2 then waits for the DM Client's session after its bootstrap.
        const url = this.opts.bootstrapUrl ?? new URL('/bootstrap', this.opts.account.address).href;
        const refused = this.fails('bootstrap_srv_url_delivery');
        if (refused) Object.assign(r, { state: 'failed', step: 'bootstrap_srv_url_delivery', reason: 'failure injected at bootstrap_srv_url_delivery' });
        else this.later(() => this.bootstrapped(sessionId));
        return { root: 'bootstrap_srv_url_delivery', params: { reasonCode: refused ? String(this.opts.failAt?.reasonCode ?? 400) : '200', status: 'BOOT_SRV_URL_DEL', bootstrapURL: url, sessionId } };
      }
      case 'delegation_prepared':
        // 5.2.2.10: in the Bootstrap Server URL approach the DM Session already took place (step 6).
        this.later(() => (r.flow === '5.2.2' ? this.confirmed(sessionId) : this.confirm(sessionId)));
        return undefined;
      case 'delegation_termination_req':
        // 5.2.3.3-5.2.3.4: acknowledge, end the activities on the DM Client (none outlive a DM Session here), then say so.
        this.later(() => this.send(this.opts.peerUrl, { root: 'delegation_termination_resp', params: { reasonCode: '200', status: 'DEL_TERM_RESP', sessionId } }, sessionId));
        return { root: 'delegation_termination_ack', params: { reasonCode: '200', status: 'DEL_TERM_ACK', sessionId } };
      case 'delegation_revoked': {
        // The forced DELEGATION_REVOKED names the device, not the session (Table 18).
        const ids = typeof v.params.sessionId === 'string' ? [v.params.sessionId] : [...this.devices].filter(([, d]) => d === v.params.deviceId).map(([s]) => s);
        for (const id of ids) Object.assign(this.record(id), { state: 'revoked', reason: `revoked by DMS-1 (reason code ${String(v.params.reasonCode)})` });
        return undefined;
      }
      case 'delegation_failure':
      case 'revocation_failure':
        Object.assign(r, { state: 'failed', reason: `${v.root} from DMS-1 (reason code ${String(v.params.reasonCode)})` });
        return undefined;
      default:
        return undefined;
    }
  }

  /** 5.2.4: DMS-2 asks DMS-1 to end the delegation; DMS-1 answers with DELEGATION_REVOKED once it removed DMS-2 from the DM Client. */
  async requestRevocation(sessionId: string): Promise<DelegationRecord> {
    const r = this.record(sessionId);
    await this.send(this.opts.peerUrl, { root: 'delegation_revocation_req', params: { deviceId: this.devices.get(sessionId) ?? '', status: 'DEL_TERM_REQ', sessionId } }, sessionId);
    await this.next(sessionId, 'delegation_revoked', this.opts.timeout ?? 10_000);
    return r;
  }

  /** Step 3 (5.2.1.3): the DM Client is not bootstrapped with DMS-2; here is the DMAcc to create. */
  private async bootstrapConfirmed(sessionId: string): Promise<void> {
    const r = this.record(sessionId);
    try {
      if (this.fails('bootstrap_confirmed')) throw new DelegationFailed('bootstrap_confirmed', 'failure injected at bootstrap_confirmed', this.opts.failAt?.reasonCode);
      await this.send(this.opts.peerUrl, { root: 'bootstrap_confirmed', params: { reasonCode: '200', status: 'BOOTSTRAP_CONFIRMED', isClientBootstapped: 'false', DMAcc: dm13Account(this.opts.account), sessionId } }, sessionId);
    } catch (e) {
      await this.fail(r, e);
    }
  }


  /** Steps 6 and 7 of 5.2.2: the DM Client's session after its bootstrap (the BootstrapComplete alert, DM 2.0 8), then BOOTSTRAP_CONFIRMED (Table 9). */
  private async bootstrapped(sessionId: string): Promise<void> {
    const r = this.record(sessionId);
    try {
      const devId = this.devices.get(sessionId) ?? '';
      const dm = this.opts.dm;
      if (this.opts.firstSession) dm.enqueue(devId, this.opts.firstSession);
      await this.ports.within(this.sessionEnd(devId, true), this.opts.timeout ?? 10_000, 'the DM Client to open its DM Session with DMS-2 after its bootstrap');
      if (this.fails('bootstrap_confirmed')) throw new DelegationFailed('bootstrap_confirmed', 'failure injected at bootstrap_confirmed', this.opts.failAt?.reasonCode);
      await this.send(this.opts.peerUrl, { root: 'bootstrap_confirmed', params: { reasonCode: '200', status: 'BOOTSTRAP_CONFIRMED', sessionId } }, sessionId);
    } catch (e) {
      await this.fail(r, e);
    }
  }

  /** Step 10 of 5.2.2: DELEGATION_CONFIRMED. */
  private async confirmed(sessionId: string): Promise<void> {
    const r = this.record(sessionId);
    try {
      if (this.fails('delegation_confirmed')) throw new DelegationFailed('delegation_confirmed', 'failure injected at delegation_confirmed', this.opts.failAt?.reasonCode);
      await this.send(this.opts.peerUrl, { root: 'delegation_confirmed', params: { reasonCode: '200', status: 'CONFIRMED', sessionId } }, sessionId);
      Object.assign(r, { state: 'completed' });
    } catch (e) {
      await this.fail(r, e);
    }
  }

  /** The end of the device's next DM Session with this DMS-2 (one after a bootstrap, when asked). */
  private sessionEnd(devId: string, afterBootstrap = false): Promise<void> {
    return new Promise<void>((resolve) => {
      const stop = this.opts.dm.onSessionEnd((d) => {
        if (d.devId !== devId || (afterBootstrap && !d.alerts.some((a) => a.AlertType === ALERT_BOOTSTRAP_COMPLETE))) return;
        stop();
        resolve();
      });
    });
  }

  /** Steps 6 and 7 (5.2.1.7, 5.2.1.8): a DM Session with the DM Client, then DELEGATION_CONFIRMED. */
  private async confirm(sessionId: string): Promise<void> {
    const r = this.record(sessionId);
    try {
      if (this.fails('dms2_session')) throw new DelegationFailed('dms2_session', 'failure injected before the DMS-2 session', this.opts.failAt?.reasonCode);
      const devId = this.devices.get(sessionId) ?? '';
      const dm = this.opts.dm;
      dm.enqueue(devId, this.opts.firstSession ?? { commands: [{ name: 'END', params: [] }] });
      const ended = this.sessionEnd(devId);
      const n = dm.notification({ ...(this.opts.account.notification ? { secret: this.opts.account.notification.secret, authData: this.opts.account.notification.data } : {}) });
      if (!this.opts.silent) await this.ports.notifyDevice(n.bytes);
      await this.ports.within(ended, this.opts.timeout ?? 10_000, 'the DM Client to open its DM Session with DMS-2');
      if (this.fails('delegation_confirmed')) throw new DelegationFailed('delegation_confirmed', 'failure injected at delegation_confirmed', this.opts.failAt?.reasonCode);
      await this.send(this.opts.peerUrl, { root: 'delegation_confirmed', params: { reasonCode: '200', status: 'CONFIRMED', sessionId } }, sessionId);
      Object.assign(r, { state: 'completed' });
    } catch (e) {
      await this.fail(r, e);
    }
  }

  private async fail(r: ReturnType<Peer['record']>, e: unknown): Promise<void> {
    const f = e instanceof DelegationFailed ? e : new DelegationFailed('dms2', String(e));
    Object.assign(r, { state: 'failed', step: f.step, reason: f.message });
    // Either side MAY halt the process at any time with DELEGATION_FAILURE (5.3.1.6).
    await this.send(this.opts.peerUrl, failure(r.sessionId, f.reasonCode), r.sessionId).catch(() => undefined);
  }
}
