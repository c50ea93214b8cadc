// A small LSP client over stdio for the editor figures: it starts the built server
// (dist/server.js), speaks to it as an editor does, and answers what the server asks. `pull`
// declares pulled diagnostics (LSP 3.17) as VS Code's client does; without it the server pushes them.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import {
  createProtocolConnection,
  type ProtocolConnection,
  type Diagnostic,
  type Range,
  ConfigurationRequest,
  DiagnosticRefreshRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol';
import { TREE_STATUS, type TreeStatus } from '../server/src/lsp/contract.ts';
import { SERVER } from './paths.ts';

const DEADLINE_MS = 60_000;

export class BenchClient {
  readonly connection: ProtocolConnection;
  readonly proc: ChildProcess;
  readonly started = performance.now();
  private readonly pushed = new Map<string, { version: number | null | undefined; diagnostics: Diagnostic[] }>();
  private waiters: (() => void)[] = [];
  tree: TreeStatus | undefined;
  /** How many times the server has said which sample trees it uses (once after every rebuild). */
  treeUpdates = 0;

  constructor(readonly pull: boolean) {
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.connection = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.pushed.set(p.uri, { version: p.version, diagnostics: p.diagnostics });
      this.wake();
    });
    this.connection.onNotification(TREE_STATUS, (s: TreeStatus) => {
      this.tree = s;
      this.treeUpdates++;
      this.wake();
    });
    // What the server asks the editor: its settings (the defaults), registrations, refreshes.
    this.connection.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => ({})));
    for (const method of [RegistrationRequest.method, UnregistrationRequest.method, DiagnosticRefreshRequest.method, WorkDoneProgressCreateRequest.method]) {
      this.connection.onRequest(method, () => null);
    }
    this.connection.listen();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(what: string | (() => string), ready: () => boolean, deadlineMs = DEADLINE_MS): Promise<void> {
    const end = Date.now() + deadlineMs;
    while (!ready()) {
      if (Date.now() > end) throw new Error(`not within ${deadlineMs / 1000} s: ${typeof what === 'string' ? what : what()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async initialize(folder: string): Promise<void> {
    const capabilities = this.pull ? { textDocument: { diagnostic: { dynamicRegistration: false } }, workspace: { diagnostics: { refreshSupport: true } } } : {};
    await this.connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities, workspaceFolders: [{ uri: `file://${folder}`, name: 'bench' }] });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  async open(uri: string, text: string): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'dm-json', version: 1, text } });
  }

  /** One keystroke: `text` replaces `range`, as an editor sends it. */
  async edit(uri: string, version: number, range: Range, text: string): Promise<void> {
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
  }

  /** The diagnostics of `uri` at `version`: pulled, or awaited as the server pushes them. */
  async diagnostics(uri: string, version: number, deadlineMs = DEADLINE_MS): Promise<Diagnostic[]> {
    if (this.pull) {
      const r = await this.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
      return r.kind === 'full' ? r.items : [];
    }
    let found: Diagnostic[] | undefined;
    // An unversioned publish (version absent or null) is for the text on disk, the same as version 1's.
    await this.until(() => `diagnostics for ${uri} v${version} (last published: ${this.pushed.has(uri) ? `v${this.pushed.get(uri)!.version}` : 'none'})`, () => {
      const p = this.pushed.get(uri);
      if (p && (p.version === version || (p.version == null && version === 1))) found = p.diagnostics;
      return found !== undefined;
    }, deadlineMs);
    return found!;
  }

  rssMb(): number {
    const status = fs.readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
    return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? NaN) / 1024;
  }

  /** Shuts the server down as an editor does; one that does not exit within 10 s is killed. */
  async close(): Promise<void> {
    const exited = this.proc.exitCode !== null ? Promise.resolve() : new Promise<void>((r) => this.proc.once('exit', () => r()));
    const kill = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    try {
      await Promise.race([
        (async () => {
          await this.connection.sendRequest(ShutdownRequest.type);
          await this.connection.sendNotification(ExitNotification.type);
        })(),
        exited,
      ]);
    } catch {
      // The server is gone or does not answer: the kill above ends it.
    } finally {
      await exited;
      clearTimeout(kill);
      this.connection.dispose();
    }
  }
}
