/**
 * The scenarios of the workspace in the Test Explorer: one test item per `*.dmflow.json`, its
 * steps as children at their lines (docs/scenarios.md). Found when the extension starts and kept
 * up to date from file events and from the open editors (their text, saved or not, is what runs).
 * A scenario that does not parse is an item with an error: the parser's diagnostics with lines.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type ParsedScenario, lineOf, parseScenario } from '../../../server/src/core/scenario/model';
import { isScenarioUri, readText } from './environments';

/** The id of a step's item: the scenario's, then `#` and the step's index. */
export const stepId = (scenario: vscode.TestItem, index: number): string => `${scenario.id}#${index}`;

/** The index of a step's item, or undefined for a scenario's. */
export function stepIndex(item: vscode.TestItem): number | undefined {
  const m = /#(\d+)$/.exec(item.id);
  return item.parent && m ? Number(m[1]) : undefined;
}

export class ScenarioTests implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('omadm.scenarios', 'OMA DM Scenarios');
  private readonly disposables: vscode.Disposable[] = [];
  /** Per scenario, the newest update asked for: an older read that finishes later is dropped. */
  private readonly generations = new Map<string, number>();
  private discovery: Promise<void> | undefined;

  constructor() {
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.refreshHandler = () => this.discover(true);
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.dmflow.json');
    this.disposables.push(
      this.controller,
      watcher,
      watcher.onDidCreate((u) => void this.update(u)),
      // An open editor's text wins over the disk: it is what the user sees and what runs.
      watcher.onDidChange((u) => void (this.openDocument(u) ? undefined : this.update(u))),
      watcher.onDidDelete((u) => this.remove(u)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isScenarioUri(e.document.uri) && e.contentChanges.length) this.set(e.document.uri, e.document.getText());
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (isScenarioUri(d.uri)) this.set(d.uri, d.getText());
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (!isScenarioUri(d.uri)) return;
        // Outside the workspace folders it was listed only while open; inside, the disk's version is listed again.
        if (!vscode.workspace.getWorkspaceFolder(d.uri)) this.remove(d.uri);
        else void this.update(d.uri);
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  }

  /** Every `*.dmflow.json` of the workspace (and the open ones), listed; those gone are removed. */
  discover(again = false): Promise<void> {
    if (this.discovery && !again) return this.discovery;
    this.discovery = (async () => {
      const found = await vscode.workspace.findFiles('**/*.dmflow.json', '**/node_modules/**', 10_000);
      const open = vscode.workspace.textDocuments.filter((d) => isScenarioUri(d.uri)).map((d) => d.uri);
      const all = new Map([...found, ...open].map((u) => [u.toString(), u]));
      this.controller.items.forEach((item) => {
        if (!all.has(item.id)) this.controller.items.delete(item.id);
      });
      await Promise.all([...all.values()].map((u) => this.update(u)));
    })();
    return this.discovery;
  }

  /** The scenario's item, listed first if it was not. */
  async item(uri: vscode.Uri): Promise<vscode.TestItem | undefined> {
    await this.discover();
    if (!this.controller.items.get(uri.toString())) await this.update(uri);
    return this.controller.items.get(uri.toString());
  }

  async update(uri: vscode.Uri): Promise<void> {
    const id = uri.toString();
    const generation = (this.generations.get(id) ?? 0) + 1;
    this.generations.set(id, generation);
    let text: string;
    try {
      text = await readText(uri);
    } catch {
      if (this.generations.get(id) === generation) this.remove(uri);
      return;
    }
    if (this.generations.get(id) === generation) this.set(uri, text);
  }

  remove(uri: vscode.Uri): void {
    this.generations.set(uri.toString(), (this.generations.get(uri.toString()) ?? 0) + 1);
    this.controller.items.delete(uri.toString());
  }

  /** Lists the scenario from its text: its steps as children, or its problems as the item's error. */
  set(uri: vscode.Uri, text: string): ParsedScenario {
    const id = uri.toString();
    this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
    const parsed = parseScenario(text, path.basename(uri.fsPath).replace(/\.dmflow\.json$/i, ''));
    const s = parsed.scenario;
    const item = this.controller.items.get(id) ?? this.controller.createTestItem(id, s?.name ?? path.basename(uri.fsPath), uri);
    item.label = s?.name ?? path.basename(uri.fsPath);
    item.description = vscode.workspace.asRelativePath(uri);
    item.range = new vscode.Range(Math.max(0, (s?.line ?? 1) - 1), 0, Math.max(0, (s?.line ?? 1) - 1), 0);
    if (s) {
      item.error = undefined;
      item.children.replace(s.steps.map((step) => {
        const child = this.controller.createTestItem(stepId(item, step.index), `${step.index + 1}. ${step.name}`, uri);
        child.range = new vscode.Range(step.line - 1, 0, step.line - 1, 0);
        return child;
      }));
    } else {
      const problems = parsed.diagnostics.slice(0, 20).map((d) => `- line ${lineOf(text, d.start)}: ${d.message}`);
      item.error = new vscode.MarkdownString(`This scenario cannot run:\n\n${problems.join('\n')}${parsed.diagnostics.length > 20 ? `\n- … ${parsed.diagnostics.length - 20} more` : ''}`);
      item.children.replace([]);
    }
    this.controller.items.add(item);
    return parsed;
  }
}
