import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HoverRequest, InlayHintRequest, DocumentSymbolRequest, SemanticTokensRequest, type DocumentSymbol, type MarkupContent } from 'vscode-languageserver-protocol';
import { ConTypesRequest, DecodeNotificationRequest, EncodeNotificationRequest } from '../../server/src/lsp/contract.ts';
import { serverForTests } from './client.ts';
import { ROOT } from '../helpers.ts';

const server = serverForTests();

const DIR = path.join(ROOT, 'test', 'fixtures', 'notification');
const fixture = (f: string): string => fs.readFileSync(path.join(DIR, f), 'utf8');

test('a notification file: diagnostics on the exact hex digits', async () => {
  const uri = 'file:///ws/broken.pkg0.hex';
  await server().open(uri, fixture('broken.pkg0.hex'), 'dm-notification');
  const ds = await server().diagnostics(uri);
  assert.deepEqual(ds.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.character]), [
    ['pkg0.option-count', 1, 0, 5],
    ['pkg0.con-type-order', 2, 6, 8],
    ['pkg0.notification-id', 3, 6, 8],
    ['pkg0.trailing', 4, 0, 2],
  ]);
});

test('hover on a byte names its field; inlay hints, outline and semantic tokens follow the layout', async () => {
  const uri = 'file:///ws/session.pkg0.hex';
  const text = fixture('session-request.pkg0.hex');
  await server().open(uri, text, 'dm-notification');
  assert.deepEqual(await server().diagnostics(uri), []);
  const h = await server().connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 10 } });
  assert.match((h!.contents as MarkupContent).value, /\*\*NOTIFICATION-ID\*\* — bytes 17-18[^]*4711[^]*16-bit unsigned/);
  assert.deepEqual(h!.range, { start: { line: 4, character: 6 }, end: { line: 4, character: 11 } });
  const header = await server().connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 0 } });
  assert.match((header!.contents as MarkupContent).value, /VER \(4 bits\) 2[^]*OC \(5 bits\) 5/);
  // Every line's own comment already names its field: no hint pushes the aligned comments aside.
  const hints = await server().connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } } });
  assert.deepEqual(hints, []);
  const s = (await server().connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
  assert.deepEqual(s[0]!.children!.map((c) => [c.name, c.detail]), [['SERVER-ID', '"DMS_ID1"'], ['PREFERRED-CON-TYPE', 'CELLULAR, ANY_AVAILABLE'], ['NOTIFICATION-ID', '4711'], ['TIMESTAMP', '2023-11-14T22:13:20Z (1700000000)'], ['REQ-MOS', 'requested']]);
  const tokens = await server().connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } });
  // First tokens: the two header bytes (type 0) on line 1, then the SERVER-ID option header (type 1), then its value (type 2).
  assert.deepEqual(tokens!.data.slice(0, 20), [1, 0, 2, 0, 0, 0, 3, 2, 0, 0, 1, 0, 2, 1, 0, 0, 3, 2, 1, 0]);
  assert.equal(tokens!.data[23], 2);
});

test('the decode command gives the field table and byte map; digests are verified with a secret', async () => {
  const md = await server().connection.sendRequest(DecodeNotificationRequest, { text: fixture('wap-push.pkg0.hex') });
  assert.match(md, /inside a connectionless \*\*WAP Push\*\*/);
  assert.match(md, /\| 17-18 \| `1267` \| NOTIFICATION-ID \| 4711 \|/);
  assert.match(md, /## Byte map/);
  const types = await server().connection.sendRequest(ConTypesRequest);
  assert.deepEqual(types.map((t) => t.name), ['ANY_AVAILABLE', 'CELLULAR', 'WLAN', 'WIRELINE']);
  const ordered = await server().connection.sendRequest(EncodeNotificationRequest, { serverId: 'S', conTypes: ['ANY_AVAILABLE', 'WLAN'] });
  assert.match(ordered, / 10 02 02 00$/, 'ANY_AVAILABLE is put last');
  const hex = await server().connection.sendRequest(EncodeNotificationRequest, { serverId: 'S', secret: 'k', authData: 'd' });
  assert.match(hex, /^2[0-9a-f] [0-9a-f]{2}( [0-9a-f]{2})+$/);
  const ok = await server().connection.sendRequest(DecodeNotificationRequest, { text: hex, secret: 'k', authData: 'd' });
  assert.match(ok, /SHA256-DIGEST: verified/);
  const bad = await server().connection.sendRequest(DecodeNotificationRequest, { text: hex, secret: 'other', authData: 'd' });
  assert.match(bad, /\*\*does not match\*\*/);
});

test('a hex string inside a DM fixture that decodes cleanly gets a decoding hover', async () => {
  const uri = 'file:///ws/with-hex.pkg1.json';
  const text = '{"Alert": [{"AlertType": "urn:oma:at:dm:2.0:ServerInitiatedMgmt", "DataType": "text/plain", "Data": {"NOTIFICATION-ID": 4711, "package0": "22801007444d535f494431100201001002126720046553f1001000"}}]}';
  await server().open(uri, text, 'dm-json');
  await server().diagnostics(uri);
  const h = await server().connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: text.indexOf('2280') + 3 } });
  assert.match((h!.contents as MarkupContent).value, /# DM Notification \(Package#0\)[^]*SERVER-ID: `DMS_ID1`/);
});

test('inlay hints only where the line does not already say it, each before the bytes it names', async () => {
  const uri = 'file:///ws/hints.pkg0.hex';
  const text = '22 80\n10 07 44 4d 53 5f 49 44 31\n10 02 01 00 # PREFERRED-CON-TYPE: cellular first\n10 02 12 67 # as agreed\n20 04 65 53 f1 00\n10 00\n';
  await server().open(uri, text, 'dm-notification');
  assert.deepEqual(await server().diagnostics(uri), []);
  const hints = await server().connection.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 6, character: 0 } } });
  assert.deepEqual(hints!.map((x) => [x.label, x.position.line, x.position.character, x.paddingRight]), [
    ['VER 2 · OC 5:', 0, 0, true],
    ['SERVER-ID:', 1, 0, true],
    ['NOTIFICATION-ID:', 3, 0, true],
    ['TIMESTAMP:', 4, 0, true],
    ['REQ-MOS:', 5, 0, true],
  ]);
});

test('a fault spanning two lines stops before the comment on the first', async () => {
  const uri = 'file:///ws/split.pkg0.hex';
  const text = '21 00\n10 07 ff 4d 53   # SERVER-ID, first part\n5f 49 44 31\n';
  await server().open(uri, text, 'dm-notification');
  const ds = await server().diagnostics(uri);
  const id = ds.find((d) => d.code === 'pkg0.server-id')!;
  assert.deepEqual(id.range, { start: { line: 1, character: 6 }, end: { line: 1, character: 14 } });
  const lines = text.split('\n');
  for (const d of ds) {
    for (let l = d.range.start.line; l <= d.range.end.line; l++) {
      const from = l === d.range.start.line ? d.range.start.character : 0;
      const to = l === d.range.end.line ? d.range.end.character : lines[l]!.length;
      assert.ok(!lines[l]!.slice(from, to).includes('#'), `${d.code} runs into a comment`);
    }
  }
});
