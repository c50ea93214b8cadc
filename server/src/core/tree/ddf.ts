/**
 * Device Description Framework files (DM 1.3 `MgmtTree` XML, as DM 2.0 6.4 uses them): the
 * formats, access types, occurrence and scope of an MO's nodes. Parsed with the product's XML
 * parser, which keeps the ranges DDF diagnostics need and never expands entities. Sample tree
 * nodes are checked against the DDF of their MOID.
 */
import type { Diagnostic } from '../diagnostic.js';
import { type XmlElement, parseXml } from '../xml/parse.js';
import type { MoInstance, TreeNode } from './model.js';

export const FORMATS = ['b64', 'bin', 'bool', 'chr', 'int', 'node', 'null', 'xml', 'date', 'time', 'float'] as const;
export const ACCESS_TYPES = ['Add', 'Copy', 'Delete', 'Exec', 'Get', 'Replace'] as const;
export const OCCURRENCES = ['One', 'ZeroOrOne', 'ZeroOrMore', 'OneOrMore', 'ZeroOrN', 'OneOrN'] as const;

export interface DdfNode {
  /** Empty for an unnamed node (<x>: any name). */
  name: string;
  format?: string;
  accessTypes: string[];
  occurrence: string;
  scope?: 'Permanent' | 'Dynamic';
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
    const node: DdfNode = { name: nameEl?.text.trim() ?? '', accessTypes: [], occurrence: 'One', children: [], file, start: el.start, end: el.end };
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
      const occ = child(props, 'Occurrence')?.children[0];
      if (occ) {
        if ((OCCURRENCES as readonly string[]).includes(occ.name)) node.occurrence = occ.name;
        else warn(nameOf(occ), 'ddf.occurrence', `The occurrence is one of ${OCCURRENCES.join(', ')} (DM 1.3 DDF).`);
      }
      const scope = child(props, 'Scope')?.children[0]?.name;
      if (scope === 'Permanent' || scope === 'Dynamic') node.scope = scope;
      const desc = child(props, 'Description')?.text.trim();
      if (desc) node.description = desc;
      const title = child(props, 'DFTitle')?.text.trim();
      if (title) node.title = title;
    }
    // Iterating the children here recurses per DDF level; DDFs are shallow, and hostile depth is capped.
    if (depth++ < 64) node.children = el.children.filter((c) => c.name === 'Node').map(readNode);
    depth--;
    return node;
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

/** A sample MO instance against its DDF: unknown nodes, formats, missing required nodes, occurrence. */
export function checkInstance(inst: MoInstance, ddf: Ddf): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (n: TreeNode) => ({ start: n.source?.keyStart ?? 0, end: n.source?.keyEnd ?? 0 });
  const stack: [TreeNode, DdfNode][] = [[inst.root, ddf.root]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (!n.source) continue;
    if (d.format === 'node' && !n.interior) out.push({ ...at(n), severity: 'warning', code: 'tree.ddf-format', message: `${n.clientUri()} is an interior node in the DDF (format node), but a value here (${d.file.split(/[\\/]/).pop()}).` });
    if (d.format && d.format !== 'node' && n.interior) {
      out.push({ ...at(n), severity: 'warning', code: 'tree.ddf-format', message: `${n.clientUri()} is a leaf of format ${d.format} in the DDF, but an object here.` });
      continue;
    }
    if (!n.interior && d.format && FORMAT_OK[d.format] && !FORMAT_OK[d.format]!(n.value)) {
      out.push({ ...at(n), severity: 'warning', code: 'tree.ddf-format', message: `${n.clientUri()} holds ${JSON.stringify(n.value)}, not a ${d.format} value as its DDF says.` });
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
      if (count > 1 && (spec.occurrence === 'One' || spec.occurrence === 'ZeroOrOne')) {
        out.push({ ...at(n), severity: 'warning', code: 'tree.ddf-occurrence', message: `${n.clientUri()} has ${count} unnamed children; the DDF allows ${spec.occurrence}.` });
      }
    }
    for (const spec of d.children) {
      if (spec.name && (spec.occurrence === 'One' || spec.occurrence === 'OneOrMore' || spec.occurrence === 'OneOrN') && !n.child(spec.name)) {
        out.push({ ...at(n), severity: 'warning', code: 'tree.ddf-missing', message: `${n.clientUri()} lacks ${spec.name}, which its DDF requires (${spec.occurrence}).` });
      }
    }
  }
  return out;
}
