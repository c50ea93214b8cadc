/**
 * The scenario runner: starts a scenario's participants through the host, runs its steps in
 * order, checks each step's expectations, and checks that every DM package exchanged validates
 * with the editor's validators (one code path). A step that fails stops the scenario; the steps
 * after it are skipped. The `stepper` is called before each step: a debugger pauses there.
 * Pure orchestration: sockets, files and timers are the host's (ScenarioHost).
 */
import type { Scenario, Step, DeviceParticipant, DmServerParticipant, FlowName } from '../scenario/model.js';
import type { DmTree } from '../tree/model.js';
import type { DmCommand, Package2 } from '../dm20/model.js';
import { parsePackage } from '../dm20/model.js';
import type { PackageKind } from '../dm20/packages.js';
import { type TraceEvent, renamed } from '../trace/events.js';
import { resolveClientUri } from '../tree/resolve.js';
import type { DmServerEngine } from './server.js';
import type { DeviceEngine, SessionOutcome, SessionRequest } from './device.js';
import { account } from './account.js';
import { hostOf } from './transfer.js';

export interface ServerHandle {
  engine: DmServerEngine;
  url: string;
  /** The next `count` DM packages POSTed get this HTTP status instead of an answer. */
  inject(status: number, count: number): void;
  close(): Promise<void>;
}

export interface DeviceHandle {
  engine: DeviceEngine;
  /** Every session it ran, in order (those a DM Notification started included). */
  readonly outcomes: SessionOutcome[];
  session(req?: SessionRequest): Promise<SessionOutcome>;
  /** Resolves with the session at this index of `outcomes` once it has ended. */
  outcome(index: number): Promise<SessionOutcome>;
  /** Sends it a DM Notification (the bytes of a WAP Push, DM 2.0 E.1). */
  notify(bytes: Uint8Array): Promise<void>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface FlowOutcome {
  ok: boolean;
  step?: string;
  reason?: string;
  before: string;
  after: string;
}

export interface PeersHandle {
  run(flow: FlowName, o: { failAt?: { side: 'dms1' | 'dms2'; step: string; reasonCode?: number }; full?: boolean }): Promise<FlowOutcome>;
  close(): Promise<void>;
}

export type Emit = (e: TraceEvent) => void;

/** Where a run can pause (a debugger's stops): before a step, a message a part sends, a command a device carries out; after a failed step. */
export type PausePoint =
  | { kind: 'step'; step: Step }
  | { kind: 'message'; step: Step; from: string; to: string; label: string; method?: string; url?: string; body?: string }
  | { kind: 'command'; step: Step; device: string; command: DmCommand; sessionId: string; index: number; count: number }
  | { kind: 'failure'; step: Step; result: StepResult };

/** What the host calls as the parts work, so that a run can pause inside a step. */
export interface Hooks {
  message?(m: { from: string; to: string; label: string; method?: string; url?: string; body?: string }): Promise<void>;
  command?(device: string, c: DmCommand, at: { sessionId: string; index: number; count: number }): Promise<void>;
}

export interface ScenarioHost {
  tree(file: string): DmTree;
  package2(file: string): Package2;
  startServer(p: DmServerParticipant, serverId: string, trace: Emit): Promise<ServerHandle>;
  /** `count` copies of a device; `serverUrl` is where its DM Account's SrvURI host goes. */
  startDevices(p: DeviceParticipant, count: number, serverUrl: string | undefined, trace: Emit, hooks?: Hooks): Promise<DeviceHandle[]>;
  startPeers(id: string, trace: Emit, hooks?: Hooks): Promise<PeersHandle>;
  sleep(ms: number): Promise<void>;
  /** Rejects when `ms` pass first. */
  within<T>(p: Promise<T>, ms: number, what: string): Promise<T>;
  now(): number;
}

export type StepStatus = 'passed' | 'failed' | 'errored' | 'skipped';

export interface StepResult {
  index: number;
  name: string;
  line: number;
  status: StepStatus;
  message?: string;
  expected?: string;
  actual?: string;
  duration: number;
}

export interface ScenarioResult {
  name: string;
  passed: boolean;
  steps: StepResult[];
  /** Why the participants could not start, when they could not. */
  error?: string;
  duration: number;
}

export interface RunOptions {
  scenario: Scenario;
  host: ScenarioHost;
  trace?: Emit;
  /** Copies of every device participant, instead of their `count` (a fleet). */
  devices?: number;
  /** Called at every pause point; a debugger resolves it when the run may go on. */
  stepper?: (at: PausePoint) => Promise<void>;
  onStep?: (r: StepResult) => void;
  /** The running parts, once started: a debugger shows their state. */
  onParticipants?: (p: { servers: ReadonlyMap<string, ServerHandle>; devices: ReadonlyMap<string, DeviceHandle[]>; peers: ReadonlyMap<string, PeersHandle> }) => void;
  /** Checked between steps: a cancelled run skips the rest and tears everything down. */
  cancelled?: () => boolean;
}

class Expectation extends Error {
  constructor(
    message: string,
    readonly expected?: string,
    readonly actual?: string,
  ) {
    super(message);
  }
}

const KINDS: Partial<Record<TraceEvent['kind'], PackageKind>> = { package1: 'pkg1', package2: 'pkg2', package3: 'pkg3' };
const strip = (s: string): string => JSON.stringify((JSON.parse(s) as { CV?: string }[]).map(({ CV: _cv, ...rest }) => rest));

export async function runScenario(o: RunOptions): Promise<ScenarioResult> {
  const { scenario, host } = o;
  const t0 = host.now();
  const events: TraceEvent[] = [];
  let current = -1;
  // One lifeline per participant: a DM Server is also known by its URL's host, its ServerID and the SrvURI hosts mapped to it.
  const names = new Map<string, string>();
  const emit: Emit = (e) => {
    const tagged = { ...renamed(e, names), ...(current >= 0 ? { step: current } : {}) };
    events.push(tagged);
    o.trace?.(tagged);
  };
  const servers = new Map<string, ServerHandle>();
  const devices = new Map<string, DeviceHandle[]>();
  const peers = new Map<string, PeersHandle>();
  const results: StepResult[] = [];
  let error: string | undefined;
  let running: Step | undefined;
  const stepper = o.stepper;
  const hooks: Hooks | undefined = stepper && {
    message: async (m) => {
      if (running) await stepper({ kind: 'message', step: running, ...m });
    },
    command: async (device, command, at) => {
      if (running) await stepper({ kind: 'command', step: running, device, command, ...at });
    },
  };
  try {
    // Servers first: devices need their URLs.
    for (const p of scenario.participants) {
      if (p.kind !== 'dm-server') continue;
      const firstDevice = scenario.participants.find((d): d is DeviceParticipant => d.kind === 'device' && d.server === p.id);
      const serverId = p.serverId ?? (firstDevice ? account(host.tree(firstDevice.tree), firstDevice.serverId)?.serverId : undefined);
      if (!serverId) throw new Error(`${p.id}: no serverId given, and no device's DM Account to take it from (DM 2.0 12.2)`);
      const server = await host.startServer(p, serverId, emit);
      servers.set(p.id, server);
      names.set(new URL(server.url).host, p.id).set(serverId, p.id);
    }
    for (const p of scenario.participants) {
      if (p.kind === 'device') {
        const fleet = await host.startDevices(p, o.devices ?? p.count ?? 1, p.server === undefined ? undefined : servers.get(p.server)?.url ?? p.server, emit, hooks);
        devices.set(p.id, fleet);
        const srvUri = fleet[0] ? account(fleet[0].engine.tree, p.serverId)?.serverUri : undefined;
        if (p.server !== undefined && servers.has(p.server) && srvUri) names.set(hostOf(srvUri), p.server);
      }
      if (p.kind === 'delegation') peers.set(p.id, await host.startPeers(p.id, emit, hooks));
    }
    o.onParticipants?.({ servers, devices, peers });
  } catch (e) {
    error = `the participants could not start: ${(e as Error).message}`;
  }
  for (const step of scenario.steps) {
    if (error !== undefined || results.some((r) => r.status !== 'passed') || o.cancelled?.()) {
      const r: StepResult = { index: step.index, name: step.name, line: step.line, status: 'skipped', duration: 0, ...(error !== undefined ? { message: error } : o.cancelled?.() ? { message: 'cancelled' } : {}) };
      results.push(r);
      o.onStep?.(r);
      continue;
    }
    await stepper?.({ kind: 'step', step });
    current = step.index;
    running = step;
    const from = events.length;
    const s0 = host.now();
    let r: StepResult;
    try {
      await host.within(run(step, { host, servers, devices, peers, events: () => events.slice(from) }), scenario.timeout, `the end of step ${step.index + 1} (${step.name})`);
      // By default every message exchanged must validate (DM 2.0 7.2.1; Delegation Tables 1-18 are checked by the peers themselves).
      if (step.expect.valid ?? scenario.validate) {
        const bad = invalidMessages(events.slice(from));
        if (bad) throw new Expectation(`an exchanged message does not validate: ${bad}`, 'every message valid', bad);
      }
      r = { index: step.index, name: step.name, line: step.line, status: 'passed', duration: host.now() - s0 };
    } catch (e) {
      const x = e instanceof Expectation ? e : undefined;
      r = { index: step.index, name: step.name, line: step.line, status: x ? 'failed' : 'errored', message: (e as Error).message, ...(x?.expected !== undefined ? { expected: x.expected } : {}), ...(x?.actual !== undefined ? { actual: x.actual } : {}), duration: host.now() - s0 };
    }
    current = -1;
    running = undefined;
    if (r.status === 'failed' || r.status === 'errored') await stepper?.({ kind: 'failure', step, result: r });
    results.push(r);
    o.onStep?.(r);
  }
  for (const d of [...devices.values()].flat()) await d.close().catch(() => undefined);
  for (const p of peers.values()) await p.close().catch(() => undefined);
  for (const s of servers.values()) await s.close().catch(() => undefined);
  return { name: scenario.name, passed: error === undefined && results.every((r) => r.status === 'passed'), steps: results, ...(error !== undefined ? { error } : {}), duration: host.now() - t0 };
}

interface Parts {
  host: ScenarioHost;
  /** The trace events of the running step so far. */
  events: () => readonly TraceEvent[];
  servers: Map<string, ServerHandle>;
  devices: Map<string, DeviceHandle[]>;
  peers: Map<string, PeersHandle>;
}

async function run(step: Step, p: Parts): Promise<void> {
  const a = step.action;
  const x = step.expect;
  const fleet = (id: string): DeviceHandle[] => p.devices.get(id) ?? [];
  switch (a.kind) {
    case 'queue': {
      const server = p.servers.get(a.server)!;
      const pkg: Package2 = a.package !== undefined ? p.host.package2(a.package) : checkedPackage2(a.commands ?? []);
      const targets = a.device !== undefined ? fleet(a.device) : [...p.devices.values()].flat();
      for (const d of targets) server.engine.enqueue(d.engine.devId ?? d.engine.name, pkg);
      return;
    }
    case 'notify': {
      const server = p.servers.get(a.server)!;
      const outcomes = await Promise.all(fleet(a.device).map(async (d) => {
        const before = d.outcomes.length;
        const noti = notificationCredentials(d.engine.tree, server.engine.opts.serverId);
        await d.notify(server.engine.notification({ ...(a.reqMos ? { reqMos: true } : {}), ...(noti ?? {}) }).bytes);
        // The session the notification asks for (5.2.1), then what follows it (5.4.1, 8.3).
        const out = await d.outcome(before);
        await d.idle();
        return out;
      }));
      return expectSessions(outcomes, x, p);
    }
    case 'session': {
      const outcomes = await Promise.all(fleet(a.device).map((d) => d.session(a.serverId !== undefined ? { serverId: a.serverId } : {}).then(async (out) => (await d.idle(), out))));
      return expectSessions(outcomes, x, p);
    }
    case 'check':
      for (const d of fleet(a.device)) {
        const r = resolveClientUri(d.engine.tree, a.uri);
        const where = `${a.uri} on ${d.engine.name}`;
        const wanted = a.status ?? (a.value !== undefined || (a.count ?? 1) > 0 ? 200 : undefined);
        if (wanted !== undefined && r.status !== wanted) throw new Expectation(`${where}: resolution gives ${r.status}${r.status !== 200 ? ` (${r.reason})` : ''}`, String(wanted), String(r.status));
        if (a.count !== undefined && r.nodes.length !== a.count) throw new Expectation(`${where}: ${r.nodes.length} nodes addressed`, String(a.count), String(r.nodes.length));
        if (a.value !== undefined) {
          const got = r.nodes.length === 1 && !r.nodes[0]!.interior ? r.nodes[0]!.value : undefined;
          if (JSON.stringify(got) !== JSON.stringify(a.value) && String(got) !== String(a.value)) throw new Expectation(`${where}: the value differs`, JSON.stringify(a.value), JSON.stringify(got ?? null));
        }
      }
      return;
    case 'alert': {
      const server = p.servers.get(a.server)!;
      const ids = a.device !== undefined ? fleet(a.device).map((d) => d.engine.devId ?? '') : [...server.engine.devices.keys()];
      for (const id of ids) {
        const got = server.engine.devices.get(id)?.alerts.map((al) => al.AlertType) ?? [];
        if (!got.includes(a.alertType)) throw new Expectation(`${a.server} has no Generic Alert ${a.alertType} from ${id} (DM 2.0 5.4)`, a.alertType, got.join(', ') || 'none');
      }
      return;
    }
    case 'delegation': {
      const r = await p.peers.get(a.peers)!.run(a.flow, { ...(a.failAt ? { failAt: a.failAt } : {}), ...(a.full !== undefined ? { full: a.full } : {}) });
      const outcome = r.ok ? 'completed' : 'failed';
      const want = x.outcome ?? (a.failAt ? 'failed' : 'completed');
      if (outcome !== want) throw new Expectation(`the delegation ${outcome}${r.ok ? '' : ` at ${r.step}: ${r.reason}`}`, want, outcome);
      if (x.step !== undefined && r.step !== x.step) throw new Expectation('the delegation failed at another step', x.step, r.step ?? 'none');
      if ((x.restored ?? !!a.failAt) && strip(r.after) !== strip(r.before)) throw new Expectation("the device's tree is not as it was before the delegation (Delegation 5.3)", 'restored', 'changed');
      return;
    }
    case 'inject':
      p.servers.get(a.server)!.inject(a.status, a.count ?? 1);
      return;
    case 'wait':
      return p.host.sleep(a.ms);
  }
}

function expectSessions(outcomes: SessionOutcome[], x: Step['expect'], p: Parts): void {
  const want = x.outcome ?? 'completed';
  const wrong = outcomes.find((o) => o.outcome !== want);
  if (wrong) throw new Expectation(`the DM Session of ${wrong.sessionId} ${wrong.outcome}: ${wrong.reason}`, want, wrong.outcome);
  if (!x.statuses) return;
  for (const o of outcomes) {
    const got = statusesIn(p.events().filter((e) => e.sessionId === o.sessionId), o.sessionId);
    if (JSON.stringify(got) !== JSON.stringify(x.statuses)) throw new Expectation(`the DM Client's statuses in ${o.sessionId} differ (DM 2.0 Appendix C)`, x.statuses.join(', '), got.join(', ') || 'none');
  }
}

/** The statuses a DM Client returned in a session: the sc of each Status of its Package#3s, in order (7.2.1.3). */
export function statusesIn(events: readonly TraceEvent[], sessionId: string): number[] {
  const out: number[] = [];
  for (const e of events) {
    if (e.kind !== 'package3' || e.sessionId !== sessionId || e.method !== 'POST' || e.status === undefined) continue;
    const status = (e.body as { Status?: unknown[] } | undefined)?.Status;
    for (const s of Array.isArray(status) ? status : []) out.push(typeof s === 'number' ? s : Number((s as { sc?: unknown }).sc));
  }
  return out;
}

function checkedPackage2(commands: string[][]): Package2 {
  const parsed = parsePackage(JSON.stringify({ CMD: commands }), 'pkg2');
  if (!parsed.value) throw new Expectation(`the inline commands are not a valid Package#2: ${parsed.diagnostics.find((d) => d.severity === 'error')?.message ?? ''} (DM 2.0 7.2.1.2)`);
  return parsed.value;
}

/** The DM Account's notification credentials for a server (12.2 Auth/Noti), for the digest of 5.2.1.2. */
function notificationCredentials(tree: DmTree, serverId: string): { secret: string; authData: string } | undefined {
  const acc = account(tree, serverId);
  const noti = acc?.instance.root.child('Auth')?.child('Noti');
  const secret = noti?.child('Secret')?.value;
  return secret === undefined || secret === null ? undefined : { secret: String(secret), authData: String(noti?.child('Data')?.value ?? '') };
}

/** The first message of the step that does not validate, described; undefined when all do. */
function invalidMessages(events: readonly TraceEvent[]): string | undefined {
  for (const e of events) {
    const kind = KINDS[e.kind] ?? (e.kind === 'http' && /dmmo\+json/.test(e.contentType ?? '') && e.body !== undefined ? 'mo' : undefined);
    if (!kind || e.body === undefined || (e.kind === 'http' && (e.status ?? 0) >= 300)) continue;
    const problem = parsePackage(typeof e.body === 'string' ? e.body : JSON.stringify(e.body), kind).diagnostics.find((d) => d.severity === 'error');
    if (problem) return `${e.kind} ${e.from} -> ${e.to}: ${problem.code}: ${problem.message}`;
  }
  return undefined;
}
