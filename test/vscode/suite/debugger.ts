/**
 * The scenario debugger in a real VS Code: a breakpoint on a step stops the run, the call stack and
 * a device's tree are read, a step over goes to the next message, a ClientURI is evaluated, and
 * stopping the session closes the emulated parts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

const DEADLINE_MS = 30_000;

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const subs = [vscode.debug.onDidChangeActiveDebugSession(() => done()), vscode.debug.onDidTerminateDebugSession(() => done())];
      const t = setTimeout(() => done(), 50);
      function done(): void {
        clearTimeout(t);
        for (const s of subs) s.dispose();
        resolve();
      }
    });
  }
}

export function registerDebuggerTests(): void {
  test('the scenario debugger stops at a breakpoint on a step, shows the device tree, steps to the next message, evaluates a ClientURI, and stops cleanly', async function () {
    this.timeout(60_000);
    const root = vscode.extensions.getExtension('omadm-workbench.omadm-workbench')!.extensionPath;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-vscode-debug-'));
    const file = path.join(dir, 'debug.dmflow.json');
    // The example workspace's device: its DM Account (DMS_ID1) and its DevInfo.
    const tree = path.join(root, 'examples', 'workspace', 'device.dmtree.json');
    fs.writeFileSync(file, [
      '{',
      ' "participants": [{ "id": "dm", "kind": "dm-server", "serverId": "DMS_ID1" },',
      `  { "id": "phone", "kind": "device", "tree": ${JSON.stringify(tree)}, "server": "dm" }],`,
      ' "steps": [',
      '  { "queue": { "server": "dm", "commands": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"]] } },',
      '  { "session": { "device": "phone" } }',
      ' ]',
      '}',
    ].join('\n'));
    const stops: { reason: string }[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('omadm', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: { type: string; event?: string; body?: { reason: string } }) => void (m.type === 'event' && m.event === 'stopped' && stops.push(m.body!)) }),
    });
    const bp = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(5, 0)));
    vscode.debug.addBreakpoints([bp]);
    try {
      assert.equal(await vscode.debug.startDebugging(undefined, { type: 'omadm', request: 'launch', name: 'suite', program: file }), true);
      const session = await until('the debug session', () => vscode.debug.activeDebugSession);
      await until('the breakpoint', () => (stops.length >= 1 ? true : undefined));
      assert.equal(stops[0]!.reason, 'breakpoint');
      const st = (await session.customRequest('stackTrace', { threadId: 1 })) as { stackFrames: { id: number; name: string; line: number }[] };
      assert.match(st.stackFrames[0]!.name, /^2\. session of phone/);
      assert.equal(st.stackFrames[0]!.line, 6);
      const scopes = (await session.customRequest('scopes', { frameId: st.stackFrames[0]!.id })) as { scopes: { name: string; variablesReference: number }[] };
      const device = scopes.scopes.find((s) => s.name.startsWith('Device phone'));
      assert.ok(device, scopes.scopes.map((s) => s.name).join(', '));
      const instances = (await session.customRequest('variables', { variablesReference: device.variablesReference })) as { variables: { name: string; variablesReference: number }[] };
      assert.ok(instances.variables.some((v) => v.name.startsWith('urn:oma:mo:oma-dm-devinfo:1.0/')));
      const server = scopes.scopes.find((s) => s.name === 'DM Server dm')!;
      const url = JSON.parse(((await session.customRequest('variables', { variablesReference: server.variablesReference })) as { variables: { name: string; value: string }[] }).variables.find((v) => v.name === 'url')!.value) as string;
      await session.customRequest('next', { threadId: 1 });
      await until('the next message', () => (stops.length >= 2 ? true : undefined));
      const st2 = (await session.customRequest('stackTrace', { threadId: 1 })) as { stackFrames: { name: string }[] };
      assert.match(st2.stackFrames[0]!.name, /^Package#1 phone -> dm/);
      const ev = (await session.customRequest('evaluate', { expression: 'urn:oma:mo:oma-dm-devinfo:1.0//DevID', context: 'watch' })) as { result: string };
      assert.equal(ev.result, '"IMEI:493005100592800"');
      // Hover in the scenario while paused: the live value of the ClientURI under the pointer.
      const doc = await vscode.workspace.openTextDocument(file);
      const at = doc.positionAt(doc.getText().indexOf('urn:oma:mo:oma-dm-devinfo:1.0//DevID') + 5);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.match(text, /Live value[\s\S]*IMEI:493005100592800/);
      await vscode.debug.stopDebugging(session);
      await until('the end of the session', () => (vscode.debug.activeDebugSession ? undefined : true));
      const refused = await new Promise<boolean>((resolve) => {
        const c = net.connect(Number(new URL(url).port), '127.0.0.1');
        c.once('connect', () => (c.destroy(), resolve(false)));
        c.once('error', () => resolve(true));
      });
      assert.equal(refused, true, 'the DM Server is closed');
    } finally {
      vscode.debug.removeBreakpoints([bp]);
      tracker.dispose();
    }
  });
}
