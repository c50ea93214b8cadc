/**
 * The DM Notification (Package#0) options: DM 2.0 5.2.1.2, Table 1, and the PREFERRED-CON-TYPE
 * values. All options are ZeroOrOne and appear in increasing order of their number (7.1.1.2).
 */
export type OptionFormat = 'String' | 'Opaque' | 'Uint' | 'Null';

export interface OptionInfo {
  number: number;
  name: string;
  format: OptionFormat;
  description: string;
}

export const OPTIONS: readonly OptionInfo[] = [
  { number: 1, name: 'SERVER-ID', format: 'String', description: 'The Server Identifier of the DM Server, as in its DM Account MO (UTF-8).' },
  { number: 2, name: 'PREFERRED-CON-TYPE', format: 'Opaque', description: 'Preferred connections, highest priority first; ANY_AVAILABLE, if present, last.' },
  { number: 3, name: 'NOTIFICATION-ID', format: 'Uint', description: '16-bit unsigned integer to detect duplicated notifications; 2 bytes.' },
  { number: 4, name: 'SHA256-DIGEST', format: 'Opaque', description: 'SHA256(server-secret | notification with zero digest | auth-data); 32 bytes.' },
  { number: 5, name: 'TIMESTAMP', format: 'Opaque', description: 'The time the DM Server sent the notification, POSIX format (seconds since 1970-01-01 UTC).' },
  { number: 6, name: 'REQ-MOS', format: 'Null', description: 'Requests the MOS array in Package#1 (5.2.2); carries no value.' },
];

export const CON_TYPES: readonly { value: number; name: string; description: string }[] = [
  { value: 0x00, name: 'ANY_AVAILABLE', description: 'Anything currently available' },
  { value: 0x01, name: 'CELLULAR', description: 'Cellular, e.g. GSM/CDMA/UMTS/LTE' },
  { value: 0x02, name: 'WLAN', description: 'WLAN, e.g. IEEE 802.11 a/b/g/n/ac' },
  { value: 0x03, name: 'WIRELINE', description: 'Wireline' },
];

export const NOTIFICATION_VERSION = 2;

export function optionInfo(n: number): OptionInfo | undefined {
  return OPTIONS.find((o) => o.number === n);
}

export function conTypeByName(name: string): number | undefined {
  return CON_TYPES.find((c) => c.name === name.toUpperCase())?.value;
}
