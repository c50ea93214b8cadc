/**
 * Traces in VS Code: **Open Trace** shows a `*.trace.jsonl` (docs/trace.md) as a sequence diagram
 * in a webview; clicking a message opens what was sent as a read-only document the language
 * server validates, like the DM Sessions view does (a package as `dm-json`, an HTTP exchange as
 * `dm-http`). The diagram exports as Mermaid (a Markdown document), as SVG and as a `.dmhttp`
 * fixture; **Replay Trace** sends the recorded requests again, to URLs or to a fresh mini DM Server,
 * and shows where the answers differ from the recorded ones.
 *
 * Every command takes the trace file as its first argument (a Uri, a path, an Explorer item), and
 * otherwise uses the diagram in front, the active editor's trace file, or asks with a file picker;
 * the save commands take the file to write as their second argument. So tests and other
 * extensions need no dialog.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type Row, readTrace, sequenceDiagram } from '../../../server/src/core/trace/diagram';
import type { TraceEvent } from '../../../server/src/core/trace/events';
import { toMermaidMarkdown } from '../../../server/src/core/trace/mermaid';
import { toSvg } from '../../../server/src/core/trace/svg';
import { package2Answers, traceToDmhttp } from '../../../server/src/core/trace/dmhttp';
import { type ReplayOptions, type ReplayReport, replayMarkdown, replayTexts, replayTrace } from '../../../server/src/host/replay';
import { type TraceDocuments, segment } from '../emulator/documents';
import { eventDocument, exchangeText } from '../emulator/render';
import { UserError, asUri } from '../emulator/pick';
import { type LoadedTrace, type RenderedState, TracePanel } from './panel';
import { registerLiveRuns } from './live';

/** Trace files larger than this are refused: read whole, they would take the extension host's memory. */
export const MAX_TRACE_BYTES = 256 * 1024 * 1024;
/** Events read at most; the diagram says when a trace is cut there. */
export const MAX_TRACE_EVENTS = 1_000_000;
/** Rows beyond which a Mermaid export is said to be too large for most renderers. */
const MERMAID_ROWS = 2_000;

const TRACE_FILE = /\.trace\.jsonl$/i;

export interface TraceApi {
  panels: ReadonlyMap<string, TracePanel>;
}

/** What `omadm.openTrace` returns: the trace's diagram, for scripts and tests. */
export interface OpenedTrace {
  uri: string;
  diagram: LoadedTrace['diagram'];
  events: number;
  problems: LoadedTrace['problems'];
  truncated: boolean;
}

export function registerTraceViewer(context: vscode.ExtensionContext, documents: TraceDocuments): TraceApi {
  const panels = new Map<string, TracePanel>();
  let active: TracePanel | undefined;
  let loads = 0;
  let replays = 0;
  /** The Package#2 answering each Package#1 and #3, per trace: found once, when first asked. */
  const answers = new WeakMap<LoadedTrace, Map<number, number>>();

  const load = async (uri: vscode.Uri): Promise<LoadedTrace> => {
    const name = path.posix.basename(uri.path);
    let size: number;
    try {
      size = (await vscode.workspace.fs.stat(uri)).size;
    } catch (e) {
      throw new UserError(`${name} cannot be read: ${(e as Error).message}`);
    }
    if (size > MAX_TRACE_BYTES) throw new UserError(`${name} is ${Math.round(size / 1024 / 1024)} MiB; traces of up to ${MAX_TRACE_BYTES / 1024 / 1024} MiB are opened. Split it (each line is an event) and open the parts.`);
    const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
    const read = readTrace(text, { maxEvents: MAX_TRACE_EVENTS });
    if (!read.events.length) {
      const first = read.problems[0];
      throw new UserError(`${name} holds no trace events${first ? `: line ${first.line}: ${first.message}` : ' (the file is empty)'}. A trace has one JSON event per line (docs/trace.md), as \`omadm run --trace\` writes.`);
    }
    return { uri, name, events: read.events, diagram: sequenceDiagram(read.events), problems: read.problems, moreProblems: read.moreProblems, truncated: read.truncated };
  };

  /** The trace a command works on: its argument, the diagram in front (unless `openDiagrams` is false), the active editor's file, or one picked. */
  const traceUri = async (arg: unknown, openDiagrams = true): Promise<vscode.Uri | undefined> => {
    const given = asUri(arg);
    if (given) return given;
    if (openDiagrams && active?.panel.active) return active.trace.uri;
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && TRACE_FILE.test(doc.uri.path)) return doc.uri;
    if (openDiagrams && active) return active.trace.uri;
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Open Trace', title: 'OMA DM: a trace (*.trace.jsonl)', filters: { Traces: ['jsonl'] }, ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}) });
    return picked?.[0];
  };

  /** The trace of an open diagram, else read from its file. */
  const traceOf = async (arg: unknown): Promise<LoadedTrace | undefined> => {
    const uri = await traceUri(arg);
    if (!uri) return undefined;
    return panels.get(uri.toString())?.trace ?? (await load(uri));
  };

  /** A diagram panel, known by its trace's URI until it closes (a live one may change its trace: `rekey`). */
  const createPanel = (trace: LoadedTrace, show: { viewColumn?: vscode.ViewColumn; preserveFocus?: boolean } = {}): TracePanel => {
    let key = trace.uri.toString();
    const created: TracePanel = new TracePanel(
      trace,
      { open: (p, row, exchange) => openRow(p.trace, row, exchange), command: (p, command, range) => onToolbar(p, command, range) },
      () => {
        if (panels.get(key) === created) panels.delete(key);
        if (active === created) active = undefined;
      },
      show,
    );
    panels.set(key, created);
    keys.set(created, (next) => {
      if (panels.get(key) === created) panels.delete(key);
      key = next;
      panels.set(key, created);
    });
    created.panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) active = created;
    });
    if (created.panel.active) active = created;
    return created;
  };
  const keys = new WeakMap<TracePanel, (key: string) => void>();

  const openTrace = async (arg?: unknown): Promise<OpenedTrace | undefined> => {
    // Another trace than the diagram in front: the active editor's, or one picked.
    const uri = await traceUri(arg, false);
    if (!uri) return undefined;
    const trace = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading ${path.posix.basename(uri.path)}` }, () => load(uri));
    const key = uri.toString();
    let panel = panels.get(key);
    if (panel) {
      panel.reload(trace);
      panel.panel.reveal();
    } else panel = createPanel(trace);
    active = panel;
    const bad = trace.problems.length + trace.moreProblems;
    if (bad || trace.truncated) {
      const first = trace.problems[0];
      void vscode.window.showWarningMessage(
        `${trace.name}: ${bad ? `${bad} line${bad === 1 ? ' is' : 's are'} not trace events${first ? ` (line ${first.line}: ${first.message})` : ''} and ${bad === 1 ? 'is' : 'are'} left out` : ''}${bad && trace.truncated ? '; ' : ''}${trace.truncated ? `only the first ${trace.events.length} events are shown` : ''}.`,
      );
    }
    return { uri: key, diagram: trace.diagram, events: trace.events.length, problems: trace.problems, truncated: trace.truncated };
  };

  /** The document of one message: what was sent, in the file kind the language server validates. */
  const messageUri = (trace: LoadedTrace, index: number, exchange: boolean): vscode.Uri | undefined => {
    const e = trace.events[index];
    if (!e || e.kind === 'note') return undefined;
    let map = answers.get(trace);
    if (!map) answers.set(trace, (map = package2Answers(trace.events)));
    const at = map.get(index);
    const response = at === undefined ? undefined : trace.events[at];
    const asExchange = (exchange && (e.kind === 'package1' || e.kind === 'package3') && e.transport === 'http') || eventDocument(e).language === 'dm-http';
    const extension = asExchange ? '.dmhttp' : eventDocument(e).extension;
    const docPath = `/trace-${loadId(trace)}/${segment(trace.name.replace(TRACE_FILE, ''))}/${index}-${segment(e.kind)}${extension}`;
    // An exchange as a .dmhttp fixture writes it (the delegation media type the peers trace
    // becomes the request's Content-Type); one the fixture format cannot hold, as the DM Sessions view shows it.
    const exchangeDoc = (): string => {
      const r = traceToDmhttp(response ? [e, response] : [e]);
      return r.exchanges ? r.text : exchangeText(e, response);
    };
    return documents.uri(docPath, () => (asExchange ? exchangeDoc() : eventDocument(e, response).text));
  };
  const loadIds = new WeakMap<LoadedTrace, number>();
  const loadId = (t: LoadedTrace): number => {
    let id = loadIds.get(t);
    if (id === undefined) loadIds.set(t, (id = ++loads));
    return id;
  };

  const openRow = async (trace: LoadedTrace, row: Row, exchange: boolean): Promise<vscode.TextEditor | undefined> => {
    const uri = messageUri(trace, row.event, exchange);
    if (!uri) {
      // A note is not a message: it is shown whole, since the diagram may have cut it.
      if (row.type === 'note') void vscode.window.showInformationMessage(row.text);
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
  };

  /** The events of the selected rows (or all), and the index of the first in the trace. */
  const scope = (trace: LoadedTrace, range: [number, number] | undefined): { events: TraceEvent[]; offset: number; label: string } => {
    if (!range) return { events: trace.events, offset: 0, label: trace.name };
    const rows = trace.diagram.rows;
    const a = rows[Math.max(0, Math.min(range[0], range[1]))];
    const b = rows[Math.min(rows.length - 1, Math.max(range[0], range[1]))];
    if (!a || !b) return { events: trace.events, offset: 0, label: trace.name };
    return { events: trace.events.slice(a.event, b.event + 1), offset: a.event, label: `${trace.name}, events ${a.event}-${b.event}` };
  };

  const saveTarget = async (given: unknown, trace: LoadedTrace, extension: string, filter: Record<string, string[]>): Promise<vscode.Uri | undefined> => {
    const uri = asUri(given);
    if (uri) return uri;
    // A run's diagram has no file: what it saves goes beside the scenario.
    const near = trace.saveAs ?? trace.uri;
    const base = near.path.replace(TRACE_FILE, '').replace(/\.jsonl$/i, '');
    return vscode.window.showSaveDialog({ defaultUri: near.with({ path: `${base}${extension}` }), filters: filter, saveLabel: 'Save' });
  };

  const exportMermaid = async (arg?: unknown, range?: [number, number]): Promise<vscode.TextDocument | undefined> => {
    const trace = await traceOf(arg);
    if (!trace) return undefined;
    const s = scope(trace, range);
    const d = range ? sequenceDiagram(s.events, { offset: s.offset }) : trace.diagram;
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: toMermaidMarkdown(d, s.label) });
    await vscode.window.showTextDocument(doc, { preview: false });
    if (d.rows.length > MERMAID_ROWS) void vscode.window.showInformationMessage(`OMA DM: ${d.rows.length} rows: Mermaid renderers often refuse diagrams this large. Select a range of rows in the diagram (Shift+click) to export part of it.`);
    return doc;
  };

  const exportSvg = async (arg?: unknown, target?: unknown, range?: [number, number]): Promise<vscode.Uri | undefined> => {
    const trace = await traceOf(arg);
    if (!trace) return undefined;
    const to = await saveTarget(target, trace, '.svg', { 'SVG image': ['svg'] });
    if (!to) return undefined;
    const s = scope(trace, range);
    const d = range ? sequenceDiagram(s.events, { offset: s.offset }) : trace.diagram;
    await vscode.workspace.fs.writeFile(to, new TextEncoder().encode(toSvg(d, s.label)));
    if (target === undefined) void vscode.window.showInformationMessage(`OMA DM: the diagram of ${s.label} is saved as ${path.posix.basename(to.path)}.`);
    return to;
  };

  const saveDmhttp = async (arg?: unknown, target?: unknown, range?: [number, number]): Promise<vscode.Uri | undefined> => {
    const trace = await traceOf(arg);
    if (!trace) return undefined;
    const s = scope(trace, range);
    const r = traceToDmhttp(s.events, { offset: s.offset });
    if (!r.exchanges) throw new UserError(`${s.label} holds no HTTP exchange to write${r.skipped[0] ? ` (event ${r.skipped[0].event}: ${r.skipped[0].reason})` : ''}.`);
    const to = await saveTarget(target, trace, '.dmhttp', { 'HTTP exchanges': ['dmhttp'] });
    if (!to) return undefined;
    await vscode.workspace.fs.writeFile(to, new TextEncoder().encode(r.text));
    const left = r.skipped.length + r.moreSkipped;
    if (target === undefined) {
      const why = left ? ` ${left} event${left === 1 ? ' is' : 's are'} left out: ${[...new Set(r.skipped.map((x) => x.reason))].slice(0, 2).join('; ')}.` : '';
      void vscode.window.showInformationMessage(`OMA DM: ${r.exchanges} HTTP exchange${r.exchanges === 1 ? '' : 's'} saved in ${path.posix.basename(to.path)}.${why}`, 'Open').then(async (a) => a && vscode.window.showTextDocument(await vscode.workspace.openTextDocument(to)));
    }
    return to;
  };

  /**
   * Replay: `target` is a URL (every recorded origin goes there), a map of recorded origin to URL,
   * or `{ dmServer: true }`; without it the user picks.
   */
  const replay = async (arg?: unknown, target?: unknown, range?: [number, number]): Promise<ReplayReport | undefined> => {
    const trace = await traceOf(arg);
    if (!trace) return undefined;
    const s = scope(trace, range);
    const options = target !== undefined ? replayTarget(target) : await askReplayTarget(s.events);
    if (!options) return undefined;
    const controller = new AbortController();
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OMA DM: replaying ${s.label}`, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      let last = 0;
      return replayTrace(s.events, {
        ...options,
        signal: controller.signal,
        progress: (done, total) => {
          const pct = (done / Math.max(total, 1)) * 100;
          progress.report({ message: `${done} of ${total}`, increment: pct - last });
          last = pct;
        },
      });
    });
    // Event numbers in the report are those of the whole trace.
    for (const i of report.items) i.event += s.offset;
    for (const k of report.skipped) k.event += s.offset;
    const n = ++replays;
    const base = `/replay-${n}/${segment(trace.name.replace(TRACE_FILE, ''))}`;
    const md = documents.uri(`${base}/report.md`, () => replayMarkdown(report, s.label));
    const differing = report.items.filter((i) => i.differences.length).length;
    if (differing) {
      const texts = replayTexts(report);
      const left = documents.uri(`${base}/recorded.txt`, () => texts.recorded);
      const right = documents.uri(`${base}/replayed.txt`, () => texts.replayed);
      await vscode.commands.executeCommand('vscode.diff', left, right, `${trace.name}: recorded ↔ replayed`, { preview: false });
    }
    await vscode.commands.executeCommand('markdown.showPreviewToSide', md);
    void vscode.window.showInformationMessage(`OMA DM: ${report.items.length} request${report.items.length === 1 ? '' : 's'} replayed, ${differing} answered differently than recorded${report.cancelled ? ' (cancelled)' : ''}.`);
    return report;
  };

  const onToolbar = (p: TracePanel, command: 'mermaid' | 'svg' | 'dmhttp' | 'replay', range: [number, number] | undefined): Promise<unknown> => {
    const commands: Record<string, () => Promise<unknown>> = { mermaid: () => exportMermaid(p.trace.uri, range), svg: () => exportSvg(p.trace.uri, undefined, range), dmhttp: () => saveDmhttp(p.trace.uri, undefined, range), replay: () => replay(p.trace.uri, undefined, range) };
    const run = commands[command];
    return run ? guard(run)() : Promise.resolve(undefined);
  };

  // The run diagram of a scenario being debugged: the same panel, fed by the debugger's events.
  registerLiveRuns(context, {
    create: (trace, show) => createPanel(trace, show),
    rekey: (panel, trace) => keys.get(panel)?.(trace.uri.toString()),
  });

  context.subscriptions.push(
    { dispose: () => [...panels.values()].forEach((p) => p.dispose()) },
    vscode.commands.registerCommand('omadm.openTrace', guard(openTrace)),
    vscode.commands.registerCommand('omadm.exportTraceMermaid', guard(exportMermaid)),
    vscode.commands.registerCommand('omadm.exportTraceSvg', guard(exportSvg)),
    vscode.commands.registerCommand('omadm.saveTraceDmhttp', guard(saveDmhttp)),
    // It sends requests and may start a DM Server on loopback: only in a trusted workspace.
    vscode.commands.registerCommand('omadm.replayTrace', guard(replay, true)),
    // Opens the message of an event (by its index in the trace) as a clicked arrow does.
    vscode.commands.registerCommand(
      'omadm.openTraceMessage',
      guard(async (arg?: unknown, event?: unknown, exchange?: unknown) => {
        const trace = await traceOf(arg);
        const row = trace?.diagram.rows.find((r) => r.event === Number(event));
        if (!trace || !row) return undefined;
        panels.get(trace.uri.toString())?.reveal(trace.diagram.rows.indexOf(row));
        return openRow(trace, row, exchange === true);
      }),
    ),
    // What the diagram's webview last drew: its visible rows and columns.
    vscode.commands.registerCommand('omadm.traceViewState', async (arg?: unknown, next?: unknown): Promise<RenderedState | undefined> => {
      const uri = asUri(arg) ?? active?.trace.uri;
      const panel = uri ? panels.get(uri.toString()) : undefined;
      if (!panel) return undefined;
      if (next !== true && panel.rendered) return panel.rendered;
      return new Promise((resolve) => {
        const sub = panel.onDidRender((s) => {
          sub.dispose();
          resolve(s);
        });
      });
    }),
  );
  return { panels };
}

/** The replay options a command argument names. */
function replayTarget(target: unknown): ReplayOptions | undefined {
  if (typeof target === 'string') return { targets: { '*': target } };
  if (target && typeof target === 'object') {
    if ((target as { dmServer?: unknown }).dmServer === true) return { dmServer: true };
    const entries = Object.entries(target as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
    if (entries.length) return { targets: Object.fromEntries(entries) };
  }
  throw new UserError('A replay target is a URL, a map of recorded origins to URLs, or { dmServer: true }.');
}

/** Asks where to replay: a fresh mini DM Server, or a URL for each origin the requests went to. */
async function askReplayTarget(events: readonly TraceEvent[]): Promise<ReplayOptions | undefined> {
  const origins = new Set<string>();
  let packages = 0;
  for (const e of events) {
    if (e.transport !== 'http' || String(e.method).toUpperCase() !== 'POST') continue;
    if (e.kind === 'package1' || e.kind === 'package3') packages++;
    else if (e.kind !== 'http') continue;
    const o = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(String(e.url ?? ''))?.[0];
    if (o) origins.add(o.toLowerCase());
  }
  if (!origins.size && !packages) throw new UserError('The trace holds no POST a device or peer sent: nothing to replay.');
  const pick = await vscode.window.showQuickPick(
    [
      { label: '$(server) A fresh mini DM Server', description: `${packages} DM package${packages === 1 ? '' : 's'}`, detail: 'Started on loopback for the replay; it answers each package with the Package#2 recorded for it, so any difference is a package it refuses now.', dmServer: true },
      { label: '$(globe) URLs…', description: `${origins.size} recorded origin${origins.size === 1 ? '' : 's'}`, detail: 'Every POST the devices and peers sent (packages, delegation messages, HPOST), to a URL you give for each origin.', dmServer: false },
    ],
    { title: 'OMA DM: Replay Trace', placeHolder: 'Send the recorded requests to' },
  );
  if (!pick) return undefined;
  if (pick.dmServer) return { dmServer: true };
  const targets: Record<string, string> = {};
  for (const origin of [...origins].sort()) {
    const to = await vscode.window.showInputBox({
      title: `OMA DM: Replay Trace: where the requests to ${origin} go`,
      prompt: 'A URL (http or https); empty: not replayed',
      value: origin,
      validateInput: (v) => (v === '' || /^https?:\/\/[^/?#\s]+(\/[^\s]*)?$/i.test(v) ? undefined : 'an http:// or https:// URL, or empty'),
    });
    if (to === undefined) return undefined;
    targets[origin] = to;
  }
  return { targets };
}

/** Runs a command, showing what went wrong instead of throwing; `trusted`: only in a trusted workspace. */
function guard<A extends unknown[], R>(fn: (...args: A) => Promise<R>, trusted = false): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    if (trusted && !vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage('OMA DM: a replay runs only in a trusted workspace: it sends requests and may start a DM Server on loopback.', 'Manage Workspace Trust').then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
      return undefined;
    }
    try {
      return await fn(...args);
    } catch (e) {
      const actions = e instanceof UserError ? e.actions : [];
      void vscode.window.showErrorMessage(`OMA DM: ${e instanceof Error ? e.message : String(e)}`, ...actions.map((a) => a.title)).then((t) => actions.find((a) => a.title === t)?.run());
      return undefined;
    }
  };
}
