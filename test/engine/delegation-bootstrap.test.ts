// The Bootstrap Server URL approach of Delegation 5.2.2 end to end over mutual TLS (the device
// bootstrapped as DM 2.0 8.3 says), its failures rolled back, and the DMS-1 timeout of 5.2.1.4.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { serializeTree } from '../../server/src/core/tree/load.ts';
import { rightsOf } from '../../server/src/core/tree/access.ts';
import { DMACC, SCOMO, delegationRig } from './delegation-rig.ts';

const content = (s: string) => JSON.stringify(JSON.parse(s).map(({ CV: _cv, ...rest }: { CV?: string }) => rest));
const BOOTSTRAP_COMPLETE = 'urn:oma:at:dm:2.0:BootstrapComplete';

test('5.2.2: BOOTSTRAP_SRV_URL_REQ/DELIVERY, the device bootstrapped by DMS-2 and in session with it, ACLs updated, PREPARED, CONFIRMED', async () => {
  const r = await delegationRig({ approach: 'bootstrap' });
  try {
    const rec = await r.dms1.delegate({ full: false, treeUri: '/SCOMO', moid: SCOMO, approach: 'bootstrap' });
    assert.equal(rec.state, 'completed', `${rec.step}: ${rec.reason}`);
    await r.dms2.idle();
    // Figure 9 and 11: the order of the messages, and which travel in an HTTP response (5.3.2.4).
    assert.deepEqual(rec.messages.map((m) => `${m.direction} ${m.root} ${m.status ?? ''}`.trim()), [
      'sent delegation_req 200', 'received delegation_resp 200', 'sent bootstrap_srv_url_req 200', 'received bootstrap_srv_url_delivery 200',
      'received bootstrap_confirmed', 'sent delegation_prepared 204', 'received delegation_confirmed',
    ]);
    assert.equal(r.dms2.sessions.get(rec.sessionId)?.state, 'completed');
    const tree = r.device.engine.tree;
    const acc = tree.instances(DMACC).find((i) => i.root.child('SrvID')?.value === 'DMS2');
    assert.ok(acc, 'the DM Bootstrap added the DMS-2 DMAcc (8.5)');
    // The device fetched its bootstrap with GET (8.3), then opened its session with BootstrapComplete (8, Appendix D).
    assert.ok(r.events.some((e) => e.kind === 'http' && e.method === 'GET' && String(e.url).endsWith('/bootstrap') && e.status === 200));
    const p1 = r.events.find((e) => e.kind === 'package1' && e.to === 'dms2');
    assert.equal((p1?.body as { Alert: { AlertType: string }[] }).Alert[0]?.AlertType, BOOTSTRAP_COMPLETE);
    // 5.2.2.7: DMS-2 may manage the delegated MO; DMS-1 may remove DMS-2's DMAcc later (5.2.3); the entry naming the Bootstrap Server is gone.
    assert.equal(rightsOf(tree, tree.instance(SCOMO, 'S1')!.root, 'DMS2').rights, 7);
    assert.equal(rightsOf(tree, acc.root, 'DMS1').rights, 15);
    assert.equal(tree.instances(DMACC).filter((i) => i.root.child('Auth')?.child('Bootstrap')).length, 0);
    assert.ok(tree.instance(DMACC, 'dms1'), 'not full: DMS-1 keeps its DMAcc');
  } finally {
    await r.close();
  }
});

test('5.2.2 then 5.2.3: after the termination the device is exactly as before the delegation', async () => {
  const r = await delegationRig({ approach: 'bootstrap' });
  try {
    const before = serializeTree(r.device.engine.tree);
    const rec = await r.dms1.delegate({ full: false, treeUri: '/SCOMO', moid: SCOMO, approach: 'bootstrap' });
    assert.equal(rec.state, 'completed', `${rec.step}: ${rec.reason}`);
    await r.dms2.idle();
    const end = await r.dms1.terminate(rec.sessionId);
    assert.equal(end.state, 'revoked', end.reason);
    await r.dms2.idle();
    assert.equal(content(serializeTree(r.device.engine.tree)), content(before));
  } finally {
    await r.close();
  }
});

const STEPS: [string, 'dms1' | 'dms2'][] = [
  ['delegation_req', 'dms1'], ['delegation_resp', 'dms2'], ['bootstrap_srv_url_req', 'dms1'], ['bootstrap_srv_url_delivery', 'dms2'], ['device_preparation', 'dms1'],
  ['bootstrap_confirmed', 'dms2'], ['acl_update', 'dms1'], ['delegation_prepared', 'dms1'], ['delegation_confirmed', 'dms2'],
];

test('5.2.2: a failure at every step, on either side, leaves the device as it was, bootstrapped DMAcc included (5.3)', async () => {
  for (const [step, side] of STEPS) {
    const r = await delegationRig({ approach: 'bootstrap', ...(side === 'dms1' ? { failDms1: { step, reasonCode: 403 } } : { failDms2: { step, reasonCode: 400 } }) });
    try {
      const before = serializeTree(r.device.engine.tree);
      const rec = await r.dms1.delegate({ full: true, treeUri: '/SCOMO', moid: SCOMO, approach: 'bootstrap' });
      await r.dms2.idle();
      await r.device.idle();
      assert.equal(rec.state, 'failed', step);
      assert.equal(rec.step, step, 'DMS-1 says at which step it failed');
      assert.equal(content(serializeTree(r.device.engine.tree)), content(before), `${step}: the device tree is back as it was`);
      if (step !== 'delegation_req') assert.equal(r.dms2.sessions.get(rec.sessionId)?.state, 'failed', `${step}: DMS-2 knows`);
    } finally {
      await r.close();
    }
  }
});

test('5.2.1.4: DMS-2 never reaches the device; after its timeout DMS-1 sets NoAutoInitialSession false and the device connects to DMS-2 on its own', async () => {
  const r = await delegationRig({ silent: true, switchAfter: 300 });
  try {
    const rec = await r.dms1.delegate({ full: false, treeUri: '/SCOMO', moid: SCOMO });
    assert.equal(rec.state, 'completed', `${rec.step}: ${rec.reason}`);
    assert.match(rec.note ?? '', /NoAutoInitialSession|connect to DMS-2/);
    // No DM Notification from DMS-2 was sent, yet the device opened a client-initiated session with it.
    assert.ok(!r.events.some((e) => e.kind === 'package0' && String(e.note).includes('DMS2')));
    const p1 = r.events.find((e) => e.kind === 'package1' && e.to === 'dms2');
    assert.equal((p1?.body as { Alert: { AlertType: string }[] }).Alert[0]?.AlertType, 'urn:oma:at:dm:2.0:ClientInitiatedMgmt');
    const acc = r.device.engine.tree.instances(DMACC).find((i) => i.root.child('SrvID')?.value === 'DMS2');
    assert.equal(acc?.root.child('Ext')?.child('NoAutoInitialSession')?.value, 'false');
  } finally {
    await r.close();
  }
});

test('5.2.1.4 without the switch: a silent DMS-2 fails the delegation at DELEGATION_CONFIRMED and the device is put back', async () => {
  const r = await delegationRig({ silent: true, timeout: 600 });
  try {
    const before = serializeTree(r.device.engine.tree);
    const rec = await r.dms1.delegate({ full: false, treeUri: '/SCOMO', moid: SCOMO });
    await r.dms2.idle();
    await r.device.idle();
    assert.equal(rec.state, 'failed');
    assert.equal(content(serializeTree(r.device.engine.tree)), content(before));
  } finally {
    await r.close();
  }
});
