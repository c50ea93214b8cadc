/**
 * Sample DM trees from `*.dmtree.json`: MO instances in the MO serialization of DM 2.0 7.2.1.4,
 * the top key of `MOData` being the MIID. Several files and several instances per MOID make one
 * tree. Every node keeps where it was written, for go-to-definition and diagnostics.
 */
import type { Node } from 'jsonc-parser';
import type { Diagnostic } from '../diagnostic.js';
import { JsonDocument } from '../json/document.js';
import { parseClientUri } from '../dm20/clientUri.js';
import { type AddInstanceOptions, DmTree, type TreeNode } from './model.js';

export interface TreeFile {
  file: string;
  text: string;
}

export interface LoadResult {
  tree: DmTree;
  diagnostics: { file: string; diagnostic: Diagnostic }[];
}

export function loadTrees(files: TreeFile[], tree = new DmTree()): LoadResult {
  const diagnostics: LoadResult['diagnostics'] = [];
  for (const f of files) {
    for (const d of loadTreeFile(f, tree)) diagnostics.push({ file: f.file, diagnostic: d });
  }
  return { tree, diagnostics };
}

function child(n: Node | undefined, key: string): Node | undefined {
  return n?.children?.find((p) => p.children?.[0]?.value === key)?.children?.[1];
}

/** Loads one file into `tree`; returns the tree-specific problems (the MO data rules are the validator's). */
export function loadTreeFile(f: TreeFile, tree: DmTree): Diagnostic[] {
  const out: Diagnostic[] = [];
  const doc = new JsonDocument(f.text);
  const root = doc.tree;
  if (!doc.valid || !root || root.type !== 'array') return out;
  for (const item of root.children ?? []) {
    const uriNode = child(item, 'ClientURI');
    const dataNode = child(item, 'MOData');
    if (uriNode?.type !== 'string' || dataNode?.type !== 'object') continue;
    const uri = parseClientUri(String(uriNode.value).replace(/^oma:mo:/, 'urn:oma:mo:'));
    const moid = uri.moid.text;
    const cvNode = child(item, 'CV');
    const ddfNode = child(item, 'DDF');
    for (const prop of dataNode.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (k?.type !== 'string' || !v) continue;
      const miid = String(k.value);
      if (uri.moInst.kind === 'real' && uri.moInst.text !== miid) {
        out.push({ start: k.offset, end: k.offset + k.length, severity: 'warning', code: 'tree.miid', message: `The ClientURI names the instance '${uri.moInst.text}', but MOData holds '${miid}'; in a sample tree the top key of MOData is the MIID.` });
      }
      const previous = tree.instance(moid, miid);
      const opts: AddInstanceOptions = {
        source: { file: f.file, start: k.offset, end: v.offset + v.length },
        rootSource: { file: f.file, keyStart: k.offset, keyEnd: k.offset + k.length, start: v.offset, end: v.offset + v.length },
      };
      if (typeof cvNode?.value === 'string') opts.cv = cvNode.value;
      if (typeof ddfNode?.value === 'string') opts.ddf = ddfNode.value;
      const inst = tree.addInstance(moid, miid, opts);
      if (v.type === 'object') build(tree, inst.root, v, f.file);
      if (previous) {
        out.push({ start: k.offset, end: k.offset + k.length, severity: 'warning', code: 'tree.duplicate-instance', message: `${moid} instance '${miid}' is defined again${previous.source?.file === f.file ? '' : ` (also in ${previous.source?.file})`}; the later one is used.` });
      }
    }
  }
  return out;
}

const INTERIOR = { interior: true } as const;

/** Interior nodes are objects, leaves values (7.2.1.4); iterative, so depth costs no stack. */
function build(tree: DmTree, root: TreeNode, value: Node, file: string): void {
  const stack: [TreeNode, Node][] = [[root, value]];
  while (stack.length) {
    const [parent, obj] = stack.pop()!;
    for (const prop of obj.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (k?.type !== 'string' || !v) continue;
      const source = { file, keyStart: k.offset, keyEnd: k.offset + k.length, start: v.offset, end: v.offset + v.length };
      if (v.type === 'object') stack.push([tree.addNode(parent, String(k.value), INTERIOR, source), v]);
      else tree.addNode(parent, String(k.value), { value: plain(v) }, source);
    }
  }
}

function plain(n: Node): unknown {
  if (n.type === 'array') return (n.children ?? []).map(plain);
  return n.value;
}

/** Defines an own property, so names like "__proto__" stay data (7.2.1.4 node names are any string). */
function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The MO data of a node (7.2.1.4): a leaf's value, or an object of an interior node's children.
 * With `level` (the lv field, 6.1.1.3) only that many sublevels of children are included; an
 * interior node below them is "{}", as for child nodes that are not transferred. Iterative: a
 * deep or wide subtree costs no stack.
 */
function moData(node: TreeNode, level?: number): unknown {
  if (!node.interior) return node.value;
  const top: Record<string, unknown> = {};
  const stack: [TreeNode, Record<string, unknown>, number][] = [[node, top, 0]];
  while (stack.length) {
    const [n, o, depth] = stack.pop()!;
    if (level !== undefined && depth >= level) continue;
    for (const [k, c] of n.children!) {
      if (c.interior) {
        const co: Record<string, unknown> = {};
        define(o, k, co);
        stack.push([c, co, depth + 1]);
      } else define(o, k, c.value);
    }
  }
  return top;
}

export interface MoSerialization {
  ClientURI: string;
  CV?: string;
  MOData: Record<string, unknown>;
}

/**
 * One item of the MO serialization (7.2.1.4) for the subtree at `node`: MOData's one key is the
 * node's name (the MIID for an instance root), `level` limits the sublevels of children as the lv
 * field does (6.1.1.3). An instance root carries its cache validator (11.2, DM Client step 2a).
 */
export function serializeNode(node: TreeNode, level?: number): MoSerialization {
  const data: Record<string, unknown> = {};
  define(data, node.parent ? node.name : node.instance.miid, moData(node, level));
  return { ClientURI: node.clientUri(), ...(node.parent ? {} : { CV: node.instance.cv }), MOData: data };
}

/** The tree back in the MO serialization of 7.2.1.4, one item per instance (for saving a mutated tree). */
export function serializeTree(tree: DmTree): string {
  const items = tree.all().map((inst) => ({ ...(inst.ddf ? { DDF: inst.ddf } : {}), ...serializeNode(inst.root) }));
  return JSON.stringify(items, null, 1) + '\n';
}
