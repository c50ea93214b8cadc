// `omadm session`, `omadm serve device` and `omadm notify` as processes, against a mini DM Server on loopback.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';
import { DEVID, DEVINFO, pkg2, rig, until } from '../engine/harness.ts';

const BIN = path.join(ROOT, 'bin', 'omadm.js');
const run = promisify(execFile);
const TREE = path.join(ROOT, 'examples', 'workspace', 'device.dmtree.json');

async function omadm(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { cwd: ROOT });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

function copyTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-serve-'));
  const file = path.join(dir, 'device.dmtree.json');
  fs.copyFileSync(TREE, file);
  return file;
}

test('session --json prints one contract line per package or exchange, then the outcome; the tree file changes only with --save', async () => {
  const r = await rig({ items: [], commands: [pkg2(['DELETE', 'urn:oma:mo:oma-scomo:1.0/SCOMO1/Inventory/Deployed/Component2'], ['GET', `${DEVINFO}//DevID`])], users: { device1: 'transport-secret' } });
  const file = copyTree();
  try {
    const before = fs.readFileSync(file, 'utf8');
    const a = await omadm('session', '--json', '--tree', file, '--server', `${r.server.url}/dm`);
    assert.equal(a.code, 0, a.stderr);
    const lines = a.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const keys = ['from', 'to', 'kind', 'method', 'url', 'status', 'contentType', 'body'];
    for (const l of lines.slice(0, -1)) {
      assert.deepEqual(Object.keys(l), keys);
      assert.ok(['package0', 'package1', 'package2', 'package3', 'http'].includes(l.kind as string));
    }
    assert.deepEqual(lines.map((l) => l.kind ?? l.outcome), ['package1', 'package2', 'package3', 'package2', 'completed']);
    assert.deepEqual(lines.at(-1), { outcome: 'completed', reason: 'END (DM 2.0 5.3.9)' });
    assert.deepEqual((lines[2]!.body as { Status: unknown }).Status, [{ sc: 200 }, { sc: 200 }]);
    assert.equal(fs.readFileSync(file, 'utf8'), before, 'not written without --save');
    r.engine.enqueue(DEVID, pkg2(['DELETE', 'urn:oma:mo:oma-scomo:1.0/SCOMO1/Inventory/Deployed/Component2']));
    const b = await omadm('session', '--save', '--tree', file, '--server', `${r.server.url}/dm`);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(!fs.readFileSync(file, 'utf8').includes('Component2'), 'saved with --save');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['device.dmtree.json'], 'no temporary file left');
  } finally {
    await r.close();
  }
});

test('session exits 1 when aborted (401, 5.6) and 2 for a tree that is not one', async () => {
  const r = await rig({ items: [], users: { device1: 'other' } });
  try {
    const a = await omadm('session', '--tree', TREE, '--server', `${r.server.url}/dm`);
    assert.equal(a.code, 1);
    assert.match(a.stdout, /aborted: HTTP 401/);
  } finally {
    await r.close();
  }
  const b = await omadm('session', '--tree', path.join(ROOT, 'README.md'), '--server', 'http://127.0.0.1:1/');
  assert.equal(b.code, 2);
  assert.match(b.stderr, /is not a DM tree/);
  assert.equal((await omadm('session', '--tree', TREE)).code, 2);
});

test('serve device prints its UDP address; notify sends it a DM Notification that opens a session', async () => {
  const r = await rig({ items: [], commands: [pkg2(['GET', `${DEVINFO}//DevID`])], users: { device1: 'transport-secret' } });
  const child = spawn(process.execPath, [BIN, 'serve', 'device', '--tree', TREE, '--udp-port', '0', '--server', `${r.server.url}/dm`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const addr = await until('the UDP address', () => /^(udp:\/\/127\.0\.0\.1:\d+)\n/.exec(out)?.[1], 10_000);
    const n = await omadm('notify', addr, '--server-id', 'DMS_ID1', '--notification-id', '77', '--secret', 'notification-secret', '--auth-data', 'nonce-0001');
    assert.equal(n.code, 0, n.stderr);
    await until('the session', () => out.includes(': completed'), 10_000);
    assert.match(out, /Package#0 {2}\(accepted from DMS_ID1\)/);
    assert.deepEqual(r.engine.device(DEVID).results.map((x) => x.status), [200]);
    const bad = await omadm('notify', addr, '--server-id', 'DMS_ID1', '--notification-id', '78', '--secret', 'wrong');
    assert.equal(bad.code, 0);
    await until('the drop', () => out.includes('SHA256-DIGEST is wrong'), 10_000);
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
    await r.close();
  }
  assert.equal((await omadm('notify', 'http://x', '--server-id', 'A')).code, 2);
  assert.equal((await omadm('notify', 'udp://127.0.0.1:9')).code, 2);
});

test('certs writes a CA and a certificate per part that openssl verifies, in a folder git ignores', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-certs-')), 'certs');
  const r = await omadm('certs', '--dir', dir);
  assert.equal(r.code, 0, r.stderr);
  for (const part of ['dms1', 'dms2', 'dm-server', 'device']) {
    assert.ok(fs.existsSync(path.join(dir, `${part}-key.pem`)), part);
    const v = await run('openssl', ['verify', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, `${part}.pem`)]);
    assert.match(v.stdout, /: OK/);
    const text = (await run('openssl', ['x509', '-in', path.join(dir, `${part}.pem`), '-noout', '-text'])).stdout;
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
    assert.match(text, /DNS:localhost, IP Address:127\.0\.0\.1/);
  }
  assert.match(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), /^\*$/m);
  // A folder that cannot be made: its parent is a file.
  assert.equal((await omadm('certs', '--dir', path.join(dir, 'ca.pem', 'sub'))).code, 2);
});
