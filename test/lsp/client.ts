/** A real LSP client over stdio against the built server (dist/server.js). */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import {
  createProtocolConnection,
  type ProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
  LogMessageNotification,
  ConfigurationRequest,
  RegistrationRequest,
  DiagnosticRefreshRequest,
  type ClientCapabilities,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import { before, after } from 'node:test';
import { ROOT } from '../helpers.ts';

export const SERVER = path.join(ROOT, 'dist', 'server.js');
const DEADLINE_MS = 15_000;

export class LspClient {
  readonly connection: ProtocolConnection;
  private readonly proc: ChildProcess;
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: (() => void)[] = [];
  readonly stderr: string[] = [];
  /** window/logMessage lines: the server reports faults of single requests there. */
  readonly log: string[] = [];
  /** Every publishDiagnostics, in the order received. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** What the client answers to workspace/configuration for the `omadm` section. */
  settings: Record<string, unknown> = {};
  /** The methods the server registered dynamically (client/registerCapability). */
  readonly registered: string[] = [];
  /** How often the server asked for the diagnostics to be pulled again. */
  refreshes = 0;

  constructor() {
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => this.stderr.push(String(d)));
    this.connection = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.latest.set(p.uri, p);
      this.published.push(p);
      this.notify();
    });
    this.connection.onRequest(ConfigurationRequest.type, (p) => p.items.map((i) => (i.section === 'omadm' ? this.settings : null)));
    this.connection.onRequest(RegistrationRequest.type, (p) => {
      this.registered.push(...p.registrations.map((r) => r.method));
      this.notify();
    });
    this.connection.onRequest(DiagnosticRefreshRequest.type, () => {
      this.refreshes++;
      this.notify();
    });
    this.connection.onNotification(LogMessageNotification.type, (p) => this.log.push(p.message));
    this.connection.listen();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async initialize(folder?: string, initializationOptions?: unknown, capabilities: ClientCapabilities = {}): Promise<void> {
    const workspaceFolders = folder ? [{ uri: 'file://' + folder, name: 'ws' }] : null;
    await this.connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities, workspaceFolders, ...(initializationOptions ? { initializationOptions } : {}) });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  /** Waits, up to the deadline, until `ready()` holds; it is tried again after every message from the server. */
  async until(what: string, ready: () => boolean): Promise<void> {
    const end = Date.now() + DEADLINE_MS;
    while (!ready()) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`not within ${DEADLINE_MS} ms: ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async open(uri: string, text: string, languageId = 'xml', version = 1): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  async change(uri: string, text: string, version: number): Promise<void> {
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** The diagnostics published for `uri` at `version` (and satisfying `until`), waiting for them up to a deadline. */
  async diagnostics(uri: string, version = 1, until?: (d: PublishDiagnosticsParams['diagnostics']) => boolean): Promise<PublishDiagnosticsParams['diagnostics']> {
    let found: PublishDiagnosticsParams['diagnostics'] | undefined;
    await this.until(`diagnostics for ${uri} v${version}`, () => {
      const p = this.latest.get(uri);
      if (p && (p.version === undefined || p.version === version) && (!until || until(p.diagnostics))) found = p.diagnostics;
      return found !== undefined;
    });
    return found!;
  }

  /** The latest diagnostics published for `uri`, if any. */
  current(uri: string): PublishDiagnosticsParams | undefined {
    return this.latest.get(uri);
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.proc.once('exit', r));
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } finally {
      this.connection.dispose();
      const t = setTimeout(() => this.proc.kill('SIGKILL'), DEADLINE_MS);
      await exited;
      clearTimeout(t);
    }
  }
}

/** A server for the test file: started before its tests, shut down after them. */
export function serverForTests(): () => LspClient {
  let client: LspClient | undefined;
  before(async () => {
    client = new LspClient();
    await client.initialize();
  });
  after(async () => client?.close());
  return () => client!;
}

/** A server on a workspace folder of its own, as serverInWorkspace starts it. */
export interface WorkspaceServer {
  client: LspClient;
  /** The folder. */
  ws: string;
  /** The file: URI of a file of the folder. */
  uri: (name: string) => string;
}

/**
 * A server on a workspace folder of its own for the test file (or the describe it is called in):
 * before the tests, the folder is written with `files()` (a path in it to a text) and the server
 * started on it, its sample trees loaded; after them, the server is shut down and the folder removed.
 */
export function serverInWorkspace(name: string, files: () => Record<string, string>, options: { initializationOptions?: unknown; capabilities?: ClientCapabilities } = {}): () => WorkspaceServer {
  let server: WorkspaceServer | undefined;
  before(async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), `omadm-lsp-${name}-`));
    for (const [file, text] of Object.entries(files())) {
      fs.mkdirSync(path.dirname(path.join(ws, file)), { recursive: true });
      fs.writeFileSync(path.join(ws, file), text);
    }
    const client = new LspClient();
    server = { client, ws, uri: (f) => 'file://' + path.join(ws, f) };
    await client.initialize(ws, options.initializationOptions, options.capabilities);
    // The trees are loaded once the server has answered this.
    await client.connection.sendRequest('omadm/treeStatus');
  });
  after(async () => {
    try {
      await server?.client.close();
    } finally {
      if (server) fs.rmSync(server.ws, { recursive: true, force: true });
    }
  });
  return () => server!;
}
