// The mini DM Server against real clients (curl, undici), bad input, authentication (DM 2.0 9.2.1), and sessions that fail (5.6).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as http from 'node:http';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { request } from 'undici';
import { DEVID, DEVINFO, devinfo, dmacc, pkg2, rig } from './harness.ts';
import { parsePackage } from '../../server/src/core/dm20/model.ts';
import { ROOT } from '../helpers.ts';

const run = promisify(execFile);
const PKG1 = 'application/vnd.oma.dm.initiation+json';
const PKG3 = 'application/vnd.oma.dm.response+json';
const base = [devinfo(), dmacc()];

async function post(url: string, headers: Record<string, string>, body: string) {
  const r = await request(url, { method: 'POST', headers, body });
  return { status: r.statusCode, headers: r.headers, body: await r.body.text() };
}

test('curl posts a Package#1 to `omadm serve dm-server` and gets a valid Package#2 (DM 2.0 5.2.2, 5.2.3)', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'omadm.js'), 'serve', 'dm-server', '--port', '0', '--commands', path.join(ROOT, 'examples', 'workspace', 'session', '1-inventory.pkg2.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n')) resolve(line!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const { stdout } = await run('curl', ['-s', '-i', '-X', 'POST', '-H', `Content-Type: ${PKG1}`, '-H', 'Accept: application/vnd.oma.dm.request+json', '-H', `OMADM-DevID: ${DEVID}`, '--data-binary', '{"Alert":[{"AlertType":"urn:oma:at:dm:2.0:ClientInitiatedMgmt"}]}', `${url}/dm`]);
    const [head, body] = stdout.split(/\r\n\r\n/);
    assert.match(head!, /^HTTP\/1\.1 200/);
    assert.match(head!, /content-type: application\/vnd\.oma\.dm\.request\+json/i);
    const p = parsePackage(body!, 'pkg2');
    assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(p.value!.commands[0]!.name, 'GET');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

test('bad requests get the status HTTP and 5.5 give, with a problem document; the body is size-limited (413)', async () => {
  const r = await rig({ items: base });
  const u = `${r.server.url}/dm`;
  try {
    const h = { 'content-type': PKG1, 'omadm-devid': DEVID };
    assert.equal((await post(u, { ...h, 'content-type': 'text/plain' }, '{}')).status, 415);
    assert.equal((await post(u, { ...h, accept: 'text/html' }, '{}')).status, 406);
    const noId = await post(u, { 'content-type': PKG1 }, '{}');
    assert.equal(noId.status, 400);
    assert.match(JSON.parse(noId.body).detail, /OMADM-DevID/);
    const bad = await post(u, h, '{"MOS": 5');
    assert.equal(bad.status, 400);
    assert.equal(bad.headers['content-type'], 'application/problem+json');
    assert.ok(JSON.parse(bad.body).diagnostics.length >= 1);
    assert.equal((await post(u, { ...h, 'content-type': PKG3 }, '{"Status":[]}')).status, 400, 'a Package#3 with no session open');
    assert.equal((await post(u, { ...h, 'content-type': 'multipart/form-data; boundary=b' }, '--b\r\nnot a header line\r\n')).status, 400);
    assert.equal((await request(u)).statusCode, 405);
    for (const evil of ['/repository/%2e%2e/etc', '/repository/../../etc/passwd', '/repository/a/%2F..%2Fb']) {
      assert.equal((await run('curl', ['-s', '--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', `${r.server.url}${evil}`])).stdout, '400', evil);
    }
    const big = await post(u, h, JSON.stringify({ Alert: [{ AlertType: 'x', Data: { big: 'x'.repeat(5 * 1024 * 1024) } }] }));
    assert.equal(big.status, 413);
    // The server still answers after all of that.
    assert.equal((await post(u, h, '{}')).status, 200);
  } finally {
    await r.close();
  }
});

test('authentication (9.2.1): none or wrong credentials get 401 with Digest and Basic challenges and no data; Basic from the DMAcc works; curl --digest works', async () => {
  const r = await rig({ items: base, users: { device1: 'pw' }, commands: [pkg2(['GET', `${DEVINFO}//DevID`])] });
  try {
    const none = await post(`${r.server.url}/dm`, { 'content-type': PKG1, 'omadm-devid': DEVID }, '{}');
    assert.equal(none.status, 401);
    const challenges = [none.headers['www-authenticate']].flat() as string[];
    assert.ok(challenges.some((c) => c.startsWith('Digest ')) && challenges.some((c) => c.startsWith('Basic ')), String(challenges));
    assert.ok(!none.body.includes('CMD'));
    const wrong = await post(`${r.server.url}/dm`, { 'content-type': PKG1, 'omadm-devid': DEVID, authorization: `Basic ${Buffer.from('device1:nope').toString('base64')}` }, '{}');
    assert.equal(wrong.status, 401);
    // The device sends its DMAcc Auth/Trsp credentials (12.2) with HTTP Basic.
    const o = await r.session();
    assert.equal(o.outcome, 'completed', o.reason);
    const { stdout } = await run('curl', ['-s', '-i', '--digest', '-u', 'device1:pw', '-H', `Content-Type: ${PKG1}`, '-H', `OMADM-DevID: ${DEVID}`, '--data-binary', '{}', `${r.server.url}/dm`]);
    assert.match(stdout, /HTTP\/1\.1 401[\s\S]*HTTP\/1\.1 200/);
    const bad = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--digest', '-u', 'device1:wrong', '-H', `Content-Type: ${PKG1}`, '-H', `OMADM-DevID: ${DEVID}`, '--data-binary', '{}', `${r.server.url}/dm`]);
    assert.equal(bad.stdout, '401');
  } finally {
    await r.close();
  }
  // Wrong credentials in the device's tree: the session is aborted at once and no command runs (5.6).
  const w = await rig({ items: [devinfo(), dmacc({ Auth: { Trsp: { Data: 'device1', Secret: 'wrong' } } })], users: { device1: 'pw' }, commands: [pkg2(['DELETE', `${DEVINFO}//Man`])] });
  try {
    const o = await w.session();
    assert.equal(o.outcome, 'aborted');
    assert.match(o.reason, /HTTP 401/);
    assert.equal(w.device.engine.tree.instance(DEVINFO, 'miid1')!.root.child('Man')!.value, 'Vendor');
  } finally {
    await w.close();
  }
});

async function fakeServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`, close: () => new Promise((r) => { s.close(() => r()); s.closeAllConnections(); }) };
}

test('a session aborts, without retry, on a 5xx, an answer that is no Package#2, and a server that never answers (5.6)', async () => {
  let hits = 0;
  const cases: [http.RequestListener, RegExp][] = [
    [(_q, s) => { hits++; s.writeHead(503).end(); }, /HTTP 503/],
    [(_q, s) => { hits++; s.writeHead(200, { 'content-type': 'application/vnd.oma.dm.request+json' }).end('{"CMD": ['); }, /not JSON/],
    [(_q, s) => { hits++; s.writeHead(200, { 'content-type': 'text/html' }).end('<p>'); }, /not a Package#2/],
    [() => { hits++; /* never answers */ }, /no answer in time/],
  ];
  for (const [handler, reason] of cases) {
    hits = 0;
    const f = await fakeServer(handler);
    const r = await rig({ items: base, timeout: 300 });
    try {
      const o = await r.device.session({ url: `${f.url}/dm` });
      assert.equal(o.outcome, 'aborted');
      assert.match(o.reason, reason);
      assert.equal(hits, 1, 'not retried');
    } finally {
      await r.close();
      await f.close();
    }
  }
});

test('a client that never finishes its request is cut off by the server timeouts', async () => {
  const { DmServerEngine } = await import('../../server/src/core/engine/server.ts');
  const { DataRepository, MemoryStore } = await import('../../server/src/core/engine/repository.ts');
  const { serveDmServer } = await import('../../server/src/host/dmServerHost.ts');
  const { systemClock } = await import('../../server/src/host/deviceHost.ts');
  const engine = new DmServerEngine({ serverId: 'S', repository: new DataRepository(new MemoryStore()), clock: systemClock, trace: () => undefined });
  const server = await serveDmServer(engine, { timeouts: { headers: 300, request: 600 } });
  try {
    const socket = net.connect(server.port, '127.0.0.1');
    socket.write('POST /dm HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"');
    const closed = await new Promise<string>((resolve, reject) => {
      let got = '';
      const deadline = setTimeout(() => reject(new Error('the server kept the connection open')), 5000);
      socket.on('data', (d: Buffer) => (got += d.toString()));
      socket.on('close', () => {
        clearTimeout(deadline);
        resolve(got);
      });
    });
    assert.match(closed, /^HTTP\/1\.1 408/);
  } finally {
    await server.close();
  }
});

test('control endpoints: a Package#2 queued while the server runs, a DM Notification sent to the device, the devices read back', async () => {
  const r = await rig({ items: [devinfo(), dmacc()] });
  try {
    const bad = await post(`${r.server.url}/omadm/queue/${encodeURIComponent(DEVID)}`, { 'content-type': 'application/vnd.oma.dm.request+json' }, '{"CMD": [["GET"]]}');
    assert.equal(bad.status, 400);
    const q = await post(`${r.server.url}/omadm/queue/${encodeURIComponent(DEVID)}`, { 'content-type': 'application/vnd.oma.dm.request+json' }, JSON.stringify({ CMD: [['GET', `${DEVINFO}//DevID`]] }));
    assert.equal(q.status, 202);
    const n = await post(`${r.server.url}/omadm/notify?to=udp://127.0.0.1:${r.device.udpPort}`, { 'content-type': 'application/json' }, JSON.stringify({ secret: 'noti-secret', authData: 'nonce' }));
    assert.equal(n.status, 202, n.body);
    const { until } = await import('./harness.ts');
    await until('the session', () => r.engine.device(DEVID).results.length === 1, 5000);
    const devices = JSON.parse((await (await request(`${r.server.url}/omadm/devices`)).body.text()) as string) as { devId: string; results: { status: number }[] }[];
    assert.deepEqual(devices.map((d) => [d.devId, d.results.map((x) => x.status)]), [[DEVID, [200]]]);
  } finally {
    await r.close();
  }
});
