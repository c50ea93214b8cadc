/**
 * A tolerant XML 1.0 parser that keeps a source range for every element, attribute and text,
 * and goes on after an error, as an editor needs while someone types.
 *
 * Written here rather than taken from a library because none of the kept ones gives both: saxes
 * reports positions only where an event ends and loses its way after a mismatched tag;
 * fast-xml-parser keeps no positions at all; @xml-tools/parser recurses per nesting level (a
 * deeply nested document overflows the stack) and cannot read an internal DTD subset. This
 * parser is iterative, so depth costs memory, never stack.
 *
 * No DTD is ever processed: a DOCTYPE is recorded (with whether it declares entities) and
 * reported by the caller; references to anything but the five predefined entities and character
 * references are errors, never expanded (no entity-expansion or external-entity attacks).
 *
 * Every search is bounded by the span it looks in (a text node, an attribute value, the region
 * being parsed), so the time is linear in the input however it is laid out: an editor parses what
 * anyone may send, a document of megabytes with no '&' or an unclosed comment included.
 */
import type { Diagnostic } from '../diagnostic.js';
import { declarationEnd, decodeSpan, indexWithin, isNameChar, isNameStart, isSpace } from './chars.js';
import { Interner } from './intern.js';
import { keepShapes } from '../shapes.js';
import { OpenElements } from './open.js';
import { NO_ATTRIBUTES, type XmlAttribute, type XmlDocument, type XmlElement, newElement } from './model.js';

export { declarationEnd } from './chars.js';
export { contentRange, elementAt } from './model.js';
export type { XmlAttribute, XmlDoctype, XmlDocument, XmlElement } from './model.js';

/** Past this many faults the rest of the input is not worth reporting on (binary junk). */
const MAX_ERRORS = 100;
/** Up to this many attributes, a repeated name is found by looking through them. */
const SCAN_NAMES = 8;

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;

export function parseXml(text: string, from = 0, to = text.length): XmlDocument {
  return new Parser(text, from, to).run();
}

class Parser {
  private i: number;
  /** The open elements, with the children and text each has so far. */
  private readonly open: OpenElements;
  /** Element names and texts, shared by value. */
  private readonly strings: Interner;
  private readonly doc: XmlDocument;
  private readonly errors: Diagnostic[];
  /** Attribute names of the start tag being read, once it has many. */
  private names: Set<string> | undefined;

  constructor(
    private readonly s: string,
    from: number,
    private readonly to: number,
  ) {
    this.i = from;
    this.errors = [];
    this.doc = { errors: this.errors, from, to };
    this.strings = new Interner(s, to - from);
    this.open = new OpenElements(s, this.strings);
  }

  run(): XmlDocument {
    const s = this.s;
    if (s.charCodeAt(this.i) === 0xfeff) this.i++;
    while (this.i < this.to && this.errors.length < MAX_ERRORS) {
      if (s.charCodeAt(this.i) === LT) this.markup();
      else this.charData();
    }
    while (this.open.depth) {
      const el = this.open.pop();
      el.end = this.to;
      this.error(el.nameStart, el.nameEnd, `<${el.name}> is never closed: the document ends before </${el.name}>.`);
    }
    if (!this.doc.root && this.errors.length === 0) {
      this.error(this.to, this.to, 'The document has no root element.');
    }
    return this.doc;
  }

  /** Reports a fault (public for decodeSpan, which reports the faults of references here). */
  error(start: number, end: number, message: string, code = 'xml.syntax'): void {
    if (this.errors.length >= MAX_ERRORS) return;
    this.errors.push({ start, end: Math.max(end, start), severity: 'error', code, message: `${message} (XML 1.0)` });
  }

  private get top(): XmlElement | undefined {
    return this.open.top;
  }

  // The characters after a '<' are read even past the end of the region (an HTTP body): what
  // follows decides only which fault is reported, and the ranges stay as they were defined.
  private markup(): void {
    const s = this.s;
    const at = this.i;
    const c = s.charCodeAt(at + 1);
    if (isNameStart(c)) {
      // A name that runs on past the region is no tag of it.
      let k = at + 2;
      while (k < this.to && isNameChar(s.charCodeAt(k))) k++;
      if (k <= this.to && (k < this.to || !isNameChar(s.charCodeAt(k)))) return this.openTag(k);
    } else if (c === SLASH) return this.closeTag();
    else if (c === QUESTION) return this.processingInstruction();
    else if (c === BANG) {
      if (s.startsWith('<!--', at)) return this.comment();
      if (s.startsWith('<![CDATA[', at)) return this.cdata();
      if (s.startsWith('<!DOCTYPE', at)) return this.doctype();
      this.error(at, at + 2, "'<!' starts only a comment, a CDATA section or a DOCTYPE here.");
      this.i = at + 2;
      return;
    }
    this.error(at, at + 1, "'<' must start a tag; write &lt; for a literal '<'.");
    this.i = at + 1;
  }

  private find(needle: string, from: number): number {
    return indexWithin(this.s, needle, from, this.to);
  }

  /** End of the name at `from`, cut at the region's end; `from` when none starts there. */
  private name(from: number): number {
    const s = this.s;
    if (!isNameStart(s.charCodeAt(from))) return from;
    let k = from + 1;
    while (k < this.to && isNameChar(s.charCodeAt(k))) k++;
    return Math.min(k, this.to);
  }

  private skipSpace(k: number): number {
    const s = this.s;
    while (k < this.to && isSpace(s.charCodeAt(k))) k++;
    return k;
  }

  private processingInstruction(): void {
    const s = this.s;
    const at = this.i;
    const close = this.find('?>', at + 2);
    // The target is read whole, past the region too: it names the instruction in the messages.
    let targetEnd = at + 2;
    if (isNameStart(s.charCodeAt(targetEnd))) {
      targetEnd++;
      while (targetEnd < s.length && isNameChar(s.charCodeAt(targetEnd))) targetEnd++;
    }
    const target = s.slice(at + 2, targetEnd);
    if (!target) this.error(at, at + 2, 'A processing instruction needs a target name.');
    if (close < 0) {
      this.error(at, at + 2 + target.length, `'<?${target}' is not closed with '?>'.`);
      this.i = this.to;
      return;
    }
    // Only a byte order mark may precede it; compared by offset, not by copying what comes before.
    const first = at === this.doc.from || (at === this.doc.from + 1 && s.charCodeAt(this.doc.from) === 0xfeff);
    if (target.toLowerCase() === 'xml' && !first) {
      this.error(at, at + 5, 'The XML declaration must come first in the document, before any whitespace.');
    }
    this.i = close + 2;
  }

  private comment(): void {
    const at = this.i;
    const close = this.find('-->', at + 4);
    if (close < 0) {
      this.error(at, at + 4, "Comment is not closed with '-->'.");
      this.i = this.to;
      return;
    }
    // A '--' that starts before the closing '-->' (as in '--->') is inside the comment (XML 1.0 §2.5).
    const dd = indexWithin(this.s, '--', at + 4, close + 1);
    if (dd >= 0) this.error(dd, dd + 2, "'--' is not allowed inside a comment.");
    this.i = close + 3;
  }

  private cdata(): void {
    const at = this.i;
    const close = this.find(']]>', at + 9);
    const top = this.top;
    if (!top) this.error(at, at + 9, 'CDATA is allowed only inside an element.');
    if (close < 0) {
      this.error(at, at + 9, "CDATA section is not closed with ']]>'.");
      this.i = this.to;
      return;
    }
    if (top) this.open.addText(~(at + 9), close);
    this.i = close + 3;
  }

  private doctype(): void {
    const s = this.s;
    const at = this.i;
    const k = declarationEnd(s, at + 9, this.to);
    const end = Math.min(k + 1, this.to);
    const body = s.slice(at, end);
    this.doc.doctype = { start: at, end, declaresEntities: /<!ENTITY/i.test(body) || /\bSYSTEM\b|\bPUBLIC\b/.test(body) };
    if (this.doc.root || this.open.depth) this.error(at, at + 9, 'A DOCTYPE may only come before the root element.');
    if (k >= this.to) this.error(at, at + 9, "DOCTYPE is not closed with '>'.");
    this.i = end;
  }

  /** A start tag at `this.i` whose name ends at `nameEnd`. */
  private openTag(nameEnd: number): void {
    const s = this.s;
    const to = this.to;
    const at = this.i;
    const el = newElement(this.strings.span(at + 1, nameEnd), at, nameEnd);
    const parent = this.top;
    if (parent) {
      el.parent = parent;
      this.open.addChild(el);
    } else if (this.doc.root) {
      this.error(el.nameStart, el.nameEnd, `A document has one root element; <${el.name}> comes after <${this.doc.root.name}>.`);
    } else {
      this.doc.root = el;
    }
    let k = nameEnd;
    for (;;) {
      const ws = this.skipSpace(k);
      if (ws >= to) {
        this.error(el.nameStart, el.nameEnd, `Start tag <${el.name}> is not closed with '>'.`);
        el.end = el.startTagEnd = to;
        this.i = to;
        return;
      }
      const c = s.charCodeAt(ws);
      if (c === GT) {
        el.startTagEnd = ws + 1;
        this.i = ws + 1;
        this.open.push(el);
        return;
      }
      if (c === SLASH && s.charCodeAt(ws + 1) === GT) {
        el.selfClosing = true;
        el.startTagEnd = el.end = this.i = ws + 2;
        return;
      }
      if (c === LT) {
        // A start tag cut short by the next tag (someone is typing): report it, go on from the '<'.
        this.error(el.nameStart, el.nameEnd, `Start tag <${el.name}> is not closed with '>'.`);
        el.startTagEnd = el.end = ws;
        this.open.push(el);
        this.i = ws;
        return;
      }
      if (ws === k) {
        this.error(ws, ws + 1, `Unexpected '${s[ws]!}' in start tag <${el.name}>: expected whitespace, '>' or '/>'.`);
        k = ws + 1;
        continue;
      }
      k = this.attribute(el, ws);
    }
  }

  /** Reads one attribute at `k`; returns where scanning goes on. */
  private attribute(el: XmlElement, k: number): number {
    const s = this.s;
    const to = this.to;
    const nameEnd = this.name(k);
    if (nameEnd === k) {
      this.error(k, k + 1, `Unexpected '${s[k]!}' in start tag <${el.name}>: expected an attribute name, '>' or '/>'.`);
      return k + 1;
    }
    const name = s.slice(k, nameEnd);
    const eq = this.skipSpace(nameEnd);
    if (s.charCodeAt(eq) !== 0x3d) {
      this.error(k, nameEnd, `Attribute '${name}' needs a value: ${name}="...".`);
      return nameEnd;
    }
    const q = this.skipSpace(eq + 1);
    const quote = s.charCodeAt(q);
    if (quote !== 0x22 && quote !== 0x27) {
      this.error(q, q + 1, `The value of attribute '${name}' must be quoted.`);
      let e = q;
      while (e < to && !isSpace(s.charCodeAt(e)) && s.charCodeAt(e) !== GT) e++;
      return e;
    }
    // The value ends at its quote; a '<' first means the quote is missing (AttValue excludes '<', XML 1.0 §2.3).
    let close = q + 1;
    let amp = -1;
    for (; close < to; close++) {
      const c = s.charCodeAt(close);
      if (c === quote || c === LT) break;
      if (c === AMP && amp < 0) amp = close;
    }
    if (close >= to || s.charCodeAt(close) === LT) {
      this.error(q, q + 1, `The value of attribute '${name}' is not closed with ${s[q]!}.`);
      return close;
    }
    const attr: XmlAttribute = {
      name,
      value: decodeSpan(s, q + 1, close, this, amp),
      start: k,
      end: close + 1,
      nameEnd,
      valueStart: q + 1,
      valueEnd: close,
    };
    if (el.attributes === NO_ATTRIBUTES) {
      el.attributes = [attr];
      this.names = undefined;
      return close + 1;
    }
    if (this.repeated(el.attributes, name)) this.error(k, nameEnd, `Attribute '${name}' is repeated.`);
    el.attributes.push(attr);
    this.names?.add(name);
    return close + 1;
  }

  /**
   * Whether a start tag already has an attribute of this name: a look through a few, a set once
   * there are many, so that 100,000 attributes cost 100,000 look-ups, not 5·10⁹ comparisons.
   */
  private repeated(attributes: readonly XmlAttribute[], name: string): boolean {
    if (this.names) return this.names.has(name);
    if (attributes.length < SCAN_NAMES) {
      for (const a of attributes) if (a.name === name) return true;
      return false;
    }
    this.names = new Set();
    for (const a of attributes) this.names.add(a.name);
    return this.names.has(name);
  }

  private closeTag(): void {
    const s = this.s;
    const at = this.i;
    const nameEnd = this.name(at + 2);
    const length = nameEnd - (at + 2);
    const gt = this.skipSpace(nameEnd);
    let end = gt + 1;
    if (length <= 0) this.error(at, at + 2, "'</' must be followed by the name of the element it closes.");
    if (s.charCodeAt(gt) !== GT) {
      this.error(at, nameEnd, `End tag </${s.slice(at + 2, nameEnd)}> is not closed with '>'.`);
      end = gt;
    }
    this.i = Math.max(end, at + 2);
    if (length <= 0) return;
    // The open element is the usual match; search deeper only when it is not (keeps depth linear).
    // Names are compared where they stand in the text, without copying the end tag's.
    const stack = this.open.stack;
    let idx = stack.length - 1;
    while (idx >= 0 && !sameName(s, at + 2, length, stack[idx]!.name)) idx--;
    if (idx < 0) {
      const open = this.top;
      const name = s.slice(at + 2, nameEnd);
      this.error(at + 2, nameEnd, open ? `</${name}> does not match the open element <${open.name}>.` : `</${name}> closes no open element.`);
      if (!open) return;
      // Most often a misspelt end tag: let it close the open element, so one typo is one error.
      this.open.pop();
      open.closeStart = at;
      open.closeNameStart = at + 2;
      open.closeNameEnd = nameEnd;
      open.end = this.i;
      return;
    }
    while (stack.length - 1 > idx) {
      const el = this.open.pop();
      el.end = at;
      this.error(el.nameStart, el.nameEnd, `<${el.name}> is not closed before </${s.slice(at + 2, nameEnd)}>.`);
    }
    const el = this.open.pop();
    el.closeStart = at;
    el.closeNameStart = at + 2;
    el.closeNameEnd = nameEnd;
    el.end = this.i;
  }

  /** Character data up to the next '<': checked and decoded in one pass over its characters. */
  private charData(): void {
    const s = this.s;
    const to = this.to;
    const at = this.i;
    let bad = -1;
    let amp = -1;
    let cdEnd = -1;
    let k = at;
    for (; k < to; k++) {
      const c = s.charCodeAt(k);
      if (c === LT) break;
      if (c < 0x20) {
        // XML 1.0 §2.2 Char, less what a well-formed text may contain unescaped.
        if (bad < 0 && c !== 0x09 && c !== 0x0a && c !== 0x0d) bad = k;
      } else if (c === AMP) {
        if (amp < 0) amp = k;
      } else if (c === 0x5d) {
        if (cdEnd < 0 && k + 2 < to && s.charCodeAt(k + 1) === 0x5d && s.charCodeAt(k + 2) === GT) cdEnd = k;
      } else if (c >= 0xfffe && bad < 0) bad = k;
    }
    this.i = k;
    if (bad >= 0) {
      const code = s.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0');
      this.error(bad, bad + 1, `Character U+${code} is not allowed in an XML document (binary data?).`);
    }
    const top = this.top;
    if (!top) {
      let first = at;
      while (first < k && isSpace(s.charCodeAt(first))) first++;
      if (first < k) {
        let last = k;
        while (last > first && isSpace(s.charCodeAt(last - 1))) last--;
        this.error(first, last, `Text is not allowed ${this.doc.root ? 'after the root element' : 'before the root element'}.`);
      }
      return;
    }
    if (cdEnd >= 0) this.error(cdEnd, cdEnd + 3, "']]>' is not allowed in text; write ]]&gt;.");
    // Decoded here for the faults of its references; the text itself is put together when read.
    if (amp < 0) this.open.addText(at, k);
    else {
      decodeSpan(s, at, k, this, amp);
      this.open.addText(at, ~k);
    }
  }
}

/** Whether s[at, at + length) is `name`, compared in place. */
// A parser, its open elements and its strings, with elements, attributes and text of each kind:
// their hidden classes outlive the parses (see shapes.ts).
const IDLE = '<a b="c"><d>e&amp;</d><![CDATA[f]]></a>';
const idle = new Parser(IDLE, 0, IDLE.length);
idle.run();
keepShapes(idle);

function sameName(s: string, at: number, length: number, name: string): boolean {
  if (name.length !== length) return false;
  for (let k = 0; k < length; k++) if (s.charCodeAt(at + k) !== name.charCodeAt(k)) return false;
  return true;
}
