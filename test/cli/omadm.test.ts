import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
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
  assert.match(r.stdout, /22 files checked: 0 errors, 4 warnings/);
  assert.match(r.stdout, /✓ scenarios\/fleet\.dmflow\.json {2}\(scenario: Fleet of 100 devices\)/);
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

/** Runs omadm with standard input given, or with its standard output closed from the start. */
function omadmWith(opts: { input?: string | Buffer; closeStdout?: boolean }, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    // The reader goes away before the first byte is written: every write of the child meets a closed pipe.
    if (opts.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-cli-'));
}

test('a closed standard output (piped into head) ends quietly, with the exit code the command would have had', async () => {
  const v = await omadmWith({ closeStdout: true }, 'validate', '--json', 'test/fixtures');
  assert.deepEqual([v.code, v.stderr], [1, '']);
  const d = await omadmWith({ closeStdout: true }, 'decode', '@test/fixtures/notification/session-request.pkg0.hex');
  assert.deepEqual([d.code, d.stderr], [0, '']);
  const h = await omadmWith({ closeStdout: true }, '--help');
  assert.deepEqual([h.code, h.stderr], [0, '']);
});

test('omadm with no arguments prints the usage on standard error and exits 2', () => {
  const r = omadm();
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Usage: omadm <command>/m);
});

test('the top-level help lists every command and every option each command takes', () => {
  const help = omadm('--help').stdout;
  for (const c of ['validate', 'decode', 'encode', 'resolve', 'serve dm-server', 'serve device', 'serve dms1', 'serve dms2', 'session', 'notify', 'certs', 'demo']) assert.match(help, new RegExp(`^  ${c} `, 'm'), c);
  assert.match(help, /--version/);
  // Every option any command parses, read from the sources: a new option without a help line fails here.
  const dir = path.join(ROOT, 'server', 'src', 'cli');
  const options = new Set<string>();
  for (const f of fs.readdirSync(dir)) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/(?:'([a-z][a-z-]*)'|\b([a-z][a-z-]*)): \{ type: '(?:string|boolean)'/g)) options.add(m[1] ?? m[2]!);
  }
  options.delete('help');
  assert.ok(options.size >= 20, [...options].join(' '));
  for (const o of options) assert.ok(help.includes(`--${o}`), `--${o} is in the top-level help`);
  assert.equal(omadm('--version').code, 0);
});

test('resolve: a tree or DDF that cannot be read or is not valid is exit 2 with the reason', () => {
  const dir = tempDir();
  try {
    const uri = 'urn:oma:mo:moid:1.0/left/ID';
    const tree = 'test/fixtures/trees/figure5.dmtree.json';
    fs.writeFileSync(path.join(dir, 'pic.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    fs.writeFileSync(path.join(dir, 'cut.dmtree.json'), fs.readFileSync(path.join(ROOT, tree), 'utf8').slice(0, 200));
    fs.writeFileSync(path.join(dir, 'object.dmtree.json'), '{"ClientURI": "urn:oma:mo:moid:1.0/left/", "MOData": {}}');
    const cases: [string[], RegExp][] = [
      [['--tree', 'README.md'], /README\.md is not a DM tree: not JSON/],
      [['--tree', path.join(dir, 'pic.png')], /pic\.png: a binary file/],
      [['--tree', path.join(dir, 'cut.dmtree.json')], /cut\.dmtree\.json is not a DM tree: not JSON \(\d+:\d+: /],
      [['--tree', path.join(dir, 'object.dmtree.json')], /is not a DM tree: MO data is a JSON array/],
      [['--tree', '/dev/zero'], /cannot read tree \/dev\/zero: not a regular file/],
      [['--tree', dir], /cannot read tree .*: a folder, not a file/],
      [['--tree', tree, '--ddf', '/no/such.ddf'], /cannot read DDF \/no\/such\.ddf: ENOENT/],
      [['--tree', tree, '--ddf', 'test/fixtures/ddf/broken.ddf'], /broken\.ddf is not a valid DDF: 2:2: <MgmtTree> needs <VerDTD>/],
      [['--tree', tree, '--ddf', 'test/fixtures/ddf/moid.ddf'], /moid\.ddf describes no MO/],
      [['--tree', tree, '--ddf', 'README.md'], /README\.md is not a valid DDF/],
    ];
    for (const [args, reason] of cases) {
      const r = omadm('resolve', ...args, uri);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, reason);
      assert.equal(r.stdout, '');
    }
    // A valid DDF besides the shipped ones is taken.
    assert.equal(omadm('resolve', '--tree', tree, '--ddf', 'test/fixtures/ddf/instance-count.ddf', uri).code, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a FIFO named explicitly is refused with exit 2, never waited on', () => {
  const dir = tempDir();
  try {
    const fifo = path.join(dir, 'pipe.pkg2.json');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const v = omadm('validate', fifo);
    assert.equal(v.code, 2);
    assert.match(v.stderr, /cannot read .*pipe\.pkg2\.json: not a regular file/);
    assert.equal(omadm('validate', '/dev/zero').code, 2);
    const r = omadm('resolve', '--tree', fifo, 'urn:oma:mo:moid:1.0//');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a regular file/);
    // Inside a folder, a FIFO is no DM file: skipped, the rest is checked.
    fs.copyFileSync(path.join(ROOT, 'test/fixtures/dm20/valid/session.pkg1.json'), path.join(dir, 'session.pkg1.json'));
    const folder = omadm('validate', dir);
    assert.equal(folder.code, 0, folder.stderr);
    assert.match(folder.stdout, /^1 file checked/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('duplicate MO instances across tree files are reported by validate and resolve', () => {
  const dir = tempDir();
  try {
    const inst = (v: string): string => JSON.stringify([{ ClientURI: 'urn:oma:mo:moid:1.0/left/', MOData: { left: { ID: v } } }], null, 1);
    fs.writeFileSync(path.join(dir, 'a.dmtree.json'), inst('GPS'));
    fs.writeFileSync(path.join(dir, 'b.dmtree.json'), inst('Temperature'));
    const v = omadm('validate', '--json', dir);
    assert.equal(v.code, 0, v.stderr);
    const ds = (JSON.parse(v.stdout) as { file: string; line: number; column: number; severity: string; code: string; message: string }[]).filter((d) => d.code === 'tree.duplicate-instance');
    assert.deepEqual(ds.map((d) => [path.basename(d.file), d.line, d.column, d.severity]), [['b.dmtree.json', 5, 4, 'warning']]);
    assert.match(ds[0]!.message, /also in .*a\.dmtree\.json/);
    const r = omadm('resolve', '--json', '--tree', path.join(dir, '*.dmtree.json'), 'urn:oma:mo:moid:1.0/left/ID');
    assert.equal(r.code, 0);
    assert.match(r.stderr, /b\.dmtree\.json:5:4: warning tree\.duplicate-instance: .*the later one is used/);
    assert.deepEqual(JSON.parse(r.stdout), { status: 200, nodes: ['urn:oma:mo:moid:1.0/left/ID'] });
    // The same file named twice is one file: nothing is defined twice.
    const twice = omadm('resolve', '--tree', path.join(dir, 'a.dmtree.json'), '--tree', path.join(dir, 'a.dmtree.json'), 'urn:oma:mo:moid:1.0/left/ID');
    assert.deepEqual([twice.code, twice.stderr], [0, '']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('validate: a sample tree with more instances than its MO root occurs gets tree.ddf-occurrence', () => {
  const r = omadm('validate', '--json', 'test/fixtures/ddf');
  assert.equal(r.code, 1);
  const got: Record<string, string[]> = {};
  for (const d of JSON.parse(r.stdout) as { file: string; code: string; line: number; column: number; endLine: number; endColumn: number }[]) {
    (got[path.basename(d.file)] ??= []).push(`${d.code}@${d.line}:${d.column}-${d.endLine}:${d.endColumn}`);
  }
  assert.deepEqual(got, JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'ddf', 'expected.json'), 'utf8')));
});

test('validate: paths that hold no DM file are exit 2 with a message, unless --allow-empty', () => {
  const dir = tempDir();
  try {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'nothing here');
    const empty = omadm('validate', dir);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /holds no file validate recognises/);
    const readme = omadm('validate', 'README.md');
    assert.equal(readme.code, 2);
    assert.match(readme.stderr, /README\.md holds no file validate recognises/);
    const allowed = omadm('validate', '--allow-empty', dir, 'README.md');
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /^0 files checked/m);
    // One path without DM files among others is still said, and still exit 2.
    const mixed = omadm('validate', 'test/fixtures/dm20/valid', dir);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stdout, /^7 files checked/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('validate: symbolic links are followed (loops detected), overlapping paths are checked once', () => {
  const dir = tempDir();
  try {
    const pkg1 = path.join(ROOT, 'test/fixtures/dm20/valid/session.pkg1.json');
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync(pkg1, path.join(dir, 'sub', 'linked.pkg1.json'));
    fs.symlinkSync('..', path.join(dir, 'sub', 'loop'));
    fs.symlinkSync('nowhere.pkg2.json', path.join(dir, 'dangling.pkg2.json'));
    fs.writeFileSync(path.join(dir, 'bad.pkg2.json'), '{"CMD": [["GETT", "urn:oma:mo:oma-dm-devinfo:1.0//"]]}');
    const r = omadm('validate', '--json', dir, path.join(dir, 'sub'), path.join(dir, 'bad.pkg2.json'), pkg1);
    assert.equal(r.code, 1, r.stderr);
    const ds = JSON.parse(r.stdout) as { file: string; code: string }[];
    assert.deepEqual(ds.map((d) => [path.relative(dir, d.file), d.code]), [['bad.pkg2.json', 'dm.command-unknown']]);
    const text = omadm('validate', dir, path.join(dir, 'sub'), pkg1);
    assert.match(text.stdout, /^2 files checked: 1 errors/m, 'bad.pkg2.json and the one Package#1 behind three names');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('validate - reads standard input as the --kind given', async () => {
  const pkg2 = '{"CMD": [["GETT", "urn:oma:mo:oma-dm-devinfo:1.0//"]]}';
  const r = await omadmWith({ input: pkg2 }, 'validate', '--json', '--kind', 'pkg2', '-');
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as { file: string; code: string; line: number; column: number }[]).map((d) => [d.file, d.code, d.line, d.column]), [['<stdin>', 'dm.command-unknown', 1, 11]]);
  const xml = fs.readFileSync(path.join(FIXTURES, 'valid', 'delegation_req.xml'));
  const ok = await omadmWith({ input: xml }, 'validate', '--kind', 'delegation', '-');
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^1 file checked: 0 errors/m);
  const shape = await omadmWith({ input: '{"Status": [{"sc": 200}]}' }, 'validate', '--kind', 'package', '-');
  assert.equal(shape.code, 0, shape.stderr);
  const notOne = await omadmWith({ input: '{"name": "x"}' }, 'validate', '--kind', 'package', '-');
  assert.equal(notOne.code, 2);
  assert.match(notOne.stderr, /standard input holds no DM 2\.0 package/);
  assert.equal((await omadmWith({ input: pkg2 }, 'validate', '-')).code, 2, 'no --kind');
  assert.equal((await omadmWith({ input: pkg2 }, 'validate', '--kind', 'pdf', '-')).code, 2, 'an unknown kind');
  assert.equal((await omadmWith({ input: pkg2 }, 'validate', '--kind', 'pkg2', 'test/fixtures/dm20/valid')).code, 2, '--kind without -');
  // With files: standard input is one more document.
  const both = await omadmWith({ input: pkg2 }, 'validate', '--kind', 'pkg2', 'test/fixtures/dm20/valid', '-');
  assert.equal(both.code, 1);
  assert.match(both.stdout, /^8 files checked: 1 errors/m);
});

test('binary content under a DM file name: one "binary file" diagnostic; no control character reaches the terminal', () => {
  const dir = tempDir();
  try {
    fs.writeFileSync(path.join(dir, 'image.pkg2.json'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x1b, 0x5b, 0x33, 0x31, 0x6d]));
    fs.writeFileSync(path.join(dir, 'utf16.delegation.xml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<delegation_req/>', 'utf16le')]));
    // A command name holding ESC and a C1 CSI, escaped in the JSON text: the message quotes it.
    fs.writeFileSync(path.join(dir, 'esc.pkg2.json'), '{"CMD": [["\\u001b[2J\\u009bGET", "urn:oma:mo:oma-dm-devinfo:1.0//"]]}');
    fs.writeFileSync(path.join(dir, 'junk.json'), Buffer.from([0, 1, 2, 3]));
    const r = omadm('validate', dir);
    assert.equal(r.code, 1);
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(r.stdout + r.stderr), JSON.stringify(r.stdout));
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.filter((l) => l.includes('file.binary')).map((l) => path.basename(l.split(':')[0]!)), ['image.pkg2.json', 'utf16.delegation.xml']);
    assert.match(r.stdout, /utf16\.delegation\.xml:1:1: error file\.binary: Binary file: .*UTF-16/);
    assert.match(r.stdout, /esc\.pkg2\.json:1:11: error dm\.command-unknown: '\\u001b\[2J\\u009bGET' is not a DM command/);
    assert.match(r.stdout, /^3 files checked/m, 'junk.json is no DM file name: left alone');
    const json = omadm('validate', '--json', dir);
    assert.ok(!/[\u007f-\u009f]/.test(json.stdout));
    const ds = JSON.parse(json.stdout) as { code: string; message: string }[];
    assert.ok(ds.some((d) => d.message.includes('\u001b[2J\u009bGET')), 'JSON keeps the text, escaped');
    assert.equal(ds.filter((d) => d.code === 'file.binary').length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
