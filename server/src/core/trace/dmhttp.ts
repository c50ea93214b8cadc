/**
 * A trace (or some of its events) as a `.dmhttp` fixture: each HTTP exchange as the specifications
 * print one (request line, header fields, an empty line, the body; then the response the same
 * way; RFC 9112 2-3, 6), exchanges separated by a line of dashes as Delegation Appendix C does.
 * A Package#1 or #3 is the POST that carried it, answered by the Package#2 that came back in its
 * HTTP response (DM 2.0 5.2.3); a multipart Package#3 is rebuilt with its parts (Appendix F);
 * delegation messages, Data Repository requests (HGET, HPUT, HPOST) and the DM Bootstrap are
 * written as they were sent. The request a device or peer sent is also what a replay sends again.
 *
 * What is not an HTTP exchange is left out and said so: a Package#0 travels over UDP (E.1), notes
 * are for people. An exchange whose body holds a line the fixture format would read as the start
 * of another message, or as the separator, is left out too, since the fixture could not hold it.
 */
import type { TraceEvent } from './events.js';
import { isDelegation } from './diagram.js';
import { DELEGATION_MEDIA_TYPE } from '../delegation/mediaType.js';
import { package3Body } from '../dm20/appendixF.js';
import { isStartLine } from '../http/message.js';

/** Reason phrases (RFC 9110 15) of the statuses DM Servers, Data Repositories and peers answer with. */
const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone',
  411: 'Length Required', 412: 'Precondition Failed', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** Header fields that describe one transfer of the bytes, not the message: a rewritten body has its own. */
const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'host']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SEPARATOR = /^-{4,}\s*$/;
const EXCHANGE_SEPARATOR = '-'.repeat(52);

/** A request as it went on the wire, rebuilt from its trace event. */
export interface TracedRequest {
  method: string;
  /** As recorded: absolute, or a path when the trace is the receiver's view. */
  url: string;
  /** Lower-case names, in the order they are written; Content-Type included when there is a body. */
  headers: Record<string, string>;
  body: string;
}

const PACKAGE_REQUESTS = new Set<TraceEvent['kind']>(['package1', 'package3']);

/** Whether an event is a request its sender made over HTTP (a Package#1 or #3, or another exchange). */
export function isTracedRequest(e: TraceEvent): boolean {
  return e.transport === 'http' && (PACKAGE_REQUESTS.has(e.kind) || e.kind === 'http');
}

/** The request an event records: method, URL, the headers sent and the body. */
export function tracedRequest(e: TraceEvent): TracedRequest {
  const headers: Record<string, string> = {};
  const recorded = e.headers && typeof e.headers === 'object' ? e.headers : {};
  for (const [k, v] of Object.entries(recorded)) {
    const name = k.toLowerCase();
    if (HOP_HEADERS.has(name) || !TOKEN.test(k) || typeof v !== 'string') continue;
    headers[name] = v.replace(/[\r\n\u0000]+/g, ' ');
  }
  const method = typeof e.method === 'string' && TOKEN.test(e.method) ? e.method : 'POST';
  let body = '';
  if (PACKAGE_REQUESTS.has(e.kind)) {
    const text = json(e.body);
    const type = typeof e.contentType === 'string' && e.contentType ? e.contentType : headers['content-type'];
    const boundary = /boundary=("?)([^";]+)\1/i.exec(type ?? '')?.[2];
    body = text;
    if (type) headers['content-type'] = type;
    if (e.kind === 'package3' && boundary && Array.isArray(e.parts) && e.parts.length) {
      try {
        body = package3Body(text, e.parts.map((p) => ({ name: String(p.name ?? ''), contentType: String(p.contentType), body: String(p.body) })), boundary).body;
      } catch {
        // A boundary the parts contain, or an invalid one: the Package#3 alone, typed as such (Appendix F).
        headers['content-type'] = 'application/vnd.oma.dm.response+json';
      }
    }
  } else if (typeof e.requestBody === 'string') {
    body = e.requestBody;
    // The peers trace a delegation message's media type, not the header: it is the request's (Delegation 5.3).
    if (!headers['content-type'] && isDelegation(e)) headers['content-type'] = DELEGATION_MEDIA_TYPE;
  } else if (method !== 'GET') {
    // The trace does not hold what was sent: no Content-Type claiming a body that is not there.
    delete headers['content-type'];
  }
  return { method, url: typeof e.url === 'string' ? e.url : '/', headers, body };
}

/** The response an event records, or the Package#2 that answered it. */
interface TracedResponse {
  status: number;
  contentType?: string;
  body: string;
}

function responseOf(request: TraceEvent, package2: TraceEvent | undefined): TracedResponse | undefined {
  if (package2) return { status: typeof package2.status === 'number' ? package2.status : 200, contentType: str(package2.contentType) || 'application/vnd.oma.dm.request+json', body: json(package2.body) };
  if (typeof request.status !== 'number') return undefined;
  // A package answered with an error: the trace keeps the status, not the problem document.
  if (request.kind !== 'http') return { status: request.status, body: '' };
  const body = json(request.body);
  const type = str(request.contentType);
  return { status: request.status, ...(body && type ? { contentType: type } : {}), body };
}

export interface DmhttpResult {
  text: string;
  /** HTTP exchanges written. */
  exchanges: number;
  /** Events left out, and why (at most 100; `moreSkipped` counts the rest). */
  skipped: { event: number; reason: string }[];
  moreSkipped: number;
}

interface Block {
  request?: TraceEvent;
  index: number;
  package2?: TraceEvent;
  session: string;
}

/**
 * The Package#2 that answered each Package#1 and #3 (DM 2.0 5.2.3): the next Package#2 of the
 * same DM Session, between the same device and DM Server, before another request of that session.
 * Request index -> Package#2 index.
 */
export function package2Answers(events: readonly TraceEvent[]): Map<number, number> {
  const answers = new Map<number, number>();
  const waiting = new Map<string, number>();
  events.forEach((e, n) => {
    if (e.transport !== 'http') return;
    if (e.kind === 'package2') {
      const key = sessionKey(e, e.to, e.from);
      const at = waiting.get(key);
      if (at !== undefined) {
        answers.set(at, n);
        waiting.delete(key);
      }
    } else if (PACKAGE_REQUESTS.has(e.kind)) waiting.set(sessionKey(e, e.from, e.to), n);
  });
  return answers;
}

/** Which DM Session a package belongs to: its id, and the device and DM Server it is between. */
function sessionKey(e: TraceEvent, device: string, server: string): string {
  return `${str(e.sessionId)}\u0000${device}\u0000${server}`;
}

export function traceToDmhttp(events: readonly TraceEvent[], opts: { offset?: number } = {}): DmhttpResult {
  const offset = opts.offset ?? 0;
  const skipped: { event: number; reason: string }[] = [];
  let moreSkipped = 0;
  const skip = (n: number, reason: string): void => {
    if (skipped.length < 100) skipped.push({ event: n + offset, reason });
    else moreSkipped++;
  };
  const answers = package2Answers(events);
  const answered = new Set(answers.values());
  const blocks: Block[] = [];
  /** The DM Sessions of the events: the packages and HTTP exchanges of each are written together. */
  const sessions = new Map<string, Block[]>();
  events.forEach((e, n) => {
    if (e.kind === 'note') return;
    if (e.kind === 'package0') return skip(n, 'a Package#0 travels over UDP (DM 2.0 E.1), not in an HTTP exchange');
    if (e.transport !== 'http') return skip(n, `sent over ${str(e.transport) || 'an unknown transport'}, not HTTP`);
    if (e.kind === 'package2') {
      const key = sessionKey(e, e.to, e.from);
      sessions.set(key, []);
      // A Package#2 that answers a request is written as that request's response.
      if (!answered.has(n)) blocks.push({ index: n, package2: e, session: key });
      return;
    }
    if (!isTracedRequest(e)) return skip(n, `not an HTTP exchange (${str(e.kind)})`);
    const key = sessionKey(e, e.from, e.to);
    const answer = answers.get(n);
    blocks.push({ request: e, index: n, session: key, ...(answer !== undefined ? { package2: events[answer]! } : {}) });
    if (PACKAGE_REQUESTS.has(e.kind)) sessions.set(key, []);
  });
  // Sessions of many devices run at once (a fleet): a fixture is read in order, each Package#3
  // against the Package#2 before it (5.2.4), so each DM Session's exchanges are written together,
  // where the session began. Exchanges outside DM Sessions (delegation messages) keep their place.
  for (const b of blocks) sessions.get(b.session)?.push(b);
  const ordered: Block[] = [];
  for (const b of blocks) {
    const own = sessions.get(b.session);
    if (!own) ordered.push(b);
    else if (own.length) {
      for (const x of own) ordered.push(x);
      own.length = 0;
    }
  }
  const out: string[] = [];
  for (const b of ordered) {
    const lines: string[] = [];
    let unsafe = false;
    const body = (text: string): void => {
      const ls = bodyLines(text);
      unsafe ||= ls.some((l) => SEPARATOR.test(l.trim()) || isStartLine(l.trim()));
      lines.push('', ...ls);
    };
    if (b.request) {
      const r = tracedRequest(b.request);
      lines.push(...requestHead(b.request, r));
      body(r.body);
    }
    const response = b.request ? responseOf(b.request, b.package2) : b.package2 ? responseOf(b.package2, b.package2) : undefined;
    if (response) {
      if (lines.length) lines.push('');
      lines.push(`HTTP/1.1 ${response.status} ${REASONS[response.status] ?? ''}`.trimEnd());
      if (response.contentType) lines.push(`Content-Type: ${response.contentType.replace(/[\r\n]+/g, ' ')}`);
      body(response.body);
    }
    if (unsafe) {
      skip(b.index, 'a line of its body would read as the start of another HTTP message, or as a separator, in a .dmhttp file');
      continue;
    }
    // The run of line breaks is taken from its first one only (the lookbehind): tried from each of a
    // long run in the middle of a body, the pattern read the run again every time.
    out.push(lines.join('\n').replace(/(?<!\n)\n+$/, ''));
  }
  skipped.sort((a, b) => a.event - b.event);
  return { text: out.length ? out.join(`\n\n${EXCHANGE_SEPARATOR}\n\n`) + '\n' : '', exchanges: out.length, skipped, moreSkipped };
}

/** The request line in origin-form with its Host (RFC 9112 3.2), then the header fields sent. */
function requestHead(e: TraceEvent, r: TracedRequest): string[] {
  const m = /^([a-z][a-z0-9+.-]*:)\/\/([^/?#]*)([^#]*)/i.exec(r.url);
  const target = m ? m[3] || '/' : r.url.startsWith('/') ? r.url : `/${r.url}`;
  const host = m ? m[2]! : str(e.headers?.host).replace(/[^A-Za-z0-9.:[\]-]/g, '');
  const lines = [`${r.method} ${target.replace(/\s/g, '%20')} HTTP/1.1`, `Host: ${host || 'localhost'}`];
  for (const [k, v] of Object.entries(r.headers)) lines.push(`${headerName(k)}: ${v}`);
  return lines;
}

function bodyLines(body: string): string[] {
  // Trailing line breaks from the first of their run only, as in traceToDmhttp.
  const t = body.replace(/\r\n/g, '\n').replace(/(?<!\n)\n+$/, '');
  return t ? t.split('\n') : [];
}

/** Header names as the specifications write them (Content-Type, OMADM-DevID). */
function headerName(name: string): string {
  return name.split('-').map((w) => (w === 'omadm' ? 'OMADM' : w === 'devid' ? 'DevID' : w.charAt(0).toUpperCase() + w.slice(1))).join('-');
}

function json(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  try {
    return JSON.stringify(body, null, 1);
  } catch {
    // Nested deeper than the engine's stack allows to write: the exchange says so instead of failing the whole trace.
    return '(a body nested too deep to write)';
  }
}

function str(x: unknown): string {
  return typeof x === 'string' ? x : x === undefined || x === null ? '' : String(x);
}
