/**
 * Device Description Framework files (DM 1.3 `MgmtTree` XML, as DM 2.0 6.4 uses them): the
 * formats, access types, occurrence and scope of an MO's nodes. Parsed with the product's XML
 * parser, which keeps the ranges DDF diagnostics need and never expands entities. Sample tree
 * nodes are checked against the DDF of their MOID.
 */
import { type Diagnostic, pushAll } from '../diagnostic.js';
import { type XmlElement, contentRange, parseXml } from '../xml/parse.js';
import type { DmTree, MoInstance, TreeNode } from './model.js';

export const FORMATS = ['b64', 'bin', 'bool', 'chr', 'int', 'node', 'null', 'xml', 'date', 'time', 'float'] as const;
export const ACCESS_TYPES = ['Add', 'Copy', 'Delete', 'Exec', 'Get', 'Replace'] as const;
export const OCCURRENCES = ['One', 'ZeroOrOne', 'ZeroOrMore', 'OneOrMore', 'ZeroOrN', 'OneOrN'] as const;

export interface DdfNode {
  /** Empty for an unnamed node (<x>: any name). */
  name: string;
  format?: string;
  accessTypes: string[];
  occurrence: string;
  /** The N of ZeroOrN and OneOrN, when the DDF gives it (<ZeroOrN>3</ZeroOrN>). */
  occurrenceN?: number;
  scope?: 'Permanent' | 'Dynamic';
  defaultValue?: string;
  description?: string;
  title?: string;
  children: DdfNode[];
  file: string;
  start: number;
  end: number;
}

export interface Ddf {
  moid: string;
  root: DdfNode;
  file: string;
}

const child = (el: XmlElement, name: string): XmlElement | undefined => el.children.find((c) => c.name === name);

/**
 * 6.3.1: node_name = '<' 1*unreserved '>' / 1*unreserved, unreserved as in RFC 3986 (ALPHA, DIGIT,
 * "-", ".", "_", "~"). The '<x>' form names an un-named node, as an empty NodeName does in a DM 1.3 DDF.
 */
const NODE_NAME = /^(<[A-Za-z0-9\-._~]+>|[A-Za-z0-9\-._~]+)$/;

/**
 * Whether a DefaultValue fits its node's format (6.3.1 Format; 6.4 DefaultValue: "the Node value
 * used in a device"). Only the formats whose text form is unambiguous are judged.
 */
const DEFAULT_OK: Record<string, (v: string) => boolean> = {
  int: (v) => /^[-+]?\d+$/.test(v.trim()),
  bool: (v) => v.trim() === 'true' || v.trim() === 'false',
  float: (v) => v.trim() !== '' && !Number.isNaN(Number(v.trim())),
  b64: (v) => {
    const t = v.replace(/\s+/g, '');
    return t.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(t);
  },
};
const DDF_ELEMENTS = new Set(['NodeName', 'Path', 'Value', 'RTProperties', 'DFProperties', 'Node']);
const PROPERTY_ELEMENTS = new Set(['AccessType', 'DefaultValue', 'Description', 'DFFormat', 'Occurrence', 'Scope', 'DFTitle', 'DFType', 'CaseSense']);

export function parseDdf(text: string, file: string): { ddfs: Ddf[]; diagnostics: Diagnostic[] } {
  const doc = parseXml(text);
  const out: Diagnostic[] = [...doc.errors];
  const ddfs: Ddf[] = [];
  const warn = (el: { start: number; end: number }, code: string, message: string, severity: Diagnostic['severity'] = 'error'): void => {
    out.push({ start: el.start, end: el.end, severity, code, message });
  };
  if (doc.doctype) warn({ start: doc.doctype.start, end: doc.doctype.start + 9 }, 'xml.dtd', 'The DOCTYPE is not processed: no DTD, no entities are read (DM 2.0 6.4).', 'warning');
  const root = doc.root;
  if (!root) return { ddfs, diagnostics: out };
  const nameOf = (el: XmlElement) => ({ start: el.nameStart, end: el.nameEnd });
  if (root.name !== 'MgmtTree') {
    warn(nameOf(root), 'ddf.root', `A DDF's root element is <MgmtTree>, not <${root.name}> (DM 2.0 6.4).`);
    return { ddfs, diagnostics: out };
  }
  if (!child(root, 'VerDTD')) warn(nameOf(root), 'ddf.missing', '<MgmtTree> needs <VerDTD>, the DDF version (Mandatory, DM 2.0 6.4).');
  const readNode = (el: XmlElement): DdfNode => {
    const nameEl = child(el, 'NodeName');
    if (!nameEl) warn(nameOf(el), 'ddf.missing', '<Node> needs <NodeName> (empty for an unnamed node) (Mandatory, DM 2.0 6.4).');
    for (const c of el.children) if (!DDF_ELEMENTS.has(c.name)) warn(nameOf(c), 'ddf.unknown-element', `<${c.name}> is not an element of a DDF <Node> (DM 2.0 6.4).`, 'warning');
    const props = child(el, 'DFProperties');
    const written = nameEl?.text.trim() ?? '';
    if (written && !NODE_NAME.test(written)) {
      warn(valueOf(nameEl!), 'ddf.node-name', `'${written}' is not a node name: node_name = '<' 1*unreserved '>' / 1*unreserved, unreserved being letters, digits, '-', '.', '_' and '~' (DM 2.0 6.3.1, RFC 3986).`);
    }
    // '<x>' and an empty NodeName both name an un-named node (6.3.1, 6.3.1.3).
    const name = /^<.*>$/.test(written) ? '' : written;
    const node: DdfNode = { name, accessTypes: [], occurrence: 'One', children: [], file, start: el.start, end: el.end };
    if (!props) warn(nameOf(el), 'ddf.missing', `<Node> ${node.name || '(unnamed)'} needs <DFProperties> (Mandatory, DM 2.0 6.4).`);
    else {
      for (const c of props.children) if (!PROPERTY_ELEMENTS.has(c.name)) warn(nameOf(c), 'ddf.unknown-element', `<${c.name}> is not a DFProperties element (DM 2.0 6.4).`, 'warning');
      const access = child(props, 'AccessType');
      if (!access) warn(nameOf(props), 'ddf.missing', '<DFProperties> needs <AccessType> (Mandatory, DM 2.0 6.4).');
      for (const a of access?.children ?? []) {
        if ((ACCESS_TYPES as readonly string[]).includes(a.name)) node.accessTypes.push(a.name);
        else warn(nameOf(a), 'ddf.access-type', `<${a.name}> is not an access type: ${ACCESS_TYPES.join(', ')} (DM 1.3 DDF).`);
      }
      const format = child(props, 'DFFormat');
      if (!format) warn(nameOf(props), 'ddf.missing', '<DFProperties> needs <DFFormat> (Mandatory, DM 2.0 6.4).');
      const f = format?.children[0];
      if (format && (!f || !(FORMATS as readonly string[]).includes(f.name))) warn(f ? nameOf(f) : nameOf(format), 'ddf.format', `The format is one of ${FORMATS.join(', ')} (DM 2.0 6.4).`);
      else if (f) node.format = f.name;
      // A node has one format: "node" makes it interior, any other a leaf (6.3.1 Format).
      for (const extra of format?.children.slice(1) ?? []) {
        warn(nameOf(extra), 'ddf.format', `<DFFormat> holds one format; <${extra.name}> is a second one after <${f!.name}> (DM 2.0 6.3.1, 6.4).`);
      }
      const occ = child(props, 'Occurrence')?.children[0];
      if (occ) {
        if ((OCCURRENCES as readonly string[]).includes(occ.name)) {
          node.occurrence = occ.name;
          const n = occ.text.trim();
          if (/^[0-9]+$/.test(n) && (occ.name === 'ZeroOrN' || occ.name === 'OneOrN')) node.occurrenceN = Number(n);
        } else warn(nameOf(occ), 'ddf.occurrence', `The occurrence is one of ${OCCURRENCES.join(', ')} (DM 1.3 DDF).`);
      }
      const scopeEl = child(props, 'Scope');
      const scopes = scopeEl?.children ?? [];
      const scope = scopes[0]?.name;
      if (scopeEl && (scopes.length !== 1 || (scope !== 'Permanent' && scope !== 'Dynamic'))) {
        const at = scopes.find((x) => x.name !== 'Permanent' && x.name !== 'Dynamic') ?? scopes[1];
        warn(at ? nameOf(at) : nameOf(scopeEl), 'ddf.scope', `<Scope> holds one of <Permanent/> and <Dynamic/>: a node is either permanent or dynamic (DM 2.0 6.3.1.2, 6.4).`);
      }
      if (scope === 'Permanent' || scope === 'Dynamic') node.scope = scope;
      const dv = child(props, 'DefaultValue');
      if (dv) {
        node.defaultValue = dv.text;
        if (node.format === 'node') {
          warn(nameOf(dv), 'ddf.default-value', `An interior node (format node) cannot have a node value, so no <DefaultValue> (DM 2.0 6.3.1).`);
        } else if (node.format === 'null') {
          warn(nameOf(dv), 'ddf.default-value', `A node of format null MUST NOT have a node value, so no <DefaultValue> (DM 2.0 6.3.1).`);
        } else if (node.format && DEFAULT_OK[node.format] && !DEFAULT_OK[node.format]!(dv.text)) {
          warn(valueOf(dv), 'ddf.default-value', `The DefaultValue '${dv.text.trim()}' is not ${article(node.format)} ${node.format} value, the format of this node (DM 2.0 6.3.1, 6.4).`);
        }
      }
      const desc = child(props, 'Description')?.text.trim();
      if (desc) node.description = desc;
      const title = child(props, 'DFTitle')?.text.trim();
      if (title) node.title = title;
    }
    // Iterating the children here recurses per DDF level; DDFs are shallow, and hostile depth is capped.
    const childEls = el.children.filter((c) => c.name === 'Node');
    if (depth++ < 64) node.children = childEls.map(readNode);
    depth--;
    // 6.3.1: "A leaf node cannot have a child node".
    if (node.format && node.format !== 'node' && childEls.length) {
      warn(nameOf(childEls[0]!), 'ddf.leaf-children', `${node.name || '(un-named node)'} is a leaf (format ${node.format}): a leaf node cannot have a child node (DM 2.0 6.3.1).`);
    }
    // 6.3.1.3: the name "MUST be unique within the child nodes belonging to the same parent node";
    // two un-named siblings could not be told apart either.
    const seen = new Set<string>();
    node.children.forEach((c, i) => {
      if (seen.has(c.name)) {
        const nameEl = child(childEls[i]!, 'NodeName');
        warn(nameEl ? valueOf(nameEl) : nameOf(childEls[i]!), 'ddf.duplicate-name', c.name
          ? `${node.name || '(un-named node)'} has two child nodes named ${c.name}: a node name MUST be unique among the children of its parent (DM 2.0 6.3.1.3).`
          : `${node.name || '(un-named node)'} has two un-named child nodes: the node names of siblings MUST be unique (DM 2.0 6.3.1.3).`);
      }
      seen.add(c.name);
    });
    return node;
  };
  // The trimmed text of an element, or its name when it is empty.
  const valueOf = (el: XmlElement): { start: number; end: number } => {
    const r = contentRange(el);
    const raw = text.slice(r.start, r.end);
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    return body && !raw.includes('<') ? { start: r.start + lead, end: r.start + lead + body.length } : nameOf(el);
  };
  let depth = 0;
  for (const n of root.children.filter((c) => c.name === 'Node')) {
    const node = readNode(n);
    const ddfName = child(child(child(n, 'DFProperties') ?? n, 'DFType') ?? n, 'DDFName')?.text.trim();
    if (!ddfName) {
      warn(nameOf(n), 'ddf.moid', 'The MO root <Node> names its MOID in <DFType><DDFName> (DM 2.0 6.4).', 'warning');
      continue;
    }
    ddfs.push({ moid: ddfName, root: node, file });
  }
  return { ddfs, diagnostics: out };
}

/** The DDF node describing a tree node, or undefined where the DDF does not describe it. */
export function ddfNodeFor(node: TreeNode, ddf: Ddf): DdfNode | undefined {
  let d: DdfNode | undefined = ddf.root;
  for (const name of node.path()) {
    d = d?.children.find((c) => c.name === name) ?? d?.children.find((c) => c.name === '');
    if (!d) return undefined;
  }
  return d;
}

const FORMAT_OK: Record<string, (v: unknown) => boolean> = {
  chr: (v) => typeof v === 'string',
  int: (v) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v)),
  bool: (v) => typeof v === 'boolean' || v === 'true' || v === 'false',
  float: (v) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))),
  null: (v) => v === null || v === '',
};

const article = (format: string): string => (/^[aeiou]/.test(format) ? 'an' : 'a');

/** How many nodes an Occurrence allows at most (6.3.1), when it says. */
function maxOccurrence(d: DdfNode): number | undefined {
  if (d.occurrence === 'One' || d.occurrence === 'ZeroOrOne') return 1;
  if (d.occurrence === 'ZeroOrN' || d.occurrence === 'OneOrN') return d.occurrenceN;
  return undefined;
}

/**
 * A sample MO instance against its DDF: unknown nodes, formats, missing required nodes, occurrence.
 * Severities follow 6.3.1: a leaf "cannot have a child node", an interior node "cannot have a node
 * value", a null node "MUST NOT have the node value" and an Occurrence of One "MUST be exact one"
 * (the Occurrence gives the number of nodes that MAY occur): errors. A value that does not read as
 * its format (7.2.1.4 says the type "is compliant" with the DDF, without a keyword) and a node the
 * DDF does not describe are warnings.
 */
export function checkInstance(inst: MoInstance, ddf: Ddf): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (n: TreeNode) => ({ start: n.source?.keyStart ?? 0, end: n.source?.keyEnd ?? 0 });
  const stack: [TreeNode, DdfNode][] = [[inst.root, ddf.root]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (!n.source) continue;
    if (d.format === 'node' && !n.interior) out.push({ ...at(n), severity: 'error', code: 'tree.ddf-format', message: `${n.clientUri()} is an interior node in the DDF (format node), but a value here (${d.file.split(/[\\/]/).pop()}); an interior node cannot have a node value (DM 2.0 6.3.1).` });
    if (d.format && d.format !== 'node' && n.interior) {
      out.push({ ...at(n), severity: 'error', code: 'tree.ddf-format', message: `${n.clientUri()} is a leaf of format ${d.format} in the DDF, but an object here; a leaf node cannot have a child node (DM 2.0 6.3.1).` });
      continue;
    }
    if (!n.interior && d.format && FORMAT_OK[d.format] && !FORMAT_OK[d.format]!(n.value)) {
      out.push(d.format === 'null'
        ? { ...at(n), severity: 'error', code: 'tree.ddf-format', message: `${n.clientUri()} holds ${JSON.stringify(n.value)}, but its format is null: the node MUST NOT have a node value (DM 2.0 6.3.1).` }
        : { ...at(n), severity: 'warning', code: 'tree.ddf-format', message: `${n.clientUri()} holds ${JSON.stringify(n.value)}, not ${article(d.format)} ${d.format} value as its DDF says (DM 2.0 7.2.1.4).` });
    }
    if (!n.interior) continue;
    const unnamedUses = new Map<DdfNode, number>();
    for (const c of n.children!.values()) {
      const named = d.children.find((x) => x.name === c.name);
      const spec = named ?? d.children.find((x) => x.name === '');
      if (!spec) {
        out.push({ ...at(c), severity: 'warning', code: 'tree.ddf-unknown', message: `${c.name} is not a node of ${n.clientUri()} in the DDF of ${inst.moid} (${d.children.map((x) => x.name || '<x>').join(', ') || 'no children'}).` });
        continue;
      }
      if (!named) unnamedUses.set(spec, (unnamedUses.get(spec) ?? 0) + 1);
      stack.push([c, spec]);
    }
    for (const [spec, count] of unnamedUses) {
      const max = maxOccurrence(spec);
      if (max !== undefined && count > max) {
        out.push({ ...at(n), severity: 'error', code: 'tree.ddf-occurrence', message: `${n.clientUri()} has ${count} un-named children; the DDF allows ${spec.occurrence}${spec.occurrenceN !== undefined ? ` (${spec.occurrenceN})` : ''} (DM 2.0 6.3.1 Occurrence).` });
      }
    }
    for (const spec of d.children) {
      if (spec.name && (spec.occurrence === 'One' || spec.occurrence === 'OneOrMore' || spec.occurrence === 'OneOrN') && !n.child(spec.name)) {
        out.push({ ...at(n), severity: 'error', code: 'tree.ddf-missing', message: `${n.clientUri()} lacks ${spec.name}, which its DDF requires (${spec.occurrence}, DM 2.0 6.3.1 Occurrence).` });
      }
    }
  }
  return out;
}

/**
 * The MO instances of each MOID in a sample tree against the Occurrence of the MO root in its DDF
 * (6.3.1): DevInfo, whose root occurs One, has one instance. Each instance beyond the number
 * allowed is reported at its MIID.
 */
export function checkInstanceCounts(tree: DmTree, ddfs: ReadonlyMap<string, Ddf>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const moid of tree.moids()) {
    const ddf = ddfs.get(moid);
    const max = ddf && maxOccurrence(ddf.root);
    if (!ddf || max === undefined) continue;
    const instances = tree.instances(moid);
    if (instances.length <= max) continue;
    for (const inst of instances.slice(max)) {
      const src = inst.root.source;
      out.push({ start: src?.keyStart ?? 0, end: src?.keyEnd ?? 0, severity: 'error', code: 'tree.ddf-occurrence', message: `${moid} has ${instances.length} instances (${instances.map((i) => i.miid).join(', ')}), but the Occurrence of its MO root is ${ddf.root.occurrence}${ddf.root.occurrenceN !== undefined ? ` (${ddf.root.occurrenceN})` : ''} in ${ddf.file.split(/[\\/]/).pop()} (DM 2.0 6.3.1 Occurrence).` });
    }
  }
  return out;
}

/** A sample tree against the DDFs of its MOIDs: each instance (`checkInstance`) and the number of instances of each MOID. */
export function checkTreeAgainstDdfs(tree: DmTree, ddfs: ReadonlyMap<string, Ddf>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const inst of tree.all()) {
    const ddf = ddfs.get(inst.moid);
    // Appended one by one: an instance with hundreds of thousands of findings would overflow a spread call.
    if (ddf) pushAll(out, checkInstance(inst, ddf));
  }
  pushAll(out, checkInstanceCounts(tree, ddfs));
  return out;
}
