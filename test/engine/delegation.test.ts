// The DMAcc approach of Delegation 5.2.1 end to end over mutual TLS, with failures on either side rolled back.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { serializeTree } from '../../server/src/core/tree/load.ts';
import { DACMO, DMACC, SCOMO, delegationRig } from './delegation-rig.ts';
import { rightsOf } from '../../server/src/core/tree/access.ts';

/** The tree without its cache validators, which change with every change, undone or not (DM 2.0 11.1). */
const content = (s: string) => JSON.stringify(JSON.parse(s).map(({ CV: _cv, ...rest }: { CV?: string }) => rest));

test('5.2.1: DELEGATION_REQ/RESP, BOOTSTRAP_CONFIRMED, the DM Client prepared, DELEGATION_PREPARED, the DMS-2 session, DELEGATION_CONFIRMED', async () => {
  const r = await delegationRig();
  try {
    const rec = await r.dms1.delegate({ full: false, treeUri: '/SCOMO', moid: SCOMO });
    assert.equal(rec.state, 'completed', `${rec.step}: ${rec.reason} ${JSON.stringify(rec.messages)}`);
    await r.dms2.idle();
    assert.deepEqual(rec.messages.map((m) => `${m.direction} ${m.root} ${m.status ?? ''}`.trim()), [
      'sent delegation_req 200', 'received delegation_resp 200', 'received bootstrap_confirmed', 'sent delegation_prepared 204', 'received delegation_confirmed',
    ]);
    assert.equal(r.dms2.sessions.get(rec.sessionId)?.state, 'completed');
    const tree = r.device.engine.tree;
    const acc = tree.instances(DMACC).find((i) => i.root.child('SrvID')?.value === 'DMS2');
    assert.ok(acc, 'the DMS-2 DMAcc exists');
    assert.equal(acc.root.child('Ext')?.child('NoAutoInitialSession')?.value, 'true');
    // DMS-2 may now manage the delegated MO instance, and its own DMAcc (DM 2.0 10, 12.3).
    assert.equal(rightsOf(tree, tree.instance(SCOMO, 'S1')!.root, 'DMS2').rights, 7);
    assert.equal(rightsOf(tree, acc.root, 'DMS2').rights, 15);
    // DMS-2's own session with the device happened: a Package#1 to the DMS-2 DM Server.
    assert.ok(r.events.some((e) => e.kind === 'package1' && e.to === 'dms2'));
    // Not full: DMS-1 keeps its DMAcc.
    assert.ok(tree.instance(DMACC, 'dms1'));
  } finally {
    await r.close();
  }
});

test('5.2.1 with full delegation: DMS-1 deletes its own DMAcc once DMS-2 confirmed (5.2.1.5)', async () => {
  const r = await delegationRig();
  try {
    const rec = await r.dms1.delegate({ full: true, treeUri: '/SCOMO', moid: SCOMO });
    assert.equal(rec.state, 'completed', `${rec.step}: ${rec.reason}`);
    assert.equal(r.device.engine.tree.instance(DMACC, 'dms1'), undefined);
  } finally {
    await r.close();
  }
});

const STEPS: [string, 'dms1' | 'dms2'][] = [
  ['delegation_req', 'dms1'], ['delegation_resp', 'dms2'], ['bootstrap_confirmed', 'dms2'], ['device_preparation', 'dms1'],
  ['delegation_prepared', 'dms1'], ['dms2_session', 'dms2'], ['delegation_confirmed', 'dms2'],
];

test('a failure at every step, on either side, leaves the DM Client as it was and both peers agree the delegation failed (5.3)', async () => {
  for (const [step, side] of STEPS) {
    const r = await delegationRig(side === 'dms1' ? { failDms1: { step, reasonCode: 403 } } : { failDms2: { step, reasonCode: 400 } });
    try {
      const before = serializeTree(r.device.engine.tree);
      const rec = await r.dms1.delegate({ full: true, treeUri: '/SCOMO', moid: SCOMO });
      await r.dms2.idle();
      await r.device.idle();
      assert.equal(rec.state, 'failed', step);
      assert.equal(content(serializeTree(r.device.engine.tree)), content(before), `${step}: the device tree is back as it was`);
      const other = r.dms2.sessions.get(rec.sessionId);
      if (step !== 'delegation_req') assert.equal(other?.state, 'failed', `${step}: DMS-2 knows`);
    } finally {
      await r.close();
    }
  }
});

test('a device that refuses a command (no right on the DACMO: 403) fails the preparation, and the DMAcc already created is removed', async () => {
  const r = await delegationRig({
    items: (url) => [
      { ClientURI: 'urn:oma:mo:oma-dm-devinfo:1.0/miid1/', MOData: { miid1: { DevID: 'IMEI:493005100592800' } } },
      { ClientURI: `${DMACC}/dms1/`, MOData: { dms1: { SrvID: 'DMS1', SrvURI: url, Auth: { Noti: { Type: 0, Data: 'd1', Secret: 's1' } } } } },
      { ClientURI: `${DACMO}/acl/`, MOData: { acl: { [DMACC]: { dms1: { '1': { Permissions: { '1': { MAID: 'serverid:DMS1', AR: 15 } } } } }, [DACMO]: { acl: { '1': { Permissions: { '1': { MAID: 'serverid:DMS1', AR: 1 } } } } } } } },
    ],
  });
  try {
    const before = serializeTree(r.device.engine.tree);
    const rec = await r.dms1.delegate({ full: false, treeUri: '/DMAcc', moid: DMACC });
    assert.equal(rec.state, 'failed');
    assert.match(String(rec.reason), /403/);
    assert.equal(content(serializeTree(r.device.engine.tree)), content(before));
  } finally {
    await r.close();
  }
});

for (const [flow, revoke] of [
  ['5.2.3 termination asked by DMS-1: TERMINATION_REQ/ACK, TERMINATION_RESP, removal, REVOKED', (r: Awaited<ReturnType<typeof delegationRig>>, id: string) => r.dms1.terminate(id)],
  ['5.2.4 revocation requested by DMS-2: REVOCATION_REQ, removal, REVOKED', async (r: Awaited<ReturnType<typeof delegationRig>>, id: string) => {
    await r.dms2.requestRevocation(id);
    await r.dms1.idle();
    return r.dms1.sessions.get(id)!;
  }],
  ['5.2.5 forced revocation: removal without notice, then the forced REVOKED naming the device', (r: Awaited<ReturnType<typeof delegationRig>>, id: string) => r.dms1.forceRevoke(id)],
] as const) {
  test(`${flow}: the DM Client is as it was before the delegation, and both peers record the revocation`, async () => {
    const r = await delegationRig();
    try {
      const before = serializeTree(r.device.engine.tree);
      const rec = await r.dms1.delegate({ full: false, treeUri: '/SCOMO', moid: SCOMO });
      assert.equal(rec.state, 'completed', `${rec.step}: ${rec.reason}`);
      await r.dms2.idle();
      assert.notEqual(content(serializeTree(r.device.engine.tree)), content(before));
      const done = await revoke(r, rec.sessionId);
      await r.dms2.idle();
      assert.equal(done.state, 'revoked', done.reason);
      assert.equal(content(serializeTree(r.device.engine.tree)), content(before));
      assert.equal(r.dms2.sessions.get(rec.sessionId)?.state, 'revoked');
    } finally {
      await r.close();
    }
  });
}

test('conformance report: what the other peer did, per SCR item DM-DEL-S-001..008, and a message that breaks Table 1 named as such', async () => {
  const { conformance, reportMarkdown } = await import('../../server/src/core/engine/delegation/report.ts');
  const { certificates } = await import('./delegation-rig.ts');
  const { UndiciHttpClient } = await import('../../server/src/host/httpClient.ts');
  const r = await delegationRig();
  try {
    const rec = await r.dms1.delegate({ full: false, treeUri: '/SCOMO', moid: SCOMO });
    await r.dms1.terminate(rec.sessionId);
    await r.dms2.idle();
    const dms2Url = r.servers[3]!.url;
    const ok = conformance(r.dms1, dms2Url);
    const verdicts = Object.fromEntries(ok.items.map((i) => [i.id, i.verdict]));
    assert.deepEqual(verdicts, { 'DM-DEL-S-001': 'pass', 'DM-DEL-S-002': 'pass', 'DM-DEL-S-003': 'not observed', 'DM-DEL-S-004': 'not observed', 'DM-DEL-S-005': 'not observed', 'DM-DEL-S-006': 'pass', 'DM-DEL-S-007': 'pass', 'DM-DEL-S-008': 'pass' });
    // A peer that sends a DELEGATION_REQ without its deviceId, and then a GET.
    const c = await certificates();
    const http = new UndiciHttpClient({ ca: c.ca });
    const bad = '<?xml version="1.0" encoding="UTF-8"?>\n<delegation_req><serverId>X</serverId><deviceMan>M</deviceMan><deviceMod>D</deviceMod><DMTreeURI>/SCOMO</DMTreeURI><isDelegationFull>false</isDelegationFull><sessionId>S</sessionId></delegation_req>';
    const res = await http.send({ method: 'POST', url: dms2Url, headers: { 'content-type': 'application/vnd.dm.delegation+xml' }, body: new TextEncoder().encode(bad), tls: { cert: c.dms1.cert, key: c.dms1.key } });
    assert.ok(res.ok && res.response.status === 400);
    await http.send({ method: 'GET', url: dms2Url, headers: {}, tls: { cert: c.dms1.cert, key: c.dms1.key } });
    await http.close();
    const seen = conformance(r.dms2, r.servers[2]!.url);
    const s002 = seen.items.find((i) => i.id === 'DM-DEL-S-002')!;
    assert.equal(s002.verdict, 'fail');
    assert.match(s002.evidence, /deviceId.*Table 1/);
    assert.equal(seen.items.find((i) => i.id === 'DM-DEL-S-007')!.verdict, 'fail');
    assert.equal(conformance(r.dms2, 'http://dms1.example/').items.find((i) => i.id === 'DM-DEL-S-008')!.verdict, 'fail');
    const md = reportMarkdown(seen);
    assert.match(md, /^# Delegation conformance: dms2 against https:/);
    assert.match(md, /\| DM-DEL-S-002 \| .* \| fail \|/);
  } finally {
    await r.close();
  }
});
