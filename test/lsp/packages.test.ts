import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HoverRequest, CompletionRequest, CodeActionRequest, DocumentSymbolRequest, type CompletionItem, type CodeAction, type DocumentSymbol, type MarkupContent, type TextEdit } from 'vscode-languageserver-protocol';
import { serverForTests } from './client.ts';
import { ROOT } from '../helpers.ts';

const server = serverForTests();

const DIR = path.join(ROOT, 'test', 'fixtures', 'dm20');
const fixture = (rel: string): string => fs.readFileSync(path.join(DIR, rel), 'utf8');
const hoverText = async (uri: string, line: number, character: number): Promise<string> => {
  const h = await server().connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
  return h ? (h.contents as MarkupContent).value : '';
};

test('a Package#2 gets ranged diagnostics for its commands and ClientURIs', async () => {
  const uri = 'file:///ws/commands.pkg2.json';
  await server().open(uri, fixture('broken/commands.pkg2.json'), 'dm-json');
  const ds = await server().diagnostics(uri);
  const first = ds.find((d) => d.code === 'dm.command-unknown')!;
  assert.deepEqual(first.range, { start: { line: 2, character: 3 }, end: { line: 2, character: 8 } });
  assert.match(first.message, /DM 2\.0 5\.3/);
  assert.ok(ds.some((d) => d.code === 'dm.command-params' && d.range.start.line === 5));
});

test('hover: commands, ClientURI parts, status codes and MOIDs', async () => {
  const uri = 'file:///ws/retrieve.pkg2.json';
  await server().open(uri, fixture('valid/retrieve.pkg2.json'), 'dm-json');
  await server().diagnostics(uri);
  assert.match(await hoverText(uri, 2, 5), /\*\*HPOST\*\*[^]*Parameters: ServerURI, ClientURI\+[^]*DM 2\.0 5\.3\.3/);
  assert.match(await hoverText(uri, 2, 55), /\*\*\[DevID\]\*\*/);
  const line5 = fixture('valid/retrieve.pkg2.json').split('\n')[5]!;
  assert.match(await hoverText(uri, 5, line5.indexOf('(p)') + 1), /x-name \(p\).*nv=\(p\)\/ID:pkg1_id/);
  assert.match(await hoverText(uri, 5, line5.indexOf('oma-scomo') + 1), /Software Component Management Object/);

  const p3 = 'file:///ws/retrieve.pkg3.json';
  await server().open(p3, fixture('valid/retrieve.pkg3.json'), 'dm-json');
  await server().diagnostics(p3);
  assert.match(await hoverText(p3, 5, 10), /\*\*405 Command Not Allowed\*\*[^]*Applies to: EXEC, DELETE/);
});

test('completion: command snippets, command names, query fields, status codes, alert types', async () => {
  const uri = 'file:///ws/new.pkg2.json';
  const text = '{\n "CMD": [\n  \n  ["", "urn:oma:mo:oma-dm-devinfo:1.0//?"]\n ]\n}';
  await server().open(uri, text, 'dm-json');
  await server().diagnostics(uri);
  const entries = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 2, character: 2 } })) as CompletionItem[];
  assert.equal(entries.length, 12);
  const hput = entries.find((e) => e.label === 'HPUT')!;
  // The entry after the cursor needs the comma that keeps the array JSON.
  assert.equal((hput.textEdit as TextEdit).newText, '["HPUT", "${1:https://dr.example.com/[DevID]}", "${2:urn:oma:mo:oma-dm-devinfo:1.0//}"],');
  const names = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 3, character: 4 } })) as CompletionItem[];
  assert.ok(names.some((n) => n.label === 'GET' && (n.textEdit as TextEdit).newText === '"GET"'));
  const query = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 3, character: 40 } })) as CompletionItem[];
  assert.deepEqual(query.map((q) => q.label), ['nv', 'lv', 'cv']);

  const p3 = 'file:///ws/new.pkg3.json';
  await server().open(p3, '{"Status": [{"sc": }], "Alert": [{"AlertType": ""}]}', 'dm-json');
  await server().diagnostics(p3);
  const codes = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri: p3 }, position: { line: 0, character: 19 } })) as CompletionItem[];
  assert.ok(codes.some((c) => c.label === '202' && c.detail === 'Accepted'));
  const types = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri: p3 }, position: { line: 0, character: 48 } })) as CompletionItem[];
  assert.deepEqual(types.map((t) => t.label), ['urn:oma:at:dm:2.0:ServerInitiatedMgmt', 'urn:oma:at:dm:2.0:ClientInitiatedMgmt', 'urn:oma:at:dm:2.0:BootstrapComplete']);
});

test('quick fix: the example Status form becomes the schema form', async () => {
  const uri = 'file:///ws/form.pkg3.json';
  const text = fixture('broken/status-form.pkg3.json');
  await server().open(uri, text, 'dm-json');
  const [d] = await server().diagnostics(uri);
  assert.equal(d!.code, 'dm.status-form');
  const actions = (await server().connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d!.range, context: { diagnostics: [d!] } })) as CodeAction[];
  assert.equal(actions[0]!.title, 'Convert to the schema form {"sc": ...}');
  const edit = actions[0]!.edit!.changes![uri]![0]!;
  assert.equal(edit.newText, '[\n  {"sc": 200, "URI": ["urn:oma:mo:oma-dcmo:1.0/usb/"]},\n  {"sc": 404}\n ]');
});

test('a Package#3 is checked against the Package#2 beside it on disk', async () => {
  const file = path.join(DIR, 'broken', 'count.pkg3.json');
  const uri = 'file://' + file;
  await server().open(uri, fs.readFileSync(file, 'utf8'), 'dm-json');
  const ds = await server().diagnostics(uri);
  assert.deepEqual(ds.map((d) => d.code), ['dm.status-count', 'dm.status-command']);
});

test('the outline of a Package#2 lists its commands in order; plain JSON of another shape is left alone', async () => {
  const uri = 'file:///ws/retrieve2.pkg2.json';
  await server().open(uri, fixture('valid/retrieve.pkg2.json'), 'dm-json');
  const s = (await server().connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
  assert.equal(s[0]!.name, 'Package#2: DM commands');
  assert.deepEqual(s[0]!.children![0]!.children!.map((c) => c.name), ['1. HPOST', '2. HGET', '3. GET', '4. DELETE', '5. SHOW', '6. SUB', '7. UNSUB', '8. DEFAULT', '9. CONT']);
  const other = 'file:///ws/package.json';
  await server().open(other, '{"name": "x", "CMD": 3,', 'json');
  assert.deepEqual(await server().diagnostics(other), []);
});
