/**
 * Connectionless WAP Push (DM 2.0 E.1) around a DM Notification, on the wire as bytes: the
 * transaction id, the Push PDU type 0x06, the headers length (uintvar), the content type code 0x58
 * (application/vnd.syncml.dm.notification, as the short integer 0xD8) and X-WAP-Application-ID
 * 0x07 (header 0xAF, value 0x87), then the notification. E.1 caps the push headers at 48 bytes.
 */
const PUSH_PDU = 0x06;
const CONTENT_TYPE_DM_NOTIFICATION = 0xd8;
const APPLICATION_ID_HEADER = 0xaf;
const APPLICATION_ID_DM = 0x87;

/** The IANA port for connectionless WAP Push over UDP (E.1). */
export const WAP_PUSH_PORT = 2948;

export function wrapWapPush(notification: Uint8Array, tid = 0): Uint8Array {
  const headers = [CONTENT_TYPE_DM_NOTIFICATION, APPLICATION_ID_HEADER, APPLICATION_ID_DM];
  const out = new Uint8Array(3 + headers.length + notification.length);
  out.set([tid & 0xff, PUSH_PDU, headers.length, ...headers]);
  out.set(notification, 3 + headers.length);
  return out;
}

export type Unwrapped = { ok: true; tid: number; notification: Uint8Array } | { ok: false; reason: string };

/**
 * The notification inside a connectionless push datagram, checked as E.1.1 says a device without
 * a WAP stack does: a Push PDU whose content type and Application-ID are the DM Notification's.
 */
export function unwrapWapPush(b: Uint8Array): Unwrapped {
  if (b.length < 4) return { ok: false, reason: `${b.length} bytes is too short for a WAP Push PDU (DM 2.0 E.1)` };
  if (b[1] !== PUSH_PDU) return { ok: false, reason: `PDU type 0x${(b[1] ?? 0).toString(16).padStart(2, '0')} is not Push (0x06) (DM 2.0 E.1)` };
  let at = 2;
  let len = 0;
  for (let k = 0; ; k++) {
    if (k === 5 || at >= b.length) return { ok: false, reason: 'the headers length (uintvar) runs past the datagram' };
    const c = b[at++]!;
    len = len * 128 + (c & 0x7f);
    if (!(c & 0x80)) break;
  }
  if (len > 48) return { ok: false, reason: `push headers of ${len} bytes exceed the 48 E.1 allows` };
  const end = at + len;
  if (end > b.length) return { ok: false, reason: 'the push headers run past the datagram' };
  if (b[at] !== CONTENT_TYPE_DM_NOTIFICATION) return { ok: false, reason: 'the content type is not application/vnd.syncml.dm.notification (0x58) (DM 2.0 E.1)' };
  let appId = false;
  for (let i = at + 1; i + 1 < end; i++) if (b[i] === APPLICATION_ID_HEADER && b[i + 1] === APPLICATION_ID_DM) appId = true;
  if (!appId) return { ok: false, reason: 'no X-WAP-Application-ID 0x07 header (DM 2.0 E.1)' };
  return { ok: true, tid: b[0]!, notification: b.subarray(end) };
}
