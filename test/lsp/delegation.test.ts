import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  HoverRequest,
  CompletionRequest,
  CodeActionRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  type CompletionItem,
  type CodeAction,
  type DocumentSymbol,
  type MarkupContent,
  type TextEdit,
} from 'vscode-languageserver-protocol';
import { serverForTests } from './client.ts';
import { FIXTURES } from '../helpers.ts';
import { SkeletonRequest } from '../../server/src/lsp/contract.ts';

const server = serverForTests();

const fixture = (rel: string): string => fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
const uriOf = (name: string): string => `file:///ws/${name}`;

function applyLsp(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const off = (l: number, c: number): number => lines.slice(0, l).reduce((n, s) => n + s.length + 1, 0) + c;
  const sorted = edits.map((e) => ({ s: off(e.range.start.line, e.range.start.character), e: off(e.range.end.line, e.range.end.character), t: e.newText })).sort((a, b) => b.s - a.s);
  for (const e of sorted) text = text.slice(0, e.s) + e.t + text.slice(e.e);
  return text;
}

test('publishDiagnostics carries exact ranges, codes, severities and the spec reference', async () => {
  const uri = uriOf('boolean.xml');
  await server().open(uri, fixture('broken/boolean.xml'));
  const ds = await server().diagnostics(uri);
  assert.deepEqual(ds.map((d) => [d.code, d.severity, d.source, d.range]), [
    ['del.boolean', 1, 'omadm', { start: { line: 3, character: 20 }, end: { line: 3, character: 24 } }],
  ]);
  assert.match(ds[0]!.message, /Delegation 5\.3\.1\.4, Table 4/);
});

test('not well-formed XML is reported at the real fault', async () => {
  const uri = uriOf('mismatch.xml');
  await server().open(uri, fixture('broken/not-well-formed-mismatched-tag.xml'));
  const ds = await server().diagnostics(uri);
  assert.deepEqual(ds.map((d) => [d.code, d.range.start, d.range.end]), [['xml.syntax', { line: 3, character: 21 }, { line: 3, character: 27 }]]);
});

test('a plain XML file with another root gets no diagnostics; edits are followed by version', async () => {
  const uri = uriOf('pom.xml');
  await server().open(uri, '<project><broken></project>');
  assert.deepEqual(await server().diagnostics(uri), []);
  await server().change(uri, '<delegation_confirmed><status>X</status></delegation_confirmed>', 2);
  const ds = await server().diagnostics(uri, 2);
  assert.deepEqual(ds.map((d) => d.code).sort(), ['del.missing-parameter', 'del.missing-parameter', 'del.status-mismatch']);
});

test('hover on an element gives its table row; on a reason code its meaning', async () => {
  const uri = uriOf('failure.xml');
  const text = fixture('valid/delegation_failure.xml');
  await server().open(uri, text);
  await server().diagnostics(uri);
  const h = await server().connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 2, character: 5 } });
  assert.ok(h);
  assert.match((h.contents as MarkupContent).value, /\*\*reasonCode\*\* · int/);
  assert.match((h.contents as MarkupContent).value, /Delegation 5\.3\.1\.6, Table 6/);
  assert.deepEqual(h.range, { start: { line: 2, character: 3 }, end: { line: 2, character: 13 } });
  const v = await server().connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 2, character: 15 } });
  assert.match((v!.contents as MarkupContent).value, /400 Bad request/);
  const root = await server().connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 3 } });
  assert.match((root!.contents as MarkupContent).value, /DELEGATION_FAILURE.*Delegation Failure/);
  assert.match((root!.contents as MarkupContent).value, /HTTP POST; the HTTP response has no content/);
});

test('completion: the root skeleton on an empty file, elements where they fit, values', async () => {
  const uri = uriOf('new.delegation.xml');
  await server().open(uri, '', 'dm-delegation');
  const roots = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } })) as CompletionItem[];
  assert.equal(roots.length, 16);
  const req = roots.find((i) => i.label === 'delegation_req')!;
  assert.match((req.textEdit as TextEdit).newText, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<delegation_req>\n {2}<serverId>\$\{1:DM_Server_ABC\}<\/serverId>/);

  const partial = '<delegation_prepared>\n  <reasonCode>200</reasonCode>\n  <\n</delegation_prepared>';
  const uri2 = uriOf('partial.xml');
  await server().open(uri2, partial);
  const els = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uri2 }, position: { line: 2, character: 3 } })) as CompletionItem[];
  assert.deepEqual(els.map((i) => i.label), ['status', 'isDelegationFull', 'sessionId']);
  assert.deepEqual((els[0]!.textEdit as TextEdit).range, { start: { line: 2, character: 2 }, end: { line: 2, character: 3 } });

  const vals = '<delegation_failure>\n  <reasonCode></reasonCode>\n  <status></status>\n</delegation_failure>';
  const uri3 = uriOf('vals.xml');
  await server().open(uri3, vals);
  const codes = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uri3 }, position: { line: 1, character: 14 } })) as CompletionItem[];
  const sorted = [...codes].sort((a, b) => a.sortText!.localeCompare(b.sortText!));
  assert.deepEqual(sorted.slice(0, 2).map((c) => [c.label, c.detail]), [['400', 'Bad request'], ['403', 'Forbidden']]);
  const status = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uri3 }, position: { line: 2, character: 10 } })) as CompletionItem[];
  assert.deepEqual(status.map((c) => c.label), ['FAILURE']);
});

test('code actions: the quick fix of each diagnostic mends the message', async () => {
  for (const rel of ['broken/boolean.xml', 'broken/missing-parameter.xml', 'broken/obsolete-delegation-notif.xml', 'broken/status-mismatch.xml', 'broken/dmacc-required.xml']) {
    const uri = uriOf(`fix-${path.basename(rel)}`);
    let text = fixture(rel);
    let version = 1;
    await server().open(uri, text);
    for (let round = 0; round < 5; round++) {
      const ds = await server().diagnostics(uri, version);
      if (ds.length === 0) break;
      const actions = (await server().connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: ds[0]!.range, context: { diagnostics: [ds[0]!] } })) as CodeAction[];
      const fix = actions.find((a) => a.isPreferred) ?? actions[0];
      assert.ok(fix, `${rel}: a quick fix for ${ds[0]!.code}`);
      assert.equal(fix.kind, 'quickfix');
      text = applyLsp(text, fix.edit!.changes![uri]!);
      await server().change(uri, text, ++version);
    }
    assert.deepEqual(await server().diagnostics(uri, version), [], `${rel} mended:\n${text}`);
  }
});

test('document symbols outline the message; HTTP exchanges list their messages', async () => {
  const uri = uriOf('req.xml');
  await server().open(uri, fixture('valid/delegation_req.xml'));
  const s = (await server().connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
  assert.equal(s[0]!.name, 'delegation_req');
  assert.equal(s[0]!.detail, 'DELEGATION_REQ (Table 1)');
  assert.deepEqual(s[0]!.children!.map((c) => [c.name, c.detail]), [
    ['serverId', 'DM_Server_ABC'], ['deviceId', 'IMEI:AAAAAABBCCCCCCD'], ['deviceMan', 'VendorXYZ'], ['deviceMod', 'Mod5462'],
    ['DMTreeURI', '/SCOMO'], ['isDelegationFull', 'false'], ['sessionId', 'ABCDERFGHCHDJKD'],
  ]);
  assert.deepEqual(s[0]!.selectionRange, { start: { line: 1, character: 1 }, end: { line: 1, character: 15 } });
  const f = await server().connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
  assert.deepEqual(f!.map((r) => [r.startLine, r.endLine]), [[1, 8]]);

  const h = uriOf('appendix-c.dmhttp');
  await server().open(h, fixture('http/appendix-c.dmhttp'), 'dm-http');
  const ds = await server().diagnostics(h);
  assert.deepEqual(ds.map((d) => [d.code, d.range.start.line, d.severity]), [['http.accept', 3, 2], ['http.accept', 38, 2]]);
  const hs = (await server().connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: h } })) as DocumentSymbol[];
  assert.deepEqual(hs.map((x) => [x.name, x.children!.map((c) => c.name)]), [
    ['POST /DM_interface/DM_delegation HTTP/1.1', ['delegation_req']],
    ['HTTP/1.1 200 OK', ['delegation_resp']],
    ['POST /DM_interface/DM_delegation HTTP/1.1', ['bootstrap_confirmed']],
    ['HTTP/1.1 204 OK No Content', []],
  ]);
});

test('the skeleton command returns a message that validates clean', async () => {
  const text = (await server().connection.sendRequest(SkeletonRequest, { root: 'delegation_revoked', section: '5.3.5.1' }))!;
  assert.match(text, /<deviceId>/);
  const uri = uriOf('skeleton.xml');
  await server().open(uri, text);
  assert.deepEqual(await server().diagnostics(uri), []);
});

test('hostile input never takes the server down', async () => {
  const uri = uriOf('bomb.xml');
  const depth = 50_000;
  await server().open(uri, fixture('broken/entity-expansion.xml'));
  assert.deepEqual((await server().diagnostics(uri)).map((d) => d.code), ['xml.dtd', 'xml.entity']);
  const deep = '<delegation_req>' + '<a>'.repeat(depth) + '</a>'.repeat(depth) + '</delegation_req>';
  await server().change(uri, deep, 2);
  assert.ok((await server().diagnostics(uri, 2)).some((d) => d.code === 'del.unknown-element'));
  await server().connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
  let junk = '<delegation_req>';
  for (let i = 0; i < 200_000; i++) junk += String.fromCharCode((i * 7919) % 65536);
  await server().change(uri, junk, 3);
  assert.ok((await server().diagnostics(uri, 3)).length > 0);
  const h = await server().connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 3 } });
  assert.ok(h === null || typeof h === 'object');
  assert.deepEqual(server().stderr.join(''), '');
  assert.deepEqual(server().log.filter((l) => /failed/.test(l)), []);
});

test('inside an HTTP exchange: completion in a body, hover on headers and on body elements', async () => {
  const uri = uriOf('flow.dmhttp');
  const text = 'POST /dm/delegation HTTP/1.1\nHost: dms-1.example.com\nContent-Type: application/vnd.dm.delegation+xml\n\n<delegation_confirmed>\n  <\n</delegation_confirmed>\n';
  await server().open(uri, text, 'dm-http');
  await server().diagnostics(uri);
  const items = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 5, character: 3 } })) as CompletionItem[];
  assert.deepEqual(items.map((i) => i.label), ['reasonCode', 'status', 'sessionId']);
  const ct = await server().connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 2, character: 3 } });
  assert.match((ct!.contents as MarkupContent).value, /`application\/vnd\.dm\.delegation\+xml` \(delegation, Delegation 5\.3\)/);
  assert.match((ct!.contents as MarkupContent).value, /`application\/vnd\.oma\.dm\.request\+json` \(Package#2/);
  const root = await server().connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 3 } });
  assert.match((root!.contents as MarkupContent).value, /DELEGATION_CONFIRMED/);
});

test('inside DMAcc, completion offers the DM 1.3 DMAcc nodes', async () => {
  const uri = uriOf('dmacc.xml');
  const text = '<bootstrap_confirmed>\n  <DMAcc>\n    <AppAddr>\n      <A1>\n        \n      </A1>\n    </AppAddr>\n  </DMAcc>\n</bootstrap_confirmed>';
  await server().open(uri, text);
  await server().diagnostics(uri);
  const top = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 1, character: 9 } })) as CompletionItem[];
  assert.ok(['AppID', 'ServerID', 'AppAddr', 'AppAuth', 'Ext'].every((n) => top.some((i) => i.label === n)), top.map((i) => i.label).join(', '));
  const inner = (await server().connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 4, character: 8 } })) as CompletionItem[];
  assert.deepEqual(inner.map((i) => i.label), ['Addr', 'AddrType', 'Port']);
});
