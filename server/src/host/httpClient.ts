/**
 * The HTTP port over real sockets, with undici: keep-alive connection pools, a timeout on every
 * request (an expired request aborts the DM Session, DM 2.0 5.6), a cap on what a response may
 * hold, TLS with an optional client certificate (9.2.1), and a host table, like curl's --resolve,
 * so that ServerURIs written with the spec's host names reach the emulated parts on loopback.
 */
import { Agent, type Dispatcher } from 'undici';
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

/** Where a request URL goes, as undici's dispatcher takes it (what its `request(url)` makes of a URL). */
interface Target {
  origin: string;
  path: string;
  /** The Host header, when the host table sends the request elsewhere. */
  host: string | undefined;
}

type Body = Dispatcher.ResponseData['body'];

/**
 * A response body, read with listeners rather than an async iterator (a promise per chunk), into
 * one array; undefined when it grows past `max` (the rest is not read). A stream that closes
 * before its end is an error, as with the iterator.
 */
function collect(body: Body, max: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        done = true;
        body.destroy();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    body.on('end', () => {
      done = true;
      const out = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      resolve(out);
    });
    body.on('error', (e) => {
      done = true;
      reject(e);
    });
    body.on('close', () => {
      if (!done) reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
  });
}

export class UndiciHttpClient implements HttpPort {
  private readonly agents = new Map<string, Agent>();
  private readonly targets = new Map<string, Target>();
  /** Where the host table sends each origin: every device's own repository URL has the same one. */
  private readonly origins = new Map<string, { origin: string; host: string | undefined }>();

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

  /**
   * Where a request URL goes, the host table applied, parsed once: every session of a device posts
   * to the same SrvURI. Bounded, since a URL with a DevID in it is seen once per device.
   */
  private target(raw: string): Target | string {
    const known = this.targets.get(raw);
    if (known) return known;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return `'${raw}' is not a URL`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${url.protocol} is not HTTP`;
    const path = url.pathname + url.search;
    let to = this.origins.get(url.origin);
    if (!to) {
      const key = url.origin;
      const mapped = this.opts.hosts?.get(url.host) ?? this.opts.hosts?.get(url.hostname);
      to = { origin: url.origin, host: undefined };
      if (mapped) {
        to.host = url.host;
        const m = new URL(mapped);
        url.protocol = m.protocol;
        url.host = m.host;
        to.origin = url.origin;
      }
      if (this.origins.size >= 256) this.origins.clear();
      this.origins.set(key, to);
    }
    const t: Target = { origin: to.origin, path, host: to.host };
    if (this.targets.size >= 256) this.targets.clear();
    this.targets.set(raw, t);
    return t;
  }

  async send(req: HttpRequest): Promise<HttpOutcome> {
    const to = this.target(req.url);
    if (typeof to === 'string') return { ok: false, error: to };
    const headers = { ...req.headers };
    if (to.host !== undefined) headers.host = to.host;
    const max = this.opts.maxBody ?? 16 * 1024 * 1024;
    try {
      const res = await this.agent(req.tls).request({ origin: to.origin, path: to.path, method: req.method, headers, body: req.body ?? null });
      const body = await collect(res.body, max);
      if (!body) return { ok: false, error: `the response is larger than ${max} bytes` };
      const out: Record<string, string> = {};
      for (const k in res.headers) {
        const v = res.headers[k];
        if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      }
      return { ok: true, response: { status: res.statusCode, headers: out, body } };
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
