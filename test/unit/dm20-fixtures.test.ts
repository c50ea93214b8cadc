import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/core/analyze.ts';
import { LineIndex } from '../../server/src/core/text/lineIndex.ts';
import { ROOT, applyEdits } from '../helpers.ts';

const DIR = path.join(ROOT, 'test', 'fixtures', 'dm20');
const expected: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8'));
const readSibling = (f: string): string | undefined => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);

function files(dir: string): string[] {
  return fs.readdirSync(path.join(DIR, dir)).filter((f) => /\.(json|dmhttp)$/.test(f)).map((f) => `${dir}/${f}`);
}

function analyse(rel: string) {
  const file = path.join(DIR, rel);
  const text = fs.readFileSync(file, 'utf8');
  return { text, a: analyzeText(text, { fileName: file }, { readSibling }) };
}

function found(rel: string): string[] {
  const { text, a } = analyse(rel);
  const lines = new LineIndex(text);
  return a.diagnostics.map((d) => {
    const p = lines.positionAt(d.start);
    const e = lines.positionAt(d.end);
    return `${d.code}@${p.line + 1}:${p.character + 1}-${e.line + 1}:${e.character + 1}`;
  });
}

test('every example package of the spec is a fixture with exactly the diagnostics of its known defects', () => {
  const spec = files('spec');
  assert.deepEqual(spec.map((f) => f.split('/')[1]!.split('-')[0]).sort(), ['7.2.1.1', '7.2.1.2', '7.2.1.3', '7.2.1.4', '7.2.1.5', 'F', 'I.1', 'I.2', 'I.3']);
  for (const rel of spec) assert.deepEqual(found(rel), expected[rel] ?? [], rel);
});

test('valid fixtures validate clean; a JSON file of another shape is left alone', () => {
  for (const rel of files('valid')) {
    const { a } = analyse(rel);
    if (rel.endsWith('not-a-package.json')) assert.equal(a.recognised, false);
    else {
      assert.ok(a.recognised, rel);
      assert.deepEqual(a.diagnostics.map((d) => `${d.code} ${d.message}`), [], rel);
    }
  }
});

test('each rule has a broken fixture, found at the exact place', () => {
  const broken = files('broken');
  for (const rel of broken) assert.deepEqual(found(rel), expected[rel] ?? [], rel);
  const codes = new Set(Object.values(expected).flat().map((e) => e.split('@')[0]));
  const sources = ['dm20/validate.ts', 'dm20/rules.ts', 'dm20/report.ts', 'dm20/http.ts', 'dm20/clientUri.ts', 'dm20/serverUri.ts', 'json/document.ts', 'http/multipart.ts']
    .map((f) => fs.readFileSync(path.join(ROOT, 'server', 'src', 'core', f), 'utf8'))
    .join('\n');
  for (const m of sources.matchAll(/'((?:dm|json|http)\.[a-z0-9-]+)'/g)) assert.ok(codes.has(m[1]!), `a fixture shows ${m[1]}`);
});

test('the example forms of Status convert to the schema form, and the fix validates clean', () => {
  const text = '{\n "Status": [\n  200, "urn:oma:mo:oma-dcmo:1.0/usb/",\n  404\n ]\n}';
  const a = analyzeText(text, { fileName: 'x.pkg3.json' });
  const d = a.diagnostics.find((x) => x.code === 'dm.status-form')!;
  assert.equal(text.slice(d.start, d.end), '"Status"');
  const fixed = applyEdits(text, d.fixes![0]!.edits);
  assert.equal(fixed, '{\n "Status": [\n  {"sc": 200, "URI": ["urn:oma:mo:oma-dcmo:1.0/usb/"]},\n  {"sc": 404}\n ]\n}');
  assert.deepEqual(analyzeText(fixed, { fileName: 'x.pkg3.json' }).diagnostics, []);
});

test('quick fixes: urn: prefix, command case, property case, MO array, Mark', () => {
  const cases: [string, string, string][] = [
    ['x.pkg2.json', '{"CMD": [["GET", "oma:mo:oma-dm-devinfo:1.0//DevID"]]}', '{"CMD": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"]]}'],
    ['x.pkg2.json', '{"CMD": [["get", "urn:oma:mo:oma-dm-devinfo:1.0//"]]}', '{"CMD": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//"]]}'],
    ['x.pkg2.json', '{"cmd": [["END"]]}', '{"CMD": [["END"]]}'],
    ['x.dmmo.json', '{"ClientURI": "urn:oma:mo:oma-dm-devinfo:1.0//", "MOData": {}}', '[\n{"ClientURI": "urn:oma:mo:oma-dm-devinfo:1.0//", "MOData": {}}\n]'],
    ['x.alert.json', '{"Alert": [{"AlertType": "urn:x:1", "Mark": "Fatal"}]}', '{"Alert": [{"AlertType": "urn:x:1", "Mark": "fatal"}]}'],
  ];
  for (const [name, text, want] of cases) {
    const a = analyzeText(text, { fileName: name });
    const fixable = a.diagnostics.filter((d) => d.fixes?.length);
    assert.equal(fixable.length, 1, `${text}: ${a.diagnostics.map((d) => d.code).join(', ')}`);
    const fixed = applyEdits(text, fixable[0]!.fixes![0]!.edits);
    assert.equal(fixed, want);
    assert.deepEqual(analyzeText(fixed, { fileName: name }).diagnostics, []);
  }
});

test('prototype keys in MO data are plain data and never reach a prototype', () => {
  const { a } = analyse('broken/mo-data.dmmo.json');
  const region = a.regions[0]!;
  assert.equal(region.type, 'package');
  const value = (region as { json: { value: Record<string, Record<string, Record<string, unknown>>> } }).json.value;
  const devinfo = value.MOData!.DevInfo!;
  assert.ok(Object.prototype.hasOwnProperty.call(devinfo, '__proto__'));
  assert.deepEqual(Object.keys(devinfo), ['__proto__', 'constructor', 'DevID']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(devinfo), Object.prototype);
  // Also through the tolerant parser, when the text is not JSON.
  const broken = analyzeText('[{"ClientURI": "urn:oma:mo:x:1.0//", "MOData": {"__proto__": {"polluted": 1}},}]', { fileName: 'y.dmmo.json' });
  assert.ok(broken.diagnostics.some((d) => d.code === 'json.syntax'));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('hostile input: deep nesting, binary junk, huge arrays never throw', () => {
  const deep = '{"CMD": ' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
  assert.deepEqual(analyzeText(deep, { fileName: 'd.pkg2.json' }).diagnostics.map((d) => d.code), ['json.depth']);
  let junk = '';
  for (let i = 0; i < 50_000; i++) junk += String.fromCharCode((i * 7919) % 65536);
  assert.ok(analyzeText(junk, { fileName: 'j.pkg3.json' }).diagnostics.length > 0);
  const big = JSON.stringify({ Status: Array.from({ length: 100_000 }, () => ({ sc: 200 })) });
  assert.deepEqual(analyzeText(big, { fileName: 'b.pkg3.json' }).diagnostics, []);
});

test('MUST is an error, SHOULD a warning: the severity follows the sentence each rule cites', () => {
  const severities = (rel: string): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const d of analyse(rel).a.diagnostics) (out[d.code] ??= []).push(d.severity);
    return out;
  };
  // Appendix F: "the Content-Type HTTP header defined for Package#3 MUST be used" without data.
  assert.deepEqual(severities('broken/http-multipart-syntax.dmhttp')['dm.multipart-empty'], ['error']);
  assert.deepEqual(severities('broken/http-multipart.dmhttp')['dm.multipart-empty'], ['error']);
  // 5.2.2: the Data of a ServerInitiatedMgmt alert "MUST include the NOTIFICATION-ID".
  assert.deepEqual(severities('broken/alerts.alert.json')['dm.alert-notification-id'], ['error']);
  // 5.2.4: "this Package#3 MUST NOT be sent".
  assert.deepEqual(severities('broken/http-session.dmhttp')['dm.package3-after-end'], ['error']);
  // 5.5: "the DM Client SHOULD use the Accept HTTP header".
  const noAccept = analyzeText('POST /dm HTTP/1.1\nHost: dms.example.com\nContent-Type: application/vnd.oma.dm.initiation+json\nOMADM-DevID: IMEI:1\n\n{"Alert": [{"AlertType": "urn:oma:at:dm:2.0:ClientInitiatedMgmt"}]}\n', { fileName: 'a.dmhttp' });
  assert.deepEqual(noAccept.diagnostics.map((d) => [d.code, d.severity]), [['http.accept', 'warning']]);
  // 7.2.1 names the media type of a Package#2 without a MUST; a Package#3's is a MUST (Appendix F).
  assert.deepEqual(severities('broken/http-session.dmhttp')['http.content-type'], ['warning']);
  assert.deepEqual(severities('broken/http-multipart-required.dmhttp')['http.content-type'], ['error']);
  // New rules, all MUSTs.
  assert.deepEqual(severities('broken/status-uri.pkg3.json'), { 'dm.status-uri': ['error'] });
  assert.deepEqual(severities('broken/status-async.pkg3.json'), { 'dm.status-async': ['error'] });
  assert.deepEqual(severities('broken/http-multipart-required.dmhttp')['dm.multipart-required'], ['error']);
  assert.deepEqual(severities('broken/http-multipart-boundary.dmhttp'), { 'http.multipart-boundary': ['error', 'error'] });
  // No sentence forbids a command after END (5.3.9: the DM Client processes them all): a warning.
  assert.deepEqual(severities('broken/commands.pkg2.json')['dm.command-after-end'], ['warning']);
});

const pair = (cmds: string, statuses: string): string[] =>
  analyzeText(statuses, { fileName: '/x/p.pkg3.json' }, { readSibling: (f) => (f === '/x/p.pkg2.json' ? cmds : undefined) }).diagnostics.map((d) => d.code);

test('5.3.1: an HGET without ClientURI answered 200 returns where the data was stored, in any Status form', () => {
  const hget = '{"CMD": [["HGET", "https://dr.example.com/mo"], ["HGET", "https://dr.example.com/mo", "urn:oma:mo:oma-dcmo:1.0/usb/"]]}';
  assert.deepEqual(pair(hget, '{"Status": [{"sc": 200}, {"sc": 200}]}'), ['dm.status-uri'], 'the second HGET names its ClientURI');
  assert.deepEqual(pair(hget, '{"Status": [{"sc": 200, "URI": []}, {"sc": 200}]}'), ['dm.status-uri'], 'an empty URI array returns nothing');
  assert.deepEqual(pair(hget, '{"Status": [{"sc": 200, "URI": ["urn:oma:mo:oma-dcmo:1.0/a/", "urn:oma:mo:oma-dcmo:1.0/b/"]}, {"sc": 200}]}'), [], 'several locations');
  assert.deepEqual(pair(hget, '{"Status": [{"sc": 404}, {"sc": 200}]}'), [], 'nothing stored, nothing to return');
  // The example form of I.2 returns the URI after its code: only the form is reported.
  assert.deepEqual(pair(hget, '{"Status": [200, "urn:oma:mo:oma-dcmo:1.0/usb/", 200]}'), ['dm.status-form']);
  assert.deepEqual(pair(hget, '{"Status": [200, 200]}'), ['dm.status-form', 'dm.status-uri']);
  // END is not answered: the HGET after it in the list is still the first status.
  assert.deepEqual(pair('{"CMD": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"], ["HGET", "https://dr.example.com/mo"]]}', '{"Status": [{"sc": 200}, {"sc": 200}]}'), ['dm.status-uri']);
});

test('5.4.1: an EXEC with a ServerURI is answered 202 Accepted; the fix writes 202', () => {
  const exec = '{"CMD": [["EXEC", "urn:oma:mo:oma-dcmo:1.0/cam/Operations/Enable", "https://dms.example.com/reports"]]}';
  assert.deepEqual(pair(exec, '{"Status": [{"sc": 202}]}'), []);
  assert.deepEqual(pair(exec, '{"Status": [{"sc": 200}]}'), ['dm.status-async']);
  assert.deepEqual(pair(exec, '{"Status": [{"sc": 404}]}'), [], 'a failure before the execution is no synchronous result');
  assert.deepEqual(pair('{"CMD": [["EXEC", "urn:oma:mo:oma-dcmo:1.0/cam/Operations/Enable"]]}', '{"Status": [{"sc": 200}]}'), [], 'without ServerURI the DM Client chooses');
  const text = '{"Status": [{"sc": 200}]}';
  const d = analyzeText(text, { fileName: '/x/p.pkg3.json' }, { readSibling: () => exec }).diagnostics[0]!;
  const fixed = applyEdits(text, d.fixes![0]!.edits);
  assert.equal(fixed, '{"Status": [{"sc": 202}]}');
  assert.deepEqual(pair(exec, fixed), []);
});

test('Appendix F both ways, and a multipart body without its boundary (RFC 2046 5.1.1)', () => {
  const exchange = (ct: string, body: string): string =>
    `HTTP/1.1 200 OK\nContent-Type: application/vnd.oma.dm.request+json\n\n{"CMD": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"]]}\n\nPOST /dm HTTP/1.1\nHost: dms.example.com\nContent-Type: ${ct}\nOMADM-DevID: IMEI:1\nAccept: application/vnd.oma.dm.request+json\n\n${body}\n`;
  const codes = (t: string): string[] => analyzeText(t, { fileName: 'x.dmhttp' }).diagnostics.map((d) => d.code);
  const pkg3 = 'application/vnd.oma.dm.response+json';
  assert.deepEqual(codes(exchange(pkg3, '{"Status": [{"sc": 200}]}')), ['dm.multipart-required']);
  assert.deepEqual(codes(exchange(pkg3, '{"Status": [{"sc": 304}]}')), [], '304: no data, the plain type is right');
  const parts = `--b\nContent-Disposition: form-data\nContent-Type: ${pkg3}\n\n{"Status": [{"sc": 200}]}\n--b\nContent-Disposition: form-data; name="0"\nContent-Type: text/plain\n\nIMEI:1\n--b--`;
  assert.deepEqual(codes(exchange('multipart/form-data; boundary=b', parts)), []);
  const missing = exchange('multipart/form-data', parts);
  const d = analyzeText(missing, { fileName: 'x.dmhttp' }).diagnostics;
  assert.deepEqual(d.map((x) => x.code), ['http.multipart-boundary']);
  assert.deepEqual(codes(applyEdits(missing, d[0]!.fixes![0]!.edits)), [], 'the fix names the boundary the body uses');
  // The parts are still read with the delimiter the body uses: a missing part is found.
  const noData = `--b\nContent-Disposition: form-data\nContent-Type: ${pkg3}\n\n{"Status": [{"sc": 200}]}\n--b--`;
  assert.deepEqual(codes(exchange('multipart/form-data', noData)), ['dm.multipart-empty', 'dm.multipart-missing', 'http.multipart-boundary']);
});
