/**
 * The mini DM Server (DM 2.0 5.2): it takes Package#1 and Package#3 (HTTP POST with OMADM-DevID),
 * answers each with the next Package#2 queued for the device (END when none is), collects the
 * Generic Alerts (5.4) and the GET data of multipart Package#3s (Appendix F), serves its Data
 * Repository, authenticates as 9.2.1 says (Basic, Digest, X.509), and builds Package#0 (7.1, E.1).
 * Pure orchestration: the host turns sockets into `Incoming` and `Outgoing` back into bytes.
 */
import { acceptsMediaType, mediaRanges, mediaType } from '../http/message.js';
import { type Credentials, challenges, checkAuthorization } from '../http/auth.js';
import { encode } from '../notification/codec.js';
import { wrapWapPush } from '../notification/wapPush.js';
import { JsonDocument } from '../json/document.js';
import { type GenericAlert, type MoDataItem, type MosItem, type Package2, mediaTypeOf, parsePackage, serializePackage } from '../dm20/model.js';
import { SessionFlow } from '../dm20/session.js';
import type { CommandName } from '../dm20/commands.js';
import { type DataRepository } from './repository.js';
import { type Outgoing, problem, withHeaders } from './problem.js';
import type { Clock, TraceSink } from './ports.js';
import { NO_TRACE, text, utf8 } from './ports.js';
import { pushAll } from '../diagnostic.js';

export interface WirePart {
  name?: string;
  contentType: string;
  body: string;
}

export interface Incoming {
  method: string;
  /** The request-target: path and query. */
  target: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Uint8Array;
  /** The parts of a multipart/form-data body, read by the host. */
  parts?: WirePart[];
  /** The client certificate the TLS handshake verified against the configured CA (9.2.1). */
  clientCertificate?: { subject: string; authorized: boolean };
  /** Who sent it, for traces. */
  peer?: string;
}

export interface CommandRecord {
  command: string;
  status?: number;
  uris?: string[];
  data?: WirePart;
}

export interface DeviceRecord {
  devId: string;
  queue: Package2[];
  flow?: SessionFlow;
  sessionId?: string;
  sessions: number;
  lastCommands?: CommandName[];
  lastPackage?: Package2;
  alerts: GenericAlert[];
  mos?: MosItem[];
  results: CommandRecord[];
}

export interface ServerOptions {
  serverId: string;
  repository: DataRepository;
  clock: Clock;
  trace: TraceSink;
  name?: string;
  /** Users and passwords for Basic and Digest; with none and no client certificate required, sessions are open. */
  credentials?: Credentials;
  /** Whether a verified client certificate is enough to authenticate (X.509, 9.2.1). */
  acceptClientCertificates?: boolean;
  /** Package#2s every device gets, in order, before what is queued for it alone. */
  commands?: Package2[];
  repositoryPath?: string;
  uiPath?: string;
  /**
   * The DM Bootstrap this server hands out as a DM Bootstrap Server (8.3, 8.5: MO data, normally
   * its own DM Account), answered to GET on `bootstrapPath` (default /bootstrap). 9.3.1 wants a
   * secure transport for it: the host serves it over HTTPS when the server runs with TLS.
   */
  bootstrap?: () => MoDataItem[];
  bootstrapPath?: string;
}

/** The Package#2 of a session with nothing (more) queued: END alone (5.3.9). Frozen, since every session shares it. */
const END: Package2 = { commands: [{ name: 'END', params: [] }] };
for (const o of [END.commands[0]!.params, END.commands[0]!, END.commands, END]) Object.freeze(o);

/**
 * The wire form of each Package#2 served, by the package object: the commands every device gets
 * (`commands`) and END are the same objects for each session, serialized once. A queued package
 * is only read, never changed, so its bytes stay what serializing it gives.
 */
const wire = new WeakMap<Package2, Uint8Array>();

function bytesOf(p: Package2): Uint8Array {
  let b = wire.get(p);
  if (!b) wire.set(p, (b = utf8(serializePackage('pkg2', p))));
  return b;
}

export class DmServerEngine {
  readonly devices = new Map<string, DeviceRecord>();
  readonly name: string;
  private notificationId = 0;
  private readonly repositoryPath: string;
  private readonly uiPath: string;
  readonly uiVisits: string[] = [];
  private readonly endListeners = new Set<(d: DeviceRecord) => void>();
  private injected: { status: number; count: number } | undefined;
  /** Whether anyone reads the trace: without, no event is built, nor a body parsed again for one (ports.ts NO_TRACE). */
  private readonly tracing: boolean;
  /** Whether an Accept header takes a Package#2 (5.5), by its value: every device sends the same one. */
  private readonly accepts = new Map<string, boolean>();

  constructor(readonly opts: ServerOptions) {
    this.name = opts.name ?? 'dm-server';
    this.repositoryPath = opts.repositoryPath ?? '/repository/';
    this.uiPath = opts.uiPath ?? '/ui';
    this.tracing = opts.trace !== NO_TRACE;
  }

  device(devId: string): DeviceRecord {
    let d = this.devices.get(devId);
    if (!d) this.devices.set(devId, (d = { devId, queue: [...(this.opts.commands ?? [])], sessions: 0, alerts: [], results: [] }));
    return d;
  }

  /** Tells `listener` each time a device's DM Session ends with END (5.3.9); returns the function that stops it. */
  onSessionEnd(listener: (d: DeviceRecord) => void): () => void {
    this.endListeners.add(listener);
    return () => void this.endListeners.delete(listener);
  }

  /** The next `count` DM packages get this HTTP status instead of an answer: a failure made on purpose (the DM Client then aborts, 5.6). */
  failNext(status: number, count = 1): void {
    this.injected = { status, count };
  }

  /** Queues a Package#2 for a device's current or next session. */
  enqueue(devId: string, p: Package2): void {
    this.device(devId).queue.push(p);
  }

  /** A Package#0 for a device (7.1) in a connectionless WAP Push (E.1), with the SHA256 digest when a secret is given (5.2.1.2). */
  notification(o: { secret?: string; authData?: string; reqMos?: boolean; conTypes?: number[] } = {}): { bytes: Uint8Array; notificationId: number } {
    const notificationId = (this.notificationId = (this.notificationId + 1) & 0xffff);
    const pkg = encode({
      serverId: this.opts.serverId, notificationId, timestamp: Math.floor(this.opts.clock.now() / 1000), ...(o.reqMos ? { reqMos: true } : {}), ...(o.conTypes ? { conTypes: o.conTypes } : {}),
      ...(o.secret !== undefined ? { secret: utf8(o.secret), authData: utf8(o.authData ?? '') } : {}),
    });
    return { bytes: wrapWapPush(pkg, notificationId & 0xff), notificationId };
  }

  async handle(req: Incoming): Promise<Outgoing> {
    const path = req.target.split('?')[0]!;
    const type = mediaType(req.headers['content-type'] ?? '');
    const kind = type === mediaTypeOf('pkg1') ? 'pkg1' : type === mediaTypeOf('pkg3') || type === 'multipart/form-data' ? 'pkg3' : undefined;
    // DM packages are POSTed to any path (CONT may name another, 5.3.8); everything else under the mount is the Data Repository's.
    if (!(req.method === 'POST' && kind) && path.startsWith(this.repositoryPath)) return this.opts.repository.handle(req.method, req.target.slice(this.repositoryPath.length), req.headers, req.body);
    if (path === this.uiPath || path.startsWith(`${this.uiPath}/`)) {
      // The Web Server Component a SHOW points the Web Browser Component at (5.3.7).
      this.uiVisits.push(req.target);
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: utf8('<!doctype html><title>OMA DM</title><p>User interaction page of the mini DM Server (DM 2.0 5.3.7).</p>') };
    }
    if (this.opts.bootstrap && path === (this.opts.bootstrapPath ?? '/bootstrap')) return this.serveBootstrap(req);
    if (req.method !== 'POST') return withHeaders(problem(405, 'Method Not Allowed', 'DM packages are POSTed (DM 2.0 5.2.2, 5.2.4).'), { allow: 'POST' });
    if (this.injected && kind) {
      const { status } = this.injected;
      if (--this.injected.count <= 0) this.injected = undefined;
      return problem(status, 'Injected failure', `This DM Server was asked to answer ${status} to this request.`);
    }
    const denied = this.authenticate(req);
    if (denied) return denied;
    if (!kind) return problem(415, 'Unsupported Media Type', `A DM Server takes Package#1 (${mediaTypeOf('pkg1')}) and Package#3 (${mediaTypeOf('pkg3')}, or multipart/form-data with GET data), not ${type || 'an untyped body'} (DM 2.0 7.2.1, Appendix F).`);
    if (req.headers.accept && !this.acceptsPackage2(req.headers.accept)) {
      return problem(406, 'Not Acceptable', `The answer is a Package#2 (${mediaTypeOf('pkg2')}); the request accepts only ${req.headers.accept} (DM 2.0 5.5).`);
    }
    const devId = req.headers['omadm-devid'];
    if (!devId) return problem(400, 'OMADM-DevID missing', `A ${kind === 'pkg1' ? 'Package#1' : 'Package#3'} MUST carry the OMADM-DevID header with the DevInfo DevID (DM 2.0 ${kind === 'pkg1' ? '5.2.2' : '5.2.4'}).`);
    const d = this.device(devId);
    return kind === 'pkg1' ? this.package1(req, d) : this.package3(req, d, type === 'multipart/form-data');
  }

  private acceptsPackage2(accept: string): boolean {
    let yes = this.accepts.get(accept);
    if (yes === undefined) {
      yes = acceptsMediaType(mediaRanges(accept).ranges, mediaTypeOf('pkg2'));
      if (this.accepts.size >= 64) this.accepts.clear();
      this.accepts.set(accept, yes);
    }
    return yes;
  }

  private serveBootstrap(req: Incoming): Outgoing {
    if (req.method !== 'GET') return withHeaders(problem(405, 'Method Not Allowed', 'The DM Bootstrap is retrieved with GET (DM 2.0 8.3).'), { allow: 'GET' });
    const type = 'application/dmmo+json';
    if (req.headers.accept && !acceptsMediaType(mediaRanges(req.headers.accept).ranges, type)) return problem(406, 'Not Acceptable', `The DM Bootstrap is MO data (${type}, DM 2.0 8.5); the request accepts only ${req.headers.accept}.`);
    const body = JSON.stringify(this.opts.bootstrap!(), null, 1);
    return { status: 200, headers: { 'content-type': type }, body: utf8(body) };
  }

  private authenticate(req: Incoming): Outgoing | undefined {
    const c = this.opts.credentials;
    if (!c && !this.opts.acceptClientCertificates) return undefined;
    if (this.opts.acceptClientCertificates && req.clientCertificate?.authorized) return undefined;
    if (c) {
      const r = checkAuthorization(c, req.headers.authorization, req.method, req.target, this.opts.clock.now());
      if (r.ok) return undefined;
      return withHeaders(problem(401, 'Unauthorized', `Authentication failed: ${r.reason} (DM 2.0 9.2.1).`), { 'www-authenticate': challenges(c, this.opts.clock.now()) });
    }
    return problem(401, 'Unauthorized', 'A client certificate issued by the configured CA is required (DM 2.0 9.2.1).');
  }

  private package1(req: Incoming, d: DeviceRecord): Outgoing {
    const parsed = parsePackage(text(req.body), 'pkg1');
    // A Package#1 opens a new DM Session: its trace event carries the new session's id.
    d.sessionId = `${d.devId}@${this.name}#${++d.sessions}`;
    if (this.tracing) this.traceIn(req, d, 'package1', parsed.value ?? text(req.body));
    if (!parsed.value) return problem(400, 'Invalid Package#1', 'The Package#1 does not validate (DM 2.0 7.2.1.1).', parsed.diagnostics.filter((x) => x.severity === 'error').slice(0, 20));
    d.flow = new SessionFlow('');
    d.flow.package1();
    // A package may carry any number of alerts: appended one by one, never spread into one call.
    pushAll(d.alerts, parsed.value.Alert ?? []);
    if (parsed.value.MOS) d.mos = parsed.value.MOS;
    return this.package2(d);
  }

  private package3(req: Incoming, d: DeviceRecord, multipart: boolean): Outgoing {
    const parts = req.parts ?? [];
    const body = multipart ? parts[0]?.body ?? '' : text(req.body);
    if (multipart && (!parts[0] || parts[0].name !== undefined || mediaType(parts[0].contentType) !== mediaTypeOf('pkg3'))) {
      return problem(400, 'Invalid multipart Package#3', 'The first encapsulation of the multipart body MUST be the Package#3, without a name (DM 2.0 Appendix F).');
    }
    const parsed = parsePackage(body, 'pkg3', d.lastCommands ? { commands: d.lastCommands, commandsFrom: 'the Package#2 the DM Server sent' } : {});
    if (this.tracing) {
      const doc = new JsonDocument(body);
      this.traceIn(req, d, 'package3', doc.valid ? doc.value : body, parts.slice(1));
    }
    const violation = d.flow ? d.flow.package3() : { code: 'dm.flow-package3', message: 'No DM Session is open for this device: a session starts with Package#1 (DM 2.0 5.2).' };
    if (violation) return problem(400, 'Out of sequence', violation.message);
    if (!parsed.value) {
      d.flow!.abort('invalid Package#3');
      return problem(400, 'Invalid Package#3', 'The Package#3 does not validate (DM 2.0 7.2.1.3).', parsed.diagnostics.filter((x) => x.severity === 'error').slice(0, 20));
    }
    pushAll(d.alerts, parsed.value.Alert ?? []);
    const sent = d.lastPackage?.commands.filter((c) => c.name !== 'END') ?? [];
    parsed.value.Status.forEach((s, i) => {
      const data = parts.slice(1).find((p) => p.name === String(i));
      d.results.push({ command: sent[i] ? [sent[i]!.name, ...sent[i]!.params].join(' ') : `#${i}`, status: s.sc, ...(s.URI ? { uris: s.URI } : {}), ...(data ? { data } : {}) });
    });
    return this.package2(d);
  }

  private package2(d: DeviceRecord): Outgoing {
    const p: Package2 = d.queue.shift() ?? END;
    d.flow!.package2(p);
    d.lastPackage = p;
    d.lastCommands = p.commands.map((c) => c.name);
    const body = bytesOf(p);
    const headers = { 'content-type': mediaTypeOf('pkg2'), 'omadm-accept': this.opts.repository.formats.join(', ') };
    if (d.flow!.state === 'ended') for (const l of [...this.endListeners]) l(d);
    if (this.tracing) this.opts.trace({ time: this.opts.clock.now(), from: this.name, to: d.devId, transport: 'http', kind: 'package2', status: 200, contentType: headers['content-type'], body: JSON.parse(text(body)), ...(d.sessionId ? { sessionId: d.sessionId } : {}) });
    return { status: 200, headers, body };
  }

  private traceIn(req: Incoming, d: DeviceRecord, kind: 'package1' | 'package3', body: unknown, parts: WirePart[] = []): void {
    this.opts.trace({
      time: this.opts.clock.now(), from: d.devId, to: this.name, transport: 'http', kind, method: req.method, url: req.target, contentType: req.headers['content-type'] ?? '', body, headers: req.headers,
      ...(parts.length ? { parts } : {}), ...(d.sessionId ? { sessionId: d.sessionId } : {}),
    });
  }
}
