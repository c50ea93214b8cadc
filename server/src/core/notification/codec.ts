/**
 * The DM Notification (Package#0) binary codec: DM 2.0 7.1 (layout) and 5.2.1 (options, digest).
 *
 *   header  VER (4 bits) | OC (5 bits) | RESERVED (7 bits), big endian
 *   option  Option Delta (4 bits) | Option Length (12 bits) | Option Value (length bytes)
 *
 * `decode` never throws and never reads past the end: every read goes through a bounds-checked
 * view, and the decoder checks lengths before it reads. Every field carries its byte offset and
 * length so editors can point at it; every problem carries its offset, length, code and section.
 */
import { createHash } from 'node:crypto';
import { CON_TYPES, NOTIFICATION_VERSION, OPTIONS, optionInfo } from './options.js';

export interface Problem {
  offset: number;
  length: number;
  code: string;
  severity: 'error' | 'warning' | 'information';
  message: string;
}

export interface HeaderField {
  name: 'VER' | 'OC' | 'RESERVED';
  value: number;
  /** Bits within the 2-byte header, 0 = most significant bit of the first byte. */
  bitOffset: number;
  bitLength: number;
  offset: number;
  length: number;
}

export type OptionValue = string | number | number[] | string[] | null;

export interface DecodedOption {
  number: number;
  name: string;
  delta: number;
  /** Option Length as written (12 bits). */
  length: number;
  /** Offset of the 2-byte option header. */
  offset: number;
  valueOffset: number;
  /** Bytes of the value actually present (less than `length` when cut short). */
  valueLength: number;
  value: OptionValue;
  /** A readable rendering: the timestamp in UTC, the digest in hex, the connection names. */
  readonly display: string;
  raw: number[];
}

export interface Notification {
  bytes: Uint8Array;
  header: HeaderField[];
  version?: number;
  optionCount?: number;
  reserved?: number;
  options: DecodedOption[];
  problems: Problem[];
}

/** A bounds-checked view: reading past the end is a bug here, and throws (tests fuzz for it). */
class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  u8(at: number): number {
    return this.view.getUint8(at);
  }
  u16(at: number): number {
    return this.view.getUint16(at, false);
  }
  slice(at: number, n: number): Uint8Array {
    if (at < 0 || n < 0 || at + n > this.bytes.length) throw new RangeError(`slice ${at}+${n} past ${this.bytes.length}`);
    return this.bytes.subarray(at, at + n);
  }
}

/** One strict decoder for every SERVER-ID: a String option MUST be UTF-8 (5.2.1.2). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

const HEX = Array.from({ length: 256 }, (_, x) => x.toString(16).padStart(2, '0'));
const hex = (b: Uint8Array): string => {
  let out = '';
  for (let i = 0; i < b.length; i++) out += HEX[b[i]!]!;
  return out;
};

/**
 * A decoded option. Its `display` is rendered when first read: a device checks every notification
 * it receives and reads none of them, while the editor and `omadm decode` show them.
 */
class Option implements DecodedOption {
  value: OptionValue = null;
  /** A SERVER-ID whose bytes are not UTF-8: its value is then their hex (5.2.1.2). */
  notUtf8 = false;
  private shown: string | undefined = undefined;

  constructor(
    readonly number: number,
    readonly name: string,
    readonly delta: number,
    readonly length: number,
    readonly offset: number,
    readonly valueOffset: number,
    readonly valueLength: number,
    readonly raw: number[],
  ) {}

  get display(): string {
    return (this.shown ??= render(this));
  }
}

/** The latest POSIX second a Date can show: 8.64e15 ms from 1970 (ECMA-262 21.4.1.1). */
const LAST_SECOND = 8.64e12;

function render(o: Option): string {
  const v = o.value;
  switch (o.number) {
    case 1:
      return o.notUtf8 ? `(not UTF-8) ${String(v)}` : JSON.stringify(v);
    case 2:
      return (v as string[]).join(', ') || '(none)';
    case 5: {
      const seconds = v as number;
      if ((o.length !== 4 && o.length !== 8) || seconds > LAST_SECOND) return String(seconds);
      return `${new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')} (${seconds})`;
    }
    case 6:
      return 'requested';
    default:
      // NOTIFICATION-ID as a number; SHA256-DIGEST and options DM 2.0 does not define in hex.
      return String(v);
  }
}

export function decode(bytes: Uint8Array): Notification {
  const r = new Reader(bytes);
  const problems: Problem[] = [];
  const out: Notification = { bytes, header: [], options: [], problems };
  const problem = (offset: number, length: number, code: string, message: string, severity: Problem['severity'] = 'error'): void => {
    problems.push({ offset, length, code, severity, message });
  };
  if (r.length < 2) {
    problem(0, r.length, 'pkg0.too-short', `A DM Notification starts with a 2-byte header (VER, OC, RESERVED); ${r.length === 0 ? 'there are no bytes' : 'there is 1 byte'} (DM 2.0 7.1.1.1).`);
    return out;
  }
  const h = r.u16(0);
  const version = h >>> 12;
  const oc = (h >>> 7) & 0x1f;
  const reserved = h & 0x7f;
  out.version = version;
  out.optionCount = oc;
  out.reserved = reserved;
  out.header = [
    { name: 'VER', value: version, bitOffset: 0, bitLength: 4, offset: 0, length: 1 },
    { name: 'OC', value: oc, bitOffset: 4, bitLength: 5, offset: 0, length: 2 },
    { name: 'RESERVED', value: reserved, bitOffset: 9, bitLength: 7, offset: 1, length: 1 },
  ];
  if (version !== NOTIFICATION_VERSION) problem(0, 1, 'pkg0.version', `VER is ${version}; the DM Notification version of DM 2.0 is 2 (0x02) (DM 2.0 5.2.1.1).`);
  if (reserved !== 0) problem(1, 1, 'pkg0.reserved', `RESERVED is ${reserved}, not 0: bits reserved for future header fields (DM 2.0 7.1.1.1).`, 'information');

  let at = 2;
  let number = 0;
  const seen = new Set<number>();
  const readOption = (): DecodedOption | undefined => {
    if (at + 2 > r.length) return undefined;
    const word = r.u16(at);
    const delta = word >>> 12;
    const length = word & 0x0fff;
    const offset = at;
    number += delta;
    const valueOffset = at + 2;
    const valueLength = Math.min(length, r.length - valueOffset);
    const bytes = r.slice(valueOffset, valueLength);
    const info = optionInfo(number);
    const opt = new Option(number, info?.name ?? `OPTION-${number}`, delta, length, offset, valueOffset, valueLength, Array.from(bytes));
    if (valueLength < length) {
      problem(offset, 2 + valueLength, 'pkg0.truncated', `${opt.name} says its value is ${length} bytes, but only ${valueLength} remain (DM 2.0 7.1.1.2).`);
    }
    at = valueOffset + valueLength;
    if (out.options.length > 0 && delta === 0) {
      problem(offset, 2, 'pkg0.option-repeated', `${opt.name} appears again (Option Delta 0): every option is ZeroOrOne, in increasing order (DM 2.0 5.2.1.2, 7.1.1.2).`);
    } else if (seen.has(number)) {
      problem(offset, 2, 'pkg0.option-repeated', `${opt.name} appears twice (DM 2.0 5.2.1.2).`);
    }
    seen.add(number);
    interpret(opt, bytes, problem);
    return opt;
  };
  for (let i = 0; i < oc; i++) {
    const opt = readOption();
    if (!opt) {
      problem(0, 2, 'pkg0.option-count', `OC says ${oc} option${oc === 1 ? '' : 's'}, but the package ends after ${out.options.length} (DM 2.0 7.1.1.1).`);
      break;
    }
    out.options.push(opt);
  }
  if (at < r.length) {
    // More bytes after OC options: more options than OC says, or bytes that are not an option.
    const before = at;
    const savedNumber = number;
    const savedProblems = problems.length;
    const extra: DecodedOption[] = [];
    let clean = true;
    while (at < r.length) {
      const opt = readOption();
      if (!opt || opt.valueLength < opt.length) {
        clean = false;
        break;
      }
      extra.push(opt);
    }
    if (clean && extra.length) {
      // Appended one by one: a long hex text may carry more options than a call takes arguments.
      for (const o of extra) out.options.push(o);
      problem(0, 2, 'pkg0.option-count', `OC says ${oc} option${oc === 1 ? '' : 's'}, but ${out.options.length} are present (DM 2.0 7.1.1.1).`);
    } else {
      at = before;
      number = savedNumber;
      problems.length = savedProblems;
      problem(before, r.length - before, 'pkg0.trailing', `${r.length - before} byte${r.length - before === 1 ? '' : 's'} after the last option (OC = ${oc}) (DM 2.0 7.1.1).`);
    }
  }
  problems.sort((a, b) => a.offset - b.offset);
  return out;
}

function interpret(opt: Option, bytes: Uint8Array, problem: (offset: number, length: number, code: string, message: string, severity?: Problem['severity']) => void): void {
  // The value's bytes, or the option header when no value byte is there to point at.
  const where = (): [number, number] => (opt.valueLength > 0 ? [opt.valueOffset, opt.valueLength] : [opt.offset, 2]);
  switch (opt.number) {
    case 1: {
      try {
        opt.value = UTF8.decode(bytes);
      } catch {
        opt.value = hex(bytes);
        opt.notUtf8 = true;
        problem(...where(), 'pkg0.server-id', 'SERVER-ID is not valid UTF-8: it is a String option (DM 2.0 5.2.1.2, RFC 3629).');
      }
      return;
    }
    case 2: {
      const names: string[] = [];
      opt.raw.forEach((b, i) => {
        const t = CON_TYPES.find((c) => c.value === b);
        names.push(t ? t.name : `0x${b.toString(16).padStart(2, '0')}`);
        if (!t) problem(opt.valueOffset + i, 1, 'pkg0.con-type', `0x${b.toString(16).padStart(2, '0')} is not a connection type: ${CON_TYPES.map((c) => `0x0${c.value} ${c.name}`).join(', ')} (DM 2.0 5.2.1.2).`);
        if (b === 0 && i !== opt.raw.length - 1) problem(opt.valueOffset + i, 1, 'pkg0.con-type-order', 'ANY_AVAILABLE MUST be put at the end of the preferred connections (DM 2.0 5.2.1.2).');
      });
      opt.value = names;
      if (opt.length === 0) problem(opt.offset, 2, 'pkg0.con-type', 'PREFERRED-CON-TYPE carries no connection type (DM 2.0 5.2.1.2).', 'warning');
      return;
    }
    case 3: {
      if (opt.length !== 2) problem(...where(), 'pkg0.notification-id', `NOTIFICATION-ID is ${opt.length} byte${opt.length === 1 ? '' : 's'}; its length MUST be 2 bytes (DM 2.0 5.2.1.2).`);
      opt.value = opt.raw.reduce((n, b) => n * 256 + b, 0);
      return;
    }
    case 4: {
      if (opt.length !== 32) problem(...where(), 'pkg0.digest-length', `SHA256-DIGEST is ${opt.length} bytes; its length MUST be 32 bytes (DM 2.0 5.2.1.2).`);
      opt.value = hex(bytes);
      return;
    }
    case 5: {
      const seconds = opt.raw.reduce((n, b) => n * 256 + b, 0);
      opt.value = seconds;
      if (opt.length !== 4 && opt.length !== 8) {
        problem(...where(), 'pkg0.timestamp', `TIMESTAMP is ${opt.length} bytes; POSIX time takes 4 or 8 bytes (DM 2.0 5.2.1.2).`);
      } else if (seconds > LAST_SECOND) {
        problem(...where(), 'pkg0.timestamp', `TIMESTAMP ${seconds} is beyond any date a clock can show (more than 8.64e12 seconds from 1970): not a POSIX time (DM 2.0 5.2.1.2).`);
      }
      return;
    }
    case 6: {
      if (opt.length !== 0) problem(...where(), 'pkg0.req-mos', `REQ-MOS carries no value, but has ${opt.length} byte${opt.length === 1 ? '' : 's'} (DM 2.0 5.2.1.2, 7.1.1.2).`);
      opt.value = null;
      return;
    }
    default:
      opt.value = hex(bytes);
      problem(opt.offset, 2, 'pkg0.option-unknown', `Option ${opt.number} is not defined by DM 2.0 (Table 1 defines ${OPTIONS.map((o) => `${o.number} ${o.name}`).join(', ')}); it is skipped (DM 2.0 5.2.1.2).`, 'warning');
  }
}

export interface NotificationFields {
  serverId?: string;
  /** PREFERRED-CON-TYPE in priority order; ANY_AVAILABLE (0x00) is written last wherever it is given. */
  conTypes?: number[];
  notificationId?: number;
  /** POSIX seconds; 4 bytes when it fits, else 8. */
  timestamp?: number;
  reqMos?: boolean;
  /** With a secret (and auth data), the digest is computed by 5.2.1.2; `digest: true` without one writes a zero digest. */
  secret?: Uint8Array;
  authData?: Uint8Array;
  digest?: boolean;
  /** Non-default header values, for building test vectors. */
  version?: number;
}

/** Builds a Package#0; with a secret the SHA256-DIGEST is computed exactly as 5.2.1.2 says. */
export function encode(f: NotificationFields): Uint8Array {
  const opts: [number, Uint8Array][] = [];
  if (f.serverId !== undefined) opts.push([1, new TextEncoder().encode(f.serverId)]);
  if (f.conTypes?.length) opts.push([2, Uint8Array.from(preferredOrder(f.conTypes))]);
  if (f.notificationId !== undefined) opts.push([3, Uint8Array.from([(f.notificationId >>> 8) & 0xff, f.notificationId & 0xff])]);
  const withDigest = f.secret !== undefined || f.digest;
  if (withDigest) opts.push([4, new Uint8Array(32)]);
  if (f.timestamp !== undefined) opts.push([5, uintBytes(f.timestamp, f.timestamp <= 0xffffffff ? 4 : 8)]);
  if (f.reqMos) opts.push([6, new Uint8Array(0)]);
  const size = 2 + opts.reduce((n, [, v]) => n + 2 + v.length, 0);
  const out = new Uint8Array(size);
  const version = f.version ?? NOTIFICATION_VERSION;
  const header = ((version & 0xf) << 12) | ((opts.length & 0x1f) << 7);
  out[0] = header >>> 8;
  out[1] = header & 0xff;
  let at = 2;
  let prev = 0;
  let digestAt = -1;
  for (const [n, v] of opts) {
    if (v.length > 0x0fff) throw new RangeError(`option ${n} value of ${v.length} bytes exceeds the 12-bit Option Length`);
    const word = ((n - prev) << 12) | v.length;
    out[at] = word >>> 8;
    out[at + 1] = word & 0xff;
    if (n === 4) digestAt = at + 2;
    out.set(v, at + 2);
    at += 2 + v.length;
    prev = n;
  }
  if (f.secret !== undefined && digestAt >= 0) out.set(digest(out, f.secret, f.authData ?? new Uint8Array(0), digestAt), digestAt);
  return out;
}

/**
 * The connection types in the order they are written: ANY_AVAILABLE (0x00), when present, MUST be
 * put at the end of PREFERRED-CON-TYPE (DM 2.0 5.2.1.2), and `decode` reports it anywhere else;
 * the others keep the priority order they were given in.
 */
function preferredOrder(conTypes: number[]): number[] {
  return [...conTypes.filter((c) => c !== 0), ...conTypes.filter((c) => c === 0)];
}

function uintBytes(n: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  let v = BigInt(Math.floor(n));
  for (let i = size - 1; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

/** SHA256(server-secret | notification with the digest zeroed | auth-data) (DM 2.0 5.2.1.2, Step 2). */
export function digest(bytes: Uint8Array, secret: Uint8Array, authData: Uint8Array, digestOffset: number): Uint8Array {
  const zeroed = Uint8Array.from(bytes);
  zeroed.fill(0, digestOffset, digestOffset + 32);
  return new Uint8Array(createHash('sha256').update(secret).update(zeroed).update(authData).digest());
}

/** Whether the SHA256-DIGEST of a package is right for this secret and auth data; undefined without a digest. */
export function verify(bytes: Uint8Array, secret: Uint8Array, authData: Uint8Array): boolean | undefined {
  return verifyDecoded(decode(bytes), secret, authData);
}

/** `verify` for a notification already decoded (a device checks each one it receives, once). */
export function verifyDecoded(n: Notification, secret: Uint8Array, authData: Uint8Array): boolean | undefined {
  const d = n.options.find((o) => o.number === 4);
  if (!d || d.valueLength !== 32) return d ? false : undefined;
  const want = digest(n.bytes, secret, authData, d.valueOffset);
  return want.every((b, i) => b === n.bytes[d.valueOffset + i]);
}

export { hex as toHex };
