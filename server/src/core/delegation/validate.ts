/**
 * Validation of one delegation protocol message (Delegation 5.3, Tables 1-18) parsed by
 * `parseXml`. Every diagnostic cites its source and carries the fixes that are obvious.
 */
import type { Diagnostic, Fix } from '../diagnostic.js';
import { type XmlDocument, type XmlElement, contentRange, parseXml } from '../xml/parse.js';
import { keepShapes } from '../shapes.js';
import { childIndent, insertChild, removeElement, renameElement } from '../xml/edits.js';
import { isSpace } from '../xml/chars.js';
import {
  type DelegationMessage,
  type Parameter,
  type Variant,
  MESSAGES,
  allParameters,
  citation,
  recogniseRoot,
} from './messages.js';
import { FAILURE_REASON_CODES, REASON_CODES, REASON_CODE_SOURCE } from './reasonCodes.js';
import { DMACC, DM20_NAMES, type DmAccNode } from './dmacc.js';
import { exampleValue, skeleton, skeletonElement } from './build.js';

export interface DelegationAnalysis {
  diagnostics: Diagnostic[];
  message?: DelegationMessage;
  variant?: Variant;
  /** The root names an obsolete draft message. */
  obsolete?: string;
}

export interface ValidateOptions {
  /**
   * The text is claimed as a delegation message (by its language id, file name or HTTP
   * Content-Type): a root that is no delegation message is then an error, not a reason to leave
   * the file alone.
   */
  claimed: boolean;
}

/** Whether a parsed document is a delegation message (or an obsolete draft one) at all. */
export function isDelegationDocument(doc: XmlDocument): boolean {
  return !!doc.root && recogniseRoot(doc.root.name) !== undefined;
}

export function validateDelegation(text: string, doc: XmlDocument, options: ValidateOptions): DelegationAnalysis {
  const root = doc.root;
  const recognised = root ? recogniseRoot(root.name) : undefined;
  if (!recognised && !options.claimed) return { diagnostics: [] };

  const out: Diagnostic[] = [...doc.errors];
  if (doc.doctype) {
    out.push({
      start: doc.doctype.start,
      end: doc.doctype.start + 9,
      severity: 'error',
      code: 'xml.dtd',
      message: doc.doctype.declaresEntities
        ? 'This DOCTYPE declares entities or an external DTD; they are never expanded or fetched. Delegation messages are defined by the schema [DMDELXSD], not a DTD (Delegation 5.3).'
        : 'Delegation messages carry no DOCTYPE: they are defined by the schema [DMDELXSD] (Delegation 5.3).',
    });
  }
  if (!root) return { diagnostics: out };
  if (!recognised) {
    out.push({
      start: root.nameStart,
      end: root.nameEnd,
      severity: 'error',
      code: 'del.not-a-message',
      message: `<${root.name}> is not a delegation protocol message. The root element is one of: ${MESSAGES.map((m) => m.root).join(', ')} (Delegation 5.3, Appendix C).`,
    });
    return { diagnostics: out };
  }
  const message = recognised.message;
  const result: DelegationAnalysis = { diagnostics: out, message };
  if (recognised.kind === 'obsolete') {
    result.obsolete = recognised.draftName;
    out.push({
      start: root.nameStart,
      end: root.nameEnd,
      severity: 'error',
      code: 'del.obsolete-message',
      message: `${recognised.draftName} is a message name of an early draft of the delegation mechanism; Delegation 1.3 replaced it with ${message.name} (<${message.root}>, ${citation(message)}).`,
      fixes: [{ title: `Rename to <${message.root}>`, edits: renameElement(root, message.root), preferred: true }],
    });
  } else if (recognised.kind === 'case') {
    out.push({
      start: root.nameStart,
      end: root.nameEnd,
      severity: 'error',
      code: 'del.root-name',
      message: `The root element of ${message.name} is <${message.root}>: the message name in lower case (Delegation Appendix C). XML names are case-sensitive.`,
      fixes: [{ title: `Rename to <${message.root}>`, edits: renameElement(root, message.root), preferred: true }],
    });
  }
  new MessageChecker(text, root, message, out).run(result);
  return result;
}

class MessageChecker {
  constructor(
    private readonly text: string,
    private readonly root: XmlElement,
    private readonly message: DelegationMessage,
    private readonly out: Diagnostic[],
  ) {}

  private add(el: { start: number; end: number }, severity: Diagnostic['severity'], code: string, message: string, fixes?: Fix[]): void {
    this.out.push({ start: el.start, end: el.end, severity, code, message, ...(fixes ? { fixes } : {}) });
  }

  private nameRange(el: XmlElement): { start: number; end: number } {
    return { start: el.nameStart, end: el.nameEnd };
  }

  run(result: DelegationAnalysis): void {
    const { root, message } = this;
    this.checkRootAttributes();
    this.checkNoText(root, `<${root.name}> holds parameters only`);
    const variant = this.chooseVariant();
    result.variant = variant;
    const cite = citation(message, variant);
    const known = parametersByName(variant);
    const seen = new Map<string, XmlElement>();
    for (const child of root.children) {
      const param = known.get(child.name);
      if (!param) {
        this.unknownParameter(child, variant);
        continue;
      }
      const first = seen.get(child.name);
      if (first) {
        this.add(this.nameRange(child), 'error', 'del.repeated-element', `<${child.name}> appears more than once; ${message.name} carries one ${child.name} (${cite}).`, [
          { title: `Remove this <${child.name}>`, edits: [removeElement(this.text, child)], preferred: true },
        ]);
        continue;
      }
      seen.set(child.name, child);
      this.checkParameter(child, param, cite);
    }
    for (const p of variant.parameters) {
      if (!p.required || seen.has(p.name)) continue;
      const after = this.precedingPresent(variant, p, seen);
      this.add(this.nameRange(root), 'error', 'del.missing-parameter', `${message.name} requires <${p.name}> (${p.description}; ${cite}).`, [
        { title: `Insert <${p.name}>`, edits: [insertChild(this.text, root, skeletonElement(p, '', message), after)], preferred: true },
      ]);
    }
    this.checkCrossField(seen, variant, cite);
  }

  /** The variant the present elements fit best; ties go to the first variant in the table. */
  private chooseVariant(): Variant {
    const variants = this.message.variants;
    if (variants.length === 1) return variants[0]!;
    const names = new Set(this.root.children.map((c) => c.name));
    let best = variants[0]!;
    let bestScore = Infinity;
    for (const v of variants) {
      const own = parametersByName(v);
      let score = 0;
      for (const n of names) if (!own.has(n)) score++;
      for (const p of v.parameters) if (p.required && !names.has(p.name)) score++;
      if (score < bestScore) {
        best = v;
        bestScore = score;
      }
    }
    return best;
  }

  private precedingPresent(variant: Variant, p: Parameter, seen: Map<string, XmlElement>): XmlElement | undefined {
    const idx = variant.parameters.indexOf(p);
    for (let k = idx - 1; k >= 0; k--) {
      const el = seen.get(variant.parameters[k]!.name);
      if (el) return el;
    }
    return undefined;
  }

  private checkRootAttributes(): void {
    for (const a of this.root.attributes) {
      if (a.name.startsWith('xmlns:') || a.name.startsWith('xsi:')) continue;
      if (a.name === 'xmlns') {
        this.add({ start: a.start, end: a.nameEnd }, 'warning', 'del.namespace', 'Delegation messages are in no namespace (Appendix C uses xsi:noNamespaceSchemaLocation); a default namespace changes every element name.');
        continue;
      }
      this.add({ start: a.start, end: a.nameEnd }, 'warning', 'del.unexpected-attribute', `Attribute '${a.name}' is not part of ${this.message.name}: parameters are elements (Delegation 5.3, Appendix C).`);
    }
  }

  private checkNoText(el: XmlElement, what: string): void {
    if (el.children.length === 0 || !el.text.trim()) return;
    const r = contentRange(el);
    const raw = this.text.slice(r.start, r.end);
    // Markup is blanked up to its '>'. A '<' with no '>' after it is matched to the end and kept:
    // left unmatched, the rest was scanned again from every later '<' (an unclosed attribute value
    // full of them took seconds).
    const m = /[^\s<]/.exec(raw.replace(/<[^>]*>?/g, (t) => (t.endsWith('>') ? ' '.repeat(t.length) : t)));
    if (!m) return;
    const start = r.start + m.index;
    let end = start;
    while (end < r.end && this.text[end] !== '<' && this.text[end] !== '\n') end++;
    this.add({ start, end }, 'error', 'del.unexpected-text', `Unexpected text: ${what}.`);
  }

  private unknownParameter(child: XmlElement, variant: Variant): void {
    const { message } = this;
    const other = message.variants.find((v) => v !== variant && v.parameters.some((p) => p.name === child.name));
    if (other) {
      this.add(this.nameRange(child), 'error', 'del.wrong-variant',
        `<${child.name}> belongs to the ${other.label} variant of ${message.name} (${citation(message, other)}); this message is the ${variant.label} variant (${citation(message, variant)}).`,
        [{ title: `Remove <${child.name}>`, edits: [removeElement(this.text, child)] }]);
      return;
    }
    const all = allParameters(message);
    const near = all.find((p) => p.name.toLowerCase() === child.name.toLowerCase());
    const fixes: Fix[] = near ? [{ title: `Rename to <${near.name}>`, edits: renameElement(child, near.name), preferred: true }] : [];
    const expected = variant.parameters.map((p) => p.name).join(', ');
    this.add(this.nameRange(child), 'error', 'del.unknown-element',
      near
        ? `<${child.name}> is not a parameter of ${message.name}; did you mean <${near.name}>? XML names are case-sensitive (${citation(message, variant)}).`
        : `<${child.name}> is not a parameter of ${message.name}, which carries ${expected} (${citation(message, variant)}).`,
      fixes);
  }

  /** Range of the trimmed text value, or the element's name when it is empty. */
  private valueRange(el: XmlElement): { start: number; end: number } {
    const r = contentRange(el);
    let s = r.start;
    let e = r.end;
    while (s < e && isSpace(this.text.charCodeAt(s))) s++;
    while (e > s && isSpace(this.text.charCodeAt(e - 1))) e--;
    return s < e ? { start: s, end: e } : this.nameRange(el);
  }

  private replaceValue(el: XmlElement, value: string, title: string): Fix {
    const r = contentRange(el);
    const v = this.valueRange(el);
    const hasText = v.start !== el.nameStart;
    if (el.selfClosing) {
      return { title, edits: [{ start: el.start, end: el.end, newText: `<${el.name}>${value}</${el.name}>` }], preferred: true };
    }
    return { title, edits: [hasText ? { start: v.start, end: v.end, newText: value } : { start: r.start, end: r.end, newText: value }], preferred: true };
  }

  private checkParameter(el: XmlElement, p: Parameter, cite: string): void {
    for (const a of el.attributes) {
      this.add({ start: a.start, end: a.nameEnd }, 'warning', 'del.unexpected-attribute', `Attribute '${a.name}' is not part of <${el.name}> (${cite}).`);
    }
    if (p.type === 'complex') {
      if (p.name === 'DMAcc') this.checkDmAcc(el, DMACC, ['DMAcc']);
      return;
    }
    for (const c of el.children) {
      this.add(this.nameRange(c), 'error', 'del.unexpected-element', `<${el.name}> is a ${p.type} value and holds no elements (${cite}).`);
    }
    const value = el.text.trim();
    const range = this.valueRange(el);
    if (!value && el.children.length === 0) {
      this.add(range, 'error', 'del.empty-value', `<${el.name}> is empty; it needs a ${p.type} value: ${p.description} (${cite}).`,
        [this.replaceValue(el, exampleValue(this.message, p), `Fill in ${exampleValue(this.message, p)}`)]);
      return;
    }
    if (!value) return;
    if (p.type === 'boolean') this.checkBoolean(el, value, range, cite);
    else if (p.type === 'int' && p.name === 'reasonCode') this.checkReasonCode(el, value, range, cite);
    else if (p.name === 'status') this.checkStatus(el, value, range);
    else if (p.name === 'DMTreeURI') this.checkTreeUri(value, range, cite);
    else if (p.name === 'bootstrapURL') this.checkUrl(value, range, cite);
  }

  private checkBoolean(el: XmlElement, value: string, range: { start: number; end: number }, cite: string): void {
    if (value === 'true' || value === 'false') return;
    const lower = value.toLowerCase();
    const mapped = lower === 'true' || lower === '1' || lower === 'yes' ? 'true' : lower === 'false' || lower === '0' || lower === 'no' ? 'false' : undefined;
    this.add(range, 'error', 'del.boolean', `<${el.name}> is a boolean: exactly 'true' or 'false' (${cite}), not '${value}'.`,
      mapped ? [this.replaceValue(el, mapped, `Change to ${mapped}`)] : [this.replaceValue(el, 'true', 'Change to true'), { ...this.replaceValue(el, 'false', 'Change to false'), preferred: false }]);
  }

  private checkReasonCode(el: XmlElement, value: string, range: { start: number; end: number }, cite: string): void {
    if (!/^[0-9]+$/.test(value)) {
      this.add(range, 'error', 'del.reason-code-type', `reasonCode is an integer status code (${cite}; ${REASON_CODE_SOURCE}), not '${value}'.`);
      return;
    }
    const code = Number(value);
    const phrase = REASON_CODES.get(code);
    if (!phrase) {
      this.add(range, 'warning', 'del.reason-code-unknown', `${code} is not a DM status code (${REASON_CODE_SOURCE}).`);
      return;
    }
    if (this.message.failure && code >= 200 && code < 300) {
      const fixes = FAILURE_REASON_CODES.map((c, i) => ({ ...this.replaceValue(el, String(c), `Change to ${c} (${REASON_CODES.get(c)})`), preferred: i === 0 }));
      this.add(range, 'warning', 'del.reason-code-success',
        `${code} (${phrase}) reports success, but ${this.message.name} reports why the process failed; the most applicable codes are 400 (Bad request) and 403 (Forbidden) (change request on DELEGATION_FAILURE; ${REASON_CODE_SOURCE}).`,
        fixes);
    }
  }

  private checkStatus(el: XmlElement, value: string, range: { start: number; end: number }): void {
    const expected = this.message.status;
    if (!expected || value === expected) return;
    const owners = MESSAGES.filter((m) => m.status === value).map((m) => `${m.name} (${citation(m)})`);
    const whose = owners.length ? `${value} is the status of ${owners.join(' and ')}` : `${value} is no status value of the delegation protocol`;
    const quirk = this.message.statusNote ? ` ${this.message.statusNote}` : '';
    this.add(range, 'error', 'del.status-mismatch',
      `${whose}; ${this.message.name} carries status ${expected} (${citation(this.message)}).${quirk}`,
      [this.replaceValue(el, expected, `Change to ${expected}`)]);
  }

  private checkTreeUri(value: string, range: { start: number; end: number }, cite: string): void {
    // DM 1.x tree URIs are "./Node/..." (or "." for the root); Appendix C writes "/SCOMO".
    if (/^(\.|\.?(\/[^/\s?#]+)+)$/.test(value)) return;
    this.add(range, 'error', 'del.tree-uri',
      `DMTreeURI '${value}' is not a DM tree URI: write the subtree to delegate as './FUMO' (DM 1.x form) or '/SCOMO' (as in Appendix C), without empty segments, spaces or a trailing '/' (${cite}).`);
  }

  private checkUrl(value: string, range: { start: number; end: number }, cite: string): void {
    let ok = false;
    try {
      const u = new URL(value);
      ok = !!u.protocol && (u.protocol === 'http:' || u.protocol === 'https:' ? !!u.host : true);
    } catch {
      ok = false;
    }
    if (!ok) this.add(range, 'error', 'del.url', `bootstrapURL '${value}' is not an absolute URL (${cite}).`);
  }

  private checkCrossField(seen: Map<string, XmlElement>, variant: Variant, cite: string): void {
    const flag = seen.get('isClientBootstapped');
    if (!flag || !variant.parameters.some((p) => p.name === 'DMAcc')) return;
    const value = flag.text.trim();
    const dmacc = seen.get('DMAcc');
    if (value === 'false' && !dmacc) {
      const dmaccParam = variant.parameters.find((p) => p.name === 'DMAcc')!;
      this.add(this.valueRange(flag), 'error', 'del.dmacc-required',
        `isClientBootstapped is false, so the message must carry the DMS-2 <DMAcc> that DMS-1 creates on the DM Client (${cite}).`,
        [{ title: 'Insert <DMAcc>', edits: [insertChild(this.text, this.root, skeletonElement(dmaccParam, childIndent(this.text, this.root)), flag)], preferred: true }]);
    }
    if (value === 'true' && dmacc) {
      this.add(this.nameRange(dmacc), 'warning', 'del.dmacc-unexpected',
        `isClientBootstapped is true: the DM Client is already bootstrapped and DMS-1 creates no DMAcc, so <DMAcc> is not used (${cite}).`,
        [{ title: 'Remove <DMAcc>', edits: [removeElement(this.text, dmacc)], preferred: true }]);
    }
  }

  /**
   * Each node below the DMAcc against the DM 1.3 DMAcc (DMSTDOBJ 5.3.1). `path` holds the names
   * down to `el` ('<X>' for a placeholder), joined only for a message: a DMAcc of many addresses
   * builds no string per node. The recursion is as deep as the MO, whatever the document's depth.
   */
  private checkDmAcc(el: XmlElement, node: DmAccNode, path: string[]): void {
    if (node.open) return;
    const children = el.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      const named = own(node, c.name);
      const spec = named ?? own(node, '*');
      if (!spec) {
        const dm13 = Object.hasOwn(DM20_NAMES, c.name) ? DM20_NAMES[c.name] : undefined;
        this.add(this.nameRange(c), 'warning', 'del.dmacc-node',
          dm13
            ? `${c.name} is the DM 2.0 DMAcc name (DM 2.0 §12.2); the delegation protocol carries a DM 1.3 DMAcc (DMSTDOBJ 5.3.1), which calls it ${dm13}.`
            : `${path.join('/')}/${c.name} is not a node of the DM 1.3 DMAcc (DMSTDOBJ 5.3.1; Delegation Table 3). Known here: ${Object.keys(node.children ?? {}).map((k) => (k === '*' ? '<X>' : k)).join(', ')}.`,
          dm13 ? [{ title: `Rename to <${dm13}>`, edits: renameElement(c, dm13), preferred: true }] : undefined);
        continue;
      }
      // A node with no element below has nothing to check; most are leaves.
      if (spec.open || c.children.length === 0) continue;
      path.push(named ? c.name : '<X>');
      this.checkDmAcc(c, spec, path);
      path.pop();
    }
  }
}

/**
 * A node's child by name, '*' (the MO's <X>) included. Looked up in a Map built once per node:
 * element names are copies out of the text, and a look-up of such a string as an object's key
 * costs far more than a Map's. A child named `constructor` is a node name, nothing inherited.
 */
function own(node: DmAccNode, name: string): DmAccNode | undefined {
  let index = CHILDREN.get(node);
  if (!index) {
    index = new Map(Object.entries(node.children ?? {}));
    CHILDREN.set(node, index);
  }
  return index.get(name);
}

const CHILDREN = new Map<DmAccNode, ReadonlyMap<string, DmAccNode>>();

const BY_NAME = new Map<Variant, ReadonlyMap<string, Parameter>>();

/** A variant's parameters by element name, made once per variant rather than once per message read. */
function parametersByName(variant: Variant): ReadonlyMap<string, Parameter> {
  let index = BY_NAME.get(variant);
  if (!index) {
    index = new Map(variant.parameters.map((p) => [p.name, p]));
    BY_NAME.set(variant, index);
  }
  return index;
}

// A message checked, its checker and its result kept idle: their hidden classes outlive the checks
// (see shapes.ts).
{
  const message = MESSAGES[0]!;
  const text = skeleton(message);
  const doc = parseXml(text);
  const checker = new MessageChecker(text, doc.root!, message, []);
  const result: DelegationAnalysis = { diagnostics: [], message };
  checker.run(result);
  keepShapes(checker, result, validateDelegation(text, doc, { claimed: true }));
}
