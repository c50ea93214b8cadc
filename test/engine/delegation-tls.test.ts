// The delegation interface refuses at the TLS handshake whoever lacks a client certificate of its CA
// (Delegation 5.2.1.1, DM-DEL-S-001), checked with curl and openssl s_client, which no one here wrote,
// and with Node's own client.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';

import { createAuthority, issue } from '../../server/src/host/certs.ts';
import { servePeer } from '../../server/src/host/peerHost.ts';
import { UndiciHttpClient } from '../../server/src/host/httpClient.ts';
import { DelegatedServer } from '../../server/src/core/engine/delegation/dms2.ts';
import { DmServerEngine } from '../../server/src/core/engine/server.ts';
import { DataRepository, MemoryStore } from '../../server/src/core/engine/repository.ts';
import { systemClock } from '../../server/src/host/deviceHost.ts';
import { buildDelegation } from '../../server/src/core/delegation/model.ts';

async function tool(cmd: string, args: string[], input?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }));
    child.stdin?.end(input ?? '');
  });
}

test('TLS matrix: no client certificate, another CA, an expired one, TLS below 1.2 are refused at the handshake; the right one is answered', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-peer-tls-'));
  const ca = await createAuthority();
  const other = await createAuthority('Another CA');
  const day = 86_400_000;
  const [server, client, stranger, expired, elsewhere] = await Promise.all([
    issue(ca, 'dms2'), issue(ca, 'dms1'), issue(other, 'stranger'),
    issue(ca, 'old', { notBefore: new Date(Date.now() - 10 * day), notAfter: new Date(Date.now() - day) }),
    issue(ca, 'dms2', { names: ['dms2.elsewhere.example'] }),
  ]);
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const files = { ca: write('ca.pem', ca.cert), cert: write('c.pem', client.cert), key: write('c-key.pem', client.key), scert: write('s.pem', stranger.cert), skey: write('s-key.pem', stranger.key), ecert: write('e.pem', expired.cert), ekey: write('e-key.pem', expired.key) };
  const dm = new DmServerEngine({ serverId: 'DMS2', repository: new DataRepository(new MemoryStore()), clock: systemClock, trace: () => undefined });
  const noPorts = { post: async () => ({ ok: false as const, error: 'not in this test' }), notifyDevice: async () => undefined, within: <T>(p: Promise<T>) => p, clock: systemClock, trace: () => undefined };
  const peer = new DelegatedServer({ serverId: 'DMS2', dm, account: { serverId: 'DMS2', name: 'x', address: 'http://127.0.0.1:1/dm' }, peerUrl: 'https://127.0.0.1:1/x', accept: false }, noPorts);
  const s = await servePeer(peer, { ...server, ca: ca.cert });
  const msg = buildDelegation({ root: 'delegation_req', params: { serverId: 'DMS1', deviceId: 'IMEI:1', deviceMan: 'M', deviceMod: 'X', DMTreeURI: '/SCOMO', isDelegationFull: 'false', sessionId: 'S1' } });
  const curl = (...extra: string[]) => tool('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', files.ca, '-X', 'POST', '-H', 'Content-Type: application/vnd.dm.delegation+xml', '--data-binary', msg, ...extra, s.url]);
  try {
    const ok = await curl('--cert', files.cert, '--key', files.key);
    assert.equal(ok.out, '200', 'a client certificate of the CA: answered (DELEGATION_RESP)');
    for (const [what, args] of [['no certificate', []], ['another CA', ['--cert', files.scert, '--key', files.skey]], ['expired', ['--cert', files.ecert, '--key', files.ekey]]] as const) {
      const r = await curl(...args);
      assert.notEqual(r.code, 0, `${what}: curl fails`);
      assert.equal(r.out, '000', `${what}: no HTTP status, the handshake was refused`);
    }
    const old = await tool('openssl', ['s_client', '-connect', `127.0.0.1:${s.port}`, '-tls1_1', '-CAfile', files.ca, '-cert', files.cert, '-key', files.key]);
    assert.notEqual(old.code, 0, 'TLS 1.1 is refused');
    const none = await tool('openssl', ['s_client', '-connect', `127.0.0.1:${s.port}`, '-tls1_2', '-CAfile', files.ca], 'GET / HTTP/1.0\r\n\r\n');
    assert.doesNotMatch(none.out, /HTTP\/1\.[01] \d{3}/, 'without a certificate openssl gets no HTTP answer');
    // Node's own client, with its certificate: the peer's answer is a DELEGATION_RESP (here declining).
    const http = new UndiciHttpClient({ ca: ca.cert });
    const res = await http.send({ method: 'POST', url: s.url, headers: { 'content-type': 'application/vnd.dm.delegation+xml' }, body: new TextEncoder().encode(msg), tls: { cert: client.cert, key: client.key } });
    assert.ok(res.ok && res.response.status === 200 && new TextDecoder().decode(res.response.body).includes('<isAknowledged>false</isAknowledged>'));
    await http.close();
  } finally {
    await s.close();
  }
  // A peer whose certificate names another host: Node's client refuses it (RFC 6125).
  const s2 = await servePeer(peer, { ...elsewhere, ca: ca.cert });
  try {
    const http = new UndiciHttpClient({ ca: ca.cert });
    const res = await http.send({ method: 'POST', url: s2.url, headers: { 'content-type': 'application/vnd.dm.delegation+xml' }, body: new TextEncoder().encode(msg), tls: { cert: client.cert, key: client.key } });
    assert.equal(res.ok, false);
    assert.match(res.ok ? '' : res.error, /ALTNAME|altnames|Hostname/i);
    await http.close();
  } finally {
    await s2.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
