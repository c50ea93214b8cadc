/** A real LSP client over stdio against the built server (dist/server.js). */
import { spawn, type ChildProcess } from 'node:child_process';
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

  constructor() {
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => this.stderr.push(String(d)));
    this.connection = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.latest.set(p.uri, p);
      for (const w of this.waiters.splice(0)) w();
    });
    this.connection.onNotification(LogMessageNotification.type, (p) => this.log.push(p.message));
    this.connection.listen();
  }

  async initialize(folder?: string, initializationOptions?: unknown): Promise<void> {
    const workspaceFolders = folder ? [{ uri: 'file://' + folder, name: 'ws' }] : null;
    await this.connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders, ...(initializationOptions ? { initializationOptions } : {}) });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  async open(uri: string, text: string, languageId = 'xml', version = 1): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  async change(uri: string, text: string, version: number): Promise<void> {
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** The diagnostics published for `uri` at `version` (and satisfying `until`), waiting for them up to a deadline. */
  async diagnostics(uri: string, version = 1, until?: (d: PublishDiagnosticsParams['diagnostics']) => boolean): Promise<PublishDiagnosticsParams['diagnostics']> {
    const end = Date.now() + DEADLINE_MS;
    for (;;) {
      const p = this.latest.get(uri);
      if (p && (p.version === undefined || p.version === version) && (!until || until(p.diagnostics))) return p.diagnostics;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no diagnostics for ${uri} v${version} within ${DEADLINE_MS} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
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
