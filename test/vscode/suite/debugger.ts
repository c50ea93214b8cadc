/**
 * The scenario debugger in a real VS Code: a breakpoint on a step stops the run, the call stack and
 * a device's tree are read, a step over goes to the next message, a ClientURI is evaluated, and
 * stopping the session closes the emulated parts. The run diagram opens beside when a session
 * starts, draws the run so far with the message it is paused at, and is marked ended after.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PanelState } from '../../../client/src/trace/panel';
import { DEADLINE_MS, until } from './wait';

/** `until`, probed again whenever a debug session starts, changes or ends. */
const untilDebug = <T>(what: string, probe: () => T | undefined): Promise<T> => until(what, probe, [vscode.debug.onDidChangeActiveDebugSession, vscode.debug.onDidTerminateDebugSession]);

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
      const session = await untilDebug('the debug session', () => vscode.debug.activeDebugSession);
      await untilDebug('the breakpoint', () => (stops.length >= 1 ? true : undefined));
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
      await untilDebug('the next message', () => (stops.length >= 2 ? true : undefined));
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
      await untilDebug('the end of the session', () => (vscode.debug.activeDebugSession ? undefined : true));
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

  test('the run diagram: opens beside when the session starts, shows the message the run is paused at as a pending arrow in view, and is marked ended', async function () {
    this.timeout(120_000);
    const root = vscode.extensions.getExtension('omadm-workbench.omadm-workbench')!.extensionPath;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-vscode-live-'));
    const file = path.join(dir, 'live.dmflow.json');
    const tree = path.join(root, 'examples', 'workspace', 'device.dmtree.json');
    fs.writeFileSync(file, JSON.stringify({
      participants: [{ id: 'dm', kind: 'dm-server', serverId: 'DMS_ID1' }, { id: 'phone', kind: 'device', tree, server: 'dm' }],
      steps: [{ queue: { server: 'dm', commands: [['GET', 'urn:oma:mo:oma-dm-devinfo:1.0//DevID']] } }, { session: { device: 'phone' } }],
    }, null, 1));
    let stops = 0;
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('omadm', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: { type: string; event?: string }) => void (m.type === 'event' && m.event === 'stopped' && stops++) }),
    });
    const bp = new vscode.FunctionBreakpoint('Package#3');
    vscode.debug.addBreakpoints([bp]);
    const runTab = (): vscode.Tab | undefined => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.startsWith('Run: live'));
    try {
      assert.equal(await vscode.debug.startDebugging(undefined, { type: 'omadm', request: 'launch', name: 'live', program: file }), true);
      const session = await untilDebug('the debug session', () => vscode.debug.activeDebugSession);
      // Opened by the session itself, not by a command.
      await untilDebug('the run diagram tab', runTab);
      await untilDebug('the breakpoint', () => (stops >= 1 ? true : undefined));
      const state = await untilAsync('the paused message in the diagram', async () => {
        const s = await vscode.commands.executeCommand<PanelState | undefined>('omadm.showRunDiagram');
        return s?.live?.highlight?.pending ? s : undefined;
      });
      assert.deepEqual(state.participants.slice(0, 2), ['phone', 'dm']);
      assert.ok(state.rows >= 2, `${state.rows} rows: the Package#1 and #2 so far`);
      assert.equal(state.live!.highlight!.pending![3], 'Package#3');
      assert.match(state.live!.highlight!.text, /^Paused: phone is about to send Package#3 to dm/);
      assert.match(state.title, /^Run: live \(paused\)$/);
      await untilDebug('the tab to say paused', () => (runTab()?.label.endsWith('(paused)') ? true : undefined));
      await bounded(session.customRequest('continue', { threadId: 1 }), 10_000);
      await untilDebug('the end of the session', () => (vscode.debug.activeDebugSession ? undefined : true));
      const ended = await untilAsync('the diagram marked ended', async () => {
        const s = await vscode.commands.executeCommand<PanelState | undefined>('omadm.showRunDiagram');
        return s?.live?.finished ? s : undefined;
      });
      assert.ok(ended.rows > state.rows, 'the Package#3 and what followed are drawn');
      assert.equal(ended.live!.highlight, null);
      assert.match(ended.summary, /^run ended: passed · /);
      await untilDebug('the tab to say ended', () => (runTab()?.label.endsWith('(ended)') ? true : undefined));
    } finally {
      vscode.debug.removeBreakpoints([bp]);
      tracker.dispose();
      // Nothing of this run is left to the tests after: neither a paused session nor its diagram.
      if (vscode.debug.activeDebugSession?.type === 'omadm') await bounded(vscode.debug.stopDebugging(vscode.debug.activeDebugSession), 10_000);
      const tab = runTab();
      if (tab) await bounded(vscode.window.tabGroups.close(tab), 5_000);
    }
  });
}

/** A probe's answer, or undefined when it does not come within `ms`: a command a hidden webview never answers must not hang the wait. */
function bounded<T>(p: Thenable<T>, ms = 3_000): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))));
  });
}

/** `until` for probes that ask VS Code (a command): polled until the deadline, each call bounded. */
async function untilAsync<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    const v = await bounded(probe()).then((x) => x ?? undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
