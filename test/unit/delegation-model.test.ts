// Delegation messages built from values and read back (Delegation 5.3, Tables 1-18, Appendix C).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { buildDelegation, parseDelegation, type DelegationValue } from '../../server/src/core/delegation/model.ts';
import { MESSAGES } from '../../server/src/core/delegation/messages.ts';
import { exampleValue } from '../../server/src/core/delegation/build.ts';

const DMACC = { AppID: 'w7', ServerID: 'DMS-2', Name: 'Delegated <DM> Server & co', AppAddr: { X: { Addr: 'https://dms-2.example.com/dm?a=1&b=2', AddrType: 'URI' } }, AAuthPref: 'HTTP-DIGEST' };

test('every message and variant of Tables 1-18: value -> XML -> value is the identity, and the XML validates clean', () => {
  for (const m of MESSAGES) {
    for (const v of m.variants) {
      const params: DelegationValue['params'] = {};
      for (const p of v.parameters) params[p.name] = p.type === 'complex' ? DMACC : exampleValue(m, p);
      // Table 3: the DMAcc comes with a client that is not bootstrapped yet.
      if (params.DMAcc) params.isClientBootstapped = 'false';
      const xml = buildDelegation({ root: m.root, params });
      assert.equal(XMLValidator.validate(xml), true, `${m.root}: well-formed`);
      const back = parseDelegation(xml);
      assert.deepEqual(back.diagnostics, [], `${m.root} ${v.section}: ${JSON.stringify(back.diagnostics.map((d) => d.message))}`);
      assert.deepEqual(back.value, { root: m.root, params }, `${m.root} ${v.section}`);
    }
  }
});

test('values are escaped, never templated: any text survives the round trip', () => {
  fc.assert(fc.property(fc.string({ maxLength: 60 }).filter((s) => s.trim() === s && s.length > 0 && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(s) && !/[\ud800-\udfff]/.test(s)), (id) => {
    const v = { root: 'delegation_confirmed', params: { reasonCode: '200', status: 'CONFIRMED', sessionId: id } };
    const xml = buildDelegation(v);
    assert.equal(XMLValidator.validate(xml), true);
    assert.deepEqual(parseDelegation(xml).value, v);
  }), { numRuns: 300, seed: 5 });
});

test('the Appendix C delegation_req, element for element', () => {
  const xml = buildDelegation({ root: 'delegation_req', params: { serverId: 'DM_Server_ABC', deviceId: 'IMEI:AAAAAABBCCCCCCD', deviceMan: 'VendorXYZ', deviceMod: 'Mod5462', DMTreeURI: '/SCOMO', isDelegationFull: 'false', sessionId: 'ABCDERFGHCHDJKD' } });
  const elements = [...xml.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((m) => `${m[1]}=${m[2]}`);
  assert.deepEqual(elements, ['serverId=DM_Server_ABC', 'deviceId=IMEI:AAAAAABBCCCCCCD', 'deviceMan=VendorXYZ', 'deviceMod=Mod5462', 'DMTreeURI=/SCOMO', 'isDelegationFull=false', 'sessionId=ABCDERFGHCHDJKD']);
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<delegation_req xmlns:xsi="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http:\/\/www\.openmobilealliance\.org\/tech\/profiles\/dm_dm13_delegationprotocol-v1_0\.xsd">/);
  assert.equal(parseDelegation(xml.replace('<isDelegationFull>false', '<isDelegationFull>False')).value, undefined, 'a message with an error is not read');
  assert.throws(() => buildDelegation({ root: 'delegation_frob', params: {} }), RangeError);
});
