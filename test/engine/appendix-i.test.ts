// The two sessions of DM 2.0 Appendix I, reproduced over loopback. The packages are compared with
// the specification's, except where the examples carry the defects test/fixtures/dm20/README.md
// lists; each such place says so.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEVID, pkg2, rig, text } from './harness.ts';

const DEVINFO = 'urn:oma:mo:oma-dm-devinfo:1.0';
const DCMO = 'urn:oma:mo:oma-dcmo:1.0';
const DEVINFO_DATA = { DevID: DEVID, Man: 'Vendor', Mod: 'DM_Client', DmV: '2.0', Lang: 'en', DevType: 'smartphone', OEM: '', FwV: 'android4.0.4', SwV: 'Vendor1.2', HwV: '' };

test('I.1: retrieving MO data with GET, then HPOST of the camera state and END', async () => {
  const items = [
    { DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf', ClientURI: `${DEVINFO}/DevInfo/`, MOData: { DevInfo: DEVINFO_DATA } },
    { DDF: 'http://www.vendor.com/DDF/oma-scomo1.0.ddf', ClientURI: 'urn:oma:mo:oma-scomo:1.0/scomo/', MOData: { scomo: { Inventory: { Deployed: { pkg1: { ID: 'pkg1_id' }, pkg2: { ID: 'pkg2_id' } } } } } },
    { ClientURI: `${DCMO}/camera/`, MOData: { camera: { Property: 'Camera', Enabled: 'true' } } },
    { ClientURI: 'urn:oma:mo:oma-dm-dmacc:2.0/dms/', MOData: { dms: { ServerID: 'DMS', SrvURI: 'http://www.dms.com/dmserver/dm20' } } },
  ];
  const r = await rig({
    items, hosts: ['www.dms.com', 'www.dr.com'], server: { repositoryPath: '/' }, allow: ['dm.moid-urn'],
    commands: [
      pkg2(['GET', 'oma:mo:oma-dm-devinfo:1.0//'], ['GET', 'urn:oma:mo:oma-scomo:1.0//Inventory/Deployed/*/ID']),
      // The spec's Package#2 misses the comma between the two HPOST parameters (a defect of the example).
      pkg2(['HPOST', 'http://www.dr.com/camera_state?DevID=IMEI:493005100592800', `${DCMO}/(x)/Enabled?nv=(x)/Property:Camera`], ['END']),
    ],
  });
  try {
    const o = await r.session({ notification: { notificationId: 1, reqMos: false } });
    assert.equal(o.outcome, 'completed', o.reason);
    const s = r.serverEvents;
    const p1 = s.find((e) => e.kind === 'package1')!;
    assert.equal(p1.url, '/dmserver/dm20');
    assert.equal(p1.headers!['content-type'], 'application/vnd.oma.dm.initiation+json');
    assert.equal(p1.headers!.accept, 'application/vnd.oma.dm.request+json');
    assert.equal(p1.headers!['omadm-devid'], DEVID);
    // The example's Package#1 is {}: 5.2.2 requires the ServerInitiatedMgmt alert, so the device sends it.
    assert.deepEqual(Object.keys(p1.body as object), ['Alert']);
    const p3 = s.find((e) => e.kind === 'package3')!;
    assert.match(String(p3.contentType), /^multipart\/form-data; boundary=/);
    // The example writes bare numbers [200, 200]; the schema form is {"sc": 200} (7.2.1.3).
    assert.deepEqual(p3.body, { Status: [{ sc: 200 }, { sc: 200 }] });
    const [devinfo, ids] = p3.parts!;
    assert.deepEqual([devinfo!.name, devinfo!.contentType], ['0', 'application/dmmo+json']);
    // The data's ClientURI names the instance by its MIID, and the instance root carries its CV (11.2 step 2a).
    const d = JSON.parse(devinfo!.body);
    assert.deepEqual([d[0].DDF, d[0].MOData], ['http://www.vendor.com/DDF/devinfo1.0.ddf', { DevInfo: DEVINFO_DATA }]);
    // The example wraps these two items in { } instead of [ ] (a defect of the example).
    assert.deepEqual(JSON.parse(ids!.body).map((i: { ClientURI: string; MOData: unknown }) => [i.ClientURI, i.MOData]), [
      ['urn:oma:mo:oma-scomo:1.0/scomo/Inventory/Deployed/pkg1/ID', { ID: 'pkg1_id' }],
      ['urn:oma:mo:oma-scomo:1.0/scomo/Inventory/Deployed/pkg2/ID', { ID: 'pkg2_id' }],
    ]);
    // Package#3 is not sent due to END; the HPOST goes to the Data Repository as text/plain "true".
    assert.equal(s.filter((e) => e.kind === 'package3').length, 1);
    const post = r.events.find((e) => e.kind === 'http' && e.method === 'POST')!;
    assert.equal(post.url, 'http://www.dr.com/camera_state?DevID=IMEI:493005100592800');
    assert.equal(post.headers!['content-type'], 'text/plain');
    assert.equal(post.status, 200);
    assert.equal(text(r.store.items.get('camera_state?DevID=IMEI:493005100592800')!.body), 'true');
  } finally {
    await r.close();
  }
});

test('I.2: modifying MO data with HGET: the secret of the DM Account, then a new DCMO instance whose location is returned', async () => {
  const items = [
    { DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf', ClientURI: `${DEVINFO}/miid1/`, MOData: { miid1: DEVINFO_DATA } },
    { DDF: 'http://www.vendor.com/DDF/oma-sessioninfomo1.0.ddf', ClientURI: 'urn:oma:mo:oma-sessioninfomo:1.0/miid1/', MOData: { miid1: { CBT: 1 } } },
    {
      DDF: 'http://www.vendor.com/DDF/oma-dm-dmacc2.0.ddf', ClientURI: 'urn:oma:mo:oma-dm-dmacc:2.0/miid_dms1/',
      MOData: { miid_dms1: { ServerID: 'DMS_ID1', SrvURI: 'http://www.dms.com/dmserver/dm20', AuthNoti: { AuthSecret: 'old' }, Perm: { '1': { MOID: DEVINFO }, '2': { MOID: 'urn:oma:mo:oma-sessioninfomo:1.0' }, '3': { MOID: 'urn:oma:mo:oma-dm-dmacc:2.0' }, '4': { MOID: DCMO } } } },
    },
  ];
  const usb = JSON.stringify([{ DDF: 'http://www.vendor.com/DDF/dcmo1.0.ddf', ClientURI: `${DCMO}//`, MOData: { usb: { Property: 'USB', Group: 'I/O', Description: 'USB Control', Enabled: 'true' } } }]);
  const r = await rig({
    items, hosts: ['www.dms.com'], ddfLinks: new Map([[DCMO, 'http://www.vendor.com/DDF/oma-dcmo1.0.ddf']]),
    server: { repositoryPath: '/' },
    repository: { 'new_secret?DevID=IMEI:493005100592800': ['text/plain', 'AB123CES121XX90TPOWQESEFSE33'], dcmo_usb: ['application/dmmo+json', usb] },
    commands: [
      pkg2(['HGET', 'http://www.dms.com/new_secret?DevID=IMEI:493005100592800', 'urn:oma:mo:oma-dm-dmacc:2.0/(x)/AuthNoti/AuthSecret?nv=(x)/ServerID:DMS_ID1']),
      pkg2(['HGET', 'http://www.dms.com/dcmo_usb']),
      pkg2(['END']),
    ],
  });
  try {
    const o = await r.session({ notification: { notificationId: 2, reqMos: true } });
    assert.equal(o.outcome, 'completed', o.reason);
    const p1 = r.serverEvents.find((e) => e.kind === 'package1')!.body as { MOS: unknown };
    assert.deepEqual(p1.MOS, [
      { DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf', MOID: DEVINFO, MIID: ['miid1'] },
      { DDF: 'http://www.vendor.com/DDF/oma-sessioninfomo1.0.ddf', MOID: 'urn:oma:mo:oma-sessioninfomo:1.0', MIID: ['miid1'] },
      { DDF: 'http://www.vendor.com/DDF/oma-dm-dmacc2.0.ddf', MOID: 'urn:oma:mo:oma-dm-dmacc:2.0', MIID: ['miid_dms1'] },
      { DDF: 'http://www.vendor.com/DDF/oma-dcmo1.0.ddf', MOID: DCMO, MIID: [] },
    ]);
    assert.deepEqual(r.events.filter((e) => e.kind === 'http').map((e) => `${e.method} ${e.url} ${e.status}`), [
      'GET http://www.dms.com/new_secret?DevID=IMEI:493005100592800 200',
      // The example's GET asks for /dcmo_camera after a Package#2 that names /dcmo_usb (a defect of the example).
      'GET http://www.dms.com/dcmo_usb 200',
    ]);
    // The examples write [200] and [200, "urn:..."]; the schema form carries the location in URI (7.2.1.3, 5.3.1).
    assert.deepEqual(r.serverEvents.filter((e) => e.kind === 'package3').map((e) => e.body), [{ Status: [{ sc: 200 }] }, { Status: [{ sc: 200, URI: [`${DCMO}/usb/`] }] }]);
    const tree = r.device.engine.tree;
    assert.equal(tree.instance('urn:oma:mo:oma-dm-dmacc:2.0', 'miid_dms1')!.root.child('AuthNoti')!.child('AuthSecret')!.value, 'AB123CES121XX90TPOWQESEFSE33');
    assert.equal(tree.instance(DCMO, 'usb')!.root.child('Description')!.value, 'USB Control');
    assert.equal(tree.instance(DCMO, 'usb')!.ddf, 'http://www.vendor.com/DDF/dcmo1.0.ddf');
  } finally {
    await r.close();
  }
});
