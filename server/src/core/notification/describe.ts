/**
 * A decoded notification as rows of (bytes, field, value), for the CLI's table, the editor's
 * report and hovers: one description, shown three ways.
 */
import { type Notification, toHex } from './codec.js';
import { optionInfo } from './options.js';

export type RowKind = 'wap-push' | 'header' | 'option-header' | 'option-value';

export interface Row {
  kind: RowKind;
  /** Offset of the first byte within the notification (negative for a WAP Push header before it). */
  offset: number;
  length: number;
  field: string;
  value: string;
  hex: string;
}

/** `wapPush`: the bytes of the WAP Push (WSP) header before the notification, when it came in one. */
export function rows(n: Notification, wapPush?: Uint8Array): Row[] {
  const out: Row[] = [];
  const hexOf = (offset: number, length: number): string => toHex(n.bytes.subarray(Math.max(0, offset), Math.max(0, offset + length)));
  if (wapPush?.length) out.push({ kind: 'wap-push', offset: -wapPush.length, length: wapPush.length, field: 'WAP Push (WSP) header', value: 'TID, Push PDU, headers: Content-Type 0x58, X-WAP-Application-ID 0x07 (DM 2.0 E.1)', hex: toHex(wapPush) });
  if (n.version !== undefined) {
    out.push({ kind: 'header', offset: 0, length: 2, field: 'Header', value: `VER ${n.version}, OC ${n.optionCount}, RESERVED ${n.reserved}`, hex: hexOf(0, 2) });
  }
  for (const o of n.options) {
    const info = optionInfo(o.number);
    out.push({ kind: 'option-header', offset: o.offset, length: 2, field: `${o.name} option header`, value: `number ${o.number} (delta ${o.delta}), length ${o.length}${info ? `, ${info.format}` : ''}`, hex: hexOf(o.offset, 2) });
    if (o.valueLength > 0) out.push({ kind: 'option-value', offset: o.valueOffset, length: o.valueLength, field: o.name, value: o.display, hex: hexOf(o.valueOffset, o.valueLength) });
  }
  return out;
}

/** Names of the con types, the digest and the other fields, as the CLI contract writes them. */
export function summary(n: Notification): { serverId?: string; notificationId?: number; timestamp?: string; preferredConTypes?: string[]; reqMos: boolean; digest?: string } {
  const get = (k: number) => n.options.find((o) => o.number === k);
  const ts = get(5);
  return {
    ...(typeof get(1)?.value === 'string' ? { serverId: get(1)!.value as string } : {}),
    ...(typeof get(3)?.value === 'number' ? { notificationId: get(3)!.value as number } : {}),
    ...(ts && typeof ts.value === 'number' && (ts.length === 4 || ts.length === 8) && ts.value <= 8.64e12 ? { timestamp: new Date(ts.value * 1000).toISOString() } : {}),
    ...(Array.isArray(get(2)?.value) ? { preferredConTypes: get(2)!.value as string[] } : {}),
    reqMos: !!get(6),
    ...(get(4) ? { digest: get(4)!.value as string } : {}),
  };
}

/** Where a row's bytes are: offsets in the notification; a WAP Push header's in the datagram before it ("push 0-5"). */
export function offsetLabel(r: Row): string {
  if (r.kind === 'wap-push') return `push 0-${r.length - 1}`;
  return r.length > 1 ? `${r.offset}-${r.offset + r.length - 1}` : String(r.offset);
}
