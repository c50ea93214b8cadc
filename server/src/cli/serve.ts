/** `omadm serve dm-server|device`, `omadm session` and `omadm notify`: the emulated parts on real sockets (DESIGN.md). */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { DmServerEngine } from '../core/engine/server.js';
import { DataRepository, MemoryStore } from '../core/engine/repository.js';
import { wrapWapPush, WAP_PUSH_PORT } from '../core/notification/wapPush.js';
import { serveDmServer } from '../host/dmServerHost.js';
import { FileStore } from '../host/fileStore.js';
import { UndiciHttpClient } from '../host/httpClient.js';
import { runDevice, systemClock } from '../host/deviceHost.js';
import { sendDatagram } from '../host/udp.js';
import { loadDdfs } from '../host/ddfs.js';
import { serializeTree } from '../core/tree/load.js';
import { writeFileAtomic } from '../host/atomicWrite.js';
import { CliError, hostTable, printer, readPackage2, readText, readTree, untilStopped } from './parts.js';
import { ENCODE_OPTIONS, isUsageError, notificationFrom } from './notification.js';
import type { Io } from './omadm.js';
import { PEERS_HELP, servePeerCommand } from './servePeers.js';

export const SERVE_HELP = `Usage: omadm serve dm-server [--port P] [--host H] [--repository DIR] [--commands FILE.pkg2.json]...
                 [--server-id ID] [--user NAME:PASSWORD]... [--tls --cert F --key F [--ca F]] [--json]
       omadm serve device --tree FILE.dmtree.json [--server URL] [--udp-port P] [--host NAME=URL]...
                 [--save] [--json]

dm-server  the mini DM Server (DM 2.0 5.2): takes Package#1 and Package#3 POSTed to any path,
           answers each with the next Package#2 of --commands (every device gets them in order;
           END when none is left), collects Generic Alerts, and serves a Data Repository under
           /repository/ from the files of --repository (HGET reads them, HPUT/HPOST/SUB write
           them atomically; formats negotiated as 5.5 says). With --user, sessions need HTTP
           Basic or Digest credentials (9.2.1); with --ca, a client certificate from that CA is
           accepted too. Prints its URL, then one line per package.
device     an emulated DM 2.0 Client with the DM tree of --tree (a copy in memory: the file is
           rewritten, atomically, only with --save). It listens for DM Notifications as
           connectionless WAP Push on UDP (E.1; port 2948 unless --udp-port), checks them (known
           SERVER-ID, SHA256-DIGEST with the DM Account's credentials, duplicates), and runs the
           DM Session each accepted one asks for. --server replaces the DM Account's SrvURI;
           --host maps a host name of the ServerURIs to another URL (like curl --resolve).

Options:
  --json    one JSON object per line for each package or HTTP exchange (the first line is the URL
            or the UDP port either way)
  -h, --help

Runs until stopped (Ctrl+C); every socket is closed then. Exit status: 2 usage error.
`;

export const SESSION_HELP = `Usage: omadm session --tree FILE --server URL [--server-id ID] [--host NAME=URL]... [--json] [--save]

Runs one client-initiated DM Session (DM 2.0 5.2, ClientInitiatedMgmt) from an emulated device
with the tree of FILE, as the DM Server whose DM Account SrvID is ID (default: the tree's only
DM Account), against URL, and prints the trace: one line per package or HTTP exchange. Asynchronous
EXEC results (5.4.1) are reported in sessions of their own before it exits.

Options:
  --json    one JSON object per line: {"from","to","kind","method","url","status","contentType",
            "body"}, and last {"outcome":"completed"|"aborted","reason"}
  --save    write the mutated tree back to FILE (atomically)
  -h, --help

Exit status: 0 completed, 1 aborted, 2 usage error or unreadable tree.
`;

export const NOTIFY_HELP = `Usage: omadm notify udp://HOST:PORT --server-id ID [encode options]

Sends a DM Notification (Package#0, DM 2.0 7.1) as a connectionless WAP Push over UDP (E.1) to a
device, e.g. one started with 'omadm serve device'. The options are those of 'omadm encode'
(--notification-id, --con-type, --timestamp, --req-mos, --secret, --auth-data); the port defaults
to ${WAP_PUSH_PORT}, the WAP Push port.

Exit status: 0 sent, 2 usage error or not sent.
`;

export async function serveCommand(args: string[], io: Io): Promise<number> {
  const [what, ...rest] = args;
  if (what === 'dm-server') return serveServer(rest, io);
  if (what === 'device') return serveDevice(rest, io);
  if (what === 'dms1' || what === 'dms2') return servePeerCommand(what, rest, io);
  if (what === '--help' || what === '-h') {
    io.out(`${SERVE_HELP}\n${PEERS_HELP}`);
    return 0;
  }
  io.err(`omadm serve: say what to serve: dm-server, device, dms1 or dms2\n\n${SERVE_HELP}\n${PEERS_HELP}`);
  return 2;
}

export async function guarded(name: string, io: Io, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CliError || isUsageError(e) || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`omadm ${name}: ${(e as Error).message}\nRun 'omadm ${name} --help'.\n`);
      return 2;
    }
    throw e;
  }
}

function users(list: string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const u of list ?? []) {
    const colon = u.indexOf(':');
    if (colon < 1) throw new CliError(`--user '${u}' is NAME:PASSWORD`);
    out.set(u.slice(0, colon), u.slice(colon + 1));
  }
  return out;
}

function serveServer(args: string[], io: Io): Promise<number> {
  return guarded('serve dm-server', io, async () => {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: 'string' }, host: { type: 'string' }, repository: { type: 'string' }, commands: { type: 'string', multiple: true }, 'server-id': { type: 'string' },
        user: { type: 'string', multiple: true }, tls: { type: 'boolean' }, cert: { type: 'string' }, key: { type: 'string' }, ca: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(SERVE_HELP);
      return 0;
    }
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port '${values.port}' is not a port number`);
    if (values.tls && (!values.cert || !values.key)) throw new CliError('--tls needs --cert and --key');
    if (values.repository !== undefined && !fs.statSync(values.repository, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`--repository ${values.repository} is not a folder`);
    const commands = (values.commands ?? []).map(readPackage2);
    const credentials = values.user?.length ? { users: users(values.user), realm: 'omadm', secret: randomBytes(16).toString('hex') } : undefined;
    const trace = printer(io, !!values.json);
    const engine = new DmServerEngine({
      serverId: values['server-id'] ?? 'omadm-dm-server', repository: new DataRepository(values.repository !== undefined ? new FileStore(values.repository) : new MemoryStore()), clock: systemClock, trace, commands,
      ...(credentials ? { credentials } : {}), ...(values.ca ? { acceptClientCertificates: true } : {}),
    });
    const tls = values.tls ? { cert: readText(values.cert!, 'certificate'), key: readText(values.key!, 'key'), ...(values.ca ? { ca: readText(values.ca, 'CA certificate') } : {}) } : undefined;
    const server = await serveDmServer(engine, { port, ...(values.host ? { host: values.host } : {}), ...(tls ? { tls } : {}), onError: (e) => io.err(`omadm serve dm-server: ${(e as Error).stack ?? e}\n`) });
    io.out(`${server.url}\n`);
    await untilStopped();
    await server.close();
    return 0;
  });
}

function serveDevice(args: string[], io: Io): Promise<number> {
  return guarded('serve device', io, async () => {
    const { values } = parseArgs({ args, options: { tree: { type: 'string', multiple: true }, server: { type: 'string' }, 'udp-port': { type: 'string' }, 'udp-host': { type: 'string' }, host: { type: 'string', multiple: true }, save: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      io.out(SERVE_HELP);
      return 0;
    }
    if (!values.tree?.length) throw new CliError('give the device its --tree');
    if (values.save && values.tree.length > 1) throw new CliError('--save writes one tree file; give one --tree');
    const udpPort = values['udp-port'] === undefined ? WAP_PUSH_PORT : Number(values['udp-port']);
    if (!Number.isInteger(udpPort) || udpPort < 0 || udpPort > 65535) throw new CliError(`--udp-port '${values['udp-port']}' is not a port number`);
    const tree = readTree(values.tree);
    const http = new UndiciHttpClient({ hosts: hostTable(values.host) });
    const device = await runDevice({
      tree, ddfs: loadDdfs([]), http, trace: printer(io, !!values.json), udpPort, ...(values['udp-host'] ? { udpHost: values['udp-host'] } : {}), ...(values.server ? { serverUrl: values.server } : {}),
      ...(values.save ? { saveTo: values.tree[0]! } : {}), onSession: (o) => io.out(values.json ? JSON.stringify({ outcome: o.outcome, reason: o.reason, sessionId: o.sessionId }) + '\n' : `session ${o.sessionId}: ${o.outcome} (${o.reason})\n`),
    });
    io.out(`udp://127.0.0.1:${device.udpPort}\n`);
    await untilStopped();
    await device.close();
    await http.close();
    return 0;
  });
}

export function sessionCommand(args: string[], io: Io): Promise<number> {
  return guarded('session', io, async () => {
    const { values } = parseArgs({ args, options: { tree: { type: 'string', multiple: true }, server: { type: 'string' }, 'server-id': { type: 'string' }, host: { type: 'string', multiple: true }, json: { type: 'boolean' }, save: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      io.out(SESSION_HELP);
      return 0;
    }
    if (!values.tree?.length) throw new CliError('give the device its --tree');
    if (!values.server) throw new CliError('give the DM Server --server URL');
    if (values.save && values.tree.length > 1) throw new CliError('--save writes one tree file; give one --tree');
    const tree = readTree(values.tree);
    const http = new UndiciHttpClient({ hosts: hostTable(values.host) });
    const trace = printer(io, !!values.json);
    const device = await runDevice({ tree, ddfs: loadDdfs([]), http, trace, udpPort: 0, serverUrl: values.server });
    try {
      const o = await device.session(values['server-id'] !== undefined ? { serverId: values['server-id'] } : {});
      if (values.save) writeFileAtomic(values.tree[0]!, serializeTree(tree));
      io.out(values.json ? JSON.stringify({ outcome: o.outcome, reason: o.reason }) + '\n' : `${o.outcome}: ${o.reason}\n`);
      return o.outcome === 'completed' ? 0 : 1;
    } finally {
      await device.close();
      await http.close();
    }
  });
}

export function notifyCommand(args: string[], io: Io): Promise<number> {
  return guarded('notify', io, async () => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: ENCODE_OPTIONS });
    if (values.help) {
      io.out(NOTIFY_HELP);
      return 0;
    }
    if (positionals.length !== 1) throw new CliError('give the device address udp://HOST:PORT');
    const m = /^udp:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(positionals[0]!);
    if (!m) throw new CliError(`'${positionals[0]}' is not udp://HOST:PORT`);
    const port = m[2] === undefined ? WAP_PUSH_PORT : Number(m[2]);
    if (port < 1 || port > 65535) throw new CliError(`port ${port} is out of range`);
    const bytes = wrapWapPush(notificationFrom(values));
    try {
      await sendDatagram(bytes, m[1]!.replace(/^\[|\]$/g, ''), port);
    } catch (e) {
      throw new CliError(`not sent: ${(e as Error).message}`);
    }
    io.out(values.json ? JSON.stringify({ sent: bytes.length, to: positionals[0] }) + '\n' : `sent ${bytes.length} bytes to ${positionals[0]}\n`);
    return 0;
  });
}
