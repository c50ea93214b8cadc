/**
 * How people paste a DM Notification: hex (with or without spaces, colons, `0x` prefixes and `#`
 * comments), base64 (as GCM carries it, DM 2.0 E.2.4), possibly inside a connectionless WAP Push
 * (E.1: Application-ID 0x07, Content-Type code 0x58). Every byte keeps the text range it came
 * from, so diagnostics and hovers land on the exact hex digits.
 */
export type InputForm = 'hex' | 'base64' | 'binary';

export interface ByteSpan {
  start: number;
  end: number;
}

export interface ParsedInput {
  form: InputForm;
  /** The bytes as written (the WAP Push PDU when there is one). */
  bytes: Uint8Array;
  /** Text range of each byte of `bytes`. */
  spans: ByteSpan[];
  /** Where the DM Notification starts inside `bytes` (after a WAP Push header). */
  packageOffset: number;
  wapPush?: { tid?: number; headersLength: number };
  errors: { start: number; end: number; message: string }[];
}

const HEX_TOKEN = /^(?:0x)?([0-9a-fA-F]+)$/;

export function parseInput(text: string): ParsedInput {
  const hexResult = parseHex(text);
  if (hexResult) return withWapPush(hexResult);
  const b64 = parseBase64(text);
  if (b64) return withWapPush(b64);
  return withWapPush(hexResult ?? forceHex(text));
}

/** Hex: pairs of digits; separators are whitespace and ':'; `#` starts a comment to the end of the line. */
function parseHex(text: string): ParsedInput | undefined {
  const bytes: number[] = [];
  const spans: ByteSpan[] = [];
  const errors: ParsedInput['errors'] = [];
  const re = /#[^\n]*|[^\s:#]+/g;
  let sawToken = false;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].startsWith('#')) continue;
    sawToken = true;
    const tok = HEX_TOKEN.exec(m[0]);
    if (!tok) return undefined;
    const digits = tok[1]!;
    const base = m.index + (m[0].length - digits.length);
    if (digits.length % 2) errors.push({ start: base, end: base + digits.length, message: `'${m[0]}' has an odd number of hex digits: a byte is two (the last digit is not read).` });
    for (let i = 0; i + 1 < digits.length; i += 2) {
      bytes.push(parseInt(digits.slice(i, i + 2), 16));
      spans.push({ start: base + i, end: base + i + 2 });
    }
  }
  if (!sawToken) return { form: 'hex', bytes: new Uint8Array(0), spans: [], packageOffset: 0, errors };
  return { form: 'hex', bytes: Uint8Array.from(bytes), spans, packageOffset: 0, errors };
}

function parseBase64(text: string): ParsedInput | undefined {
  const body = text.replace(/#[^\n]*/g, (c) => ' '.repeat(c.length));
  const m = /^\s*([A-Za-z0-9+/_-]+={0,2})\s*$/.exec(body);
  if (!m || m[1]!.length < 4) return undefined;
  const start = body.indexOf(m[1]!);
  const b64 = m[1]!.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length === 0 || Buffer.from(bytes).toString('base64').replace(/=+$/, '') !== b64.replace(/=+$/, '')) return undefined;
  // Each 3 bytes come from 4 characters.
  const spans = Array.from(bytes, (_, i) => {
    const group = Math.floor(i / 3) * 4;
    return { start: start + group, end: Math.min(start + m[1]!.length, start + group + 4) };
  });
  return { form: 'base64', bytes: new Uint8Array(bytes), spans, packageOffset: 0, errors: [] };
}

/** Not hex and not base64: report the first character that is neither. */
function forceHex(text: string): ParsedInput {
  const bad = /[^\s:#0-9a-fA-Fx]/.exec(text.replace(/#[^\n]*/g, (c) => ' '.repeat(c.length)));
  const at = bad ? bad.index : 0;
  return { form: 'hex', bytes: new Uint8Array(0), spans: [], packageOffset: 0, errors: [{ start: at, end: at + 1, message: `'${text[at] ?? ''}' is neither a hex digit nor base64: a DM Notification is written as hex (0x/colons/spaces allowed, # comments) or base64.` }] };
}

/**
 * A connectionless WAP Push (WSP, E.1) around the notification: [TID] 0x06 (Push), a uintvar
 * headers length, the content type 0xD8 (0x58, application/vnd.syncml.dm.notification) and the
 * headers (X-WAP-Application-ID 0xAF 0x87), then the notification itself.
 */
function withWapPush(p: ParsedInput): ParsedInput {
  const b = p.bytes;
  for (const pduAt of [1, 0]) {
    if (b.length < pduAt + 3 || b[pduAt] !== 0x06) continue;
    let at = pduAt + 1;
    let len = 0;
    for (let k = 0; k < 5 && at < b.length; k++) {
      const c = b[at++]!;
      len = (len << 7) | (c & 0x7f);
      if (!(c & 0x80)) break;
    }
    const headersEnd = at + len;
    if (len < 1 || headersEnd > b.length || b[at] !== 0xd8) continue;
    const headers = b.subarray(at, headersEnd);
    const appId = headers.findIndex((x, i) => x === 0xaf && headers[i + 1] === 0x87);
    if (appId < 0) continue;
    return { ...p, packageOffset: headersEnd, wapPush: { ...(pduAt === 1 ? { tid: b[0]! } : {}), headersLength: len } };
  }
  return p;
}

/** Hex for people: pairs separated by spaces. */
export function formatHex(bytes: Uint8Array): string {
  return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
