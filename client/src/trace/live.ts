/**
 * The run diagram: while a scenario is debugged (debug type `omadm`), the sequence diagram of the
 * run so far, kept up to date from the adapter's custom events (server/src/debug/liveTrace.ts),
 * with what the run is paused at highlighted and scrolled into view. A message about to be sent is
 * not in the trace yet: it is drawn as a pending arrow after the last row, so that what is next
 * reads where the diagram goes on (rather than marking some earlier message of its sender). A
 * command is shown on the Package#2 that carries it; a step about to start, as a pending note.
 *
 * The panel opens beside the editor without taking the focus when a session starts (setting
 * `omadm.debug.openRunDiagram`), and **OMA DM: Show Run Diagram** brings it back. A finished run's
 * panel is reused by the next run, so debugging again does not pile up tabs.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type Row, type SequenceDiagram, MAX_PARTICIPANTS, OTHERS, clip, sequenceDiagram } from '../../../server/src/core/trace/diagram';
import type { TraceEvent } from '../../../server/src/core/trace/events';
import { ENDED_EVENT, type EndedBody, MAX_LIVE_EVENTS, PAUSED_EVENT, type PausedBody, RESUMED_EVENT, TRACE_EVENT, type TraceBatch } from '../../../server/src/debug/liveTrace';
import type { Highlight, LoadedTrace, PanelState, TracePanel } from './panel';
import type { WireRow } from './webview';

const DEBUG_TYPE = 'omadm';
export const LIVE_SCHEME = 'omadm-run';

/**
 * A diagram that grows: each batch of events is drawn by the same model as a file's trace
 * (sequenceDiagram), its lifelines mapped onto those of the run so far. Rows are one per event,
 * so a row's index is its event's number in the run.
 */
export class LiveDiagram {
  readonly diagram: SequenceDiagram = { participants: [], rows: [], failures: 0 };
  private readonly index = new Map<string, number>();

  /** The lifeline of a participant, added if new (a pending message may name one not seen yet). */
  lifeline(name: string): number {
    const key = clip(name, 120) || '(unnamed)';
    let i = this.index.get(key);
    if (i !== undefined) return i;
    const d = this.diagram;
    if (d.participants.length === MAX_PARTICIPANTS - 1) d.participants.push(OTHERS);
    if (d.participants.length >= MAX_PARTICIPANTS) {
      d.merged = (d.merged ?? 0) + 1;
      i = MAX_PARTICIPANTS - 1;
    } else {
      i = d.participants.length;
      d.participants.push(key);
    }
    this.index.set(key, i);
    return i;
  }

  append(events: readonly TraceEvent[], offset: number): void {
    const part = sequenceDiagram(events, { offset });
    const map = part.participants.map((p) => this.lifeline(p));
    const at = (i: number): number => map[i] ?? i;
    for (const r of part.rows) {
      const row: Row = r.type === 'arrow' ? { ...r, from: at(r.from), to: at(r.to) } : { ...r, over: [...new Set(r.over.map(at))] };
      this.diagram.rows.push(row);
      if (row.failed) this.diagram.failures++;
    }
  }

  /** The row of the run's event `n`. */
  rowOf(n: number | undefined): number | null {
    if (n === undefined) return null;
    const rows = this.diagram.rows;
    if (rows[n]?.event === n) return n;
    const i = rows.findIndex((r) => r.event === n);
    return i < 0 ? null : i;
  }
}

interface LiveRun {
  session: vscode.DebugSession;
  trace: LoadedTrace;
  model: LiveDiagram;
  panel: TracePanel | undefined;
}

export interface LivePanels {
  create(trace: LoadedTrace, show: { viewColumn?: vscode.ViewColumn; preserveFocus?: boolean }): TracePanel;
  /** A panel now shows another trace: it is found by that trace's URI. */
  rekey(panel: TracePanel, trace: LoadedTrace): void;
}

export function registerLiveRuns(context: vscode.ExtensionContext, panels: LivePanels): void {
  const runs = new Map<string, LiveRun>();
  let last: LiveRun | undefined;
  /** Ended runs whose panel is still open: the next run takes one over. */
  const finished = new Set<LiveRun>();

  const runOf = (session: vscode.DebugSession): LiveRun => {
    let run = runs.get(session.id);
    if (run) return run;
    const program = typeof session.configuration['program'] === 'string' ? (session.configuration['program'] as string) : '';
    const name = program ? path.basename(program).replace(/\.dmflow\.json$/i, '') : session.name;
    const model = new LiveDiagram();
    const trace: LoadedTrace = {
      // With an authority, so that the URI passed as text to the trace commands reads back as itself.
      uri: vscode.Uri.from({ scheme: LIVE_SCHEME, authority: 'debug', path: `/${encodeURIComponent(session.id)}/${name}.trace.jsonl` }),
      name,
      events: [],
      diagram: model.diagram,
      problems: [],
      moreProblems: 0,
      truncated: false,
      live: { finished: false, omitted: 0 },
      ...(program ? { saveAs: vscode.Uri.file(path.join(path.dirname(program), `${name}.trace.jsonl`)) } : {}),
    };
    run = { session, trace, model, panel: undefined };
    runs.set(session.id, run);
    last = run;
    return run;
  };

  /** The run's panel: a finished run's panel is taken over, else a new one beside the editor. */
  const show = (run: LiveRun, preserveFocus: boolean): TracePanel => {
    if (run.panel) {
      run.panel.panel.reveal(undefined, preserveFocus);
      return run.panel;
    }
    const idle = [...finished].find((r) => r !== run && r.panel);
    let panel: TracePanel;
    if (idle?.panel) {
      panel = idle.panel;
      idle.panel = undefined;
      finished.delete(idle);
      panel.reload(run.trace);
      panels.rekey(panel, run.trace);
      panel.panel.reveal(undefined, preserveFocus);
    } else {
      panel = panels.create(run.trace, { viewColumn: vscode.ViewColumn.Beside, preserveFocus });
    }
    run.panel = panel;
    const sub = panel.panel.onDidDispose(() => {
      sub.dispose();
      if (run.panel === panel) run.panel = undefined;
    });
    return panel;
  };
  const onBatch = (run: LiveRun, b: TraceBatch): void => {
    const live = run.trace.live!;
    const events = run.trace.events;
    // Batches come in order; one that overlaps what is here (it should not) adds only what is new.
    const fresh = Array.isArray(b.events) ? b.events.slice(Math.max(0, events.length - b.first)) : [];
    const room = Math.max(0, MAX_LIVE_EVENTS - events.length);
    const taken = fresh.slice(0, room);
    const offset = events.length;
    for (const e of taken) events.push(e);
    run.model.append(taken, offset);
    live.omitted = Math.max(live.omitted, (Number(b.omitted) || 0) + fresh.length - taken.length);
  };

  const onPaused = (run: LiveRun, body: PausedBody): void => {
    const at = body.at;
    const m = run.model;
    let h: Highlight;
    switch (at.kind) {
      case 'step': {
        const last = m.diagram.participants.length - 1;
        const label = `next: step ${at.step + 1}. ${at.name}`;
        h = { row: null, pending: [1, 0, last > 0 ? last : -1, label, '', 0, -1], text: `Paused before step ${at.step + 1}. ${at.name}` };
        break;
      }
      case 'message': {
        const from = m.lifeline(at.from);
        const to = m.lifeline(at.to);
        const pending: WireRow = [0, from, to, at.label, 'not sent yet', 0, -1];
        h = { row: null, pending, text: `Paused: ${at.from} is about to send ${at.label} to ${at.to}` };
        break;
      }
      case 'command': {
        const row = m.rowOf(at.event);
        const command = `${at.command.name} ${at.command.params.join(' ')}`.trim();
        h = { row, pending: null, text: `Paused: ${at.device} is about to carry out ${command} (command ${at.index + 1} of ${at.count} of ${row === null ? 'its Package#2' : 'the Package#2 highlighted'})` };
        break;
      }
      case 'failure':
        h = { row: m.rowOf(at.event), pending: null, text: `Paused: step ${at.step + 1} failed${at.message ? `: ${at.message}` : ''}` };
        break;
      default:
        h = { row: null, pending: null, text: `Paused (${String(body.reason)})` };
    }
    run.trace.live!.highlight = h;
  };

  context.subscriptions.push(
    vscode.debug.onDidStartDebugSession((session) => {
      if (session.type !== DEBUG_TYPE) return;
      const run = runOf(session);
      if (vscode.workspace.getConfiguration('omadm').get<boolean>('debug.openRunDiagram', true)) show(run, true);
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type !== DEBUG_TYPE) return;
      const run = runOf(e.session);
      const body: unknown = e.body;
      if (!body || typeof body !== 'object') return;
      if (e.event === TRACE_EVENT) onBatch(run, body as TraceBatch);
      else if (e.event === PAUSED_EVENT && (body as Partial<PausedBody>).at) onPaused(run, body as PausedBody);
      else if (e.event === RESUMED_EVENT) delete run.trace.live!.highlight;
      else if (e.event === ENDED_EVENT) run.trace.live!.outcome = (body as EndedBody).passed ? 'passed' : 'FAILED';
      else return;
      run.panel?.update();
    }),
    vscode.debug.onDidTerminateDebugSession((session) => {
      const run = runs.get(session.id);
      if (!run) return;
      runs.delete(session.id);
      const live = run.trace.live!;
      live.finished = true;
      delete live.highlight;
      if (run.panel) {
        finished.add(run);
        run.panel.update();
        const sub = run.panel.panel.onDidDispose(() => {
          sub.dispose();
          finished.delete(run);
        });
      }
    }),
    // The run diagram of the scenario being debugged (or the last one debugged): opened, or brought to the front. Returns what it shows.
    vscode.commands.registerCommand('omadm.showRunDiagram', (): PanelState | undefined => {
      const session = vscode.debug.activeDebugSession;
      const run = (session?.type === DEBUG_TYPE ? runs.get(session.id) : undefined) ?? last;
      if (!run) {
        void vscode.window.showInformationMessage('OMA DM: no scenario has been debugged yet. Start one (F5 on a *.dmflow.json) and its run diagram opens beside it.');
        return undefined;
      }
      return show(run, !!run.panel).state();
    }),
  );
}
