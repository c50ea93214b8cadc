// Authoring through a real LSP client: completion inside JSON strings as VS Code filters it, the
// comma between CMD entries, completion on a blank line, ClientURIs level by level from the sample
// trees, a new empty delegation file, hover on DEFAULT's MOID and on instances without a CV.
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompletionRequest, HoverRequest, DocumentSymbolRequest, type CompletionItem, type DocumentSymbol, type MarkupContent, type Position, type TextEdit } from 'vscode-languageserver-protocol';
import { type LspClient, serverInWorkspace } from './client.ts';
import { ROOT } from '../helpers.ts';

let client: LspClient;
let ws: string;
const M = 'urn:oma:mo:moid:1.0';

const server = serverInWorkspace('editor', () => ({ 'figure5.dmtree.json': fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'trees', 'figure5.dmtree.json'), 'utf8') }));
before(() => ({ client, ws } = server()));

const uriOf = (name: string): string => 'file://' + path.join(ws, name);
const offsetOf = (text: string, p: Position): number => text.split('\n').slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
const positionOf = (text: string, offset: number): Position => {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
};
async function complete(uri: string, text: string, at: number): Promise<CompletionItem[]> {
  const r = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: positionOf(text, at) });
  return (Array.isArray(r) ? r : r?.items ?? []) as CompletionItem[];
}
async function hover(uri: string, text: string, at: number): Promise<string> {
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, at) });
  return h ? (h.contents as MarkupContent).value : '';
}
/** What VS Code does with an item: its text edit applied, snippet placeholders filled with their defaults. */
function accept(text: string, item: CompletionItem): string {
  const e = item.textEdit as TextEdit;
  const newText = e.newText.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '');
  return text.slice(0, offsetOf(text, e.range.start)) + newText + text.slice(offsetOf(text, e.range.end));
}
/** VS Code keeps an item when the text from the start of its edit to the cursor prefixes (fuzzily) its filter text. */
function keptByVsCode(text: string, item: CompletionItem, cursor: number): boolean {
  const typed = text.slice(offsetOf(text, (item.textEdit as TextEdit).range.start), cursor).toLowerCase();
  const filter = (item.filterText ?? item.label).toLowerCase();
  let k = 0;
  for (const ch of filter) if (ch === typed[k]) k++;
  return k === typed.length && filter[0] === typed[0];
}

test('completion inside a JSON string: the edit covers the whole string and the filter text starts with its quote', async () => {
  const uri = uriOf('strings.pkg3.json');
  const text = '{"Status": [{"sc": 200}], "Alert": [{"AlertType": "urn:oma:at:dm:2.0:S", "Mark": "", "SourceURI": "urn:oma:mo:oma-dm-devinfo:1.0//DevID"}]}';
  await client.open(uri, text, 'dm-json');
  await client.diagnostics(uri);
  for (const [at, expect] of [
    [text.indexOf(':S"') + 2, 'urn:oma:at:dm:2.0:ServerInitiatedMgmt'],
    [text.indexOf('"Mark": ""') + 9, 'informational'],
  ] as const) {
    const items = await complete(uri, text, at);
    assert.ok(items.length > 0);
    const string = { start: text.lastIndexOf('"', at - 1), end: text.indexOf('"', at) + 1 };
    for (const item of items) {
      const range = (item.textEdit as TextEdit).range;
      assert.deepEqual([offsetOf(text, range.start), offsetOf(text, range.end)], [string.start, string.end], item.label);
      assert.ok(item.filterText?.startsWith('"'), `${item.label}: filterText ${item.filterText}`);
    }
    assert.ok(items.some((i) => i.label === expect && keptByVsCode(text, i, at)), expect);
  }

  // A command name inside ["G|ET", ...].
  const p2 = uriOf('names.pkg2.json');
  const cmd = '{"CMD": [["GT", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"]]}';
  await client.open(p2, cmd, 'dm-json');
  await client.diagnostics(p2);
  const at = cmd.indexOf('GT') + 1;
  const names = await complete(p2, cmd, at);
  const get = names.find((n) => n.label === 'GET')!;
  assert.ok(keptByVsCode(cmd, get, at));
  assert.ok(names.every((n) => n.filterText?.startsWith('"') && offsetOf(cmd, (n.textEdit as TextEdit).range.start) === cmd.indexOf('"GT"')));
  assert.equal(JSON.parse(accept(cmd, get)).CMD[0][0], 'GET');
});

test('a command chosen between two CMD entries, or after the last, leaves valid JSON', async () => {
  const uri = uriOf('between.pkg2.json');
  const text = '{\n "CMD": [\n  ["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"],\n  \n  ["END"]\n ]\n}\n';
  await client.open(uri, text, 'dm-json');
  await client.diagnostics(uri);
  const blank = text.indexOf('\n  \n') + 3;
  const hput = (await complete(uri, text, blank)).find((i) => i.label === 'HPUT')!;
  const after = JSON.parse(accept(text, hput));
  assert.deepEqual(after.CMD.map((c: string[]) => c[0]), ['GET', 'HPUT', 'END']);

  const uri2 = uriOf('last.pkg2.json');
  const text2 = '{\n "CMD": [\n  ["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"]\n  \n ]\n}\n';
  await client.open(uri2, text2, 'dm-json');
  await client.diagnostics(uri2);
  const end = (await complete(uri2, text2, text2.indexOf('\n  \n') + 3)).find((i) => i.label === 'END')!;
  assert.deepEqual(JSON.parse(accept(text2, end)).CMD.map((c: string[]) => c[0]), ['GET', 'END']);
});

test('Ctrl+Space on a blank line of a complete message offers only what fits there, or nothing', async () => {
  const pkg2 = uriOf('complete.pkg2.json');
  const text = '{\n "CMD": [\n  ["END"]\n ]\n \n}\n';
  await client.open(pkg2, text, 'dm-json');
  await client.diagnostics(pkg2);
  assert.deepEqual(await complete(pkg2, text, text.indexOf('\n \n') + 2), []);

  const pkg3 = uriOf('complete.pkg3.json');
  const t3 = '{\n "Status": [{"sc": 200}],\n \n}\n';
  await client.open(pkg3, t3, 'dm-json');
  await client.diagnostics(pkg3);
  assert.deepEqual((await complete(pkg3, t3, t3.indexOf('\n \n') + 2)).map((i) => i.label), ['Alert']);

  const del = uriOf('complete.delegation.xml');
  const xml = '<delegation_confirmed>\n  <reasonCode>200</reasonCode>\n  <status>SUCCESS</status>\n  <sessionId>S1</sessionId>\n  \n</delegation_confirmed>\n';
  await client.open(del, xml, 'dm-delegation');
  await client.diagnostics(del);
  assert.deepEqual(await complete(del, xml, xml.indexOf('\n  \n') + 3), []);
  // After the root element nothing fits either.
  assert.deepEqual(await complete(del, xml, xml.length), []);
});

test('an empty new delegation file says nothing until there is content; completion offers the messages', async () => {
  const uri = uriOf('new.delegation.xml');
  await client.open(uri, '', 'dm-delegation');
  assert.deepEqual(await client.diagnostics(uri), []);
  const items = await complete(uri, '', 0);
  assert.equal(items.length, 16);
  assert.ok(items.some((i) => i.label === 'delegation_req'));
  await client.change(uri, '<?xml version="1.0" encoding="UTF-8"?>\n', 2);
  assert.deepEqual(await client.diagnostics(uri, 2), []);
  await client.change(uri, '<delegation_req>\n</delegation_req>\n', 3);
  assert.ok((await client.diagnostics(uri, 3)).some((d) => d.code === 'del.missing-parameter'));
});

test("hover on DEFAULT's MOID parameter describes an MOID, not a ServerURI", async () => {
  const uri = uriOf('default.pkg2.json');
  const text = '{"CMD": [["DEFAULT", "https://dr.example.com/[DevID]/devinfo", "urn:oma:mo:oma-dm-devinfo:1.0"]]}';
  await client.open(uri, text, 'dm-json');
  await client.diagnostics(uri);
  const md = await hover(uri, text, text.indexOf('oma-dm-devinfo') + 2);
  assert.match(md, /DevInfo|oma-dm-devinfo/);
  assert.match(md, /MOID/);
  assert.doesNotMatch(md, /\*\*ServerURI\*\*/);
  // The ServerURI beside it is still one.
  assert.match(await hover(uri, text, text.indexOf('dr.example') + 2), /ServerURI/);
});

test('ClientURI completion goes on after the MOID: MIIDs, node names and nv values from the sample trees', async () => {
  const uri = uriOf('walk.pkg2.json');
  const line = (value: string): string => `{"CMD": [["GET", "${value}"]]}`;
  const at = (text: string): number => text.indexOf('"]]}');
  let version = 1;
  const labels = async (value: string): Promise<string[]> => {
    const text = line(value);
    if (version === 1) await client.open(uri, text, 'dm-json');
    else await client.change(uri, text, version);
    await client.diagnostics(uri, version++);
    return (await complete(uri, text, at(text))).map((i) => i.label).sort();
  };
  assert.ok((await labels('urn:oma:mo:')).includes(`${M}/`));
  assert.deepEqual(await labels(`${M}/`), ['*', 'left', 'right']);
  assert.deepEqual(await labels(`${M}/left/`), ['Data', 'ID', 'Setting']);
  assert.deepEqual(await labels(`${M}/*/Data/`), ['1', '2']);
  assert.deepEqual(await labels(`${M}/left/Data/1/`), ['Date', 'Value']);
  assert.deepEqual(await labels(`${M}/(x)/ID?nv=(x)/`), ['Data', 'ID', 'Setting']);
  assert.deepEqual(await labels(`${M}/(x)/ID?nv=(x)/ID:`), ['GPS', 'Temperature']);
  // The edit replaces the segment being typed, inside the string.
  const text = line(`${M}/left/Se`);
  await client.change(uri, text, version);
  await client.diagnostics(uri, version++);
  const setting = (await complete(uri, text, at(text))).find((i) => i.label === 'Setting')!;
  assert.equal(JSON.parse(accept(text, setting)).CMD[0][1], `${M}/left/Setting`);
});

test('a tree instance without a CV shows none; one with a CV shows it', async () => {
  const uri = uriOf('figure5.dmtree.json');
  const text = fs.readFileSync(path.join(ws, 'figure5.dmtree.json'), 'utf8');
  await client.open(uri, text, 'dm-json');
  await client.diagnostics(uri);
  assert.match(await hover(uri, text, text.indexOf('"left": {') + 2), /cache validator `cv-left-7`/);
  const right = await hover(uri, text, text.indexOf('"right": {') + 2);
  assert.match(right, /no cache validator/);
  assert.doesNotMatch(right, /cache validator 0/);
  const s = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
  assert.deepEqual(s[0]!.children![0]!.children!.map((i) => [i.name, i.detail]), [['left', 'MIID, CV cv-left-7'], ['right', 'MIID']]);
});
