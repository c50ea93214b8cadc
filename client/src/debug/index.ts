/**
 * The scenario debugger in VS Code: the `omadm` debug type runs the adapter inline in the extension
 * host (the same adapter as `omadm debug-adapter`, docs/debugging.md), and F5 on an open scenario
 * debugs it without a launch.json. The environment's variables and the secrets come from the
 * Test Explorer's debug profile, or from `variables`/`secrets` in launch.json; a secret not given
 * there is read from OMADM_SECRET_<NAME>.
 */
import * as vscode from 'vscode';
import { OmadmDebugSession } from '../../../server/src/debug/adapter';

export const DEBUG_TYPE = 'omadm';

export function registerDebugger(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new OmadmDebugSession()),
    }),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      resolveDebugConfiguration(_folder, config) {
        if (!vscode.workspace.isTrusted) {
          void vscode.window.showWarningMessage('OMA DM: debugging a scenario starts emulated parts that open network ports; trust the workspace first.');
          return undefined;
        }
        // F5 with no launch.json: the open scenario, stopping at its first step.
        if (!config.type && !config.request && !config.name) {
          const doc = vscode.window.activeTextEditor?.document;
          if (!doc || !doc.fileName.endsWith('.dmflow.json')) return config;
          return { type: DEBUG_TYPE, request: 'launch', name: 'Debug scenario', program: doc.fileName, stopOnEntry: true };
        }
        if (!config.program) {
          const doc = vscode.window.activeTextEditor?.document;
          if (doc?.fileName.endsWith('.dmflow.json')) config.program = doc.fileName;
          else {
            void vscode.window.showErrorMessage('OMA DM: say which scenario to debug ("program": a *.dmflow.json file).');
            return undefined;
          }
        }
        return config;
      },
    }),
    // While a scenario is paused, hovering a ClientURI in it shows what it addresses in the live trees.
    vscode.languages.registerHoverProvider({ pattern: '**/*.dmflow.json' }, {
      async provideHover(doc, position) {
        const session = vscode.debug.activeDebugSession;
        if (session?.type !== DEBUG_TYPE) return undefined;
        const range = doc.getWordRangeAtPosition(position, /"(?:urn:)?oma:mo:[^"\\]*"/);
        if (!range) return undefined;
        const expression = doc.getText(range).slice(1, -1);
        try {
          const r = (await session.customRequest('evaluate', { expression, context: 'hover' })) as { result: string };
          const md = new vscode.MarkdownString();
          md.appendMarkdown('**Live value** (paused scenario)\n\n');
          md.appendCodeblock(r.result, 'json');
          return new vscode.Hover(md, range);
        } catch {
          // Not paused: the run answers nothing meaningful, and the language server's hover stands.
          return undefined;
        }
      },
    }),
  );
}
