/**
 * Traces in a real VS Code: "Open Trace" on a trace `omadm run` wrote shows its sequence diagram
 * (lifelines and arrows as the trace says, failures marked), the webview draws the rows in view;
 * a message opens as a document the language server validates; the exports (Mermaid, SVG,
 * .dmhttp) and the replay against a fresh mini DM Server; a trace of 100,000 events opens with a
 * few dozen rows drawn.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Arrow, SequenceDiagram } from '../../../server/src/core/trace/diagram';
import type { ReplayReport } from '../../../server/src/host/replay';
import { until } from './wait';

interface Opened {
  uri: string;
  diagram: SequenceDiagram;
  events: number;
  truncated: boolean;
}

interface Rendered {
  first: number;
  last: number;
  drawn: number;
  received: number;
  total: number;
  columns: [number, number];
}

function fixture(name: string): vscode.Uri {
  const ext = vscode.extensions.getExtension('omadm-workbench.omadm-workbench');
  assert.ok(ext, 'the extension is installed');
  return vscode.Uri.file(path.join(ext.extensionPath, 'test', 'fixtures', 'traces', name));
}

/** The document symbols once the language server has analysed the document: it has seen it. */
function analysed(uri: vscode.Uri): Promise<vscode.DocumentSymbol[]> {
  return until(`the outline of ${uri.path}`, async () => {
    const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    return s?.length ? s : undefined;
  });
}

const errors = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);

export function registerTraceDiagramTests(): void {
  suite('Traces as sequence diagrams', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-trace-suite-'));
    // The webview's width decides which lifelines are in view: one editor group, whatever tests before left open (a run diagram beside).
    suiteSetup(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('workbench.action.editorLayoutSingle');
    });
    suiteTeardown(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    test('"Open Trace" shows the lifelines and arrows of a trace written by omadm run; the webview draws them', async () => {
      const uri = fixture('failures.trace.jsonl');
      const text = fs.readFileSync(uri.fsPath, 'utf8');
      const events = text.trim().split('\n').map((l) => JSON.parse(l) as { from: string; to: string; kind: string; status?: number; note?: string });
      const opened = await vscode.commands.executeCommand<Opened>('omadm.openTrace', uri);
      assert.ok(opened, 'the trace opened');
      const d = opened.diagram;
      assert.deepEqual(d.participants, ['dms1', 'dms2', 'IMEI:493005100592800', 'phone', 'dm']);
      const arrows = d.rows.filter((r): r is Arrow => r.type === 'arrow');
      assert.equal(arrows.length, events.filter((e) => e.kind !== 'note').length);
      assert.deepEqual(arrows.slice(0, 5).map((a) => [d.participants[a.from], d.participants[a.to], a.label, a.status]), [
        ['dms1', 'dms2', 'delegation_req', '200'],
        ['dms2', 'dms1', 'bootstrap_confirmed', '204'],
        ['dms1', 'IMEI:493005100592800', 'Package#0', 'accepted from DMS1'],
        ['IMEI:493005100592800', 'dms1', 'Package#1', '200'],
        ['dms1', 'IMEI:493005100592800', 'Package#2 (3 commands)', '200'],
      ]);
      // The injected HTTP 503 (DM 2.0 5.6) is a failure.
      const failed = arrows.filter((a) => a.failed).map((a) => `${d.participants[a.from]} -> ${d.participants[a.to]} ${a.label} ${a.status}`);
      assert.ok(failed.includes('phone -> dm Package#1 503'), failed.join(', '));
      const state = await until('the webview to draw every row', async () => {
        const s = await vscode.commands.executeCommand<Rendered | undefined>('omadm.traceViewState', uri);
        return s && s.received === d.rows.length ? s : undefined;
      });
      assert.equal(state.total, d.rows.length);
      assert.equal(state.first, 0);
      assert.ok(state.drawn > 5 && state.drawn <= d.rows.length, `${state.drawn} rows drawn`);
      assert.deepEqual(state.columns, [0, d.participants.length - 1]);
    });

    test('a message opens as a document the language server validates: a Package#2 as dm-json, a delegation message as dm-http', async () => {
      const uri = fixture('failures.trace.jsonl');
      const opened = (await vscode.commands.executeCommand<Opened>('omadm.openTrace', uri))!;
      const package2 = opened.diagram.rows.find((r) => r.type === 'arrow' && r.kind === 'package2')!;
      const editor = await vscode.commands.executeCommand<vscode.TextEditor>('omadm.openTraceMessage', uri, package2.event);
      assert.equal(editor.document.languageId, 'dm-json');
      assert.equal(editor.document.uri.scheme, 'omadm-trace');
      assert.match(editor.document.getText(), /"CMD"/);
      await analysed(editor.document.uri);
      assert.deepEqual(errors(editor.document.uri), []);
      const delegation = opened.diagram.rows.find((r) => r.type === 'arrow' && r.label === 'delegation_req')!;
      const exchange = await vscode.commands.executeCommand<vscode.TextEditor>('omadm.openTraceMessage', uri, delegation.event);
      assert.equal(exchange.document.languageId, 'dm-http');
      assert.match(exchange.document.getText(), /^POST \/dm\/delegation HTTP\/1\.1\n[^]*<delegation_req [^]*\nHTTP\/1\.1 200 OK\n/);
      await analysed(exchange.document.uri);
      assert.deepEqual(errors(exchange.document.uri), []);
    });

    test('exports: Mermaid in a Markdown document, an SVG file, a .dmhttp fixture that validates', async () => {
      const uri = fixture('failures.trace.jsonl');
      const md = await vscode.commands.executeCommand<vscode.TextDocument>('omadm.exportTraceMermaid', uri);
      assert.equal(md.languageId, 'markdown');
      assert.match(md.getText(), /```mermaid\nsequenceDiagram\n {2}participant P0 as dms1\n/);
      assert.match(md.getText(), /\n {2}P3-xP4: Package#35;1 \(503\)\n/);
      const svg = vscode.Uri.file(path.join(tmp, 'failures.svg'));
      assert.equal((await vscode.commands.executeCommand<vscode.Uri>('omadm.exportTraceSvg', uri, svg))?.fsPath, svg.fsPath);
      assert.match(fs.readFileSync(svg.fsPath, 'utf8'), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      const fixtureFile = vscode.Uri.file(path.join(tmp, 'failures.dmhttp'));
      await vscode.commands.executeCommand('omadm.saveTraceDmhttp', uri, fixtureFile);
      const doc = await vscode.workspace.openTextDocument(fixtureFile);
      assert.equal(doc.languageId, 'dm-http');
      await analysed(doc.uri);
      assert.deepEqual(errors(doc.uri), []);
      assert.deepEqual(vscode.languages.getDiagnostics(doc.uri).filter((x) => x.severity === vscode.DiagnosticSeverity.Warning), []);
    });

    test('"Replay Trace" against a fresh mini DM Server finds the recorded 503 that does not happen again', async () => {
      const uri = fixture('failures.trace.jsonl');
      const report = await vscode.commands.executeCommand<ReplayReport>('omadm.replayTrace', uri, { dmServer: true });
      assert.ok(report, 'the replay ran');
      const changed = report.items.filter((i) => i.differences.length);
      assert.deepEqual(changed.map((i) => [i.label, i.recorded.status, i.replayed.status]), [['Package#1', 503, 200]]);
      assert.ok(report.items.length > 10);
    });

    test('a trace of 100,000 events opens; the webview draws only the rows in view', async () => {
      const file = path.join(tmp, 'large.trace.jsonl');
      const lines: string[] = [];
      for (let i = 0; lines.length < 100_000; i++) {
        const dev = `dev-${i % 50}`;
        lines.push(JSON.stringify({ time: i, from: dev, to: 'dm', transport: 'http', kind: 'package1', method: 'POST', url: 'http://dm.example/dm', status: i % 101 ? 200 : 503, sessionId: `${dev}#${i}` }));
        lines.push(JSON.stringify({ time: i, from: 'dm', to: dev, transport: 'http', kind: 'package2', status: 200, body: { CMD: [['END']] }, sessionId: `${dev}#${i}` }));
      }
      fs.writeFileSync(file, lines.join('\n') + '\n');
      const uri = vscode.Uri.file(file);
      const opened = (await vscode.commands.executeCommand<Opened>('omadm.openTrace', uri))!;
      assert.equal(opened.events, 100_000);
      assert.equal(opened.diagram.participants.length, 51);
      const state = await until('all rows to reach the webview', async () => {
        const s = await vscode.commands.executeCommand<Rendered | undefined>('omadm.traceViewState', uri);
        return s && s.received === 100_000 ? s : undefined;
      });
      assert.equal(state.total, 100_000);
      assert.ok(state.drawn < 100, `${state.drawn} rows drawn of 100,000`);
      assert.ok(state.columns[1] - state.columns[0] < 51, 'only the lifelines in view');
      // A message far down: revealed in the diagram, and opened.
      const editor = await vscode.commands.executeCommand<vscode.TextEditor>('omadm.openTraceMessage', uri, 99_999);
      assert.equal(editor.document.languageId, 'dm-json');
      const moved = await until('the diagram to scroll to the message', async () => {
        const s = await vscode.commands.executeCommand<Rendered | undefined>('omadm.traceViewState', uri);
        return s && s.last >= 99_999 ? s : undefined;
      });
      assert.ok(moved.drawn < 100);
    });

    test('a file that is not a trace is refused with a message, not opened', async () => {
      const file = path.join(tmp, 'not.trace.jsonl');
      fs.writeFileSync(file, 'this is not JSON\n{"also": "not an event"}\n');
      assert.equal(await vscode.commands.executeCommand('omadm.openTrace', vscode.Uri.file(file)), undefined);
    });
  });
}
