// DM Notifications over UDP as connectionless WAP Push (DM 2.0 E.1), checked by the device as 5.2.1 says.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEVID, DEVINFO, devinfo, dmacc, pkg2, rig, until } from './harness.ts';
import { sendDatagram } from '../../server/src/host/udp.ts';
import { encode } from '../../server/src/core/notification/codec.ts';
import { unwrapWapPush, wrapWapPush } from '../../server/src/core/notification/wapPush.ts';

const enc = new TextEncoder();

test('a WAP Push datagram carries the notification with Application-ID 0x07 and content type 0x58 (E.1)', () => {
  const n = encode({ serverId: 'DMS_ID1', notificationId: 7 });
  const push = wrapWapPush(n, 0x2a);
  // TID, Push PDU 0x06, headers length 3, content type 0x58 as a short integer, X-WAP-Application-ID 0x07 (E.1).
  assert.deepEqual([...push.subarray(0, 6)], [0x2a, 0x06, 0x03, 0xd8, 0xaf, 0x87]);
  const back = unwrapWapPush(push);
  assert.ok(back.ok);
  assert.deepEqual(back.ok && [...back.notification], [...n]);
  assert.equal(unwrapWapPush(Uint8Array.from([0, 0x07, 3, 0xd8, 0xaf, 0x87])).ok, false);
  assert.equal(unwrapWapPush(Uint8Array.from([0, 0x06, 3, 0xc4, 0xaf, 0x87])).ok, false);
  assert.equal(unwrapWapPush(Uint8Array.from([0, 0x06, 0x80, 0x80, 0x80, 0x80, 0x80])).ok, false);
});

test('an accepted notification opens a session with ServerInitiatedMgmt and its NOTIFICATION-ID, and MOS when REQ-MOS asks (5.2.2)', async () => {
  const r = await rig({ items: [devinfo(), dmacc()], commands: [pkg2(['GET', `${DEVINFO}//DevID`])] });
  try {
    const { bytes, notificationId } = r.engine.notification({ secret: 'noti-secret', authData: 'nonce', reqMos: true });
    await sendDatagram(bytes, '127.0.0.1', r.device.udpPort);
    await until('the session', () => r.serverEvents.some((e) => e.kind === 'package3'));
    await r.device.idle();
    const p1 = r.serverEvents.find((e) => e.kind === 'package1')!.body as { Alert: unknown[]; MOS: { MOID: string; MIID: string[] }[] };
    assert.deepEqual(p1.Alert, [{ AlertType: 'urn:oma:at:dm:2.0:ServerInitiatedMgmt', DataType: 'application/json', Data: { NotificationID: notificationId } }]);
    assert.deepEqual(p1.MOS.map((m) => [m.MOID, m.MIID]), [[DEVINFO, ['miid1']]]);
    assert.deepEqual(r.engine.device(DEVID).results.map((x) => x.status), [200]);
  } finally {
    await r.close();
  }
});

test('the device drops a duplicate, a wrong digest, an unknown SERVER-ID, a digest it has no secret for, and garbage, and says why (5.2.1.2)', async () => {
  const r = await rig({ items: [devinfo(), dmacc()] });
  try {
    const send = async (bytes: Uint8Array, why: RegExp): Promise<void> => {
      const before = r.events.length;
      await sendDatagram(bytes, '127.0.0.1', r.device.udpPort);
      const e = await until('the notification', () => r.events.slice(before).find((x) => x.kind === 'package0'));
      assert.match(String(e.note), why);
    };
    const ok = encode({ serverId: 'DMS_ID1', notificationId: 42, secret: enc.encode('noti-secret'), authData: enc.encode('nonce') });
    await send(wrapWapPush(ok), /^accepted from DMS_ID1/);
    await r.device.idle();
    await send(wrapWapPush(ok), /duplicate NOTIFICATION-ID 42/);
    await send(wrapWapPush(encode({ serverId: 'DMS_ID1', notificationId: 43, secret: enc.encode('other'), authData: enc.encode('nonce') })), /SHA256-DIGEST is wrong/);
    await send(wrapWapPush(encode({ serverId: 'EVIL', notificationId: 44 })), /unknown SERVER-ID 'EVIL'/);
    await send(Uint8Array.from([1, 2, 3, 4, 5]), /dropped/);
    await send(wrapWapPush(Uint8Array.from([0x20])), /malformed/);
    assert.equal(r.serverEvents.filter((e) => e.kind === 'package1').length, 1, 'only the first notification opened a session');
  } finally {
    await r.close();
  }
  // A DM Account without a notification secret cannot check a digest: dropped (5.2.1.2).
  const n = await rig({ items: [devinfo(), dmacc({ Auth: {} })] });
  try {
    await sendDatagram(wrapWapPush(encode({ serverId: 'DMS_ID1', notificationId: 1, secret: enc.encode('x') })), '127.0.0.1', n.device.udpPort);
    const e = await until('the notification', () => n.events.find((x) => x.kind === 'package0'));
    assert.match(String(e.note), /no notification secret/);
  } finally {
    await n.close();
  }
});
