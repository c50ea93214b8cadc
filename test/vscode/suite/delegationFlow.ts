/**
 * "Run Delegation Flow…" in a real VS Code: the five flows of Delegation 5.2 run in a lab on
 * loopback, every message listed under the run in DM Sessions; an injected failure reported with
 * its step; a cancelled run closes the lab's sockets.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { EmulatorApi } from '../../../client/src/emulator/index';
import type { DelegationRun } from '../../../client/src/emulator/delegationFlow';
import type { SessionNode } from '../../../client/src/emulator/sessionsView';
import type { FlowResult } from '../../../server/src/host/delegationLab';
import { tcpListening, udpFree, until } from './wait';

async function api(): Promise<EmulatorApi> {
  const ext = vscode.extensions.getExtension<{ emulator: EmulatorApi }>('omadm-workbench.omadm-workbench');
  assert.ok(ext, 'the extension is installed');
  return (await ext.activate()).emulator;
}

/** Every socket the run's lab listened on is closed: TCP connections are refused, the device's UDP port binds. */
async function assertClosed(run: DelegationRun): Promise<void> {
  assert.equal(run.endpoints.length, 5, run.endpoints.map((p) => p.url).join(', '));
  for (const p of run.endpoints) {
    const url = new URL(p.url);
    const port = Number(url.port);
    if (url.protocol === 'udp:') assert.equal(await udpFree(port), true, `${p.name} ${p.url} is closed`);
    else assert.equal(await tcpListening(port), false, `${p.name} ${p.url} is closed`);
  }
}

/** The run's entry in DM Sessions: the last run listed. */
function runNode(sessions: EmulatorApi['sessions'], run: DelegationRun): SessionNode {
  const node = sessions.getChildren().find((n) => n.type === 'delegation' && n.run === run);
  assert.ok(node, `${run.id} is listed in DM Sessions`);
  return node;
}

/** Every event node under a node, depth first. */
function eventsUnder(sessions: EmulatorApi['sessions'], node: SessionNode): Extract<SessionNode, { type: 'event' }>[] {
  return sessions.getChildren(node).flatMap((n) => [...(n.type === 'event' ? [n] : []), ...eventsUnder(sessions, n)]);
}

const label = (sessions: EmulatorApi['sessions'], n: SessionNode): string => String(sessions.getTreeItem(n).label);
const description = (sessions: EmulatorApi['sessions'], n: SessionNode): string => String(sessions.getTreeItem(n).description ?? '');
const iconId = (sessions: EmulatorApi['sessions'], n: SessionNode): string | undefined => {
  const icon = sessions.getTreeItem(n).iconPath;
  return icon instanceof vscode.ThemeIcon ? icon.id : undefined;
};

export function registerDelegationFlowTests(): void {
  test('"Run Delegation Flow" runs Delegation 5.2.1: every message under the run in DM Sessions, each opening as what was sent', async () => {
    const { sessions, delegation } = await api();
    const result = await vscode.commands.executeCommand<FlowResult | undefined>('omadm.runDelegationFlow', { flow: 'dmacc' });
    assert.ok(result, 'the command returns the flow result');
    assert.equal(result.ok, true, `${result.step}: ${result.reason}`);
    assert.equal(result.section, '5.2.1');
    assert.equal(result.records[0]?.state, 'completed');
    const run = delegation.runs[delegation.runs.length - 1]!;
    assert.equal(run.state, 'completed');
    const node = runNode(sessions, run);
    assert.equal(label(sessions, node), 'Delegation 5.2.1');
    assert.equal(description(sessions, node), 'completed');
    assert.equal(iconId(sessions, node), 'pass');

    // The delegation messages of Figure 10 in order, who sent them, and the HTTP status of their POST (Delegation 5.3.1).
    const top = sessions.getChildren(node);
    const messages = top.filter((n) => n.type === 'event' && n.event.transport === 'http');
    assert.deepEqual(messages.map((n) => [label(sessions, n), description(sessions, n)]), [
      ['delegation_req', 'DMS-1 → DMS-2 · 200'],
      ['bootstrap_confirmed', 'DMS-2 → DMS-1 · 204'],
      ['delegation_prepared', 'DMS-1 → DMS-2 · 204'],
      ['delegation_confirmed', 'DMS-2 → DMS-1 · 204'],
    ]);
    // The DM Sessions the flow led to: DMS-1 preparing the device (HGET of the DMS-2 DMAcc, the DACMO), then DMS-2's own.
    const dmSessions = top.filter((n) => n.type === 'delegation-session').map((n) => description(sessions, n));
    assert.ok(dmSessions.some((d) => d.startsWith('device ↔ DMS-1')), dmSessions.join('; '));
    assert.ok(dmSessions.some((d) => d.startsWith('device ↔ DMS-2')), dmSessions.join('; '));
    assert.ok(top.some((n) => n.type === 'event' && n.event.kind === 'package0'), 'the DM Notifications are listed');

    // Every trace event of the run is somewhere under it, once.
    const listed = eventsUnder(sessions, node).map((n) => n.index).sort((a, b) => a - b);
    assert.deepEqual(listed, run.trace.map((_, i) => i));

    // A delegation message opens as its HTTP exchange (5.3 binding), which the language server validates clean.
    const req = messages[0]!;
    const uri = sessions.getTreeItem(req).command!.arguments![0] as vscode.Uri;
    assert.equal(uri.scheme, 'omadm-trace');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'dm-http');
    assert.match(doc.getText(), /^POST \/dm\/delegation HTTP\/1\.1\nHost: 127\.0\.0\.1:\d+\nContent-Type: application\/vnd\.dm\.delegation\+xml\n[^]*<delegation_req[^]*<sessionId>[^<]+<\/sessionId>[^]*\nHTTP\/1\.1 200 OK\nContent-Type: application\/vnd\.dm\.delegation\+xml\n[^]*<delegation_resp/);
    await until('the outline of the exchange', async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
      return s?.length ? s : undefined;
    });
    assert.deepEqual(vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => `${String(d.code)}: ${d.message}`), []);
    await assertClosed(run);
  });

  test('"Run Delegation Flow" with a failure injected: the step and the reason are reported, the DELEGATION_FAILURE is marked', async () => {
    const { sessions, delegation } = await api();
    const result = await vscode.commands.executeCommand<FlowResult | undefined>('omadm.runDelegationFlow', { flow: 'dmacc', failAt: 'delegation_confirmed' });
    assert.ok(result, 'the command returns the flow result');
    assert.equal(result.ok, false);
    assert.equal(result.step, 'delegation_confirmed');
    assert.match(result.reason ?? '', /^DMS-2 failed at delegation_confirmed: failure injected/);
    const run = delegation.runs[delegation.runs.length - 1]!;
    assert.equal(run.state, 'failed');
    const node = runNode(sessions, run);
    assert.equal(description(sessions, node), 'failed at delegation_confirmed · failure injected at delegation_confirmed');
    assert.equal(iconId(sessions, node), 'error');
    assert.match(String(sessions.getTreeItem(node).tooltip), /failure injected at delegation_confirmed/);
    // DMS-2 sends DELEGATION_FAILURE instead of DELEGATION_CONFIRMED (5.3.1.6).
    const failure = sessions.getChildren(node).find((n) => n.type === 'event' && label(sessions, n) === 'delegation_failure');
    assert.ok(failure, sessions.getChildren(node).map((n) => label(sessions, n)).join(', '));
    assert.equal(description(sessions, failure), 'DMS-2 → DMS-1 · 204');
    assert.equal(iconId(sessions, failure), 'error');
    await assertClosed(run);
  });

  test('"Run Delegation Flow" refuses a step the flow does not have', async () => {
    const { delegation } = await api();
    const before = delegation.runs.length;
    // 5.2.2's bootstrap_srv_url_req is not a step of the DMAcc approach that 5.2.3 delegates with.
    const result = await vscode.commands.executeCommand<FlowResult | undefined>('omadm.runDelegationFlow', { flow: 'termination', failAt: 'bootstrap_srv_url_req' });
    assert.equal(result, undefined);
    assert.equal(delegation.runs.length, before, 'nothing ran');
  });

  test('a cancelled run stops at once and frees every port of its lab', async () => {
    const { sessions, delegation } = await api();
    // Cancelled as its first message is traced: the flow is under way, as when Cancel is pressed on the progress notification.
    const cancelling = delegation.onDidChange((run) => {
      if (run.trace.length > 0) run.cancel();
    });
    let result: FlowResult | undefined;
    try {
      result = await vscode.commands.executeCommand<FlowResult | undefined>('omadm.runDelegationFlow', { flow: 'bootstrap' });
    } finally {
      cancelling.dispose();
    }
    assert.equal(result, undefined);
    const run = delegation.runs[delegation.runs.length - 1]!;
    assert.equal(run.flow, 'bootstrap');
    assert.equal(run.state, 'cancelled');
    assert.ok(run.trace.length >= 1);
    const node = runNode(sessions, run);
    assert.equal(description(sessions, node), 'cancelled');
    assert.equal(iconId(sessions, node), 'circle-slash');
    await assertClosed(run);

    // The same through a cancellation token, as the progress notification's Cancel button gives it.
    const source = new vscode.CancellationTokenSource();
    const next = delegation.start('termination', undefined);
    const cancelOnFirst = delegation.onDidChange((r) => {
      if (r === next && r.trace.length > 0) source.cancel();
    });
    try {
      assert.equal(await delegation.execute(next, undefined, source.token), undefined);
    } finally {
      cancelOnFirst.dispose();
      source.dispose();
    }
    assert.equal(next.state, 'cancelled');
    await assertClosed(next);
  });

  test('without arguments it asks: the flows first (5.2.1 on top), then the failure ("No failure" on top)', async () => {
    const { delegation } = await api();
    const before = delegation.runs.length;
    let settled = false;
    const running = vscode.commands.executeCommand<FlowResult | undefined>('omadm.runDelegationFlow').then(
      (r) => ((settled = true), r),
      (e: unknown) => {
        settled = true;
        throw e;
      },
    );
    // Each accept takes the highlighted item, the first, of the pick that is open, if one is; none once the run started.
    await until('both picks answered and the run ended', async () => {
      if (settled) return true;
      if (delegation.runs.length === before) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return undefined;
    });
    const result = await running;
    assert.ok(result, 'the run was not cancelled');
    assert.equal(result.flow, 'dmacc');
    assert.equal(result.ok, true, `${result.step}: ${result.reason}`);
    assert.equal(delegation.runs[delegation.runs.length - 1]!.failAt, undefined);
  });
}
