// The workspace as a whole: diagnostics for files nobody opened (pushed, or pulled through
// workspace/diagnostic where the client can), kept up to date by file events, limited by a
// setting read through workspace/configuration, "Validate Workspace" as a typed request; find
// references from the index; a large package validated off the main thread, stale results dropped,
// cancelled requests answered as such.
import { test, before, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CancellationTokenSource,
  CompletionRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DocumentDiagnosticRequest,
  FileChangeType,
  HoverRequest,
  LSPErrorCodes,
  ReferencesRequest,
  WorkspaceDiagnosticRequest,
  type ClientCapabilities,
  type DocumentDiagnosticReport,
  type Location,
  type WorkspaceDiagnosticReport,
} from 'vscode-languageserver-protocol';
import { type LspClient, serverForTests, serverInWorkspace } from './client.ts';
import { ROOT } from '../helpers.ts';
import { SkeletonRequest, TreeStatusRequest, ValidateWorkspaceRequest } from '../../server/src/lsp/contract.ts';

const M = 'urn:oma:mo:moid:1.0';
const BROKEN_PKG2 = `{\n "CMD": [\n  ["GTE", "${M}/left/ID"],\n  ["GET", "${M}/left/ID"]\n ]\n}\n`;
const BROKEN_DELEGATION = '<delegation_confirmed>\n  <reasonCode>200</reasonCode>\n</delegation_confirmed>\n';

const workspace = (): Record<string, string> => ({
  'figure5.dmtree.json': fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'trees', 'figure5.dmtree.json'), 'utf8'),
  'session/closed.pkg2.json': BROKEN_PKG2,
  'answer.xml': BROKEN_DELEGATION,
  'pom.xml': '<project><broken></project>',
  'package.json': '{"name": "x", "CMD": ["npm", "start"]}',
  'node_modules/dep/x.pkg2.json': BROKEN_PKG2,
});
const uriOf = (ws: string, rel: string): string => 'file://' + path.join(ws, rel);

describe('pushed diagnostics (a client without pull diagnostics)', () => {
  let client: LspClient;
  let ws: string;
  const server = serverInWorkspace('ws', workspace);
  before(() => ({ client, ws } = server()));

  test('files nobody opened get their diagnostics; other files and node_modules none', async () => {
    const pkg2 = await client.diagnostics(uriOf(ws, 'session/closed.pkg2.json'), 0, (d) => d.length > 0);
    assert.ok(pkg2.some((d) => d.code === 'dm.command-unknown'));
    const del = await client.diagnostics(uriOf(ws, 'answer.xml'), 0, (d) => d.length > 0);
    assert.deepEqual(del.map((d) => d.code).sort(), ['del.missing-parameter', 'del.missing-parameter']);
    await client.until('the workspace pass', () => !!client.current(uriOf(ws, 'answer.xml')));
    for (const rel of ['pom.xml', 'package.json', 'node_modules/dep/x.pkg2.json']) assert.equal(client.current(uriOf(ws, rel)), undefined, rel);
  });

  test('find references lists ClientURIs in files that are not open, from the index', async () => {
    const treeUri = uriOf(ws, 'figure5.dmtree.json');
    const text = fs.readFileSync(path.join(ws, 'figure5.dmtree.json'), 'utf8');
    await client.open(treeUri, text, 'dm-json');
    const line = text.split('\n').findIndex((l) => l.includes('"ID": "GPS"'));
    const refs = (await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: treeUri }, position: { line, character: 6 }, context: { includeDeclaration: false } })) as Location[];
    // The GTE entry is no command, so its ClientURI addresses nothing; the GET's does.
    assert.deepEqual(refs.map((r) => [r.uri, r.range.start.line]), [[uriOf(ws, 'session/closed.pkg2.json'), 3]]);
  });

  test('closing an edited file brings back the diagnostics of what is on disk', async () => {
    const uri = uriOf(ws, 'answer.xml');
    await client.open(uri, '<delegation_confirmed>\n  <reasonCode>200</reasonCode>\n  <status>CONFIRMED</status>\n  <sessionId>S</sessionId>\n</delegation_confirmed>\n', 'xml', 5);
    await client.until('the open version', () => client.current(uri)?.version === 5);
    assert.deepEqual(client.current(uri)!.diagnostics, []);
    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    const back = await client.diagnostics(uri, 0, (d) => d.length === 2);
    assert.ok(back.every((d) => d.code === 'del.missing-parameter'));
  });

  test('file events: a changed file is validated again, a deleted one cleared, a new one reported', async () => {
    const changed = path.join(ws, 'session', 'closed.pkg2.json');
    fs.writeFileSync(changed, `{"CMD": [["GET", "${M}/left/ID"]]}`);
    const created = path.join(ws, 'session', 'new.pkg3.json');
    fs.writeFileSync(created, '{"Status": [{"sc": 999}]}');
    fs.rmSync(path.join(ws, 'answer.xml'));
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [
        { uri: 'file://' + changed, type: FileChangeType.Changed },
        { uri: 'file://' + created, type: FileChangeType.Created },
        { uri: uriOf(ws, 'answer.xml'), type: FileChangeType.Deleted },
      ],
    });
    await client.diagnostics('file://' + changed, 0, (d) => d.length === 0);
    assert.deepEqual((await client.diagnostics('file://' + created, 0, (d) => d.length > 0)).map((d) => d.code), ['dm.status-code']);
    await client.diagnostics(uriOf(ws, 'answer.xml'), 0, (d) => d.length === 0);
  });

  test('the scope setting limits the report to open files; Validate Workspace reports the whole workspace', async () => {
    const created = uriOf(ws, 'session/new.pkg3.json');
    await client.connection.sendNotification('omadm/settings', { workspaceDiagnostics: 'openFiles' });
    await client.diagnostics(created, 0, (d) => d.length === 0);
    const r = await client.connection.sendRequest(ValidateWorkspaceRequest, {});
    assert.equal(r.failing.includes(path.join('session', 'new.pkg3.json')), true, JSON.stringify(r));
    assert.ok(r.files >= 3 && r.errors >= 1, JSON.stringify(r));
    await client.diagnostics(created, 0, (d) => d.length > 0);
  });

  test('typed custom requests: the tree status and a skeleton', async () => {
    const status = await client.connection.sendRequest(TreeStatusRequest);
    assert.deepEqual(status.files, [path.join(ws, 'figure5.dmtree.json')]);
    const xml = await client.connection.sendRequest(SkeletonRequest, { root: 'delegation_revoked', section: '5.3.5.1' });
    assert.match(xml ?? '', /<deviceId>/);
  });
});

describe('pulled diagnostics (a client with textDocument/diagnostic and workspace/diagnostic)', () => {
  let client: LspClient;
  let ws: string;
  const capabilities: ClientCapabilities = {
    textDocument: { diagnostic: { dynamicRegistration: false }, formatting: { dynamicRegistration: true }, rangeFormatting: { dynamicRegistration: true } },
    workspace: { configuration: true, diagnostics: { refreshSupport: true }, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true } },
  };
  const server = serverInWorkspace('ws', workspace, { capabilities });
  before(() => ({ client, ws } = server()));

  test('the server registers formatting for its languages, file watching and its settings section', async () => {
    await client.until('registrations', () => client.registered.includes('workspace/didChangeWatchedFiles'));
    assert.ok(['textDocument/formatting', 'textDocument/rangeFormatting', 'workspace/didChangeConfiguration'].every((m) => client.registered.includes(m)), client.registered.join(', '));
  });

  test('a document pull reports, and reports "unchanged" for the same result', async () => {
    const uri = uriOf(ws, 'open.pkg2.json');
    await client.open(uri, BROKEN_PKG2, 'dm-json');
    const first = (await client.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } })) as DocumentDiagnosticReport;
    assert.equal(first.kind, 'full');
    assert.ok(first.kind === 'full' && first.items.some((d) => d.code === 'dm.command-unknown'));
    const again = (await client.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri }, previousResultId: first.resultId! })) as DocumentDiagnosticReport;
    assert.deepEqual(again, { kind: 'unchanged', resultId: first.resultId });
    assert.equal(client.published.length, 0, 'nothing is pushed to a pull client');
  });

  test('workspace/diagnostic reports the files nobody opened, then "unchanged"', async () => {
    const report = (await client.connection.sendRequest(WorkspaceDiagnosticRequest.type, { previousResultIds: [] })) as WorkspaceDiagnosticReport;
    const closed = report.items.find((i) => i.uri === uriOf(ws, 'session/closed.pkg2.json'));
    assert.ok(closed?.kind === 'full' && closed.items.some((d) => d.code === 'dm.command-unknown'));
    assert.ok(!report.items.some((i) => i.uri.endsWith('pom.xml') || i.uri.includes('node_modules')));
    const again = (await client.connection.sendRequest(WorkspaceDiagnosticRequest.type, { previousResultIds: report.items.map((i) => ({ uri: i.uri, value: i.resultId! })) })) as WorkspaceDiagnosticReport;
    assert.ok(again.items.every((i) => i.kind === 'unchanged'));
  });

  test('settings come through workspace/configuration: openFiles empties the workspace report', async () => {
    client.settings = { workspaceDiagnostics: 'openFiles' };
    const refreshes = client.refreshes;
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await client.until('a diagnostics refresh', () => client.refreshes > refreshes);
    const report = (await client.connection.sendRequest(WorkspaceDiagnosticRequest.type, { previousResultIds: [] })) as WorkspaceDiagnosticReport;
    assert.ok(report.items.every((i) => i.kind === 'full' && i.items.length === 0), JSON.stringify(report.items));
  });
});

describe('a responsive server', () => {
  let client: LspClient;
  const server = serverForTests();
  before(() => (client = server()));

  const big = (n: number): string => {
    const cmds: string[] = [];
    for (let i = 0; i < n; i++) cmds.push(`  ["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID${i}"]`);
    return `{\n "CMD": [\n${cmds.join(',\n')},\n  ["GTE", "x"]\n ]\n}\n`;
  };

  test('hover and completion on a 1 MB package answer before its validation is done; a stale version is never published', async () => {
    const uri = 'file:///ws/big.pkg2.json';
    const text = big(20_000);
    assert.ok(text.length > 1_000_000);
    const order: string[] = [];
    await client.open(uri, text, 'dm-json', 1);
    const edited = text.replace('DevID0"', 'DevID0X"');
    await client.change(uri, edited, 2);
    const hover = client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 2, character: 5 } }).then((h) => {
      order.push('hover');
      return h;
    });
    const completion = client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 2, character: 4 } }).then((c) => {
      order.push('completion');
      return c;
    });
    const diagnostics = client.diagnostics(uri, 2).then((d) => {
      order.push('diagnostics');
      return d;
    });
    assert.ok(await hover);
    assert.ok(await completion);
    const ds = await diagnostics;
    assert.ok(ds.some((d) => d.code === 'dm.command-unknown'));
    assert.deepEqual(order.slice(0, 2).sort(), ['completion', 'hover'], order.join(' < '));
    assert.ok(!client.published.some((p) => p.uri === uri && p.version === 1), 'version 1 was superseded before its result came');
  });

  test('a cancelled request is answered as cancelled', async () => {
    const uri = 'file:///ws/cancel.pkg2.json';
    await client.open(uri, BROKEN_PKG2, 'dm-json');
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 2, character: 5 } }, source.token);
    source.cancel();
    await assert.rejects(pending, (e: { code?: number }) => e.code === LSPErrorCodes.RequestCancelled);
  });

  test('a large XML file that is not a DM file gets nothing, and costs only a sniff', async () => {
    const uri = 'file:///ws/huge.xml';
    const text = '<?xml version="1.0"?>\n<project>' + '<dependency><groupId>x</groupId></dependency>\n'.repeat(40_000) + '</project>';
    await client.open(uri, text, 'xml');
    assert.deepEqual(await client.diagnostics(uri), []);
    const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 3 } });
    assert.equal(h, null);
  });
});

describe('editing a sample tree', () => {
  let client: LspClient;
  let ws: string;
  const server = serverInWorkspace('tree-edit', () => ({ 'figure5.dmtree.json': fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'trees', 'figure5.dmtree.json'), 'utf8') }));
  before(() => ({ client, ws } = server()));

  test('revalidates only the documents whose ClientURIs now resolve differently', async () => {
    const left = uriOf(ws, 'left.pkg2.json');
    const right = uriOf(ws, 'right.pkg2.json');
    await client.open(left, `{"CMD": [["GET", "${M}/left/Setting"]]}`, 'dm-json');
    await client.open(right, `{"CMD": [["GET", "${M}/right/Setting"]]}`, 'dm-json');
    assert.deepEqual(await client.diagnostics(left), []);
    assert.deepEqual(await client.diagnostics(right), []);
    const treeUri = uriOf(ws, 'figure5.dmtree.json');
    const text = fs.readFileSync(path.join(ws, 'figure5.dmtree.json'), 'utf8');
    await client.open(treeUri, text, 'dm-json');
    await client.diagnostics(treeUri);
    const rightBefore = client.published.filter((p) => p.uri === right).length;
    // A keystroke in the tree: left's Setting is renamed.
    await client.change(treeUri, text.replace('"Setting": "0xA1"', '"Settings": "0xA1"'), 2);
    const ds = await client.diagnostics(left, 1, (d) => d.some((x) => x.code === 'tree.unresolved'));
    assert.match(ds[0]!.message, /Setting/);
    const status = await client.connection.sendRequest(TreeStatusRequest);
    assert.equal(status.instances, 2);
    assert.equal(client.published.filter((p) => p.uri === right).length, rightBefore, 'right.pkg2.json resolves as before: not validated again');
  });
});
