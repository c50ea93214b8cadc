/**
 * The LSP wiring: vscode-languageserver over stdio or node IPC (chosen by the command line:
 * --stdio, --node-ipc), documents synced incrementally, every request served by the language
 * service through a runSafe wrapper (a fault in one request is logged and answered empty; a
 * cancelled request answers RequestCancelled).
 *
 * Diagnostics: pulled (textDocument/diagnostic and workspace/diagnostic, LSP 3.17) when the client
 * can, else pushed. Open documents are validated after each edit, debounced per document by what
 * their last validation cost; a result for a version that has since changed is dropped. The DM
 * files of the workspace are reported too (setting omadm.workspaceDiagnostics), found once at
 * start and kept up to date by file events. The sample trees and DDFs are read asynchronously at
 * start, so the first diagnostics do not wait for them; a change to a tree rebuilds it from the
 * texts in memory and revalidates only the documents whose ClientURIs now resolve differently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DiagnosticServerCancellationData,
  type DocumentDiagnosticReport,
  type InitializeResult,
  type WorkspaceDiagnosticReport,
  type WorkspaceDocumentDiagnosticReport,
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  DocumentFormattingRequest,
  DocumentRangeFormattingRequest,
  FileChangeType,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  createConnection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ConTypesRequest,
  DecodeNotificationRequest,
  EncodeNotificationRequest,
  MessagesRequest,
  SETTINGS_SECTION,
  SettingsNotification,
  SkeletonRequest,
  TreeStatusNotification,
  TreeStatusRequest,
  ValidateWorkspaceRequest,
  type ConType,
  type DecodeParams,
  type EncodeArgs,
  type MessageChoice,
  type Settings,
  type SkeletonParams,
  type ValidateWorkspaceResult,
} from './contract.js';
import { shippedDdfFolder } from '../host/ddfs.js';
import { SEMANTIC_TOKEN_TYPES, type IndexedClientUri, type TextDocumentInput, type ValidationResult } from '../language/service.js';
import { ScenarioLanguageService } from '../language/scenarioService.js';
import { notificationReport } from '../language/notification.js';
import { encode } from '../core/notification/codec.js';
import { formatHex } from '../core/notification/input.js';
import { CON_TYPES, conTypeByName } from '../core/notification/options.js';
import { allSkeletonTargets, skeleton } from '../core/delegation/build.js';
import { type Log, formatError, runSafe, runSafeAsync } from './runner.js';
import { Validator } from './validation.js';
import { TREE_NAME, WorkspaceFiles } from './workspace.js';
import { decodeIndex } from '../language/clientUriIndex.js';
import type { FileText } from './trees.js';


export interface ServerOptions {
  /** The server's entry file, run again as the validation worker; validation stays on the main thread without it. */
  workerFile?: string;
}

/** Open documents up to this length are validated on the main thread, at once. */
const INLINE_LENGTH = 64 * 1024;
/** A pause this long ends a burst of typing (people type a key every 100 to 250 ms). */
const TYPING_PAUSE_MS = 300;
/** Default of omadm.workspaceDiagnosticsMaxFiles. */
const MAX_FILES = 5000;
/** The file kinds the server formats (the others keep the editor's formatters). */
const FORMATTED_LANGUAGES = ['dm-json', 'dm-delegation', 'dm-ddf', 'dm-notification'];
/** The files whose changes the server follows (DESIGN "File kinds"). */
const WATCHED = '**/*.{xml,json,dmhttp,http,pkg0,hex,ddf}';

function input(doc: TextDocument): TextDocumentInput {
  return { uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.getText() };
}

/** The file a URI names; undefined for another scheme or a malformed one (a bad percent-encoding, RFC 3986 2.1), which then is only a document. */
const fileOf = (uri: string): string | undefined => {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
};

/** One document's latest validation, open or not. */
interface Stored {
  result: ValidationResult;
  /** The document version (0 for a file read from disk). */
  version: number;
  /** The tree generation it was validated against. */
  generation: number;
  /** What the trees made of its ClientURIs then. */
  signature: string;
  /** Changes only when the diagnostics do: what pull clients compare. */
  resultId: string;
  open: boolean;
  /** The ClientURI index unpacked, once find references needed it. */
  decoded?: IndexedClientUri[];
}

function severityCounts(ds: LspDiagnostic[]): { errors: number; warnings: number; information: number } {
  let errors = 0;
  let warnings = 0;
  let information = 0;
  for (const d of ds) {
    if (d.severity === 1) errors++;
    else if (d.severity === 2) warnings++;
    else information++;
  }
  return { errors, warnings, information };
}

export function startServer(connection: Connection = createConnection(ProposedFeatures.all), options: ServerOptions = {}): Connection {
  const documents = new TextDocuments(TextDocument);
  const log: Log = (m) => connection.console.error(m);
  const openText = (file: string): string | undefined => documents.get(pathToFileURL(file).href)?.getText();
  // A Package#3 is checked against the Package#2 beside it: an open editor's text first, else the disk.
  const readSibling = (fileName: string): string | undefined => {
    const open = openText(fileName);
    if (open !== undefined) return open;
    try {
      return fs.readFileSync(fileName, 'utf8');
    } catch {
      return undefined;
    }
  };
  // Scenario files (*.dmflow.json) are answered by the scenario service, every other document by the base one.
  const service = new ScenarioLanguageService({ readSibling }, { featureOnlyLength: INLINE_LENGTH });
  const validator = new Validator(service, { ...(options.workerFile ? { workerFile: options.workerFile } : {}), inlineLength: INLINE_LENGTH, log, openText });
  const workspace = new WorkspaceFiles([]);

  let caps: ClientCapabilities = {};
  let pull = false;
  let settings: Settings = {};
  /** Validate Workspace was asked for: the workspace is reported whatever the scope. */
  let wholeWorkspace = false;
  const scopeIsWorkspace = (): boolean => wholeWorkspace || settings.workspaceDiagnostics !== 'openFiles';
  const maxFiles = (): number => (settings.workspaceDiagnosticsMaxFiles && settings.workspaceDiagnosticsMaxFiles > 0 ? settings.workspaceDiagnosticsMaxFiles : MAX_FILES);

  const stored = new Map<string, Stored>();
  let resultCounter = 0;
  /** Push mode: the URIs with diagnostics on the client, so that they can be cleared. */
  const published = new Set<string>();

  const publish = (uri: string, diagnostics: LspDiagnostic[], version?: number): void => {
    if (!diagnostics.length && !published.has(uri) && version === undefined) return;
    if (diagnostics.length) published.add(uri);
    else published.delete(uri);
    void connection.sendDiagnostics({ uri, ...(version !== undefined ? { version } : {}), diagnostics });
  };

  const store = (result: ValidationResult, version: number, open: boolean): Stored => {
    const before = stored.get(result.uri);
    // Only pull clients compare result ids; a pushed result is sent whatever it holds.
    const same = pull && before && before.result.diagnostics.length === result.diagnostics.length && JSON.stringify(before.result.diagnostics) === JSON.stringify(result.diagnostics);
    const s: Stored = { result, version, open, generation: validator.treeGeneration, signature: result.signature, resultId: same ? before.resultId : `r${++resultCounter}` };
    stored.set(result.uri, s);
    return s;
  };

  // ---- open documents

  const inflight = new Map<string, { version: number; promise: Promise<Stored | undefined> }>();
  const fresh = (s: Stored | undefined, doc: TextDocument): s is Stored => !!s && s.open && s.version === doc.version && s.generation === validator.treeGeneration;

  /** The validation of the open document's current version (one at a time per version); undefined when it went stale. */
  const validateOpen = (doc: TextDocument): Promise<Stored | undefined> => {
    const have = stored.get(doc.uri);
    if (fresh(have, doc)) return Promise.resolve(have);
    const running = inflight.get(doc.uri);
    if (running && running.version === doc.version) return running.promise;
    const version = doc.version;
    const promise = validator.validate(input(doc), 'open').then((result) => {
      if (inflight.get(doc.uri)?.promise === promise) inflight.delete(doc.uri);
      const current = documents.get(doc.uri);
      // A result for a version that has changed since is dropped: the newer one is on its way.
      if (!result || !current || current.version !== version) return undefined;
      return store(result, version, true);
    });
    inflight.set(doc.uri, { version, promise });
    return promise;
  };

  const timers = new Map<string, NodeJS.Timeout>();
  /** Push mode: when each document's last validation was started. */
  const lastStarted = new Map<string, number>();
  /**
   * Push mode: validate after an edit. A document validated in the worker is sent at once: while
   * an earlier version is still being validated, the new one waits in the worker's queue (where a
   * newer version replaces it) and the earlier result is dropped, so a diagnostic comes at most
   * one validation after the last edit, and a wait of its own would only add to that. One
   * validated on this thread blocks everything while it runs: the first edit after a pause is
   * validated at once; edits that follow each other faster than it validates wait as long as its
   * last validation cost (at most 500 ms), so that a burst of typing is validated once, at its end.
   */
  const schedule = (doc: TextDocument): void => {
    if (pull) return;
    clearTimeout(timers.get(doc.uri));
    const cost = validator.cost.get(doc.uri) ?? 0;
    const idle = performance.now() - (lastStarted.get(doc.uri) ?? -Infinity) > 2 * cost;
    const delay = validator.inWorker(doc.getText().length) || cost < 15 || (idle && !timers.has(doc.uri)) ? 0 : Math.min(500, cost);
    timers.set(
      doc.uri,
      setTimeout(() => {
        timers.delete(doc.uri);
        lastStarted.set(doc.uri, performance.now());
        const current = documents.get(doc.uri);
        if (!current) return;
        validateOpen(current).then(
          (s) => {
            if (s && documents.get(doc.uri)?.version === s.version) publish(doc.uri, s.result.diagnostics, s.version);
          },
          (e: unknown) => log(formatError('validation', e)),
        );
      }, delay),
    );
  };

  // ---- workspace files

  /** Validation of a workspace file from disk (or its open text), cached until it or the trees change. */
  const fileJobs = new Map<string, Promise<Stored | undefined>>();
  const validateFile = (file: string): Promise<Stored | undefined> => {
    const uri = pathToFileURL(file).href;
    const have = stored.get(uri);
    if (have && !have.open && have.generation === validator.treeGeneration) return Promise.resolve(have);
    const running = fileJobs.get(uri);
    if (running) return running;
    const run = async (): Promise<Stored | undefined> => {
      let text: string;
      try {
        text = await fs.promises.readFile(file, 'utf8');
      } catch {
        return undefined;
      }
      const result = await validator.validate({ uri, version: 0, text }, 'workspace');
      // Started again meanwhile (the file, or the Package#2 a Package#3 answers, changed): the
      // newer validation answers, and this one's result is not kept.
      const newer = fileJobs.get(uri);
      if (newer && newer !== job) return newer;
      if (!result || documents.get(uri)) return undefined;
      return store(result, 0, false);
    };
    const job: Promise<Stored | undefined> = run().finally(() => {
      if (fileJobs.get(uri) === job) fileJobs.delete(uri);
    });
    fileJobs.set(uri, job);
    return job;
  };

  /** Push mode: one workspace file validated again and its diagnostics sent, as the workspace pass does. */
  const republishFile = (file: string): void => {
    // Past omadm.workspaceDiagnosticsMaxFiles only the files the pass reports are.
    if (workspace.files.size > maxFiles() && !workspaceTargets().files.includes(file)) return;
    validateFile(file).then(
      (s) => {
        if (s && scopeIsWorkspace() && !documents.get(s.result.uri)) publish(s.result.uri, s.result.diagnostics);
      },
      (e: unknown) => log(formatError('validation', e)),
    );
  };

  const workspaceTargets = (): { files: string[]; skipped: number } => {
    const all = [...workspace.files.values()].filter((w) => !documents.get(w.uri)).map((w) => w.file).sort();
    return { files: all.slice(0, maxFiles()), skipped: Math.max(0, all.length - maxFiles()) };
  };

  /** Push mode: every workspace file validated and published (or cleared when the scope is the open files). */
  let passRunning: Promise<void> | undefined;
  let passAgain = false;
  const workspacePass = (): Promise<void> => {
    if (passRunning) {
      passAgain = true;
      return passRunning;
    }
    passRunning = (async () => {
      do {
        passAgain = false;
        const { files } = workspaceTargets();
        const wanted = new Set(files.map((f) => pathToFileURL(f).href));
        if (!pull) {
          for (const uri of [...published]) if (!documents.get(uri) && (!scopeIsWorkspace() || !wanted.has(uri))) publish(uri, []);
        }
        await Promise.all(
          files.map(async (f) => {
            const s = await validateFile(f);
            if (s && !pull && scopeIsWorkspace() && !documents.get(s.result.uri)) publish(s.result.uri, s.result.diagnostics);
          }),
        );
      } while (passAgain);
    })().finally(() => {
      passRunning = undefined;
    });
    return passRunning;
  };

  const refreshPull = (): void => {
    if (pull && caps.workspace?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh();
  };

  // ---- sample trees and DDFs

  const treeTexts = new Map<string, string>();
  const ddfTexts = new Map<string, string>();
  let shipped: FileText[] = [];
  let treeFiles: string[] = [];

  const readText = async (file: string): Promise<string | undefined> => {
    try {
      return await fs.promises.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
  };

  let lastTrees: FileText[] | undefined;
  let lastDdfs: FileText[] | undefined;
  let lastServerId: string | undefined;
  const sameTexts = (a: FileText[] | undefined, b: FileText[]): boolean => !!a && a.length === b.length && a.every((x, i) => x.file === b[i]!.file && x.text === b[i]!.text);
  /** Builds the trees from the texts in memory (open editors first) and revalidates what they change. */
  const rebuildTrees = (): void => {
    const files = treeFiles.map((file) => ({ file, text: openText(file) ?? treeTexts.get(file) ?? '' }));
    const ddfs = [...shipped, ...workspace.ddfFiles().map((file) => ({ file, text: openText(file) ?? ddfTexts.get(file) ?? '' }))];
    const ddfChanged = !sameTexts(lastDdfs, ddfs);
    if (!ddfChanged && sameTexts(lastTrees, files) && lastServerId === settings.serverId) return;
    lastTrees = files;
    lastDdfs = ddfs;
    lastServerId = settings.serverId;
    validator.setTrees({ files, ddfs, ...(settings.serverId ? { serverId: settings.serverId } : {}) });
    void connection.sendNotification(TreeStatusNotification, service.treeStatus());
    // Only what the new trees judge differently is validated again: a document whose ClientURIs
    // resolve otherwise (asked of the validation worker, so that this thread stays free), or one
    // checked against the trees as a whole (a notification's digest, a Package#3's predicted
    // statuses, a tree file against the DDFs). The others keep their diagnostics.
    const generation = validator.treeGeneration;
    const affected: Stored[] = [];
    const ask: Stored[] = [];
    for (const s of stored.values()) {
      // Older results too: a judgement cut short by another change of the trees is made now.
      if (s.generation === generation) continue;
      const file = fileOf(s.result.uri) ?? '';
      if (/\.(pkg0|pkg0\.hex|pkg3\.json)$/i.test(file) || (ddfChanged && TREE_NAME.test(file))) affected.push(s);
      else if (s.result.clientUris.count) ask.push(s);
      else s.generation = generation;
    }
    const revalidate = (list: Stored[]): void => {
      for (const s of list) {
        const doc = documents.get(s.result.uri);
        if (doc) schedule(doc);
      }
      if (list.some((s) => !s.open) && !pull) void workspacePass();
      if (list.length) refreshPull();
    };
    // One pass once all is judged: the workspace pass then only redoes what changed.
    if (!ask.length) return revalidate(affected);
    validator.signatures(ask.map((s) => ({ key: s.result.uri, index: s.result.clientUris }))).then(
      (signatures) => {
        if (!signatures || validator.treeGeneration !== generation) return;
        const changed: Stored[] = [];
        for (const s of ask) {
          if (stored.get(s.result.uri) !== s) continue;
          if (signatures[s.result.uri] === s.signature) s.generation = generation;
          else changed.push(s);
        }
        revalidate([...affected, ...changed]);
      },
      (e: unknown) => log(formatError('judging the documents against the new trees', e)),
    );
  };

  let treeTimer: NodeJS.Timeout | undefined;
  let treeCost = 0;
  /**
   * The trees are rebuilt once the typing in a tree file or DDF pauses, not between two
   * keystrokes: a rebuild (here, then in the validation worker, then the documents judged against
   * it) would hold up the next keystroke's own diagnostics, which the user is waiting for.
   */
  const rebuildSoon = (): void => {
    clearTimeout(treeTimer);
    treeTimer = setTimeout(() => {
      // The edited documents' own diagnostics come first.
      if (timers.size || inflight.size) return rebuildSoon();
      const started = performance.now();
      try {
        rebuildTrees();
      } catch (e) {
        log(formatError('loading sample trees', e));
      }
      treeCost = performance.now() - started;
    }, Math.min(1000, Math.max(TYPING_PAUSE_MS, 2 * treeCost)));
  };

  const loadTreeFiles = async (): Promise<void> => {
    treeFiles = await workspace.treeFiles(settings.sampleTrees);
    await Promise.all(treeFiles.filter((f) => !treeTexts.has(f)).map(async (f) => treeTexts.set(f, (await readText(f)) ?? '')));
    for (const f of [...treeTexts.keys()]) if (!treeFiles.includes(f)) treeTexts.delete(f);
  };

  // ---- start

  let folders: string[] = [];
  let resolveReady!: () => void;
  /** The workspace scanned and the trees built: what references, tree status and workspace reports wait for. */
  const ready = new Promise<void>((r) => {
    resolveReady = r;
  });

  /** The `omadm` section through workspace/configuration, when the client has it. */
  const fetchSettings = async (): Promise<Settings | undefined> => {
    if (!caps.workspace?.configuration) return undefined;
    try {
      const s = (await connection.workspace.getConfiguration({ section: SETTINGS_SECTION })) as Settings | null;
      return s && typeof s === 'object' ? { ...s } : {};
    } catch (e) {
      log(formatError('reading the settings', e));
      return undefined;
    }
  };

  const start = async (): Promise<void> => {
    settings = (await fetchSettings()) ?? settings;
    const folder = shippedDdfFolder();
    if (folder) {
      const names = (await fs.promises.readdir(folder).catch(() => [] as string[])).filter((f) => f.endsWith('.ddf')).sort();
      shipped = (await Promise.all(names.map(async (n) => ({ file: path.join(folder, n), text: (await readText(path.join(folder, n))) ?? '' }))));
    }
    await workspace.scan(maxFiles() * 4);
    await loadTreeFiles();
    await Promise.all(workspace.ddfFiles().map(async (f) => ddfTexts.set(f, (await readText(f)) ?? '')));
    // Built on a later turn, so that documents opened meanwhile get their first diagnostics first.
    await new Promise((r) => setImmediate(r));
    rebuildTrees();
    resolveReady();
    if (!pull) await workspacePass();
    else refreshPull();
  };

  const applySettings = async (next: Settings): Promise<void> => {
    const previous = settings;
    settings = next ?? {};
    await ready;
    if (JSON.stringify(previous.sampleTrees ?? []) !== JSON.stringify(settings.sampleTrees ?? [])) await loadTreeFiles();
    rebuildTrees();
    if (previous.workspaceDiagnostics !== settings.workspaceDiagnostics || previous.workspaceDiagnosticsMaxFiles !== settings.workspaceDiagnosticsMaxFiles) {
      // A scope chosen anew holds from now on, over an earlier Validate Workspace.
      wholeWorkspace = false;
      if (pull) refreshPull();
      else void workspacePass();
    }
  };

  connection.onInitialize((params): InitializeResult => {
    caps = params.capabilities;
    pull = !!caps.textDocument?.diagnostic;
    folders = (params.workspaceFolders ?? []).map((f) => fileURLToPath(f.uri));
    if (!folders.length && params.rootUri) folders = [fileURLToPath(params.rootUri)];
    workspace.folders = folders;
    settings = (params.initializationOptions as Settings | undefined) ?? {};
    const dynamicFormatting = !!caps.textDocument?.formatting?.dynamicRegistration && !!caps.textDocument?.rangeFormatting?.dynamicRegistration;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        // '/' '?' '&' '=' ':' step through a ClientURI and its query; '"' opens a JSON string.
        completionProvider: { triggerCharacters: ['<', '>', '/', '?', '&', '=', ':', '"'] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll] },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        inlayHintProvider: true,
        semanticTokensProvider: { legend: { tokenTypes: SEMANTIC_TOKEN_TYPES, tokenModifiers: [] }, full: true },
        definitionProvider: true,
        referencesProvider: true,
        ...(dynamicFormatting ? {} : { documentFormattingProvider: true, documentRangeFormattingProvider: true }),
        ...(pull ? { diagnosticProvider: { identifier: 'omadm', interFileDependencies: true, workspaceDiagnostics: true } } : {}),
      },
      serverInfo: { name: 'omadm-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    // Formatting only for the languages that lost the editor's own JSON and XML formatters.
    if (caps.textDocument?.formatting?.dynamicRegistration && caps.textDocument?.rangeFormatting?.dynamicRegistration) {
      const documentSelector = FORMATTED_LANGUAGES.map((language) => ({ language }));
      void connection.client.register(DocumentFormattingRequest.type, { documentSelector });
      void connection.client.register(DocumentRangeFormattingRequest.type, { documentSelector });
    }
    if (caps.workspace?.didChangeConfiguration?.dynamicRegistration) void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
    if (caps.workspace?.didChangeWatchedFiles?.dynamicRegistration) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: WATCHED }] });
    start().catch((e: unknown) => {
      log(formatError('reading the workspace', e));
      resolveReady();
    });
  });

  connection.onDidChangeConfiguration((p) => {
    const pushed = (p.settings as Record<string, unknown> | null | undefined)?.[SETTINGS_SECTION] as Settings | undefined;
    const next = caps.workspace?.configuration ? fetchSettings() : Promise.resolve(pushed);
    next.then((s) => (s ? applySettings(s) : undefined), (e: unknown) => log(formatError('settings', e)));
  });
  connection.onNotification(SettingsNotification, (s: Settings) => {
    // Clients without workspace/configuration send the settings themselves.
    if (caps.workspace?.configuration) return;
    applySettings(s ?? {}).catch((e: unknown) => log(formatError('settings', e)));
  });

  connection.onDidChangeWatchedFiles((p) => {
    void (async () => {
      let trees = false;
      const changed: string[] = [];
      for (const c of p.changes) {
        const file = fileOf(c.uri);
        if (!file) continue;
        if (c.type === FileChangeType.Deleted) {
          workspace.delete(file);
          stored.delete(c.uri);
          if (!pull && !documents.get(c.uri)) publish(c.uri, []);
          if (treeTexts.delete(file) || ddfTexts.delete(file)) trees = true;
          if (settings.sampleTrees?.length && /\.json$/i.test(file)) trees = true;
          continue;
        }
        const w = await workspace.update(file);
        const s = stored.get(c.uri);
        if (s && !s.open) stored.delete(c.uri);
        fileJobs.delete(c.uri);
        if (w && !documents.get(c.uri)) changed.push(file);
        if (w?.ddf) {
          ddfTexts.set(file, (await readText(file)) ?? '');
          trees = true;
        }
        if (treeFiles.includes(file) || (w?.tree && !settings.sampleTrees?.length) || (settings.sampleTrees?.length && c.type === FileChangeType.Created && /\.json$/i.test(file))) {
          treeTexts.delete(file);
          trees = true;
        }
      }
      await ready;
      if (trees) {
        await loadTreeFiles();
        rebuildSoon();
      }
      if (pull) refreshPull();
      else if (changed.length) await workspacePass();
    })().catch((e: unknown) => log(formatError('file events', e)));
  });

  // ---- documents

  documents.onDidChangeContent((e) => {
    const doc = e.document;
    schedule(doc);
    const file = fileOf(doc.uri);
    if (!file) return;
    if (treeFiles.includes(file) || /\.ddf$/i.test(file)) rebuildSoon();
    // A Package#3 beside this Package#2 answers it: it is judged again too, when there is one
    // (else a pull client would be asked at every keystroke to pull all it shows again).
    if (/\.pkg2\.json$/i.test(file)) {
      const siblingFile = file.replace(/\.pkg2\.json$/i, (x) => x.replace(/2/, '3'));
      const sibling = pathToFileURL(siblingFile).href;
      const open = documents.get(sibling);
      if (!open && !workspace.files.has(siblingFile)) return;
      stored.delete(sibling);
      // A validation of it running now reads the Package#2 as it was.
      fileJobs.delete(sibling);
      if (open) schedule(open);
      else if (!pull) republishFile(siblingFile);
      refreshPull();
    }
  });
  documents.onDidClose((e) => {
    const uri = e.document.uri;
    clearTimeout(timers.get(uri));
    timers.delete(uri);
    lastStarted.delete(uri);
    inflight.delete(uri);
    service.forget(uri);
    stored.delete(uri);
    const file = fileOf(uri);
    if (file && (treeFiles.includes(file) || /\.ddf$/i.test(file))) rebuildSoon();
    if (pull) return;
    // A workspace file keeps the diagnostics of what is on disk; any other document loses them.
    if (file && workspace.files.has(file) && scopeIsWorkspace()) {
      validateFile(file).then(
        (s) => {
          if (!documents.get(uri)) publish(uri, s?.result.diagnostics ?? []);
        },
        (err: unknown) => log(formatError('validation', err)),
      );
    } else {
      published.delete(uri);
      void connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  });

  // ---- pull diagnostics

  const cancelledForNewVersion = (): ResponseError<DiagnosticServerCancellationData> => new ResponseError(LSPErrorCodes.ServerCancelled, 'The document changed', { retriggerRequest: true });

  connection.languages.diagnostics.on((params, token) =>
    runSafeAsync<DocumentDiagnosticReport | ResponseError<DiagnosticServerCancellationData>, DiagnosticServerCancellationData>(log, 'diagnostics', { kind: DocumentDiagnosticReportKind.Full, items: [] }, token, async () => {
      const doc = documents.get(params.textDocument.uri);
      const s = doc ? await validateOpen(doc) : fileOf(params.textDocument.uri) && workspace.files.has(fileOf(params.textDocument.uri)!) ? await validateFile(fileOf(params.textDocument.uri)!) : undefined;
      if (doc && !s) return cancelledForNewVersion();
      if (!s) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      if (params.previousResultId === s.resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: s.resultId };
      return { kind: DocumentDiagnosticReportKind.Full, resultId: s.resultId, items: s.result.diagnostics };
    }),
  );

  connection.languages.diagnostics.onWorkspace((params, token, _progress, resultProgress) =>
    runSafeAsync<WorkspaceDiagnosticReport, DiagnosticServerCancellationData>(log, 'workspace diagnostics', { items: [] }, token, async () => {
      await ready;
      const previous = new Map(params.previousResultIds.map((p) => [p.uri, p.value]));
      const items: WorkspaceDocumentDiagnosticReport[] = [];
      const report = (uri: string, s: Stored | undefined): void => {
        const diagnostics = s && scopeIsWorkspace() ? s.result.diagnostics : [];
        const resultId = s && scopeIsWorkspace() ? s.resultId : 'none';
        if (previous.get(uri) === resultId) items.push({ kind: DocumentDiagnosticReportKind.Unchanged, uri, version: null, resultId });
        else items.push({ kind: DocumentDiagnosticReportKind.Full, uri, version: null, resultId, items: diagnostics });
      };
      const { files } = workspaceTargets();
      // Files reported before and gone since are emptied.
      const wanted = new Set(files.map((f) => pathToFileURL(f).href));
      for (const uri of previous.keys()) if (!wanted.has(uri) && !documents.get(uri)) report(uri, undefined);
      if (scopeIsWorkspace()) {
        const CHUNK = 50;
        for (let i = 0; i < files.length; i += CHUNK) {
          if (token.isCancellationRequested) break;
          const chunk = files.slice(i, i + CHUNK);
          const results = await Promise.all(chunk.map((f) => validateFile(f)));
          chunk.forEach((f, k) => report(pathToFileURL(f).href, results[k]));
          if (resultProgress && items.length) resultProgress.report({ items: items.splice(0) });
        }
      } else for (const f of files) report(pathToFileURL(f).href, undefined);
      return { items };
    }),
  );

  connection.onRequest(ValidateWorkspaceRequest, (params, token) =>
    runSafeAsync<ValidateWorkspaceResult>(log, 'Validate Workspace', { files: 0, errors: 0, warnings: 0, information: 0, skipped: 0, failing: [] }, token, async () => {
      await ready;
      wholeWorkspace = true;
      const only = params?.folders?.length ? params.folders.map((f) => path.resolve(f)) : undefined;
      const { files, skipped } = workspaceTargets();
      const chosen = only ? files.filter((f) => only.some((o) => f.startsWith(o + path.sep))) : files;
      const results = await Promise.all(chosen.map((f) => validateFile(f)));
      const open = documents.all().filter((d) => !only || only.some((o) => (fileOf(d.uri) ?? '').startsWith(o + path.sep)));
      const openResults = await Promise.all(open.map((d) => validateOpen(d)));
      const out: ValidateWorkspaceResult = { files: 0, errors: 0, warnings: 0, information: 0, skipped, failing: [] };
      for (const s of [...results, ...openResults]) {
        if (!s || !s.result.recognised) continue;
        out.files++;
        const c = severityCounts(s.result.diagnostics);
        out.errors += c.errors;
        out.warnings += c.warnings;
        out.information += c.information;
        const file = fileOf(s.result.uri) ?? s.result.uri;
        const folder = folders.find((f) => file.startsWith(f + path.sep));
        if (c.errors) out.failing.push(folder ? path.relative(folder, file) : file);
        if (!pull && !s.open) publish(s.result.uri, s.result.diagnostics);
        else if (!pull) publish(s.result.uri, s.result.diagnostics, s.version);
      }
      refreshPull();
      out.failing.sort();
      return out;
    }),
  );

  // ---- requests

  const withDoc = <T>(uri: string, fallback: T, what: string, token: CancellationToken | undefined, fn: (d: TextDocumentInput, doc: TextDocument) => T): Promise<T | ResponseError<void>> =>
    runSafe(log, what, fallback, token, () => {
      const doc = documents.get(uri);
      return doc ? fn(input(doc), doc) : fallback;
    });

  connection.onHover((p, token) => withDoc(p.textDocument.uri, null, 'hover', token, (d) => service.hover(d, p.position)));
  connection.onCompletion((p, token) => withDoc(p.textDocument.uri, [], 'completion', token, (d) => service.completion(d, p.position)));
  connection.onCodeAction((p, token) =>
    withDoc(p.textDocument.uri, [], 'code actions', token, (d, doc) => {
      // The fixes of the diagnostics the client shows: this version's, computed wherever they were.
      const s = stored.get(d.uri);
      const validated = fresh(s, doc) ? s.result.core : d.text.length > INLINE_LENGTH ? [] : undefined;
      return service.codeActions(d, p.range, p.context.diagnostics, p.context.only, validated);
    }),
  );
  connection.onDocumentFormatting((p, token) => withDoc(p.textDocument.uri, [], 'formatting', token, (d) => service.format(d, p.options)));
  connection.onDocumentRangeFormatting((p, token) => withDoc(p.textDocument.uri, [], 'formatting', token, (d) => service.format(d, p.options, p.range)));
  connection.onDefinition((p, token) => withDoc(p.textDocument.uri, [], 'definition', token, (d) => service.definition(d, p.position)));
  connection.onReferences((p, token) =>
    runSafeAsync(log, 'references', [], token, async () => {
      await ready;
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      const index: { uri: string; clientUris: () => readonly IndexedClientUri[] }[] = [];
      for (const s of stored.values()) if (s.open === !!documents.get(s.result.uri)) index.push({ uri: s.result.uri, clientUris: () => (s.decoded ??= decodeIndex(s.result.clientUris)) });
      return service.references(input(doc), p.position, index);
    }),
  );
  connection.onDocumentSymbol((p, token) => withDoc(p.textDocument.uri, [], 'outline', token, (d) => service.symbols(d)));
  connection.onFoldingRanges((p, token) => withDoc(p.textDocument.uri, [], 'folding', token, (d) => service.folding(d)));
  connection.languages.inlayHint.on((p, token) => withDoc(p.textDocument.uri, [], 'inlay hints', token, (d) => service.inlayHints(d, p.range)));
  connection.languages.semanticTokens.on((p, token) => withDoc(p.textDocument.uri, { data: [] }, 'semantic tokens', token, (d) => ({ data: service.semanticTokens(d) })));

  // ---- custom requests (typed in contract.ts), and the same through workspace/executeCommand

  const messages = (): MessageChoice[] => allSkeletonTargets().map((t): MessageChoice => ({ label: t.label, root: t.message.root, section: t.variant.section, detail: `${t.message.name} — ${t.message.title}` }));
  const skeletonOf = (p: SkeletonParams): string | null => {
    const t = allSkeletonTargets().find((x) => x.message.root === p.root && (!p.section || x.variant.section === p.section));
    return t ? skeleton(t.message, t.variant, { declaration: true }) : null;
  };
  const decode = (p: DecodeParams): string => {
    const enc = new TextEncoder();
    return notificationReport(p.text ?? '', p.secret !== undefined ? { secret: enc.encode(p.secret), authData: enc.encode(p.authData ?? '') } : undefined);
  };
  const conTypes = (): ConType[] => CON_TYPES.map((c) => ({ name: c.name, description: c.description }));
  const encodeHex = (a: EncodeArgs | undefined): string => {
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
  };

  connection.onRequest(MessagesRequest, (token) => runSafe(log, 'messages', [], token, messages));
  connection.onRequest(SkeletonRequest, (p, token) => runSafe(log, 'skeleton', null, token, () => skeletonOf(p)));
  connection.onRequest(DecodeNotificationRequest, (p, token) => runSafe(log, 'decoding', '', token, () => decode(p)));
  connection.onRequest(EncodeNotificationRequest, (p, token) => runSafe(log, 'encoding', '', token, () => encodeHex(p)));
  connection.onRequest(ConTypesRequest, (token) => runSafe(log, 'connection types', [], token, conTypes));
  connection.onRequest(TreeStatusRequest, async () => {
    await ready;
    return service.treeStatus();
  });
  connection.onShutdown(() => validator.dispose());
  documents.listen(connection);
  connection.listen();
  return connection;
}
