/**
 * The mini DM Server on a real socket: node:http, or node:https with a certificate (and client
 * certificates checked against a CA, DM 2.0 9.2.1). Bodies are size-limited (413) and read before
 * the engine sees them; multipart/form-data bodies (Appendix F) are split with busboy; slow or
 * hung clients are cut off by the server's timeouts.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import type { DmServerEngine, Incoming, WirePart } from '../core/engine/server.js';
import { type Outgoing, problem } from '../core/engine/problem.js';
import { CONTROL_PATH, control } from './control.js';

export interface ServeOptions {
  /** More control endpoints under /omadm/ (a delegation peer's); undefined: not theirs. */
  control?: (req: Incoming, path: string) => Promise<Outgoing | undefined>;
  host?: string;
  port?: number;
  /** Bytes a request body may hold (default 4 MiB); more is 413. */
  maxBody?: number;
  tls?: { cert: string; key: string; ca?: string };
  /** Milliseconds for a request's headers and for the whole request (default 10 s and 30 s). */
  timeouts?: { headers: number; request: number };
  /** Called for what the engine could not handle (a bug), after the 500 is sent. */
  onError?: (e: unknown) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | 'too-large' | 'closed'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    // A client cut off by the timeouts, or gone: nothing to answer.
    req.on('close', () => resolve('closed'));
    req.on('error', reject);
  });
}

/** The parts of a multipart/form-data body in order, the unnamed Package#3 first (Appendix F). */
export function readParts(headers: http.IncomingHttpHeaders, body: Buffer, max: number): Promise<WirePart[]> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers, limits: { parts: 10_000, fieldSize: max, fields: 10_000, files: 10_000 } });
    } catch (e) {
      reject(e);
      return;
    }
    const parts: WirePart[] = [];
    bb.on('field', (name, value, info) => parts.push({ ...(name ? { name } : {}), contentType: info.mimeType, body: value }));
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => parts.push({ ...(name ? { name } : {}), contentType: info.mimeType, body: Buffer.concat(chunks).toString('utf8') }));
    });
    bb.on('partsLimit', () => reject(new Error('more than 10,000 parts')));
    bb.on('error', reject);
    bb.on('close', () => resolve(parts));
    bb.end(body);
  });
}

export function send(res: http.ServerResponse, out: Outgoing): void {
  if (res.headersSent) return;
  res.writeHead(out.status, { ...out.headers, 'content-length': String(out.body.length) });
  res.end(out.body);
}

export function serveDmServer(engine: DmServerEngine, opts: ServeOptions = {}): Promise<RunningServer> {
  const max = opts.maxBody ?? 4 * 1024 * 1024;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void (async () => {
      const body = await readBody(req, max);
      if (body === 'closed') return;
      if (body === 'too-large') {
        res.setHeader('connection', 'close');
        send(res, problem(413, 'Content Too Large', `The body is larger than the ${max} bytes this server takes.`));
        return;
      }
      const headers: Record<string, string> = {};
      for (const k in req.headers) {
        const v = req.headers[k];
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      const incoming: Incoming = { method: req.method ?? 'GET', target: req.url ?? '/', headers, body: new Uint8Array(body), peer: `${req.socket.remoteAddress}:${req.socket.remotePort}` };
      if ((headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
        try {
          incoming.parts = await readParts(req.headers, body, max);
        } catch (e) {
          send(res, problem(400, 'Malformed multipart body', `${(e as Error).message} (RFC 7578, RFC 2046 5.1.1; DM 2.0 Appendix F).`));
          return;
        }
      }
      const tls = req.socket as TLSSocket;
      if (typeof tls.getPeerCertificate === 'function') {
        const cert = tls.getPeerCertificate();
        if (cert && Object.keys(cert).length) incoming.clientCertificate = { subject: String(cert.subject?.CN ?? ''), authorized: tls.authorized };
      }
      send(res, incoming.target.startsWith(CONTROL_PATH) ? await control(engine, incoming, opts.control) : await engine.handle(incoming));
    })().catch((e) => {
      send(res, problem(500, 'Internal Error', 'The server could not handle the request.'));
      opts.onError?.(e);
    });
  };
  const t = opts.timeouts ?? { headers: 10_000, request: 30_000 };
  // A client that sends its request slowly, or never finishes it, is cut off (408, then the connection is closed).
  const common = { headersTimeout: t.headers, requestTimeout: t.request, connectionsCheckingInterval: Math.min(1000, t.headers / 2) };
  const server = opts.tls
    ? https.createServer({ ...common, cert: opts.tls.cert, key: opts.tls.key, ...(opts.tls.ca ? { ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false } : {}), minVersion: 'TLSv1.2' }, handler)
    : http.createServer(common, handler);
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
      resolve({
        url: `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
