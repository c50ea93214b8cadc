/**
 * Sample DM trees from `*.dmtree.json`: MO instances in the MO serialization of DM 2.0 7.2.1.4,
 * the top key of `MOData` being the MIID. Several files and several instances per MOID make one
 * tree. Every node keeps where it was written, for go-to-definition and diagnostics.
 */
import type { Node } from 'jsonc-parser';
import type { Diagnostic } from '../diagnostic.js';
import { JsonDocument } from '../json/document.js';
import { parseClientUri } from '../dm20/clientUri.js';
import { DmTree, MoInstance, TreeNode } from './model.js';

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
      const inst = new MoInstance(moid, miid, typeof cvNode?.value === 'string' ? cvNode.value : undefined);
      if (typeof ddfNode?.value === 'string') inst.ddf = ddfNode.value;
      inst.source = { file: f.file, start: k.offset, end: v.offset + v.length };
      inst.root.source = { file: f.file, keyStart: k.offset, keyEnd: k.offset + k.length, start: v.offset, end: v.offset + v.length };
      if (v.type === 'object') build(inst.root, v, f.file);
      const previous = tree.add(inst);
      if (previous) {
        out.push({ start: k.offset, end: k.offset + k.length, severity: 'warning', code: 'tree.duplicate-instance', message: `${moid} instance '${miid}' is defined again${previous.source?.file === f.file ? '' : ` (also in ${previous.source?.file})`}; the later one is used.` });
      }
    }
  }
  return out;
}

/** Interior nodes are objects, leaves values (7.2.1.4); iterative, so depth costs no stack. */
function build(root: TreeNode, value: Node, file: string): void {
  const stack: [TreeNode, Node][] = [[root, value]];
  while (stack.length) {
    const [parent, obj] = stack.pop()!;
    for (const prop of obj.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (k?.type !== 'string' || !v) continue;
      const interior = v.type === 'object';
      const n = new TreeNode(String(k.value), parent, parent.instance, interior, interior ? undefined : plain(v));
      n.source = { file, keyStart: k.offset, keyEnd: k.offset + k.length, start: v.offset, end: v.offset + v.length };
      parent.children!.set(n.name, n);
      if (interior) stack.push([n, v]);
    }
  }
}

function plain(n: Node): unknown {
  if (n.type === 'array') return (n.children ?? []).map(plain);
  return n.value;
}

/** The tree back in the MO serialization of 7.2.1.4, one item per instance (for saving a mutated tree). */
export function serializeTree(tree: DmTree): string {
  const items = tree.all().map((inst) => {
    const toJson = (n: TreeNode): unknown => {
      if (!n.interior) return n.value;
      const o: Record<string, unknown> = {};
      for (const [k, c] of n.children!) Object.defineProperty(o, k, { value: toJson(c), enumerable: true, writable: true, configurable: true });
      return o;
    };
    const data: Record<string, unknown> = {};
    Object.defineProperty(data, inst.miid, { value: toJson(inst.root), enumerable: true, writable: true, configurable: true });
    return { ...(inst.ddf ? { DDF: inst.ddf } : {}), ClientURI: `${inst.moid}/${inst.miid}/`, CV: inst.cv, MOData: data };
  });
  return JSON.stringify(items, null, 1) + '\n';
}

