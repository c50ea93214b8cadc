/**
 * Trace events as people read them: one-line labels for the DM Sessions view, and documents in the
 * file kinds the language server validates, so what the emulated parts really exchanged gets the
 * same diagnostics as a fixture: a package as its JSON (DM 2.0 7.2.1), a DM Notification as hex
 * (7.1), an HTTP exchange as the specification prints one (request line, headers, an empty line,
 * the body, then the response; 5.2, Appendix F).
 */
import { STATUS_CODES } from 'node:http';
import type { TraceEvent } from '../../../server/src/core/trace/events';
import { package3Body } from '../../../server/src/core/dm20/appendixF';

export interface TraceDocument {
  /** The file name ending that picks the language: `.pkg1.json`, `.pkg0.hex`, `.dmhttp`, ... */
  extension: string;
  language: 'dm-json' | 'dm-notification' | 'dm-http' | 'plaintext';
  text: string;
}

const PACKAGE_EXTENSIONS: Partial<Record<TraceEvent['kind'], string>> = { package1: '.pkg1.json', package2: '.pkg2.json', package3: '.pkg3.json' };

/** An exchange that failed: an HTTP error status (4xx, 5xx), or no answer at all (5.6: the session is aborted). */
export function failed(e: TraceEvent): boolean {
  if (e.kind === 'note') return /^session aborted/.test(e.note ?? '');
  if (e.kind === 'package0') return /^dropped/.test(e.note ?? '');
  return (e.status !== undefined && e.status >= 400) || (e.transport === 'http' && e.status === undefined && e.note !== undefined);
}

/** "Package#1 POST http://dm.example/dm 200", "GET http://dm.example/repository/x 404", "Package#0 from 127.0.0.1:4711". */
export function eventLabel(e: TraceEvent): string {
  if (e.kind === 'note') return e.note ?? '';
  const what = e.kind === 'http' ? '' : e.kind.replace('package', 'Package#');
  const request = e.method ? `${e.method} ${e.url ?? ''}` : '';
  const from = e.kind === 'package0' ? `from ${e.from}` : '';
  const status = e.status !== undefined ? String(e.status) : e.transport === 'http' && e.note ? 'no answer' : '';
  return [what, request, from, status].filter(Boolean).join(' ');
}

function json(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body, null, 1);
}

/** The document of one event: packages as JSON, Package#0 as hex, other HTTP exchanges as an exchange. */
export function eventDocument(e: TraceEvent, response?: TraceEvent): TraceDocument {
  const ext = PACKAGE_EXTENSIONS[e.kind];
  if (ext) return { extension: ext, language: 'dm-json', text: json(e.body ?? '') + '\n' };
  if (e.kind === 'package0') {
    const hex = String(e.body ?? '').match(/.{1,2}/g) ?? [];
    const lines: string[] = [];
    for (let i = 0; i < hex.length; i += 16) lines.push(hex.slice(i, i + 16).join(' '));
    return { extension: '.pkg0.hex', language: 'dm-notification', text: `# Received from ${e.from} over UDP (WAP Push, DM 2.0 E.1): ${e.note ?? ''}\n${lines.join('\n')}\n` };
  }
  if (e.transport === 'http') return { extension: '.dmhttp', language: 'dm-http', text: exchangeText(e, response) };
  return { extension: '.txt', language: 'plaintext', text: `${e.note ?? ''}\n` };
}

/** Header names as the specification writes them (Content-Type, OMADM-DevID). */
function headerName(name: string): string {
  return name.split('-').map((w) => (w === 'omadm' ? 'OMADM' : w === 'devid' ? 'DevID' : w.charAt(0).toUpperCase() + w.slice(1))).join('-');
}

/** The body that went on the wire: a Package#3 with GET data is rebuilt as its multipart body (Appendix F). */
function requestBody(e: TraceEvent): string {
  if (e.kind === 'http') return e.requestBody ?? '';
  const text = json(e.body ?? '');
  const boundary = /boundary=("?)([^";]+)\1/i.exec(e.contentType ?? '')?.[2];
  if (e.kind !== 'package3' || !boundary || !e.parts?.length) return text;
  try {
    return package3Body(text, e.parts.map((p) => ({ name: p.name ?? '', contentType: p.contentType, body: p.body })), boundary).body.replace(/\r\n/g, '\n');
  } catch {
    return text;
  }
}

/**
 * An HTTP exchange: the request (origin-form with Host, RFC 9112 3.2) and the response. For a
 * Package#1 or #3 the response is the Package#2 that came back (5.2.3).
 */
export function exchangeText(request: TraceEvent, response?: TraceEvent): string {
  let url: URL | undefined;
  try {
    url = new URL(request.url ?? '');
  } catch {
    url = undefined;
  }
  const lines = [`${request.method ?? 'POST'} ${url ? url.pathname + url.search : request.url ?? '/'} HTTP/1.1`];
  const headers = { ...(request.headers ?? {}) };
  // A request whose body the trace does not hold is shown without its Content-Type, so the document claims no body it cannot show.
  if (request.kind === 'http' && request.method !== 'GET' && request.requestBody === undefined) delete headers['content-type'];
  if (url && !headers.host) lines.push(`Host: ${url.host}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`${headerName(k)}: ${v}`);
  lines.push('', requestBody(request).replace(/\n$/, ''));
  const status = response?.status ?? request.status;
  // No answer (the request failed, 5.6): the exchange is the request alone; the view says why.
  if (status === undefined) return lines.join('\n').replace(/\n+$/, '') + '\n';
  const answer = request.kind === 'http' ? request : response;
  lines.push('', `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd());
  if (answer?.contentType) lines.push(`Content-Type: ${answer.contentType}`);
  const body = answer?.body !== undefined ? json(answer.body) : '';
  lines.push('', body.replace(/\n$/, ''));
  return lines.join('\n').replace(/\n+$/, '') + '\n';
}
