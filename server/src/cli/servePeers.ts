/** `omadm serve dms1|dms2`: the delegation peers on real sockets (DESIGN.md). */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { DmServerEngine } from '../core/engine/server.js';
import { DataRepository, MemoryStore } from '../core/engine/repository.js';
import { DelegatingServer } from '../core/engine/delegation/dms1.js';
import { DelegatedServer } from '../core/engine/delegation/dms2.js';
import type { Peer } from '../core/engine/delegation/peer.js';
import { problem } from '../core/engine/problem.js';
import { conformance, reportMarkdown } from '../core/engine/delegation/report.js';
import { serveDmServer } from '../host/dmServerHost.js';
import { peerPorts, servePeer } from '../host/peerHost.js';
import { json } from '../host/control.js';
import { systemClock } from '../host/deviceHost.js';
import { CliError, printer, readText, untilStopped } from './parts.js';
import { guarded } from './serve.js';
import type { Io } from './omadm.js';

export const PEERS_HELP = `Usage: omadm serve dms1 --cert F --key F --ca F [--peer URL] [--port P] [--dm-port P] [--server-id ID]
                 --device udp://HOST:PORT --dev-id ID --man M --mod M [--secret S --auth-data D]
                 [--user NAME:PASSWORD]... [--json]
       omadm serve dms2 --cert F --key F --ca F [--peer URL] [--port P] [--dm-port P] [--server-id ID]
                 --device udp://HOST:PORT [--secret S --auth-data D] [--decline] [--json]

A delegation peer (Delegation 5.2, 5.3): its delegation interface over HTTPS that requires a client
certificate from --ca (refused at the TLS handshake otherwise, DM-DEL-S-001), and its own mini DM
Server (HTTP) through which it manages the device. --peer is the other peer's interface URL (which
may be your own DMS-1 or DMS-2), or POST /omadm/peer?url=URL on the DM Server once it is known.
Prints the interface URL, then the DM Server URL.

dms1 (Delegating Server) manages the device at --device (DevID --dev-id) with the DM Account
credentials given (--secret/--auth-data for the notification digest, --user for its DM Server).
Flows start on its DM Server's control endpoints (loopback only):
  POST /omadm/delegate?treeUri=/SCOMO&moid=urn:oma:mo:oma-scomo:1.0[&full=1]   DMAcc approach (5.2.1)
  POST /omadm/terminate?session=ID      termination asked by DMS-1 (5.2.3)
  POST /omadm/revoke?session=ID         forced revocation (5.2.5)
  GET  /omadm/delegations               every delegation session, its messages and outcome
  GET  /omadm/report, /omadm/report.md  the conformance report against the other peer, per SCR item
                                        DM-DEL-S-001..008 and per message (either peer)
dms2 (Delegated Server) accepts (or, with --decline, declines) what DMS-1 asks, gives its DMAcc
(its DM Server URL, --secret/--auth-data for the digest of its notifications), and runs its own
DM Session with the device; POST /omadm/revocation-request?session=ID asks DMS-1 to revoke (5.2.4).

Runs until stopped (Ctrl+C). Exit status: 2 usage error.
`;

export function servePeerCommand(role: 'dms1' | 'dms2', args: string[], io: Io): Promise<number> {
  return guarded(`serve ${role}`, io, async () => {
    const { values } = parseArgs({
      args,
      options: {
        cert: { type: 'string' }, key: { type: 'string' }, ca: { type: 'string' }, peer: { type: 'string' }, port: { type: 'string' }, 'dm-port': { type: 'string' }, 'server-id': { type: 'string' },
        device: { type: 'string' }, 'dev-id': { type: 'string' }, man: { type: 'string' }, mod: { type: 'string' }, secret: { type: 'string' }, 'auth-data': { type: 'string' }, user: { type: 'string', multiple: true },
        decline: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(PEERS_HELP);
      return 0;
    }
    if (!values.cert || !values.key || !values.ca) throw new CliError('--cert, --key and --ca are required: the peers authenticate each other with X.509 (DM-DEL-S-001)');
    // The other peer's interface; it may also be given later: POST /omadm/peer?url=... (two peers started at once cannot know each other's port).
    let peerUrl = values.peer ?? '';
    const setPeer = async (req: { method: string; target: string }, path: string): Promise<ReturnType<typeof json> | undefined> => {
      // The conformance report against the other peer (DM-DEL-S-001..008), as JSON or Markdown.
      if (req.method === 'GET' && path === 'report') return json(200, conformance(peer, peerUrl));
      if (req.method === 'GET' && path === 'report.md') return { status: 200, headers: { 'content-type': 'text/markdown; charset=utf-8' }, body: new TextEncoder().encode(reportMarkdown(conformance(peer, peerUrl))) };
      if (req.method !== 'POST' || path !== 'peer') return undefined;
      const url = new URL(req.target, 'http://x').searchParams.get('url') ?? '';
      if (!/^https:\/\//.test(url)) return problem(400, 'Not an https URL', 'The delegation interface is https://host[:port]/.../interface_name (Delegation 5.3).');
      peerUrl = url;
      return json(200, { peer: url });
    };
    const m = /^udp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(values.device ?? '');
    if (!m) throw new CliError('--device udp://HOST:PORT, where the device listens for DM Notifications, is required');
    if (role === 'dms1' && (!values['dev-id'] || !values.man || !values.mod)) throw new CliError('--dev-id, --man and --mod, the DevInfo DevID, Man and Mod of the device to delegate, are required (Delegation Table 1)');
    const port = (v: string | undefined, name: string): number => {
      const n = v === undefined ? 0 : Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`${name} '${v}' is not a port number`);
      return n;
    };
    const tls = { cert: readText(values.cert, 'certificate'), key: readText(values.key, 'key'), ca: readText(values.ca, 'CA certificate') };
    const trace = printer(io, !!values.json);
    const serverId = values['server-id'] ?? role.toUpperCase();
    const store = new MemoryStore();
    const users = new Map((values.user ?? []).map((u) => [u.slice(0, u.indexOf(':')), u.slice(u.indexOf(':') + 1)] as [string, string]));
    const dm = new DmServerEngine({ serverId, repository: new DataRepository(store), clock: systemClock, trace, name: role, ...(users.size ? { credentials: { users, realm: 'omadm', secret: randomBytes(16).toString('hex') } } : {}) });
    const ports = peerPorts(tls, { host: m[1]!.replace(/^\[|\]$/g, ''), port: () => Number(m[2]) }, trace);
    const noti = values.secret !== undefined ? { secret: values.secret, authData: values['auth-data'] ?? '' } : undefined;
    let dmUrl = '';
    let dmServer: { close(): Promise<void> } | undefined;
    let peer: Peer;
    let more: (req: { method: string; target: string }, path: string) => Promise<ReturnType<typeof json> | undefined>;
    if (role === 'dms1') {
      let base = '';
      const dms1 = new DelegatingServer({ serverId, dm, store, get repositoryUrl() { return base; }, get peerUrl() { return peerUrl; }, device: { devId: values['dev-id']!, man: values.man ?? '', mod: values.mod ?? '' }, ...(noti ? { notification: noti } : {}) }, ports);
      peer = dms1;
      more = async (req, path) => {
        const q = new URL(req.target, 'http://x').searchParams;
        const set = await setPeer(req, path);
        if (set) return set;
        if (req.method === 'POST' && path === 'delegate') {
          if (!q.get('treeUri') || !q.get('moid')) return problem(400, 'Missing parameters', 'POST /omadm/delegate?treeUri=/SCOMO&moid=urn:...[&full=1]');
          return json(200, await dms1.delegate({ treeUri: q.get('treeUri')!, moid: q.get('moid')!, full: q.get('full') === '1' }));
        }
        if (req.method === 'POST' && path === 'terminate') return json(200, await dms1.terminate(q.get('session') ?? ''));
        if (req.method === 'POST' && path === 'revoke') return json(200, await dms1.forceRevoke(q.get('session') ?? ''));
        if (req.method === 'GET' && path === 'delegations') return json(200, [...dms1.sessions.values()]);
        return undefined;
      };
      const s = await serveDmServer(dm, { port: port(values['dm-port'], '--dm-port'), control: more });
      dmServer = s;
      dmUrl = s.url;
      base = `${s.url}/repository/`;
    } else {
      const account = { serverId, name: `Delegated Server ${serverId}`, get address() { return `${dmUrl}/dm`; }, ...(noti ? { notification: { secret: noti.secret, data: noti.authData } } : {}) };
      const dms2 = new DelegatedServer({ serverId, dm, account, get peerUrl() { return peerUrl; }, ...(values.decline ? { accept: false } : {}) }, ports);
      peer = dms2;
      more = async (req, path) => {
        const q = new URL(req.target, 'http://x').searchParams;
        const set = await setPeer(req, path);
        if (set) return set;
        if (req.method === 'POST' && path === 'revocation-request') return json(200, await dms2.requestRevocation(q.get('session') ?? ''));
        if (req.method === 'GET' && path === 'delegations') return json(200, [...dms2.sessions.values()]);
        return undefined;
      };
      const s = await serveDmServer(dm, { port: port(values['dm-port'], '--dm-port'), control: more });
      dmServer = s;
      dmUrl = s.url;
    }
    const iface = await servePeer(peer, tls, { port: port(values.port, '--port') });
    io.out(`${iface.url}\n${dmUrl}\n`);
    await untilStopped();
    await peer.idle();
    await iface.close();
    await dmServer?.close();
    await ports.close();
    return 0;
  });
}
