// Quick fixes where one is obvious, and "fix all in file" (a source.fixAll code action).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CodeActionRequest, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver-protocol';
import { serverForTests } from './client.ts';

const server = serverForTests();

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const off = (l: number, c: number): number => lines.slice(0, l).reduce((n, s) => n + s.length + 1, 0) + c;
  const sorted = edits.map((e, i) => ({ i, s: off(e.range.start.line, e.range.start.character), e: off(e.range.end.line, e.range.end.character), t: e.newText })).sort((a, b) => b.s - a.s || b.i - a.i);
  for (const e of sorted) text = text.slice(0, e.s) + e.t + text.slice(e.e);
  return text;
}

async function actionsFor(uri: string, d: Diagnostic, only?: string[]): Promise<CodeAction[]> {
  return (await server().connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d], ...(only ? { only } : {}) } })) as CodeAction[];
}

async function fixOnce(uri: string, text: string, languageId: string, code: string, title: RegExp): Promise<string> {
  await server().open(uri, text, languageId);
  const d = (await server().diagnostics(uri)).find((x) => x.code === code);
  assert.ok(d, `${uri}: ${code}`);
  const action = (await actionsFor(uri, d)).find((a) => title.test(a.title));
  assert.ok(action, `${uri}: an action ${title} for ${code}`);
  assert.equal(action.kind, 'quickfix');
  return apply(text, action.edit!.changes![uri]!);
}

test('remove an unknown element', async () => {
  const text = '<delegation_confirmed>\n  <reasonCode>200</reasonCode>\n  <colour>blue</colour>\n  <status>SUCCESS</status>\n  <sessionId>S1</sessionId>\n</delegation_confirmed>\n';
  const out = await fixOnce('file:///ws/unknown.xml', text, 'xml', 'del.unknown-element', /^Remove <colour>$/);
  assert.equal(out, text.replace('  <colour>blue</colour>\n', ''));
});

test('"Did you mean GET?" for a misspelled command', async () => {
  const text = '{"CMD": [["GTE", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"]]}';
  const out = await fixOnce('file:///ws/typo.pkg2.json', text, 'dm-json', 'dm.command-unknown', /^Did you mean GET\?$/);
  assert.equal(JSON.parse(out).CMD[0][0], 'GET');
});

test('2OO becomes 200', async () => {
  const text = '<delegation_confirmed>\n  <reasonCode>2OO</reasonCode>\n  <status>SUCCESS</status>\n  <sessionId>S1</sessionId>\n</delegation_confirmed>\n';
  const out = await fixOnce('file:///ws/letters.xml', text, 'xml', 'del.reason-code-type', /^Change to 200$/);
  assert.ok(out.includes('<reasonCode>200</reasonCode>'));
});

test('insert the missing response body', async () => {
  const req = 'POST /dm/delegation HTTP/1.1\nHost: dms-1.example.com\nContent-Type: application/vnd.dm.delegation+xml\n\n<delegation_req>\n  <serverId>DM_Server_ABC</serverId>\n  <deviceId>IMEI:1</deviceId>\n  <deviceMan>V</deviceMan>\n  <deviceMod>M</deviceMod>\n  <DMTreeURI>/SCOMO</DMTreeURI>\n  <isDelegationFull>false</isDelegationFull>\n  <sessionId>S1</sessionId>\n</delegation_req>\n\n';
  const text = req + 'HTTP/1.1 200 OK\n\n';
  const uri = 'file:///ws/body.dmhttp';
  const out = await fixOnce(uri, text, 'dm-http', 'http.body-missing', /^Insert the DELEGATION_RESP body$/);
  assert.match(out, /HTTP\/1\.1 200 OK\nContent-Type: application\/vnd\.dm\.delegation\+xml\n\n<delegation_resp>/);
  await server().change(uri, out, 2);
  assert.ok(!(await server().diagnostics(uri, 2)).some((d) => d.code === 'http.body-missing'));
});

test('the nested Package#3 form [200, "urn..."] becomes the schema form', async () => {
  const text = '{\n "Status": [\n  [200, "urn:oma:mo:oma-dcmo:1.0/usb/"],\n  [404]\n ]\n}\n';
  const out = await fixOnce('file:///ws/nested.pkg3.json', text, 'dm-json', 'dm.schema', /schema form/);
  assert.deepEqual(JSON.parse(out), { Status: [{ sc: 200, URI: ['urn:oma:mo:oma-dcmo:1.0/usb/'] }, { sc: 404 }] });
});

test('fix all in file applies every safe fix at once', async () => {
  const uri = 'file:///ws/all.xml';
  const text = '<DELEGATION_CONFIRM>\n  <reasonCode>2OO</reasonCode>\n  <status>SUCESS</status>\n  <sessionid>S1</sessionid>\n</DELEGATION_CONFIRM>\n';
  await server().open(uri, text, 'xml');
  const ds = await server().diagnostics(uri);
  assert.ok(ds.length >= 3, JSON.stringify(ds.map((d) => d.code)));
  const actions = await actionsFor(uri, ds[0]!, ['source.fixAll']);
  assert.equal(actions.length, 1);
  assert.equal(actions[0]!.kind, 'source.fixAll');
  const out = apply(text, actions[0]!.edit!.changes![uri]!);
  await server().change(uri, out, 2);
  assert.deepEqual((await server().diagnostics(uri, 2)).map((d) => d.code), [], out);
  // Only quick fixes when those are asked for.
  assert.ok((await actionsFor(uri, ds[0]!, ['quickfix'])).every((a) => a.kind === 'quickfix'));
});
