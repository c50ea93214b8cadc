/** `omadm decode` and `omadm encode`: DM Notifications (Package#0) on the command line (DESIGN.md). */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { analyzeNotification } from '../core/notification/analyze.js';
import { encode, toHex, verify } from '../core/notification/codec.js';
import { offsetLabel, rows, summary } from '../core/notification/describe.js';
import { CON_TYPES, conTypeByName } from '../core/notification/options.js';
import { formatHex } from '../core/notification/input.js';
import type { Io } from './omadm.js';
import { binaryReason, readBounded } from './validate.js';

export const DECODE_HELP = `Usage: omadm decode [--json] [--secret S] [--auth-data D] HEX-OR-BASE64-OR-@FILE

Decodes a DM Notification (Package#0, DM 2.0 7.1): hex (spaces, colons, 0x prefixes and # comments
allowed), base64 (as GCM carries it), or either inside a connectionless WAP Push (E.1); @FILE reads
the text from a file, - from standard input. With --secret (and --auth-data), the SHA256-DIGEST is
verified as 5.2.1.2 computes it. Secrets are UTF-8 text, or hex:... / base64:... for raw bytes.

Options:
  --json            {"version","options":[{"number","name","length","value"}],"serverId",
                    "notificationId","digest":{"present","valid"},...}
  --secret S        the server secret (DMAcc <x>/Auth/Noti/Secret)
  --auth-data D     the auth data (DMAcc <x>/Auth/Noti/Data); empty when not given
  -h, --help

Exit status: 0 decoded, 1 malformed or digest mismatch, 2 usage error or unreadable file.
`;

export const ENCODE_HELP = `Usage: omadm encode [--json] --server-id ID [--notification-id N] [--con-type NAME]...
                    [--timestamp T] [--req-mos] [--secret S --auth-data D]

Builds a DM Notification (Package#0, DM 2.0 7.1) and prints it as hex. With --secret the
SHA256-DIGEST option is added and computed as 5.2.1.2 says: SHA256(secret | notification with a
zero digest | auth-data).

Options:
  --server-id ID          SERVER-ID (UTF-8)
  --notification-id N     NOTIFICATION-ID, 0-65535
  --con-type NAME         PREFERRED-CON-TYPE, in priority order: ${CON_TYPES.map((c) => c.name).join(', ')}
  --timestamp T           TIMESTAMP: POSIX seconds, an ISO 8601 date, or "now"
  --req-mos               REQ-MOS
  --secret S, --auth-data D   as for decode (UTF-8, or hex:... / base64:...)
  --json                  {"hex","base64","length"}
  -h, --help

Exit status: 0 built, 2 usage error.
`;

class UsageError extends Error {}

function bytesOf(s: string): Uint8Array {
  if (s.startsWith('hex:')) {
    const h = s.slice(4).replace(/[\s:]/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(h)) throw new UsageError(`'${s}' is not hex`);
    return Uint8Array.from(Buffer.from(h, 'hex'));
  }
  if (s.startsWith('base64:')) return Uint8Array.from(Buffer.from(s.slice(7), 'base64'));
  return new TextEncoder().encode(s);
}

/** A notification is a few hundred bytes of text at most: standard input and files are read with a bound, and only regular files. */
const MAX_INPUT = 1024 * 1024;

function readInput(arg: string): string {
  if (arg === '-') {
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.alloc(64 * 1024);
    for (let n; (n = fs.readSync(0, buf, 0, buf.length, null)) > 0; ) {
      total += n;
      if (total > MAX_INPUT) throw new UsageError(`standard input is larger than ${MAX_INPUT} bytes: that is no DM Notification`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  if (arg.startsWith('@')) {
    let buf: Buffer;
    try {
      buf = readBounded(arg.slice(1));
    } catch (e) {
      throw new UsageError(`cannot read ${arg.slice(1)}: ${(e as Error).message}`);
    }
    if (buf.length > MAX_INPUT) throw new UsageError(`${arg.slice(1)} is larger than ${MAX_INPUT} bytes: that is no DM Notification`);
    const binary = binaryReason(buf);
    if (binary) throw new UsageError(`${arg.slice(1)} holds ${binary}; a DM Notification is written as hex or base64 text`);
    return buf.toString('utf8');
  }
  return arg;
}

export function decodeCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, secret: { type: 'string' }, 'auth-data': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.out(DECODE_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    io.err(`omadm decode: give one notification (hex, base64, @FILE or -)\n\n${DECODE_HELP}`);
    return 2;
  }
  let text: string;
  let secret: Uint8Array | undefined;
  let authData: Uint8Array;
  try {
    text = readInput(positionals[0]!);
    secret = values.secret !== undefined ? bytesOf(values.secret) : undefined;
    authData = bytesOf(values['auth-data'] ?? '');
  } catch (e) {
    io.err(`omadm decode: ${e instanceof UsageError ? e.message : `cannot read ${positionals[0]}: ${(e as NodeJS.ErrnoException).code ?? e}`}\n`);
    return 2;
  }
  const a = analyzeNotification(text);
  const n = a.notification;
  const s = summary(n);
  const valid = secret && s.digest !== undefined ? verify(n.bytes, secret, authData) ?? false : null;
  const malformed = a.input.errors.length > 0 || n.problems.some((p) => p.severity === 'error');
  if (values.json) {
    io.out(JSON.stringify({
      version: n.version ?? null,
      options: n.options.map((o) => ({ number: o.number, name: o.name, length: o.length, value: o.value })),
      serverId: s.serverId ?? null,
      notificationId: s.notificationId ?? null,
      digest: { present: s.digest !== undefined, valid },
      optionCount: n.optionCount ?? null,
      reserved: n.reserved ?? null,
      form: a.input.form,
      wapPush: !!a.input.wapPush,
      preferredConTypes: s.preferredConTypes ?? null,
      timestamp: s.timestamp ?? null,
      reqMos: s.reqMos,
      problems: [...a.input.errors.map((e) => ({ offset: null, length: null, code: 'pkg0.input', severity: 'error', message: e.message })), ...n.problems.map((p) => ({ offset: p.offset, length: p.length, code: p.code, severity: p.severity, message: p.message }))],
    }, null, 2) + '\n');
  } else {
    io.out(`DM Notification, read as ${a.input.form}${a.input.wapPush ? ' inside a WAP Push' : ''}: ${n.bytes.length} bytes\n\n`);
    const table = rows(n, a.input.bytes.subarray(0, a.input.packageOffset)).map((r) => [offsetLabel(r), r.hex, r.field, r.value]);
    const widths = [5, 12, 34].map((w, i) => Math.max(w, ...table.map((t) => Math.min(t[i]!.length, 40))));
    io.out(`${'bytes'.padEnd(widths[0]!)}  ${'hex'.padEnd(widths[1]!)}  ${'field'.padEnd(widths[2]!)}  value\n`);
    for (const t of table) io.out(`${t[0]!.padEnd(widths[0]!)}  ${(t[1]!.length > 40 ? t[1]!.slice(0, 37) + '...' : t[1]!).padEnd(widths[1]!)}  ${t[2]!.padEnd(widths[2]!)}  ${t[3]}\n`);
    if (s.digest !== undefined) io.out(`\nSHA256-DIGEST: ${valid === null ? 'present, not verified (give --secret)' : valid ? 'verified' : 'DOES NOT MATCH the secret and auth data'}\n`);
    for (const e of a.input.errors) io.out(`error: ${e.message}\n`);
    for (const p of n.problems) io.out(`${p.severity} ${p.code} at byte ${p.offset}${p.length > 1 ? `-${p.offset + p.length - 1}` : ''}: ${p.message}\n`);
  }
  return malformed || valid === false ? 1 : 0;
}

function timestampOf(t: string): number {
  if (t === 'now') return Math.floor(Date.now() / 1000);
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new UsageError(`--timestamp '${t}' is neither POSIX seconds, an ISO 8601 date, nor "now"`);
  return Math.floor(ms / 1000);
}

/** The options of `omadm encode`, shared by `omadm notify`. */
export const ENCODE_OPTIONS = {
  json: { type: 'boolean' },
  'server-id': { type: 'string' },
  'notification-id': { type: 'string' },
  'con-type': { type: 'string', multiple: true },
  timestamp: { type: 'string' },
  'req-mos': { type: 'boolean' },
  secret: { type: 'string' },
  'auth-data': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface EncodeValues {
  'server-id'?: string | undefined;
  'notification-id'?: string | undefined;
  'con-type'?: string[] | undefined;
  timestamp?: string | undefined;
  'req-mos'?: boolean | undefined;
  secret?: string | undefined;
  'auth-data'?: string | undefined;
}

/** A Package#0 from the encode options; throws UsageError (or RangeError) for what does not fit. */
export function notificationFrom(values: EncodeValues): Uint8Array {
  if (values['server-id'] === undefined) throw new UsageError('--server-id is required');
  const nid = values['notification-id'];
  if (nid !== undefined && !(/^\d+$/.test(nid) && Number(nid) <= 0xffff)) throw new UsageError(`--notification-id '${nid}' is not an integer from 0 to 65535`);
  const conTypes = (values['con-type'] ?? []).map((c) => {
    const v = conTypeByName(c);
    if (v === undefined) throw new UsageError(`--con-type '${c}' is not one of ${CON_TYPES.map((x) => x.name).join(', ')}`);
    return v;
  });
  if (values['auth-data'] !== undefined && values.secret === undefined) throw new UsageError('--auth-data goes with --secret');
  return encode({
    serverId: values['server-id'],
    ...(nid !== undefined ? { notificationId: Number(nid) } : {}),
    ...(conTypes.length ? { conTypes } : {}),
    ...(values.timestamp !== undefined ? { timestamp: timestampOf(values.timestamp) } : {}),
    ...(values['req-mos'] ? { reqMos: true } : {}),
    ...(values.secret !== undefined ? { secret: bytesOf(values.secret), authData: bytesOf(values['auth-data'] ?? '') } : {}),
  });
}

export function isUsageError(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof RangeError;
}

export function encodeCommand(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: ENCODE_OPTIONS });
  if (values.help) {
    io.out(ENCODE_HELP);
    return 0;
  }
  try {
    const bytes = notificationFrom(values);
    if (values.json) io.out(JSON.stringify({ hex: toHex(bytes), base64: Buffer.from(bytes).toString('base64'), length: bytes.length }, null, 2) + '\n');
    else io.out(formatHex(bytes) + '\n');
    return 0;
  } catch (e) {
    if (isUsageError(e)) {
      io.err(`omadm encode: ${e.message}\nRun 'omadm encode --help'.\n`);
      return 2;
    }
    throw e;
  }
}
