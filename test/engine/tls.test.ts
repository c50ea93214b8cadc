// X.509 client certificates over real TLS (DM 2.0 9.2.1): certificates made by openssl, the device's from its DMAcc Auth/Trsp (12.2).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DmServerEngine } from '../../server/src/core/engine/server.ts';
import { DataRepository, MemoryStore } from '../../server/src/core/engine/repository.ts';
import { serveDmServer } from '../../server/src/host/dmServerHost.ts';
import { UndiciHttpClient } from '../../server/src/host/httpClient.ts';
import { runDevice, systemClock } from '../../server/src/host/deviceHost.ts';
import { DEVINFO, devinfo, pkg2, treeOf } from './harness.ts';

function certificates(): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'otherCert' | 'otherKey', string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-tls-'));
  const ossl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ca = (name: string): void => ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
  const leaf = (name: string, issuer: string, san: string): void => {
    ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    ossl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'ca', 'IP:127.0.0.1');
  leaf('device', 'ca', 'DNS:device.test');
  leaf('stranger', 'other-ca', 'DNS:stranger.test');
  const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
  const out = { ca: read('ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key'), clientCert: read('device.crt'), clientKey: read('device.key'), otherCert: read('stranger.crt'), otherKey: read('stranger.key') };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

test('the DM Server takes a client certificate from its CA instead of a password; one from another CA, or none, gets 401 (9.2.1)', async () => {
  const c = certificates();
  const engine = new DmServerEngine({ serverId: 'DMS_ID1', repository: new DataRepository(new MemoryStore()), clock: systemClock, trace: () => undefined, acceptClientCertificates: true, credentials: { users: new Map([['device1', 'pw']]), realm: 'omadm', secret: 's' }, commands: [pkg2(['GET', `${DEVINFO}//DevID`])] });
  const server = await serveDmServer(engine, { tls: { cert: c.serverCert, key: c.serverKey, ca: c.ca } });
  assert.match(server.url, /^https:/);
  const http = new UndiciHttpClient({ ca: c.ca, timeout: 5000 });
  const account = (trsp: unknown) => ({ ClientURI: 'urn:oma:mo:oma-dm-dmacc:1.2/dms1/', MOData: { dms1: { SrvID: 'DMS_ID1', SrvURI: `${server.url}/dm`, Auth: { Trsp: trsp } } } });
  const session = async (trsp: unknown) => {
    const d = await runDevice({ tree: treeOf([devinfo(), account(trsp)]), http, trace: () => undefined, udpPort: 0 });
    try {
      return await d.session();
    } finally {
      await d.close();
    }
  };
  try {
    const good = await session({ Data: c.clientCert, Secret: c.clientKey });
    assert.equal(good.outcome, 'completed', good.reason);
    const stranger = await session({ Data: c.otherCert, Secret: c.otherKey });
    assert.equal(stranger.outcome, 'aborted');
    assert.match(stranger.reason, /HTTP 401/);
    const none = await session(undefined);
    assert.match(none.reason, /HTTP 401/);
  } finally {
    await http.close();
    await server.close();
  }
});
