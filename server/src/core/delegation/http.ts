/**
 * The delegation protocol's HTTP binding (Delegation 5.3; SCR DM-DEL-S-007, DM-DEL-S-008):
 * messages are POSTed with Content-Type application/vnd.dm.delegation+xml to
 * https://<host>[:<port>][...]/<interface_name>; the HTTP response carries the synchronous
 * answer (delegation_resp, bootstrap_srv_url_delivery, delegation_termination_ack) or no content,
 * its status code then being the answer (204 on success).
 */
import type { Diagnostic } from '../diagnostic.js';
import { pushAll } from '../diagnostic.js';
import { type HttpExchange, type HttpMessage, acceptsMediaType, header, lacksHost, mediaRanges, mediaType } from '../http/message.js';
import { type XmlDocument, parseXml } from '../xml/parse.js';
import { type DelegationMessage, messageByRoot, recogniseRoot } from './messages.js';
import { type DelegationAnalysis, validateDelegation } from './validate.js';
import { DELEGATION_MEDIA_TYPE } from './mediaType.js';


export interface DelegationBody {
  message: HttpMessage;
  doc: XmlDocument;
  analysis: DelegationAnalysis;
}

/** Whether an HTTP message is a delegation one: by its Content-Type, or by the message its body holds. */
export function isDelegationHttp(text: string, msg: HttpMessage): boolean {
  const ct = header(msg, 'content-type');
  if (ct && mediaType(ct.value) === DELEGATION_MEDIA_TYPE) return true;
  const body = text.slice(msg.body.start, msg.body.end);
  const m = /<([A-Za-z_][\w.-]*)[\s>/]/.exec(withoutPisAndComments(body));
  return !!m && recogniseRoot(m[1]!) !== undefined;
}

/**
 * The text without its processing instructions and comments (XML 1.0 2.5, 2.6), as
 * `s.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, '')` takes them out. Read in one pass: that
 * pattern looks for the end of an unclosed one again from every later '<?' or '<!--', quadratic on
 * a body made of them. Once one kind is known to have no end, no later one of that kind has.
 */
export function withoutPisAndComments(s: string): string {
  const out: string[] = [];
  let from = 0;
  let piEnds = true;
  let commentEnds = true;
  for (let i = s.indexOf('<'); i >= 0; ) {
    let end = -1;
    if (piEnds && s.startsWith('<?', i)) {
      const close = s.indexOf('?>', i + 2);
      if (close < 0) piEnds = false;
      else end = close + 2;
    } else if (commentEnds && s.startsWith('<!--', i)) {
      const close = s.indexOf('-->', i + 4);
      if (close < 0) commentEnds = false;
      else end = close + 3;
    }
    if (end < 0) {
      i = s.indexOf('<', i + 1);
      continue;
    }
    out.push(s.slice(from, i));
    from = end;
    i = s.indexOf('<', end);
  }
  out.push(s.slice(from));
  return out.join('');
}

export function validateDelegationExchange(text: string, exchange: HttpExchange): { diagnostics: Diagnostic[]; bodies: DelegationBody[] } {
  const out: Diagnostic[] = [];
  const bodies: DelegationBody[] = [];
  let lastRequest: DelegationMessage | undefined;
  for (const msg of exchange.messages) {
    // A response belongs to the delegation request before it, whatever it carries.
    const answersDelegation = msg.kind === 'response' && lastRequest !== undefined;
    if (!answersDelegation && !isDelegationHttp(text, msg)) {
      lastRequest = undefined;
      continue;
    }
    const body = checkBody(text, msg, out);
    if (body) bodies.push(body);
    const carried = body?.analysis.message;
    if (msg.kind === 'request') {
      checkRequest(msg, carried, out);
      lastRequest = carried;
    } else {
      checkResponse(msg, carried, lastRequest, out);
      lastRequest = undefined;
    }
  }
  return { diagnostics: out, bodies };
}

function checkBody(text: string, msg: HttpMessage, out: Diagnostic[]): DelegationBody | undefined {
  const ct = header(msg, 'content-type');
  const hasBody = msg.body.end > msg.body.start;
  if (hasBody && !ct) {
    out.push({
      start: msg.startLine.start,
      end: msg.startLine.end,
      severity: 'error',
      code: 'http.content-type',
      message: `A delegation message body needs 'Content-Type: ${DELEGATION_MEDIA_TYPE}' (Delegation 5.3, DM-DEL-S-007).`,
      fixes: [{ title: 'Add the Content-Type header', edits: [{ start: msg.startLine.end, end: msg.startLine.end, newText: `\nContent-Type: ${DELEGATION_MEDIA_TYPE}` }], preferred: true }],
    });
  }
  checkContentLength(text, msg, out);
  if (!hasBody) return undefined;
  const doc = parseXml(text, msg.body.start, msg.body.end);
  const analysis = validateDelegation(text, doc, { claimed: true });
  pushAll(out, analysis.diagnostics);
  return { message: msg, doc, analysis };
}

function checkContentLength(text: string, msg: HttpMessage, out: Diagnostic[]): void {
  const cl = header(msg, 'content-length');
  // Printed examples write a placeholder ("nnnn"); only a number can be checked.
  if (!cl || !/^\d+$/.test(cl.value)) return;
  const actual = Buffer.byteLength(text.slice(msg.body.start, msg.body.end), 'utf8');
  const declared = Number(cl.value);
  if (declared !== actual) {
    out.push({
      start: cl.valueStart,
      end: cl.valueEnd,
      severity: 'warning',
      code: 'http.content-length',
      message: `Content-Length says ${declared} bytes; the body here has ${actual} (RFC 7230 §3.3.2).`,
      fixes: [{ title: `Set Content-Length to ${actual}`, edits: [{ start: cl.valueStart, end: cl.valueEnd, newText: String(actual) }], preferred: true }],
    });
  }
}

function checkRequest(msg: HttpMessage, carried: DelegationMessage | undefined, out: Diagnostic[]): void {
  if (msg.method !== 'POST') {
    out.push({
      ...msg.methodSpan!,
      severity: 'error',
      code: 'http.method',
      message: `Delegation messages are sent with HTTP POST, not ${msg.method} (Delegation 5.3, DM-DEL-S-007).`,
      fixes: [{ title: 'Change to POST', edits: [{ ...msg.methodSpan!, newText: 'POST' }], preferred: true }],
    });
  }
  checkTarget(msg, out);
  const ct = header(msg, 'content-type');
  if (ct && mediaType(ct.value) !== DELEGATION_MEDIA_TYPE) {
    out.push({
      start: ct.valueStart,
      end: ct.valueEnd,
      severity: 'error',
      code: 'http.content-type',
      message: `Delegation messages are POSTed with Content-Type ${DELEGATION_MEDIA_TYPE} (Delegation 5.3, DM-DEL-S-007).`,
      fixes: [{ title: `Change to ${DELEGATION_MEDIA_TYPE}`, edits: [{ start: ct.valueStart, end: ct.valueEnd, newText: DELEGATION_MEDIA_TYPE }], preferred: true }],
    });
  }
  checkAccept(msg, out);
  if (msg.body.end <= msg.body.start) {
    out.push({ ...msg.startLine, severity: 'error', code: 'http.body-missing', message: 'The POST carries no delegation message: the body is the XML document (Delegation 5.3).' });
  }
  if (carried && carried.transport.kind === 'response') {
    out.push({
      ...msg.startLine,
      severity: 'error',
      code: 'http.message-direction',
      message: `${carried.name} is never POSTed: it is carried by the HTTP response to ${carried.transport.to} (Delegation ${carried.sections[0]}).`,
    });
  }
}

function checkTarget(msg: HttpMessage, out: Diagnostic[]): void {
  const target = msg.target!;
  const span = msg.targetSpan!;
  const fault = (message: string, fixes?: Diagnostic['fixes']): void => {
    out.push({ ...span, severity: 'error', code: 'http.target', message: `${message} (Delegation 5.3, DM-DEL-S-008).`, ...(fixes ? { fixes } : {}) });
  };
  let path = target;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    let url: URL | undefined;
    try {
      url = new URL(target);
    } catch {
      url = undefined;
    }
    if (!url || !url.host) return fault(`'${target}' is not a URL of the form https://<host>[:<port>]/<interface_name>`);
    if (url.protocol !== 'https:') {
      const fixed = 'https' + target.slice(target.indexOf(':'));
      return fault(`The delegation end point is reached over HTTPS with mutual authentication, not ${url.protocol.slice(0, -1)}`, [
        { title: 'Use https', edits: [{ ...span, newText: fixed }], preferred: true },
      ]);
    }
    path = url.pathname;
  } else if (lacksHost(msg)) {
    out.push({ ...msg.startLine, severity: 'error', code: 'http.host', message: 'An HTTP/1.1 request with a path as its target needs a Host header (RFC 7230 §5.4).' });
  }
  if (!path.startsWith('/')) return fault(`The target '${target}' must be a path /.../<interface_name> or an https URL`);
  const last = path.split('?')[0]!.split('/').pop();
  if (!last) fault(`The target '${target}' must end with the name of the interface: https://<host>[:<port>][...]/<interface_name>`);
}

function checkAccept(msg: HttpMessage, out: Diagnostic[]): void {
  const accept = header(msg, 'accept');
  if (!accept) return;
  const { ranges, malformed } = mediaRanges(accept.value);
  if (malformed !== undefined) {
    out.push({
      start: accept.valueStart,
      end: accept.valueEnd,
      severity: 'warning',
      code: 'http.accept',
      message: `'${malformed}' is not a media range type/subtype (RFC 7231 §5.3.2); the delegation media type is ${DELEGATION_MEDIA_TYPE}. The example in Delegation Appendix C prints this header malformed.`,
      fixes: [{ title: `Change to ${DELEGATION_MEDIA_TYPE}`, edits: [{ start: accept.valueStart, end: accept.valueEnd, newText: DELEGATION_MEDIA_TYPE }], preferred: true }],
    });
    return;
  }
  if (!acceptsMediaType(ranges, DELEGATION_MEDIA_TYPE)) {
    out.push({
      start: accept.valueStart,
      end: accept.valueEnd,
      severity: 'warning',
      code: 'http.accept',
      message: `Accept does not include ${DELEGATION_MEDIA_TYPE}, the type of a synchronous delegation response (Delegation 5.3).`,
    });
  }
}

function checkResponse(msg: HttpMessage, carried: DelegationMessage | undefined, request: DelegationMessage | undefined, out: Diagnostic[]): void {
  const hasBody = msg.body.end > msg.body.start;
  const status = msg.status!;
  const span = msg.statusSpan!;
  if (carried && carried.transport.kind === 'post') {
    out.push({
      ...msg.startLine,
      severity: 'error',
      code: 'http.message-direction',
      message: `${carried.name} is sent as its own HTTP POST (Delegation ${carried.sections[0]}); an HTTP response carries only delegation_resp, bootstrap_srv_url_delivery or delegation_termination_ack.`,
    });
  }
  const ct = header(msg, 'content-type');
  if (hasBody && ct && mediaType(ct.value) !== DELEGATION_MEDIA_TYPE) {
    out.push({
      start: ct.valueStart,
      end: ct.valueEnd,
      severity: 'warning',
      code: 'http.content-type',
      message: `A delegation response with content SHOULD be ${DELEGATION_MEDIA_TYPE} (Delegation 5.3).`,
      fixes: [{ title: `Change to ${DELEGATION_MEDIA_TYPE}`, edits: [{ start: ct.valueStart, end: ct.valueEnd, newText: DELEGATION_MEDIA_TYPE }], preferred: true }],
    });
  }
  if (!request) return;
  const t = request.transport;
  if (t.kind !== 'post') return;
  if (t.response === 'no-content') {
    if (hasBody) {
      out.push({
        ...msg.startLine,
        severity: 'error',
        code: 'http.unexpected-body',
        message: `The HTTP response to ${request.name} has no content; its status code is the answer (Delegation ${request.sections[0]}, 5.3).`,
      });
    } else if (status >= 200 && status < 300 && status !== 204) {
      out.push({
        ...span,
        severity: 'warning',
        code: 'http.status',
        message: `A response without content to ${request.name} answers with 204 No Content (Delegation 5.3).`,
        fixes: [{ title: 'Change to 204', edits: [{ ...span, newText: '204' }], preferred: true }],
      });
    }
    return;
  }
  const expected = messageByRoot(t.response)!;
  if (!hasBody) {
    if (status >= 200 && status < 300) {
      out.push({
        ...msg.startLine,
        severity: 'error',
        code: 'http.body-missing',
        message: `The HTTP response to ${request.name} carries ${expected.name} (<${expected.root}>, Delegation ${expected.sections[0]}).`,
      });
    }
    return;
  }
  if (carried && carried !== expected && carried.transport.kind === 'response') {
    out.push({
      ...msg.startLine,
      severity: 'error',
      code: 'http.response-mismatch',
      message: `The response to ${request.name} carries ${expected.name}, not ${carried.name} (Delegation ${expected.sections[0]}).`,
    });
  }
}
