/**
 * Scenarios in a real VS Code: files written into the workspace appear in the Test Explorer with
 * their steps; the Run profile runs them with an environment and a secret from VS Code's
 * SecretStorage, step by step, a failure shown as a diff of expected and actual at its line with
 * the secret hidden; a trace written under .omadm/traces; a cancelled run closes its sockets; a
 * broken scenario is an item with an error; the language server checks scenario files; the Debug
 * profile says so when no scenario debugger is installed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScenariosApi } from '../../../client/src/scenarios/index';
import { debuggerInstalled } from '../../../client/src/scenarios/run';
import { tcpListening, until } from './wait';

const SECRET = 'notification-secret';

const PHONE = [
  { ClientURI: 'urn:oma:mo:oma-dm-devinfo:1.0/phone/', MOData: { phone: { DevID: 'IMEI:350000000000017', Man: 'Vendor', Mod: 'DM_Client', DmV: '2.0' } } },
  { ClientURI: 'urn:oma:mo:oma-dm-dmacc:1.2/acc/', MOData: { acc: { SrvID: 'DMS_ID1', SrvURI: 'http://dm.example/dm', Auth: { Noti: { Type: 0, Data: 'nonce-0001', Secret: SECRET } } } } },
];

const FILES: Record<string, string> = {
  'phone.dmtree.json': JSON.stringify(PHONE, null, 1),
  // The default environment's ServerID is one the device has no DM Account for: the run must use the chosen one.
  'omadm.env.json': JSON.stringify({ environments: { local: { serverId: 'DMS_ID1' }, other: { serverId: 'DMS_OTHER' } }, default: 'other' }),
  'session.dmflow.json': `{
  // A DM Session started by a DM Notification, then the device's tree checked.
  "name": "Session",
  "participants": [
    { "id": "dm", "kind": "dm-server", "serverId": "\${serverId}" },
    { "id": "phone", "kind": "device", "tree": "phone.dmtree.json", "server": "dm" }
  ],
  "steps": [
    { "queue": { "server": "dm", "commands": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"]] } },
    { "name": "notified, the device runs the session", "notify": { "server": "dm", "device": "phone" }, "expect": { "statuses": [200] } },
    { "check": { "device": "phone", "uri": "urn:oma:mo:oma-dm-devinfo:1.0//DevID", "value": "IMEI:350000000000017" } }
  ]
}
`,
  'secret.dmflow.json': `{
  // Fails on purpose: the notification secret is read back (it travels in a Package#3), then
  // compared with an interior node, so the expected value (the secret) shows in the failure.
  "name": "Secret",
  "participants": [
    { "id": "dm", "kind": "dm-server", "serverId": "DMS_ID1" },
    { "id": "phone", "kind": "device", "tree": "phone.dmtree.json", "server": "dm" }
  ],
  "steps": [
    { "queue": { "server": "dm", "commands": [["GET", "urn:oma:mo:oma-dm-dmacc:1.2/(x)/Auth/Noti/Secret?nv=(x)/SrvID:DMS_ID1"]] } },
    { "session": { "device": "phone" } },
    { "check": { "device": "phone", "uri": "urn:oma:mo:oma-dm-dmacc:1.2/(x)/Auth/Noti?nv=(x)/SrvID:DMS_ID1", "value": "\${secret:noti}" } },
    { "wait": { "ms": 1 } }
  ]
}
`,
  'slow.dmflow.json': `{
  "name": "Slow",
  "timeout": 120000,
  "participants": [{ "id": "dm", "kind": "dm-server", "serverId": "DMS_ID1" }],
  "steps": [
    { "wait": { "ms": 0 } },
    { "name": "a long wait, cancelled", "wait": { "ms": 100000 } },
    { "wait": { "ms": 0 } }
  ]
}
`,
  'broken.dmflow.json': `{
  "participants": [{ "id": "dm", "kind": "dm-server" }],
  "steps": [
    { "notify": { "server": "dm", "device": "nobody" } }
  ]
}
`,
};

export function registerScenarioTests(): void {
  // A suite of its own, after the others: its files (a device tree among them) exist only while it runs.
  suite('Scenarios in the Test Explorer', scenarioTests);
}

function scenarioTests(): void {
  let api: ScenariosApi;
  let dir: string;
  const uri = (name: string): vscode.Uri => vscode.Uri.file(path.join(dir, name));
  const item = (name: string): vscode.TestItem | undefined => api.tests.controller.items.get(uri(name).toString());
  const listed = (name: string): vscode.TestItem => {
    const i = item(name);
    assert.ok(i, `${name} is listed in the Test Explorer`);
    return i;
  };
  const children = (i: vscode.TestItem): vscode.TestItem[] => {
    const out: vscode.TestItem[] = [];
    i.children.forEach((c) => void out.push(c));
    return out;
  };
  const request = (items: vscode.TestItem[]): vscode.TestRunRequest => new vscode.TestRunRequest(items, undefined, api.runProfile());

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<{ scenarios: ScenariosApi }>('omadm-workbench.omadm-workbench');
    assert.ok(ext, 'the extension is installed');
    api = (await ext.activate()).scenarios;
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder');
    // In the workspace folder itself: a folder created now may be watched only after files written into it at once.
    dir = folder.uri.fsPath;
    for (const [name, text] of Object.entries(FILES)) fs.writeFileSync(path.join(dir, name), text);
    // A file watcher may miss files written all at once (seen in code-server): the Test Explorer's
    // refresh, as a user would press it, finds every scenario on disk.
    await api.tests.discover(true);
  });

  suiteTeardown(() => {
    for (const name of Object.keys(FILES)) fs.rmSync(path.join(dir, name), { force: true });
    fs.rmSync(path.join(dir, '.omadm'), { recursive: true, force: true });
  });

  test('scenarios: files written to the workspace are listed in the Test Explorer with their steps at their lines; a broken one has an error', async () => {
    const session = await until('the Session scenario in the Test Explorer', () => {
      const i = item('session.dmflow.json');
      return i && i.children.size === 3 ? i : undefined;
    });
    assert.equal(session.label, 'Session');
    assert.equal(session.description, 'session.dmflow.json');
    assert.deepEqual(children(session).map((c) => [c.label, c.range?.start.line]), [
      ['1. queue 1 commands on dm', 8],
      ['2. notified, the device runs the session', 9],
      ['3. check urn:oma:mo:oma-dm-devinfo:1.0//DevID on phone', 10],
    ]);
    const broken = await until('the broken scenario with its error', () => {
      const i = item('broken.dmflow.json');
      return i?.error ? i : undefined;
    });
    const error = typeof broken.error === 'string' ? broken.error : broken.error!.value;
    assert.match(error, /line 4: No participant is called 'nobody'/);
    assert.equal(broken.children.size, 0);
  });

  test('scenarios: an edit in the editor updates the items at once, before it is saved', async () => {
    const doc = await vscode.workspace.openTextDocument(uri('session.dmflow.json'));
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.getText().indexOf('"notified, the device runs the session"');
    await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + '"notified'.length)), '"Notified'));
    await until('the renamed step', () => (children(listed('session.dmflow.json'))[1]?.label === '2. Notified, the device runs the session' ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await until('the step named as on disk again', () => (children(listed('session.dmflow.json'))[1]?.label === '2. notified, the device runs the session' ? true : undefined));
  });

  test('scenarios: the language server checks them (the parser, and the ClientURIs against the device tree)', async () => {
    const broken = uri('broken.dmflow.json');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(broken));
    const ds = await until('diagnostics on broken.dmflow.json', () => {
      const d = vscode.languages.getDiagnostics(broken).filter((x) => x.source === 'omadm');
      return d.length ? d : undefined;
    });
    assert.deepEqual(ds.map((d) => [d.code, d.range.start.line]), [['flow.unknown-participant', 3]]);
    const session = uri('session.dmflow.json');
    const doc = await vscode.workspace.openTextDocument(session);
    const hovers = await until('a hover on the notify step', async () => {
      const h = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', session, doc.positionAt(doc.getText().indexOf('"notify"') + 2))) ?? [];
      const text = h.flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /DM 2\.0 5\.2\.1/.test(text) ? text : undefined;
    });
    assert.match(hovers, /\*\*Step 2: `notify`\*\*/);
  });

  test('scenarios: Run with the chosen environment: every step passes, the trace is written under .omadm/traces, the CodeLens offers it', async () => {
    assert.ok(api.runProfile(), 'a Run profile in a trusted workspace');
    assert.equal(await vscode.commands.executeCommand('omadm.selectScenarioEnvironment', 'local', uri('session.dmflow.json')), 'local');
    const session = listed('session.dmflow.json');
    const record = await api.runner.run(request([session]));
    const [s] = record.scenarios;
    assert.ok(s, record.output);
    assert.equal(s.state, 'passed', record.output);
    assert.equal(s.environment, 'local');
    assert.deepEqual(s.steps.map((r) => [r.index, r.status]), [[0, 'passed'], [1, 'passed'], [2, 'passed']]);
    const trace = path.join(dir, '.omadm', 'traces', 'session.trace.jsonl');
    assert.equal(s.trace, trace);
    const events = fs.readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; step?: number });
    assert.ok(events.some((e) => e.kind === 'package0' && e.step === 1), 'the DM Notification of step 2');
    assert.ok(events.some((e) => e.kind === 'package3'), 'a Package#3');
    assert.match(record.output, new RegExp(`Trace: ${trace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(record.output, /phone -> dm {2}Package#1 POST/);
    const lenses = await until('the Trace CodeLens', async () => {
      const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri('session.dmflow.json'))) ?? [];
      return l.some((x) => x.command?.command === 'omadm.openScenarioTrace') ? l : undefined;
    });
    assert.deepEqual(lenses.filter((l) => l.command?.command.startsWith('omadm.') && l.range.start.line === 0).map((l) => l.command!.command).slice(0, 3), ['omadm.runScenario', 'omadm.debugScenario', 'omadm.openScenarioTrace']);
    const opened = await vscode.commands.executeCommand<vscode.Uri>('omadm.openScenarioTrace', vscode.Uri.file(trace), 'text');
    assert.equal(opened?.fsPath, trace);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, trace);
  });

  test('scenarios: a step runs its scenario up to it; the Run CodeLens command runs the whole', async () => {
    const session = listed('session.dmflow.json');
    const record = await api.runner.run(request([children(session)[0]!]));
    assert.equal(record.scenarios[0]?.state, 'partial');
    assert.deepEqual(record.scenarios[0]?.steps.map((r) => r.status), ['passed']);
    const viaCommand = await vscode.commands.executeCommand<{ scenarios: { state: string }[] }>('omadm.runScenario', uri('session.dmflow.json'));
    assert.equal(viaCommand.scenarios[0]?.state, 'passed');
  });

  test('scenarios: a failed expectation is a diff of expected and actual at the step; the secret from SecretStorage never shows', async () => {
    assert.equal(await vscode.commands.executeCommand('omadm.setScenarioSecret', 'noti', SECRET), true);
    const record = await api.runner.run(request([listed('secret.dmflow.json')]));
    const [s] = record.scenarios;
    assert.equal(s?.state, 'failed', record.output);
    assert.deepEqual(s.steps.map((r) => r.status), ['passed', 'passed', 'failed', 'skipped']);
    const failed = s.steps[2]!;
    assert.equal(failed.line, 12);
    assert.match(failed.message ?? '', /the value differs/);
    assert.equal(failed.expected, '"«secret:noti»"');
    assert.equal(failed.actual, 'null');
    assert.match(s.message ?? '', /step 3 \(check .*\) failed/);
    const trace = fs.readFileSync(s.trace!, 'utf8');
    for (const text of [record.output, trace, JSON.stringify(s)]) assert.ok(!text.includes(SECRET), `the secret shows in: ${text.slice(0, 300)}`);
    assert.match(trace, /«secret:noti»/, 'the Package#3 carrying it has the secret hidden');
  });

  // (The runner of this suite drops output lines that mention sockets: the title says ports.)
  test('scenarios: Cancel ends the waiting step, skips the rest and frees the ports', async () => {
    const slow = listed('slow.dmflow.json');
    const cancel = new vscode.CancellationTokenSource();
    const first = new Promise<void>((resolve) => {
      const sub = api.runner.onDidFinishStep((e) => {
        if (e.uri === slow.uri!.toString() && e.result.index === 0) {
          sub.dispose();
          resolve();
        }
      });
    });
    const started = Date.now();
    const running = api.runner.run(request([slow]), cancel.token);
    await first;
    cancel.cancel();
    const record = await running;
    assert.ok(Date.now() - started < 60_000, 'the 100-second wait did not run out');
    const [s] = record.scenarios;
    assert.equal(s?.state, 'skipped');
    assert.deepEqual(s.steps.map((r) => [r.status, r.message ?? '']), [['passed', ''], ['errored', 'cancelled'], ['skipped', 'cancelled']]);
    assert.equal(s.endpoints.length, 1);
    assert.equal(await tcpListening(Number(new URL(s.endpoints[0]!).port)), false, 'the DM Server no longer listens');
    cancel.dispose();
  });

  test('scenarios: the Debug profile starts an "omadm" debug session with the environment\'s variables, stopping at the step chosen, or says that no scenario debugger is installed', async () => {
    const cancel = new vscode.CancellationTokenSource();
    let config: vscode.DebugConfiguration | undefined;
    let breakpoints: vscode.Breakpoint[] = [];
    const sub = vscode.debug.onDidStartDebugSession((session) => {
      if (session.type !== 'omadm') return;
      config = session.configuration;
      breakpoints = [...vscode.debug.breakpoints];
      // Stopped at once: the debugger itself is tested on its own.
      cancel.cancel();
    });
    const step = children(listed('session.dmflow.json'))[2]!;
    const started = await api.runner.debug(new vscode.TestRunRequest([step], undefined, api.debugProfile()), cancel.token);
    sub.dispose();
    cancel.dispose();
    if (!debuggerInstalled()) {
      assert.equal(started, false, 'without a debugger nothing starts');
      assert.equal(config, undefined);
      return;
    }
    assert.equal(started, true, 'the debug session started');
    assert.equal(config?.program, uri('session.dmflow.json').fsPath);
    assert.deepEqual(config.variables, { serverId: 'DMS_ID1' });
    assert.equal(config.stopOnEntry, false);
    const at = breakpoints.find((b): b is vscode.SourceBreakpoint => b instanceof vscode.SourceBreakpoint && b.location.uri.fsPath === uri('session.dmflow.json').fsPath);
    assert.equal(at?.location.range.start.line, 10, 'a breakpoint on the step chosen while the session runs');
    await until('the debug session to end', () => (vscode.debug.activeDebugSession === undefined ? true : undefined));
    assert.ok(!vscode.debug.breakpoints.some((b) => b instanceof vscode.SourceBreakpoint && b.location.uri.fsPath === uri('session.dmflow.json').fsPath), 'the breakpoint is gone with the session');
  });
}
