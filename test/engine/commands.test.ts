// Every DM command (DM 2.0 5.3) and its outcomes (Appendix C), device against the mini DM Server over loopback.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DACMO, DEVID, DEVINFO, DMACC, devinfo, dmacc, pkg2, rig, text } from './harness.ts';
import { loadDdfs } from '../../server/src/host/ddfs.ts';

const SCOMO = 'urn:oma:mo:oma-scomo:1.0';
const DCMO = 'urn:oma:mo:oma-dcmo:1.0';
const scomo = { ClientURI: `${SCOMO}/S1/`, MOData: { S1: { Inventory: { Deployed: { C1: { ID: 'pkg1_id' }, C2: { ID: 'pkg2_id' } } }, Download: { P1: { Operations: { Install: '' } } }, Ext: {} } } };
const base = [devinfo(), dmacc(), scomo];
const USB = JSON.stringify([{ ClientURI: `${DCMO}//`, MOData: { usb: { Property: 'USB', Group: 'I/O', Enabled: 'true' } } }]);
const REPO: Record<string, [string, string]> = {
  secret: ['text/plain', 'AB123'],
  dcmo_usb: ['application/dmmo+json', USB],
  page: ['text/html', '<p>not MO data</p>'],
  broken: ['application/dmmo+json', '[{"ClientURI": 5}]'],
};
type Rig = Awaited<ReturnType<typeof rig>>;
const results = (r: Rig) => r.engine.device(DEVID).results.map((x) => [x.command.split(' ')[0], x.status]);

async function run(items: unknown[], cmds: string[][][], check: (r: Rig) => Promise<void> | void, extra: Partial<Parameters<typeof rig>[0]> = {}): Promise<void> {
  const r = await rig({ items, commands: cmds.map((c) => pkg2(...c)), repository: REPO, ...extra });
  try {
    const o = await r.session();
    assert.equal(o.outcome, 'completed', o.reason);
    await check(r);
  } finally {
    await r.close();
  }
}

test('GET: data in a multipart Package#3 (Appendix F), a leaf as text/plain, lv, 304 with the cache validator (11.2), 404', async () => {
  await run(base, [[['GET', `${DEVINFO}//`], ['GET', `${DEVINFO}//DevID`], ['GET', `${DEVINFO}//?cv=cv-1`], ['GET', `${DEVINFO}//Nope`], ['GET', `${SCOMO}/S1/?lv=1`]]], (r) => {
    assert.deepEqual(results(r), [['GET', 200], ['GET', 200], ['GET', 304], ['GET', 404], ['GET', 200]]);
    const res = r.engine.device(DEVID).results;
    assert.equal(res[0]!.data!.contentType, 'application/dmmo+json');
    // The instance root comes with its cache validator (11.2 step 2a).
    assert.deepEqual(JSON.parse(res[0]!.data!.body), [{ DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf', ClientURI: `${DEVINFO}/miid1/`, CV: 'cv-1', MOData: { miid1: { DevID: DEVID, Man: 'Vendor', Mod: 'DM_Client', DmV: '2.0' } } }]);
    assert.deepEqual(res[1]!.data, { name: '1', contentType: 'text/plain', body: DEVID });
    assert.equal(res[2]!.data, undefined);
    // lv=1: one sublevel of child nodes (6.1.1.3).
    assert.deepEqual(JSON.parse(res[4]!.data!.body)[0].MOData, { S1: { Inventory: {}, Download: {}, Ext: {} } });
    assert.match(String(r.serverEvents.find((e) => e.kind === 'package3')!.contentType), /^multipart\/form-data; boundary=/);
  });
});

test('a Package#3 without GET data has the Package#3 media type (Appendix F); a GET of a node without content is 204 (Appendix C)', async () => {
  await run(base, [[['GET', `${DEVINFO}//Nope`], ['GET', `${SCOMO}/S1/Ext`]]], (r) => {
    assert.deepEqual(results(r), [['GET', 404], ['GET', 204]]);
    assert.equal(r.serverEvents.find((e) => e.kind === 'package3')!.contentType, 'application/vnd.oma.dm.response+json');
  });
});

test('HGET: text/plain into a leaf (I.2), MO data placed by the client with its location (5.3.1), a new leaf, 415, 419, 404', async () => {
  await run(base, [[
    ['HGET', 'http://dm.test/repository/secret?DevID=[DevID]', `${DMACC}/(x)/Auth/Noti/Secret?nv=(x)/SrvID:DMS_ID1`],
    ['HGET', 'http://dm.test/repository/dcmo_usb'],
    ['HGET', 'http://dm.test/repository/dcmo_usb'],
    ['HGET', 'http://dm.test/repository/page'],
    ['HGET', 'http://dm.test/repository/broken'],
    ['HGET', 'http://dm.test/repository/missing'],
    ['HGET', 'http://dm.test/repository/secret', `${DMACC}/nope/X/Y`],
    ['HGET', 'http://dm.test/repository/secret', `${DMACC}/dms1/NewLeaf`],
    ['HGET', 'http://dm.test/repository/secret'],
  ]], (r) => {
    assert.deepEqual(results(r), [['HGET', 200], ['HGET', 200], ['HGET', 200], ['HGET', 419], ['HGET', 415], ['HGET', 419], ['HGET', 404], ['HGET', 200], ['HGET', 415]]);
    // text/html is not among the formats the device accepts: the repository answers 406 (5.5), so the HTTP GET failed (419).
    assert.equal(r.events.find((e) => e.kind === 'http' && e.url === 'http://dm.test/repository/page')!.status, 406);
    const res = r.engine.device(DEVID).results;
    assert.deepEqual(res[1]!.uris, [`${DCMO}/usb/`]);
    assert.deepEqual(res[2]!.uris, [`${DCMO}/usb2/`]);
    const tree = r.device.engine.tree;
    const dms1 = tree.instance(DMACC, 'dms1')!.root;
    assert.equal(dms1.child('Auth')!.child('Noti')!.child('Secret')!.value, 'AB123');
    assert.equal(dms1.child('NewLeaf')!.value, 'AB123');
    assert.equal(tree.instance(DCMO, 'usb')!.root.child('Property')!.value, 'USB');
    // The ServerURI parameter was replaced by the device's DevID (6.2).
    assert.ok(r.events.some((e) => e.kind === 'http' && e.url === `http://dm.test/repository/secret?DevID=${DEVID}`));
  });
});

test('HGET creating an MO instance: the creator gets full rights in the DACMO (10); an MOID not provisioned is 403', async () => {
  const acl = { ClientURI: `${DACMO}/acl/`, MOData: { acl: { [DEVINFO]: { miid1: { '1': { Permissions: { '1': { MAID: 'serverid:DMS_ID1', AR: 15 } } } } } } } };
  const items = [devinfo(), dmacc({ Perm: { '1': { MOID: DCMO } } }), acl];
  await run(items, [[['HGET', 'http://dm.test/repository/dcmo_usb'], ['GET', `${DCMO}/usb/Property`], ['HGET', 'http://dm.test/repository/scomo']]], (r) => {
    assert.deepEqual(results(r), [['HGET', 200], ['GET', 200], ['HGET', 403]]);
  }, { repository: { ...REPO, scomo: ['application/dmmo+json', JSON.stringify([{ ClientURI: `${SCOMO}//`, MOData: { s: { A: '1' } } }])] } });
});

test('HPUT and HPOST: the data in the Data Repository, readable back; a leaf as text/plain (I.1); 304, 404, 406, 419', async () => {
  await run(base, [[
    ['HPUT', 'http://dm.test/repository/[DevID]/devinfo', `${DEVINFO}//`],
    ['HPOST', 'http://dm.test/repository/state?DevID=[DevID]', `${DEVINFO}//Man`],
    ['HPUT', 'http://dm.test/repository/x', `${DEVINFO}//?cv=cv-1`],
    ['HPUT', 'http://dm.test/repository/x', `${DEVINFO}//Nope`, `${SCOMO}/S1/Nope`],
    ['HPUT', 'http://127.0.0.1:1/unreachable', `${DEVINFO}//`],
  ]], async (r) => {
    assert.deepEqual(results(r), [['HPUT', 200], ['HPOST', 200], ['HPUT', 304], ['HPUT', 404], ['HPUT', 419]]);
    const stored = r.store.items.get(`${DEVID}/devinfo`)!;
    assert.equal(stored.contentType, 'application/dmmo+json');
    assert.equal(JSON.parse(text(stored.body))[0].MOData.miid1.DevID, DEVID);
    assert.deepEqual({ ...r.store.items.get(`state?DevID=${DEVID}`)!, body: text(r.store.items.get(`state?DevID=${DEVID}`)!.body) }, { contentType: 'text/plain', body: 'Vendor' });
  });
  // A Data Repository that takes none of the device's formats: OMADM-Accept says so, the device answers 406 (5.5).
  await run(base, [[['HPUT', 'http://dm.test/repository/x', `${DEVINFO}//`]]], (r) => assert.deepEqual(results(r), [['HPUT', 406]]), { formats: ['application/vnd.example+cbor'] });
});

test('DELETE: the subtree goes (5.3.4); 404; 405 for a permanent node of the DDF (Appendix C)', async () => {
  await run(base, [[['DELETE', `${SCOMO}/S1/Inventory/Deployed/C2`], ['GET', `${SCOMO}/S1/Inventory/Deployed/C2/ID`], ['DELETE', `${SCOMO}/S1/Nope`], ['DELETE', `${DMACC}/dms1/SrvID`]]], (r) => {
    assert.deepEqual(results(r), [['DELETE', 200], ['GET', 404], ['DELETE', 404], ['DELETE', 405]]);
  }, { ddfs: loadDdfs([]) });
});

test('EXEC: 200; with a ServerURI 202 and the result in a Generic Alert in a new session (5.4.1); 405 not executable; 404', async () => {
  await run(base, [[['EXEC', `${SCOMO}/S1/Download/P1/Operations/Install`], ['EXEC', `${SCOMO}/S1/Download/P1/Operations/Install`, 'http://dm.test/reports'], ['EXEC', `${DMACC}/dms1/SrvID`], ['EXEC', `${SCOMO}/S1/Nope`]]], async (r) => {
    assert.deepEqual(results(r), [['EXEC', 200], ['EXEC', 202], ['EXEC', 405], ['EXEC', 404]]);
    await r.device.idle();
    const p1s = r.serverEvents.filter((e) => e.kind === 'package1');
    assert.equal(p1s.length, 2);
    assert.equal(p1s[1]!.url, '/reports');
    const alerts = r.engine.device(DEVID).alerts;
    const report = alerts.find((a) => a.SourceURI === `${SCOMO}/S1/Download/P1/Operations/Install`);
    assert.deepEqual(report?.Data, { sc: 200 });
    assert.ok(alerts.some((a) => a.AlertType === 'urn:oma:at:dm:2.0:ClientInitiatedMgmt'));
  }, { ddfs: loadDdfs([]) });
});

test('SHOW opens the Web Browser Component on the ServerURI and goes on at once (5.3.7); CONT moves the Package#3 (5.3.8)', async () => {
  await run(base, [[['SHOW', 'http://dm.test/ui?uiid=1234'], ['CONT', 'http://dm.test/dm/next']], [['GET', `${DEVINFO}//Man`]]], async (r) => {
    assert.deepEqual(results(r), [['SHOW', 200], ['CONT', 200], ['GET', 200]]);
    await r.device.idle();
    assert.deepEqual(r.engine.uiVisits, ['/ui?uiid=1234']);
    assert.deepEqual(r.serverEvents.filter((e) => e.kind === 'package3').map((e) => e.url), ['/dm/next', '/dm/next']);
  });
});

test('END: the remaining commands run and no Package#3 is sent (5.3.9, 5.2.4)', async () => {
  await run(base, [[['END'], ['DELETE', `${SCOMO}/S1/Inventory`]]], (r) => {
    assert.equal(r.serverEvents.filter((e) => e.kind === 'package3').length, 0);
    assert.equal(r.device.engine.tree.instance(SCOMO, 'S1')!.root.child('Inventory'), undefined);
  }, { allow: ['dm.command-after-end'] });
});

test('DEFAULT keeps one ServerURI per MOID, the later one replacing (5.3.10)', async () => {
  await run(base, [[['DEFAULT', 'https://a.example/[MCC]/mms', 'urn:oma:mo:oma-mms:1.3'], ['DEFAULT', 'https://b.example/mms', 'urn:oma:mo:oma-mms:1.3']]], (r) => {
    assert.deepEqual(results(r), [['DEFAULT', 200], ['DEFAULT', 200]]);
    assert.deepEqual([...r.device.engine.state.defaults], [['urn:oma:mo:oma-mms:1.3', 'https://b.example/mms']]);
  });
});

test('SUB: a change under the ClientURI is PUT to the ServerURI (5.3.11), with the 415 retry in a format of OMADM-Accept; UNSUB 200 and 404 (5.3.12)', async () => {
  await run(base, [[['SUB', 'http://dm.test/repository/changes', `${SCOMO}/S1/Inventory`], ['DELETE', `${SCOMO}/S1/Inventory/Deployed/C1`], ['UNSUB', `${SCOMO}/S1/Inventory`], ['DELETE', `${SCOMO}/S1/Inventory/Deployed/C2`], ['UNSUB', `${SCOMO}/S1/Inventory`], ['SUB', 'http://dm.test/repository/x', `${SCOMO}/S1/Nope`]]], (r) => {
    assert.deepEqual(results(r), [['SUB', 200], ['DELETE', 200], ['UNSUB', 200], ['DELETE', 200], ['UNSUB', 404], ['SUB', 404]]);
    // One change while subscribed: a PUT refused with 415, retried in a format of OMADM-Accept; none after UNSUB.
    const puts = r.events.filter((e) => e.kind === 'http' && e.method === 'PUT');
    const stored = r.store.items.get('changes')!;
    assert.equal(stored.contentType, 'application/json');
    assert.deepEqual(JSON.parse(text(stored.body)), [{ Inventory: { Deployed: { C2: { ID: 'pkg2_id' } } } }]);
    assert.deepEqual(puts.map((p) => p.status), [415, 201]);
  }, { formats: ['application/json'] });
});

test('commands the client cannot run: unknown is 501, parameters that do not fit are 400 (Appendix C)', async () => {
  const r = await rig({ items: base, repository: REPO, allow: ['dm.command-unknown', 'dm.command-params', 'dm.moid', 'dm.clienturi-syntax'] });
  try {
    // Queued without the validator: a Package#2 a faulty server might send.
    r.engine.enqueue(DEVID, { commands: [{ name: 'FROB' as never, params: [] }, { name: 'GET', params: [] }, { name: 'DELETE', params: ['not a uri'] }, { name: 'GET', params: [`${DEVINFO}//Man`] }] });
    const o = await r.session();
    assert.equal(o.outcome, 'completed', o.reason);
    assert.deepEqual(results(r), [['FROB', 501], ['GET', 400], ['DELETE', 400], ['GET', 200]]);
  } finally {
    await r.close();
  }
});
