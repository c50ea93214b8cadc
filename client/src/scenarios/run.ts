/**
 * Scenario runs in the extension host: the Test Explorer's Run profile, the CodeLens and the
 * commands all come here. A run takes the scenario's text (the open editor's when there is one),
 * the variables of the chosen environment and the secrets of VS Code's SecretStorage, runs it with
 * the scenario runner on the host's real sockets (as `omadm run` does), reports each step to the
 * test run (a failed expectation as a diff of expected and actual at the step's line), writes the
 * trace as JSON lines (docs/trace.md) and hides every secret as `omadm run` does
 * (`Substitution.redact`, `traceLine`). Cancelling stops between steps, ends a step that is
 * waiting, and closes every socket of the run.
 *
 * Choosing steps: a step's item runs its scenario from the first step up to that step (the steps
 * before it set up what it needs); a scenario's item runs all of it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type Scenario, lineOf, parseScenario } from '../../../server/src/core/scenario/model';
import { Substitution, secretVariable } from '../../../server/src/core/scenario/variables';
import { type ScenarioHost, type ScenarioResult, type StepResult, runScenario } from '../../../server/src/core/engine/scenario';
import { formatEvent, type TraceEvent } from '../../../server/src/core/trace/events';
import { traceLine } from '../../../server/src/core/trace/jsonl';
import { scenarioHost } from '../../../server/src/host/scenarioHost';
import { writeFileAtomic } from '../../../server/src/host/atomicWrite';
import { type ChosenEnvironment, ScenarioError, type ScenarioEnvironments, type ScenarioSecrets, readText, secretNames } from './environments';
import { type ScenarioTests, stepIndex } from './tests';

const CANCELLED = 'cancelled';

/** The debug type of the scenario debugger (a debug adapter registered for it runs scenarios step by step). */
export const DEBUG_TYPE = 'omadm';

/** What a run reported for one scenario, secrets hidden: for the tests and the API. */
export interface ScenarioRecord {
  uri: string;
  name: string;
  state: 'passed' | 'failed' | 'errored' | 'skipped' | 'partial';
  message?: string;
  steps: StepResult[];
  /** The trace file written. */
  trace?: string;
  /** Where the run's DM Servers listened (closed when it ended). */
  endpoints: string[];
  environment?: string;
}

export interface RunRecord {
  scenarios: ScenarioRecord[];
  /** What was appended to the test run's output. */
  output: string;
}

interface Selected {
  item: vscode.TestItem;
  /** The last step to run; undefined: the whole scenario. */
  upTo?: number;
}

export class ScenarioRunner implements vscode.Disposable {
  private readonly traces = new Map<string, vscode.Uri>();
  private readonly tracesChanged = new vscode.EventEmitter<void>();
  private readonly stepDone = new vscode.EventEmitter<{ uri: string; result: StepResult }>();
  /** Fires when a scenario has a new trace (the CodeLens offers to open it). */
  readonly onDidChangeTraces = this.tracesChanged.event;
  /** Fires after each step is reported. */
  readonly onDidFinishStep = this.stepDone.event;
  lastTrace: vscode.Uri | undefined;
  /** How to cancel each run in progress: closing the window ends them and closes their sockets. */
  private readonly active = new Set<() => void>();

  constructor(
    private readonly tests: ScenarioTests,
    private readonly environments: ScenarioEnvironments,
    private readonly secrets: ScenarioSecrets,
    private readonly storage: vscode.Uri,
  ) {}

  dispose(): void {
    for (const cancel of [...this.active]) cancel();
    this.tracesChanged.dispose();
    this.stepDone.dispose();
  }

  traceOf(scenario: vscode.Uri): vscode.Uri | undefined {
    return this.traces.get(scenario.toString());
  }

  /** The scenarios a request names, in the Test Explorer's order, each with how far to run it. */
  private selection(request: vscode.TestRunRequest): Selected[] {
    const out = new Map<string, Selected>();
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const all: vscode.TestItem[] = [];
    this.tests.controller.items.forEach((i) => void all.push(i));
    for (const item of request.include ?? all) {
      const scenario = item.parent ?? item;
      if (excluded.has(scenario.id)) continue;
      const index = stepIndex(item);
      const had = out.get(scenario.id);
      if (index === undefined) out.set(scenario.id, { item: scenario });
      else if (!had) out.set(scenario.id, { item: scenario, upTo: index });
      else if (had.upTo !== undefined) had.upTo = Math.max(had.upTo, index);
    }
    return [...out.values()];
  }

  /** The chosen environment and the secrets the scenario names (asked for when the storage lacks one). */
  async inputs(uri: vscode.Uri, scenario: Scenario): Promise<{ env: ChosenEnvironment; secrets: Map<string, string> }> {
    const env = await this.environments.forScenario(uri);
    const secrets = new Map<string, string>();
    for (const name of secretNames(JSON.stringify(scenario))) {
      const v = (await this.secrets.get(name)) ?? (await this.secrets.ask(name, scenario.name));
      if (v === undefined) throw new ScenarioError(`\${secret:${name}} is not set: store it with "OMA DM: Set Scenario Secret" (in CI: the variable ${secretVariable(name)}).`);
      secrets.set(name, v);
    }
    return { env, secrets };
  }

  /** Variables and secrets put in; a problem the user can fix (an unknown environment, a secret not given) throws a ScenarioError. */
  async prepare(uri: vscode.Uri, scenario: Scenario): Promise<{ scenario: Scenario; sub: Substitution; environment?: string }> {
    const { env, secrets } = await this.inputs(uri, scenario);
    const sub = new Substitution(env.vars, (n) => secrets.get(n));
    const applied = sub.apply(scenario);
    if (sub.missing.size) {
      const where = env.file ? `${env.name !== undefined ? `environment '${env.name}' of ` : 'any environment (none is chosen and there is no default) of '}${vscode.workspace.asRelativePath(env.file)}` : 'any omadm.env.json (none next to the scenario or above it)';
      throw new ScenarioError(`${[...sub.missing].map((m) => `\${${m}}`).join(', ')} not set in ${where}.`);
    }
    return { scenario: applied, sub, ...(env.name !== undefined ? { environment: env.name } : {}) };
  }

  /** Where a scenario's trace goes: `.omadm/traces/` of its workspace folder (mirroring its path), else the extension's global storage. */
  tracePath(uri: vscode.Uri): string {
    const base = path.basename(uri.fsPath).replace(/\.dmflow\.json$/i, '.trace.jsonl');
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (folder) return path.join(folder.uri.fsPath, '.omadm', 'traces', path.dirname(path.relative(folder.uri.fsPath, uri.fsPath)), base);
    return path.join(this.storage.fsPath, 'traces', base);
  }

  /** The Run profile: the chosen scenarios one after the other, each step reported. */
  async run(request: vscode.TestRunRequest, token?: vscode.CancellationToken): Promise<RunRecord> {
    const run = this.tests.controller.createTestRun(request, undefined, true);
    const record: RunRecord = { scenarios: [], output: '' };
    const append = (text: string, location?: vscode.Location, item?: vscode.TestItem): void => {
      record.output += text + '\n';
      run.appendOutput(text.replace(/\r?\n/g, '\r\n') + '\r\n', location, item);
    };
    // Cancelled from the caller's token or from the Test Results view.
    let cancelled = false;
    const cancel = new vscode.EventEmitter<void>();
    const onCancel = (): void => {
      if (cancelled) return;
      cancelled = true;
      cancel.fire();
    };
    const subs = [token?.onCancellationRequested(onCancel), run.token.onCancellationRequested(onCancel)];
    this.active.add(onCancel);
    try {
      const selected = this.selection(request);
      for (const s of selected) {
        for (const child of this.stepsOf(s)) run.enqueued(child);
        run.enqueued(s.item);
      }
      for (const s of selected) {
        if (cancelled) {
          run.skipped(s.item);
          continue;
        }
        // The profiles exist only in a trusted workspace; a caller of the API is held to the same rule.
        if (!vscode.workspace.isTrusted) {
          run.errored(s.item, new vscode.TestMessage('Scenarios run only in a trusted workspace: their participants open ports on loopback and read the workspace\'s files.'));
          continue;
        }
        record.scenarios.push(await this.runOne(run, s, append, () => cancelled, cancel.event));
      }
    } finally {
      this.active.delete(onCancel);
      for (const d of subs) d?.dispose();
      cancel.dispose();
      run.end();
    }
    return record;
  }

  private stepsOf(s: Selected): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    s.item.children.forEach((c) => {
      const i = stepIndex(c);
      if (i !== undefined && (s.upTo === undefined || i <= s.upTo)) out.push(c);
    });
    return out;
  }

  private async runOne(run: vscode.TestRun, s: Selected, append: (text: string, location?: vscode.Location, item?: vscode.TestItem) => void, isCancelled: () => boolean, onCancel: vscode.Event<void>): Promise<ScenarioRecord> {
    const { item } = s;
    const uri = item.uri!;
    const rel = vscode.workspace.asRelativePath(uri);
    const record: ScenarioRecord = { uri: uri.toString(), name: item.label, state: 'errored', steps: [], endpoints: [] };
    const at = (line: number): vscode.Location => new vscode.Location(uri, new vscode.Position(Math.max(0, line - 1), 0));
    const error = (message: string, line = 1): ScenarioRecord => {
      const m = new vscode.TestMessage(message);
      m.location = at(line);
      run.errored(item, m);
      append(`✗ ${item.label}: ${message}`, m.location, item);
      return { ...record, message };
    };
    run.started(item);
    let text: string;
    try {
      text = await readText(uri);
    } catch (e) {
      return error(`${rel} cannot be read: ${(e as Error).message}`);
    }
    // The items follow the text that runs, so that each step's result lands on its item.
    const parsed = this.tests.set(uri, text);
    if (!parsed.scenario) {
      const first = parsed.diagnostics[0];
      return error(`${rel} is not a valid scenario: ${parsed.diagnostics.slice(0, 10).map((d) => `line ${lineOf(text, d.start)}: ${d.message}`).join('; ')}`, first ? lineOf(text, first.start) : 1);
    }
    let prepared: Awaited<ReturnType<ScenarioRunner['prepare']>>;
    try {
      prepared = await this.prepare(uri, parsed.scenario);
    } catch (e) {
      return error((e as Error).message, parsed.scenario.line);
    }
    const { sub } = prepared;
    const redact = (x: string): string => sub.redact(x);
    const scenario = s.upTo === undefined ? prepared.scenario : { ...prepared.scenario, steps: prepared.scenario.steps.slice(0, s.upTo + 1) };
    record.name = scenario.name;
    if (prepared.environment !== undefined) record.environment = prepared.environment;
    const items = new Map<number, vscode.TestItem>();
    for (const c of this.stepsOf(s)) items.set(stepIndex(c)!, c);
    append(`▶ ${scenario.name} (${rel})${prepared.environment !== undefined ? `, environment ${prepared.environment}` : ''}${s.upTo !== undefined ? `, steps 1 to ${s.upTo + 1}` : ''}`, undefined, item);
    const trace: TraceEvent[] = [];
    const host = runHost(scenarioHost(path.dirname(uri.fsPath)), onCancel, record.endpoints);
    const result: ScenarioResult = await runScenario({
      scenario,
      host: host.host,
      cancelled: isCancelled,
      trace: (e) => {
        trace.push(e);
        const stepItem = e.step !== undefined ? items.get(e.step) : undefined;
        append(`    ${redact(formatEvent(e))}`, undefined, stepItem ?? item);
      },
      onStep: (r) => {
        const shown: StepResult = { ...r, ...(r.message !== undefined ? { message: redact(r.message) } : {}), ...(r.expected !== undefined ? { expected: redact(r.expected) } : {}), ...(r.actual !== undefined ? { actual: redact(r.actual) } : {}) };
        record.steps.push(shown);
        this.report(run, items.get(r.index), shown, uri, isCancelled());
        append(`  ${shown.status === 'passed' ? '✓' : shown.status === 'skipped' ? '-' : '✗'} ${shown.index + 1}. ${shown.name}${shown.duration ? ` (${Math.round(shown.duration)} ms)` : ''}${shown.message ? `: ${shown.message}` : ''}${shown.expected !== undefined ? ` [expected ${shown.expected}, got ${shown.actual ?? ''}]` : ''}`, at(shown.line), items.get(r.index));
        this.stepDone.fire({ uri: uri.toString(), result: shown });
      },
    });
    host.dispose();
    const failing = record.steps.find((r) => r.status === 'failed' || r.status === 'errored');
    if (result.error !== undefined) {
      record.state = 'errored';
      record.message = redact(result.error);
      const m = new vscode.TestMessage(record.message);
      m.location = at(scenario.line);
      run.errored(item, m, result.duration);
    } else if (isCancelled()) {
      record.state = 'skipped';
      record.message = CANCELLED;
      run.skipped(item);
    } else if (s.upTo !== undefined) {
      // Only part of the scenario ran: its steps have their results, the scenario as a whole has none.
      record.state = 'partial';
    } else if (result.passed) {
      record.state = 'passed';
      run.passed(item, result.duration);
    } else {
      record.state = 'failed';
      record.message = `step ${failing ? `${failing.index + 1} (${failing.name}) ${failing.status}: ${failing.message ?? ''}` : 'failed'}`;
      const m = new vscode.TestMessage(record.message);
      m.location = at(failing?.line ?? scenario.line);
      run.failed(item, m, result.duration);
    }
    // The trace, as `omadm run --trace` writes it: JSON lines, secrets and Authorization values hidden.
    const file = this.tracePath(uri);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, trace.map((e) => traceLine(e, redact)).join('\n') + (trace.length ? '\n' : ''));
      record.trace = file;
      const traceUri = vscode.Uri.file(file);
      this.traces.set(uri.toString(), traceUri);
      this.lastTrace = traceUri;
      this.tracesChanged.fire();
    } catch (e) {
      append(`The trace could not be written to ${file}: ${(e as Error).message}`, undefined, item);
    }
    append(`${record.state === 'passed' ? 'passed' : record.state === 'partial' ? 'ran' : record.state.toUpperCase()}: ${scenario.name}, ${trace.filter((e) => e.kind !== 'note').length} messages, ${Math.round(result.duration)} ms${record.trace ? `\nTrace: ${record.trace} (OMA DM: Open Last Scenario Trace)` : ''}`, undefined, item);
    return record;
  }

  private report(run: vscode.TestRun, item: vscode.TestItem | undefined, r: StepResult, uri: vscode.Uri, cancelled: boolean): void {
    if (!item) return;
    const message = (): vscode.TestMessage => {
      const m = r.expected !== undefined ? vscode.TestMessage.diff(r.message ?? 'the expectation does not hold', r.expected, r.actual ?? '') : new vscode.TestMessage(r.message ?? r.status);
      m.location = new vscode.Location(uri, new vscode.Position(Math.max(0, r.line - 1), 0));
      return m;
    };
    if (r.status === 'passed') run.passed(item, r.duration);
    else if (r.status === 'failed') run.failed(item, message(), r.duration);
    // The step that was waiting when the run was cancelled did not fail: it was stopped.
    else if (r.status === 'errored' && !(cancelled && r.message === CANCELLED)) run.errored(item, message(), r.duration);
    else run.skipped(item);
  }

  /**
   * The Debug profile: a debug session of type `omadm` for the scenario (the launch arguments of
   * the scenario debugger: `program`, the chosen environment's `variables`, the `secrets` it
   * names), when a debugger for that type is installed. A step's item stops at that step: a
   * breakpoint on its line for the session's length.
   */
  async debug(request: vscode.TestRunRequest, token?: vscode.CancellationToken): Promise<boolean> {
    const selected = this.selection(request);
    const run = this.tests.controller.createTestRun(request, 'Debug', false);
    const fail = (message: string, items: vscode.TestItem[]): false => {
      for (const i of items) run.errored(i, new vscode.TestMessage(message));
      run.appendOutput(message + '\r\n');
      run.end();
      void vscode.window.showErrorMessage(`OMA DM: ${message}`);
      return false;
    };
    const first = selected[0];
    if (!first) {
      run.end();
      return false;
    }
    if (!debuggerInstalled()) return fail(`No debugger for OMA DM scenarios is installed (debug type "${DEBUG_TYPE}"): this version of the extension cannot debug ${first.item.label}; use Run instead.`, selected.map((s) => s.item));
    for (const s of selected.slice(1)) run.skipped(s.item);
    if (selected.length > 1) run.appendOutput(`One scenario is debugged at a time: ${first.item.label}.\r\n`);
    const uri = first.item.uri!;
    let inputs: Awaited<ReturnType<ScenarioRunner['inputs']>>;
    try {
      const text = await readText(uri);
      const parsed = parseScenario(text, path.basename(uri.fsPath).replace(/\.dmflow\.json$/i, ''));
      if (!parsed.scenario) return fail(`${vscode.workspace.asRelativePath(uri)} is not a valid scenario: ${parsed.diagnostics.slice(0, 10).map((d) => `line ${lineOf(text, d.start)}: ${d.message}`).join('; ')}`, [first.item]);
      inputs = await this.inputs(uri, parsed.scenario);
    } catch (e) {
      return fail((e as Error).message, [first.item]);
    }
    const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const config: vscode.DebugConfiguration = {
      type: DEBUG_TYPE,
      request: 'launch',
      name: `Scenario: ${first.item.label}`,
      program: uri.fsPath,
      // Without a breakpoint of the user's in the scenario, it stops before the first step.
      stopOnEntry: first.upTo === undefined && !vscode.debug.breakpoints.some((b) => b.enabled && b instanceof vscode.SourceBreakpoint && b.location.uri.toString() === uri.toString()),
      variables: inputs.env.vars,
      secrets: Object.fromEntries(inputs.secrets),
      omadmTestRun: id,
    };
    const stepLine = first.upTo !== undefined ? first.item.children.get(`${first.item.id}#${first.upTo}`)?.range?.start.line : undefined;
    const breakpoint = stepLine !== undefined ? new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(stepLine, 0))) : undefined;
    if (breakpoint) vscode.debug.addBreakpoints([breakpoint]);
    run.started(first.item);
    let session: vscode.DebugSession | undefined;
    const started = vscode.debug.onDidStartDebugSession((s) => {
      if (s.configuration.omadmTestRun === id) session = s;
    });
    try {
      let ok: boolean;
      try {
        ok = await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), config);
      } finally {
        started.dispose();
      }
      if (!ok || !session) return fail(`The "${DEBUG_TYPE}" debug session for ${first.item.label} did not start.`, [first.item]);
      const own = session;
      await new Promise<void>((resolve) => {
        const ended = vscode.debug.onDidTerminateDebugSession((s) => {
          if (s !== own) return;
          ended.dispose();
          stop?.dispose();
          resolve();
        });
        const stop = token?.onCancellationRequested(() => void vscode.debug.stopDebugging(own));
      });
      run.end();
      return true;
    } finally {
      if (breakpoint) vscode.debug.removeBreakpoints([breakpoint]);
    }
  }
}

/** Whether an installed extension contributes a debugger of the scenario debug type (package.json `contributes.debuggers`). */
export function debuggerInstalled(): boolean {
  return vscode.extensions.all.some((e) => ((e.packageJSON as { contributes?: { debuggers?: { type?: string }[] } }).contributes?.debuggers ?? []).some((d) => d.type === DEBUG_TYPE));
}

/**
 * The host of one run: the host layer's real sockets, with every step's wait ended at once when
 * the run is cancelled (the runner then skips the rest and closes every participant), and the
 * DM Servers' URLs recorded.
 */
function runHost(base: ScenarioHost, onCancel: vscode.Event<void>, endpoints: string[]): { host: ScenarioHost; dispose(): void } {
  let reject: ((e: Error) => void) | undefined;
  const cancelled = new Promise<never>((_, r) => {
    reject = r;
  });
  // Handled here: a run that is never cancelled leaves it pending, one cancelled between steps rejects it unobserved.
  cancelled.catch(() => undefined);
  const sub = onCancel(() => reject?.(new Error(CANCELLED)));
  return {
    host: {
      ...base,
      startServer: async (p, serverId, trace) => {
        const s = await base.startServer(p, serverId, trace);
        endpoints.push(s.url);
        return s;
      },
      within: (p, ms, what) => Promise.race([base.within(p, ms, what), cancelled]),
    },
    dispose: () => sub.dispose(),
  };
}
