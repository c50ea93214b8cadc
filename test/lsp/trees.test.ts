import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HoverRequest, DefinitionRequest, ReferencesRequest, DocumentSymbolRequest, type DocumentSymbol, type Location, type MarkupContent } from 'vscode-languageserver-protocol';
import { type LspClient, serverInWorkspace } from './client.ts';
import { ROOT } from '../helpers.ts';

let client: LspClient;
let ws: string;
const M = 'urn:oma:mo:moid:1.0';
const PKG2 = `{\n "CMD": [\n  ["GET", "${M}/left/ID"],\n  ["GET", "${M}//ID"],\n  ["DELETE", "${M}/*/Data/*/Value"]\n ]\n}\n`;

const server = serverInWorkspace('trees', () => ({ 'figure5.dmtree.json': fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'trees', 'figure5.dmtree.json'), 'utf8'), 'session.pkg2.json': PKG2 }), { initializationOptions: { serverId: 'DMS1' } });
before(() => ({ client, ws } = server()));

const uri = (): string => 'file://' + path.join(ws, 'session.pkg2.json');

test('the server reports the tree set and the server identity (the status bar shows them)', async () => {
  const s = (await client.connection.sendRequest('omadm/treeStatus')) as { files: string[]; instances: number; serverId?: string };
  assert.deepEqual(s, { files: [path.join(ws, 'figure5.dmtree.json')], instances: 2, serverId: 'DMS1' });
});

test('a ClientURI that resolves to nothing or ambiguously gets a warning', async () => {
  await client.open(uri(), PKG2, 'dm-json');
  const ds = await client.diagnostics(uri(), 1, (d) => d.some((x) => x.code === 'tree.unresolved'));
  assert.deepEqual(ds.map((d) => [d.code, d.severity, d.range.start.line]), [['tree.unresolved', 2, 3]]);
  assert.match(ds[0]!.message, /there are 2 \(left, right\)/);
});

test('hover lists the nodes a ClientURI addresses, with values', async () => {
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uri() }, position: { line: 2, character: 12 } });
  const text = (h!.contents as MarkupContent).value;
  assert.match(text, /In figure5\.dmtree\.json, as DMS1: 1 node/);
  assert.match(text, /`urn:oma:mo:moid:1\.0\/left\/ID` = `"GPS"`/);
  const many = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uri() }, position: { line: 4, character: 30 } });
  assert.match((many!.contents as MarkupContent).value, /4 nodes/);
});

test('go to definition jumps into the tree file, several places for wildcards', async () => {
  const one = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: uri() }, position: { line: 2, character: 12 } })) as Location[];
  const treeUri = 'file://' + path.join(ws, 'figure5.dmtree.json');
  const treeText = fs.readFileSync(path.join(ws, 'figure5.dmtree.json'), 'utf8');
  const idLine = treeText.split('\n').findIndex((l) => l.includes('"ID": "GPS"'));
  assert.deepEqual(one, [{ uri: treeUri, range: { start: { line: idLine, character: 4 }, end: { line: idLine, character: 8 } } }]);
  const four = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: uri() }, position: { line: 4, character: 30 } })) as Location[];
  assert.equal(four.length, 4);
});

test('find references from a tree node lists the ClientURIs that address it', async () => {
  const treeUri = 'file://' + path.join(ws, 'figure5.dmtree.json');
  const treeText = fs.readFileSync(path.join(ws, 'figure5.dmtree.json'), 'utf8');
  await client.open(treeUri, treeText, 'dm-json');
  const lines = treeText.split('\n');
  const idLine = lines.findIndex((l) => l.includes('"ID": "GPS"'));
  const refs = (await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: treeUri }, position: { line: idLine, character: 6 }, context: { includeDeclaration: false } })) as Location[];
  assert.deepEqual(refs.map((r) => [r.uri, r.range.start.line]), [[uri(), 2]]);
});

test('a tree file: outline MOID > MIID > nodes, and hover on a node with its access rights', async () => {
  const treeUri = 'file://' + path.join(ws, 'figure5.dmtree.json');
  const treeText = fs.readFileSync(path.join(ws, 'figure5.dmtree.json'), 'utf8');
  await client.open(treeUri, treeText, 'dm-json');
  const s = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: treeUri } })) as DocumentSymbol[];
  assert.equal(s[0]!.name, 'Sample DM tree');
  assert.deepEqual(s[0]!.children!.map((m) => [m.name, m.children!.map((i) => i.name)]), [[M, ['left', 'right']]]);
  assert.deepEqual(s[0]!.children![0]!.children![0]!.children!.map((n) => n.name), ['ID', 'Setting', 'Data']);
  const line = treeText.split('\n').findIndex((l) => l.includes('"Setting": "0xA1"'));
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: treeUri }, position: { line, character: 6 } });
  const text = (h!.contents as MarkupContent).value;
  assert.match(text, /`urn:oma:mo:moid:1\.0\/left\/Setting`/);
  assert.match(text, /Leaf, string: `"0xA1"`/);
  assert.match(text, /DMS1 may: everything \(no DACMO/);
});
