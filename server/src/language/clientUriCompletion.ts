/**
 * ClientURI completion from the sample trees, level by level, as the DM Client would resolve the
 * text typed so far (DM 2.0 6.1.1, 6.1.2): after the MOID its MIIDs (and the empty and `*`
 * mo-inst), after each `/` the names of the nodes at that level, and inside `nv=` (6.1.1.3) the
 * node names below the x-name's nodes and, after `:`, the values the tree holds there.
 */
import { CompletionItemKind, MarkupKind } from 'vscode-languageserver-types';
import type { DmTree, MoInstance, TreeNode } from '../core/tree/model.js';
import type { Completion } from './completion.js';

/** Past this many candidates a level is cut: a completion list of 100,000 nodes helps nobody. */
const MAX_ITEMS = 500;

const XNAME = /^\([A-Za-z]\)$/;

/**
 * `value` is the string's content, `at` the cursor inside it, `base` the document offset of the
 * string's first character (after the quote). Undefined when the trees have nothing to offer, so
 * that the caller's own items (MOIDs, query fields) stand.
 */
export function treeClientUriItems(tree: DmTree, value: string, at: number, base: number): Completion[] | undefined {
  const typed = value.slice(0, at);
  const q = typed.indexOf('?');
  if (q >= 0) return nvItems(tree, value, at, base, q);
  const parts = typed.split('/');
  if (parts.length < 2) return undefined;
  const moid = parts[0]!.replace(/^oma:mo:/, 'urn:oma:mo:');
  const instances = tree.instances(moid);
  if (!instances.length) return undefined;
  // The segment being typed runs from the last '/' to the next '/', '?' or the end of the string.
  const segStart = typed.lastIndexOf('/') + 1;
  let segEnd = at;
  while (segEnd < value.length && value[segEnd] !== '/' && value[segEnd] !== '?') segEnd++;
  const span = { start: base + segStart, end: base + segEnd };
  if (parts.length === 2) return instanceItems(moid, instances, span);
  const nodes = walk(instancesFor(instances, parts[1]!), parts.slice(2, -1));
  return childItems(nodes, span);
}

function instancesFor(instances: MoInstance[], inst: string): MoInstance[] {
  if (inst === '*' || XNAME.test(inst)) return instances;
  if (inst === '') return instances.length === 1 ? instances : [];
  return instances.filter((i) => i.miid === inst);
}

/** The nodes a path prefix reaches from the instance roots; `*` and x-names stand for every child. */
function walk(instances: MoInstance[], path: string[]): TreeNode[] {
  let nodes: TreeNode[] = instances.map((i) => i.root);
  for (const name of path) {
    const next: TreeNode[] = [];
    for (const n of nodes) {
      // One push per child, never a spread: a node may have more children than a call takes arguments.
      if (name === '*' || XNAME.test(name)) for (const c of n.children?.values() ?? []) next.push(c);
      else {
        const c = n.children?.get(name);
        if (c) next.push(c);
      }
      if (next.length > MAX_ITEMS * 20) break;
    }
    nodes = next;
  }
  return nodes;
}

function instanceItems(moid: string, instances: MoInstance[], span: { start: number; end: number }): Completion[] {
  const out: Completion[] = instances.slice(0, MAX_ITEMS).map((i, k) => ({
    ...span,
    item: {
      label: i.miid,
      kind: CompletionItemKind.Class,
      detail: `MO instance of ${moid}${i.source ? ` (${i.source.file.split(/[\\/]/).pop()})` : ''}`,
      documentation: { kind: MarkupKind.Markdown, value: `\`${i.root.clientUri()}\` — the MIID (DM 2.0 6.1.1.1)` },
      insertText: i.miid,
      sortText: `0${String(k).padStart(5, '0')}`,
    },
  }));
  out.push({ ...span, item: { label: '*', kind: CompletionItemKind.Operator, detail: 'every MO instance of the MOID (DM 2.0 6.1.1.1)', insertText: '*', sortText: '1' } });
  return out;
}

function childItems(nodes: TreeNode[], span: { start: number; end: number }): Completion[] | undefined {
  const byName = new Map<string, TreeNode[]>();
  for (const n of nodes) {
    for (const [name, c] of n.children ?? []) {
      const list = byName.get(name);
      if (list) list.push(c);
      else if (byName.size < MAX_ITEMS) byName.set(name, [c]);
    }
  }
  if (!byName.size) return undefined;
  return [...byName].map(([name, cs]) => {
    const c = cs[0]!;
    const detail = cs.length > 1 ? `${cs.length} nodes` : c.interior ? `interior node, ${c.children!.size} children` : `leaf = ${JSON.stringify(c.value)?.slice(0, 60)}`;
    return { ...span, item: { label: name, kind: c.interior ? CompletionItemKind.Folder : CompletionItemKind.Field, detail, documentation: { kind: MarkupKind.Markdown, value: cs.slice(0, 5).map((x) => `\`${x.clientUri()}\``).join('\n\n') }, insertText: name } };
  });
}

/**
 * Inside `nv=(x)/<path>:<value>`: the x-name's nodes are those its position in the path reaches
 * (6.1.2); below them the names, after `:` the leaf values found there.
 */
function nvItems(tree: DmTree, value: string, at: number, base: number, q: number): Completion[] | undefined {
  const fieldStart = Math.max(value.lastIndexOf('&', at - 1), q) + 1;
  const field = value.slice(fieldStart, at);
  const m = /^nv=\(([A-Za-z])\)((?:\/[^/:&]*)*)(:?)([^&]*)$/.exec(field);
  if (!m) return undefined;
  const parts = value.slice(0, q).split('/');
  const moid = parts[0]!.replace(/^oma:mo:/, 'urn:oma:mo:');
  const xAt = parts.findIndex((p, i) => i >= 1 && p === `(${m[1]})`);
  if (xAt < 0) return undefined;
  const instances = tree.instances(moid);
  // The x-name as mo-inst stands for every instance root; as a node, for every node at its level.
  const xNodes = xAt === 1 ? instances.map((i) => i.root) : walk(instancesFor(instances, parts[1]!), parts.slice(2, xAt + 1));
  const rel = m[2]!.split('/').slice(1);
  let end = at;
  while (end < value.length && !/[&/:]/.test(value[end]!)) end++;
  if (m[3]) {
    // After ':' the values of the leaves at the path.
    const leaves = descend(xNodes, rel).filter((n) => !n.interior);
    const values = [...new Set(leaves.map((n) => (typeof n.value === 'string' ? n.value : JSON.stringify(n.value))))].slice(0, MAX_ITEMS);
    const start = base + at - m[4]!.length;
    return values.map((v) => ({ start, end: base + end, item: { label: v, kind: CompletionItemKind.Value, detail: 'a value in the sample trees', insertText: v } }));
  }
  if (!rel.length) return undefined;
  const span = { start: base + at - rel[rel.length - 1]!.length, end: base + end };
  return childItems(descend(xNodes, rel.slice(0, -1)), span);
}

function descend(nodes: TreeNode[], path: string[]): TreeNode[] {
  let out = nodes;
  for (const name of path) out = out.map((n) => n.children?.get(name)).filter((n): n is TreeNode => !!n);
  return out;
}
