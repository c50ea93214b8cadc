// The five process flows of Delegation 5.2 as a user runs them (omadm demo, VS Code's Run Delegation
// Flow, scenarios): each in a lab of its own, torn down afterwards.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FAILURE_STEPS, FLOWS, runDelegationFlow, type FlowName } from '../../server/src/host/delegationLab.ts';
import { certificates } from './delegation-rig.ts';

const content = (s: string) => JSON.stringify(JSON.parse(s).map(({ CV: _cv, ...rest }: { CV?: string }) => rest));

/** The messages of each flow after the delegation itself, in order, as Figures 12-14 draw them (sent or received by DMS-1). */
const AFTER: Record<FlowName, string[]> = {
  dmacc: [],
  bootstrap: [],
  termination: ['sent delegation_termination_req', 'received delegation_termination_ack', 'received delegation_termination_resp', 'sent delegation_revoked'],
  revocation: ['received delegation_revocation_req', 'sent delegation_revoked'],
  'forced-revocation': ['sent delegation_revoked'],
};

test('each of the five flows runs end to end; a revocation leaves the device as it was before the delegation', async () => {
  const pki = await certificates();
  for (const flow of Object.keys(FLOWS) as FlowName[]) {
    const r = await runDelegationFlow(flow, { pki, timeout: 5000 });
    assert.equal(r.ok, true, `${flow}: ${r.step}: ${r.reason}`);
    assert.equal(r.section, FLOWS[flow].section);
    const delegated = r.records[0]!;
    assert.equal(delegated.state, 'completed', flow);
    assert.equal(delegated.flow, flow === 'bootstrap' ? '5.2.2' : '5.2.1');
    const last = r.records[r.records.length - 1]!;
    const tail = last.messages.slice(delegated.messages.length).map((m) => `${m.direction} ${m.root}`);
    assert.deepEqual(tail, AFTER[flow], flow);
    if (flow === 'dmacc' || flow === 'bootstrap') assert.notEqual(content(r.after), content(r.before), `${flow}: the device now knows DMS-2`);
    else assert.equal(content(r.after), content(r.before), `${flow}: DMS-2 is gone from the device`);
    // Nothing the peers sent or received was refused.
    assert.ok(!r.events.some((e) => e.transport === 'http' && (e.status ?? 0) >= 400), `${flow}: an exchange was refused`);
  }
});

test('each delegation POST is traced with its request headers and its answer\'s Content-Type (Delegation 5.3)', async () => {
  const r = await runDelegationFlow('termination', { pki: await certificates(), timeout: 5000 });
  assert.equal(r.ok, true, `${r.step}: ${r.reason}`);
  const posts = r.events.filter((e) => e.kind === 'http' && e.method === 'POST' && /^(delegation|bootstrap)_/.test(e.note ?? ''));
  // Figure 13: the delegation, then the termination with its acknowledgement and response.
  assert.ok(posts.length >= 6, posts.map((e) => e.note).join(', '));
  const TYPE = 'application/vnd.dm.delegation+xml';
  for (const e of posts) {
    assert.deepEqual(e.headers, { 'content-type': TYPE, accept: TYPE }, e.note);
    // An answer with content carries the delegation media type; one without (204) has no Content-Type.
    if (e.body) assert.equal(e.contentType, TYPE, e.note);
    else assert.equal(e.contentType, undefined, e.note);
  }
  assert.ok(posts.some((e) => e.body) && posts.some((e) => !e.body && e.status === 204), 'both kinds of answer were seen');
});

test('a failure injected at a step is reported with that step, and the device is put back', async () => {
  const r = await runDelegationFlow('termination', { pki: await certificates(), timeout: 5000, failDms2: { step: 'dms2_session', reasonCode: 400 } });
  assert.equal(r.ok, false);
  assert.equal(r.step, 'dms2_session');
  assert.match(r.reason ?? '', /^DMS-2 failed at dms2_session: failure injected/);
  assert.equal(r.records.length, 1, 'no revocation after a failed delegation');
  assert.equal(content(r.after), content(r.before));
});

test('the result names the step a failure was injected at, and the side that failed, for every step of both approaches', async () => {
  const pki = await certificates();
  for (const flow of ['dmacc', 'bootstrap'] as const) {
    for (const [step, side] of FAILURE_STEPS[flow]) {
      const r = await runDelegationFlow(flow, { pki, timeout: 5000, [side === 'dms1' ? 'failDms1' : 'failDms2']: { step, reasonCode: 400 } });
      assert.equal(r.ok, false, `${flow} ${step}`);
      assert.equal(r.step, step, `${flow} ${step}: ${r.reason}`);
      assert.match(r.reason ?? '', new RegExp(`^${side === 'dms1' ? 'DMS-1' : 'DMS-2'} failed at ${step}`), `${flow} ${step}`);
      assert.equal(content(r.after), content(r.before), `${flow} ${step}: rolled back`);
    }
  }
});
