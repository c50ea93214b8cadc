/**
 * Environments and secrets of scenario runs in VS Code (docs/scenarios.md "Environments and
 * secrets"): the variables come from the environment chosen for the nearest `omadm.env.json`
 * (remembered per workspace, shown in the status bar while a scenario is open; its `default`
 * until one is chosen, as `omadm run` without --env), the `${secret:NAME}` values from VS Code's
 * SecretStorage, asked for with a password box when missing. The lookup of `omadm.env.json` is
 * the CLI's: next to the scenario or in a folder above it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type Environments, parseEnvironments } from '../../../server/src/core/scenario/variables';

export const ENV_FILE = 'omadm.env.json';
const STATE_KEY = 'omadm.scenarioEnvironments';
const SECRET_KEY = (name: string): string => `omadm.scenarioSecret.${name}`;
/** The names `${secret:NAME}` may use (server/src/core/scenario/variables.ts). */
export const SECRET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const SECRET_REFERENCE = /\$\{secret:([A-Za-z0-9_.-]{1,64})\}/g;

/** A problem the user can act on, said in a sentence. */
export class ScenarioError extends Error {}

export function isScenarioUri(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && /\.dmflow\.json$/i.test(uri.fsPath);
}

/** `omadm.env.json` next to the scenario or in a folder above it. */
export function environmentFile(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const f = path.join(d, ENV_FILE);
    if (fs.existsSync(f)) return f;
    if (path.dirname(d) === d) return undefined;
  }
}

/** The text of a file: the open editor's (what the user sees), else the disk's. */
export async function readText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/** The `${secret:NAME}` names a text uses, in order of appearance. */
export function secretNames(text: string): string[] {
  return [...new Set([...text.matchAll(SECRET_REFERENCE)].map((m) => m[1]!))];
}

export interface ChosenEnvironment {
  file?: string;
  name?: string;
  vars: Record<string, string>;
}

export class ScenarioEnvironments implements vscode.Disposable {
  private readonly status = vscode.window.createStatusBarItem('omadm.scenarioEnvironment', vscode.StatusBarAlignment.Left, 9);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.status.name = 'OMA DM scenario environment';
    this.status.command = 'omadm.selectScenarioEnvironment';
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${ENV_FILE}`);
    const refresh = (): void => void this.updateStatus();
    this.disposables.push(this.status, watcher, watcher.onDidCreate(refresh), watcher.onDidChange(refresh), watcher.onDidDelete(refresh), vscode.window.onDidChangeActiveTextEditor(refresh));
    refresh();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private chosen(): Record<string, string> {
    return this.context.workspaceState.get<Record<string, string>>(STATE_KEY, {});
  }

  private async load(file: string): Promise<Environments> {
    const envs = parseEnvironments(await readText(vscode.Uri.file(file)));
    if (typeof envs === 'string') throw new ScenarioError(`${vscode.workspace.asRelativePath(file)}: ${envs}`);
    return envs;
  }

  /** The environment a run of this scenario uses: the one chosen for its `omadm.env.json`, else the file's default, else none. */
  async forScenario(scenario: vscode.Uri): Promise<ChosenEnvironment> {
    const file = environmentFile(path.dirname(scenario.fsPath));
    if (!file) return { vars: {} };
    const envs = await this.load(file);
    const name = this.chosen()[file] ?? envs.default;
    if (name === undefined) return { file, vars: {} };
    const vars = Object.hasOwn(envs.environments, name) ? envs.environments[name] : undefined;
    if (!vars) throw new ScenarioError(`${vscode.workspace.asRelativePath(file)} has no environment '${name}' (it has ${Object.keys(envs.environments).join(', ') || 'none'}): choose one with "OMA DM: Select Scenario Environment".`);
    return { file, name, vars };
  }

  /** The scenario the command is about: the one given, else the active editor's. */
  private scenarioOf(given?: vscode.Uri): vscode.Uri | undefined {
    if (given) return given;
    const active = vscode.window.activeTextEditor?.document.uri;
    return active && isScenarioUri(active) ? active : undefined;
  }

  /** "Select Scenario Environment": a QuickPick of the environments of the nearest `omadm.env.json`, or `name` without asking. */
  async select(name?: string, scenario?: vscode.Uri): Promise<string | undefined> {
    const of = this.scenarioOf(scenario);
    const dir = of ? path.dirname(of.fsPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const file = dir ? environmentFile(dir) : undefined;
    if (!file) {
      void vscode.window.showInformationMessage(`OMA DM: no ${ENV_FILE} next to the scenario or above it. It names environments of variables: { "environments": { "local": { "dmUrl": "http://127.0.0.1:8080/dm" } }, "default": "local" } (docs/scenarios.md).`);
      return undefined;
    }
    const envs = await this.load(file);
    const current = this.chosen()[file] ?? envs.default;
    let picked = name;
    if (picked === undefined) {
      const items = Object.entries(envs.environments).map(([n, vars]) => ({ label: n, description: [n === current ? 'current' : '', n === envs.default ? 'default' : ''].filter(Boolean).join(', '), detail: Object.keys(vars).map((k) => `\${${k}}`).join(' ') || 'no variables' }));
      const pick = await vscode.window.showQuickPick(items, { title: `Scenario environment (${vscode.workspace.asRelativePath(file)})`, placeHolder: 'The variables ${name} of the scenarios take their values from the environment chosen' });
      if (!pick) return undefined;
      picked = pick.label;
    }
    if (!Object.hasOwn(envs.environments, picked)) throw new ScenarioError(`${vscode.workspace.asRelativePath(file)} has no environment '${picked}' (it has ${Object.keys(envs.environments).join(', ') || 'none'}).`);
    await this.context.workspaceState.update(STATE_KEY, { ...this.chosen(), [file]: picked });
    await this.updateStatus();
    return picked;
  }

  /** Shown while a scenario is open and an `omadm.env.json` applies to it. */
  async updateStatus(): Promise<void> {
    const active = vscode.window.activeTextEditor?.document.uri;
    const file = active && isScenarioUri(active) ? environmentFile(path.dirname(active.fsPath)) : undefined;
    if (!file) {
      this.status.hide();
      return;
    }
    let name: string | undefined;
    try {
      const envs = await this.load(file);
      name = this.chosen()[file] ?? envs.default;
      this.status.text = `$(server-environment) ${name ?? 'no environment'}`;
      this.status.tooltip = `Scenario environment from ${vscode.workspace.asRelativePath(file)}${name === undefined ? ': none chosen and no default' : ''}. Click to choose another.`;
    } catch (e) {
      this.status.text = '$(warning) omadm.env.json';
      this.status.tooltip = (e as Error).message;
    }
    this.status.show();
  }
}

export class ScenarioSecrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  get(name: string): Thenable<string | undefined> {
    return this.storage.get(SECRET_KEY(name));
  }

  /**
   * "Set Scenario Secret": the name (picked among those the active scenario uses, or typed) and
   * its value in a password box; an empty value removes the secret. Both may be given as arguments.
   */
  async set(name?: string, value?: string): Promise<boolean> {
    let n = name;
    if (n === undefined) {
      const doc = vscode.window.activeTextEditor?.document;
      const used = doc && isScenarioUri(doc.uri) ? secretNames(doc.getText()) : [];
      const items = await Promise.all(used.map(async (u) => ({ label: u, description: (await this.get(u)) === undefined ? 'not set' : 'stored' })));
      const other = { label: '$(edit) Another name…', description: '' };
      const pick = items.length ? await vscode.window.showQuickPick([...items, other], { title: 'Set Scenario Secret', placeHolder: 'The secret ${secret:NAME} of the scenario to store in VS Code\'s secret storage' }) : other;
      if (!pick) return false;
      n = pick === other ? await vscode.window.showInputBox({ title: 'Set Scenario Secret', prompt: 'NAME, as in ${secret:NAME}', validateInput: (v) => (SECRET_NAME.test(v) ? undefined : 'letters, digits, _ . and -, at most 64') }) : pick.label;
      if (n === undefined) return false;
    }
    if (!SECRET_NAME.test(n)) throw new ScenarioError(`'${n}' is not a secret name: letters, digits, _ . and -, at most 64.`);
    const v = value ?? (await vscode.window.showInputBox({ title: `Secret ${n}`, prompt: `The value of \${secret:${n}}, kept in VS Code's secret storage (empty: remove it)`, password: true, ignoreFocusOut: true }));
    if (v === undefined) return false;
    if (v === '') await this.storage.delete(SECRET_KEY(n));
    else await this.storage.store(SECRET_KEY(n), v);
    return true;
  }

  /** A secret a run needs and the storage does not have: asked for, then offered to be stored (the run does not wait for that answer). */
  async ask(name: string, scenario: string): Promise<string | undefined> {
    const v = await vscode.window.showInputBox({ title: `${scenario}: secret ${name}`, prompt: `\${secret:${name}} is not in VS Code's secret storage: its value for this run`, password: true, ignoreFocusOut: true });
    if (v === undefined) return undefined;
    void vscode.window.showInformationMessage(`Store the secret ${name} in VS Code's secret storage for the next runs?`, 'Store').then((a) => (a ? this.storage.store(SECRET_KEY(name), v) : undefined));
    return v;
  }
}
