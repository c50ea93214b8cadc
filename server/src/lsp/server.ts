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
import { COMMANDS, SETTINGS, TREE_STATUS, type EncodeArgs, type MessageChoice, type Settings } from './contract.js';
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { globSync } from 'tinyglobby';
import { loadDdfs } from '../host/ddfs.js';
import { LanguageService, SEMANTIC_TOKEN_TYPES, type TextDocumentInput } from '../language/service.js';
import { notificationReport } from '../language/notification.js';
import { encode } from '../core/notification/codec.js';
import { formatHex } from '../core/notification/input.js';
import { CON_TYPES, conTypeByName } from '../core/notification/options.js';
import { allSkeletonTargets, skeleton } from '../core/delegation/build.js';

export { COMMANDS };

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

  // The workspace's sample trees (setting omadm.sampleTrees, globs; default every *.dmtree.json).
  let folders: string[] = [];
  let settings: Settings = {};
  const treeFiles = (): string[] => {
    const patterns = settings.sampleTrees?.length ? settings.sampleTrees : ['**/*.dmtree.json'];
    return folders.flatMap((cwd) => globSync(patterns, { cwd, absolute: true, ignore: ['**/node_modules/**', '**/.git/**'] })).sort();
  };
  const loadTrees = (): void => {
    const files = treeFiles().map((file) => {
      const open = documents.get(pathToFileURL(file).href);
      return { file, text: open ? open.getText() : guard('reading a tree', '', () => fs.readFileSync(file, 'utf8')) };
    });
    const ddfs = loadDdfs(folders.flatMap((cwd) => globSync(['**/*.ddf'], { cwd, absolute: true, ignore: ['**/node_modules/**', '**/.git/**'] })));
    service.setTrees(files, settings.serverId, ddfs);
    for (const d of documents.all()) publish(d);
    void connection.sendNotification(TREE_STATUS, service.treeStatus());
  };
  let reloadPending = false;
  const reloadSoon = (): void => {
    if (reloadPending) return;
    reloadPending = true;
    queueMicrotask(() => {
      reloadPending = false;
      guard('loading sample trees', undefined, loadTrees);
    });
  };
  connection.onInitialized(() => reloadSoon());
  connection.onNotification(SETTINGS, (s: Settings) => {
    settings = s ?? {};
    reloadSoon();
  });
  connection.onDidChangeWatchedFiles((p) => {
    if (p.changes.some((c) => /\.(dmtree\.json|ddf)$/i.test(c.uri))) reloadSoon();
  });
  connection.onRequest(TREE_STATUS, () => service.treeStatus());

  connection.onInitialize((params) => {
    folders = (params.workspaceFolders ?? []).map((f) => fileURLToPath(f.uri));
    if (!folders.length && params.rootUri) folders = [fileURLToPath(params.rootUri)];
    settings = (params.initializationOptions as typeof settings | undefined) ?? {};
    return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Full,
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['<', '>'] },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      inlayHintProvider: true,
      semanticTokensProvider: { legend: { tokenTypes: SEMANTIC_TOKEN_TYPES, tokenModifiers: [] }, full: true },
      executeCommandProvider: { commands: Object.values(COMMANDS) },
      definitionProvider: true,
      referencesProvider: true,
    },
    serverInfo: { name: 'omadm-language-server', version: '0.1.0' },
    };
  });

  const publish = (doc: TextDocument): void => {
    const diagnostics = guard('validation', [], () => service.diagnostics(input(doc)));
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };
  documents.onDidChangeContent((e) => {
    publish(e.document);
    if (/\.dmtree\.json$/i.test(e.document.uri)) reloadSoon();
  });
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
  connection.onDefinition((p) => withDoc(p.textDocument.uri, [], 'definition', (d) => service.definition(d, p.position)));
  connection.onReferences((p) =>
    withDoc(p.textDocument.uri, [], 'references', (d) => {
      const open = new Map(documents.all().map((x) => [x.uri, input(x)]));
      const files = folders.flatMap((cwd) => globSync(['**/*.{json,dmhttp,http}'], { cwd, absolute: true, ignore: ['**/node_modules/**', '**/.git/**'] })).slice(0, 3000);
      for (const f of files) {
        const uri = pathToFileURL(f).href;
        if (!open.has(uri)) open.set(uri, { uri, version: 0, text: guard('reading a file', '', () => fs.readFileSync(f, 'utf8')) });
      }
      return service.references(d, p.position, [...open.values()]);
    }),
  );
  connection.onDocumentSymbol((p) => withDoc(p.textDocument.uri, [], 'outline', (d) => service.symbols(d)));
  connection.onFoldingRanges((p) => withDoc(p.textDocument.uri, [], 'folding', (d) => service.folding(d)));
  connection.languages.inlayHint.on((p) => withDoc(p.textDocument.uri, [], 'inlay hints', (d) => service.inlayHints(d, p.range)));
  connection.languages.semanticTokens.on((p) => withDoc(p.textDocument.uri, { data: [] }, 'semantic tokens', (d) => ({ data: service.semanticTokens(d) })));
  connection.onExecuteCommand((p) =>
    guard('command', null, () => {
      if (p.command === COMMANDS.messages) return allSkeletonTargets().map((t): MessageChoice => ({ label: t.label, root: t.message.root, section: t.variant.section, detail: `${t.message.name} — ${t.message.title}` }));
      if (p.command === COMMANDS.skeleton) {
        const [root, section] = (p.arguments ?? []) as [string?, string?];
        const t = allSkeletonTargets().find((x) => x.message.root === root && (!section || x.variant.section === section));
        return t ? skeleton(t.message, t.variant, { declaration: true }) : null;
      }
      if (p.command === COMMANDS.decodeNotification) {
        const [text, secret, authData] = (p.arguments ?? []) as [string?, string?, string?];
        const enc = new TextEncoder();
        return notificationReport(text ?? '', secret !== undefined ? { secret: enc.encode(secret), authData: enc.encode(authData ?? '') } : undefined);
      }
      if (p.command === COMMANDS.notificationConTypes) return CON_TYPES.map((c) => ({ name: c.name, description: c.description }));
      if (p.command === COMMANDS.encodeNotification) {
        const [a] = (p.arguments ?? []) as [EncodeArgs?];
        const enc = new TextEncoder();
        const bytes = encode({
          ...(a?.serverId !== undefined ? { serverId: a.serverId } : {}),
          ...(a?.notificationId !== undefined ? { notificationId: a.notificationId } : {}),
          // ANY_AVAILABLE MUST be last (DM 2.0 5.2.1.2): the order picked is kept otherwise.
          ...(a?.conTypes ? { conTypes: a.conTypes.map((c) => conTypeByName(c) ?? 0).sort((x, y) => (x === 0 ? 1 : y === 0 ? -1 : 0)) } : {}),
          ...(a?.timestamp !== undefined ? { timestamp: a.timestamp } : {}),
          ...(a?.reqMos ? { reqMos: true } : {}),
          ...(a?.secret !== undefined ? { secret: enc.encode(a.secret), authData: enc.encode(a.authData ?? '') } : {}),
        });
        return formatHex(bytes);
      }
      return null;
    }),
  );

  documents.listen(connection);
  connection.listen();
  return connection;
}
