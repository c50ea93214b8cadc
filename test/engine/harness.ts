// Runs the mini DM Server and an emulated device against each other over real loopback sockets.
import { randomBytes } from 'node:crypto';
import { DmServerEngine, type ServerOptions } from '../../server/src/core/engine/server.ts';
import { DataRepository, MemoryStore } from '../../server/src/core/engine/repository.ts';
import { loadTrees } from '../../server/src/core/tree/load.ts';
import { parsePackage, type Package2 } from '../../server/src/core/dm20/model.ts';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';
import type { Ddf } from '../../server/src/core/tree/ddf.ts';
import { serveDmServer, type RunningServer } from '../../server/src/host/dmServerHost.ts';
import { UndiciHttpClient } from '../../server/src/host/httpClient.ts';
import { runDevice, systemClock, type RunningDevice } from '../../server/src/host/deviceHost.ts';
import type { SessionOutcome, SessionRequest } from '../../server/src/core/engine/device.ts';

export const DEVID = 'IMEI:493005100592800';
export const DEVINFO = 'urn:oma:mo:oma-dm-devinfo:1.0';
export const DMACC = 'urn:oma:mo:oma-dm-dmacc:1.2';
export const DACMO = 'urn:oma:mo:oma-dm-dacmo:1.0';

/** A DM Account for DMS_ID1 (DM 2.0 12.2) whose SrvURI is on the host dm.test. */
export function dmacc(extra: Record<string, unknown> = {}): unknown {
  return { ClientURI: `${DMACC}/dms1/`, MOData: { dms1: { SrvID: 'DMS_ID1', SrvURI: 'http://dm.test/dm', Name: 'Test', Auth: { Noti: { Type: 0, Data: 'nonce', Secret: 'noti-secret' }, Trsp: { Data: 'device1', Secret: 'pw' } }, ...extra } } };
}

export function devinfo(): unknown {
  return { DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf', ClientURI: `${DEVINFO}/miid1/`, CV: 'cv-1', MOData: { miid1: { DevID: DEVID, Man: 'Vendor', Mod: 'DM_Client', DmV: '2.0' } } };
}

export function treeOf(items: unknown[]) {
  return loadTrees([{ file: 'test.dmtree.json', text: JSON.stringify(items) }]).tree;
}

export function pkg2(...commands: string[][]): Package2 {
  const p = parsePackage(JSON.stringify({ CMD: commands }), 'pkg2');
  if (!p.value) throw new Error(`test Package#2 does not validate: ${JSON.stringify(p.diagnostics)}`);
  return p.value;
}

export interface Rig {
  server: RunningServer;
  engine: DmServerEngine;
  store: MemoryStore;
  device: RunningDevice;
  http: UndiciHttpClient;
  events: TraceEvent[];
  serverEvents: TraceEvent[];
  session(req?: SessionRequest): Promise<SessionOutcome>;
  close(): Promise<void>;
}

export interface RigOptions {
  items: unknown[];
  commands?: Package2[];
  formats?: string[];
  users?: Record<string, string>;
  ddfs?: ReadonlyMap<string, Ddf>;
  server?: Partial<ServerOptions>;
  timeout?: number;
  /** Extra host names mapped to the server. */
  hosts?: string[];
  ddfLinks?: ReadonlyMap<string, string>;
  /** Diagnostic codes a test's own Package#2s carry on purpose (the server sends what it is given). */
  allow?: string[];
  /** Data Repository items before the session: key -> [Content-Type, body]. */
  repository?: Record<string, [string, string]>;
}

export async function rig(o: RigOptions): Promise<Rig> {
  const store = new MemoryStore();
  for (const [k, [contentType, body]] of Object.entries(o.repository ?? {})) store.items.set(k, { contentType, body: new TextEncoder().encode(body) });
  const serverEvents: TraceEvent[] = [];
  const events: TraceEvent[] = [];
  const engine = new DmServerEngine({
    serverId: 'DMS_ID1', repository: new DataRepository(store, o.formats), clock: systemClock, trace: (e) => void serverEvents.push(e), commands: o.commands ?? [],
    ...(o.users ? { credentials: { users: new Map(Object.entries(o.users)), realm: 'omadm', secret: randomBytes(8).toString('hex') } } : {}),
    ...o.server,
  });
  const server = await serveDmServer(engine);
  const http = new UndiciHttpClient({ hosts: new Map(['dm.test', ...(o.hosts ?? [])].map((h) => [h, server.url])), timeout: o.timeout ?? 5000 });
  const device = await runDevice({ tree: treeOf(o.items), ...(o.ddfs ? { ddfs: o.ddfs } : {}), ...(o.ddfLinks ? { ddfLinks: o.ddfLinks } : {}), http, trace: (e) => void events.push(e), udpPort: 0, udpHost: '127.0.0.1' });
  return {
    server, engine, store, device, http, events, serverEvents,
    session: (req = {}) => device.session(req),
    close: async () => {
      await device.close();
      await http.close();
      await server.close();
      assertEmittedValid(events, serverEvents, o.allow);
    },
  };
}

export function text(b: Uint8Array | undefined): string {
  return new TextDecoder().decode(b);
}

/** Waits for a condition with a deadline (no fixed sleeps). */
export async function until<T>(what: string, probe: () => T | undefined | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Every package the emulated parts emit validates with the project's own validators, without a
 * single diagnostic: the device's Package#1 and #3 and the MO data it sends, the server's Package#2.
 */
export function assertEmittedValid(deviceEvents: TraceEvent[], serverEvents: TraceEvent[], allow: string[] = []): void {
  const kinds = { package1: 'pkg1', package3: 'pkg3', package2: 'pkg2' } as const;
  const emitted = [
    ...deviceEvents.filter((e) => e.kind === 'package1' || e.kind === 'package3').map((e) => [kinds[e.kind as 'package1'], e.body] as const),
    ...deviceEvents.filter((e) => e.kind === 'http' && /dmmo\+json/.test(e.headers?.['content-type'] ?? '')).map((e) => ['mo', JSON.parse(e.requestBody!)] as const),
    ...serverEvents.filter((e) => e.kind === 'package2').map((e) => ['pkg2', e.body] as const),
  ];
  for (const [kind, body] of emitted) {
    if (body === undefined) continue;
    const d = parsePackage(JSON.stringify(body), kind).diagnostics.filter((x) => !allow.includes(x.code));
    if (d.length) throw new Error(`an emitted ${kind} has diagnostics: ${JSON.stringify(d.map((x) => `${x.code}: ${x.message}`))}\n${JSON.stringify(body)}`);
  }
  for (const e of deviceEvents) {
    for (const p of e.parts ?? []) {
      if (p.contentType !== 'application/dmmo+json') continue;
      const d = parsePackage(p.body, 'mo').diagnostics;
      if (d.length) throw new Error(`an emitted MO data part has diagnostics: ${JSON.stringify(d.map((x) => x.message))}`);
    }
  }
}
