/**
 * multipart/form-data bodies (RFC 7578, RFC 2046 §5.1) split into their parts with source ranges,
 * as DM 2.0 Appendix F uses them for a Package#3 with the data of GET commands.
 *
 * Written here because the multipart parsers that exist (busboy, undici's FormData) stream parts
 * out of a live body without positions, and stop at a wrong delimiter; a fixture needs each part
 * at its place in the file, and the spec's own example mixes two boundaries (I.1), which is
 * reported and read on.
 */
import type { Diagnostic } from '../diagnostic.js';
import { headerLine, type HttpHeader, type Span } from './message.js';

export interface Part extends Span {
  headers: HttpHeader[];
  body: Span;
  /** The `name` of its Content-Disposition, when it has one. */
  name?: string;
}

export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary\s*=\s*("([^"]+)"|[^;\s]+)/i.exec(contentType);
  return m ? (m[2] ?? m[1]) : undefined;
}

export function splitMultipart(text: string, body: Span, boundary: string): { parts: Part[]; errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  const parts: Part[] = [];
  const lines: { start: number; end: number; text: string }[] = [];
  let at = body.start;
  while (at <= body.end) {
    let nl = text.indexOf('\n', at);
    if (nl < 0 || nl > body.end) nl = body.end;
    const end = nl > at && text[nl - 1] === '\r' ? nl - 1 : nl;
    lines.push({ start: at, end, text: text.slice(at, end) });
    at = nl + 1;
  }
  const delimiter = (t: string): { close: boolean; other?: string } | undefined => {
    const s = t.trim();
    if (s === `--${boundary}`) return { close: false };
    if (s === `--${boundary}--`) return { close: true };
    const m = /^--([^\s-][^\s]*?)(--)?$/.exec(s);
    return m ? { close: !!m[2], other: m[1]! } : undefined;
  };
  let current: Part | undefined;
  // Index of the first line at or after current.body.start (the line after the one that set it),
  // kept as the body start moves: searching the lines for it at each part would be quadratic.
  let bodyLine = 0;
  let inHeaders = false;
  let closed = false;
  const finish = (endLine: number): void => {
    if (!current) return;
    // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1); blank edges are not content.
    let last = endLine - 1;
    const firstBody = bodyLine < lines.length ? bodyLine : -1;
    while (last >= firstBody && last >= 0 && lines[last]!.text.trim() === '') last--;
    let first = firstBody;
    while (first >= 0 && first <= last && lines[first]!.text.trim() === '') first++;
    current.body = first >= 0 && first <= last ? { start: lines[first]!.start, end: lines[last]!.end } : { start: current.body.start, end: current.body.start };
    current.end = Math.max(current.body.end, current.end);
    parts.push(current);
    current = undefined;
  };
  let sawDelimiter = false;
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k]!;
    const d = delimiter(l.text);
    if (d && (!inHeaders || l.text.trim().startsWith('--'))) {
      if (d.other !== undefined) {
        errors.push({ start: l.start, end: l.end, severity: 'error', code: 'http.multipart-boundary', message: `'--${d.other}' does not match the boundary declared in Content-Type (boundary=${boundary}) (RFC 2046 §5.1.1).` });
      }
      finish(k);
      sawDelimiter = true;
      if (d.close) {
        closed = true;
        break;
      }
      current = { start: l.start, end: l.end, headers: [], body: { start: l.end, end: l.end } };
      bodyLine = k + 1;
      inHeaders = true;
      continue;
    }
    // Text before the first delimiter is the preamble, which readers ignore (RFC 2046 §5.1.1).
    if (!current) continue;
    if (inHeaders) {
      if (l.text.trim() === '') {
        inHeaders = false;
        current.body = { start: l.end + 1, end: l.end + 1 };
        bodyLine = k + 1;
        continue;
      }
      const m = headerLine(l.text);
      if (!m) {
        errors.push({ start: l.start, end: l.end, severity: 'error', code: 'http.header-syntax', message: "A part header is 'Name: value', and an empty line ends the part headers (RFC 2046 §5.1.1)." });
        continue;
      }
      const h: HttpHeader = { start: l.start, end: l.end, name: m.name, nameEnd: l.start + m.name.length, value: m.value, valueStart: l.start + m.valueStart, valueEnd: l.start + m.valueEnd };
      current.headers.push(h);
      current.end = l.end;
      if (h.name.toLowerCase() === 'content-disposition') {
        const n = /;\s*name\s*=\s*("([^"]*)"|[^;\s]+)/i.exec(h.value);
        // Group 1 always takes part in a match: the quoted name (group 2) or the token.
        if (n) current.name = n[2] ?? n[1]!;
      }
    }
  }
  if (current) finish(lines.length);
  if (!sawDelimiter) {
    errors.push({ start: body.start, end: Math.min(body.end, body.start + 1), severity: 'error', code: 'http.multipart', message: `No delimiter --${boundary} in the body: a multipart body is made of parts, each after the boundary of its Content-Type (RFC 2046 §5.1.1).` });
  }
  if (!closed && sawDelimiter) {
    errors.push({ start: body.end, end: body.end, severity: 'error', code: 'http.multipart', message: `The multipart body ends with the close delimiter --${boundary}-- (RFC 2046 §5.1.1).` });
  }
  return { parts, errors };
}
