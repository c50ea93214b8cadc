import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, ROOT } from '../helpers.ts';

const BIN = path.join(ROOT, 'bin', 'omadm.js');

function omadm(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const CONTRACT_KEYS = ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message', 'source'];

test('validate --json on the fixture folder prints the contract JSON, 1-based, and exits 1', () => {
  const r = omadm('validate', '--json', path.relative(ROOT, FIXTURES));
  assert.equal(r.code, 1, r.stderr);
  const ds = JSON.parse(r.stdout) as Record<string, unknown>[];
  for (const d of ds) {
    assert.deepEqual(Object.keys(d), CONTRACT_KEYS);
    assert.equal(d.source, 'omadm');
    assert.ok(['error', 'warning', 'information', 'hint'].includes(d.severity as string));
  }
  const expected: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));
  const got: Record<string, string[]> = {};
  for (const d of ds) (got[path.relative(path.relative(ROOT, FIXTURES), d.file as string)] ??= []).push(`${d.code}@${d.line}:${d.column}`);
  assert.deepEqual(got, expected);
  const bool = ds.find((d) => d.code === 'del.boolean')!;
  assert.deepEqual([bool.file, bool.line, bool.column, bool.endLine, bool.endColumn], [path.join('test', 'fixtures', 'delegation', 'broken', 'boolean.xml'), 4, 21, 4, 25]);
});

test('validate --json covers DM 2.0 packages and exchanges with the contract, exact ranges included', () => {
  const dir = path.join('test', 'fixtures', 'dm20');
  const r = omadm('validate', '--json', dir);
  assert.equal(r.code, 1, r.stderr);
  const ds = JSON.parse(r.stdout) as Record<string, unknown>[];
  for (const d of ds) assert.deepEqual(Object.keys(d), CONTRACT_KEYS);
  const got: Record<string, string[]> = {};
  for (const d of ds) (got[path.relative(dir, d.file as string)] ??= []).push(`${d.code}@${d.line}:${d.column}-${d.endLine}:${d.endColumn}`);
  assert.deepEqual(got, JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'expected.json'), 'utf8')));
  const clean = omadm('validate', path.join(dir, 'valid'));
  assert.equal(clean.code, 0, clean.stdout);
  assert.match(clean.stdout, /^7 files checked: 0 errors, 0 warnings, 0 notes$/m);
});

test('validate of valid files exits 0 and says what it checked', () => {
  const r = omadm('validate', 'test/fixtures/delegation/valid', 'test/fixtures/delegation/http/delegation-flow.dmhttp');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^22 files checked: 0 errors, 0 warnings, 0 notes$/m);
});

test('warnings alone exit 0; text output names file:line:column', () => {
  const r = omadm('validate', 'test/fixtures/delegation/http/appendix-c.dmhttp');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^test\/fixtures\/delegation\/http\/appendix-c\.dmhttp:4:9: warning http\.accept: /m);
});

test('usage errors and unreadable paths exit 2', () => {
  assert.equal(omadm('validate').code, 2);
  const missing = omadm('validate', '--json', 'no/such/place');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read no\/such\/place: ENOENT/);
  assert.equal(omadm('validate', '--frobnicate', 'x').code, 2);
  assert.equal(omadm('frobnicate').code, 2);
  assert.equal(omadm().code, 2);
});

test('--help is there for the tool and each command', () => {
  const top = omadm('--help');
  assert.equal(top.code, 0);
  assert.match(top.stdout, /validate \[--json\] PATH/);
  const v = omadm('validate', '--help');
  assert.equal(v.code, 0);
  assert.match(v.stdout, /Exit status: 0 no errors/);
  assert.equal(omadm('demo', '--help').code, 0);
});

test('folders recurse, skip node_modules and dot-folders, and leave unrelated XML alone', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-cli-'));
  try {
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.mkdirSync(path.join(dir, '.git'));
    const bad = '<delegation_confirmed><status>CONFIRMED</status></delegation_confirmed>';
    fs.writeFileSync(path.join(dir, 'a', 'b', 'deep.xml'), bad);
    fs.writeFileSync(path.join(dir, 'node_modules', 'x.xml'), bad);
    fs.writeFileSync(path.join(dir, '.git', 'x.xml'), bad);
    fs.writeFileSync(path.join(dir, 'pom.xml'), '<project><broken></project>');
    fs.writeFileSync(path.join(dir, 'junk.xml'), Buffer.from([0, 1, 2, 255, 254, 60, 0]));
    const r = omadm('validate', '--json', dir);
    assert.equal(r.code, 1);
    const files = [...new Set((JSON.parse(r.stdout) as { file: string }[]).map((d) => path.relative(dir, d.file)))];
    assert.deepEqual(files, [path.join('a', 'b', 'deep.xml')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('demo validates the example workspace, then runs a DM Session between the mini DM Server and an emulated device, and exits 0', () => {
  const r = omadm('demo');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ flows\/dmacc-approach\.dmhttp {2}\(HTTP exchange: DELEGATION_REQ, DELEGATION_RESP, BOOTSTRAP_CONFIRMED, DELEGATION_PREPARED, DELEGATION_CONFIRMED\)/);
  assert.match(r.stdout, /18 files checked: 0 errors, 4 warnings/);
  assert.match(r.stdout, /✓ dm20\/session\.dmhttp {2}\(HTTP exchange: Package#1, Package#2, Package#3, MO data, Package#2\)/);
  // The session: Package#0 over UDP, Package#1, the commands of both Package#2s, the EXEC report in a session of its own.
  assert.match(r.stdout, /-> IMEI:493005100592800 {2}Package#0 {2}\(accepted from DMS_ID1\)/);
  assert.match(r.stdout, /IMEI:493005100592800 -> dm\.example {2}Package#1 POST http:\/\/dm\.example\/dm {2}200/);
  assert.match(r.stdout, /Package#3 POST http:\/\/dm\.example\/dm\/continued {2}200/);
  for (const c of ['GET: 304', 'HGET: 200', 'HPUT: 200', 'HPOST: 200', 'DELETE: 200', 'EXEC: 202', 'EXEC: 405', 'SHOW: 200', 'DEFAULT: 200', 'SUB: 200', 'UNSUB: 404', 'CONT: 200', 'GET: 404']) assert.ok(r.stdout.includes(`· ${c}`), c);
  assert.match(r.stdout, /Sessions: IMEI:493005100592800#1: completed .*; IMEI:493005100592800#2: completed/);
  assert.match(r.stdout, /Packages exchanged with errors: 0/);
  assert.match(r.stdout, /~ urn:oma:mo:oma-dm-dmacc:1\.2\/dms1\/Auth\/Noti\/Secret: "notification-secret" -> "AB123CES121XX90TPOWQESEFSE33"/);
  assert.match(r.stdout, /\+ urn:oma:mo:oma-dcmo:1\.0\/usb\/Property = "USB"/);
});

test('resolve prints {status, nodes} as DESIGN.md says, with globs and access prediction', () => {
  const r = omadm('resolve', '--json', '--tree', 'test/fixtures/trees/*.dmtree.json', 'urn:oma:mo:moid:1.0/*/Data/*/Value');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { status: 200, nodes: ['urn:oma:mo:moid:1.0/left/Data/1/Value', 'urn:oma:mo:moid:1.0/left/Data/2/Value', 'urn:oma:mo:moid:1.0/right/Data/1/Value', 'urn:oma:mo:moid:1.0/right/Data/2/Value'] });
  const root = JSON.parse(omadm('resolve', '--json', '--tree', 'test/fixtures/trees/figure5.dmtree.json', 'urn:oma:mo:moid:1.0/left/').stdout);
  assert.deepEqual(root, { status: 200, nodes: ['urn:oma:mo:moid:1.0/left/'] });
  const amb = omadm('resolve', '--json', '--tree', 'test/fixtures/trees/figure5.dmtree.json', 'urn:oma:mo:moid:1.0//');
  assert.equal(amb.code, 1);
  assert.deepEqual(JSON.parse(amb.stdout), { status: 404, nodes: [] });
  const dacmo = 'test/fixtures/trees/dacmo-12.3.1.dmtree.json';
  const refused = omadm('resolve', '--json', '--tree', dacmo, '--server-id', 'DMS2', '--command', 'DELETE', 'urn:oma:mo:oma-dm-devinfo:1.2//DevID');
  assert.deepEqual([refused.code, JSON.parse(refused.stdout)], [1, { status: 403, nodes: [] }]);
  assert.deepEqual(JSON.parse(omadm('resolve', '--json', '--tree', dacmo, '--server-id', 'DMS1', '--command', 'HGET', 'urn:oma:mo:oma-dm-devinfo:1.2//DevID').stdout).status, 200);
  // DMS1 may write, but the shipped DevInfo DDF makes DevID permanent: 405.
  assert.deepEqual(JSON.parse(omadm('resolve', '--json', '--tree', dacmo, '--server-id', 'DMS1', '--command', 'DELETE', 'urn:oma:mo:oma-dm-devinfo:1.2//DevID').stdout), { status: 405, nodes: [] });
  assert.deepEqual(JSON.parse(omadm('resolve', '--json', '--tree', dacmo, 'urn:oma:mo:oma-dm-devinfo:1.2//?cv=686897696a7c876b7e').stdout), { status: 304, nodes: [] });
  assert.deepEqual(JSON.parse(omadm('resolve', '--json', '--tree', dacmo, 'urn:oma:mo:oma-dm-devinfo:1.2/miid1').stdout), { status: 400, nodes: [] });
  const text = omadm('resolve', '--tree', 'test/fixtures/trees/figure5.dmtree.json', 'urn:oma:mo:moid:1.0/left/ID');
  assert.match(text.stdout, /^200 OK: 1 node/);
  assert.match(text.stdout, /urn:oma:mo:moid:1\.0\/left\/ID = "GPS"/);
  assert.equal(omadm('resolve', 'urn:x').code, 2);
  assert.equal(omadm('resolve', '--tree', 'no/such/*.dmtree.json', 'urn:x:1//').code, 2);
  assert.equal(omadm('resolve', '--tree', 'test/fixtures/trees/figure5.dmtree.json', '--command', 'FETCH', 'urn:x:1//').code, 2);
});
