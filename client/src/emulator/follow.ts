/**
 * After a DM Notification is sent: a progress notification until the DM Session it asked for ends
 * (5.2), or the device drops the notification (5.2.1.2 says why), with the outcome shown.
 */
import * as vscode from 'vscode';
import type { DevicePart, Emulator } from './parts';

const WAIT_MS = 60_000;

/** Starts listening before the datagram is sent, so a fast answer is not missed; `cancel` if sending fails. */
export function followSession(emulator: Emulator, part: DevicePart, notificationId: number): { cancel(): void } {
  const subscriptions: vscode.Disposable[] = [];
  let report = (_message: string): void => undefined;
  let resolve!: () => void;
  const finished = new Promise<void>((r) => (resolve = r));
  const done = (after?: () => void): void => {
    for (const s of subscriptions.splice(0)) s.dispose();
    clearTimeout(timer);
    resolve();
    after?.();
  };
  const timer = setTimeout(() => done(() => void vscode.window.showWarningMessage(`OMA DM: no DM Session of ${part.name} ended within ${WAIT_MS / 1000} s.`)), WAIT_MS);
  subscriptions.push(
    emulator.onDidTrace(({ part: p, event }) => {
      if (p !== part || event.kind !== 'package0' || event.notificationId !== notificationId) return;
      if (/^dropped/.test(event.note ?? '')) done(() => void vscode.window.showWarningMessage(`OMA DM: the device ${part.name} ${event.note}. What was queued for it waits for its next DM Session.`));
      else report('DM Session running…');
    }),
    emulator.onDidEndSession(({ part: p, outcome }) => {
      if (p !== part) return;
      done(() => {
        const text = `OMA DM: DM Session ${outcome.sessionId} ${outcome.outcome}: ${outcome.reason} (${outcome.packages} packages).`;
        const shown = outcome.outcome === 'completed' ? vscode.window.showInformationMessage(text, 'Show') : vscode.window.showWarningMessage(text, 'Show');
        void shown.then((a) => a && vscode.commands.executeCommand('omadm.sessions.focus'));
      });
    }),
    emulator.onDidChange(() => {
      if (!emulator.devices.has(part.id)) done();
    }),
  );
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OMA DM: DM Session of ${part.name}` }, (progress) => {
    report = (message) => progress.report({ message });
    report(`Package#0 sent (NOTIFICATION-ID ${notificationId})…`);
    return finished;
  });
  return { cancel: () => done() };
}
