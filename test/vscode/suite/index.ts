/**
 * Extension-host suite: runs inside a real VS Code (code-server here, or the desktop build through
 * @vscode/test-electron) by the `extensionTestsPath` contract: `run()` resolves when all pass.
 * The workspace is test/vscode/workspace (or a copy of it).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import Mocha from 'mocha';
import type { EmulatorApi } from '../../../client/src/emulator/index';
import type { SessionNode } from '../../../client/src/emulator/sessionsView';
import { registerDelegationFlowTests } from './delegationFlow';
import { registerDebuggerTests } from './debugger';
import { registerTraceDiagramTests } from './traceDiagram';
import { registerScenarioTests } from './scenarios';
import { tcpListening, udpFree, until } from './wait';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs test/vscode/workspace open as the workspace folder');
  return vscode.Uri.file(path.join(folder.uri.fsPath, name));
}

async function diagnosticsOf(uri: vscode.Uri, atLeast = 1): Promise<vscode.Diagnostic[]> {
  return until(`${atLeast} diagnostics on ${path.basename(uri.fsPath)}`, () => {
    const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'omadm');
    return d.length >= atLeast ? d : undefined;
  });
}

/** The hovers at a position, once the language server has some (it may still be starting). */
function hoversAt(uri: vscode.Uri, position: vscode.Position): Promise<vscode.Hover[]> {
  return until('a hover', async () => {
    const h = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
    return h.length ? h : undefined;
  });
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

function register(): void {
  suite('OMA DM Workbench in VS Code', () => {
    test('a broken delegation message gets a ranged diagnostic with its spec reference', async () => {
      const uri = workspaceFile('prepared.delegation.xml');
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      assert.equal(doc.languageId, 'dm-delegation');
      const [d] = await diagnosticsOf(uri);
      assert.equal(d!.code, 'del.boolean');
      assert.equal(d!.severity, vscode.DiagnosticSeverity.Error);
      assert.deepEqual([d!.range.start.line, d!.range.start.character, d!.range.end.line, d!.range.end.character], [4, 20, 4, 24]);
      assert.match(d!.message, /Table 4/);
    });

    test('hover explains the element with its table row', async () => {
      const uri = workspaceFile('prepared.delegation.xml');
      await diagnosticsOf(uri);
      const hovers = await hoversAt(uri, new vscode.Position(4, 5));
      const text = hoverText(hovers);
      assert.match(text, /isDelegationFull/);
      assert.match(text, /True if delegation confirmed is full/);
      assert.match(text, /Delegation 5\.3\.1\.4, Table 4/);
    });

    test('the quick fix corrects the boolean and the diagnostic goes away', async () => {
      const uri = workspaceFile('prepared.delegation.xml');
      const doc = await vscode.workspace.openTextDocument(uri);
      const [d] = await diagnosticsOf(uri);
      const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d!.range)) ?? [];
      const fix = actions.find((a) => a.title === 'Change to true');
      assert.ok(fix?.edit, `expected a 'Change to true' quick fix, got ${actions.map((a) => a.title).join(', ')}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.match(doc.getText(), /<isDelegationFull>true<\/isDelegationFull>/);
      await until('the diagnostics to clear', () => (vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'omadm').length === 0 ? true : undefined));
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    test('completion offers every message on an empty delegation file', async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'dm-delegation', content: '' });
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(0, 0));
      const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      for (const root of ['delegation_req', 'delegation_resp', 'delegation_revocation_req', 'revocation_failure']) assert.ok(labels.includes(root), `${root} in ${labels.join(', ')}`);
      assert.ok(labels.some((l) => l.startsWith('bootstrap_confirmed (')), 'both bootstrap_confirmed variants');
    });

    test('the outline lists the message and its parameters', async () => {
      const uri = workspaceFile('request.xml');
      const symbols = await until('symbols', async () => {
        const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
        return s?.length ? s : undefined;
      });
      assert.equal(symbols[0]!.name, 'delegation_req');
      assert.deepEqual(symbols[0]!.children.map((c) => c.name), ['serverId', 'deviceId', 'deviceMan', 'deviceMod', 'DMTreeURI', 'isDelegationFull', 'sessionId']);
    });

    test('HTTP exchange fixtures are recognised; a plain XML file with another root is left alone', async () => {
      const unrelated = workspaceFile('unrelated.xml');
      await vscode.workspace.openTextDocument(unrelated);
      const uri = workspaceFile('appendix-c.dmhttp');
      const doc = await vscode.workspace.openTextDocument(uri);
      assert.equal(doc.languageId, 'dm-http');
      const diags = await diagnosticsOf(uri, 2);
      assert.deepEqual(diags.map((d) => [d.code, d.range.start.line, d.severity]), [
        ['http.accept', 3, vscode.DiagnosticSeverity.Warning],
        ['http.accept', 38, vscode.DiagnosticSeverity.Warning],
      ]);
      // The server handles documents in order: unrelated.xml was analysed before appendix-c.dmhttp.
      assert.deepEqual(vscode.languages.getDiagnostics(unrelated), []);
    });

    test('"New Delegation Message" opens a complete skeleton that validates clean', async () => {
      const doc = await vscode.commands.executeCommand<vscode.TextDocument>('omadm.newDelegationMessage', 'bootstrap_confirmed', '5.3.2.5');
      assert.equal(doc.languageId, 'dm-delegation');
      assert.match(doc.getText(), /<status>BOOTSTRAP_CONFIRMED<\/status>/);
      // A clean document publishes an empty list: check that a broken copy is flagged instead.
      const broken = await vscode.workspace.openTextDocument({ language: 'dm-delegation', content: doc.getText().replace('<sessionId>', '<sessionID>').replace('</sessionId>', '</sessionID>') });
      const diags = await diagnosticsOf(broken.uri, 2);
      assert.deepEqual(diags.map((d) => d.code).sort(), ['del.missing-parameter', 'del.unknown-element']);
      assert.deepEqual(vscode.languages.getDiagnostics(doc.uri), []);
    });

    test('DM 2.0 packages: diagnostic, hover, completion and quick fix', async () => {
      const uri = workspaceFile('commands.pkg2.json');
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      assert.equal(doc.languageId, 'dm-json');
      const [d] = await diagnosticsOf(uri);
      assert.equal(d!.code, 'dm.command-unknown');
      assert.deepEqual([d!.range.start.line, d!.range.start.character, d!.range.end.character], [2, 3, 8]);
      const hovers = await hoversAt(uri, new vscode.Position(3, 5));
      assert.match(hoverText(hovers), /HPUT[^]*ServerURI, ClientURI\+[^]*DM 2\.0 5\.3\.2/);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(2, 5));
      assert.ok(list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'GET'));
      const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d!.range)) ?? [];
      const fix = actions.find((a) => a.title === 'Change to GET');
      assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.match(doc.getText(), /\["GET", "urn:oma:mo:oma-dm-devinfo:1\.0\/\/DevID"\]/);
      await until('the diagnostics to clear', () => (vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'omadm').length === 0 ? true : undefined));
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    test('completion inside a JSON string: VS Code keeps the items (each edit covers the string, its filter text starts with the quote)', async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'dm-json', content: '{\n "CMD": [\n  ["G"]\n ]\n}\n' });
      await vscode.window.showTextDocument(doc);
      // Inside "G|": VS Code filters by the text from the edit's start to the cursor, here '"G'.
      const at = new vscode.Position(2, 5);
      const list = await until('completion items', async () => {
        const l = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, at);
        return l.items.length ? l : undefined;
      });
      const get = list.items.find((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'GET');
      assert.ok(get, list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label)).join(', '));
      const range = get.range instanceof vscode.Range ? get.range : get.range!.replacing;
      const typed = doc.getText(new vscode.Range(range.start, at));
      assert.equal(typed, '"G');
      assert.ok((get.filterText ?? '').startsWith(typed), `filterText ${get.filterText}`);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    test('"Validate Workspace" reports every DM file of the workspace, open or not', async () => {
      const r = await vscode.commands.executeCommand<{ files: number; errors: number; failing: string[] }>('omadm.validateWorkspace');
      assert.ok(r.files >= 8, `${r.files} files`);
      assert.ok(r.errors >= 1);
      assert.ok(r.failing.some((f) => f.endsWith('broken.pkg0.hex')), r.failing.join(', '));
      const uri = workspaceFile('broken.pkg0.hex');
      assert.ok(vscode.languages.getDiagnostics(uri).some((d) => d.source === 'omadm'), 'a closed file has its problems');
    });

    test('DM Notifications: diagnostic on the hex digits, hover on a byte, the decode command', async () => {
      const uri = workspaceFile('broken.pkg0.hex');
      const doc = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(doc);
      assert.equal(doc.languageId, 'dm-notification');
      const ds = await diagnosticsOf(uri, 4);
      const order = ds.find((d) => d.code === 'pkg0.con-type-order')!;
      assert.deepEqual([order.range.start.line, order.range.start.character, order.range.end.character], [2, 6, 8]);
      const hovers = await hoversAt(uri, new vscode.Position(2, 7));
      assert.match(hoverText(hovers), /PREFERRED-CON-TYPE[^]*bytes 4-5/);
      editor.selection = new vscode.Selection(new vscode.Position(1, 0), new vscode.Position(4, 2));
      const markdown = await vscode.commands.executeCommand<string>('omadm.decodeNotification');
      assert.match(markdown, /# DM Notification \(Package#0\)/);
      assert.match(markdown, /pkg0\.option-count/);
      // The preview is a read-only virtual document: nothing left to save when the window closes.
      const preview = await until('the decode document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'omadm-decode'));
      assert.equal(preview.getText(), markdown);
      assert.ok(!vscode.workspace.textDocuments.some((d) => d.isUntitled && d.languageId === 'markdown'), 'no untitled Markdown document to save or discard');
    });

    test('"New DM Notification" opens a new notification document and leaves the active JSON package alone', async () => {
      const pkg = await vscode.workspace.openTextDocument({ language: 'dm-json', content: '{"CMD": [["END"]]}\n' });
      await vscode.window.showTextDocument(pkg);
      const hex = await vscode.commands.executeCommand<string>('omadm.newNotification', { serverId: 'DMS_ID1', notificationId: 7, conTypes: ['ANY_AVAILABLE', 'WLAN'], reqMos: true });
      assert.equal(pkg.getText(), '{"CMD": [["END"]]}\n');
      const active = vscode.window.activeTextEditor!.document;
      assert.equal(active.languageId, 'dm-notification');
      assert.equal(active.getText().trim(), hex);
      // ANY_AVAILABLE goes last (DM 2.0 5.2.1.2): the notification decodes clean.
      await until('no diagnostics on the new notification', async () => (vscode.languages.getDiagnostics(active.uri).length === 0 ? true : undefined));
    });

    test('sample trees: a ClientURI hover lists its nodes, go to definition opens the tree, unresolvable ones warn', async () => {
      const uri = workspaceFile('resolve.pkg2.json');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const [d] = await diagnosticsOf(uri);
      assert.equal(d!.code, 'tree.unresolved');
      assert.equal(d!.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(d!.range.start.line, 3);
      const hovers = await hoversAt(uri, new vscode.Position(2, 20));
      assert.match(hoverText(hovers), /2 nodes[^]*left\/Data\/1\/Value[^]*left\/Data\/2\/Value/);
      const defs = (await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', uri, new vscode.Position(2, 20))) ?? [];
      const targets = defs.map((x) => ('targetUri' in x ? x.targetUri : x.uri).fsPath);
      assert.equal(targets.length, 2);
      assert.ok(targets.every((t) => t.endsWith('device.dmtree.json')), targets.join(', '));
    });

    test('emulated parts: a DM Session run from the commands is listed in DM Sessions, its documents validate, Stop closes the ports', async () => {
      const ext = vscode.extensions.getExtension<{ emulator: EmulatorApi }>('omadm-workbench.omadm-workbench');
      assert.ok(ext, 'the extension is installed');
      const { sessions, deviceTree } = (await ext.activate()).emulator;
      const server = await vscode.commands.executeCommand<{ url: string; port: number; serverId: string } | undefined>('omadm.startServer', 'DMS_ID1');
      assert.ok(server, 'the DM Server started');
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const trees = [workspaceFile('device.dmtree.json').fsPath, workspaceFile('emulator/dmacc.dmtree.json').fsPath];
      const device = await vscode.commands.executeCommand<{ devId: string; udpPort: number } | undefined>('omadm.startDevice', trees);
      assert.ok(device, 'the device started');
      assert.equal(device.devId, 'IMEI:493005100592800');
      const item = (n: SessionNode): vscode.TreeItem => sessions.getTreeItem(n);
      const roots = sessions.getChildren();
      assert.deepEqual(roots.map((n) => [String(item(n).label), item(n).description]), [['DM Server DMS_ID1', server.url], ['IMEI:493005100592800', `udp://127.0.0.1:${device.udpPort}`]]);

      const sent = await vscode.commands.executeCommand<{ devId: string; notificationId: number } | undefined>('omadm.sendPackage2', workspaceFile('emulator/get-and-delete.pkg2.json'));
      assert.equal(sent?.devId, 'IMEI:493005100592800');
      const session = await until('a completed DM Session in the DM Sessions view', () => {
        const deviceNode = sessions.getChildren().find((n) => n.type === 'device');
        const done = deviceNode && sessions.getChildren(deviceNode).find((n) => n.type === 'session' && String(item(n).description).startsWith('completed'));
        return done;
      });
      const exchanged = sessions.getChildren(session);
      const labels = exchanged.map((n) => String(item(n).label));
      // Package#1, the Package#2 with the two commands, the Package#3 with their statuses, the Package#2 with END (5.2).
      assert.deepEqual(labels, ['Package#1 POST http://dm.example/dm 200', 'Package#2 200', 'Package#3 POST http://dm.example/dm 200', 'Package#2 200']);
      assert.ok(exchanged.every((n) => !(item(n).iconPath instanceof vscode.ThemeIcon && (item(n).iconPath as vscode.ThemeIcon).id === 'error')), 'no exchange failed');
      assert.deepEqual(sessions.getChildren(exchanged[1]).map((n) => String(item(n).label)), ['GET: 200 1 node', 'DELETE: 200 deleted urn:oma:mo:moid:1.0/right/Data/2']);

      // What was really sent, as documents the language server checks.
      const pkg2 = item(exchanged[1]!).command!.arguments![0] as vscode.Uri;
      assert.equal(pkg2.scheme, 'omadm-trace');
      const doc = await vscode.workspace.openTextDocument(pkg2);
      await vscode.window.showTextDocument(doc);
      assert.equal(doc.languageId, 'dm-json');
      assert.match(doc.getText(), /"DELETE",\s*"urn:oma:mo:moid:1\.0\/right\/Data\/2"/);
      const symbols = (uri: vscode.Uri) => until(`the outline of ${uri.path}`, async () => {
        const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
        return s?.length ? s : undefined;
      });
      await symbols(pkg2);
      assert.deepEqual(vscode.languages.getDiagnostics(pkg2).filter((d) => d.severity === vscode.DiagnosticSeverity.Error), []);
      const editor = await vscode.commands.executeCommand<vscode.TextEditor>('omadm.openTraceAsHttp', exchanged[2]);
      const exchange = editor.document;
      assert.equal(exchange.languageId, 'dm-http');
      assert.match(exchange.getText(), /^POST \/dm HTTP\/1\.1\nHost: dm\.example\n[^]*OMADM-DevID: IMEI:493005100592800\n[^]*Content-Disposition: form-data; name="0"[^]*\nHTTP\/1\.1 200 OK\n/);
      await symbols(exchange.uri);
      assert.deepEqual(vscode.languages.getDiagnostics(exchange.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error), []);

      // The Device Tree shows the live tree, the deleted node marked.
      const tree = deviceTree.getChildren();
      assert.equal(tree.length, 1);
      const mo = deviceTree.getChildren(tree[0]).find((n) => n.type === 'mo' && n.moid === 'urn:oma:mo:moid:1.0')!;
      const right = deviceTree.getChildren(mo).find((n) => n.type === 'node' && n.miid === 'right')!;
      const data = deviceTree.getChildren(right).find((n) => n.type === 'node' && n.path.join('/') === 'Data')!;
      assert.deepEqual(deviceTree.getChildren(data).map((n) => [n.type, String(deviceTree.getTreeItem(n).label), deviceTree.getTreeItem(n).description]), [['node', '1', ''], ['deleted', '2', 'deleted']]);

      assert.equal(await vscode.commands.executeCommand('omadm.stopDevice', 'IMEI:493005100592800'), true);
      assert.equal(await vscode.commands.executeCommand('omadm.stopServer'), true);
      assert.equal(await tcpListening(server.port), false, 'a connection to the DM Server is refused');
      assert.equal(await udpFree(device.udpPort), true, "the device's UDP port is free");
      assert.deepEqual(sessions.getChildren(), []);
    });

    registerDelegationFlowTests();
    registerDebuggerTests();
    registerScenarioTests();
    registerTraceDiagramTests();
  });
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, 'omadm-extension-tests', mocha);
  register();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
