// Formatting through the language server: whole document and range, for DM 2.0 packages (comments
// kept), delegation messages and DDFs (XML), DM Notifications in hex (comments kept and aligned).
// Formatting never loses content: the formatted text reads back as the same value.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { DocumentFormattingRequest, DocumentRangeFormattingRequest, type TextEdit } from 'vscode-languageserver-protocol';
import { serverForTests } from './client.ts';
import { ROOT } from '../helpers.ts';
import { parseXml, type XmlElement } from '../../server/src/core/xml/parse.ts';
import { parseInput } from '../../server/src/core/notification/input.ts';

const server = serverForTests();
const OPTIONS = { tabSize: 2, insertSpaces: true };

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const off = (l: number, c: number): number => lines.slice(0, l).reduce((n, s) => n + s.length + 1, 0) + c;
  const sorted = edits.map((e) => ({ s: off(e.range.start.line, e.range.start.character), e: off(e.range.end.line, e.range.end.character), t: e.newText })).sort((a, b) => b.s - a.s);
  for (const e of sorted) text = text.slice(0, e.s) + e.t + text.slice(e.e);
  return text;
}

let version = 0;
async function format(uri: string, text: string, languageId: string, range?: { start: number; end: number }): Promise<string> {
  await server().open(uri, text, languageId, ++version);
  const lines = text.split('\n');
  const pos = (o: number): { line: number; character: number } => {
    const before = text.slice(0, o).split('\n');
    return { line: before.length - 1, character: before[before.length - 1]!.length };
  };
  const edits = range
    ? await server().connection.sendRequest(DocumentRangeFormattingRequest.type, { textDocument: { uri }, range: { start: pos(range.start), end: pos(range.end) }, options: OPTIONS })
    : await server().connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: OPTIONS });
  assert.ok(lines.length > 0);
  return apply(text, edits ?? []);
}

/** An XML document as its elements, attributes and text (whitespace between elements aside). */
function xmlValue(text: string): unknown {
  const doc = parseXml(text);
  assert.deepEqual(doc.errors, []);
  const el = (e: XmlElement): unknown => ({ name: e.name, attributes: e.attributes.map((a) => [a.name, a.value]), text: e.children.length ? e.text.trim() : e.text, children: e.children.map(el) });
  return el(doc.root!);
}

test('a DM 2.0 package with comments: formatted, the same value, comments kept, formatting again changes nothing', async () => {
  const text = '{"CMD":[ // what the server asks\n["GET","urn:oma:mo:oma-dm-devinfo:1.0//DevID"],   ["END"]]}';
  const out = await format('file:///ws/fmt.pkg2.json', text, 'dm-json');
  assert.equal(out, '{\n  "CMD": [ // what the server asks\n    [\n      "GET",\n      "urn:oma:mo:oma-dm-devinfo:1.0//DevID"\n    ],\n    [\n      "END"\n    ]\n  ]\n}');
  assert.deepEqual(parseJsonc(out), parseJsonc(text));
  assert.equal(await format('file:///ws/fmt2.pkg2.json', out, 'dm-json'), out);
});

test('range formatting of a package changes the range only', async () => {
  const text = '{\n"Status":[ {"sc":200},{"sc" :404} ],\n"Alert":[{"AlertType":   "urn:oma:at:dm:2.0:ServerInitiatedMgmt"}]\n}';
  const line1 = text.indexOf('"Status"');
  const out = await format('file:///ws/range.pkg3.json', text, 'dm-json', { start: line1, end: text.indexOf('\n', line1) });
  assert.ok(out.includes('"Alert":[{"AlertType":   "urn:oma:at:dm:2.0:ServerInitiatedMgmt"}]'), out);
  assert.ok(!out.includes('{"sc":200},{"sc" :404}'), out);
  assert.deepEqual(JSON.parse(out), JSON.parse(text));
});

test('a delegation message and a DDF: element content re-indented, text and attributes untouched', async () => {
  const text = '<?xml version="1.0" encoding="UTF-8"?><delegation_req><serverId>  DM_Server_ABC </serverId>\n<!-- the device --><deviceId>IMEI:1</deviceId>\n            <deviceMan>V</deviceMan><deviceMod>M</deviceMod><DMTreeURI>/SCOMO</DMTreeURI><isDelegationFull>false</isDelegationFull><sessionId>S</sessionId></delegation_req>';
  const out = await format('file:///ws/fmt.delegation.xml', text, 'dm-delegation');
  assert.equal(out.split('\n').slice(0, 5).join('\n'), '<?xml version="1.0" encoding="UTF-8"?>\n<delegation_req>\n  <serverId>  DM_Server_ABC </serverId>\n  <!-- the device -->\n  <deviceId>IMEI:1</deviceId>');
  assert.deepEqual(xmlValue(out), xmlValue(text));
  assert.deepEqual(await server().diagnostics('file:///ws/fmt.delegation.xml', version), []);

  const ddfText = fs.readFileSync(path.join(ROOT, 'ddf', 'oma-dm-dacmo-1.0.ddf'), 'utf8');
  const squeezed = ddfText.replace(/>\s+</g, '><');
  const ddf = await format('file:///ws/dacmo.ddf', squeezed, 'dm-ddf');
  assert.ok(ddf.split('\n').length > 10);
  assert.deepEqual(xmlValue(ddf), xmlValue(ddfText));
});

test('XML that is not well-formed is not formatted', async () => {
  const text = '<delegation_req><serverId>A</deviceId></delegation_req>';
  assert.equal(await format('file:///ws/broken.delegation.xml', text, 'dm-delegation'), text);
});

test('a DM Notification in hex: bytes spaced in pairs, comments kept and aligned, the same bytes', async () => {
  const text = '# built by hand\n2280 # header\n10:07:44:4d:53:5f:49:44:31     # SERVER-ID\n0x10 0x02 0x01 0x00 # PREFERRED-CON-TYPE\n10 02 12 67\n20 04 65 53 f1 00   \n10 00 # REQ-MOS\n';
  const out = await format('file:///ws/fmt.pkg0.hex', text, 'dm-notification');
  assert.equal(out, '# built by hand\n22 80                      # header\n10 07 44 4d 53 5f 49 44 31 # SERVER-ID\n10 02 01 00                # PREFERRED-CON-TYPE\n10 02 12 67\n20 04 65 53 f1 00\n10 00                      # REQ-MOS\n');
  assert.deepEqual(parseInput(out).bytes, parseInput(text).bytes);
  assert.equal(await format('file:///ws/fmt2.pkg0.hex', out, 'dm-notification'), out);
});

test('an odd hex digit is kept where it is, never dropped', async () => {
  const text = '22 80 1 # odd\n';
  const out = await format('file:///ws/odd.pkg0.hex', text, 'dm-notification');
  assert.deepEqual(parseInput(out).bytes, parseInput(text).bytes);
  assert.ok(out.includes(' 1 '), out);
});
