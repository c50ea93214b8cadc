// The emulator benchmark, run by `npm run bench` as the bundle dist/bench/fleet.js with
// --expose-gc (alone: `npm run build && node --expose-gc dist/bench/fleet.js`). Figures, not a
// test: 10,000 emulated devices each run a server-initiated DM Session against the mini DM Server
// on loopback (Package#0 over UDP, Package#1, Package#2 [GET, HPUT, EXEC], Package#3, Package#2
// [END]); the same HTTP requests replayed against a bare node:http server, alternated with the
// fleet; the heap an emulated device holds; and the same sessions with the engines alone, over an
// HttpPort that calls the server engine in memory. The fleet's devices and server keep no trace
// (NO_TRACE, as a host with nobody reading one); the one traced session checks the trace against
// what went over the wire. Exits 1 when a session fails or a handle stays open.
// With `--rows FILE` (as `npm run bench` runs it) the table goes to FILE, for the bench's one table.
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { DeviceEngine, type SessionOutcome } from '../server/src/core/engine/device.ts';
import { type HttpPort, type HttpRequest, NO_TRACE } from '../server/src/core/engine/ports.ts';
import { unwrapWapPush } from '../server/src/core/notification/wapPush.ts';
import type { TraceEvent } from '../server/src/core/trace/events.ts';
import { serveDmServer } from '../server/src/host/dmServerHost.ts';
import { UndiciHttpClient } from '../server/src/host/httpClient.ts';
import { runDevice, systemClock, type RunningDevice } from '../server/src/host/deviceHost.ts';
import { AGENT, HOST, InMemoryHttp, NOTI, bare, cpuSince, devIdOf, deviceTree, percentile, pool, serverEngine, type WireRequest } from './fleet-parts.ts';

/** `--name value` from the command line, for shorter runs (`--devices 2000 --pairs 3`). */
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? NaN : Number(process.argv[i + 1]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}
const FLEET = arg('devices', 10_000);
const PAIR = arg('pair', 2_000);
const PAIRS = arg('pairs', 5);
/** Sessions in flight: 10,000 at once would only measure queueing in the agent's 64 connections. */
const CONCURRENCY = arg('concurrency', 256);
/** A lost datagram or a hung session must not hang the benchmark: pending sessions fail after this. */
const DEADLINE_MS = 60_000;
const gc = (globalThis as { gc?: () => void }).gc;

interface Run {
  sessions: number;
  wallMs: number;
  /** CPU time of the process (all its threads) over the sessions: less sensitive than wall time to other load on the machine. */
  cpuMs: number;
  latencies: Float64Array;
  failures: number;
  reasons: Map<string, number>;
  /** Heap used per device after a forced GC, the fleet alive and idle (undefined without --expose-gc). */
  heapPerDevice?: number;
  /** The same after every device ran its session: with what the session left, the server's record of the device included. */
  heapPerDeviceAfter?: number;
  setupMs: number;
}

function heapUsed(): number | undefined {
  if (!gc) return undefined;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function fail(reasons: Map<string, number>, reason: string): void {
  reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
}

/** Sends the WAP Push datagrams of the DM Server; one socket for the whole run. */
const sender = dgram.createSocket('udp4');

/** `n` emulated devices on their own UDP ports, each running one notified session against the mini DM Server over loopback. */
async function socketFleet(n: number, measureHeap = false): Promise<Run> {
  const { engine } = serverEngine();
  const server = await serveDmServer(engine);
  const http = new UndiciHttpClient({ hosts: new Map([[HOST, server.url]]), timeout: AGENT.timeout, connections: AGENT.connections });
  const waiters: (((o: SessionOutcome | undefined) => void) | undefined)[] = new Array(n);
  const devices: RunningDevice[] = new Array(n);
  const before = measureHeap ? heapUsed() : undefined;
  const s0 = performance.now();
  await pool(n, 500, async (i) => {
    devices[i] = await runDevice({ tree: deviceTree(i), http, trace: NO_TRACE, udpPort: 0, udpHost: '127.0.0.1', onSession: (o) => waiters[i]?.(o) });
  });
  const setupMs = performance.now() - s0;
  const after = measureHeap ? heapUsed() : undefined;
  const reasons = new Map<string, number>();
  const latencies = new Float64Array(n);
  let failures = 0;
  try {
    const deadline = setTimeout(() => waiters.forEach((w) => w?.(undefined)), DEADLINE_MS);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await pool(n, CONCURRENCY, async (i) => {
      const s = performance.now();
      const outcome = new Promise<SessionOutcome | undefined>((resolve) => (waiters[i] = resolve));
      const { bytes } = engine.notification(NOTI);
      sender.send(bytes, devices[i]!.udpPort, '127.0.0.1', (err) => err && waiters[i]?.(undefined));
      const o = await outcome;
      waiters[i] = undefined;
      latencies[i] = performance.now() - s;
      if (o?.outcome !== 'completed') {
        failures++;
        fail(reasons, o ? `${o.outcome}: ${o.reason}` : 'no session before the deadline');
      }
    });
    const wallMs = performance.now() - t0;
    const cpuMs = cpuSince(c0);
    clearTimeout(deadline);
    await Promise.all(devices.map((d) => d.idle()));
    const done = measureHeap ? heapUsed() : undefined;
    return {
      sessions: n, wallMs, cpuMs, latencies: latencies.sort(), failures, reasons, setupMs,
      ...(before !== undefined && after !== undefined ? { heapPerDevice: (after - before) / n } : {}),
      ...(before !== undefined && done !== undefined ? { heapPerDeviceAfter: (done - before) / n } : {}),
    };
  } finally {
    await pool(n, 1000, (i) => devices[i]?.close() ?? Promise.resolve());
    await http.close();
    await server.close();
  }
}

/** The same sessions with the engines alone: no sockets, the notification handed over as bytes. */
async function inMemoryFleet(n: number): Promise<Run> {
  const { engine } = serverEngine();
  const http = new InMemoryHttp(engine);
  const before = heapUsed();
  const s0 = performance.now();
  const devices = Array.from({ length: n }, (_, i) => new DeviceEngine({ tree: deviceTree(i), http, clock: systemClock, trace: NO_TRACE }));
  const setupMs = performance.now() - s0;
  const after = heapUsed();
  const reasons = new Map<string, number>();
  const latencies = new Float64Array(n);
  let failures = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await pool(n, CONCURRENCY, async (i) => {
    const s = performance.now();
    const push = unwrapWapPush(engine.notification(NOTI).bytes);
    const verdict = push.ok ? devices[i]!.receiveNotification(push.notification) : { accepted: false as const, reason: push.reason };
    const o = verdict.accepted ? await devices[i]!.session({ serverId: verdict.serverId, notification: { ...(verdict.notificationId !== undefined ? { notificationId: verdict.notificationId } : {}), reqMos: verdict.reqMos } }) : undefined;
    latencies[i] = performance.now() - s;
    if (o?.outcome !== 'completed') {
      failures++;
      fail(reasons, o ? `${o.outcome}: ${o.reason}` : `notification dropped: ${'reason' in verdict ? verdict.reason : ''}`);
    }
  });
  return { sessions: n, wallMs: performance.now() - t0, cpuMs: cpuSince(c0), latencies: latencies.sort(), failures, reasons, setupMs, ...(before !== undefined && after !== undefined ? { heapPerDevice: (after - before) / n } : {}) };
}

/** One traced session over sockets: the HTTP requests it makes (checked against the trace) and the statuses of its commands. */
async function traceOne(): Promise<{ requests: WireRequest[]; summary: string }> {
  const events: TraceEvent[] = [];
  const { engine } = serverEngine();
  const server = await serveDmServer(engine);
  const inner = new UndiciHttpClient({ hosts: new Map([[HOST, server.url]]), timeout: AGENT.timeout });
  const sent: HttpRequest[] = [];
  const http: HttpPort = { send: (req) => (sent.push(req), inner.send(req)) };
  let done!: (o: SessionOutcome) => void;
  const outcome = new Promise<SessionOutcome>((r) => (done = r));
  const device = await runDevice({ tree: deviceTree(0), http, trace: (e) => void events.push(e), udpPort: 0, udpHost: '127.0.0.1', onSession: done });
  try {
    sender.send(engine.notification(NOTI).bytes, device.udpPort, '127.0.0.1');
    let timer: NodeJS.Timeout | undefined;
    const o = await Promise.race([outcome, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), 10_000)))]);
    clearTimeout(timer);
    await device.idle();
    if (o?.outcome !== 'completed') throw new Error(`the traced session did not complete: ${o ? o.reason : 'no session in 10 s'}`);
    const traced = events.filter((e) => e.transport === 'http' && (e.kind === 'package1' || e.kind === 'package3' || e.kind === 'http'));
    if (traced.length !== sent.length) throw new Error(`the trace shows ${traced.length} HTTP requests, the port saw ${sent.length}`);
    const statuses = engine.device(devIdOf(0)).results.map((r) => `${r.command.split(' ')[0]} ${r.status}`);
    if (statuses.join() !== 'GET 200,HPUT 200,EXEC 200') throw new Error(`unexpected command statuses: ${statuses.join(', ')}`);
    const packages = events.filter((e) => e.kind.startsWith('package')).map((e) => e.kind.replace('package', '#'));
    const requests = sent.map((r) => ({ method: r.method, path: new URL(r.url).pathname, headers: r.headers, body: r.body ?? new Uint8Array(0) }));
    const summary = `one session: packages ${packages.join(' ')}; ${sent.length} HTTP requests: ${sent.map((r) => `${r.method} ${new URL(r.url).pathname} (${r.body?.length ?? 0} B, ${r.headers['content-type']?.split(';')[0]})`).join(', ')}; commands ${statuses.join(', ')}`;
    return { requests, summary };
  } finally {
    await device.close();
    await inner.close();
    await server.close();
  }
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const rate = (r: { sessions: number; wallMs: number }): number => r.sessions / (r.wallMs / 1000);
const fixed = (x: number): string => x.toFixed(2);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  await new Promise<void>((r) => sender.bind(0, '127.0.0.1', r));
  const { requests, summary } = await traceOne();
  console.log(summary);
  const peer = await bare(requests);
  const rows: [string, string, string, string][] = [];
  let failed = 0;
  try {
    // Warm-up, not reported: JIT, the agent's connections, the servers' first sockets.
    await socketFleet(1000);
    await peer.run(1000, CONCURRENCY);
    await inMemoryFleet(1000);

    const headline = await socketFleet(FLEET, true);
    const headBare = await peer.run(FLEET, CONCURRENCY);
    console.log(`fleet of ${FLEET}: set-up (trees, engines, UDP ports) ${sec(headline.setupMs)}, sessions ${sec(headline.wallMs)} (CPU ${sec(headline.cpuMs)}); bare ${sec(headBare.wallMs)} (CPU ${sec(headBare.cpuMs)})`);
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let p = 0; p < PAIRS; p++) {
      // Which side goes first alternates, so that neither always runs on what the other left.
      const b0 = p % 2 ? await peer.run(PAIR, CONCURRENCY) : undefined;
      const f = await socketFleet(PAIR);
      const b = b0 ?? (await peer.run(PAIR, CONCURRENCY));
      failed += f.failures + b.failures;
      for (const [k, v] of f.reasons) console.log(`  pair ${p + 1} failure x${v}: ${k}`);
      ratios.push(f.wallMs / b.wallMs);
      cpuRatios.push(f.cpuMs / b.cpuMs);
      console.log(`pair ${p + 1}: fleet ${sec(f.wallMs)} (CPU ${sec(f.cpuMs)}), bare ${sec(b.wallMs)} (CPU ${sec(b.cpuMs)}), ratio ${fixed(f.wallMs / b.wallMs)} (CPU ${fixed(f.cpuMs / b.cpuMs)})`);
    }
    const mem = await inMemoryFleet(FLEET);
    failed += headline.failures + headBare.failures + mem.failures;
    for (const [k, v] of [...headline.reasons, ...mem.reasons]) console.log(`  failure x${v}: ${k}`);

    const yes = (ok: boolean): string => (ok ? 'yes' : 'NO');
    const kb = (b: number | undefined): string => (b === undefined ? 'n/a (needs --expose-gc)' : `${(b / 1024).toFixed(1)} KB`);
    const lat = (r: { latencies: Float64Array }, digits = 1): string => `${percentile(r.latencies, 0.5).toFixed(digits)} / ${percentile(r.latencies, 0.99).toFixed(digits)} ms`;
    const cpu = (r: { cpuMs: number; sessions: number }): string => `${((r.cpuMs / r.sessions) * 1000).toFixed(0)} µs`;
    const n = FLEET.toLocaleString('en');
    rows.push(
      [`fleet set-up: ${n} trees, device engines, UDP listeners`, sec(headline.setupMs), '', ''],
      [`fleet: ${n} sessions over UDP + HTTP, ${CONCURRENCY} in flight`, sec(headline.wallMs), '< 10 s', yes(headline.wallMs < 10_000)],
      ['fleet: sessions per second', rate(headline).toFixed(0), '', ''],
      ['fleet: session p50 / p99 (Package#0 sent to outcome)', lat(headline), '', ''],
      ['fleet: sessions not completed', String(headline.failures), '0', yes(headline.failures === 0)],
      ['fleet: CPU per session (process, all threads)', cpu(headline), '', ''],
      [`bare HTTP: ${(FLEET * requests.length).toLocaleString('en')} requests, ${requests.length} a session, ${CONCURRENCY} in flight`, sec(headBare.wallMs), '', ''],
      ['bare HTTP: sessions per second', rate(headBare).toFixed(0), '', ''],
      ['bare HTTP: session p50 / p99', lat(headBare), '', ''],
      ['bare HTTP: CPU per session', cpu(headBare), '', ''],
      [`fleet / bare, wall time, ${PAIRS} pairs of ${PAIR.toLocaleString('en')} sessions`, `${fixed(Math.min(...ratios))} / ${fixed(median(ratios))} / ${fixed(Math.max(...ratios))}x`, '<= 2x', yes(median(ratios) <= 2)],
      ['fleet / bare, CPU time, the same pairs', `${fixed(Math.min(...cpuRatios))} / ${fixed(median(cpuRatios))} / ${fixed(Math.max(...cpuRatios))}x`, '', ''],
      ['heap per emulated device (after GC)', kb(headline.heapPerDevice), '< 100 KB', headline.heapPerDevice === undefined ? '?' : yes(headline.heapPerDevice < 100 * 1024)],
      ['heap per device after its session (the server\'s record included)', kb(headline.heapPerDeviceAfter), '', ''],
      ['heap per device engine and tree alone (in memory)', kb(mem.heapPerDevice), '', ''],
      [`engines alone (in-memory HttpPort): ${n} sessions`, sec(mem.wallMs), '', ''],
      ['engines alone: sessions per second', rate(mem).toFixed(0), '', ''],
      ['engines alone: session p50 / p99', lat(mem, 2), '', ''],
      ['engines alone: CPU per session', cpu(mem), '', ''],
      ['engines alone: sessions not completed', String(mem.failures), '0', yes(mem.failures === 0)],
    );
  } finally {
    await peer.close();
    await new Promise<void>((r) => sender.close(r));
  }
  // Everything the benchmark opened is closed: nothing but the standard streams may keep the process
  // alive. Closed handles leave on a later turn of the event loop, hence the short wait.
  let open: string[] = [];
  for (let tries = 0; tries < 50; tries++) {
    await new Promise((r) => setTimeout(r, 20));
    open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap' && r !== 'FSReqCallback');
    if (!open.length) break;
  }
  const counts = new Map<string, number>();
  for (const r of open) counts.set(r, (counts.get(r) ?? 0) + 1);
  rows.push(['sockets, servers, timers open at the end', open.length ? [...counts].map(([k, v]) => `${k} x${v}`).join(', ') : 'none', 'none', open.length ? 'NO' : 'yes']);
  const out = process.argv.indexOf('--rows');
  if (out >= 0) {
    const table = rows.map(([figure, value, target, met]) => ({ figure, value, target, ...(met ? { met: met === 'yes' } : {}) }));
    fs.writeFileSync(process.argv[out + 1]!, JSON.stringify({ rows: table, failed: failed || open.length ? ['the fleet: a session failed or a handle stayed open'] : [] }));
    if (failed || open.length) process.exitCode = 1;
    return;
  }
  const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['figure', 'measured', 'target'][c]!.length));
  const line = (r: string[]): string => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padStart(w[1]!)}  ${r[2]!.padEnd(w[2]!)}  ${r[3]}`.trimEnd();
  console.log(`\n${line(['figure', 'measured', 'target', 'met'])}\n${rows.map(line).join('\n')}`);
  if (failed || open.length) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
  try {
    sender.close();
  } catch {
    // already closed
  }
});
