/**
 * The `omadm` debug adapter: the Debug Adapter Protocol over the DebugRuntime (a scenario run that
 * pauses), as VS Code's mock debugger splits them. Threads are the participants; the call stack is
 * step > session > package > command; scopes show the step, the paused message or command, each
 * device's live DM tree (nodes expandable, leaves editable), the DM Servers and the environment;
 * evaluate and watch take ClientURIs. Runs inline in VS Code and over stdio (`omadm debug-adapter`).
 * The run's trace and what each stop is paused at also go out as custom events (liveTrace.ts), from
 * which VS Code draws the run diagram.
 */
import * as path from 'node:path';
import { DebugSession, Event, Handles, InitializedEvent, OutputEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { parseScenario, lineOf, type Scenario } from '../core/scenario/model.js';
import { Substitution, secretVariable } from '../core/scenario/variables.js';
import type { TreeNode } from '../core/tree/model.js';
import { resolveClientUri } from '../core/tree/resolve.js';
import { rightsOf } from '../core/tree/access.js';
import { formatEvent } from '../core/trace/events.js';
import { readText } from '../host/inputFiles.js';
import { scenarioHost } from '../host/scenarioHost.js';
import { DebugRuntime } from './runtime.js';
import type { PausePoint } from '../core/engine/scenario.js';
import { ENDED_EVENT, type EndedBody, LiveTrace, PAUSED_EVENT, type PausedAt, type PausedBody, RESUMED_EVENT } from './liveTrace.js';

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** The scenario file. */
  program: string;
  stopOnEntry?: boolean;
  /** Variables for ${name} (the chosen environment's). */
  variables?: Record<string, string>;
  /** Secrets by name (from VS Code's secret storage); otherwise OMADM_SECRET_<NAME>. */
  secrets?: Record<string, string>;
  devices?: number;
}

type Ref =
  | { kind: 'object'; value: unknown }
  | { kind: 'tree'; device: string }
  | { kind: 'node'; device: string; node: TreeNode }
  | { kind: 'nodes'; device: string; nodes: TreeNode[] };

const SCENARIO_THREAD = 1;

export class OmadmDebugSession extends DebugSession {
  private runtime: DebugRuntime | undefined;
  private scenario: Scenario | undefined;
  private program = '';
  private sub: Substitution | undefined;
  /** The environment's variables the run was launched with (docs/scenarios.md). */
  private variables: Record<string, string> = {};
  private readonly refs = new Handles<Ref>();
  private readonly pendingLines = new Map<string, DebugProtocol.SourceBreakpoint[]>();
  private functionBps: DebugProtocol.FunctionBreakpoint[] = [];
  private exceptionFilters: string[] = ['failed', 'invalid'];
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((r) => (this.configured = r));
  private finished: Promise<unknown> | undefined;
  /** The run's trace for the client's diagram (custom events, liveTrace.ts). */
  private live: LiveTrace | undefined;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsSetVariable: true,
      supportsEvaluateForHovers: true,
      supportsTerminateRequest: true,
      exceptionBreakpointFilters: [
        { filter: 'failed', label: 'Failed expectation', description: 'Stop when a step\'s expectation does not hold', default: true },
        { filter: 'invalid', label: 'Invalid message', description: 'Stop when a message exchanged does not validate', default: true },
      ],
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  /** Breakpoints bind to the lines where steps start; they may come before the launch, so the file is read here too. */
  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const file = args.source.path ?? '';
    const bps = args.breakpoints ?? [];
    this.pendingLines.set(path.resolve(file), bps);
    let lines: Set<number>;
    if (this.runtime && path.resolve(file) === path.resolve(this.program)) {
      lines = new Set(this.runtime.setBreakpoints(bps.map((b) => ({ line: b.line, ...(b.condition ? { condition: b.condition } : {}) }))).filter((b) => b.verified).map((b) => b.line));
    } else {
      let steps: number[] = [];
      try {
        steps = parseScenario(readText(file, 'scenario')).scenario?.steps.map((s) => s.line) ?? [];
      } catch {
        steps = [];
      }
      lines = new Set(steps);
    }
    response.body = { breakpoints: bps.map((b) => ({ line: b.line, verified: lines.has(b.line), ...(lines.has(b.line) ? {} : { message: 'Breakpoints stop before a step: put it on the line where a step begins.' }) })) };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.functionBps = args.breakpoints;
    this.runtime?.setFunctionBreakpoints(this.functionBps.map((b) => ({ name: b.name, ...(b.condition ? { condition: b.condition } : {}) })));
    response.body = { breakpoints: args.breakpoints.map(() => ({ verified: true })) };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.exceptionFilters = args.filters;
    this.runtime?.setExceptionFilters(args.filters);
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): void {
    void this.launch(response, args).catch((e: Error) => this.sendErrorResponse(response, 5, e.message));
  }

  private async launch(response: DebugProtocol.LaunchResponse, args: LaunchArguments): Promise<void> {
    this.program = path.resolve(args.program ?? '');
    let text: string;
    try {
      text = readText(this.program, 'scenario');
    } catch (e) {
      return this.sendErrorResponse(response, 1, (e as Error).message);
    }
    const parsed = parseScenario(text, path.basename(this.program).replace(/\.dmflow\.json$/, ''));
    if (!parsed.scenario) return this.sendErrorResponse(response, 2, `${this.program} is not a valid scenario: ${parsed.diagnostics.slice(0, 3).map((d) => `line ${lineOf(text, d.start)}: ${d.message}`).join('; ')}`);
    const sub = new Substitution(args.variables ?? {}, (n) => args.secrets?.[n] ?? process.env[secretVariable(n)]);
    const scenario = sub.apply(parsed.scenario);
    if (sub.missing.size) return this.sendErrorResponse(response, 3, `${[...sub.missing].join(', ')} not set (docs/scenarios.md, environments and secrets)`);
    this.scenario = scenario;
    this.sub = sub;
    this.variables = args.variables ?? {};
    const host = scenarioHost(path.dirname(this.program));
    const live = (this.live = new LiveTrace((event, body) => this.sendEvent(new Event(event, body)), sub));
    this.runtime = new DebugRuntime(scenario, host, {
      stopped: (reason, at, textOut) => {
        // The events before the stop first: the pause points into them.
        live.flush();
        this.sendEvent(new Event(PAUSED_EVENT, { reason, at: this.pausedAt(at) } satisfies PausedBody));
        const e = new StoppedEvent(reason, SCENARIO_THREAD, textOut === undefined ? undefined : sub.redact(textOut)) as DebugProtocol.StoppedEvent;
        e.body.allThreadsStopped = true;
        this.sendEvent(e);
      },
      output: (t) => this.sendEvent(new OutputEvent(sub.redact(t), 'console')),
      trace: (e) => {
        live.add(e);
        if (e.kind !== 'note') this.sendEvent(new OutputEvent(sub.redact(`${formatEvent(e)}\n`), 'stdout'));
      },
      ended: (r) => {
        live.flush();
        live.dispose();
        this.sendEvent(new Event(ENDED_EVENT, { passed: r.passed, ...(r.error ? { error: sub.redact(r.error) } : {}) } satisfies EndedBody));
        this.sendEvent(new OutputEvent(`${r.passed ? 'passed' : 'FAILED'}: ${scenario.name}${r.error ? ` (${sub.redact(r.error)})` : ''}\n`, 'console'));
        this.sendEvent(new TerminatedEvent());
      },
    }, !!args.stopOnEntry, args.devices);
    const bps = this.pendingLines.get(this.program) ?? [];
    this.runtime.setBreakpoints(bps.map((b) => ({ line: b.line, ...(b.condition ? { condition: b.condition } : {}) })));
    this.runtime.setFunctionBreakpoints(this.functionBps.map((b) => ({ name: b.name, ...(b.condition ? { condition: b.condition } : {}) })));
    this.runtime.setExceptionFilters(this.exceptionFilters);
    this.sendResponse(response);
    // Breakpoints are all set once configuration is done (or after a second, for clients that never say so).
    await Promise.race([this.configurationDone, new Promise((r) => setTimeout(r, 1000).unref())]);
    this.finished = this.runtime.run().catch((e: Error) => {
      live.flush();
      live.dispose();
      this.sendEvent(new Event(ENDED_EVENT, { passed: false, error: sub.redact(e.message) } satisfies EndedBody));
      this.sendEvent(new OutputEvent(`the run failed: ${e.message}\n`, 'stderr'));
      this.sendEvent(new TerminatedEvent());
    });
  }

  /** What a pause point is, for the client's diagram: redacted, and pointing at the run's trace events. */
  private pausedAt(at: PausePoint): PausedAt {
    const redact = (s: string): string => this.sub?.redact(s) ?? s;
    const step = at.step.index;
    switch (at.kind) {
      case 'step':
        return { kind: 'step', step, name: redact(at.step.name), line: at.step.line };
      case 'message':
        return { kind: 'message', step, from: at.from, to: at.to, label: redact(at.label), ...(at.method ? { method: at.method } : {}), ...(at.url ? { url: redact(at.url) } : {}) };
      case 'command': {
        const event = this.live?.package2Of(at.sessionId);
        return { kind: 'command', step, device: at.device, sessionId: at.sessionId, command: { name: at.command.name, params: at.command.params.map((p) => redact(String(p))) }, index: at.index, count: at.count, ...(event !== undefined ? { event } : {}) };
      }
      case 'failure': {
        const event = this.live?.eventOfStep(step);
        return { kind: 'failure', step, ...(at.result.message ? { message: redact(at.result.message) } : {}), ...(event !== undefined ? { event } : {}) };
      }
    }
  }

  /** The run goes on: what the client shows as paused is no longer current. */
  private resumed(): void {
    if (this.runtime?.isStopped) this.sendEvent(new Event(RESUMED_EVENT, {}));
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const threads = [new Thread(SCENARIO_THREAD, this.scenario ? `scenario ${this.scenario.name}` : 'scenario')];
    let id = SCENARIO_THREAD + 1;
    for (const p of this.scenario?.participants ?? []) threads.push(new Thread(id++, `${p.id} (${p.kind})`));
    response.body = { threads };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const at = this.runtime?.current;
    const frames: StackFrame[] = [];
    if (at) {
      const source = new Source(path.basename(this.program), this.program);
      const line = at.step.line;
      if (at.kind === 'command') {
        frames.push(new StackFrame(4, `${at.command.name} ${at.command.params.join(' ')}`, source, line));
        frames.push(new StackFrame(3, `Package#2, command ${at.index + 1} of ${at.count}`, source, line));
        frames.push(new StackFrame(2, `session ${at.sessionId} (${at.device})`, source, line));
      } else if (at.kind === 'message') {
        frames.push(new StackFrame(3, `${at.label} ${at.from} -> ${at.to}${at.url ? ` ${at.url}` : ''}`, source, line));
      } else if (at.kind === 'failure') {
        frames.push(new StackFrame(2, `failed: ${this.sub?.redact(at.result.message ?? '') ?? ''}`, source, line));
      }
      frames.push(new StackFrame(1, `${at.step.index + 1}. ${at.step.name}`, source, line));
    }
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    const at = this.runtime?.current;
    const scopes: Scope[] = [];
    if (at) {
      scopes.push(new Scope('Step', this.refs.create({ kind: 'object', value: { index: at.step.index + 1, name: at.step.name, line: at.step.line, action: at.step.action, expect: at.step.expect } }), false));
      if (at.kind === 'command') scopes.push(new Scope('Command', this.refs.create({ kind: 'object', value: { name: at.command.name, params: at.command.params, device: at.device, session: at.sessionId, index: at.index + 1, of: at.count } }), false));
      if (at.kind === 'message') scopes.push(new Scope('Message', this.refs.create({ kind: 'object', value: { label: at.label, from: at.from, to: at.to, method: at.method, url: at.url, body: parseBody(at.body) } }), false));
      if (at.kind === 'failure') scopes.push(new Scope('Failure', this.refs.create({ kind: 'object', value: at.result }), false));
      for (const [id, fleet] of this.runtime?.devices ?? []) {
        for (const d of fleet) scopes.push(new Scope(`Device ${d.engine.name}${fleet.length > 1 ? '' : ` (${id})`}`, this.refs.create({ kind: 'tree', device: d.engine.name }), fleet.length > 1));
      }
      // The environment: its variables, and the secrets used by name only (a secret's value is never shown).
      const secrets = Object.fromEntries((this.sub?.secretNames ?? []).map((n) => [`secret:${n}`, `«secret:${n}»`]));
      scopes.push(new Scope('Environment', this.refs.create({ kind: 'object', value: { ...this.variables, ...secrets } }), false));
      for (const [id, s] of this.runtime?.servers ?? []) scopes.push(new Scope(`DM Server ${id}`, this.refs.create({ kind: 'object', value: { url: s.url, serverId: s.engine.opts.serverId, devices: Object.fromEntries([...s.engine.devices].map(([k, v]) => [k, { sessions: v.sessions, queued: v.queue.length, alerts: v.alerts.map((a) => a.AlertType), session: v.flow?.state }])) } }), true));
    }
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const ref = this.refs.get(args.variablesReference);
    response.body = { variables: ref ? this.variablesOf(ref) : [] };
    this.sendResponse(response);
  }

  private device(name: string) {
    return [...(this.runtime?.devices.values() ?? [])].flat().find((d) => d.engine.name === name);
  }

  private variablesOf(ref: Ref): DebugProtocol.Variable[] {
    const redact = (s: string): string => this.sub?.redact(s) ?? s;
    if (ref.kind === 'object') {
      const v = ref.value;
      if (v === null || typeof v !== 'object') return [];
      return Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).slice(0, 1000).map(([k, x]) => this.valueVariable(k, x, redact));
    }
    const d = this.device(ref.device);
    if (!d) return [];
    const tree = d.engine.tree;
    if (ref.kind === 'tree') {
      const state = d.engine.state;
      const session = { kind: 'object' as const, value: { defaults: Object.fromEntries(state.defaults), subscriptions: Object.fromEntries(state.subscriptions), pendingExecs: state.pendingExecs, serversContacted: [...state.contacted] } };
      return [
        { name: 'session state', value: `${state.subscriptions.size} subscriptions, ${state.pendingExecs.length} pending EXECs`, variablesReference: this.refs.create(session) },
        ...tree.all().slice(0, 1000).map((i) => ({ name: `${i.moid}/${i.miid}`, value: `CV ${i.cv}${i.ddf ? `, DDF ${i.ddf}` : ''}`, variablesReference: this.refs.create({ kind: 'node', device: ref.device, node: i.root }) })),
      ];
    }
    const nodes = ref.kind === 'nodes' ? ref.nodes : [...(ref.node.children?.values() ?? [])];
    return nodes.slice(0, 1000).map((n) => {
      const rights = rightsOf(tree, n, this.scenarioServerId() ?? '').rights;
      return n.interior
        ? { name: ref.kind === 'nodes' ? n.clientUri() : n.path().at(-1) ?? n.instance.miid, value: `${n.children?.size ?? 0} children`, variablesReference: this.refs.create({ kind: 'node', device: ref.device, node: n }) }
        : { name: ref.kind === 'nodes' ? n.clientUri() : n.path().at(-1) ?? '', value: redact(JSON.stringify(n.value ?? null)), type: `${typeof n.value}, rights ${rights}`, variablesReference: 0, evaluateName: n.clientUri() };
    });
  }

  private scenarioServerId(): string | undefined {
    return [...(this.runtime?.servers.values() ?? [])][0]?.engine.opts.serverId;
  }

  private valueVariable(name: string, x: unknown, redact: (s: string) => string): DebugProtocol.Variable {
    if (x !== null && typeof x === 'object') return { name, value: Array.isArray(x) ? `Array(${x.length})` : '{…}', variablesReference: this.refs.create({ kind: 'object', value: x }) };
    return { name, value: redact(typeof x === 'string' ? JSON.stringify(x) : String(x)), variablesReference: 0 };
  }

  /** setVariable on a leaf of a device's tree changes the live tree (the DM tree's only writer, DmTree.setValue). */
  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    const ref = this.refs.get(args.variablesReference);
    const d = ref && ref.kind === 'node' ? this.device(ref.device) : undefined;
    const leaf = ref && ref.kind === 'node' ? ref.node.children?.get(args.name) : undefined;
    if (!d || !leaf || leaf.interior) return this.sendErrorResponse(response, 4, 'Only a leaf of a device\'s DM tree can be changed.');
    let value: unknown = args.value;
    try {
      value = JSON.parse(args.value);
    } catch {
      value = args.value;
    }
    d.engine.tree.setValue(leaf, value);
    response.body = { value: JSON.stringify(leaf.value ?? null) };
    this.sendResponse(response);
  }

  /** A ClientURI (DM 2.0 6.1.1) evaluates to the nodes it addresses in the devices the pause is about. */
  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const expr = args.expression.trim().replace(/^"(.*)"$/, '$1');
    const devices = this.runtime?.focusDevices() ?? [];
    if (!/^(urn:)?oma:mo:/.test(expr)) {
      response.body = { result: devices.length ? 'Evaluate a ClientURI, e.g. urn:oma:mo:oma-dm-devinfo:1.0//DevID' : 'No device is running.', variablesReference: 0 };
      return this.sendResponse(response);
    }
    for (const d of devices) {
      const r = resolveClientUri(d.engine.tree, expr);
      if (r.status !== 200) continue;
      const single = r.nodes.length === 1 && !r.nodes[0]!.interior ? r.nodes[0]! : undefined;
      response.body = single
        ? { result: this.sub?.redact(JSON.stringify(single.value ?? null)) ?? '', variablesReference: 0 }
        : { result: `${r.nodes.length} nodes on ${d.engine.name}`, variablesReference: this.refs.create({ kind: 'nodes', device: d.engine.name, nodes: r.nodes }) };
      return this.sendResponse(response);
    }
    const first = devices[0] ? resolveClientUri(devices[0].engine.tree, expr) : undefined;
    response.body = { result: first ? `${first.status}: ${first.reason}` : 'No device is running.', variablesReference: 0 };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.resumed();
    this.runtime?.continue();
  }
  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    this.resumed();
    this.runtime?.next();
  }
  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.sendResponse(response);
    this.resumed();
    this.runtime?.stepIn();
  }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.sendResponse(response);
    this.resumed();
    this.runtime?.stepOut();
  }
  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.runtime?.pause();
    this.sendResponse(response);
  }

  /** Stop or disconnect: the rest of the run is skipped and every part closed before the answer. */
  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    void this.end().then(() => this.sendResponse(response));
  }
  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    void this.end().then(() => this.sendResponse(response));
  }

  private async end(): Promise<void> {
    this.runtime?.cancel();
    await this.finished?.catch(() => undefined);
    this.live?.dispose();
  }
}

function parseBody(body: string | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
