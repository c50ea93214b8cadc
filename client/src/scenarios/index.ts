/**
 * Scenarios (`*.dmflow.json`, docs/scenarios.md "In VS Code") in the editor: the Test Explorer's
 * items and its Run and Debug profiles, the CodeLens above each scenario, the environment in the
 * status bar, the secrets in VS Code's SecretStorage, and each run's trace. Running needs a
 * trusted workspace: the emulated parts open ports on loopback and read the workspace's files;
 * in an untrusted one the scenarios are listed but the profiles, the CodeLens and the commands
 * that run them are not there.
 */
import * as vscode from 'vscode';
import { ScenarioEnvironments, ScenarioError, ScenarioSecrets, isScenarioUri } from './environments';
import { type RunRecord, ScenarioRunner } from './run';
import { ScenarioTests, stepId } from './tests';

export type { RunRecord, ScenarioRecord } from './run';

/** The documents the language server checks as scenarios (server/src/language/scenario.ts), whatever their language id. */
export const SCENARIO_SELECTOR = { scheme: 'file', pattern: '**/*.dmflow.json' };

/** The viewer of traces as sequence diagrams, when the extension has one. */
const TRACE_VIEWER = 'omadm.openTrace';

export interface ScenariosApi {
  tests: ScenarioTests;
  runner: ScenarioRunner;
  environments: ScenarioEnvironments;
  secrets: ScenarioSecrets;
  /** Created once the workspace is trusted. */
  runProfile(): vscode.TestRunProfile | undefined;
  debugProfile(): vscode.TestRunProfile | undefined;
}

function guarded<T>(fn: (...args: unknown[]) => Promise<T>): (...args: unknown[]) => Promise<T | undefined> {
  return async (...args) => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window
        .showErrorMessage('OMA DM: scenarios run only in a trusted workspace: their devices, DM Servers and delegation peers open ports on loopback and read the workspace\'s files.', 'Manage Workspace Trust')
        .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
      return undefined;
    }
    try {
      return await fn(...args);
    } catch (e) {
      void vscode.window.showErrorMessage(`OMA DM: ${e instanceof ScenarioError ? e.message : (e as Error).message ?? String(e)}`);
      return undefined;
    }
  };
}

class ScenarioLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly runner: ScenarioRunner,
    private readonly viewer: () => boolean,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted || !isScenarioUri(doc.uri)) return [];
    // On the first line: above the scenario as a whole.
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [
      new vscode.CodeLens(top, { title: '$(play) Run', tooltip: 'Run the scenario (its results go to the Test Explorer)', command: 'omadm.runScenario', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: '$(debug-alt) Debug', tooltip: 'Debug the scenario step by step', command: 'omadm.debugScenario', arguments: [doc.uri] }),
    ];
    const trace = this.runner.traceOf(doc.uri);
    if (trace) {
      lenses.push(new vscode.CodeLens(top, { title: '$(output) Trace', tooltip: `Open the trace of the last run (${vscode.workspace.asRelativePath(trace)})`, command: 'omadm.openScenarioTrace', arguments: [trace, 'text'] }));
      if (this.viewer()) lenses.push(new vscode.CodeLens(top, { title: '$(type-hierarchy) Sequence Diagram', tooltip: 'The last run as a sequence diagram', command: 'omadm.openScenarioTrace', arguments: [trace, 'diagram'] }));
    }
    return lenses;
  }
}

export function registerScenarios(context: vscode.ExtensionContext): ScenariosApi {
  const tests = new ScenarioTests();
  const environments = new ScenarioEnvironments(context);
  const secrets = new ScenarioSecrets(context.secrets);
  const runner = new ScenarioRunner(tests, environments, secrets, context.globalStorageUri);
  let viewer = false;
  const lookForViewer = async (): Promise<boolean> => (viewer = (await vscode.commands.getCommands(true)).includes(TRACE_VIEWER));
  const lenses = new ScenarioLenses(runner, () => viewer);
  let runProfile: vscode.TestRunProfile | undefined;
  let debugProfile: vscode.TestRunProfile | undefined;
  const createProfiles = (): void => {
    if (runProfile) return;
    runProfile = tests.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => runner.run(request, token).then(() => undefined), true);
    debugProfile = tests.controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, (request, token) => runner.debug(request, token).then(() => undefined), true);
    context.subscriptions.push(runProfile, debugProfile);
    lenses.refresh();
  };
  if (vscode.workspace.isTrusted) createProfiles();

  /** A request for the scenario (or its steps up to `step`), as the Test Explorer would make it. */
  const requestFor = async (uri: unknown, step: unknown, profile: vscode.TestRunProfile | undefined): Promise<vscode.TestRunRequest> => {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target || !isScenarioUri(target)) throw new ScenarioError('Open a scenario (*.dmflow.json) to run it.');
    const item = await tests.item(target);
    if (!item) throw new ScenarioError(`${vscode.workspace.asRelativePath(target)} cannot be read.`);
    const stepItem = typeof step === 'number' ? item.children.get(stepId(item, step)) : undefined;
    if (typeof step === 'number' && !stepItem) throw new ScenarioError(`${item.label} has no step ${step + 1}.`);
    return new vscode.TestRunRequest([stepItem ?? item], undefined, profile);
  };

  context.subscriptions.push(
    tests,
    environments,
    runner,
    lenses,
    vscode.languages.registerCodeLensProvider(SCENARIO_SELECTOR, lenses),
    runner.onDidChangeTraces(() => void lookForViewer().then(() => lenses.refresh())),
    vscode.workspace.onDidGrantWorkspaceTrust(createProfiles),
    // Run and Debug from the CodeLens or the command palette: the Test Explorer's own code, with a run of their own there.
    vscode.commands.registerCommand('omadm.runScenario', guarded(async (uri?: unknown, step?: unknown): Promise<RunRecord> => {
      const cancel = new vscode.CancellationTokenSource();
      try {
        return await runner.run(await requestFor(uri, step, runProfile), cancel.token);
      } finally {
        cancel.dispose();
      }
    })),
    vscode.commands.registerCommand('omadm.debugScenario', guarded(async (uri?: unknown, step?: unknown): Promise<boolean> => runner.debug(await requestFor(uri, step, debugProfile)))),
    vscode.commands.registerCommand('omadm.selectScenarioEnvironment', guarded(async (name?: unknown, scenario?: unknown) => environments.select(typeof name === 'string' ? name : undefined, scenario instanceof vscode.Uri ? scenario : undefined))),
    vscode.commands.registerCommand('omadm.setScenarioSecret', async (name?: unknown, value?: unknown) => {
      try {
        return await secrets.set(typeof name === 'string' ? name : undefined, typeof value === 'string' ? value : undefined);
      } catch (e) {
        void vscode.window.showErrorMessage(`OMA DM: ${(e as Error).message}`);
        return false;
      }
    }),
    // The trace of the last run (or the one given): the JSON lines, or the sequence diagram when the viewer is there.
    vscode.commands.registerCommand('omadm.openScenarioTrace', async (given?: unknown, as?: unknown): Promise<vscode.Uri | undefined> => {
      const trace = given instanceof vscode.Uri ? given : runner.lastTrace;
      if (!trace) {
        void vscode.window.showInformationMessage('OMA DM: no scenario has run yet in this window. Run one from the Test Explorer or with the Run CodeLens above it.');
        return undefined;
      }
      let how = as === 'text' || as === 'diagram' ? as : undefined;
      if (!how && (await lookForViewer())) {
        const pick = await vscode.window.showQuickPick([{ label: 'Sequence diagram', how: 'diagram' as const }, { label: 'JSON lines', description: vscode.workspace.asRelativePath(trace), how: 'text' as const }], { placeHolder: 'Open the trace as' });
        if (!pick) return undefined;
        how = pick.how;
      }
      if (how === 'diagram' && (await lookForViewer())) await vscode.commands.executeCommand(TRACE_VIEWER, trace);
      else await vscode.window.showTextDocument(trace, { preview: true });
      return trace;
    }),
  );
  void tests.discover();
  return { tests, runner, environments, secrets, runProfile: () => runProfile, debugProfile: () => debugProfile };
}
