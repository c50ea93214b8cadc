/**
 * What the Delegating Server (DMS-1) and the Delegated Server (DMS-2) share (Delegation 5.3): the
 * HTTP binding (POST of application/vnd.dm.delegation+xml, answered synchronously with the message
 * the tables name or with no content), every message built from values and validated before it is
 * sent and when it is received, a record per delegation session of what went each way, and waiting
 * for the peer's next message.
 */
import { type DelegationValue, buildDelegation, parseDelegation } from '../../delegation/model.js';
import { DELEGATION_MEDIA_TYPE, DELEGATION_POST_HEADERS } from '../../delegation/mediaType.js';
import { mediaType } from '../../http/message.js';
import type { Incoming } from '../server.js';
import { type Outgoing, problem } from '../problem.js';
import type { Clock, HttpOutcome, TraceSink } from '../ports.js';
import { text, utf8 } from '../ports.js';

export interface PeerPorts {
  /** POSTs a delegation message with these headers to the peer's interface over mutual TLS (Delegation 5.3, DM-DEL-S-001). */
  post(url: string, xml: string, headers: Readonly<Record<string, string>>): Promise<HttpOutcome>;
  /** Sends a DM Notification (a WAP Push datagram) to the DM Client (DM 2.0 E.1). */
  notifyDevice(bytes: Uint8Array): Promise<void>;
  /** Resolves with the promise, or rejects when `ms` pass first: the peers' timeouts (5.2.1.4, 5.2.3.4). */
  within<T>(p: Promise<T>, ms: number, what: string): Promise<T>;
  clock: Clock;
  trace: TraceSink;
}

export interface MessageRecord {
  direction: 'sent' | 'received';
  root: string;
  /** The HTTP status of the exchange that carried it. */
  status?: number;
  problems: string[];
}

export interface DelegationRecord {
  sessionId: string;
  flow: string;
  state: 'running' | 'completed' | 'failed' | 'revoked';
  step?: string;
  reason?: string;
  /** What happened on the way that people should know (a timeout that switched the DM Client, 5.2.1.4). */
  note?: string;
  messages: MessageRecord[];
}

export class DelegationFailed extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly reasonCode = 400,
  ) {
    super(message);
  }
}

/** Where a test or a person makes a flow fail: at this step, on this side, with this reason code. */
export interface FailurePoint {
  step: string;
  reasonCode?: number;
}

export abstract class Peer {
  readonly sessions = new Map<string, DelegationRecord>();
  /** Requests refused before they could join a session: not POST, not the media type, not valid. */
  readonly rejected: MessageRecord[] = [];
  private readonly waiters = new Map<string, { resolve: (v: DelegationValue) => void }>();
  private readonly inbox = new Map<string, DelegationValue>();
  protected readonly pending = new Set<Promise<unknown>>();

  constructor(
    readonly name: string,
    protected readonly ports: PeerPorts,
  ) {}

  record(sessionId: string, flow = ''): DelegationRecord {
    let r = this.sessions.get(sessionId);
    if (!r) this.sessions.set(sessionId, (r = { sessionId, flow, state: 'running', messages: [] }));
    return r;
  }

  /** Sends a message; a synchronous answer (DELEGATION_RESP, ...) is parsed and returned. */
  protected async send(url: string, v: DelegationValue, sessionId: string): Promise<{ status: number; answer?: DelegationValue }> {
    const xml = buildDelegation(v);
    const own = parseDelegation(xml);
    if (!own.value) throw new DelegationFailed(v.root, `${v.root} does not validate: ${own.diagnostics[0]?.message ?? ''}`);
    const t0 = this.ports.clock.now();
    const res = await this.ports.post(url, xml, DELEGATION_POST_HEADERS);
    const r = this.record(sessionId);
    const status = res.ok ? res.response.status : undefined;
    r.messages.push({ direction: 'sent', root: v.root, ...(status !== undefined ? { status } : {}), problems: res.ok ? [] : [res.error] });
    this.ports.trace({ time: t0, from: this.name, to: hostOf(url), transport: 'http', kind: 'http', method: 'POST', url, headers: { ...DELEGATION_POST_HEADERS }, requestBody: xml, duration: this.ports.clock.now() - t0, sessionId, note: v.root, ...(res.ok ? { status: res.response.status, ...answerType(res.response.headers), body: text(res.response.body) } : { note: `${v.root}: ${res.error}` }) });
    if (!res.ok) throw new DelegationFailed(v.root, `${v.root} was not delivered: ${res.error}`, 503);
    if (res.response.status >= 300) throw new DelegationFailed(v.root, `${v.root} was answered ${res.response.status}`);
    if (res.response.body.length === 0) return { status: res.response.status };
    const answer = parseDelegation(text(res.response.body));
    if (!answer.value) throw new DelegationFailed(v.root, `the answer to ${v.root} does not validate: ${answer.diagnostics.find((d) => d.severity === 'error')?.message ?? ''}`);
    r.messages.push({ direction: 'received', root: answer.value.root, status: res.response.status, problems: [] });
    return { status: res.response.status, answer: answer.value };
  }

  /** The HTTP side of the interface: validate, record, then let the role answer. */
  async handle(req: Incoming): Promise<Outgoing> {
    if (req.method !== 'POST') {
      this.rejected.push({ direction: 'received', root: `${req.method} request`, status: 405, problems: [`${req.method} instead of POST (Delegation 5.3, DM-DEL-S-007)`] });
      return { ...problem(405, 'Method Not Allowed', 'Delegation messages are POSTed (Delegation 5.3).'), headers: { 'content-type': 'application/problem+json', allow: 'POST' } };
    }
    if (mediaType(req.headers['content-type'] ?? '') !== DELEGATION_MEDIA_TYPE) {
      this.rejected.push({ direction: 'received', root: 'request', status: 415, problems: [`Content-Type ${req.headers['content-type'] ?? 'missing'} instead of ${DELEGATION_MEDIA_TYPE} (Delegation 5.3, DM-DEL-S-007)`] });
      return problem(415, 'Unsupported Media Type', `Delegation messages are ${DELEGATION_MEDIA_TYPE} (Delegation 5.3).`);
    }
    const parsed = parseDelegation(text(req.body));
    if (!parsed.value) {
      // Kept for the conformance report: what was wrong, with the table row the validator cites.
      const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
      this.rejected.push({ direction: 'received', root: parsed.message?.root ?? 'unrecognised', status: 400, problems: errors.map((d) => d.message) });
      return problem(400, 'Invalid delegation message', 'The message does not validate against Tables 1-18 (Delegation 5.3).', errors.slice(0, 20));
    }
    const v = parsed.value;
    const sessionId = typeof v.params.sessionId === 'string' ? v.params.sessionId : `device:${String(v.params.deviceId)}`;
    this.record(sessionId).messages.push({ direction: 'received', root: v.root, problems: [] });
    const answer = await this.receive(v, sessionId);
    if (!answer) {
      this.deliver(sessionId, v);
      return { status: 204, headers: {}, body: new Uint8Array(0) };
    }
    const xml = buildDelegation(answer);
    this.record(sessionId).messages.push({ direction: 'sent', root: answer.root, status: 200, problems: [] });
    this.deliver(sessionId, v);
    return { status: 200, headers: { 'content-type': DELEGATION_MEDIA_TYPE }, body: utf8(xml) };
  }

  /** The role's answer to a message: a synchronous reply, or undefined for 204 No Content. */
  protected abstract receive(v: DelegationValue, sessionId: string): Promise<DelegationValue | undefined>;

  /** The DM Client a session is about (its deviceId), for revocations that name the device only (Table 18). */
  readonly devices = new Map<string, string>();

  /** The next message of a session with this root, as it arrives (or one that already did). */
  protected next(sessionId: string, root: string, ms: number): Promise<DelegationValue> {
    const key = `${sessionId}\u0000${root}`;
    const ready = this.inbox.get(key) ?? this.inbox.get(`${sessionId}\u0000delegation_failure`);
    if (ready) return Promise.resolve(ready);
    const p = new Promise<DelegationValue>((resolve) => this.waiters.set(sessionId, { resolve }));
    return this.ports.within(p, ms, `${root} from the peer`);
  }

  private deliver(sessionId: string, v: DelegationValue): void {
    this.inbox.set(`${sessionId}\u0000${v.root}`, v);
    const w = this.waiters.get(sessionId);
    if (w) {
      this.waiters.delete(sessionId);
      w.resolve(v);
    }
  }

  /** Runs work after an answer is sent, keeping it so that `idle()` can wait for it. */
  protected later(work: () => Promise<unknown>): void {
    const p = work().catch(() => undefined);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Failure messages carry a reason code of DM Representation 11 (the change request advises 400 and 403). */
export function failure(sessionId: string, reasonCode: number): DelegationValue {
  return { root: 'delegation_failure', params: { reasonCode: String(reasonCode), status: 'FAILURE', sessionId } };
}

/** The answer's Content-Type as a trace event records it: an answer with no content has none (Delegation 5.3). */
function answerType(headers: Record<string, string>): { contentType?: string } {
  const type = headers['content-type'];
  return type ? { contentType: type } : {};
}
