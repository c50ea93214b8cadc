/**
 * Scenarios on real sockets: the ScenarioHost the runner drives. Files are read relative to the
 * scenario (never written: a device's tree is loaded into memory, a repository folder copied);
 * the mini DM Server and the devices listen on ephemeral loopback ports; each device's DM Account
 * SrvURI host is mapped to the server it is given; delegation steps run in a lab of their own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DeviceHandle, Emit, Hooks, PeersHandle, ScenarioHost, ServerHandle } from '../core/engine/scenario.js';
import type { HttpPort, HttpRequest } from '../core/engine/ports.js';
import { mediaTypeOf } from '../core/dm20/model.js';
import { mediaType } from '../core/http/message.js';
import type { DeviceParticipant, DmServerParticipant } from '../core/scenario/model.js';
import type { SessionOutcome } from '../core/engine/device.js';
import { DmServerEngine } from '../core/engine/server.js';
import { serverSideOfExchange } from '../core/trace/events.js';
import { DataRepository } from '../core/engine/repository.js';
import { account, devId } from '../core/engine/account.js';
import type { DmTree } from '../core/tree/model.js';
import { DEVINFO_MOID } from '../core/tree/wellKnown.js';
import { serveDmServer } from './dmServerHost.js';
import { FileStore } from './fileStore.js';
import { UndiciHttpClient } from './httpClient.js';
import { runDevice, systemClock } from './deviceHost.js';
import { sendDatagram } from './udp.js';
import { loadDdfs } from './ddfs.js';
import { InputError, readPackage2, readTree } from './inputFiles.js';
import { labCertificates, runDelegationFlow, type Pki } from './delegationLab.js';
import { hostOf } from '../core/engine/transfer.js';

export function scenarioHost(dir: string): ScenarioHost {
  const file = (f: string): string => path.resolve(dir, f);
  let pki: Promise<Pki> | undefined;
  // The standard DDFs of DM 2.0 12 (a node's access types: EXEC of a leaf that is not executable is 405).
  let ddfs: ReturnType<typeof loadDdfs> | undefined;
  return {
    tree: (f) => readTree([file(f)]),
    package2: (f) => readPackage2(file(f)),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    within: <T>(p: Promise<T>, ms: number, what: string) =>
      new Promise<T>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
        p.then((v) => (clearTimeout(t), resolve(v)), (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))));
      }),
    startServer: async (p: DmServerParticipant, serverId: string, trace: Emit): Promise<ServerHandle> => {
      // The repository is a copy: what devices write during the run never reaches the workspace.
      const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-run-'));
      if (p.repository !== undefined) {
        const src = file(p.repository);
        if (!fs.statSync(src, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`${p.id}: repository ${src} is not a folder`);
        for (const f of fs.readdirSync(src)) if (fs.statSync(path.join(src, f)).isFile()) fs.copyFileSync(path.join(src, f), path.join(repo, f));
      }
      const user = p.user?.split(':');
      const engine = new DmServerEngine({
        serverId, repository: new DataRepository(new FileStore(repo)), clock: systemClock, trace: (e) => void (serverSideOfExchange(e) || trace(e)), name: p.id,
        ...(user && user.length >= 2 ? { credentials: { users: new Map([[user[0]!, user.slice(1).join(':')]]), realm: 'omadm', secret: randomBytes(16).toString('hex') } } : {}),
      });
      const server = await serveDmServer(engine);
      return {
        engine, url: server.url,
        inject: (status, count) => engine.failNext(status, count),
        close: async () => {
          await server.close();
          fs.rmSync(repo, { recursive: true, force: true });
        },
      };
    },
    startDevices: async (p: DeviceParticipant, count: number, serverUrl: string | undefined, trace: Emit, hooks?: Hooks): Promise<DeviceHandle[]> => {
      const out: DeviceHandle[] = [];
      try {
        for (let i = 0; i < count; i++) {
          const tree = readTree([file(p.tree)]);
          if (count > 1) renumber(tree, i + 1);
          const acc = account(tree, p.serverId);
          const hosts = serverUrl && acc?.serverUri ? new Map([[new URL(acc.serverUri).host, serverUrl]]) : undefined;
          const http = new UndiciHttpClient({ ...(hosts ? { hosts } : {}), timeout: 10_000 });
          const name = count > 1 ? `${p.id}-${i + 1}` : p.id;
          // A debugger pauses before each request the device sends (DM packages and the Data Repository's exchanges alike).
          const gated: HttpPort = hooks?.message ? { send: async (req) => (await hooks.message!({ from: name, to: p.server ?? hostOf(req.url), label: labelOf(req), method: req.method, url: req.url, ...(req.body ? { body: new TextDecoder().decode(req.body) } : {}) }), http.send(req)) } : http;
          const outcomes: SessionOutcome[] = [];
          const waiting: { index: number; resolve: (o: SessionOutcome) => void }[] = [];
          const device = await runDevice({ tree, ddfs: ddfs ??= loadDdfs([]), http: gated, trace, ...(hooks?.command ? { beforeCommand: (c, at) => hooks.command!(name, c, at) } : {}), udpPort: 0, name, onSession: (o) => {
            outcomes.push(o);
            for (const w of waiting.splice(0)) if (outcomes.length > w.index) w.resolve(outcomes[w.index]!);
            else waiting.push(w);
          } });
          out.push({
            engine: device.engine, outcomes,
            session: (req) => device.session({ ...(p.serverId !== undefined ? { serverId: p.serverId } : {}), ...req }),
            outcome: (index) => (outcomes.length > index ? Promise.resolve(outcomes[index]!) : new Promise((resolve) => waiting.push({ index, resolve }))),
            notify: (bytes) => sendDatagram(bytes, '127.0.0.1', device.udpPort),
            idle: () => device.idle(),
            close: async () => {
              await device.close();
              await http.close();
            },
          });
        }
      } catch (e) {
        for (const d of out) await d.close();
        throw e;
      }
      return out;
    },
    startPeers: async (_id: string, trace: Emit, hooks?: Hooks): Promise<PeersHandle> => {
      pki ??= labCertificates();
      const c = await pki;
      return {
        run: (flow, o) => runDelegationFlow(flow, {
          pki: c, trace, ...(o.full !== undefined ? { full: o.full } : {}), ...(hooks?.message ? { beforeMessage: hooks.message } : {}),
          ...(o.failAt ? { [o.failAt.side === 'dms1' ? 'failDms1' : 'failDms2']: { step: o.failAt.step, ...(o.failAt.reasonCode !== undefined ? { reasonCode: o.failAt.reasonCode } : {}) } } : {}),
        }),
        close: async () => undefined,
      };
    },
  };
}

/** A copy of a device in a fleet gets its own DevID (DevInfo DevID, DM 2.0 12.1): the tree's, then -N. */
function renumber(tree: DmTree, n: number): void {
  const id = devId(tree);
  for (const moid of tree.moids()) {
    if (!DEVINFO_MOID.test(moid)) continue;
    for (const inst of tree.instances(moid)) {
      const node = inst.root.child('DevID');
      if (node && !node.interior) tree.setValue(node, `${id ?? 'device'}-${n}`);
    }
  }
}

/** What a request is, as a debugger's function breakpoints name it: Package#1, Package#3, or the HTTP method. */
function labelOf(req: HttpRequest): string {
  const type = mediaType(req.headers['content-type'] ?? '');
  if (type === mediaTypeOf('pkg1')) return 'Package#1';
  if (type === mediaTypeOf('pkg3') || type === 'multipart/form-data') return 'Package#3';
  return req.method;
}
