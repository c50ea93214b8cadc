/**
 * The running mini DM Server's control endpoints, for the person driving it (`curl`, the VS Code
 * commands): queue a Package#2 for a device while the server runs, send a DM Notification to a
 * device's UDP address (E.1), and read what each device has done. They answer loopback peers
 * only, so that nobody else on the network can steer the server.
 *
 *   POST /omadm/queue/<DevID>      body: a Package#2 (validated; 400 with its diagnostics)  -> 202
 *   POST /omadm/notify?to=udp://HOST:PORT&reqMos=1   body: {"secret","authData"} or empty -> 202
 *   GET  /omadm/devices            -> the devices' queues, alerts and command results
 */
import type { DmServerEngine, Incoming } from '../core/engine/server.js';
import { type Outgoing, problem } from '../core/engine/problem.js';
import { parsePackage } from '../core/dm20/model.js';
import { text, utf8 } from '../core/engine/ports.js';
import { sendDatagram } from './udp.js';

export const CONTROL_PATH = '/omadm/';

export const json = (status: number, value: unknown): Outgoing => ({ status, headers: { 'content-type': 'application/json' }, body: utf8(JSON.stringify(value, null, 1)) });

function loopback(peer: string | undefined): boolean {
  return !!peer && /^(127\.|::1$|::ffff:127\.)/.test(peer.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''));
}

export async function control(engine: DmServerEngine, req: Incoming, more?: (req: Incoming, path: string) => Promise<Outgoing | undefined>): Promise<Outgoing> {
  if (!loopback(req.peer)) return problem(403, 'Forbidden', 'The control endpoints answer loopback clients only.');
  const url = new URL(req.target, 'http://localhost');
  const rest = url.pathname.slice(CONTROL_PATH.length);
  const extra = more ? await more(req, rest) : undefined;
  if (extra) return extra;
  if (req.method === 'GET' && rest === 'devices') {
    return json(200, [...engine.devices.values()].map((d) => ({ devId: d.devId, queued: d.queue.length, sessions: d.sessions, state: d.flow?.state ?? 'idle', alerts: d.alerts, results: d.results })));
  }
  if (req.method === 'POST' && rest.startsWith('queue/')) {
    const devId = decodeURIComponent(rest.slice('queue/'.length));
    if (!devId) return problem(400, 'No DevID', 'POST /omadm/queue/<DevID> with a Package#2.');
    const parsed = parsePackage(text(req.body), 'pkg2');
    if (!parsed.value) return problem(400, 'Invalid Package#2', 'The Package#2 does not validate (DM 2.0 7.2.1.2).', parsed.diagnostics.filter((d) => d.severity === 'error').slice(0, 20));
    engine.enqueue(devId, parsed.value);
    return json(202, { devId, queued: engine.device(devId).queue.length });
  }
  if (req.method === 'POST' && rest === 'notify') {
    const to = /^udp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(url.searchParams.get('to') ?? '');
    if (!to || Number(to[2]) < 1 || Number(to[2]) > 65535) return problem(400, 'No address', 'POST /omadm/notify?to=udp://HOST:PORT');
    let creds: { secret?: unknown; authData?: unknown } = {};
    if (req.body.length) {
      try {
        creds = JSON.parse(text(req.body)) as typeof creds;
      } catch {
        return problem(400, 'Not JSON', 'The body is {"secret": "...", "authData": "..."} or empty.');
      }
    }
    const n = engine.notification({ ...(typeof creds.secret === 'string' ? { secret: creds.secret } : {}), ...(typeof creds.authData === 'string' ? { authData: creds.authData } : {}), ...(url.searchParams.get('reqMos') ? { reqMos: true } : {}) });
    try {
      await sendDatagram(n.bytes, to[1]!.replace(/^\[|\]$/g, ''), Number(to[2]));
    } catch (e) {
      return problem(502, 'Not sent', (e as Error).message);
    }
    return json(202, { notificationId: n.notificationId, bytes: n.bytes.length });
  }
  return problem(404, 'Not found', `No control endpoint ${req.method} ${url.pathname}.`);
}
