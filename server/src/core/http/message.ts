/**
 * HTTP exchange fixtures: one or more whole HTTP/1.1 messages in a text file, as the specs print
 * them (request or status line, header fields, an empty line, the body). RFC 7230 §3.
 *
 * A new message starts at a line that is a request line or a status line; a line of dashes
 * separates exchanges (Delegation Appendix C prints one). Bodies run to the next message. Line
 * ends may be CRLF or LF, and an empty line may hold spaces, as in the printed examples.
 *
 * Written here because the HTTP parsers that exist (llhttp, undici's) parse a byte stream for a
 * live connection, stop at the first fault and keep no source positions; a fixture needs every
 * header's range and all the faults at once.
 */
import type { Diagnostic } from '../diagnostic.js';

export interface Span {
  start: number;
  end: number;
}

export interface HttpHeader extends Span {
  name: string;
  value: string;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
}

export interface HttpMessage extends Span {
  kind: 'request' | 'response';
  startLine: Span;
  method?: string;
  methodSpan?: Span;
  target?: string;
  targetSpan?: Span;
  version: string;
  status?: number;
  statusSpan?: Span;
  reason?: string;
  headers: HttpHeader[];
  /** The body, trimmed of surrounding blank lines; empty when start === end. */
  body: Span;
}

export interface HttpExchange {
  messages: HttpMessage[];
  errors: Diagnostic[];
}

/*
 * The start lines are matched on a line without trailing whitespace, so no pattern needs a
 * trailing `\s*` beside another quantifier that takes the same characters: each quantifier below
 * is followed by a character it cannot take, so a failed match backtracks a step at a time. (A
 * reason phrase written `(?: +(.*?))?\s*$` puts three quantifiers over spaces side by side: a
 * status line padded with 3,000 spaces and a CR takes seconds to refuse.) A reason phrase holds
 * no line terminator (RFC 7230 §3.1.2: HTAB, SP and visible characters).
 */
const REQUEST_LINE = /^([A-Za-z]+)( +)(\S+) +(HTTP\/\d\.\d)$/;
const STATUS_LINE = /^(HTTP\/\d\.\d)( +)(\d{3})(?: +([^ \n\r\u2028\u2029][^\n\r\u2028\u2029]*))?$/;
const SEPARATOR = /^-{4,}\s*$/;
/** A field name is a token (RFC 7230 §3.2, §3.2.6). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/** A header field line, offsets within the line. */
export interface HeaderLine {
  name: string;
  /** The field value without the whitespace around it (RFC 7230 §3.2.4: OWS). */
  value: string;
  /** Where the value starts and ends; just after the colon when the value is empty. */
  valueStart: number;
  valueEnd: number;
}

/**
 * Reads 'Name: value' (RFC 7230 §3.2), or undefined when the line is not a header field. Scanned
 * by hand: as a pattern, the optional whitespace on each side of a lazy value backtracked over
 * spaces in cubic time.
 */
export function headerLine(line: string): HeaderLine | undefined {
  const name = TOKEN.exec(line)?.[0];
  if (name === undefined || line.charCodeAt(name.length) !== 0x3a) return undefined;
  const afterColon = name.length + 1;
  let start = afterColon;
  while (start < line.length && isOws(line.charCodeAt(start))) start++;
  let end = line.length;
  while (end > start && isOws(line.charCodeAt(end - 1))) end--;
  const value = line.slice(start, end);
  if (LINE_TERMINATOR.test(value)) return undefined;
  return value ? { name, value, valueStart: start, valueEnd: end } : { name, value, valueStart: afterColon, valueEnd: afterColon };
}

/** SP or HTAB (RFC 7230 §3.2.3). */
function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

interface Line extends Span {
  text: string;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === '\n') {
      let end = i;
      if (end > start && text[end - 1] === '\r') end--;
      out.push({ start, end, text: text.slice(start, end) });
      start = i + 1;
    }
  }
  return out;
}

export function isStartLine(line: string): boolean {
  const t = line.trimEnd();
  return REQUEST_LINE.test(t) || STATUS_LINE.test(t);
}

/** Whether a text looks like an HTTP exchange fixture: its first non-empty line starts a message. */
export function looksLikeHttp(text: string): boolean {
  const first = text.split(/\r?\n/, 20).find((l) => l.trim() !== '');
  return first !== undefined && isStartLine(first.trim());
}

export function parseHttpExchange(text: string): HttpExchange {
  const ls = lines(text);
  const messages: HttpMessage[] = [];
  const errors: Diagnostic[] = [];
  let k = 0;
  while (k < ls.length) {
    const line = ls[k]!;
    const trimmed = line.text.trim();
    if (trimmed === '' || SEPARATOR.test(trimmed)) {
      k++;
      continue;
    }
    if (!isStartLine(trimmed)) {
      const lead = line.text.length - line.text.trimStart().length;
      errors.push({
        start: line.start + lead,
        end: line.end,
        severity: 'error',
        code: 'http.start-line',
        message: messages.length
          ? 'Expected a request line (METHOD target HTTP/1.1) or a status line (HTTP/1.1 code reason) to start the next message (RFC 7230 §3.1).'
          : 'An HTTP exchange starts with a request line (METHOD target HTTP/1.1) or a status line (HTTP/1.1 code reason) (RFC 7230 §3.1).',
      });
      // Skip to the next start line so one fault is reported once.
      k++;
      while (k < ls.length && !isStartLine(ls[k]!.text.trim())) k++;
      continue;
    }
    k = readMessage(ls, k, messages, errors);
  }
  return { messages, errors };
}

function readMessage(ls: Line[], k: number, messages: HttpMessage[], errors: Diagnostic[]): number {
  const line = ls[k]!;
  const lead = line.text.length - line.text.trimStart().length;
  const s = line.start + lead;
  const trimmed = line.text.trim();
  const req = REQUEST_LINE.exec(trimmed);
  let msg: HttpMessage;
  if (req) {
    const method = req[1]!;
    const target = req[3]!;
    const targetAt = method.length + req[2]!.length;
    msg = {
      kind: 'request',
      start: s,
      end: line.end,
      startLine: { start: s, end: s + trimmed.length },
      method,
      methodSpan: { start: s, end: s + method.length },
      target,
      targetSpan: { start: s + targetAt, end: s + targetAt + target.length },
      version: req[4]!,
      headers: [],
      body: { start: line.end, end: line.end },
    };
  } else {
    const st = STATUS_LINE.exec(trimmed)!;
    const codeAt = st[1]!.length + st[2]!.length;
    msg = {
      kind: 'response',
      start: s,
      end: line.end,
      startLine: { start: s, end: s + trimmed.length },
      version: st[1]!,
      status: Number(st[3]),
      statusSpan: { start: s + codeAt, end: s + codeAt + 3 },
      reason: st[4] ?? '',
      headers: [],
      body: { start: line.end, end: line.end },
    };
  }
  messages.push(msg);
  k++;
  // Header fields up to the empty line.
  for (; k < ls.length; k++) {
    const h = ls[k]!;
    const t = h.text.trim();
    if (t === '') {
      k++;
      break;
    }
    if (isStartLine(t) || SEPARATOR.test(t)) return k;
    const m = headerLine(h.text);
    if (!m) {
      errors.push({
        start: h.start,
        end: h.end,
        severity: 'error',
        code: 'http.header-syntax',
        message: /^\s/.test(h.text)
          ? 'Header lines must not be folded (obs-fold, RFC 7230 §3.2.4); or an empty line is missing before the body.'
          : "A header field is 'Name: value' (RFC 7230 §3.2); or an empty line is missing before the body.",
      });
      continue;
    }
    msg.headers.push({
      start: h.start,
      end: h.end,
      name: m.name,
      nameEnd: h.start + m.name.length,
      value: m.value,
      valueStart: h.start + m.valueStart,
      valueEnd: h.start + m.valueEnd,
    });
    msg.end = h.end;
  }
  // Body: up to the next start line or separator; surrounding blank lines are not part of it.
  let first = -1;
  let last = -1;
  for (; k < ls.length; k++) {
    const b = ls[k]!;
    const t = b.text.trim();
    if (isStartLine(t) || SEPARATOR.test(t)) break;
    if (t !== '') {
      if (first < 0) first = k;
      last = k;
    }
  }
  if (first >= 0) {
    msg.body = { start: ls[first]!.start, end: ls[last]!.end };
    msg.end = msg.body.end;
  } else {
    msg.body = { start: msg.end, end: msg.end };
  }
  return k;
}

export function header(msg: HttpMessage, name: string): HttpHeader | undefined {
  const n = name.toLowerCase();
  return msg.headers.find((h) => h.name.toLowerCase() === n);
}

const MEDIA_RANGE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+|\*)\/([!#$%&'*+.^_`|~0-9A-Za-z-]+|\*)$/;

/** The media ranges of an Accept-style header (RFC 7231 §5.3.2), and the first one that is not type/subtype. */
export function mediaRanges(value: string): { ranges: string[]; malformed?: string } {
  const ranges = value.split(',').map((r) => r.split(';')[0]!.trim());
  const malformed = ranges.find((r) => !MEDIA_RANGE.test(r));
  return malformed === undefined ? { ranges } : { ranges, malformed };
}

/** Whether media ranges take `type`: exactly, by its main type ("application/" and a star), or by the all-types range. */
export function acceptsMediaType(ranges: string[], type: string): boolean {
  const main = type.split('/')[0];
  return ranges.some((r) => r === '*/*' || r.toLowerCase() === `${main}/*` || r.toLowerCase() === type);
}

/** An HTTP/1.1 request with a path as its target needs a Host header (RFC 7230 §5.4). */
export function lacksHost(msg: HttpMessage): boolean {
  return msg.kind === 'request' && !msg.target?.includes('://') && !header(msg, 'host');
}

/** The media type of a Content-Type value, lower case, without parameters. */
export function mediaType(value: string): string {
  const semicolon = value.indexOf(';');
  return (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}
