// The pieces of the emulator benchmark (bench/fleet.ts): the device template, the DM Session the
// mini DM Server runs with every device, the bare HTTP peer it is compared with, and an HttpPort
// that hands requests to the server engine in memory.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { loadTrees } from '../server/src/core/tree/load.ts';
import type { DmTree } from '../server/src/core/tree/model.ts';
import { parsePackage, type Package2 } from '../server/src/core/dm20/model.ts';
import { DmServerEngine, type Incoming } from '../server/src/core/engine/server.ts';
import { DataRepository, MemoryStore } from '../server/src/core/engine/repository.ts';
import { type HttpMethod, type HttpOutcome, type HttpPort, type HttpRequest, NO_TRACE, type TraceSink } from '../server/src/core/engine/ports.ts';
import { readParts } from '../server/src/host/dmServerHost.ts';
import { systemClock } from '../server/src/host/deviceHost.ts';

export const SERVER_ID = 'DMS_FLEET';
/** The SrvURI host; the HTTP clients map it to the loopback server, as `omadm demo` does. */
export const HOST = 'dm.fleet.test';
export const NOTI = { secret: 'noti-secret', authData: 'nonce' };
const DEVINFO = 'urn:oma:mo:oma-dm-devinfo:1.0';
const DMACC = 'urn:oma:mo:oma-dm-dmacc:1.2';
const APP = 'urn:oma:mo:ext-fleet-app:1.0';
/** What UndiciHttpClient gives its agent by default; the bare peer uses the same, so both queue alike. */
export const AGENT = { timeout: 30_000, connections: 64, keepAliveTimeout: 4_000 };

/** A device's tree: DevInfo with its own DevID, the DM Account of the fleet's server, one small MO. */
export function deviceTree(i: number): DmTree {
  const items = [
    { DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf', ClientURI: `${DEVINFO}/miid1/`, MOData: { miid1: { DevID: devIdOf(i), Man: 'Vendor', Mod: 'DM_Client', DmV: '2.0', Lang: 'en' } } },
    { ClientURI: `${DMACC}/dms1/`, MOData: { dms1: { SrvID: SERVER_ID, SrvURI: `http://${HOST}/dm`, Name: 'Fleet', Auth: { Noti: { Type: 0, Data: NOTI.authData, Secret: NOTI.secret } } } } },
    { ClientURI: `${APP}/app/`, MOData: { app: { Version: '1.4.2', Settings: { Mode: 'auto', Interval: 3600, Enabled: true }, Operations: { Update: '' } } } },
  ];
  // One file name for all: every node keeps its source, and 10,000 distinct names would only measure strings.
  return loadTrees([{ file: 'fleet.dmtree.json', text: JSON.stringify(items) }]).tree;
}

export function devIdOf(i: number): string {
  return `IMEI:${490154203237518 + i}`;
}

/** The one Package#2 before END: GET a leaf (multipart Package#3), HPUT a subtree to the Data Repository, EXEC a node. */
const SESSION: Package2 = (() => {
  const p = parsePackage(JSON.stringify({ CMD: [['GET', `${APP}/app/Version`], ['HPUT', `http://${HOST}/repository/[DevID]/app`, `${APP}/app/Settings`], ['EXEC', `${APP}/app/Operations/Update`]] }), 'pkg2');
  if (!p.value) throw new Error(`the fleet's Package#2 does not validate: ${JSON.stringify(p.diagnostics)}`);
  return p.value;
})();

export function serverEngine(trace: TraceSink = NO_TRACE): { engine: DmServerEngine; store: MemoryStore } {
  const store = new MemoryStore();
  return { engine: new DmServerEngine({ serverId: SERVER_ID, repository: new DataRepository(store), clock: systemClock, trace, commands: [SESSION] }), store };
}

/** The engines alone: a request goes to the server engine's `handle()` as the socket host would build it, multipart parts included. */
export class InMemoryHttp implements HttpPort {
  constructor(private readonly engine: DmServerEngine) {}

  async send(req: HttpRequest): Promise<HttpOutcome> {
    const url = new URL(req.url);
    if (url.host !== HOST) return { ok: false, error: `no route to ${url.host}` };
    const body = req.body ?? new Uint8Array(0);
    const headers: Record<string, string> = { ...req.headers, host: url.host, 'content-length': String(body.length) };
    const incoming: Incoming = { method: req.method, target: url.pathname + url.search, headers, body, peer: 'in-memory' };
    if ((headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) incoming.parts = await readParts(headers, Buffer.from(body.buffer, body.byteOffset, body.length), 4 * 1024 * 1024);
    const out = await this.engine.handle(incoming);
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.headers)) h[k] = Array.isArray(v) ? v.join(', ') : v;
    return { ok: true, response: { status: out.status, headers: h, body: out.body } };
  }
}

/** Runs `one(0..n-1)` with at most `concurrency` in flight. */
export async function pool(n: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, async () => {
    while (next < n) await one(next++);
  }));
}

/** CPU milliseconds of the process (all its threads) since `c0`. */
export function cpuSince(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

export function percentile(sorted: Float64Array, q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : NaN;
}

/** One HTTP request of a session as the device sent it, replayed by the bare peer. */
export interface WireRequest {
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface Bare {
  /** `sessions` sessions of the same requests, in order, with `concurrency` sessions in flight; returns the latencies. */
  run(sessions: number, concurrency: number): Promise<{ sessions: number; wallMs: number; cpuMs: number; latencies: Float64Array; failures: number }>;
  close(): Promise<void>;
}

/** The peer: a node:http server that reads the body and answers a fixed small body, and undici `request` with UndiciHttpClient's agent settings. */
export async function bare(requests: WireRequest[]): Promise<Bare> {
  const answer = Buffer.from('{"CMD": [["END"]]}');
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Joined as the DM Server host joins a body, so that both pay for reading it.
      Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/vnd.oma.dm.request+json', 'content-length': String(answer.length) });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent({ headersTimeout: AGENT.timeout, bodyTimeout: AGENT.timeout, connectTimeout: AGENT.timeout, keepAliveTimeout: AGENT.keepAliveTimeout, connections: AGENT.connections });
  return {
    async run(sessions, concurrency) {
      const latencies = new Float64Array(sessions);
      let failures = 0;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await pool(sessions, concurrency, async (i) => {
        const s = performance.now();
        for (const r of requests) {
          try {
            const res = await request(origin + r.path, { method: r.method, headers: { ...r.headers, host: HOST }, body: r.body, dispatcher: agent });
            const chunks: Buffer[] = [];
            for await (const c of res.body) chunks.push(c as Buffer);
            // Joined as UndiciHttpClient joins an answer.
            Buffer.concat(chunks);
            if (res.statusCode !== 200) failures++;
          } catch {
            failures++;
          }
        }
        latencies[i] = performance.now() - s;
      });
      return { sessions, wallMs: performance.now() - t0, cpuMs: cpuSince(c0), latencies: latencies.sort(), failures };
    },
    close: async () => {
      await agent.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
