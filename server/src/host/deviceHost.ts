/**
 * An emulated device on real sockets: it listens for DM Notifications on UDP (DM 2.0 E.1), runs
 * the DM Session each accepted one asks for, one session at a time, then reports asynchronous EXEC
 * results (5.4.1); with `save` the mutated tree is written back atomically after each session,
 * never otherwise.
 */
import { DeviceEngine, type DeviceOptions, type SessionOutcome, type SessionRequest } from '../core/engine/device.js';
import { unwrapWapPush } from '../core/notification/wapPush.js';
import { serializeTree } from '../core/tree/load.js';
import { type Clock, type HttpPort, NO_TRACE, type TraceSink } from '../core/engine/ports.js';
import type { DmTree } from '../core/tree/model.js';
import type { Ddf } from '../core/tree/ddf.js';
import { listenUdp, type UdpListener } from './udp.js';
import { writeFileAtomic } from './atomicWrite.js';

export interface DeviceHostOptions {
  tree: DmTree;
  ddfs?: ReadonlyMap<string, Ddf>;
  ddfLinks?: ReadonlyMap<string, string>;
  http: HttpPort;
  trace: TraceSink;
  clock?: Clock;
  name?: string;
  /** UDP port for WAP Push (default 2948, E.1; 0 for any free one). */
  udpPort?: number;
  udpHost?: string;
  /** Connect here instead of the DM Account's SrvURI. */
  serverUrl?: string;
  /** Where to write the tree after each session (only when asked to). */
  saveTo?: string;
  onSession?: (o: SessionOutcome) => void;
  beforeCommand?: DeviceOptions['beforeCommand'];
}

export interface RunningDevice {
  engine: DeviceEngine;
  udpPort: number;
  /** Runs one session now, after any in progress (a client-initiated session, or one a notification asked for). */
  session(req?: SessionRequest): Promise<SessionOutcome>;
  /** Resolves when no session is running or queued. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };

export async function runDevice(o: DeviceHostOptions): Promise<RunningDevice> {
  const clock = o.clock ?? systemClock;
  const engine = new DeviceEngine({ tree: o.tree, ...(o.ddfs ? { ddfs: o.ddfs } : {}), ...(o.ddfLinks ? { ddfLinks: o.ddfLinks } : {}), http: o.http, clock, trace: o.trace, ...(o.name ? { name: o.name } : {}), ...(o.beforeCommand ? { beforeCommand: o.beforeCommand } : {}) });
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  const session = (req: SessionRequest = {}): Promise<SessionOutcome> => {
    const run = chain.then(async () => {
      const outcome = await engine.session({ ...req, ...(o.serverUrl && !req.url ? { url: o.serverUrl } : {}) });
      o.onSession?.(outcome);
      for (const r of await engine.followUps(outcome.serverId)) o.onSession?.(r);
      await engine.settled();
      if (o.saveTo) writeFileAtomic(o.saveTo, serializeTree(o.tree));
      return outcome;
    });
    chain = run.catch(() => undefined);
    return run;
  };
  let udp: UdpListener | undefined;
  udp = await listenUdp(o.udpPort ?? 2948, o.udpHost ?? '127.0.0.1', (bytes, from) => {
    if (closed) return;
    const push = unwrapWapPush(bytes);
    const verdict = push.ok ? engine.receiveNotification(push.notification) : { accepted: false as const, reason: push.reason, serverId: undefined, notificationId: undefined };
    // The notification names its sender (SERVER-ID, 7.1); the datagram's address is an ephemeral socket's.
    if (o.trace !== NO_TRACE) o.trace({ time: clock.now(), from: verdict.serverId ?? from, to: engine.name, transport: 'udp', kind: 'package0', body: Buffer.from(push.ok ? push.notification : bytes).toString('hex'), ...(verdict.notificationId !== undefined ? { notificationId: verdict.notificationId } : {}), note: verdict.accepted ? `accepted from ${verdict.serverId}` : `dropped: ${verdict.reason}` });
    if (verdict.accepted) void session({ serverId: verdict.serverId, notification: { ...(verdict.notificationId !== undefined ? { notificationId: verdict.notificationId } : {}), reqMos: verdict.reqMos } }).catch(() => undefined);
  });
  return {
    engine,
    udpPort: udp.port,
    session,
    idle: async () => {
      for (let seen = chain; ; seen = chain) {
        await seen;
        if (seen === chain) return;
      }
    },
    close: async () => {
      closed = true;
      await udp?.close();
      udp = undefined;
      await chain;
    },
  };
}
