import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';

const BIN = path.join(ROOT, 'bin', 'omadm.js');
const omadm = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};
// Built by hand from DM 2.0 7.1 (see test/fixtures/notification/session-request.pkg0.hex).
const VECTOR = '22 80 10 07 44 4d 53 5f 49 44 31 10 02 01 00 10 02 12 67 20 04 65 53 f1 00 10 00';

test('encode builds the hand-built vector', () => {
  const r = omadm('encode', '--server-id', 'DMS_ID1', '--con-type', 'CELLULAR', '--con-type', 'any_available', '--notification-id', '4711', '--timestamp', '2023-11-14T22:13:20Z', '--req-mos');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), VECTOR);
  const j = JSON.parse(omadm('encode', '--json', '--server-id', 'DMS_ID1', '--con-type', 'CELLULAR', '--con-type', 'ANY_AVAILABLE', '--notification-id', '4711', '--timestamp', '1700000000', '--req-mos').stdout);
  assert.deepEqual(j, { hex: VECTOR.replace(/ /g, ''), base64: Buffer.from(VECTOR.replace(/ /g, ''), 'hex').toString('base64'), length: 27 });
});

test('decode --json prints the contract, for hex, base64, WAP Push and @FILE alike', () => {
  for (const input of [VECTOR, Buffer.from(VECTOR.replace(/ /g, ''), 'hex').toString('base64'), '@test/fixtures/notification/wap-push.pkg0.hex', '@test/fixtures/notification/session-request.pkg0.hex']) {
    const r = omadm('decode', '--json', input);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const d = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(d).slice(0, 5), ['version', 'options', 'serverId', 'notificationId', 'digest']);
    assert.equal(d.version, 2);
    assert.deepEqual(d.options, [
      { number: 1, name: 'SERVER-ID', length: 7, value: 'DMS_ID1' },
      { number: 2, name: 'PREFERRED-CON-TYPE', length: 2, value: ['CELLULAR', 'ANY_AVAILABLE'] },
      { number: 3, name: 'NOTIFICATION-ID', length: 2, value: 4711 },
      { number: 5, name: 'TIMESTAMP', length: 4, value: 1700000000 },
      { number: 6, name: 'REQ-MOS', length: 0, value: null },
    ]);
    assert.deepEqual([d.serverId, d.notificationId, d.digest], ['DMS_ID1', 4711, { present: false, valid: null }]);
  }
});

test('encode and decode agree on the digest; a wrong secret exits 1', () => {
  const hex = omadm('encode', '--server-id', 'srv', '--notification-id', '9', '--secret', 'hex:00ff10', '--auth-data', 'base64:bm9uY2U=').stdout.trim();
  const ok = omadm('decode', '--json', '--secret', 'hex:00ff10', '--auth-data', 'nonce', hex);
  assert.equal(ok.code, 0, ok.stdout);
  assert.deepEqual(JSON.parse(ok.stdout).digest, { present: true, valid: true });
  const bad = omadm('decode', '--json', '--secret', 'wrong', '--auth-data', 'nonce', hex);
  assert.equal(bad.code, 1);
  assert.deepEqual(JSON.parse(bad.stdout).digest, { present: true, valid: false });
  assert.match(omadm('decode', '--secret', 'wrong', hex).stdout, /SHA256-DIGEST: DOES NOT MATCH/);
});

test('malformed notifications exit 1 with their problems; usage errors exit 2', () => {
  const r = omadm('decode', '--json', '@test/fixtures/notification/broken.pkg0.hex');
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.stdout).problems.map((p: { code: string; offset: number }) => [p.code, p.offset]), [['pkg0.option-count', 0], ['pkg0.con-type-order', 4], ['pkg0.notification-id', 8], ['pkg0.trailing', 9]]);
  assert.equal(omadm('decode', '22').code, 1);
  assert.equal(omadm('decode').code, 2);
  assert.equal(omadm('decode', '@no/such/file').code, 2);
  assert.equal(omadm('encode').code, 2);
  assert.equal(omadm('encode', '--server-id', 'x', '--notification-id', '70000').code, 2);
  assert.equal(omadm('encode', '--server-id', 'x', '--con-type', 'SATELLITE').code, 2);
  assert.equal(omadm('encode', '--server-id', 'x', '--timestamp', 'yesterday').code, 2);
  assert.match(omadm('decode', '--help').stdout, /Exit status: 0 decoded, 1 malformed or digest mismatch/);
  assert.match(omadm('encode', '--help').stdout, /--con-type NAME/);
});

test('the text output is a field table', () => {
  const r = omadm('decode', VECTOR);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^17-18 +1267 +NOTIFICATION-ID +4711$/m);
  assert.match(r.stdout, /^0-1 +2280 +Header +VER 2, OC 5, RESERVED 0$/m);
});

test('decode refuses what is not a regular file, and binary or huge input, with exit 2 (bounded reads)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-decode-'));
  try {
    const big = path.join(dir, 'big.hex');
    fs.writeFileSync(big, '00 '.repeat(400_000));
    const bin = path.join(dir, 'bin.hex');
    fs.writeFileSync(bin, Buffer.from([0, 1, 2, 3, 0, 0]));
    for (const arg of ['@/dev/zero', `@${dir}`, `@${big}`, `@${bin}`]) {
      const r = spawnSync(process.execPath, [BIN, 'decode', arg], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 2, `${arg}: ${r.stderr}`);
      assert.match(r.stderr, /^omadm decode: /);
      assert.doesNotMatch(r.stderr, /[\u0000-\u0008]/);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the WAP Push header row shows its bytes and where they are (E.1: TID, Push PDU 0x06, headers length, 0xD8, 0xAF 0x87)', () => {
  const r = omadm('decode', '@examples/workspace/notifications/wap-push.pkg0.hex');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^push 0-5 +010603d8af87 +WAP Push \(WSP\) header/m);
});
