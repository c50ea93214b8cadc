/**
 * Run Delegation Flow: one of the five process flows of Delegation 5.2 between an emulated DMS-1,
 * an emulated DMS-2 and an emulated device, in a lab of their own on loopback (the host layer's
 * delegation lab), with a failure injected at a step when asked. Each run is listed in the DM
 * Sessions view with every delegation message and DM package exchanged, and logged to the output
 * channel. Cancelling a run, or closing the window, closes the lab's sockets.
 */
import * as vscode from 'vscode';
import { isDelegation } from '../../../server/src/core/trace/diagram';
import { formatEvent, type TraceEvent } from '../../../server/src/core/trace/events';
import { DEVICE, FAILURE_STEPS, FLOWS, labCertificates, startLab, type DelegationLab, type FlowName, type FlowResult, type Pki } from '../../../server/src/host/delegationLab';
import { UserError } from './pick';

/** A failure to inject: the step, and the peer that fails there (it sends DELEGATION_FAILURE, Delegation 5.3.1.6, 5.3.2.8). */
export interface FailureStep {
  step: string;
  peer: 'dms1' | 'dms2';
}

export type RunState = 'running' | 'completed' | 'failed' | 'cancelled';

/** Finished runs kept in the view; older ones are dropped first. */
const KEPT_RUNS = 10;

const PEER_NAMES = { dms1: 'DMS-1', dms2: 'DMS-2' } as const;

/** The lab's servers in the order `startLab` lists them, by the role they play. */
const SERVER_ROLES: readonly [string, string][] = [['DMS-1', 'DM Server'], ['DMS-2', 'DM Server'], ['DMS-1', 'delegation interface'], ['DMS-2', 'delegation interface']];

export function isFlowName(x: unknown): x is FlowName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(FLOWS, x);
}

/** The steps a failure can be injected at: 5.2.3-5.2.5 first delegate with the DMAcc approach (5.2.1). */
export function failureSteps(flow: FlowName): FailureStep[] {
  return FAILURE_STEPS[flow === 'bootstrap' ? 'bootstrap' : 'dmacc'].map(([step, peer]) => ({ step, peer }));
}

/** A delegation message between the peers (Delegation 5.3), as the peers trace it: the POST and what it sent. */
export function isDelegationMessage(e: TraceEvent): boolean {
  return e.transport === 'http' && e.requestBody !== undefined && isDelegation(e);
}

/** The message's root element: the peers note it, followed by the error when the POST got no answer. */
export function delegationRoot(e: TraceEvent): string {
  return /^[A-Za-z_]+/.exec(e.note ?? '')?.[0] ?? 'delegation message';
}

/** One run of a flow: its trace, what it ran on, and how it ended. */
export class DelegationRun {
  readonly trace: TraceEvent[] = [];
  /** The device's name in the trace, so that what it sent points up in the view, as for emulated devices. */
  readonly name = DEVICE.devId;
  state: RunState = 'running';
  result: FlowResult | undefined;
  /** Why the run could not be carried out at all (the lab did not start). */
  error: string | undefined;
  /** Where the lab's parts listened: their sockets are closed when the run ends. */
  readonly endpoints: { name: string; url: string }[] = [];
  private readonly aliases = new Map<string, string>([['dms1', 'DMS-1'], ['dms2', 'DMS-2'], [DEVICE.devId, 'device']]);
  private closeSockets: (() => Promise<unknown>) | undefined;
  /** Ends the peers' waits at once when the run is cancelled, so that the flow settles and the lab closes without waiting out their timeouts. */
  readonly abort = new AbortController();
  private cancelled!: () => void;
  readonly whenCancelled = new Promise<void>((resolve) => (this.cancelled = resolve));

  constructor(readonly id: string, readonly flow: FlowName, readonly failAt: FailureStep | undefined, private readonly changed: () => void) {}

  get section(): string {
    return FLOWS[this.flow].section;
  }

  get title(): string {
    return FLOWS[this.flow].title;
  }

  /** "DMS-1" for `dms1` or the address of one of DMS-1's sockets; anything else as it is. */
  alias(who: string): string {
    return this.aliases.get(who) ?? who;
  }

  attach(lab: DelegationLab): void {
    lab.servers.forEach((s, i) => {
      const [peer, role] = SERVER_ROLES[i] ?? ['lab', 'server'];
      this.endpoints.push({ name: `${peer} ${role}`, url: s.url });
      this.aliases.set(new URL(s.url).host, peer);
    });
    this.endpoints.push({ name: 'device', url: `udp://127.0.0.1:${lab.device.udpPort}` });
    // What listens, closed at once: the peers' own work may still wait on their timeouts (5.2.1.4), with nothing left to talk to.
    this.closeSockets = () => Promise.allSettled([lab.device.close(), ...lab.servers.map((s) => s.close())]);
    if (this.state === 'cancelled') void this.closeSockets();
  }

  /** Read through a getter: a cancellation comes in between awaits. */
  get isCancelled(): boolean {
    return this.state === 'cancelled';
  }

  cancel(): void {
    if (this.state !== 'running') return;
    this.state = 'cancelled';
    void this.closeSockets?.();
    this.abort.abort();
    this.cancelled();
    this.changed();
  }

  /** Closes what the lab opened: at once on cancellation, after the peers' pending work otherwise. */
  async close(lab: DelegationLab): Promise<void> {
    if (this.state === 'cancelled') await this.closeSockets?.();
    await lab.close();
  }
}

export class DelegationRuns implements vscode.Disposable {
  readonly runs: DelegationRun[] = [];
  private readonly emitter = new vscode.EventEmitter<DelegationRun>();
  /** A run started, traced an event, or ended. */
  readonly onDidChange = this.emitter.event;
  private counter = 0;
  private pki: Promise<Pki> | undefined;

  constructor(private readonly output?: vscode.OutputChannel) {}

  /** One CA and certificate pair for every run: key generation is the slow part of starting a lab. */
  private certificates(): Promise<Pki> {
    const p = (this.pki ??= labCertificates());
    p.catch(() => (this.pki = undefined));
    return p;
  }

  private log(run: DelegationRun, line: string): void {
    this.output?.appendLine(`[Delegation ${run.section} #${run.id.replace(/^\D+/, '')}] ${line}`);
  }

  /** A new run, listed at once; `execute` carries it out. */
  start(flow: FlowName, failAt: FailureStep | undefined): DelegationRun {
    const run = new DelegationRun(`delegation-${++this.counter}`, flow, failAt, () => this.emitter.fire(run));
    this.runs.push(run);
    // Older finished runs make room; running ones stay until they end.
    while (this.runs.length > KEPT_RUNS) {
      const old = this.runs.findIndex((r) => r.state !== 'running');
      if (old < 0) break;
      this.runs.splice(old, 1);
    }
    this.emitter.fire(run);
    return run;
  }

  /**
   * Runs the flow; undefined when cancelled. `report` hears of each delegation message and DM
   * Notification as it goes.
   */
  async execute(run: DelegationRun, report: (message: string) => void = () => undefined, token?: vscode.CancellationToken): Promise<FlowResult | undefined> {
    const { flow, failAt } = run;
    const subscription = token?.onCancellationRequested(() => run.cancel());
    this.log(run, `${run.title}${failAt ? `, failure injected at ${failAt.step} (${PEER_NAMES[failAt.peer]})` : ''}`);
    let lab: DelegationLab | undefined;
    try {
      if (token?.isCancellationRequested) run.cancel();
      report('making the certificates of DMS-1 and DMS-2…');
      const pki = await Promise.race([this.certificates(), run.whenCancelled]);
      if (!pki || run.isCancelled) return undefined;
      report('starting DMS-1, DMS-2 and the device on loopback…');
      lab = await startLab({
        pki,
        signal: run.abort.signal,
        approach: flow === 'bootstrap' ? 'bootstrap' : 'dmacc',
        trace: (e) => this.record(run, e, report),
        ...(failAt?.peer === 'dms1' ? { failDms1: { step: failAt.step } } : failAt?.peer === 'dms2' ? { failDms2: { step: failAt.step } } : {}),
      });
      run.attach(lab);
      if (run.isCancelled) return undefined;
      for (const p of run.endpoints) this.log(run, `${p.name} at ${p.url}`);
      const running = lab.run(flow);
      // After a cancellation the flow still settles (its sockets are gone): nothing waits for it.
      running.catch(() => undefined);
      const outcome = await Promise.race([running.then((result) => ({ result })), run.whenCancelled]);
      if (!outcome || run.isCancelled) return undefined;
      run.result = outcome.result;
      run.state = outcome.result.ok ? 'completed' : 'failed';
      this.log(run, outcome.result.ok ? 'completed' : `failed at ${outcome.result.step ?? 'an unknown step'}: ${outcome.result.reason ?? ''}`);
      return outcome.result;
    } catch (e) {
      if (run.state === 'running') {
        run.state = 'failed';
        run.error = (e as Error).message ?? String(e);
        this.log(run, `did not run: ${run.error}`);
      }
      throw e;
    } finally {
      subscription?.dispose();
      if (lab) await run.close(lab);
      if (run.isCancelled) this.log(run, 'cancelled; its sockets are closed');
      this.emitter.fire(run);
    }
  }

  private record(run: DelegationRun, event: TraceEvent, report: (message: string) => void): void {
    // What the peers do after a cancellation only fails against closed sockets: it is not part of the run.
    if (run.state !== 'running') return;
    run.trace.push(event);
    this.log(run, formatEvent(event));
    if (isDelegationMessage(event)) report(`${delegationRoot(event)} (${run.alias(event.from)} → ${run.alias(event.to)})`);
    else if (event.kind === 'package0') report(`DM Notification to the device (${event.note ?? ''})`);
    this.emitter.fire(run);
  }

  dispose(): void {
    // Closing starts synchronously: a window that closes does not wait.
    for (const run of this.runs) run.cancel();
    this.emitter.dispose();
  }
}

function failureText(run: DelegationRun, r: FlowResult): string {
  const injected = run.failAt ? ` (failure injected at ${run.failAt.step} by ${PEER_NAMES[run.failAt.peer]})` : '';
  return `OMA DM: Delegation ${r.section} failed at ${r.step ?? 'an unknown step'}: ${r.reason ?? 'no reason given'}${injected}.`;
}

function successText(r: FlowResult, messages: number, exchanges: number): string {
  const first = r.records[0];
  const what = r.flow === 'dmacc' || r.flow === 'bootstrap'
    ? `DMS-1 delegated the device to DMS-2${first ? ` (delegation session ${first.sessionId})` : ''}`
    : `DMS-1 delegated the device to DMS-2, then the delegation was revoked and the device put back as it was`;
  return `OMA DM: Delegation ${r.section} completed: ${what}; ${messages} delegation messages, ${exchanges} exchanges in all.`;
}

/** The command's arguments, when given: `{ flow, failAt }` runs without asking. */
function parseArgs(arg: unknown): { flow: FlowName; failAt: FailureStep | undefined } | undefined {
  if (!arg || typeof arg !== 'object' || !('flow' in arg)) return undefined;
  const { flow, failAt } = arg as { flow: unknown; failAt?: unknown };
  if (!isFlowName(flow)) throw new UserError(`No delegation flow is called ${String(flow)}: the flows are ${Object.keys(FLOWS).join(', ')}.`);
  if (failAt === undefined || failAt === null || failAt === '') return { flow, failAt: undefined };
  const steps = failureSteps(flow);
  const step = steps.find((s) => s.step === failAt);
  if (!step) throw new UserError(`Delegation ${FLOWS[flow].section} has no step ${String(failAt)} to fail at: its steps are ${steps.map((s) => s.step).join(', ')}.`);
  return { flow, failAt: step };
}

async function pick(): Promise<{ flow: FlowName; failAt: FailureStep | undefined } | undefined> {
  const flows = (Object.keys(FLOWS) as FlowName[]).map((flow) => ({ label: FLOWS[flow].title, description: `Delegation ${FLOWS[flow].section}`, flow }));
  const chosen = await vscode.window.showQuickPick(flows, { title: 'Run Delegation Flow (1/2)', placeHolder: 'The process flow to run between DMS-1, DMS-2 and an emulated device (Delegation 5.2)' });
  if (!chosen) return undefined;
  const steps = [
    { label: 'No failure', description: 'the flow as the specification draws it', failAt: undefined as FailureStep | undefined },
    ...failureSteps(chosen.flow).map((s) => ({ label: `Fail at ${s.step} (${PEER_NAMES[s.peer]})`, description: `${PEER_NAMES[s.peer]} sends DELEGATION_FAILURE`, failAt: s as FailureStep | undefined })),
  ];
  const failure = await vscode.window.showQuickPick(steps, { title: `Run Delegation Flow (2/2): Delegation ${chosen.description}`, placeHolder: chosen.flow === 'dmacc' || chosen.flow === 'bootstrap' ? 'Inject a failure?' : 'Inject a failure? (the flow first delegates with the DMAcc approach, 5.2.1)' });
  if (!failure) return undefined;
  return { flow: chosen.flow, failAt: failure.failAt };
}

/**
 * The command: asks for the flow and the failure (or takes `{ flow, failAt }`), runs it under a
 * cancellable progress notification, and says how it ended; returns the `FlowResult`, or
 * undefined when a pick or the run was cancelled.
 */
export async function runDelegationFlowCommand(runs: DelegationRuns, arg?: unknown): Promise<FlowResult | undefined> {
  const choice = parseArgs(arg) ?? (await pick());
  if (!choice) return undefined;
  const { flow, failAt } = choice;
  const run = runs.start(flow, failAt);
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OMA DM: Delegation ${run.section}`, cancellable: true }, (progress, token) =>
    runs.execute(run, (message) => progress.report({ message }), token),
  );
  const show = (shown: Thenable<string | undefined>): void => void shown.then((a) => a && vscode.commands.executeCommand('omadm.sessions.focus'));
  if (!result) {
    vscode.window.setStatusBarMessage(`OMA DM: Delegation ${run.section} cancelled; its sockets are closed.`, 5000);
    return undefined;
  }
  if (result.ok) {
    const messages = result.records[result.records.length - 1]?.messages.length ?? 0;
    show(vscode.window.showInformationMessage(successText(result, messages, run.trace.filter((e) => e.kind !== 'note').length), 'Show DM Sessions'));
  } else {
    // An injected failure is what was asked for; one without is a fault of the flow.
    const text = failureText(run, result);
    show(run.failAt ? vscode.window.showWarningMessage(text, 'Show DM Sessions') : vscode.window.showErrorMessage(text, 'Show DM Sessions'));
  }
  return result;
}
