// `omadm serve dms1`, `serve dms2` and `serve device` as processes: the DMAcc approach (Delegation 5.2.1)
// started with curl on DMS-1's control endpoint, then revoked at DMS-2's request (5.2.4).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';
import { until } from '../engine/harness.ts';
import { createAuthority, issue } from '../../server/src/host/certs.ts';

const BIN = path.join(ROOT, 'bin', 'omadm.js');
const run = promisify(execFile);

function start(args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out };
}

const curl = async (...args: string[]) => (await run('curl', ['-s', ...args])).stdout;

test('two peer processes and a device process: delegation over mutual TLS, then revocation requested by DMS-2', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-peers-'));
  const ca = await createAuthority();
  const files: Record<string, string> = { 'ca.pem': ca.cert };
  for (const p of ['dms1', 'dms2']) {
    const c = await issue(ca, p);
    files[`${p}.pem`] = c.cert;
    files[`${p}-key.pem`] = c.key;
  }
  for (const [n, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), t);
  const f = (n: string) => path.join(dir, n);
  // The example device: its DMAcc points at dm.example, mapped to DMS-1's DM Server once that is up.
  const procs: { child: ChildProcess; out: () => string }[] = [];
  try {
    const device = start(['serve', 'device', '--tree', path.join(ROOT, 'examples', 'workspace', 'device.dmtree.json'), '--udp-port', '0', '--host', 'dm.example=http://127.0.0.1:9']);
    procs.push(device);
    const udp = await until('the device', () => /^(udp:\/\/\S+)\n/.exec(device.out())?.[1], 10_000);
    const dms2 = start(['serve', 'dms2', '--cert', f('dms2.pem'), '--key', f('dms2-key.pem'), '--ca', f('ca.pem'), '--device', udp, '--server-id', 'DMS2', '--secret', 's2', '--auth-data', 'd2']);
    procs.push(dms2);
    const [if2, dm2] = await until('DMS-2', () => /^(https:\S+)\n(http:\S+)\n/.exec(dms2.out())?.slice(1), 10_000);
    const dms1 = start(['serve', 'dms1', '--cert', f('dms1.pem'), '--key', f('dms1-key.pem'), '--ca', f('ca.pem'), '--peer', if2!, '--device', udp, '--dev-id', 'IMEI:493005100592800', '--man', 'Vendor', '--mod', 'DM_Client', '--server-id', 'DMS_ID1', '--secret', 'notification-secret', '--auth-data', 'nonce-0001', '--user', 'device1:transport-secret']);
    procs.push(dms1);
    const [if1, dm1] = await until('DMS-1', () => /^(https:\S+)\n(http:\S+)\n/.exec(dms1.out())?.slice(1), 10_000);
    // The device reaches DMS-1 through its DMAcc's SrvURI host; restart it with the real address.
    device.child.kill('SIGTERM');
    await new Promise((r) => device.child.once('exit', r));
    const device2 = start(['serve', 'device', '--tree', path.join(ROOT, 'examples', 'workspace', 'device.dmtree.json'), '--udp-port', udp!.split(':').pop()!, '--host', `dm.example=${dm1}`]);
    procs.push(device2);
    await until('the device again', () => /^udp:/.test(device2.out()), 10_000);
    assert.match(await curl('-X', 'POST', `${dm2}/omadm/peer?url=${encodeURIComponent(if1!)}`), /"peer"/);
    const rec = JSON.parse(await curl('-X', 'POST', `${dm1}/omadm/delegate?treeUri=/SCOMO&moid=${encodeURIComponent('urn:oma:mo:oma-scomo:1.0')}`)) as { state: string; reason?: string; sessionId: string };
    assert.equal(rec.state, "completed", JSON.stringify(rec));
    await until('DMS-2 confirmed', () => device2.out().includes('session') && device2.out().split(': completed').length >= 3, 10_000);
    const asked = JSON.parse(await curl('-X', 'POST', `${dm2}/omadm/revocation-request?session=${encodeURIComponent(rec.sessionId)}`)) as { state: string };
    assert.equal(asked.state, 'revoked');
    const mine = JSON.parse(await curl(`${dm1}/omadm/delegations`)) as { state: string }[];
    assert.deepEqual(mine.map((x) => x.state), ['revoked']);
    // Someone without a certificate of the CA gets no answer from either interface.
    for (const u of [if1!, if2!]) assert.equal((await run('curl', ['-s', '-k', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', u]).catch((e: { stdout: string }) => e)).stdout, '000');
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.child.exitCode === null ? new Promise((r) => p.child.once('exit', r)) : Promise.resolve())));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
