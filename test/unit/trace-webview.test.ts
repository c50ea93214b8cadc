// The sequence diagram webview, run outside VS Code: its HTML follows the webview conventions (a
// Content-Security-Policy with a nonce, nothing remote, theme colours), and its script, taken
// from the HTML as VS Code runs it, draws only the rows and lifelines in view of a 100,000-row
// diagram, answers clicks, Shift+click selections and the toolbar with messages to the extension.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { sequenceDiagram } from '../../server/src/core/trace/diagram.ts';
import { LAYOUT, type FromWebview, type ToWebview, traceViewHtml, wire } from '../../client/src/trace/webview.ts';
import { fleetEvents } from './trace-helpers.ts';

test('the HTML: a CSP with the nonce, the nonce on its only style and script, no remote resource, theme colours', () => {
  const html = traceViewHtml('N0nce', 'https://file+.vscode-resource.vscode-cdn.net', 'a <trace> & "x"');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(csp);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-N0nce'/);
  assert.match(csp, /style-src 'nonce-N0nce'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.deepEqual(html.match(/<(script|style)[^>]*>/g), ['<style nonce="N0nce">', '<script nonce="N0nce">']);
  assert.doesNotMatch(html, /\b(src|href)=/);
  assert.doesNotMatch(html, /url\(http|@import/);
  assert.match(html, /<title>a &#60;trace&#62; &#38; &#34;x&#34;<\/title>/);
  assert.match(html, /var\(--vscode-errorForeground\)/);
  assert.match(html, /var\(--vscode-editor-background\)/);
});

/** A stand-in for the few DOM elements the script uses. */
class FakeElement {
  innerHTML = '';
  textContent: string | null = null;
  scrollTop = 0;
  scrollLeft = 0;
  clientHeight = 0;
  clientWidth = 0;
  disabled = false;
  style: Record<string, string> = {};
  readonly attributes = new Map<string, string>();
  readonly listeners = new Map<string, ((e: unknown) => void)[]>();
  constructor(readonly id: string) {}
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  addEventListener(type: string, listener: (e: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  dispatch(type: string, event: object = {}): void {
    for (const l of this.listeners.get(type) ?? []) l({ preventDefault: () => undefined, target: this, ...event });
  }
  closest(): FakeElement | null {
    return null;
  }
  focus(): void {}
}

/** An element inside a row group (or a button), as a click's target. */
function targetIn(attribute: string, value: string): object {
  const holder = new FakeElement('');
  holder.setAttribute(attribute, value);
  return { closest: () => holder };
}

/** Runs the script of the HTML, as the webview does, against the stand-ins. */
function startWebview(width: number, height: number) {
  const html = traceViewHtml('n', 'vscode-resource:', 't');
  const script = /<script nonce="n">([^]*)<\/script>/.exec(html)![1]!;
  const elements = new Map<string, FakeElement>();
  const element = (id: string): FakeElement => {
    let e = elements.get(id);
    if (!e) elements.set(id, (e = new FakeElement(id)));
    return e;
  };
  element('scroller').clientHeight = height;
  element('scroller').clientWidth = width;
  const posted: FromWebview[] = [];
  const frames: (() => void)[] = [];
  let onMessage: ((e: { data: unknown }) => void) | undefined;
  let state: unknown;
  const api = { postMessage: (m: FromWebview) => posted.push(m), getState: () => state, setState: (s: unknown) => (state = s) };
  const window = { addEventListener: (type: string, f: (e: { data: unknown }) => void) => type === 'message' && (onMessage = f) };
  // Only what the page gives a webview's script: no require, no module scope of the extension.
  new Function('acquireVsCodeApi', 'document', 'window', 'requestAnimationFrame', script)(() => api, { getElementById: element }, window, (f: () => void) => frames.push(f));
  const flush = (): void => {
    while (frames.length) frames.shift()!();
  };
  const send = (m: ToWebview): void => {
    onMessage!({ data: m });
    flush();
  };
  return { element, posted, send, flush, state: () => state };
}

const drawnRows = (svg: string): number[] => [...svg.matchAll(/data-i="(\d+)"/g)].map((m) => Number(m[1]));

test('100,000 rows: only those in view are drawn, and only the lifelines in view', () => {
  const d = sequenceDiagram(fleetEvents(100_000));
  const rows = d.rows.map(wire);
  const view = startWebview(1000, 600);
  assert.deepEqual(view.posted, [{ type: 'ready' }]);
  const failureRows = d.rows.flatMap((r, i) => (r.failed ? [i] : []));
  view.send({ type: 'start', title: 't', participants: d.participants, total: rows.length, failures: d.failures, summary: 'summary', failureRows });
  // The first chunk alone draws the first screen.
  view.send({ type: 'rows', from: 0, rows: rows.slice(0, 5000), done: false });
  const svg = view.element('rows');
  let drawn = drawnRows(svg.innerHTML);
  const visible = Math.ceil(600 / LAYOUT.row);
  assert.equal(drawn[0], 0);
  assert.ok(drawn.length <= visible + LAYOUT.overscan + 1, `${drawn.length} rows drawn`);
  for (let from = 5000; from < rows.length; from += 5000) view.send({ type: 'rows', from, rows: rows.slice(from, from + 5000), done: from + 5000 >= rows.length });
  // The page is as tall as every row, though only a screenful is in it.
  assert.equal(view.element('sizer').style.height, `${LAYOUT.head + rows.length * LAYOUT.row + LAYOUT.row}px`);
  assert.equal(view.element('sizer').style.width, `${LAYOUT.margin * 2 + d.participants.length * LAYOUT.column}px`);
  const lifelines = (svg.innerHTML.match(/class="lifeline"/g) ?? []).length;
  assert.ok(lifelines <= Math.ceil(1000 / LAYOUT.column) + 3, `${lifelines} lifelines drawn of ${d.participants.length}`);
  assert.ok((view.element('heads').innerHTML.match(/class="head"/g) ?? []).length === lifelines);
  assert.doesNotMatch(svg.innerHTML, /style=/, 'no style attribute: the CSP would refuse it');

  // Scrolled to the middle: the rows there, and no more.
  const scroller = view.element('scroller');
  scroller.scrollTop = 50_000 * LAYOUT.row;
  scroller.dispatch('scroll');
  view.flush();
  drawn = drawnRows(svg.innerHTML);
  assert.ok(drawn.includes(50_000) && drawn.includes(50_000 + visible - 1), `rows ${drawn[0]}-${drawn.at(-1)}`);
  assert.ok(drawn.length <= visible + 2 * LAYOUT.overscan + 1);
  assert.equal(svg.style.top, `${LAYOUT.head + (50_000 - LAYOUT.overscan) * LAYOUT.row}px`);
  const rendered = view.posted.filter((m) => m.type === 'rendered').at(-1) as Extract<FromWebview, { type: 'rendered' }>;
  assert.deepEqual([rendered.first, rendered.drawn, rendered.received, rendered.total], [50_000 - LAYOUT.overscan, drawn.length, 100_000, 100_000]);
  assert.deepEqual(view.state(), { top: 50_000 * LAYOUT.row, left: 0 });

  // Scrolled right: the lifelines of the columns in view.
  scroller.scrollLeft = 2500 * LAYOUT.column;
  scroller.dispatch('scroll');
  view.flush();
  const last = view.posted.filter((m) => m.type === 'rendered').at(-1) as Extract<FromWebview, { type: 'rendered' }>;
  assert.ok(last.columns[0] <= 2500 && last.columns[1] >= 2500 + Math.floor(1000 / LAYOUT.column) - 1 && last.columns[1] - last.columns[0] < 10, `${last.columns}`);
  assert.match(view.element('heads').innerHTML, new RegExp(`>${d.participants[2500]!.replace(/[-]/g, '\\-')}<`));
});

test('clicks open a message, Shift+click selects rows for the toolbar, Next failure goes to the next one', () => {
  const d = sequenceDiagram(fleetEvents(3_000));
  const rows = d.rows.map(wire);
  const view = startWebview(800, 400);
  const failureRows = d.rows.flatMap((r, i) => (r.failed ? [i] : []));
  assert.ok(failureRows.length > 2);
  view.send({ type: 'start', title: 't', participants: d.participants, total: rows.length, failures: d.failures, summary: `${d.failures} failed`, failureRows });
  view.send({ type: 'rows', from: 0, rows, done: true });
  assert.equal(view.element('summary').textContent, `${d.failures} failed`);
  const svg = view.element('rows');
  svg.dispatch('click', { target: targetIn('data-i', '4') });
  assert.deepEqual(view.posted.filter((m) => m.type === 'open').at(-1), { type: 'open', row: 4, exchange: false });
  svg.dispatch('click', { target: targetIn('data-i', '9'), shiftKey: true });
  view.flush();
  assert.equal((svg.innerHTML.match(/class="row[^"]*selected/g) ?? []).length, 6);
  assert.equal(view.element('scope').textContent, 'Selection (rows 5-10)');
  view.element('toolbar').dispatch('click', { target: targetIn('data-command', 'svg') });
  assert.deepEqual(view.posted.at(-1), { type: 'command', command: 'svg', range: [4, 9] });
  svg.dispatch('click', { target: targetIn('data-i', '7'), altKey: true });
  assert.ok(view.posted.some((m) => m.type === 'open' && m.row === 7 && m.exchange));
  view.element('toolbar').dispatch('click', { target: targetIn('data-command', 'dmhttp') });
  assert.deepEqual(view.posted.at(-1), { type: 'command', command: 'dmhttp' });
  view.element('toolbar').dispatch('click', { target: targetIn('data-command', 'next-failure') });
  view.flush();
  const next = failureRows.find((k) => k > 7)!;
  const rendered = view.posted.filter((m) => m.type === 'rendered').at(-1) as Extract<FromWebview, { type: 'rendered' }>;
  assert.deepEqual(rendered.selected, [next, next]);
  assert.ok(rendered.first <= next && rendered.last >= next, 'the failure is scrolled into view');
  assert.match(svg.innerHTML, new RegExp(`<g class="row failed selected" data-i="${next}">`));
  // The keyboard: Down moves the selection, Enter opens it.
  view.element('scroller').dispatch('keydown', { key: 'ArrowDown' });
  view.element('scroller').dispatch('keydown', { key: 'Enter' });
  assert.deepEqual(view.posted.filter((m) => m.type === 'open').at(-1), { type: 'open', row: next + 1, exchange: false });
});

test('text from the trace is escaped in the page', () => {
  const view = startWebview(800, 400);
  view.send({ type: 'start', title: 't', participants: ['<img onerror=x>', 'b'], total: 1, failures: 0, summary: '', failureRows: [] });
  view.send({ type: 'rows', from: 0, rows: [[0, 0, 1, '<script>alert(1)</script>', '"200"', 0, 0]], done: true });
  assert.ok(!view.element('rows').innerHTML.includes('<script'));
  assert.ok(view.element('rows').innerHTML.includes('&lt;script&gt;alert(1)&lt;/script&gt; · &quot;200&quot;'));
  assert.ok(view.element('heads').innerHTML.includes('&lt;img onerror=x&gt;'));
  assert.ok(!view.element('heads').innerHTML.includes('<img'));
});
