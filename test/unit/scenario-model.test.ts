// Scenario files: what is reported where, and the substitution of variables and secrets.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseScenario } from '../../server/src/core/scenario/model.ts';
import { Substitution, parseEnvironments, secretVariable } from '../../server/src/core/scenario/variables.ts';

const VALID = `{
  // comments and trailing commas are allowed (JSON with comments)
  "participants": [
    { "id": "dm", "kind": "dm-server" },
    { "id": "phone", "kind": "device", "tree": "t.dmtree.json", "server": "dm" },
  ],
  "steps": [
    { "notify": { "server": "dm", "device": "phone" } },
    { "name": "the leaf", "check": { "device": "phone", "uri": "urn:oma:mo:oma-dm-devinfo:1.0//DevID", "value": "x" } }
  ]
}`;

test('a valid scenario: participants, steps with their lines, default names', () => {
  const p = parseScenario(VALID, 'file-name');
  assert.deepEqual(p.diagnostics, []);
  const s = p.scenario!;
  assert.equal(s.name, 'file-name');
  assert.equal(s.validate, true);
  assert.deepEqual(s.steps.map((x) => [x.index, x.line, x.action.kind, x.name]), [[0, 8, 'notify', 'notify phone from dm'], [1, 9, 'check', 'the leaf']]);
});

/** Each mutation of the valid scenario is reported with its code, at the text it is about. */
const MUTATIONS: [string, string, string, string][] = [
  ['"device": "phone" }', '"device": "tablet" }', 'flow.unknown-participant', '"tablet"'],
  ['"server": "dm", "device": "phone" }', '"server": "phone", "device": "phone" }', 'flow.participant-kind', '"phone"'],
  ['{ "notify"', '{ "wait": { "ms": 1 }, "notify"', 'flow.step-action', '{ "wait": { "ms": 1 }, "notify": { "server": "dm", "device": "phone" } }'],
  ['"kind": "dm-server"', '"kind": "dm-server", "port": 80', 'flow.schema', '{ "id": "dm", "kind": "dm-server", "port": 80 }'],
  ['{ "id": "phone"', '{ "id": "dm"', 'flow.duplicate-participant', '"dm"'],
  ['"server": "dm" }', '"server": "nowhere" }', 'flow.unknown-participant', '"nowhere"'],
  ['"steps": [', '"steps": [ }', 'flow.syntax', '}'],
];

test('every rule, triggered by mutating the valid scenario, is reported at its place', () => {
  for (const [from, to, code, at] of MUTATIONS) {
    const text = VALID.replace(from, to);
    assert.notEqual(text, VALID, from);
    const p = parseScenario(text);
    assert.equal(p.scenario, undefined, code);
    const d = p.diagnostics.find((x) => x.code === code);
    assert.ok(d, `${code} in ${JSON.stringify(p.diagnostics)}`);
    assert.equal(text.slice(d.start, d.end), at, code);
  }
});

test('hostile scenarios: deep nesting and huge files give a diagnostic, not a crash', () => {
  const deep = parseScenario('['.repeat(100_000));
  assert.equal(deep.diagnostics[0]?.code, 'flow.depth');
  const many = parseScenario(JSON.stringify({ participants: [{ id: 'd', kind: 'delegation' }], steps: Array.from({ length: 20_000 }, () => ({ wait: { ms: 0 } })) }));
  assert.equal(many.diagnostics[0]?.code, 'flow.schema');
  assert.equal(parseScenario('').diagnostics[0]?.code, 'flow.syntax');
});

test('variables and secrets: substituted once, missing ones listed, secrets redacted wherever they appear', () => {
  const sub = new Substitution({ host: 'dm.example' }, (n) => (n === 'pw' ? 's3cr3t' : n === 'pw2' ? 's3cr3t-longer' : undefined));
  const v = sub.apply({ a: 'http://${host}/dm', b: ['${secret:pw}', '${nope}', '${secret:gone}'], c: 1, d: '${secret:pw2}' });
  assert.deepEqual(v, { a: 'http://dm.example/dm', b: ['s3cr3t', '${nope}', '${secret:gone}'], c: 1, d: 's3cr3t-longer' });
  assert.deepEqual([...sub.missing].sort(), ['nope', 'secret:gone']);
  assert.equal(sub.redact('x s3cr3t-longer y s3cr3t'), 'x «secret:pw2» y «secret:pw»');
  // A value that itself looks like a reference is not read again.
  assert.equal(new Substitution({ a: '${b}', b: 'no' }, () => undefined).apply('${a}'), '${b}');
  assert.equal(secretVariable('dm-password'), 'OMADM_SECRET_DM_PASSWORD');
  assert.equal(typeof parseEnvironments('{"environments": {"x": {"a": 1}}}'), 'string');
  assert.deepEqual(parseEnvironments('{"environments": {"x": {"a": "1"}}, "default": "x"}'), { environments: { x: { a: '1' } }, default: 'x' });
});

test('omadm.env.json is JSON with comments, as VS Code edits it; a fault is named with its line and column', () => {
  const text = '// shared by the team\n{\n  "environments": {\n    /* the lab */ "lab": { "dmUrl": "http://127.0.0.1:8080/dm", },\n  },\n  "default": "lab"\n}\n';
  assert.deepEqual(parseEnvironments(text), { environments: { lab: { dmUrl: 'http://127.0.0.1:8080/dm' } }, default: 'lab' });
  // Column 22 is the token where the colon should be: "x".
  assert.equal(parseEnvironments('{\n  "environments": {\n    "lab": { "dmUrl" "x" }\n  }\n}'), 'not JSON with comments: ColonExpected at line 3, column 22');
  assert.match(String(parseEnvironments('')), /^not JSON with comments: ValueExpected at line 1, column 1$/);
});
