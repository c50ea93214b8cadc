// `omadm run` as a process: the example scenarios, exit codes, --json lines, JUnit checked against
// the JUnit schema by xmllint, traces as JSON lines, environments and secrets (never written).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';

const BIN = path.join(ROOT, 'bin', 'omadm.js');
const SCENARIOS = path.join(ROOT, 'examples', 'workspace', 'scenarios');
const TREE = path.join(ROOT, 'examples', 'workspace', 'device.dmtree.json');
const XSD = path.join(ROOT, 'test', 'fixtures', 'junit', 'junit.xsd');

async function omadm(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-run-test-'));
}

function scenario(dir: string, name: string, body: object): string {
  const f = path.join(dir, `${name}.dmflow.json`);
  fs.writeFileSync(f, JSON.stringify(body, null, 1));
  return f;
}

const validJunit = (file: string): void => {
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
};

test('the example scenarios all pass: exit 0, a JUnit test case per step, a trace per scenario', async () => {
  const out = tmp();
  const r = await omadm(['run', '--junit', path.join(out, 'junit.xml'), '--trace', path.join(out, 'traces'), SCENARIOS]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /4 of 4 scenarios passed/);
  validJunit(path.join(out, 'junit.xml'));
  const xml = fs.readFileSync(path.join(out, 'junit.xml'), 'utf8');
  const steps = fs.readdirSync(SCENARIOS).reduce((n, f) => n + (JSON.parse(fs.readFileSync(path.join(SCENARIOS, f), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { steps: unknown[] }).steps.length, 0);
  assert.equal(xml.match(/<testcase /g)?.length, steps);
  assert.doesNotMatch(xml, /<failure|<error/);
  const trace = fs.readFileSync(path.join(out, 'traces', 'management-session.trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  // docs/trace.md: time, from, to, transport, kind; the step; correlation ids.
  for (const e of trace) for (const k of ['time', 'from', 'to', 'transport', 'kind']) assert.ok(k in e, `${k} in ${JSON.stringify(e).slice(0, 200)}`);
  assert.ok(trace.some((e) => e.kind === 'package0' && e.step === 2 && typeof e.notificationId === 'number'));
  assert.ok(trace.some((e) => e.kind === 'package3' && typeof e.sessionId === 'string'));
  // The device authenticates with HTTP Basic (12.2 Auth/Trsp): the credentials never reach the trace.
  const text = fs.readFileSync(path.join(out, 'traces', 'management-session.trace.jsonl'), 'utf8');
  assert.match(text, /"authorization":"Basic «redacted»"/);
  assert.doesNotMatch(text, /ZGV2aWNlMTp0cmFuc3BvcnQtc2VjcmV0/);
  const delegation = fs.readFileSync(path.join(out, 'traces', 'delegation-flows.trace.jsonl'), 'utf8');
  assert.match(delegation, /bootstrap_srv_url_delivery/);
});

test('a failed expectation: exit 1, the step with expected and actual, the rest skipped, in --json and in JUnit', async () => {
  const dir = tmp();
  const f = scenario(dir, 'wrong', {
    name: 'wrong statuses',
    participants: [{ id: 'dm', kind: 'dm-server' }, { id: 'phone', kind: 'device', tree: TREE, server: 'dm' }],
    // GET of an existing leaf is 200 (DM 2.0 5.3.6), not 404.
    steps: [{ queue: { server: 'dm', commands: [['GET', 'urn:oma:mo:oma-dm-devinfo:1.0//DevID']] } }, { session: { device: 'phone' }, expect: { statuses: [404] } }, { wait: { ms: 1 } }],
  });
  const junit = path.join(dir, 'junit.xml');
  const r = await omadm(['run', '--json', '--junit', junit, f]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => `${l.type} ${l.status ?? l.passed}`), ['step passed', 'step failed', 'step skipped', 'scenario false']);
  assert.equal(lines[1]!.expected, '404');
  assert.equal(lines[1]!.actual, '200');
  // The step's line: where its object opens, the line above its "session" key in this layout.
  const text = fs.readFileSync(f, 'utf8');
  assert.equal(lines[1]!.line, text.slice(0, text.indexOf('"session"')).split('\n').length - 1);
  validJunit(junit);
  assert.match(fs.readFileSync(junit, 'utf8'), /<failure message="the DM Client's statuses[^"]*"/);
});

test('usage errors exit 2 before anything runs: no scenario, an invalid one (with its line), an unknown environment, a secret not set', async () => {
  const dir = tmp();
  assert.equal((await omadm(['run'])).code, 2);
  assert.equal((await omadm(['run', path.join(dir, 'missing.dmflow.json')])).code, 2);
  const bad = path.join(dir, 'bad.dmflow.json');
  fs.writeFileSync(bad, '{\n "participants": [{ "id": "dm", "kind": "dm-server" }],\n "steps": [\n  { "notify": { "server": "dm", "device": "nobody" } }\n ]\n}\n');
  const r = await omadm(['run', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.dmflow\.json:4: error flow\.unknown-participant: No participant is called 'nobody'/);
  const s = scenario(dir, 'env', { participants: [{ id: 'dm', kind: 'dm-server', serverId: '${serverId}' }], steps: [{ wait: { ms: 0 } }] });
  fs.writeFileSync(path.join(dir, 'omadm.env.json'), JSON.stringify({ environments: { local: { serverId: 'DMS_ID1' } }, default: 'local' }));
  assert.equal((await omadm(['run', s])).code, 0);
  const unknown = await omadm(['run', '--env', 'staging', s]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no environment 'staging' \(it has local\)/);
  const sec = scenario(dir, 'secret', { participants: [{ id: 'dm', kind: 'dm-server', serverId: 'X', user: 'u:${secret:dm-password}' }], steps: [{ wait: { ms: 0 } }] });
  assert.equal((await omadm(['run', sec], { OMADM_SECRET_DM_PASSWORD: 'pw' })).code, 0);
  const env = { ...process.env };
  delete env.OMADM_SECRET_DM_PASSWORD;
  const unset = spawnSync(process.execPath, [BIN, 'run', sec], { cwd: ROOT, env, encoding: 'utf8' });
  assert.equal(unset.status, 2);
  assert.match(unset.stderr, /secret:dm-password \(set OMADM_SECRET_DM_PASSWORD\) not set/);
});

test('secrets are replaced by «secret:NAME» in the trace, the --json lines and the JUnit report', async () => {
  const dir = tmp();
  // The device's notification secret, read back with GET (its value travels in a Package#3) and checked against the secret.
  const f = scenario(dir, 'secret', {
    participants: [{ id: 'dm', kind: 'dm-server' }, { id: 'phone', kind: 'device', tree: TREE, server: 'dm' }],
    steps: [
      { queue: { server: 'dm', commands: [['GET', 'urn:oma:mo:oma-dm-dmacc:1.2/(x)/Auth/Noti/Secret?nv=(x)/SrvID:DMS_ID1']] } },
      { session: { device: 'phone' } },
      { check: { device: 'phone', uri: 'urn:oma:mo:oma-dm-dmacc:1.2/(x)/Auth/Noti?nv=(x)/SrvID:DMS_ID1', value: '${secret:noti}' } },
    ],
  });
  const tree = JSON.parse(fs.readFileSync(TREE, 'utf8')) as { MOData: Record<string, { SrvID?: string; Auth?: { Noti?: { Secret?: string } } }> }[];
  const secret = tree.flatMap((i) => Object.values(i.MOData)).find((v) => v.SrvID === 'DMS_ID1')?.Auth?.Noti?.Secret;
  assert.ok(secret && secret.length > 4);
  const junit = path.join(dir, 'junit.xml');
  const r = await omadm(['run', '--json', '--junit', junit, '--trace', dir, f], { OMADM_SECRET_NOTI: secret });
  // The check addresses an interior node, so it fails, with the secret as the expected value: which must not show.
  assert.equal(r.code, 1, r.stderr);
  for (const text of [r.stdout, r.stderr, fs.readFileSync(junit, 'utf8'), fs.readFileSync(path.join(dir, 'secret.trace.jsonl'), 'utf8')]) {
    assert.ok(!text.includes(secret), `the secret shows in: ${text.slice(0, 300)}`);
  }
  assert.match(fs.readFileSync(path.join(dir, 'secret.trace.jsonl'), 'utf8'), /«secret:noti»/);
  assert.match(r.stdout, /«secret:noti»/);
});

test('--devices N runs a fleet of N copies, each with its own DevID', async () => {
  const r = await omadm(['run', '--devices', '7', '--json', path.join(SCENARIOS, 'fleet.dmflow.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await omadm(['run', '--devices', '0', path.join(SCENARIOS, 'fleet.dmflow.json')])).code, 2);
  const dir = tmp();
  const t = await omadm(['run', '--devices', '3', '--trace', dir, path.join(SCENARIOS, 'fleet.dmflow.json')]);
  assert.equal(t.code, 0);
  const ids = new Set(fs.readFileSync(path.join(dir, 'fleet.trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; headers?: Record<string, string> }).filter((e) => e.kind === 'package1').map((e) => e.headers?.['omadm-devid']));
  assert.equal(ids.size, 3);
});
