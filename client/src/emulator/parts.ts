/**
 * The emulated parts running in the extension host: one mini DM Server (DM 2.0 5.2) and any number
 * of emulated devices, each on loopback with ephemeral ports. Each part keeps the trace of what it
 * sent and received; devices also keep their session outcomes and what changed in their tree since
 * they started. Nothing here outlives `stopAll()`: every socket is closed there.
 */
import * as vscode from 'vscode';
import { DmServerEngine } from '../../../server/src/core/engine/server';
import { DataRepository, MemoryStore } from '../../../server/src/core/engine/repository';
import { accounts, devId as devIdOf } from '../../../server/src/core/engine/account';
import type { SessionOutcome } from '../../../server/src/core/engine/device';
import type { HttpOutcome, HttpPort, HttpRequest } from '../../../server/src/core/engine/ports';
import type { TraceEvent } from '../../../server/src/core/trace/events';
import type { DmTree, TreeChange } from '../../../server/src/core/tree/model';
import { serveDmServer, type RunningServer } from '../../../server/src/host/dmServerHost';
import { runDevice, systemClock, type RunningDevice } from '../../../server/src/host/deviceHost';
import { UndiciHttpClient } from '../../../server/src/host/httpClient';
import { loadDdfs } from '../../../server/src/host/ddfs';
import { readTree } from '../../../server/src/host/inputFiles';

export interface ServerPart {
  readonly id: string;
  readonly engine: DmServerEngine;
  readonly url: string;
  readonly port: number;
  readonly serverId: string;
  readonly running: RunningServer;
}

/** What changed in a device's tree since it started, by `changeKey`. */
export type ChangeMark = 'modified' | 'deleted';

export interface DevicePart {
  readonly id: string;
  /** The device's name in traces: its DevInfo DevID (12.1), else "device". */
  readonly name: string;
  readonly devId: string | undefined;
  readonly files: readonly string[];
  readonly udpPort: number;
  readonly tree: DmTree;
  readonly trace: TraceEvent[];
  readonly outcomes: Map<string, SessionOutcome>;
  readonly changes: Map<string, ChangeMark>;
  readonly running: RunningDevice;
}

export function changeKey(moid: string, miid: string, path: readonly string[]): string {
  return [moid, miid, ...path].join('\u0000');
}

/**
 * The device's HTTP port: the hosts of its DM Accounts' SrvURIs (12.2) go to the mini DM Server
 * while one runs, read again before every request, since a session may rewrite the DMAcc (HGET).
 */
class DeviceHttp implements HttpPort {
  private readonly hosts = new Map<string, string>();
  private readonly client = new UndiciHttpClient({ hosts: this.hosts, timeout: 10_000 });

  constructor(private readonly tree: DmTree, private readonly serverUrl: () => string | undefined) {}

  send(req: HttpRequest): Promise<HttpOutcome> {
    this.hosts.clear();
    const url = this.serverUrl();
    if (url) {
      for (const a of accounts(this.tree)) {
        try {
          if (a.serverUri) this.hosts.set(new URL(a.serverUri).host, url);
        } catch {
          // A SrvURI that is not a URL is left alone: the session reports it.
        }
      }
    }
    return this.client.send(req);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

export class Emulator implements vscode.Disposable {
  server: ServerPart | undefined;
  readonly devices = new Map<string, DevicePart>();
  private counter = 0;
  private readonly closers = new Map<string, () => Promise<void>>();
  private readonly changedEmitter = new vscode.EventEmitter<void>();
  private readonly treeEmitter = new vscode.EventEmitter<DevicePart>();
  private readonly traceEmitter = new vscode.EventEmitter<{ part: DevicePart; event: TraceEvent }>();
  private readonly sessionEmitter = new vscode.EventEmitter<{ part: DevicePart; outcome: SessionOutcome }>();
  /** Parts started or stopped, trace events recorded, sessions ended. */
  readonly onDidChange = this.changedEmitter.event;
  /** A device's tree changed. */
  readonly onDidChangeTree = this.treeEmitter.event;
  readonly onDidTrace = this.traceEmitter.event;
  readonly onDidEndSession = this.sessionEmitter.event;

  async startServer(serverId: string): Promise<ServerPart> {
    if (this.server) return this.server;
    const id = `server-${++this.counter}`;
    // The devices trace what they exchange; the server's own events only refresh its counters in the view.
    const engine = new DmServerEngine({ serverId, repository: new DataRepository(new MemoryStore()), clock: systemClock, trace: () => this.changedEmitter.fire() });
    const running = await serveDmServer(engine, { port: 0 });
    this.server = { id, engine, url: running.url, port: running.port, serverId, running };
    this.changedEmitter.fire();
    return this.server;
  }

  async stopServer(): Promise<boolean> {
    const s = this.server;
    if (!s) return false;
    this.server = undefined;
    this.changedEmitter.fire();
    await s.running.close();
    return true;
  }

  /** A device on a copy of the tree files, in memory: the files are never written (no `saveTo`). */
  async startDevice(files: string[]): Promise<DevicePart> {
    const tree = readTree(files);
    const wanted = devIdOf(tree);
    // The DM Server keeps a device's queue and sessions by its DevID (5.2.2 OMADM-DevID): one device per DevID.
    if (wanted !== undefined && [...this.devices.values()].some((d) => d.devId === wanted)) throw new Error(`a device with DevID ${wanted} is already running`);
    const id = `device-${++this.counter}`;
    const http = new DeviceHttp(tree, () => this.server?.url);
    const trace: TraceEvent[] = [];
    const outcomes = new Map<string, SessionOutcome>();
    const changes = new Map<string, ChangeMark>();
    let part: DevicePart | undefined;
    const pending: TraceEvent[] = [];
    let running: RunningDevice;
    try {
      running = await runDevice({
        tree, ddfs: loadDdfs([]), http, udpPort: 0,
        trace: (e) => {
          trace.push(e);
          if (part) this.traceEmitter.fire({ part, event: e });
          else pending.push(e);
          this.changedEmitter.fire();
        },
        onSession: (o) => {
          outcomes.set(o.sessionId, o);
          if (part) this.sessionEmitter.fire({ part, outcome: o });
          this.changedEmitter.fire();
        },
      });
    } catch (e) {
      await http.close();
      throw e;
    }
    const devId = running.engine.devId;
    const stopListening = tree.onChange((c) => {
      mark(changes, c);
      if (part) this.treeEmitter.fire(part);
    });
    part = { id, name: running.engine.name, devId, files: [...files], udpPort: running.udpPort, tree, trace, outcomes, changes, running };
    this.devices.set(id, part);
    this.closers.set(id, async () => {
      stopListening();
      await running.close();
      await http.close();
    });
    for (const e of pending) this.traceEmitter.fire({ part, event: e });
    this.changedEmitter.fire();
    return part;
  }

  async stopDevice(part: DevicePart): Promise<void> {
    const close = this.closers.get(part.id);
    this.closers.delete(part.id);
    this.devices.delete(part.id);
    this.changedEmitter.fire();
    await close?.();
  }

  /** Closes every socket; the closing starts synchronously, so a dispose that cannot wait still closes them. */
  async stopAll(): Promise<void> {
    await Promise.allSettled([this.stopServer(), ...[...this.devices.values()].map((d) => this.stopDevice(d))]);
  }

  dispose(): void {
    void this.stopAll();
    this.changedEmitter.dispose();
    this.treeEmitter.dispose();
    this.traceEmitter.dispose();
    this.sessionEmitter.dispose();
  }
}

/** Records a tree change: written nodes and new instances as modified, deleted ones as deleted. */
function mark(changes: Map<string, ChangeMark>, c: TreeChange): void {
  const key = changeKey(c.instance.moid, c.instance.miid, c.path);
  if (c.kind === 'delete' || c.kind === 'remove-instance') changes.set(key, 'deleted');
  // A restore puts back what a snapshot held (a rollback): nothing new to mark.
  else if (c.kind !== 'restore') changes.set(key, 'modified');
}
