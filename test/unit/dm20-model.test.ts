// The DM 2.0 message model (7.2.1) and the package flow (5.2): round trips and the flow's rules.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePackage, serializePackage, type GenericAlert, type Package2, type Package3 } from '../../server/src/core/dm20/model.ts';
import { SessionFlow } from '../../server/src/core/dm20/session.ts';
import { package3Body } from '../../server/src/core/dm20/appendixF.ts';
import { splitMultipart } from '../../server/src/core/http/multipart.ts';
import { substituteServerUri } from '../../server/src/core/engine/account.ts';

const name = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
const clientUri = fc.tuple(name, name, fc.array(name, { maxLength: 4 })).map(([moid, miid, path]) => `urn:oma:mo:${moid}:1.0/${miid}/${path.join('/')}`);
const serverUri = fc.tuple(name, fc.array(name, { maxLength: 3 })).map(([host, path]) => `https://${host.toLowerCase().replace(/[^a-z0-9]/g, 'h')}.example/${path.join('/')}`);
const command = fc.oneof(
  fc.tuple(serverUri, fc.option(clientUri, { nil: undefined })).map(([s, c]) => ({ name: 'HGET' as const, params: c ? [s, c] : [s] })),
  fc.tuple(serverUri, fc.array(clientUri, { minLength: 1, maxLength: 3 })).map(([s, cs]) => ({ name: 'HPUT' as const, params: [s, ...cs] })),
  clientUri.map((c) => ({ name: 'DELETE' as const, params: [c] })),
  fc.tuple(clientUri, fc.option(serverUri, { nil: undefined })).map(([c, s]) => ({ name: 'EXEC' as const, params: s ? [c, s] : [c] })),
  clientUri.map((c) => ({ name: 'GET' as const, params: [c] })),
  serverUri.map((s) => ({ name: 'SHOW' as const, params: [s] })),
  serverUri.map((s) => ({ name: 'CONT' as const, params: [s] })),
  fc.tuple(serverUri, name).map(([s, m]) => ({ name: 'DEFAULT' as const, params: [s, `urn:oma:mo:${m}:1.0`] })),
  fc.tuple(serverUri, clientUri).map(([s, c]) => ({ name: 'SUB' as const, params: [s, c] })),
  clientUri.map((c) => ({ name: 'UNSUB' as const, params: [c] })),
);
const alert: fc.Arbitrary<GenericAlert> = fc.record({ AlertType: name.map((n) => `urn:oma:at:x:${n}`), Mark: fc.constantFrom('fatal', 'minor', 'informational') }, { requiredKeys: ['AlertType'] }).map((a) => ({ ...a }));

test('Package#2: model -> JSON -> model is the identity, and the JSON validates clean', () => {
  fc.assert(fc.property(fc.array(command, { maxLength: 12 }), fc.boolean(), (cmds, end) => {
    const p: Package2 = { commands: end ? [...cmds, { name: 'END', params: [] }] : cmds };
    const text = serializePackage('pkg2', p);
    const back = parsePackage(text, 'pkg2');
    assert.deepEqual(back.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(back.value, p);
  }), { numRuns: 300, seed: 7 });
});

test('Package#3: model -> JSON -> model is the identity', () => {
  const status = fc.record({ sc: fc.constantFrom(200, 202, 304, 400, 403, 404, 405, 406, 415, 419, 500, 1200), URI: fc.array(clientUri, { minLength: 1, maxLength: 2 }) }, { requiredKeys: ['sc'] }).map((x) => ({ ...x }));
  fc.assert(fc.property(fc.array(status, { maxLength: 10 }), fc.option(fc.array(alert, { minLength: 1, maxLength: 3 }), { nil: undefined }), (Status, Alert) => {
    const p: Package3 = Alert ? { Status, Alert } : { Status };
    const back = parsePackage(serializePackage('pkg3', p), 'pkg3');
    assert.deepEqual(back.value, p);
  }), { numRuns: 300, seed: 11 });
});

test('a package with an error yields no model, so no engine acts on it', () => {
  assert.equal(parsePackage('{"CMD": [["GET"]]}', 'pkg2').value, undefined);
  assert.equal(parsePackage('{"CMD": [', 'pkg2').value, undefined);
  assert.equal(parsePackage('{"Status": [{"sc": "200"}]}', 'pkg3').value, undefined);
});

test('Appendix F: a Package#3 with data parts splits back into the Package#3 and one named part per GET answered 200', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(20), fc.string({ maxLength: 40 }).filter((s) => !s.includes('--b0'))), { maxLength: 6 }), (items) => {
    const parts = items.map(([i, body]) => ({ name: String(i), contentType: 'text/plain', body: body.trim() || 'x' }));
    const out = package3Body('{"Status": []}', parts, 'b0');
    if (!parts.length) {
      assert.equal(out.contentType, 'application/vnd.oma.dm.response+json');
      return;
    }
    const split = splitMultipart(out.body, { start: 0, end: out.body.length }, 'b0');
    assert.deepEqual(split.errors, []);
    assert.deepEqual(split.parts.map((p) => [p.name, out.body.slice(p.body.start, p.body.end)]), [[undefined, '{"Status": []}'], ...parts.map((p) => [p.name, p.body])]);
  }), { numRuns: 200, seed: 3 });
  assert.throws(() => package3Body('{}', [{ name: '0', contentType: 'text/plain', body: 'x' }], 'bad boundary'), RangeError);
});

test('the package flow of 5.2: Package#1, then Package#2/#3 until END; nothing after END; an abort is final (5.6)', () => {
  const f = new SessionFlow('https://dm.example/dm');
  assert.equal(f.package3()?.code, 'dm.flow-package3');
  assert.equal(f.package1(), undefined);
  assert.equal(f.package1()?.code, 'dm.flow-package1');
  assert.equal(f.package2({ commands: [{ name: 'GET', params: ['urn:x:1/a/'] }] }), undefined);
  f.cont('https://other.example/dm');
  assert.equal(f.target, 'https://other.example/dm');
  assert.equal(f.package3(), undefined);
  assert.equal(f.package2({ commands: [{ name: 'END', params: [] }] }), undefined);
  assert.equal(f.state, 'ended');
  assert.equal(f.package3()?.code, 'dm.package3-after-end');
  const g = new SessionFlow('x');
  g.package1();
  g.abort('HTTP 500');
  assert.equal(g.state, 'aborted');
  assert.equal(g.package2({ commands: [] })?.code, 'dm.flow-package2');
});

test('ServerURI parameters are replaced by the device values, unsupported ones by -1, then URI-encoded (6.2)', () => {
  assert.equal(substituteServerUri('https://p.example/Settings/[MCC]/[MNC]/MMS?d=[DevID]', { DevID: 'IMEI:49 3', MCC: '262' }), 'https://p.example/Settings/262/-1/MMS?d=IMEI:49%203');
  assert.equal(substituteServerUri('https://p.example/[Other]', {}), 'https://p.example/[Other]');
});
