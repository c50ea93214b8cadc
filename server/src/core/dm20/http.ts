/**
 * The DM 2.0 HTTP binding as fixtures show it: Package#1 and #3 are POSTed with the OMADM-DevID
 * header (5.2.2, 5.2.4), Package#2 comes back in the HTTP response (5.2.3), the Content-Type
 * names the package (7.2.1), Accept and OMADM-Accept negotiate formats (5.5), and a Package#3
 * with GET data is multipart/form-data with one named part per GET answered 200 (Appendix F).
 * Severities follow the sentence cited: MUST and MUST NOT are errors, SHOULD a warning.
 */
import type { Diagnostic, Fix } from '../diagnostic.js';
import { pushAll } from '../diagnostic.js';
import { LineIndex } from '../text/lineIndex.js';
import { type HttpExchange, type HttpHeader, type HttpMessage, type Span, acceptsMediaType, header, lacksHost, mediaRanges, mediaType } from '../http/message.js';
import { type Part, boundaryOf, splitMultipart } from '../http/multipart.js';
import { JsonDocument } from '../json/document.js';
import { PACKAGES, type PackageKind, kindByMediaType, kindByShape } from './packages.js';
import { type PackageAnalysis, validatePackage } from './validate.js';
import type { CommandName } from './commands.js';
import { SessionFlow } from './session.js';

export interface PackageBody extends Span {
  kind: PackageKind;
  json: JsonDocument;
  analysis: PackageAnalysis;
}

const REQUEST_TYPE = 'application/vnd.oma.dm.request+json';

interface Claimed {
  kind?: PackageKind;
  /** The body, when it was parsed to find its shape (not parsed again). */
  json?: JsonDocument;
  /** The boundary given, or, when the Content-Type lacks it, the one the body's first delimiter line uses. */
  multipart?: { boundary?: string; missing?: HttpHeader };
  /** The Content-Type does not name the package its body is. */
  wrongType?: { header: HttpHeader; kind: PackageKind };
}

/** What DM 2.0 package an HTTP message carries, by Content-Type, or by the shape of a JSON body. */
function claim(text: string, msg: HttpMessage): Claimed | undefined {
  const ct = header(msg, 'content-type');
  const type = ct ? mediaType(ct.value) : '';
  if (type === 'multipart/form-data') {
    const boundary = boundaryOf(ct!.value);
    if (boundary) return { multipart: { boundary } };
    const guessed = firstDelimiter(text, msg.body);
    return { multipart: { ...(guessed ? { boundary: guessed } : {}), missing: ct! } };
  }
  const byType = kindByMediaType(type);
  if (byType) return { kind: byType };
  const body = text.slice(msg.body.start, msg.body.end).trim();
  if (!body.startsWith('{') && !body.startsWith('[')) return undefined;
  const json = new JsonDocument(text, msg.body.start, msg.body.end);
  const shape = kindByShape(json.value);
  if (!shape) return undefined;
  return ct ? { kind: shape, json, wrongType: { header: ct, kind: shape } } : { kind: shape, json };
}

export function validateDm20Exchange(text: string, exchange: HttpExchange): { diagnostics: Diagnostic[]; bodies: PackageBody[] } {
  const out: Diagnostic[] = [];
  const bodies: PackageBody[] = [];
  // Line numbers for messages, from one index of the text (counting from the start each time is quadratic).
  let index: LineIndex | undefined;
  const lineOf = (offset: number): number => (index ??= new LineIndex(text)).positionAt(offset).line + 1;
  let commands: { list: CommandName[]; where: string } | undefined;
  // The package flow of 5.2, judged by the same state machine the emulated parts run on.
  let flow: SessionFlow | undefined;
  for (const msg of exchange.messages) {
    const c = claim(text, msg);
    if (!c) continue;
    const where = `the Package#2 at line ${lineOf(msg.start)}`;
    if (c.wrongType) {
      const t = PACKAGES[c.wrongType.kind].mediaType;
      out.push({
        start: c.wrongType.header.valueStart,
        end: c.wrongType.header.valueEnd,
        // Appendix F: without data "the Content-Type HTTP header defined for Package#3 MUST be
        // used"; for the other packages 7.2.1 names the media type without a MUST.
        severity: c.wrongType.kind === 'pkg3' ? 'error' : 'warning',
        code: 'http.content-type',
        message: c.wrongType.kind === 'pkg3'
          ? `The body is a Package#3; without embedded data, the Content-Type defined for Package#3, ${t}, MUST be used (DM 2.0 7.2.1.3, Appendix F).`
          : `The body is a ${PACKAGES[c.wrongType.kind].title}, whose media type is ${t ?? 'not defined'} (DM 2.0 7.2.1).`,
        ...(t ? { fixes: [{ title: `Change to ${t}`, edits: [{ start: c.wrongType.header.valueStart, end: c.wrongType.header.valueEnd, newText: t }], preferred: true }] } : {}),
      });
    }
    const kind = c.multipart ? 'pkg3' : c.kind!;
    checkDirection(msg, kind, out);
    if (msg.kind === 'request' && (kind === 'pkg1' || kind === 'pkg3')) checkSessionRequest(msg, out);
    checkAcceptHeaders(msg, out);
    if (kind === 'pkg1') (flow = new SessionFlow('')).package1();
    let afterEnd = false;
    if (kind === 'pkg3' && flow?.package3()?.code === 'dm.package3-after-end') {
      // 5.2.4: "this Package#3 MUST NOT be sent": an error.
      afterEnd = true;
      out.push({ ...msg.startLine, severity: 'error', code: 'dm.package3-after-end', message: `${commands?.where.replace('the ', 'The ') ?? 'The Package#2 before it'} ends the session with END: a Package#3 MUST NOT be sent after it (DM 2.0 5.2.4, 5.3.9).` });
    }
    const ctx = commands && kind === 'pkg3' ? { commands: commands.list, commandsFrom: commands.where, flowJudged: true } : {};
    if (c.multipart?.missing) {
      const h = c.multipart.missing;
      const b = c.multipart.boundary;
      out.push({
        start: h.valueStart,
        end: h.valueEnd,
        severity: 'error',
        code: 'http.multipart-boundary',
        message: `multipart/form-data needs its boundary parameter, the delimiter of its parts: "the Content-Type field for multipart entities requires one parameter, boundary" (RFC 2046 5.1.1; DM 2.0 Appendix F).${b ? ` The body delimits its parts with --${b}.` : ''}`,
        ...(b ? { fixes: [{ title: `Add boundary=${b}`, edits: [{ start: h.valueEnd, end: h.valueEnd, newText: `; boundary=${b}` }], preferred: true }] } : {}),
      });
    }
    if (c.multipart) {
      // Without a boundary the parts cannot be told apart; a delimiter line in the body is read as the one meant.
      if (c.multipart.boundary) checkMultipart(text, msg, c.multipart.boundary, ctx, out, bodies);
    } else if (msg.body.end > msg.body.start) {
      const json = c.json ?? new JsonDocument(text, msg.body.start, msg.body.end);
      const analysis = validatePackage(json, kind, ctx);
      pushAll(out, analysis.diagnostics);
      bodies.push({ ...msg.body, kind, json, analysis });
      // A Package#3 that MUST NOT be sent at all (after END) is not judged for the data it would carry.
      if (kind === 'pkg3' && !afterEnd) checkDataWithoutMultipart(msg, analysis.statuses ?? [], ctx, out);
      if (kind === 'pkg2' && analysis.commands) {
        commands = { list: analysis.commands, where };
        if (flow?.state !== 'awaiting-package2') flow = SessionFlow.midway();
        flow.package2({ commands: analysis.commands.map((name) => ({ name, params: [] })) });
      }
    } else if (kind !== 'pkg1') {
      out.push({ ...msg.startLine, severity: 'error', code: 'http.body-missing', message: `The ${PACKAGES[kind].title} has no body (DM 2.0 ${PACKAGES[kind].section}).` });
    }
    // A Package#1 opens a new DM Session: statuses after it answer a Package#2 still to come.
    if (kind === 'pkg1') commands = undefined;
  }
  return { diagnostics: out, bodies };
}

/** The boundary of the first line of a body that looks like a multipart delimiter ("--b"), if any. */
function firstDelimiter(text: string, body: Span): string | undefined {
  let at = body.start;
  while (at < body.end) {
    let nl = text.indexOf('\n', at);
    if (nl < 0 || nl > body.end) nl = body.end;
    const line = text.slice(at, nl).trim();
    if (line) {
      const m = /^--([0-9A-Za-z'()+_,\-./:=?]{1,70})$/.exec(line);
      return m ? m[1] : undefined;
    }
    at = nl + 1;
  }
  return undefined;
}


function checkDirection(msg: HttpMessage, kind: PackageKind, out: Diagnostic[]): void {
  const requestKinds: PackageKind[] = ['pkg1', 'pkg3'];
  if (msg.kind === 'response' && requestKinds.includes(kind)) {
    out.push({ ...msg.startLine, severity: 'error', code: 'http.message-direction', message: `${PACKAGES[kind].title} is sent by the DM Client as an HTTP POST request, not in a response (DM 2.0 ${PACKAGES[kind].section}).` });
  }
  if (msg.kind === 'request' && kind === 'pkg2') {
    out.push({ ...msg.startLine, severity: 'error', code: 'http.message-direction', message: 'Package#2 is the HTTP response to the request that carries Package#1 or #3 (DM 2.0 5.2.3).' });
  }
}

/** Package#1 and #3: POST with OMADM-DevID (5.2.2, 5.2.4), Host for a path target (RFC 7230 §5.4). */
function checkSessionRequest(msg: HttpMessage, out: Diagnostic[]): void {
  if (msg.method !== 'POST') {
    out.push({ ...msg.methodSpan!, severity: 'error', code: 'http.method', message: `Package#1 and Package#3 are sent with HTTP POST, not ${msg.method} (DM 2.0 5.2.2, 5.2.4).`, fixes: [{ title: 'Change to POST', edits: [{ ...msg.methodSpan!, newText: 'POST' }], preferred: true }] });
  }
  if (!header(msg, 'omadm-devid')) {
    const fix: Fix = { title: 'Add the OMADM-DevID header', edits: [{ start: msg.startLine.end, end: msg.startLine.end, newText: '\nOMADM-DevID: IMEI:000000000000000' }], preferred: true };
    out.push({ ...msg.startLine, severity: 'error', code: 'http.devid', message: 'Package#1 and Package#3 carry the OMADM-DevID header with the DevInfo/DevID of the device (DM 2.0 5.2.2, 5.2.4, 12.1).', fixes: [fix] });
  }
  if (lacksHost(msg)) {
    out.push({ ...msg.startLine, severity: 'error', code: 'http.host', message: 'An HTTP/1.1 request with a path as its target needs a Host header (RFC 7230 §5.4).' });
  }
  const accept = header(msg, 'accept');
  if (!accept) {
    // 5.5: "the DM Client SHOULD use the Accept HTTP header": a warning.
    out.push({ ...msg.startLine, severity: 'warning', code: 'http.accept', message: `The DM Client SHOULD use the Accept header to name the Package#2 type it takes, ${REQUEST_TYPE} (DM 2.0 5.5).` });
  }
}

function checkAcceptHeaders(msg: HttpMessage, out: Diagnostic[]): void {
  for (const name of ['accept', 'omadm-accept']) {
    const h = header(msg, name);
    if (!h) continue;
    const { ranges, malformed } = mediaRanges(h.value);
    if (malformed !== undefined) {
      out.push({ start: h.valueStart, end: h.valueEnd, severity: 'warning', code: 'http.accept', message: `'${malformed}' is not a media range type/subtype (${h.name} has the format of Accept, RFC 7231 §5.3.2; DM 2.0 5.5).` });
      continue;
    }
    if (name === 'accept' && msg.kind === 'request' && !acceptsMediaType(ranges, REQUEST_TYPE)) {
      out.push({ start: h.valueStart, end: h.valueEnd, severity: 'warning', code: 'http.accept', message: `Accept does not name ${REQUEST_TYPE}, the type of the Package#2 that answers (DM 2.0 5.5, 7.2.1.2).` });
    }
  }
}

/**
 * Appendix F the other way: "If data is available, the multipart/form-data Content-Type HTTP
 * header MUST be used". A GET answered 200 has data, which a plain Package#3 cannot carry.
 */
function checkDataWithoutMultipart(msg: HttpMessage, statuses: number[], ctx: { commands?: CommandName[]; commandsFrom?: string }, out: Diagnostic[]): void {
  const cmds = ctx.commands?.filter((x) => x !== 'END');
  if (!cmds) return;
  const answered = cmds.flatMap((cmd, i) => (cmd === 'GET' && statuses[i] === 200 ? [i] : []));
  if (!answered.length) return;
  const ct = header(msg, 'content-type');
  const span = ct ? { start: ct.valueStart, end: ct.valueEnd } : msg.startLine;
  const which = answered.length === 1 ? `GET ${answered[0]}` : `GETs ${answered.join(', ')}`;
  out.push({ ...span, severity: 'error', code: 'dm.multipart-required', message: `${which} of ${ctx.commandsFrom} ${answered.length === 1 ? 'is' : 'are'} answered 200, so there is data: it MUST travel as multipart/form-data, the Package#3 first, then one part per GET answered 200 named by its index (DM 2.0 Appendix F).` });
}

/** Appendix F: the Package#3 first, then one part per GET answered 200, named by its index from 0. */
function checkMultipart(text: string, msg: HttpMessage, boundary: string, ctx: { commands?: CommandName[]; commandsFrom?: string }, out: Diagnostic[], bodies: PackageBody[]): void {
  const { parts, errors } = splitMultipart(text, msg.body, boundary);
  pushAll(out, errors);
  const [first, ...data] = parts;
  if (!first) return;
  const firstType = header({ headers: first.headers } as HttpMessage, 'content-type');
  if (!firstType || mediaType(firstType.value) !== PACKAGES.pkg3.mediaType) {
    out.push({ start: first.start, end: first.end, severity: 'error', code: 'dm.multipart-first', message: `The first part of a multipart Package#3 is the Package#3 itself, Content-Type ${PACKAGES.pkg3.mediaType} (DM 2.0 Appendix F).` });
  }
  let statuses: number[] = [];
  if (first.body.end > first.body.start) {
    const json = new JsonDocument(text, first.body.start, first.body.end);
    const analysis = validatePackage(json, 'pkg3', ctx);
    pushAll(out, analysis.diagnostics);
    bodies.push({ ...first.body, kind: 'pkg3', json, analysis });
    statuses = analysis.statuses ?? [];
  }
  if (data.length === 0) {
    // Appendix F: with no data "the Content-Type HTTP header defined for Package#3 MUST be used": an error.
    out.push({ ...msg.startLine, severity: 'error', code: 'dm.multipart-empty', message: `This multipart body carries no data part: when there is no data to embed, the Content-Type defined for Package#3, ${PACKAGES.pkg3.mediaType}, MUST be used instead of multipart (DM 2.0 Appendix F).` });
  }
  const named = new Map<number, Part>();
  for (const part of data) {
    const nameSpan = part.headers.find((h) => h.name.toLowerCase() === 'content-disposition') ?? { start: part.start, end: part.end };
    const span = { start: nameSpan.start, end: nameSpan.end };
    if (part.name === undefined || !/^(0|[1-9][0-9]*)$/.test(part.name)) {
      out.push({ ...span, severity: 'error', code: 'dm.multipart-name', message: `Each data part is named by the index of its GET command, from 0: Content-Disposition: form-data; name="0" (DM 2.0 Appendix F).` });
    } else {
      const index = Number(part.name);
      if (named.has(index)) out.push({ ...span, severity: 'error', code: 'dm.multipart-name', message: `A second part is named "${index}"; each GET has one part (DM 2.0 Appendix F).` });
      named.set(index, part);
      const cmd = ctx.commands?.filter((x) => x !== 'END')[index];
      if (ctx.commands && cmd !== 'GET') {
        out.push({ ...span, severity: 'error', code: 'dm.multipart-command', message: `Part "${index}" answers command ${index} of ${ctx.commandsFrom}, which is ${cmd ?? 'missing'}, not a GET (DM 2.0 Appendix F).` });
      } else if (statuses.length && statuses[index] !== 200) {
        out.push({ ...span, severity: 'error', code: 'dm.multipart-status', message: `Part "${index}" carries data, but status ${index} is ${statuses[index] ?? 'missing'}; data parts answer GETs with status 200 (DM 2.0 Appendix F).` });
      }
    }
    const ct = part.headers.find((h) => h.name.toLowerCase() === 'content-type');
    const kind = ct && kindByMediaType(mediaType(ct.value));
    if (kind && part.body.end > part.body.start) {
      const json = new JsonDocument(text, part.body.start, part.body.end);
      const analysis = validatePackage(json, kind);
      pushAll(out, analysis.diagnostics);
      bodies.push({ ...part.body, kind, json, analysis });
    }
  }
  const cmds = ctx.commands?.filter((x) => x !== 'END');
  cmds?.forEach((cmd, i) => {
    if (cmd === 'GET' && statuses[i] === 200 && !named.has(i)) {
      out.push({ ...msg.startLine, severity: 'error', code: 'dm.multipart-missing', message: `GET ${i} of ${ctx.commandsFrom} is answered 200 but its data part name="${i}" is missing (DM 2.0 Appendix F).` });
    }
  });
}
