/**
 * One webview panel per trace file, showing its sequence diagram. The rows go to the webview in
 * chunks, the first of them as soon as the page is ready, so the first screen comes up at once
 * whatever the trace's length. The webview is not kept alive when hidden: when it comes back it
 * says it is ready and gets the rows again, and puts back its scroll position itself.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Row, SequenceDiagram } from '../../../server/src/core/trace/diagram';
import type { TraceEvent } from '../../../server/src/core/trace/events';
import { type FromWebview, type ToWebview, traceViewHtml, wire } from './webview';

/** A trace read from a file, with its diagram. */
export interface LoadedTrace {
  uri: vscode.Uri;
  /** The file name, for titles. */
  name: string;
  events: TraceEvent[];
  diagram: SequenceDiagram;
  /** Lines that are not trace events (the first 100), and how many more there are. */
  problems: { line: number; message: string }[];
  moreProblems: number;
  /** Whether the events stopped at the cap. */
  truncated: boolean;
}

export type RenderedState = Extract<FromWebview, { type: 'rendered' }>;

/** Rows per message to the webview: small enough for the first screen to come at once. */
const CHUNK = 5_000;

export interface PanelHandlers {
  open(panel: TracePanel, row: Row, exchange: boolean): unknown;
  command(panel: TracePanel, command: 'mermaid' | 'svg' | 'dmhttp' | 'replay', range: [number, number] | undefined): unknown;
}

export class TracePanel implements vscode.Disposable {
  static readonly viewType = 'omadm.traceDiagram';
  readonly panel: vscode.WebviewPanel;
  /** What the webview last drew (for the tests, and for people debugging a trace that does not draw). */
  rendered: RenderedState | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedState>();
  readonly onDidRender = this.renderedEmitter.event;
  private generation = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(public trace: LoadedTrace, private readonly handlers: PanelHandlers, onDispose: () => void) {
    this.panel = vscode.window.createWebviewPanel(TracePanel.viewType, `Trace: ${trace.name}`, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
    const nonce = nonceOf();
    this.panel.webview.html = traceViewHtml(nonce, this.panel.webview.cspSource, trace.name);
    this.subscriptions.push(
      this.renderedEmitter,
      this.panel.webview.onDidReceiveMessage((m: FromWebview) => this.receive(m)),
      this.panel.onDidDispose(() => {
        this.generation++;
        for (const s of this.subscriptions) s.dispose();
        onDispose();
      }),
    );
  }

  dispose(): void {
    this.panel.dispose();
  }

  /** Shows another reading of the trace (the file changed). */
  reload(trace: LoadedTrace): void {
    this.trace = trace;
    this.panel.title = `Trace: ${trace.name}`;
    void this.send();
  }

  reveal(row: number): void {
    void this.panel.webview.postMessage({ type: 'reveal', row } satisfies ToWebview);
  }

  private receive(m: FromWebview): void {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'ready') void this.send();
    else if (m.type === 'rendered') {
      this.rendered = m;
      this.renderedEmitter.fire(m);
    } else if (m.type === 'open') {
      const row = this.trace.diagram.rows[m.row];
      if (row) void Promise.resolve(this.handlers.open(this, row, !!m.exchange));
    } else if (m.type === 'command') {
      const range = Array.isArray(m.range) && m.range.length === 2 ? ([Number(m.range[0]), Number(m.range[1])] as [number, number]) : undefined;
      void Promise.resolve(this.handlers.command(this, m.command, range));
    }
  }

  /** The diagram to the webview: the participants and a summary, then the rows a chunk at a time. */
  private async send(): Promise<void> {
    const generation = ++this.generation;
    const { diagram: d, problems, moreProblems, truncated } = this.trace;
    const arrows = d.rows.filter((r) => r.type === 'arrow').length;
    const failureRows: number[] = [];
    d.rows.forEach((r, i) => r.failed && failureRows.push(i));
    const notes = d.rows.length - arrows;
    const parts = [`${arrows} message${arrows === 1 ? '' : 's'}`, `${notes} note${notes === 1 ? '' : 's'}`, `${d.participants.length} participant${d.participants.length === 1 ? '' : 's'}`, `${d.failures} failed`];
    const bad = problems.length + moreProblems;
    if (bad) parts.push(`${bad} line${bad === 1 ? '' : 's'} not read`);
    if (truncated) parts.push(`only the first ${this.trace.events.length} events`);
    if (d.merged) parts.push(`${d.merged} more participants drawn on the last lifeline`);
    const start: ToWebview = { type: 'start', title: this.trace.name, participants: d.participants, total: d.rows.length, failures: d.failures, summary: parts.join(' · '), failureRows };
    if (!(await this.panel.webview.postMessage(start))) return;
    for (let from = 0; from < d.rows.length || from === 0; from += CHUNK) {
      if (generation !== this.generation) return;
      const rows = d.rows.slice(from, from + CHUNK).map(wire);
      const done = from + CHUNK >= d.rows.length;
      if (!(await this.panel.webview.postMessage({ type: 'rows', from, rows, done } satisfies ToWebview))) return;
      if (done) break;
    }
  }
}

/** A nonce for the webview's Content-Security-Policy: unguessable, new for each page. */
function nonceOf(): string {
  return randomBytes(18).toString('base64url');
}
