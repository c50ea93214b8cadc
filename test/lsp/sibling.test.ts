// A Package#3 answers the Package#2 beside it: one status per command, in order (DM 2.0 5.2.4,
// 7.2.1.3). A Package#2 typed in has the Package#3 beside it judged again, pushed to an editor
// without pulled diagnostics; a client that pulls is asked to pull again only when there is such
// a Package#3 to judge, not at every keystroke in any Package#2.
import { test, before, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DocumentDiagnosticRequest, type ClientCapabilities } from 'vscode-languageserver-protocol';
import { type LspClient, serverInWorkspace } from './client.ts';

const GET = '["GET", "urn:oma:mo:oma-dm-devinfo:1.2//DevID"]';
const pkg2 = (commands: number): string => `{"CMD": [\n ${Array(commands).fill(GET).join(',\n ')}\n]}\n`;
const PKG3 = '{"Status": [{"sc": 200}, {"sc": 200}]}\n';

const workspace = (): Record<string, string> => ({ 'session.pkg2.json': pkg2(2), 'session.pkg3.json': PKG3, 'alone.pkg2.json': pkg2(2) });

describe('pushed diagnostics', () => {
  let client: LspClient;
  let ws: string;
  const server = serverInWorkspace('sibling', workspace);
  before(() => ({ client, ws } = server()));

  test('a command added to the Package#2 makes the Package#3 on disk one status short, and taken out again mends it', async () => {
    const p2 = 'file://' + path.join(ws, 'session.pkg2.json');
    const p3 = 'file://' + path.join(ws, 'session.pkg3.json');
    await client.open(p2, pkg2(2), 'dm-json');
    assert.deepEqual(await client.diagnostics(p2), []);
    await client.change(p2, pkg2(3), 2);
    const short = await client.diagnostics(p3, 0, (ds) => ds.length > 0);
    assert.deepEqual(short.map((d) => d.code), ['dm.status-count']);
    await client.change(p2, pkg2(2), 3);
    assert.deepEqual(await client.diagnostics(p3, 0, (ds) => ds.length === 0), []);
  });
});

describe('pulled diagnostics', () => {
  let client: LspClient;
  let ws: string;
  const capabilities: ClientCapabilities = { textDocument: { diagnostic: { dynamicRegistration: false } }, workspace: { diagnostics: { refreshSupport: true } } };
  const server = serverInWorkspace('sibling', workspace, { capabilities });
  before(() => ({ client, ws } = server()));

  const pull = (uri: string): Promise<unknown> => client.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });

  test('typing in a Package#2 with no Package#3 beside it asks for no pull of everything', async () => {
    const uri = 'file://' + path.join(ws, 'alone.pkg2.json');
    await client.open(uri, pkg2(2), 'dm-json');
    await pull(uri);
    const refreshes = client.refreshes;
    await client.change(uri, pkg2(3), 2);
    // The pull is answered after the change was handled: a refresh asked for then came before it.
    await pull(uri);
    assert.equal(client.refreshes, refreshes);
  });

  test('typing in a Package#2 with a Package#3 beside it asks for a pull, and the Package#3 is judged anew', async () => {
    const p2 = 'file://' + path.join(ws, 'session.pkg2.json');
    const p3 = 'file://' + path.join(ws, 'session.pkg3.json');
    await client.open(p2, pkg2(2), 'dm-json');
    await pull(p2);
    const refreshes = client.refreshes;
    await client.change(p2, pkg2(3), 2);
    await client.until('a diagnostics refresh', () => client.refreshes > refreshes);
    const report = (await pull(p3)) as { kind: string; items?: { code?: unknown }[] };
    assert.deepEqual(report.items?.map((d) => d.code), ['dm.status-count']);
  });
});
