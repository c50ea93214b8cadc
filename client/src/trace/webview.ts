/**
 * The sequence diagram webview: its HTML (theme colours from VS Code's CSS variables, a
 * Content-Security-Policy that allows only its own nonce-tagged style and script, nothing remote)
 * and its script. The script draws only what is in view: the rows and the lifelines visible in the
 * scrolled window, a few more around them, into one SVG placed where they are; a trace of 100,000
 * messages keeps a few dozen elements in the page. Rows arrive in chunks and the first screen is
 * drawn from the first chunk.
 *
 * This module imports nothing from VS Code, so the unit tests run the script against a stand-in
 * for the DOM. The script is the source of `traceViewMain`, which must therefore be self-contained:
 * it uses nothing from this module but its arguments.
 */
import type { Row } from '../../../server/src/core/trace/diagram';

/** Geometry shared by the webview and the tests, in CSS pixels. */
export const LAYOUT = { column: 200, row: 28, head: 40, margin: 12, overscan: 8 } as const;

/**
 * A row as sent to the webview: [type (0 arrow, 1 note), from, to (a note over one lifeline: -1),
 * label, status, flags (1 failed, 2 response, 4 datagram), event index].
 */
export type WireRow = [0 | 1, number, number, string, string, number, number];

export const FLAG_FAILED = 1;
export const FLAG_RESPONSE = 2;
export const FLAG_DATAGRAM = 4;

/** A row of the diagram model as the webview gets it. */
export function wire(r: Row): WireRow {
  if (r.type === 'note') return [1, r.over[0]!, r.over.length > 1 ? r.over[1]! : -1, r.text, '', r.failed ? FLAG_FAILED : 0, r.event];
  const flags = (r.failed ? FLAG_FAILED : 0) | (r.response ? FLAG_RESPONSE : 0) | (r.transport === 'udp' ? FLAG_DATAGRAM : 0);
  return [0, r.from, r.to, r.label, r.status, flags, r.event];
}

/** Messages from the extension to the webview. */
export type ToWebview =
  /** `live`: a run still growing; the view follows its end while it is scrolled there. */
  | { type: 'start'; title: string; participants: string[]; total: number; failures: number; summary: string; failureRows: number[]; live?: boolean }
  | { type: 'rows'; from: number; rows: WireRow[]; done: boolean }
  | { type: 'reveal'; row: number }
  /** A live diagram grew: new lifelines, totals and summary, its rows kept. */
  | { type: 'header'; participants: string[]; total: number; failures: number; summary: string; failureRows: number[]; live: boolean }
  /**
   * Where a debugged run is paused: a row highlighted and scrolled into view, or a pending row
   * drawn after the last (what is about to happen, not yet in the trace), and a line saying what
   * it is; all null when the run goes on.
   */
  | { type: 'highlight'; row: number | null; pending: WireRow | null; text: string };

/** Messages from the webview to the extension. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'open'; row: number; exchange: boolean }
  | { type: 'command'; command: 'mermaid' | 'svg' | 'dmhttp' | 'replay'; range?: [number, number] }
  | { type: 'rendered'; first: number; last: number; drawn: number; received: number; total: number; columns: [number, number]; selected: [number, number] | null; highlight: number | null; pending: string | null; paused: string };

/** The little of the DOM the script uses: what the unit tests stand in for. */
export interface ViewElement {
  innerHTML: string;
  textContent: string | null;
  scrollTop: number;
  scrollLeft: number;
  readonly clientHeight: number;
  readonly clientWidth: number;
  disabled?: boolean;
  style: { [name: string]: string };
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  addEventListener(type: string, listener: (event: ViewEvent) => void): void;
  closest(selector: string): ViewElement | null;
}

export interface ViewEvent {
  target: unknown;
  shiftKey?: boolean;
  altKey?: boolean;
  key?: string;
  data?: unknown;
  preventDefault(): void;
}

export interface ViewGlobals {
  element(id: string): ViewElement;
  onMessage(listener: (data: unknown) => void): void;
  frame(callback: () => void): void;
  post(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/**
 * The webview's script. Runs in the webview, with `g` wrapping the page's globals; written as a
 * function so that the type checker and the linter read it, and serialised with toString.
 */
export function traceViewMain(g: ViewGlobals, L: typeof LAYOUT): void {
  const scroller = g.element('scroller');
  const sizer = g.element('sizer');
  const heads = g.element('heads');
  const svg = g.element('rows');
  const summary = g.element('summary');
  let participants: string[] = [];
  let rows: WireRow[] = [];
  let total = 0;
  let failureRows: number[] = [];
  let selected: [number, number] | null = null;
  let anchor = -1;
  let pending = false;
  let lastHeads = '';
  let live = false;
  /** The paused row, or the pending one after the last row (index rows.length). */
  let current: number | null = null;
  let ahead: WireRow | null = null;
  const count = (): number => rows.length + (ahead ? 1 : 0);
  const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
  const clip = (s: string, n: number): string => (s.length > n ? s.slice(0, Math.max(1, n - 1)) + '…' : s);
  /** The width of a character of the editor's font at 12px, to cut labels to the room they have. */
  const CHAR = 7.3;
  const x = (i: number): number => L.margin + i * L.column + L.column / 2;
  const width = (): number => L.margin * 2 + Math.max(participants.length, 1) * L.column;

  const resize = (): void => {
    sizer.style.width = `${width()}px`;
    sizer.style.height = `${L.head + Math.max(total, count()) * L.row + L.row}px`;
  };

  const schedule = (): void => {
    if (pending) return;
    pending = true;
    g.frame(() => {
      pending = false;
      render();
    });
  };

  const render = (): void => {
    const top = scroller.scrollTop;
    const left = scroller.scrollLeft;
    const height = Math.max(scroller.clientHeight, L.row);
    const view = Math.max(scroller.clientWidth, L.column);
    const first = Math.max(0, Math.floor(top / L.row) - L.overscan);
    const last = Math.min(count() - 1, Math.ceil((top + height) / L.row) + L.overscan);
    const c0 = Math.max(0, Math.floor((left - L.margin) / L.column) - 1);
    const c1 = Math.min(participants.length - 1, Math.ceil((left + view) / L.column) + 1);
    const y0 = first * L.row;
    const h = Math.max(0, last - first + 1) * L.row;
    const x0 = Math.max(0, left - L.column);
    const w = view + 2 * L.column;
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', String(h));
    svg.setAttribute('viewBox', `${x0} ${y0} ${w} ${h}`);
    svg.style.top = `${L.head + y0}px`;
    svg.style.left = `${x0}px`;
    const out: string[] = [];
    for (let c = c0; c <= c1; c++) out.push(`<line class="lifeline" x1="${x(c)}" y1="${y0}" x2="${x(c)}" y2="${y0 + h}"/>`);
    let drawn = 0;
    for (let k = first; k <= last; k++) {
      const r = k < rows.length ? rows[k] : ahead;
      if (!r) continue;
      drawn++;
      const [type, from, to, label, status, flags] = r;
      const cy = k * L.row + L.row / 2;
      const sel = selected !== null && k >= selected[0] && k <= selected[1];
      const cls = `row${flags & 1 ? ' failed' : ''}${sel ? ' selected' : ''}${k === current ? ' current' : ''}${k >= rows.length ? ' pending' : ''}`;
      out.push(`<g class="${cls}" data-i="${k}">`);
      out.push(`<rect class="hit" x="${x0}" y="${k * L.row}" width="${w}" height="${L.row}"/>`);
      if (type === 1) {
        const a = Math.min(x(from), to >= 0 ? x(to) : x(from));
        const b = Math.max(x(from), to >= 0 ? x(to) : x(from));
        const half = to >= 0 && to !== from ? L.column / 2 - 10 : L.column * 0.8;
        out.push(`<rect class="note" x="${a - half}" y="${cy - L.row / 2 + 4}" width="${b - a + 2 * half}" height="${L.row - 8}" rx="2"/>`);
        out.push(`<text class="note-text" x="${(a + b) / 2}" y="${cy + 4}" text-anchor="middle">${esc(clip(label, Math.floor((b - a + 2 * half - 10) / CHAR)))}</text><title>${esc(label)}</title>`);
      } else {
        const text = status ? `${label} · ${status}` : label;
        const dash = flags & 2 ? ' response' : flags & 4 ? ' datagram' : '';
        if (from === to) {
          out.push(`<path class="arrow${dash}" d="M${x(from)},${cy - 5} h26 v10 h-26" marker-end="url(#${flags & 1 ? 'head-failed' : 'head'})"/>`);
          out.push(`<text x="${x(from) + 32}" y="${cy + 4}">${esc(clip(text, Math.floor((L.column - 40) / CHAR)))}</text>`);
        } else {
          const a = x(from);
          const b = x(to);
          const lo = Math.min(a, b);
          const hi = Math.max(a, b);
          // The label stays in view on a long arrow whose middle is scrolled away.
          const mid = Math.min(Math.max((a + b) / 2, Math.max(lo, left) + 110), Math.min(hi, left + view) - 110);
          const labelX = hi - lo < 240 ? (a + b) / 2 : mid;
          out.push(`<line class="arrow${dash}" x1="${a}" y1="${cy + 6}" x2="${b}" y2="${cy + 6}" marker-end="url(#${flags & 1 ? 'head-failed' : 'head'})"/>`);
          out.push(`<text x="${labelX}" y="${cy}" text-anchor="middle">${esc(clip(text, Math.max(10, Math.floor(Math.min(hi - lo, view) / CHAR))))}</text>`);
        }
        out.push(`<title>${esc(text)}</title>`);
      }
      out.push('</g>');
    }
    svg.innerHTML = `<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path class="tip" d="M0,0 L10,5 L0,10 z"/></marker><marker id="head-failed" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path class="tip failed" d="M0,0 L10,5 L0,10 z"/></marker></defs>${out.join('')}`;
    // The participants' boxes: only the columns in view, redrawn when those change.
    const key = `${c0}:${c1}:${participants.length}`;
    if (key !== lastHeads) {
      lastHeads = key;
      const boxes: string[] = [];
      for (let c = c0; c <= c1; c++) {
        const name = participants[c] ?? '';
        boxes.push(`<div class="head" data-c="${c}" title="${esc(name)}" data-x="${x(c)}">${esc(clip(name, Math.floor((L.column - 20) / 7)))}</div>`);
      }
      heads.innerHTML = boxes.join('');
      placeHeads();
    }
    g.setState({ top, left });
    g.post({ type: 'rendered', first, last, drawn, received: rows.length, total, columns: [c0, c1], selected, highlight: current, pending: ahead ? ahead[3] : null, paused: g.element('paused').textContent ?? '' });
  };

  /** Boxes are positioned by script: the CSP forbids style attributes in markup. */
  const placeHeads = (): void => {
    const list = (heads as unknown as { children?: ArrayLike<ViewElement> }).children;
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      const el = list[i]!;
      el.style.left = `${Number(el.getAttribute('data-x')) - (L.column - 16) / 2}px`;
      el.style.width = `${L.column - 16}px`;
    }
  };

  const rowOf = (target: unknown): number | undefined => {
    const el = target as ViewElement | null;
    const g0 = el && typeof el.closest === 'function' ? el.closest('[data-i]') : null;
    const i = g0 ? Number(g0.getAttribute('data-i')) : NaN;
    return Number.isInteger(i) ? i : undefined;
  };

  const select = (k: number, extend: boolean): void => {
    if (rows.length === 0) return;
    const i = Math.max(0, Math.min(rows.length - 1, k));
    if (extend && anchor >= 0) selected = [Math.min(anchor, i), Math.max(anchor, i)];
    else {
      anchor = i;
      selected = [i, i];
    }
    updateButtons();
  };

  const reveal = (k: number): void => {
    const y = k * L.row;
    const height = scroller.clientHeight - L.head;
    if (y < scroller.scrollTop) scroller.scrollTop = y;
    else if (y + L.row > scroller.scrollTop + height) scroller.scrollTop = Math.max(0, y - height / 2);
    const r = k < rows.length ? rows[k] : ahead;
    if (r) {
      const a = Math.min(x(r[1]), r[2] >= 0 ? x(r[2]) : x(r[1]));
      if (a < scroller.scrollLeft || a > scroller.scrollLeft + scroller.clientWidth) scroller.scrollLeft = Math.max(0, a - L.column);
    }
    schedule();
  };

  const updateButtons = (): void => {
    const range = selected && selected[1] > selected[0] ? ` (rows ${selected[0] + 1}-${selected[1] + 1})` : '';
    g.element('scope').textContent = range ? `Selection${range}` : '';
  };

  svg.addEventListener('click', (ev) => {
    const k = rowOf(ev.target);
    if (k === undefined) return;
    select(k, !!ev.shiftKey);
    schedule();
    const r = rows[k];
    if (!ev.shiftKey && r) g.post({ type: 'open', row: k, exchange: !!ev.altKey });
  });
  scroller.addEventListener('scroll', schedule);
  scroller.addEventListener('keydown', (ev) => {
    const current = selected ? (anchor === selected[0] ? selected[1] : selected[0]) : -1;
    const page = Math.max(1, Math.floor((scroller.clientHeight - L.head) / L.row) - 1);
    const move: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    const step = ev.key !== undefined ? move[ev.key] : undefined;
    if (step !== undefined) {
      ev.preventDefault();
      const k = step === -Infinity ? 0 : step === Infinity ? rows.length - 1 : current < 0 ? 0 : current + step;
      select(k, !!ev.shiftKey);
      reveal(Math.max(0, Math.min(rows.length - 1, k)));
    } else if (ev.key === 'Enter' && selected) {
      ev.preventDefault();
      g.post({ type: 'open', row: selected[0], exchange: !!ev.altKey });
    }
  });
  g.element('toolbar').addEventListener('click', (ev) => {
    const button = (ev.target as ViewElement | null)?.closest?.('button');
    const command = button?.getAttribute('data-command');
    if (!command) return;
    if (command === 'next-failure') {
      const from = selected ? selected[0] : -1;
      const next = failureRows.find((k) => k > from) ?? failureRows[0];
      if (next !== undefined) {
        select(next, false);
        reveal(next);
      }
      return;
    }
    const range: [number, number] | undefined = selected && selected[1] > selected[0] ? [selected[0], selected[1]] : undefined;
    g.post({ type: 'command', command: command as 'mermaid' | 'svg' | 'dmhttp' | 'replay', ...(range ? { range } : {}) });
  });

  /** Whether the view shows the diagram's end: a live diagram then keeps showing it as it grows. */
  const atEnd = (): boolean => scroller.scrollTop + scroller.clientHeight >= L.head + count() * L.row - L.row;
  const header = (m: { participants: string[]; total: number; failures: number; summary: string; failureRows: number[]; live?: boolean }): void => {
    participants = m.participants;
    total = m.total;
    failureRows = m.failureRows;
    live = !!m.live;
    lastHeads = '';
    summary.textContent = m.summary;
    g.element('next-failure').disabled = m.failures === 0;
  };

  g.onMessage((data) => {
    const m = data as ToWebview;
    if (m.type === 'start') {
      header(m);
      rows = [];
      current = null;
      ahead = null;
      g.element('paused').textContent = '';
      resize();
      const state = g.getState() as { top?: number; left?: number } | undefined;
      if (state && typeof state.top === 'number') {
        scroller.scrollTop = state.top;
        scroller.scrollLeft = state.left ?? 0;
      }
      schedule();
    } else if (m.type === 'rows') {
      // Chunks come in order; anything else is a stale chunk of an earlier load.
      if (m.from !== rows.length) return;
      const follow = live && current === null && atEnd();
      for (const r of m.rows) rows.push(r);
      resize();
      if (follow) scroller.scrollTop = Math.max(0, L.head + count() * L.row + L.row - scroller.clientHeight);
      const top = Math.floor(scroller.scrollTop / L.row);
      // Drawn again only when the new rows reach the window in view.
      if (m.from <= top + Math.ceil(scroller.clientHeight / L.row) + L.overscan || m.done) schedule();
    } else if (m.type === 'reveal') {
      select(m.row, false);
      reveal(m.row);
    } else if (m.type === 'header') {
      header(m);
      resize();
      schedule();
    } else if (m.type === 'highlight') {
      ahead = m.pending;
      current = m.pending ? rows.length : m.row;
      g.element('paused').textContent = m.text;
      resize();
      if (current !== null) reveal(current);
      else schedule();
    }
  });
  g.post({ type: 'ready' });
}

/**
 * The name under which the bundler's keep-names helper is called in this module's code. esbuild's
 * keepNames (the extension's build, and tsx when the tests load this module) wraps each named
 * function as `__name(fn, "name")`, and a minified build renames `__name` too. The webview's script
 * is `traceViewMain`'s source, so the page must define the helper under the very same name: it is
 * read from a function of this module compiled the same way.
 */
export function keepNamesHelper(): string {
  const probe = (): (() => number) => {
    const f = (): number => 0;
    return f;
  };
  return /([A-Za-z_$][\w$]*)\(\s*\(\)\s*=>\s*0\s*,\s*["'`]f["'`]\s*\)/.exec(probe.toString())?.[1] ?? '__name';
}

/** The webview's HTML: `nonce` tags its only style and script; `cspSource` is the webview's own origin. */
export function traceViewHtml(nonce: string, cspSource: string, title: string): string {
  const csp = `default-src 'none'; img-src ${cspSource} data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; font-src ${cspSource};`;
  const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const L = LAYOUT;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(title)}</title>
<style nonce="${nonce}">
  html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; color: var(--vscode-editor-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  #toolbar { position: absolute; top: 0; left: 0; right: 0; height: 34px; overflow: hidden; display: flex; align-items: center; gap: 6px; padding: 0 8px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); box-sizing: border-box; }
  #toolbar button { flex-shrink: 0; white-space: nowrap; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); padding: 3px 8px; border-radius: 2px; cursor: pointer; font: inherit; }
  #toolbar button:hover { background: var(--vscode-button-secondaryHoverBackground); }
  #toolbar button:disabled { opacity: 0.5; cursor: default; }
  #toolbar button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
  #summary, #scope { color: var(--vscode-descriptionForeground); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  #scope { color: var(--vscode-textLink-foreground); }
  #paused { color: var(--vscode-debugTokenExpression-name, var(--vscode-textLink-foreground)); font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  #paused:empty { display: none; }
  #scroller { position: absolute; top: 34px; left: 0; right: 0; bottom: 0; overflow: auto; outline: none; }
  #scroller:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
  #sizer { position: relative; }
  #heads { position: sticky; top: 0; height: ${L.head}px; z-index: 1; background: var(--vscode-editor-background); }
  .head { position: absolute; top: 6px; height: ${L.head - 12}px; line-height: ${L.head - 12}px; box-sizing: border-box; text-align: center; font-weight: 600; white-space: nowrap; overflow: hidden; border: 1px solid var(--vscode-editorWidget-border, var(--vscode-widget-border, currentColor)); background: var(--vscode-editorWidget-background); border-radius: 3px; }
  #rows { position: absolute; overflow: visible; font-family: var(--vscode-editor-font-family); font-size: 12px; }
  .lifeline { stroke: var(--vscode-editorLineNumber-foreground); stroke-dasharray: 4 4; }
  .arrow { stroke: var(--vscode-editor-foreground); stroke-width: 1.2; fill: none; }
  .arrow.response { stroke-dasharray: 6 3; }
  .arrow.datagram { stroke-dasharray: 2 3; }
  .tip { fill: var(--vscode-editor-foreground); }
  text { fill: var(--vscode-editor-foreground); }
  .note { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-editorLineNumber-foreground)); }
  .note-text { fill: var(--vscode-descriptionForeground); }
  .failed .arrow { stroke: var(--vscode-errorForeground); stroke-width: 2; }
  .failed text, .failed .note-text { fill: var(--vscode-errorForeground); }
  .failed .note { stroke: var(--vscode-errorForeground); }
  .tip.failed { fill: var(--vscode-errorForeground); }
  .hit { fill: transparent; cursor: pointer; }
  .row:hover .hit { fill: var(--vscode-list-hoverBackground); }
  .selected .hit { fill: var(--vscode-list-inactiveSelectionBackground); }
  .current .hit { fill: var(--vscode-editor-stackFrameHighlightBackground, var(--vscode-editor-findMatchHighlightBackground)); stroke: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, var(--vscode-focusBorder)); }
  .pending .arrow { stroke: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, var(--vscode-textLink-foreground)); stroke-dasharray: 3 3; }
  .pending text, .pending .note-text { fill: var(--vscode-debugIcon-breakpointCurrentStackframeForeground, var(--vscode-textLink-foreground)); font-style: italic; }
</style>
</head>
<body>
<div id="toolbar" role="toolbar" aria-label="Trace">
  <button data-command="mermaid" title="A Markdown document with the diagram as Mermaid text (the selected rows only, if any)">Export as Mermaid</button>
  <button data-command="svg" title="Save the diagram as an SVG file (the selected rows only, if any)">Export as SVG</button>
  <button data-command="dmhttp" title="Save the HTTP exchanges as a .dmhttp fixture (the selected rows only, if any)">Save as .dmhttp</button>
  <button data-command="replay" title="Send the recorded requests again and compare the answers">Replay…</button>
  <button data-command="next-failure" id="next-failure" title="Select the next failed message">Next failure</button>
  <span id="paused" role="status"></span>
  <span id="scope"></span>
  <span id="summary"></span>
</div>
<div id="scroller" tabindex="0" aria-label="Sequence diagram: click a message to open it, Shift+click to select a range, Alt+click to open a package as its HTTP exchange">
  <div id="sizer"><div id="heads"></div><svg id="rows" xmlns="http://www.w3.org/2000/svg"></svg></div>
</div>
<script nonce="${nonce}">
// The bundler's keep-names helper, which the serialised function calls (see keepNamesHelper).
var ${keepNamesHelper()} = (f) => f;
const api = acquireVsCodeApi();
(${traceViewMain.toString()})({
  element: (id) => document.getElementById(id),
  onMessage: (f) => window.addEventListener('message', (e) => f(e.data)),
  frame: (f) => requestAnimationFrame(f),
  post: (m) => api.postMessage(m),
  getState: () => api.getState(),
  setState: (s) => api.setState(s),
}, ${JSON.stringify(LAYOUT)});
</script>
</body>
</html>`;
}
