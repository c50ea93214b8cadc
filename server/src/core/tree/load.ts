/**
 * Sample DM trees from `*.dmtree.json`: MO instances in the MO serialization of DM 2.0 7.2.1.4,
 * the top key of `MOData` being the MIID. Several files and several instances per MOID make one
 * tree. Every node keeps where it was written, for go-to-definition and diagnostics.
 *
 * A file is parsed once (JSON.parse tells whether it is JSON at all); its items and instances are
 * then found in the well-formed text directly, with no tree of JSON nodes in between, and the
 * nodes of an instance are read from the text only when the tree first asks for them (see
 * DmTree.deferChildren): loading a file of 100,000 nodes costs its instances.
 */
import type { Diagnostic } from '../diagnostic.js';
import { JsonDocument } from '../json/document.js';
import { parseClientUri } from '../dm20/clientUri.js';
import { type AddInstanceOptions, type ChildReader, DmTree, type SourceRange, type TreeNode } from './model.js';

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

/**
 * Loads one file into `tree`; returns the tree-specific problems (the MO data rules are the
 * validator's). `doc` is the file's text already parsed, when the caller has it.
 */
export function loadTreeFile(f: TreeFile, tree: DmTree, doc?: JsonDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  const text = f.text;
  if (!wellFormed(f, doc)) return out;
  // Well-formed from here on: positions are found without checking anything.
  let i = skipBlanks(text, 0);
  if (text.charCodeAt(i) !== 91) return out;
  // The items of the array, each read once: its properties, and those of its MOData with them.
  for (i = skipBlanks(text, i + 1); text.charCodeAt(i) !== 93; ) {
    if (text.charCodeAt(i) === 123) {
      const item = readObject(text, i, 'MOData');
      loadItem(f, tree, item.props, out);
      i = item.end;
    } else i = valueEnd(text, i);
    i = skipBlanks(text, i);
    if (text.charCodeAt(i) === 44) i = skipBlanks(text, i + 1);
  }
  return out;
}

/** The texts of tree files last found to be JSON, by file: the same text is not parsed again to tell. */
const knownJson = new Map<string, string>();
const KNOWN_FILES = 16;

/**
 * Whether the file's text is JSON (RFC 8259, and not nested past MAX_DEPTH). A language server
 * asks twice for each edit of a tree file, validating it and then loading the sample trees from
 * it; the second answer comes from the first.
 */
function wellFormed(f: TreeFile, doc: JsonDocument | undefined): boolean {
  if (!doc && knownJson.get(f.file) === f.text) return true;
  const parsed = doc && doc.text === f.text && doc.from === 0 && doc.to === f.text.length ? doc : new JsonDocument(f.text);
  knownJson.delete(f.file);
  if (!parsed.valid) return false;
  noteWellFormed(f.file, f.text);
  return true;
}

/**
 * Records that `text` of `file` is JSON (valid, as JsonDocument has it), found so elsewhere: a
 * language server validates a large tree file in its worker thread and builds the trees on both
 * threads, and the one that did not validate it need not parse it again to tell.
 */
export function noteWellFormed(file: string, text: string): void {
  knownJson.delete(file);
  if (knownJson.size >= KNOWN_FILES) knownJson.delete(knownJson.keys().next().value!);
  knownJson.set(file, text);
}

/** One item of MO data (7.2.1.4) from its properties: an instance for each MIID key of its MOData. */
function loadItem(f: TreeFile, tree: DmTree, props: Property[], out: Diagnostic[]): void {
  const text = f.text;
  // The first property of each name, as JSON readers that stop at the first match do.
  const child = (key: string): Property | undefined => props.find((p) => p.name === key);
  const uriProp = child('ClientURI');
  const dataProp = child('MOData');
  if (!uriProp || !dataProp?.children || text.charCodeAt(uriProp.start) !== 34) return;
  const uri = parseClientUri(stringValue(text, uriProp.start, uriProp.end).replace(/^oma:mo:/, 'urn:oma:mo:'));
  const moid = uri.moid.text;
  const cvProp = child('CV');
  const ddfProp = child('DDF');
  const cv = cvProp && text.charCodeAt(cvProp.start) === 34 ? stringValue(text, cvProp.start, cvProp.end) : undefined;
  const ddf = ddfProp && text.charCodeAt(ddfProp.start) === 34 ? stringValue(text, ddfProp.start, ddfProp.end) : undefined;
  for (const { name: miid, keyStart, keyEnd, start, end } of dataProp.children) {
    if (uri.moInst.kind === 'real' && uri.moInst.text !== miid) {
      out.push({ start: keyStart, end: keyEnd, severity: 'warning', code: 'tree.miid', message: `The ClientURI names the instance '${uri.moInst.text}', but MOData holds '${miid}'; in a sample tree the top key of MOData is the MIID.` });
    }
    const previous = tree.instance(moid, miid);
    const opts: AddInstanceOptions = {
      source: { file: f.file, start: keyStart, end },
      rootSource: { file: f.file, keyStart, keyEnd, start, end },
    };
    if (cv !== undefined) opts.cv = cv;
    if (ddf !== undefined) opts.ddf = ddf;
    const inst = tree.addInstance(moid, miid, opts);
    if (text.charCodeAt(start) === 123) tree.deferChildren(inst.root, childReader(text, start, f.file));
    if (previous) {
      out.push({ start: keyStart, end: keyEnd, severity: 'warning', code: 'tree.duplicate-instance', message: `${moid} instance '${miid}' is defined again${previous.source?.file === f.file ? '' : ` (also in ${previous.source?.file})`}; the later one is used.` });
    }
  }
}

/**
 * The children of the object written at `start` (7.2.1.4: objects are interior nodes, anything
 * else a leaf value), read when the tree first needs them: one pass over the object's text, each
 * nested object skipped and read in its turn when its own children are asked for.
 */
function childReader(text: string, start: number, file: string): ChildReader {
  return (add) => {
    for (const p of readObject(text, start).props) {
      const source: SourceRange = { file, keyStart: p.keyStart, keyEnd: p.keyEnd, start: p.start, end: p.end };
      if (text.charCodeAt(p.start) === 123) add(p.name, { children: childReader(text, p.start, file) }, source);
      else add(p.name, { value: leafValue(text, p.start, p.end) }, source);
    }
  };
}

/** Where the string whose opening quote is at `i` ends (after its closing quote). */
function stringEnd(text: string, i: number): number {
  let j = text.indexOf('"', i + 1);
  // A quote after an odd run of backslashes is escaped: the string goes on.
  while (text.charCodeAt(j - 1) === 92) {
    let k = j - 1;
    while (text.charCodeAt(k) === 92) k--;
    if ((j - 1 - k) % 2 === 0) break;
    j = text.indexOf('"', j + 1);
  }
  return j + 1;
}

/** The value of the well-formed string [start, end): a slice, unless it holds escapes. */
function stringValue(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : raw;
}

/** A property of a well-formed object: its name, where its key and its value were written. */
interface Property {
  name: string;
  keyStart: number;
  keyEnd: number;
  start: number;
  end: number;
  /** Those of its value, when asked for (readObject's `expand`). */
  children?: Property[];
}

function skipBlanks(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
  return i;
}

/**
 * The properties of the well-formed object at `start`, in text order, and where it ends. The
 * first property named `expand` whose value is an object comes with its own properties, read in
 * the same pass.
 */
function readObject(text: string, start: number, expand?: string): { props: Property[]; end: number } {
  const props: Property[] = [];
  let i = skipBlanks(text, start + 1);
  if (text.charCodeAt(i) === 125) return { props, end: i + 1 };
  for (;;) {
    const keyStart = i;
    const keyEnd = stringEnd(text, i);
    const name = stringValue(text, keyStart, keyEnd);
    const value = skipBlanks(text, skipBlanks(text, keyEnd) + 1);
    const p: Property = { name, keyStart, keyEnd, start: value, end: value };
    if (name === expand && text.charCodeAt(value) === 123) {
      const inner = readObject(text, value);
      p.children = inner.props;
      p.end = inner.end;
      expand = undefined;
    } else p.end = valueEnd(text, value);
    props.push(p);
    i = skipBlanks(text, p.end);
    if (text.charCodeAt(i) === 125) return { props, end: i + 1 };
    i = skipBlanks(text, i + 1);
  }
}

/** Where the well-formed value starting at `i` ends. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) return stringEnd(text, i);
  if (c === 91 || c === 123) {
    let depth = 0;
    for (; ; i++) {
      const d = text.charCodeAt(i);
      // Below '[' only a string's quote matters; a string is passed by searching for its closing quote.
      if (d < 91) {
        if (d === 34) i = stringEnd(text, i) - 1;
      } else if ((d | 32) === 123) depth++;
      else if ((d | 32) === 125 && --depth === 0) return i + 1;
    }
  }
  // A number or a literal: to the next delimiter.
  for (i++; ; i++) {
    const d = text.charCodeAt(i);
    if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9 || Number.isNaN(d)) return i;
  }
}

/** A leaf's value (7.2.1.4: anything but an object): what JSON.parse makes of its text. */
function leafValue(text: string, start: number, end: number): unknown {
  const c = text.charCodeAt(start);
  if (c === 34) return stringValue(text, start, end);
  if (c === 116) return true;
  if (c === 102) return false;
  if (c === 110) return null;
  if (c === 91) return JSON.parse(text.slice(start, end));
  return Number(text.slice(start, end));
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

/** The children of a node that were written in a file, in the order written; kept while the instance is unchanged. */
const bySource = new WeakMap<TreeNode, { revision: number; children: TreeNode[] }>();

function childrenBySource(n: TreeNode): TreeNode[] {
  const revision = n.instance.revision;
  let known = bySource.get(n);
  if (!known || known.revision !== revision) {
    const children: TreeNode[] = [];
    for (const c of n.children?.values() ?? []) if (c.source) children.push(c);
    // Already in order but for a name written twice (the later one keeps the earlier's place).
    children.sort((a, b) => a.source!.keyStart - b.source!.keyStart);
    known = { revision, children };
    bySource.set(n, known);
  }
  return known.children;
}

/**
 * The node whose name (its JSON key) was written at `offset`, in `file` when given. From the
 * instance that holds the offset down, at each level the one child whose text holds it (a binary
 * search among the children in the order written): the cost is the depth, not the size of the
 * tree, and a node among 200,000 siblings is found as fast as one among ten.
 */
export function nodeAtOffset(tree: DmTree, offset: number, file?: string): TreeNode | undefined {
  for (const inst of tree.all()) {
    const src = inst.source;
    if (file !== undefined && (src?.file !== file || offset < src.start || offset > src.end)) continue;
    let n = inst.root;
    for (;;) {
      const s = n.source;
      if (s && offset >= s.keyStart && offset <= s.keyEnd) return n;
      const children = childrenBySource(n);
      let lo = 0;
      let hi = children.length - 1;
      let found: TreeNode | undefined;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const c = children[mid]!;
        if (c.source!.keyStart <= offset) {
          found = c;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (!found || offset > found.source!.end) break;
      n = found;
    }
  }
  return undefined;
}
