/** Outline and folding of delegation messages and HTTP exchanges. */
import { SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver-types';
import type { Analysis } from '../core/analyze.js';
import type { XmlElement } from '../core/xml/parse.js';
import type { LineIndex } from '../core/text/lineIndex.js';

function range(lines: LineIndex, start: number, end: number): DocumentSymbol['range'] {
  return { start: lines.positionAt(start), end: lines.positionAt(end) };
}

/** Outlines stop this deep: a hostile document nested thousands of levels stays cheap to show. */
const MAX_OUTLINE_DEPTH = 32;

function elementSymbol(lines: LineIndex, el: XmlElement, detail?: string, depth = 0): DocumentSymbol {
  const value = el.children.length === 0 ? el.text.trim() : '';
  return {
    name: el.name,
    detail: detail ?? (value.length > 60 ? value.slice(0, 57) + '…' : value),
    kind: el.parent ? (el.children.length ? SymbolKind.Object : SymbolKind.Field) : SymbolKind.Module,
    range: range(lines, el.start, Math.max(el.end, el.start)),
    selectionRange: range(lines, el.nameStart, el.nameEnd),
    children: depth < MAX_OUTLINE_DEPTH ? el.children.map((c) => elementSymbol(lines, c, undefined, depth + 1)) : [],
  };
}

export function documentSymbols(analysis: Analysis, lines: LineIndex): DocumentSymbol[] {
  const messageSymbol = (start: number, end: number): DocumentSymbol | undefined => {
    const region = analysis.regions.find((r) => r.start === start && r.end === end);
    const root = region?.doc.root;
    if (!region || !root) return undefined;
    const m = region.analysis.message;
    return elementSymbol(lines, root, m ? `${m.name} (${(region.analysis.variant ?? m.variants[0]!).table})` : 'not a delegation message');
  };
  if (!analysis.http) {
    const r = analysis.regions[0];
    const s = r && messageSymbol(r.start, r.end);
    return s ? [s] : [];
  }
  return analysis.http.messages.map((msg) => {
    const body = messageSymbol(msg.body.start, msg.body.end);
    const name = analysis.text.slice(msg.startLine.start, msg.startLine.end);
    return {
      name,
      detail: msg.kind === 'request' ? 'HTTP request' : 'HTTP response',
      kind: SymbolKind.Event,
      range: range(lines, msg.start, msg.end),
      selectionRange: range(lines, msg.startLine.start, msg.startLine.end),
      children: body ? [body] : [],
    };
  });
}

export function foldingRanges(analysis: Analysis, lines: LineIndex): FoldingRange[] {
  const out: FoldingRange[] = [];
  const add = (start: number, end: number): void => {
    const s = lines.positionAt(start).line;
    const e = lines.positionAt(end).line;
    if (e > s) out.push({ startLine: s, endLine: e - 1 });
  };
  for (const region of analysis.regions) {
    const stack: XmlElement[] = region.doc.root ? [region.doc.root] : [];
    while (stack.length) {
      const el = stack.pop()!;
      if (el.closeStart !== undefined) add(el.start, el.closeStart);
      stack.push(...el.children);
    }
  }
  for (const msg of analysis.http?.messages ?? []) {
    const s = lines.positionAt(msg.start).line;
    const e = lines.positionAt(msg.end).line;
    if (e > s) out.push({ startLine: s, endLine: e });
  }
  return out.sort((a, b) => a.startLine - b.startLine);
}
