/**
 * The debugger's runtime: a scenario run (the same runner as `omadm run`) that pauses where the
 * user asked. Stops: before a step (line breakpoints on the step's line, stop on entry), before a
 * message a part sends (function breakpoints on its kind: Package#1, Package#3, GET, PUT,
 * delegation_req...), before a command a device carries out (function breakpoints on the command:
 * EXEC, HGET...; Package#2 stops at its first command), after a step fails (the exception filters
 * "failed expectation" and "invalid message"). Stepping: over = the next message, into = the next
 * command, out = the next step. It knows nothing of DAP: the adapter maps it to the protocol.
 */
import { runScenario, type DeviceHandle, type PausePoint, type PeersHandle, type ScenarioHost, type ScenarioResult, type ServerHandle } from '../core/engine/scenario.js';
import type { Scenario } from '../core/scenario/model.js';
import type { TraceEvent } from '../core/trace/events.js';
import { resolveClientUri } from '../core/tree/resolve.js';

export type StopReason = 'entry' | 'breakpoint' | 'function breakpoint' | 'step' | 'pause' | 'exception';
type Mode = 'run' | 'over' | 'in' | 'out';

export interface Breakpoint {
  line: number;
  condition?: string;
}

export interface RuntimeEvents {
  stopped(reason: StopReason, at: PausePoint, text?: string): void;
  output(text: string): void;
  trace(e: TraceEvent): void;
  ended(result: ScenarioResult): void;
}

export class DebugRuntime {
  private lines = new Map<number, Breakpoint>();
  private functions = new Map<string, string | undefined>();
  private exceptions = new Set<string>();
  private mode: Mode = 'run';
  private pauseRequested = false;
  private resume: (() => void) | undefined;
  private stopped = false;
  private first = true;
  private cancelledFlag = false;
  current: PausePoint | undefined;
  servers: ReadonlyMap<string, ServerHandle> = new Map();
  devices: ReadonlyMap<string, DeviceHandle[]> = new Map();
  peers: ReadonlyMap<string, PeersHandle> = new Map();
  /** The last message of each participant: the session's frame and the Message scope. */
  readonly lastEvents: TraceEvent[] = [];

  constructor(
    readonly scenario: Scenario,
    private readonly host: ScenarioHost,
    private readonly events: RuntimeEvents,
    private readonly stopOnEntry: boolean,
    /** Copies of every device participant, as `omadm run --devices`. */
    private readonly fleet?: number,
  ) {}

  /** The lines breakpoints can bind to: the steps' lines. */
  setBreakpoints(bps: Breakpoint[]): { line: number; verified: boolean }[] {
    this.lines = new Map();
    return bps.map((b) => {
      const step = this.scenario.steps.find((s) => s.line === b.line);
      if (step) this.lines.set(b.line, b);
      return { line: b.line, verified: !!step };
    });
  }

  setFunctionBreakpoints(names: { name: string; condition?: string }[]): void {
    this.functions = new Map(names.map((n) => [n.name.toLowerCase(), n.condition]));
  }

  setExceptionFilters(filters: string[]): void {
    this.exceptions = new Set(filters);
  }

  async run(): Promise<ScenarioResult> {
    const result = await runScenario({
      scenario: this.scenario,
      host: this.host,
      trace: (e) => {
        this.lastEvents.push(e);
        if (this.lastEvents.length > 200) this.lastEvents.splice(0, 100);
        this.events.trace(e);
      },
      stepper: (at) => this.gate(at),
      ...(this.fleet !== undefined ? { devices: this.fleet } : {}),
      onParticipants: (p) => {
        this.servers = p.servers;
        this.devices = p.devices;
        this.peers = p.peers;
      },
      onStep: (r) => this.events.output(`${r.status === 'passed' ? '✓' : r.status === 'skipped' ? '-' : '✗'} ${r.index + 1}. ${r.name}${r.message ? `: ${r.message}` : ''}\n`),
      cancelled: () => this.cancelledFlag,
    });
    this.current = undefined;
    this.events.ended(result);
    return result;
  }

  continue(): void {
    this.go('run');
  }
  next(): void {
    this.go('over');
  }
  stepIn(): void {
    this.go('in');
  }
  stepOut(): void {
    this.go('out');
  }
  pause(): void {
    this.pauseRequested = true;
  }
  /** Ends the run: the steps left are skipped and every part is closed. */
  cancel(): void {
    this.cancelledFlag = true;
    this.go('run');
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private go(mode: Mode): void {
    this.mode = mode;
    const r = this.resume;
    this.resume = undefined;
    this.stopped = false;
    r?.();
  }

  private async gate(at: PausePoint): Promise<void> {
    if (this.cancelledFlag) return;
    const reason = this.shouldStop(at);
    this.first = false;
    if (!reason) return;
    this.current = at;
    this.stopped = true;
    this.pauseRequested = false;
    const wait = new Promise<void>((resolve) => (this.resume = resolve));
    this.events.stopped(reason, at, at.kind === 'failure' ? at.result.message : undefined);
    await wait;
  }

  private shouldStop(at: PausePoint): StopReason | undefined {
    if (this.pauseRequested) return 'pause';
    switch (at.kind) {
      case 'step': {
        if (this.first && this.stopOnEntry) return 'entry';
        const bp = this.lines.get(at.step.line);
        if (bp && this.holds(bp.condition, at)) return 'breakpoint';
        return this.mode === 'run' ? undefined : 'step';
      }
      case 'message': {
        if (this.functions.has(at.label.toLowerCase()) && this.holds(this.functions.get(at.label.toLowerCase()), at)) return 'function breakpoint';
        return this.mode === 'over' || this.mode === 'in' ? 'step' : undefined;
      }
      case 'command': {
        const name = at.command.name.toLowerCase();
        if (this.functions.has(name) && this.holds(this.functions.get(name), at)) return 'function breakpoint';
        if (at.index === 0 && this.functions.has('package#2') && this.holds(this.functions.get('package#2'), at)) return 'function breakpoint';
        return this.mode === 'in' ? 'step' : undefined;
      }
      case 'failure': {
        const invalid = at.result.expected === 'every message valid';
        return (invalid ? this.exceptions.has('invalid') : this.exceptions.has('failed')) ? 'exception' : undefined;
      }
    }
  }

  /**
   * A breakpoint's condition: `NAME == VALUE` or `NAME != VALUE` (quotes optional), NAME a field of
   * the pause point (label, method, url, command, device, from, to, status of the last message) or
   * a ClientURI, whose value in the device's tree is compared. An unreadable condition holds, so
   * that a typo stops rather than hides.
   */
  private holds(condition: string | undefined, at: PausePoint): boolean {
    if (!condition?.trim()) return true;
    const m = /^\s*(.+?)\s*(==|!=)\s*(.+?)\s*$/.exec(condition);
    if (!m) return true;
    const [, name, op, raw] = m as unknown as [string, string, string, string];
    const want = raw.replace(/^(['"])(.*)\1$/, '$2');
    const got = this.value(name, at);
    return op === '==' ? got === want : got !== want;
  }

  private value(name: string, at: PausePoint): string | undefined {
    const fields: Record<string, unknown> = { ...at, ...(at.kind === 'command' ? { command: at.command.name } : {}), status: this.lastEvents.at(-1)?.status };
    if (name in fields && name !== 'step') return fields[name] === undefined ? undefined : String(fields[name]);
    for (const d of this.focusDevices(at)) {
      const r = resolveClientUri(d.engine.tree, name);
      if (r.status === 200 && r.nodes.length === 1 && !r.nodes[0]!.interior) return String(r.nodes[0]!.value);
    }
    return undefined;
  }

  /** The devices a pause point is about: the one carrying out a command or sending a message, else all. */
  focusDevices(at: PausePoint | undefined = this.current): DeviceHandle[] {
    const all = [...this.devices.values()].flat();
    const name = at?.kind === 'command' ? at.device : at?.kind === 'message' ? at.from : undefined;
    const own = all.filter((d) => d.engine.name === name);
    return own.length ? own : all;
  }
}
