/** Outline and folding of delegation messages and HTTP exchanges. */
import { SymbolKind, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver-types';
import type { Analysis, NotificationRegion, PackageRegion, Region } from '../core/analyze.js';
import { textSpan } from '../core/notification/analyze.js';
import type { DmTree, TreeNode } from '../core/tree/model.js';
import type { Node } from 'jsonc-parser';
import { PACKAGES } from '../core/dm20/packages.js';
import { statusText } from '../core/dm20/statusCodes.js';
import type { XmlElement } from '../core/xml/parse.js';
import type { LineIndex } from '../core/text/lineIndex.js';
import { sampleCv } from './packageHover.js';

function range(lines: LineIndex, start: number, end: number): DocumentSymbol['range'] {
  return { start: lines.positionAt(start), end: lines.positionAt(end) };
}

/** Outlines stop this deep: a hostile document nested thousands of levels stays cheap to show. */
const MAX_OUTLINE_DEPTH = 32;

/**
 * At most this many outline symbols and folding ranges per document: past it an editor shows
 * nothing more useful (VS Code itself keeps 5000 folding ranges), and a hostile document with
 * hundreds of thousands of elements would otherwise cost a message of many megabytes.
 */
export const MAX_STRUCTURE_ITEMS = 5000;

/** How many more symbols the outline of one document may hold. */
interface Budget {
  left: number;
}

/** The first of `items` the budget still allows, counted against it. */
function take<T>(budget: Budget, items: readonly T[]): T[] {
  const n = Math.max(0, Math.min(items.length, budget.left));
  budget.left -= n;
  return items.slice(0, n);
}

function elementSymbol(lines: LineIndex, el: XmlElement, budget: Budget, detail?: string, depth = 0): DocumentSymbol {
  const value = el.children.length === 0 ? el.text.trim() : '';
  return {
    name: el.name,
    detail: detail ?? (value.length > 60 ? value.slice(0, 57) + '…' : value),
    kind: el.parent ? (el.children.length ? SymbolKind.Object : SymbolKind.Field) : SymbolKind.Module,
    range: range(lines, el.start, Math.max(el.end, el.start)),
    selectionRange: range(lines, el.nameStart, el.nameEnd),
    // Recursion is bounded by MAX_OUTLINE_DEPTH, the total by the budget.
    children: depth < MAX_OUTLINE_DEPTH ? take(budget, el.children).map((c) => elementSymbol(lines, c, budget, undefined, depth + 1)) : [],
  };
}

function regionSymbol(lines: LineIndex, region: Region, budget: Budget): DocumentSymbol | undefined {
  if (region.type === 'package') return packageSymbol(lines, region, budget);
  if (region.type === 'notification') return notificationSymbol(lines, region, budget);
  const root = region.doc.root;
  if (!root) return undefined;
  const m = region.analysis.message;
  return elementSymbol(lines, root, budget, m ? `${m.name} (${(region.analysis.variant ?? m.variants[0]!).table})` : 'not a delegation message');
}

export function documentSymbols(analysis: Analysis, lines: LineIndex): DocumentSymbol[] {
  const budget: Budget = { left: MAX_STRUCTURE_ITEMS - 1 };
  if (!analysis.http) {
    const r = analysis.regions[0];
    const s = r && regionSymbol(lines, r, budget);
    return s ? [s] : [];
  }
  // Each region goes to the message that holds it, found by bisection over the messages (in text
  // order): filtering every region per message costs messages × regions on a long exchange.
  const messages = take(budget, analysis.http.messages);
  const held: Region[][] = messages.map(() => []);
  for (const r of analysis.regions) {
    let lo = 0;
    let hi = messages.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (messages[mid]!.start <= r.start) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (at >= 0 && r.end <= messages[at]!.end) held[at]!.push(r);
  }
  return messages.map((msg, i) => {
    const inside = take(budget, held[i]!).map((r) => regionSymbol(lines, r, budget)).filter((x): x is DocumentSymbol => !!x);
    const name = analysis.text.slice(msg.startLine.start, msg.startLine.end);
    return {
      name,
      detail: msg.kind === 'request' ? 'HTTP request' : 'HTTP response',
      kind: SymbolKind.Event,
      range: range(lines, msg.start, msg.end),
      selectionRange: range(lines, msg.startLine.start, msg.startLine.end),
      children: inside,
    };
  });
}

function notificationSymbol(lines: LineIndex, region: NotificationRegion, budget: Budget): DocumentSymbol | undefined {
  const a = region.analysis;
  const n = a.notification;
  if (!a.input.spans.length) return undefined;
  const all = range(lines, a.input.spans[0]!.start, a.input.spans[a.input.spans.length - 1]!.end);
  const span = (offset: number, length: number): DocumentSymbol['range'] => {
    const t = textSpan(a.input, offset, length, Infinity);
    return range(lines, t.start, t.end);
  };
  return {
    name: 'DM Notification',
    detail: `VER ${n.version ?? '?'}, ${n.options.length} option${n.options.length === 1 ? '' : 's'}${a.input.wapPush ? ', in a WAP Push' : ''}`,
    kind: SymbolKind.Module,
    range: all,
    selectionRange: n.bytes.length >= 2 ? span(0, 2) : all,
    children: take(budget, n.options).map((o) => {
      const r = span(o.offset, 2 + o.valueLength);
      return { name: o.name, detail: o.display, kind: SymbolKind.Field, range: r, selectionRange: span(o.offset, 2) };
    }),
  };
}

/** A sample tree file: MOID > MIID > nodes. */
function treeSymbols(lines: LineIndex, region: PackageRegion, tree: DmTree, budget: Budget): DocumentSymbol | undefined {
  const rootNode = region.json.locate([]);
  if (!rootNode) return undefined;
  const at = (s: number, e: number): DocumentSymbol['range'] => range(lines, s, e);
  const node = (n: TreeNode, depth: number): DocumentSymbol => ({
    name: n.name,
    detail: n.interior ? '' : JSON.stringify(n.value).slice(0, 60),
    kind: n.interior ? SymbolKind.Object : SymbolKind.Field,
    range: at(n.source!.keyStart, n.source!.end),
    selectionRange: at(n.source!.keyStart, n.source!.keyEnd),
    children: n.interior && depth < MAX_OUTLINE_DEPTH ? take(budget, [...n.children!.values()].filter((c) => c.source)).map((c) => node(c, depth + 1)) : [],
  });
  const moids = take(budget, tree.moids()).map((moid) => {
    const instances = tree.instances(moid).filter((i) => i.root.source);
    // Folded, not spread into Math.min: a sample tree may hold more instances than a call takes arguments.
    const start = instances.reduce((m, i) => Math.min(m, i.root.source!.keyStart), Infinity);
    const end = instances.reduce((m, i) => Math.max(m, i.root.source!.end), -Infinity);
    return {
      name: moid,
      detail: `${instances.length} instance${instances.length === 1 ? '' : 's'}`,
      kind: SymbolKind.Module,
      range: at(start, end),
      selectionRange: at(start, instances[0]!.root.source!.keyEnd),
      children: take(budget, instances).map((i) => {
        const cv = sampleCv(region, i);
        return { ...node(i.root, 0), name: i.miid, detail: cv === undefined ? 'MIID' : `MIID, CV ${cv}`, kind: SymbolKind.Class };
      }),
    };
  });
  return { name: 'Sample DM tree', detail: `${tree.all().length} MO instances`, kind: SymbolKind.Package, range: at(rootNode.offset, rootNode.offset + rootNode.length), selectionRange: at(rootNode.offset, rootNode.offset + 1), children: moids };
}

function packageSymbol(lines: LineIndex, region: PackageRegion, budget: Budget): DocumentSymbol | undefined {
  if (region.tree) return treeSymbols(lines, region, region.tree, budget);
  const json = region.json;
  const tree = json.tree;
  if (!tree) return undefined;
  const at = (n: Node): DocumentSymbol['range'] => range(lines, json.from + n.offset, json.from + n.offset + n.length);
  const prop = (name: string): Node | undefined => tree.children?.find((p) => p.children?.[0]?.value === name)?.children?.[1];
  const children: DocumentSymbol[] = [];
  const list = (name: string, kind: SymbolKind, label: (n: Node, i: number) => [string, string]): void => {
    const arr = prop(name);
    if (arr?.type !== 'array') return;
    const property = arr.parent?.type === 'property' ? arr.parent : arr;
    if (budget.left <= 0) return;
    budget.left--;
    children.push({
      name,
      kind: SymbolKind.Array,
      range: at(property),
      selectionRange: at(property.children?.[0] ?? arr),
      children: take(budget, arr.children ?? []).map((n, i) => {
        const [title, detail] = label(n, i);
        return { name: title, detail, kind, range: at(n), selectionRange: at(n) };
      }),
    });
  };
  const str = (n: Node | undefined): string => (n && typeof n.value === 'string' ? n.value : '');
  const field = (n: Node, key: string): Node | undefined => n.children?.find((p) => p.children?.[0]?.value === key)?.children?.[1];
  if (region.kind === 'pkg2') list('CMD', SymbolKind.Function, (n, i) => [`${i + 1}. ${str(n.children?.[0]) || '?'}`, (n.children ?? []).slice(1).map(str).join(', ')]);
  if (region.kind === 'pkg3') {
    list('Status', SymbolKind.Constant, (n, i) => {
      const sc = n.type === 'number' ? n.value : field(n, 'sc')?.value;
      return [`${i + 1}. ${typeof sc === 'number' ? statusText(sc) : String(n.value ?? '?')}`, (field(n, 'URI')?.children ?? []).map(str).join(', ')];
    });
  }
  if (region.kind === 'pkg1') list('MOS', SymbolKind.Module, (n) => [str(field(n, 'MOID')) || 'MO', (field(n, 'MIID')?.children ?? []).map(str).join(', ')]);
  list('Alert', SymbolKind.Event, (n) => [str(field(n, 'AlertType')) || 'Alert', str(field(n, 'SourceURI'))]);
  if (region.kind === 'mo') {
    const items = tree.type === 'array' ? tree.children ?? [] : [tree];
    for (const n of take(budget, items)) children.push({ name: str(field(n, 'ClientURI')) || 'MO data', detail: str(field(n, 'DDF')), kind: SymbolKind.Object, range: at(n), selectionRange: at(n) });
  }
  const p = PACKAGES[region.kind];
  return { name: p.title, detail: `DM 2.0 ${p.section}`, kind: SymbolKind.Module, range: at(tree), selectionRange: range(lines, json.from + tree.offset, json.from + tree.offset + 1), children };
}

export function foldingRanges(analysis: Analysis, lines: LineIndex): FoldingRange[] {
  const out: FoldingRange[] = [];
  const add = (start: number, end: number): void => {
    const s = lines.positionAt(start).line;
    const e = lines.positionAt(end).line;
    if (e - 1 > s) out.push({ startLine: s, endLine: e - 1 });
  };
  for (const region of analysis.regions) {
    if (region.type === 'package') {
      const tree = region.json.tree;
      const nodes: Node[] = tree ? [tree] : [];
      while (nodes.length) {
        const n = nodes.pop()!;
        if (n.type === 'object' || n.type === 'array') add(region.json.from + n.offset, region.json.from + n.offset + n.length - 1);
        // One push per child, never a spread: an array of 200,000 items would pass more
        // arguments than a call takes.
        for (const c of n.children ?? []) {
          if (c.type !== 'property') nodes.push(c);
          else for (const v of c.children?.slice(1) ?? []) nodes.push(v);
        }
      }
      continue;
    }
    if (region.type === 'notification') continue;
    const stack: XmlElement[] = region.doc.root ? [region.doc.root] : [];
    while (stack.length) {
      const el = stack.pop()!;
      if (el.closeStart !== undefined) add(el.start, el.closeStart);
      for (const c of el.children) stack.push(c);
    }
  }
  for (const msg of analysis.http?.messages ?? []) {
    const s = lines.positionAt(msg.start).line;
    const e = lines.positionAt(msg.end).line;
    if (e > s) out.push({ startLine: s, endLine: e });
  }
  // In line order, then the first MAX_STRUCTURE_ITEMS.
  out.sort((a, b) => a.startLine - b.startLine);
  if (out.length > MAX_STRUCTURE_ITEMS) out.length = MAX_STRUCTURE_ITEMS;
  return out;
}
