/**
 * A delegation peer's interface on a real socket: HTTPS that requires a client certificate issued
 * by the configured CA, refused at the TLS handshake otherwise (Delegation 5.2.1.1, SCR
 * DM-DEL-S-001), TLS 1.2 at least; and the ports a peer needs: POSTs to the other peer with this
 * peer's certificate (undici), DM Notifications over UDP, and deadlines.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Peer, PeerPorts } from '../core/engine/delegation/peer.js';
import type { Incoming } from '../core/engine/server.js';
import type { TraceSink } from '../core/engine/ports.js';
import { problem } from '../core/engine/problem.js';
import { readBody, send, type RunningServer } from './dmServerHost.js';
import { UndiciHttpClient } from './httpClient.js';
import { sendDatagram } from './udp.js';
import { systemClock } from './deviceHost.js';

export interface Credentials {
  cert: string;
  key: string;
  ca: string;
}

export interface PeerServer extends RunningServer {
  /** TLS handshakes completed so far: each new connection costs one, with both certificates checked. */
  readonly handshakes: number;
}

export function servePeer(peer: Peer, tls: Credentials, o: { port?: number; host?: string; path?: string } = {}): Promise<PeerServer> {
  const server = https.createServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2', headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    void (async () => {
      const body = await readBody(req, 1024 * 1024);
      if (body === 'closed') return;
      if (body === 'too-large') return send(res, problem(413, 'Content Too Large', 'A delegation message is larger than 1 MiB.'));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const incoming: Incoming = { method: req.method ?? 'GET', target: req.url ?? '/', headers, body: new Uint8Array(body), peer: `${req.socket.remoteAddress}:${req.socket.remotePort}` };
      send(res, await peer.handle(incoming));
    })().catch(() => send(res, problem(500, 'Internal Error', 'The peer could not handle the message.')));
  });
  let handshakes = 0;
  server.on('secureConnection', () => handshakes++);
  const path = o.path ?? '/dm/delegation';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ url: `https://127.0.0.1:${port}${path}`, port, get handshakes() { return handshakes; }, close: () => new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); }) });
    });
  });
}

/** The ports of a peer on real sockets; `close()` ends its connection pools. */
export function peerPorts(tls: Credentials, device: { host: string; port: () => number }, trace: TraceSink): PeerPorts & { close(): Promise<void> } {
  const http = new UndiciHttpClient({ ca: tls.ca, timeout: 10_000 });
  return {
    post: (url, xml, headers) => http.send({ method: 'POST', url, headers: { ...headers }, body: new TextEncoder().encode(xml), tls: { cert: tls.cert, key: tls.key } }),
    notifyDevice: (bytes) => sendDatagram(bytes, device.host, device.port()),
    within: <T>(p: Promise<T>, ms: number, what: string) =>
      new Promise<T>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
        p.then((v) => {
          clearTimeout(t);
          resolve(v);
        }, (e: unknown) => {
          clearTimeout(t);
          reject(e instanceof Error ? e : new Error(String(e)));
        });
      }),
    clock: systemClock,
    trace,
    close: () => http.close(),
  };
}
