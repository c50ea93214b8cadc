/**
 * The LSP wiring: vscode-languageserver over stdio or node IPC (chosen by the command line:
 * --stdio, --node-ipc), documents synced in full, every request served by the language service.
 * A fault in one request is logged and answered empty; the server itself keeps running.
 */
import {
  type Connection,
  TextDocuments,
  TextDocumentSyncKind,
  createConnection,
  ProposedFeatures,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LanguageService, type TextDocumentInput } from '../language/service.js';
import { allSkeletonTargets, skeleton } from '../core/delegation/build.js';

export const COMMANDS = { skeleton: 'omadm.server.skeleton', messages: 'omadm.server.messages' } as const;

function input(doc: TextDocument): TextDocumentInput {
  return { uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.getText() };
}

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const documents = new TextDocuments(TextDocument);
  // A Package#3 is checked against the Package#2 beside it: an open editor's text first, else the disk.
  const readSibling = (fileName: string): string | undefined => {
    const open = documents.all().find((d) => d.uri.startsWith('file:') && fileURLToPath(d.uri) === fileName);
    if (open) return open.getText();
    try {
      return fs.readFileSync(fileName, 'utf8');
    } catch {
      return undefined;
    }
  };
  const service = new LanguageService({ readSibling });

  const guard = <T>(what: string, fallback: T, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      connection.console.error(`omadm: ${what} failed: ${(e as Error).stack ?? e}`);
      return fallback;
    }
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Full,
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['<', '>'] },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      executeCommandProvider: { commands: Object.values(COMMANDS) },
    },
    serverInfo: { name: 'omadm-language-server', version: '0.1.0' },
  }));

  const publish = (doc: TextDocument): void => {
    const diagnostics = guard('validation', [], () => service.diagnostics(input(doc)));
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };
  documents.onDidChangeContent((e) => publish(e.document));
  documents.onDidClose((e) => {
    service.forget(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const withDoc = <T>(uri: string, fallback: T, what: string, fn: (d: TextDocumentInput) => T): T => {
    const doc = documents.get(uri);
    return doc ? guard(what, fallback, () => fn(input(doc))) : fallback;
  };
  connection.onHover((p) => withDoc(p.textDocument.uri, null, 'hover', (d) => service.hover(d, p.position)));
  connection.onCompletion((p) => withDoc(p.textDocument.uri, [], 'completion', (d) => service.completion(d, p.position)));
  connection.onCodeAction((p) => withDoc(p.textDocument.uri, [], 'code actions', (d) => service.codeActions(d, p.range, p.context.diagnostics)));
  connection.onDocumentSymbol((p) => withDoc(p.textDocument.uri, [], 'outline', (d) => service.symbols(d)));
  connection.onFoldingRanges((p) => withDoc(p.textDocument.uri, [], 'folding', (d) => service.folding(d)));
  connection.onExecuteCommand((p) =>
    guard('command', null, () => {
      if (p.command === COMMANDS.messages) return allSkeletonTargets().map((t) => ({ label: t.label, root: t.message.root, section: t.variant.section, detail: `${t.message.name} — ${t.message.title}` }));
      if (p.command === COMMANDS.skeleton) {
        const [root, section] = (p.arguments ?? []) as [string?, string?];
        const t = allSkeletonTargets().find((x) => x.message.root === root && (!section || x.variant.section === section));
        return t ? skeleton(t.message, t.variant, { declaration: true }) : null;
      }
      return null;
    }),
  );

  documents.listen(connection);
  connection.listen();
  return connection;
}
