/**
 * One webview panel per trace file, showing its sequence diagram. The rows go to the webview in
 * chunks, the first of them as soon as the page is ready, so the first screen comes up at once
 * whatever the trace's length. The webview is not kept alive when hidden: when it comes back it
 * says it is ready and gets the rows again, and puts back its scroll position itself.
 *
 * A live trace (a run being debugged) grows: `update()` sends the rows added since, the new
 * lifelines and totals, and where the run is paused. One sender at a time, so the webview gets
 * its rows in order whatever the pace of the run.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Row, SequenceDiagram } from '../../../server/src/core/trace/diagram';
import type { TraceEvent } from '../../../server/src/core/trace/events';
import { type FromWebview, type ToWebview, type WireRow, traceViewHtml, wire } from './webview';

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
  /** A trace still being written: a debugged run. */
  live?: LiveInfo;
  /** Where exports are offered to be saved, when the trace is not a file (a run's: beside its scenario). */
  saveAs?: vscode.Uri;
}

export interface LiveInfo {
  finished: boolean;
  /** "passed", "FAILED": how the run ended. */
  outcome?: string;
  /** Events of the run not received (past the adapter's cap). */
  omitted: number;
  /** Where the run is paused; undefined while it runs. */
  highlight?: Highlight;
}

/** A paused run as the diagram shows it: a row of the trace, or a pending row after the last. */
export interface Highlight {
  row: number | null;
  pending: WireRow | null;
  text: string;
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
  /** Rows the webview has; -1: it needs the diagram from the start. */
  private sent = -1;
  private sending = false;
  private again = false;

  constructor(public trace: LoadedTrace, private readonly handlers: PanelHandlers, onDispose: () => void, show: { viewColumn?: vscode.ViewColumn; preserveFocus?: boolean } = {}) {
    this.panel = vscode.window.createWebviewPanel(TracePanel.viewType, titleOf(trace), { viewColumn: show.viewColumn ?? vscode.ViewColumn.Active, preserveFocus: !!show.preserveFocus }, { enableScripts: true, localResourceRoots: [] });
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

  /** Shows another reading of the trace (the file changed), or another run. */
  reload(trace: LoadedTrace): void {
    this.trace = trace;
    this.panel.title = titleOf(trace);
    this.send();
  }

  /** A live trace changed (rows added, paused, resumed, ended): the webview gets what is new. */
  update(): void {
    this.panel.title = titleOf(this.trace);
    this.flush();
  }

  reveal(row: number): void {
    void this.panel.webview.postMessage({ type: 'reveal', row } satisfies ToWebview);
  }

  private receive(m: FromWebview): void {
    if (!m || typeof m !== 'object') return;
    if (m.type === 'ready') this.send();
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

  /** The diagram to the webview from the start: the participants and a summary, then the rows a chunk at a time. */
  private send(): void {
    this.generation++;
    this.sent = -1;
    this.flush();
  }

  /** Sends what the webview lacks; a call while sending makes the sender look again when done. */
  private flush(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    void this.sendPending().finally(() => {
      this.sending = false;
      if (this.again) {
        this.again = false;
        this.flush();
      }
    });
  }

  private async sendPending(): Promise<void> {
    const generation = this.generation;
    // A new start (the page reloaded) while a message is on its way: this sender stops, and touches nothing.
    const post = async (m: ToWebview): Promise<boolean> => generation === this.generation && (await this.panel.webview.postMessage(m)) && generation === this.generation;
    const d = this.trace.diagram;
    const live = this.trace.live;
    const failureRows: number[] = [];
    d.rows.forEach((r, i) => r.failed && failureRows.push(i));
    const head = { participants: d.participants, total: d.rows.length, failures: d.failures, summary: this.summary(), failureRows };
    if (this.sent < 0) {
      if (!(await post({ type: 'start', title: this.trace.name, ...head, ...(live && !live.finished ? { live: true } : {}) }))) return;
      this.sent = 0;
    } else if (live) {
      if (!(await post({ type: 'header', ...head, live: !live.finished }))) return;
    }
    do {
      const from = this.sent;
      const rows = d.rows.slice(from, from + CHUNK).map(wire);
      const done = from + rows.length >= d.rows.length;
      if (!(await post({ type: 'rows', from, rows, done }))) return;
      this.sent = from + rows.length;
    } while (this.sent < d.rows.length);
    if (live) await post({ type: 'highlight', row: live.highlight?.row ?? null, pending: live.highlight?.pending ?? null, text: live.highlight?.text ?? '' });
  }

  private summary(): string {
    const { diagram: d, problems, moreProblems, truncated, live } = this.trace;
    const arrows = d.rows.filter((r) => r.type === 'arrow').length;
    const notes = d.rows.length - arrows;
    const parts = [`${arrows} message${arrows === 1 ? '' : 's'}`, `${notes} note${notes === 1 ? '' : 's'}`, `${d.participants.length} participant${d.participants.length === 1 ? '' : 's'}`, `${d.failures} failed`];
    const bad = problems.length + moreProblems;
    if (bad) parts.push(`${bad} line${bad === 1 ? '' : 's'} not read`);
    if (truncated) parts.push(`only the first ${this.trace.events.length} events`);
    if (live?.omitted) parts.push(`${live.omitted} later events not drawn (omadm run --trace writes them all)`);
    if (d.merged) parts.push(`${d.merged} more participants drawn on the last lifeline`);
    if (live) parts.unshift(live.finished ? `run ended${live.outcome ? `: ${live.outcome}` : ''}` : live.highlight ? 'paused' : 'running');
    return parts.join(' · ');
  }

  /** What the panel shows, for tests and scripts: its rows, lifelines and where the run is paused. */
  state(): PanelState {
    const live = this.trace.live;
    return {
      uri: this.trace.uri.toString(),
      title: this.panel.title,
      participants: this.trace.diagram.participants,
      rows: this.trace.diagram.rows.length,
      summary: this.summary(),
      ...(live ? { live: { finished: live.finished, omitted: live.omitted, ...(live.outcome ? { outcome: live.outcome } : {}), highlight: live.highlight ?? null } } : {}),
      ...(this.rendered ? { rendered: this.rendered } : {}),
    };
  }
}

export interface PanelState {
  uri: string;
  title: string;
  participants: string[];
  rows: number;
  summary: string;
  live?: { finished: boolean; omitted: number; outcome?: string; highlight: Highlight | null };
  rendered?: RenderedState;
}

function titleOf(trace: LoadedTrace): string {
  if (!trace.live) return `Trace: ${trace.name}`;
  return `Run: ${trace.name}${trace.live.finished ? ' (ended)' : trace.live.highlight ? ' (paused)' : ''}`;
}

/** A nonce for the webview's Content-Security-Policy: unguessable, new for each page. */
function nonceOf(): string {
  return randomBytes(18).toString('base64url');
}
