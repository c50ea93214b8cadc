import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decode, encode, verify, type NotificationFields } from '../../server/src/core/notification/codec.ts';
import { parseInput } from '../../server/src/core/notification/input.ts';
import { analyzeNotification } from '../../server/src/core/notification/analyze.ts';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/[^0-9a-f]/gi, ''), 'hex'));

// Built by hand from DM 2.0 7.1: header VER=2 OC=5 -> 0010 00101 0000000 = 0x2280; SERVER-ID
// (delta 1, len 7) 0x1007 "DMS_ID1"; PREFERRED-CON-TYPE (1, 2) CELLULAR, ANY_AVAILABLE; NOTIFICATION-ID
// (1, 2) 4711 = 0x1267; TIMESTAMP (delta 2, len 4) 1700000000 = 0x6553F100; REQ-MOS (1, 0).
const VECTOR = '2280 1007 444d535f494431 1002 0100 1002 1267 2004 6553f100 1000';

test('decodes a hand-built vector: every field with its offset', () => {
  const n = decode(bytes(VECTOR));
  assert.deepEqual(n.problems, []);
  assert.deepEqual([n.version, n.optionCount, n.reserved], [2, 5, 0]);
  assert.deepEqual(n.options.map((o) => [o.number, o.name, o.delta, o.length, o.offset, o.valueOffset, o.value]), [
    [1, 'SERVER-ID', 1, 7, 2, 4, 'DMS_ID1'],
    [2, 'PREFERRED-CON-TYPE', 1, 2, 11, 13, ['CELLULAR', 'ANY_AVAILABLE']],
    [3, 'NOTIFICATION-ID', 1, 2, 15, 17, 4711],
    [5, 'TIMESTAMP', 2, 4, 19, 21, 1700000000],
    [6, 'REQ-MOS', 1, 0, 25, 27, null],
  ]);
  assert.equal(n.options[3]!.display, '2023-11-14T22:13:20Z (1700000000)');
  assert.deepEqual(n.header.map((h) => [h.name, h.bitOffset, h.bitLength]), [['VER', 0, 4], ['OC', 4, 5], ['RESERVED', 9, 7]]);
});

test('each option reads as the editor shows it: SERVER-ID quoted, connection names, the digest in hex, TIMESTAMP in UTC', () => {
  const n = decode(bytes(VECTOR));
  assert.deepEqual(n.options.map((o) => o.display), ['"DMS_ID1"', 'CELLULAR, ANY_AVAILABLE', '4711', '2023-11-14T22:13:20Z (1700000000)', 'requested']);
  // A digest (option 4, 32 bytes) of 0x00..0x1f, and a SERVER-ID that is not UTF-8 (0xff).
  const digest = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0')).join('');
  const d = decode(bytes(`2100 1001 ff 3020 ${digest}`));
  assert.deepEqual(d.options.map((o) => [o.value, o.display]), [['ff', '(not UTF-8) ff'], [digest, digest]]);
  // TIMESTAMP of 3 bytes: no POSIX time, shown as the number it holds (5.2.1.2).
  assert.equal(decode(bytes('2080 5003 010203')).options[0]!.display, String(0x010203));
});

test('encode builds the same bytes, and computes the digest exactly as 5.2.1.2 says', () => {
  const fields = { serverId: 'DMS_ID1', conTypes: [1, 0], notificationId: 4711, timestamp: 1700000000, reqMos: true };
  assert.deepEqual(encode(fields), bytes(VECTOR));
  const secret = new TextEncoder().encode('s3cret');
  const authData = new TextEncoder().encode('nonce');
  const signed = encode({ ...fields, secret, authData });
  // By hand: the digest option sits after NOTIFICATION-ID; zero it, hash secret | message | auth-data.
  const at = signed.findIndex((_, i) => signed[i] === 0x10 && signed[i + 1] === 0x20) + 2;
  assert.equal(at, 21);
  const zeroed = Uint8Array.from(signed);
  zeroed.fill(0, at, at + 32);
  const want = createHash('sha256').update(Buffer.from('s3cret')).update(zeroed).update(Buffer.from('nonce')).digest();
  assert.deepEqual(Buffer.from(signed.subarray(at, at + 32)), want);
  assert.equal(verify(signed, secret, authData), true);
  assert.equal(verify(signed, new TextEncoder().encode('other'), authData), false);
  assert.equal(verify(signed, secret, new Uint8Array(0)), false);
  assert.equal(verify(bytes(VECTOR), secret, authData), undefined);
});

test('every problem is found at its bytes', () => {
  const cases: [string, string, number, number][] = [
    ['', 'pkg0.too-short', 0, 0],
    ['22', 'pkg0.too-short', 0, 1],
    ['3000', 'pkg0.version', 0, 1],
    ['2100 1001 41', 'pkg0.option-count', 0, 2], // OC 2, one option present
    ['2080 1001 41 1001 42', 'pkg0.option-count', 0, 2], // OC 1, two clean options present
    ['2100 1001 41 0001 42', 'pkg0.option-repeated', 5, 2],
    ['2080 1005 4142', 'pkg0.truncated', 2, 4],
    ['2080 1001 41 ff', 'pkg0.trailing', 5, 1],
    ['2080 3001 07', 'pkg0.notification-id', 4, 1],
    ['2080 4004 00000000', 'pkg0.digest-length', 4, 4],
    ['2080 6001 00', 'pkg0.req-mos', 4, 1],
    ['2080 2002 0109', 'pkg0.con-type', 5, 1],
    ['2080 2002 0001', 'pkg0.con-type-order', 4, 1],
    ['2080 1002 c328', 'pkg0.server-id', 4, 2],
    ['2080 9000', 'pkg0.option-unknown', 2, 2],
    ['2081', 'pkg0.reserved', 1, 1],
    ['2080 5003 000001', 'pkg0.timestamp', 4, 3],
  ];
  for (const [hex, code, offset, length] of cases) {
    const p = decode(bytes(hex)).problems.find((x) => x.code === code);
    assert.ok(p, `${hex}: ${code} in ${JSON.stringify(decode(bytes(hex)).problems.map((x) => x.code))}`);
    assert.deepEqual([p.offset, p.length], [offset, length], `${hex}: ${code}`);
    assert.match(p.message, /DM 2\.0 (5\.2\.1|7\.1)/);
  }
  assert.equal(decode(bytes('2001')).problems.find((p) => p.code === 'pkg0.reserved')!.severity, 'information');
  assert.equal(decode(bytes('2080 5008 0000000065 53f100')).options[0]!.value, 1700000000);
});

test('input forms: hex with separators and comments, base64, WAP Push; problems land on the hex digits', () => {
  const text = '# a DM notification\n0x22:0x80 10 07 444D535F494431 # SERVER-ID\n10 02 0100 1002 1267 2004 6553f100 1000\n';
  const p = parseInput(text);
  assert.equal(p.form, 'hex');
  assert.deepEqual(p.bytes, bytes(VECTOR));
  assert.equal(text.slice(p.spans[0]!.start, p.spans[0]!.end), '22');
  assert.equal(parseInput(Buffer.from(bytes(VECTOR)).toString('base64')).form, 'base64');
  assert.deepEqual(parseInput(Buffer.from(bytes(VECTOR)).toString('base64')).bytes, bytes(VECTOR));
  const wap = parseInput('01 06 03 d8 af 87 ' + VECTOR);
  assert.deepEqual([wap.packageOffset, wap.wapPush?.tid], [6, 1]);
  assert.deepEqual(decode(wap.bytes.subarray(wap.packageOffset)).problems, []);
  const broken = '2280 1007 444d535f494431 1002 0109 1002 1267 2004 6553f100 1000';
  const a = analyzeNotification(broken);
  const d = a.diagnostics.find((x) => x.code === 'pkg0.con-type')!;
  assert.equal(broken.slice(d.start, d.end), '09');
  const odd = analyzeNotification('2280 1');
  assert.ok(odd.diagnostics.some((x) => x.code === 'pkg0.input' && x.start === 5));
  assert.ok(analyzeNotification('zz-not-a-notification!').diagnostics.some((x) => x.code === 'pkg0.input'));
});

/** mulberry32: a small seeded generator, so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('property: 5,000 random valid packages round-trip encode -> decode exactly (seed 20261121)', () => {
  const r = rng(20261121);
  const pick = (n: number): number => Math.floor(r() * n);
  for (let i = 0; i < 5000; i++) {
    const f: NotificationFields = {};
    if (r() < 0.8) f.serverId = Array.from({ length: pick(40) }, () => String.fromCodePoint(r() < 0.9 ? 0x20 + pick(0x5f) : 0xa0 + pick(0x2000))).join('');
    if (r() < 0.5) {
      const types = [1, 2, 3].filter(() => r() < 0.5);
      f.conTypes = r() < 0.3 ? [...types, 0] : types.length ? types : [0];
    }
    if (r() < 0.6) f.notificationId = pick(65536);
    if (r() < 0.5) f.timestamp = r() < 0.8 ? pick(2 ** 32) : 2 ** 32 + pick(2 ** 20);
    if (r() < 0.4) f.reqMos = true;
    if (r() < 0.4) {
      f.secret = Uint8Array.from({ length: 1 + pick(32) }, () => pick(256));
      f.authData = Uint8Array.from({ length: pick(16) }, () => pick(256));
    }
    const b = encode(f);
    const n = decode(b);
    assert.deepEqual(n.problems, [], `case ${i}`);
    const get = (k: number) => n.options.find((o) => o.number === k);
    assert.equal(get(1)?.value, f.serverId);
    assert.deepEqual(get(2)?.value, f.conTypes?.map((c) => ['ANY_AVAILABLE', 'CELLULAR', 'WLAN', 'WIRELINE'][c]));
    assert.equal(get(3)?.value, f.notificationId);
    assert.equal(get(5)?.value, f.timestamp);
    assert.equal(!!get(6), !!f.reqMos);
    if (f.secret) assert.equal(verify(b, f.secret, f.authData!), true);
    assert.deepEqual(encode(f), b, 'encoding is deterministic');
  }
});

test('fuzz: random and mutated bytes never throw and never read past the end (bounded)', () => {
  const r = rng(7);
  const seeds = [bytes(VECTOR), encode({ serverId: 'x', secret: new Uint8Array([1]), timestamp: 5, reqMos: true })];
  const deadline = Date.now() + 3000;
  let n = 0;
  for (; n < 50_000 && Date.now() < deadline; n++) {
    let b: Uint8Array;
    if (n % 2) b = Uint8Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256));
    else {
      b = Uint8Array.from(seeds[n % seeds.length]!);
      for (let k = 0; k < 1 + Math.floor(r() * 4); k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      if (r() < 0.3) b = b.subarray(0, Math.floor(r() * b.length));
    }
    const d = decode(b);
    for (const p of d.problems) assert.ok(p.offset >= 0 && p.offset + p.length <= Math.max(b.length, 2), `problem inside the input: ${JSON.stringify(p)} for ${Buffer.from(b).toString('hex')}`);
    for (const o of d.options) assert.ok(o.valueOffset + o.valueLength <= b.length);
  }
  assert.ok(n > 1000, `ran ${n} cases`);
});

test('with a sample tree, the digest is verified with the DMAcc of the SERVER-ID', async () => {
  const { loadTrees } = await import('../../server/src/core/tree/load.ts');
  const { analyzeText } = await import('../../server/src/core/analyze.ts');
  const tree = loadTrees([{ file: 't.dmtree.json', text: JSON.stringify([
    { ClientURI: 'urn:oma:mo:oma-dm-dmacc:1.2/acc1/', MOData: { acc1: { SrvID: 'DMS_ID1', Auth: { Noti: { Type: 1, Data: 'nonce', Secret: 's3cret' } } } } },
    { ClientURI: 'urn:oma:mo:oma-dm-dmacc:2.0/acc2/', MOData: { acc2: { ServerID: 'OTHER', AuthNoti: { AuthSecret: 'x', AuthData: 'y' } } } },
  ]) }]).tree;
  const trees = { tree, label: 't.dmtree.json' };
  const enc = new TextEncoder();
  const good = Buffer.from(encode({ serverId: 'DMS_ID1', notificationId: 1, secret: enc.encode('s3cret'), authData: enc.encode('nonce') })).toString('hex');
  const ok = analyzeText(good, { fileName: 'a.pkg0.hex' }, { trees });
  assert.deepEqual(ok.diagnostics.map((d) => [d.code, d.severity]), [['pkg0.digest-verified', 'information']]);
  assert.match(ok.diagnostics[0]!.message, /urn:oma:mo:oma-dm-dmacc:1\.2\/acc1\//);
  const bad = Buffer.from(encode({ serverId: 'DMS_ID1', notificationId: 1, secret: enc.encode('wrong'), authData: enc.encode('nonce') })).toString('hex');
  assert.deepEqual(analyzeText(bad, { fileName: 'a.pkg0.hex' }, { trees }).diagnostics.map((d) => d.code), ['pkg0.digest-mismatch']);
  const other = Buffer.from(encode({ serverId: 'OTHER', secret: enc.encode('x'), authData: enc.encode('y') })).toString('hex');
  assert.deepEqual(analyzeText(other, { fileName: 'a.pkg0.hex' }, { trees }).diagnostics.map((d) => d.code), ['pkg0.digest-verified'], 'the examples\' AuthNoti/AuthSecret names');
  const unknown = Buffer.from(encode({ serverId: 'NOBODY', secret: enc.encode('x') })).toString('hex');
  assert.deepEqual(analyzeText(unknown, { fileName: 'a.pkg0.hex' }, { trees }).diagnostics, []);
});

test('a TIMESTAMP beyond any representable date is a diagnostic at its bytes, not an exception anywhere it is shown', async () => {
  const { summary } = await import('../../server/src/core/notification/describe.ts');
  const { notificationReport } = await import('../../server/src/language/notification.ts');
  const bytes = Uint8Array.from([0x20, 0x80, 0x50, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  const n = decode(bytes);
  const p = n.problems.find((x) => x.code === 'pkg0.timestamp');
  assert.deepEqual(p && [p.offset, p.length, p.severity], [4, 8, 'error']);
  assert.equal(summary(n).timestamp, undefined);
  assert.match(notificationReport('20 80 50 08 ff ff ff ff ff ff ff ff'), /pkg0\.timestamp/);
});
