/**
 * Waiting in the extension-host suite: on a condition with a deadline, never a fixed time; and
 * whether the sockets a part listened on are closed again.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as vscode from 'vscode';

export const DEADLINE_MS = 30_000;

/**
 * Resolves with the value once `probe` returns one, or rejects at the deadline. The probe is asked
 * again when one of `wakeOn` fires (by default, a change of diagnostics), and at least every 50 ms,
 * since requests such as hover are announced by no event.
 */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, wakeOn: vscode.Event<unknown>[] = [vscode.languages.onDidChangeDiagnostics]): Promise<T> {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const subs = wakeOn.map((event) => event(() => done()));
      const t = setTimeout(() => done(), 50);
      function done(): void {
        clearTimeout(t);
        for (const s of subs) s.dispose();
        resolve();
      }
    });
  }
}

/** Whether something listens on the TCP port: the connection's outcome, refused or accepted. */
export function tcpListening(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? resolve(false) : reject(e)));
  });
}

/** Whether the UDP port is free: binding it succeeds only once the part's socket is closed. */
export function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}
