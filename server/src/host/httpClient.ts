/**
 * The HTTP port over real sockets, with undici: keep-alive connection pools, a timeout on every
 * request (an expired request aborts the DM Session, DM 2.0 5.6), a cap on what a response may
 * hold, TLS with an optional client certificate (9.2.1), and a host table, like curl's --resolve,
 * so that ServerURIs written with the spec's host names reach the emulated parts on loopback.
 */
import { Agent, request } from 'undici';
import type { HttpOutcome, HttpPort, HttpRequest } from '../core/engine/ports.js';

export interface HttpClientOptions {
  /** Milliseconds to wait for the answer's headers, and between body chunks (default 10 s). */
  timeout?: number;
  /** Bytes a response body may hold (default 16 MiB). */
  maxBody?: number;
  /** Host name (or host:port) -> origin to connect to instead, e.g. www.dms.com -> http://127.0.0.1:4321. */
  hosts?: ReadonlyMap<string, string>;
  /** CA certificates (PEM) to trust for https, besides the system's. */
  ca?: string;
  connections?: number;
}

export class UndiciHttpClient implements HttpPort {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly opts: HttpClientOptions = {}) {}

  private agent(tls?: { cert: string; key: string }): Agent {
    const key = tls ? `${tls.cert}\u0000${tls.key}` : '';
    let a = this.agents.get(key);
    if (!a) {
      const t = this.opts.timeout ?? 10_000;
      a = new Agent({ headersTimeout: t, bodyTimeout: t, connectTimeout: t, keepAliveTimeout: 4_000, connections: this.opts.connections ?? 64, connect: { ...(this.opts.ca ? { ca: this.opts.ca } : {}), ...(tls ?? {}) } });
      this.agents.set(key, a);
    }
    return a;
  }

  async send(req: HttpRequest): Promise<HttpOutcome> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return { ok: false, error: `'${req.url}' is not a URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, error: `${url.protocol} is not HTTP` };
    const headers = { ...req.headers };
    const mapped = this.opts.hosts?.get(url.host) ?? this.opts.hosts?.get(url.hostname);
    if (mapped) {
      headers.host = url.host;
      const to = new URL(mapped);
      url.protocol = to.protocol;
      url.host = to.host;
    }
    const max = this.opts.maxBody ?? 16 * 1024 * 1024;
    try {
      const res = await request(url, { method: req.method, headers, ...(req.body ? { body: req.body } : {}), dispatcher: this.agent(req.tls) });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > max) {
          res.body.destroy();
          return { ok: false, error: `the response is larger than ${max} bytes` };
        }
        chunks.push(chunk as Buffer);
      }
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      return { ok: true, response: { status: res.statusCode, headers: out, body: new Uint8Array(Buffer.concat(chunks)) } };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      const code = err.code ?? '';
      return { ok: false, error: /TIMEOUT/.test(code) ? `no answer in time (${code})` : `${code ? `${code}: ` : ''}${err.message ?? String(e)}` };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close()));
    this.agents.clear();
  }
}
