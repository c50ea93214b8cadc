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

export interface XmlAttribute {
  name: string;
  value: string;
  start: number;
  end: number;
  nameEnd: number;
  /** Range of the value inside its quotes. */
  valueStart: number;
  valueEnd: number;
}

export interface XmlElement {
  name: string;
  /** Offset of `<` of the start tag. */
  start: number;
  /** Offset after the end tag (or after `/>`, or where the element was cut short). */
  end: number;
  nameStart: number;
  nameEnd: number;
  /** Offset after the `>` of the start tag. */
  startTagEnd: number;
  /** Offset of `</` of the end tag, when there is one. */
  closeStart?: number;
  closeNameStart?: number;
  closeNameEnd?: number;
  selfClosing: boolean;
  attributes: XmlAttribute[];
  children: XmlElement[];
  parent?: XmlElement;
  /** Character data and CDATA directly inside this element, references decoded. */
  text: string;
}

export interface XmlDoctype {
  start: number;
  end: number;
  declaresEntities: boolean;
}

export interface XmlDocument {
  /** The first top-level element. */
  root?: XmlElement;
  errors: Diagnostic[];
  doctype?: XmlDoctype;
  from: number;
  to: number;
}

const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\uD800-\\uDFFF';
const NAME_CHAR = NAME_START + '\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040';
const NAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'y');
/** XML 1.0 §2.2 Char, less what a well-formed text may contain unescaped. */
const BAD_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
/** Past this many faults the rest of the input is not worth reporting on (binary junk). */
const MAX_ERRORS = 100;

export function parseXml(text: string, from = 0, to = text.length): XmlDocument {
  return new Parser(text, from, to).run();
}

/**
 * Offset of the first `needle` that lies wholly in s[from, to), or -1. String.prototype.indexOf
 * cannot be told where to stop: run from every text node of a document (or every part of a file
 * holding many), a miss would read on to the end of the whole text each time.
 */
function indexWithin(s: string, needle: string, from: number, to: number): number {
  const first = needle.charCodeAt(0);
  const last = to - needle.length;
  next: for (let k = from; k <= last; k++) {
    if (s.charCodeAt(k) !== first) continue;
    for (let j = 1; j < needle.length; j++) if (s.charCodeAt(k + j) !== needle.charCodeAt(j)) continue next;
    return k;
  }
  return -1;
}

class Parser {
  private i: number;
  private readonly stack: XmlElement[] = [];
  private readonly doc: XmlDocument;

  constructor(
    private readonly s: string,
    from: number,
    private readonly to: number,
  ) {
    this.i = from;
    this.doc = { errors: [], from, to };
  }

  run(): XmlDocument {
    const s = this.s;
    if (s.charCodeAt(this.i) === 0xfeff) this.i++;
    while (this.i < this.to && this.doc.errors.length < MAX_ERRORS) {
      if (s[this.i] === '<') this.markup();
      else this.charData();
    }
    for (let k = this.stack.length - 1; k >= 0; k--) {
      const el = this.stack[k]!;
      el.end = this.to;
      this.error(el.nameStart, el.nameEnd, `<${el.name}> is never closed: the document ends before </${el.name}>.`);
    }
    if (!this.doc.root && this.doc.errors.length === 0) {
      this.error(this.to, this.to, 'The document has no root element.');
    }
    return this.doc;
  }

  private error(start: number, end: number, message: string, code = 'xml.syntax'): void {
    if (this.doc.errors.length >= MAX_ERRORS) return;
    this.doc.errors.push({ start, end: Math.max(end, start), severity: 'error', code, message: `${message} (XML 1.0)` });
  }

  private get top(): XmlElement | undefined {
    return this.stack[this.stack.length - 1];
  }

  private markup(): void {
    const s = this.s;
    const at = this.i;
    if (s.startsWith('<?', at)) return this.processingInstruction();
    if (s.startsWith('<!--', at)) return this.comment();
    if (s.startsWith('<![CDATA[', at)) return this.cdata();
    if (s.startsWith('<!DOCTYPE', at)) return this.doctype();
    if (s.startsWith('</', at)) return this.closeTag();
    if (s[at + 1] === '!') {
      this.error(at, at + 2, "'<!' starts only a comment, a CDATA section or a DOCTYPE here.");
      this.i = at + 2;
      return;
    }
    NAME.lastIndex = at + 1;
    if (NAME.test(s) && NAME.lastIndex <= this.to) return this.openTag();
    this.error(at, at + 1, "'<' must start a tag; write &lt; for a literal '<'.");
    this.i = at + 1;
  }

  private find(needle: string, from: number): number {
    return indexWithin(this.s, needle, from, this.to);
  }

  private processingInstruction(): void {
    const at = this.i;
    const close = this.find('?>', at + 2);
    NAME.lastIndex = at + 2;
    const target = NAME.test(this.s) ? this.s.slice(at + 2, NAME.lastIndex) : '';
    if (!target) this.error(at, at + 2, 'A processing instruction needs a target name.');
    if (close < 0) {
      this.error(at, at + 2 + target.length, `'<?${target}' is not closed with '?>'.`);
      this.i = this.to;
      return;
    }
    // Only a byte order mark may precede it; compared by offset, not by copying what comes before.
    const first = at === this.doc.from || (at === this.doc.from + 1 && this.s.charCodeAt(this.doc.from) === 0xfeff);
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
    if (!this.top) this.error(at, at + 9, 'CDATA is allowed only inside an element.');
    if (close < 0) {
      this.error(at, at + 9, "CDATA section is not closed with ']]>'.");
      this.i = this.to;
      return;
    }
    if (this.top) this.top.text += this.s.slice(at + 9, close);
    this.i = close + 3;
  }

  private doctype(): void {
    const s = this.s;
    const at = this.i;
    const k = declarationEnd(s, at + 9, this.to);
    const end = Math.min(k + 1, this.to);
    const body = s.slice(at, end);
    this.doc.doctype = { start: at, end, declaresEntities: /<!ENTITY/i.test(body) || /\bSYSTEM\b|\bPUBLIC\b/.test(body) };
    if (this.doc.root || this.stack.length) this.error(at, at + 9, 'A DOCTYPE may only come before the root element.');
    if (k >= this.to) this.error(at, at + 9, "DOCTYPE is not closed with '>'.");
    this.i = end;
  }

  private name(from: number): number {
    NAME.lastIndex = from;
    return NAME.test(this.s) ? Math.min(NAME.lastIndex, this.to) : from;
  }

  private skipSpace(k: number): number {
    while (k < this.to && /\s/.test(this.s[k]!)) k++;
    return k;
  }

  private openTag(): void {
    const s = this.s;
    const at = this.i;
    const nameEnd = this.name(at + 1);
    const el: XmlElement = {
      name: s.slice(at + 1, nameEnd),
      start: at,
      end: nameEnd,
      nameStart: at + 1,
      nameEnd,
      startTagEnd: nameEnd,
      selfClosing: false,
      attributes: [],
      children: [],
      text: '',
    };
    const parent = this.top;
    if (parent) {
      el.parent = parent;
      parent.children.push(el);
    } else if (this.doc.root) {
      this.error(el.nameStart, el.nameEnd, `A document has one root element; <${el.name}> comes after <${this.doc.root.name}>.`);
    } else {
      this.doc.root = el;
    }
    // Names seen so far, so that 100,000 attributes cost 100,000 look-ups, not 5·10⁹ comparisons.
    const names = new Set<string>();
    let k = nameEnd;
    for (;;) {
      const ws = this.skipSpace(k);
      if (ws >= this.to) {
        this.error(el.nameStart, el.nameEnd, `Start tag <${el.name}> is not closed with '>'.`);
        el.end = el.startTagEnd = this.to;
        this.i = this.to;
        return;
      }
      const c = s[ws];
      if (c === '>' || (c === '/' && s[ws + 1] === '>')) {
        el.selfClosing = c === '/';
        el.startTagEnd = ws + (el.selfClosing ? 2 : 1);
        this.i = el.startTagEnd;
        if (el.selfClosing) el.end = el.startTagEnd;
        else this.stack.push(el);
        return;
      }
      if (c === '<') {
        // A start tag cut short by the next tag (someone is typing): report it, go on from the '<'.
        this.error(el.nameStart, el.nameEnd, `Start tag <${el.name}> is not closed with '>'.`);
        el.startTagEnd = el.end = ws;
        this.stack.push(el);
        this.i = ws;
        return;
      }
      if (ws === k) {
        this.error(ws, ws + 1, `Unexpected '${c}' in start tag <${el.name}>: expected whitespace, '>' or '/>'.`);
        k = ws + 1;
        continue;
      }
      k = this.attribute(el, names, ws);
    }
  }

  /** Reads one attribute at `k`; returns where scanning goes on. */
  private attribute(el: XmlElement, names: Set<string>, k: number): number {
    const s = this.s;
    const nameEnd = this.name(k);
    if (nameEnd === k) {
      this.error(k, k + 1, `Unexpected '${s[k]}' in start tag <${el.name}>: expected an attribute name, '>' or '/>'.`);
      return k + 1;
    }
    const name = s.slice(k, nameEnd);
    const eq = this.skipSpace(nameEnd);
    if (s[eq] !== '=') {
      this.error(k, nameEnd, `Attribute '${name}' needs a value: ${name}="...".`);
      return nameEnd;
    }
    const q = this.skipSpace(eq + 1);
    const quote = s[q];
    if (quote !== '"' && quote !== "'") {
      this.error(q, q + 1, `The value of attribute '${name}' must be quoted.`);
      let e = q;
      while (e < this.to && !/[\s>]/.test(s[e]!)) e++;
      return e;
    }
    // The value ends at its quote; a '<' first means the quote is missing (AttValue excludes '<', XML 1.0 §2.3).
    let close = q + 1;
    while (close < this.to && s[close] !== quote && s[close] !== '<') close++;
    if (close >= this.to || s[close] === '<') {
      this.error(q, q + 1, `The value of attribute '${name}' is not closed with ${quote}.`);
      return close;
    }
    const attr: XmlAttribute = {
      name,
      value: this.decode(s.slice(q + 1, close), q + 1),
      start: k,
      end: close + 1,
      nameEnd,
      valueStart: q + 1,
      valueEnd: close,
    };
    if (names.has(name)) this.error(k, nameEnd, `Attribute '${name}' is repeated.`);
    names.add(name);
    el.attributes.push(attr);
    return close + 1;
  }

  private closeTag(): void {
    const s = this.s;
    const at = this.i;
    const nameEnd = this.name(at + 2);
    const name = s.slice(at + 2, nameEnd);
    const gt = this.skipSpace(nameEnd);
    let end = gt + 1;
    if (!name) this.error(at, at + 2, "'</' must be followed by the name of the element it closes.");
    if (s[gt] !== '>') {
      this.error(at, nameEnd, `End tag </${name}> is not closed with '>'.`);
      end = gt;
    }
    this.i = Math.max(end, at + 2);
    if (!name) return;
    // The open element is the usual match; search deeper only when it is not (keeps depth linear).
    let idx = this.stack.length - 1;
    while (idx >= 0 && this.stack[idx]!.name !== name) idx--;
    if (idx < 0) {
      const open = this.top;
      this.error(at + 2, nameEnd, open ? `</${name}> does not match the open element <${open.name}>.` : `</${name}> closes no open element.`);
      if (!open) return;
      // Most often a misspelt end tag: let it close the open element, so one typo is one error.
      this.stack.pop();
      open.closeStart = at;
      open.closeNameStart = at + 2;
      open.closeNameEnd = nameEnd;
      open.end = this.i;
      return;
    }
    while (this.stack.length - 1 > idx) {
      const el = this.stack.pop()!;
      el.end = at;
      this.error(el.nameStart, el.nameEnd, `<${el.name}> is not closed before </${name}>.`);
    }
    const el = this.stack.pop()!;
    el.closeStart = at;
    el.closeNameStart = at + 2;
    el.closeNameEnd = nameEnd;
    el.end = this.i;
  }

  private charData(): void {
    const s = this.s;
    const at = this.i;
    let lt = indexWithin(s, '<', at, this.to);
    if (lt < 0) lt = this.to;
    this.i = lt;
    const raw = s.slice(at, lt);
    const bad = BAD_CHAR.exec(raw);
    if (bad) {
      const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      this.error(at + bad.index, at + bad.index + 1, `Character U+${code} is not allowed in an XML document (binary data?).`);
    }
    const top = this.top;
    if (!top) {
      const t = raw.search(/\S/);
      if (t >= 0) {
        const where = this.doc.root ? 'after the root element' : 'before the root element';
        this.error(at + t, at + raw.trimEnd().length, `Text is not allowed ${where}.`);
      }
      return;
    }
    const cdEnd = raw.indexOf(']]>');
    if (cdEnd >= 0) this.error(at + cdEnd, at + cdEnd + 3, "']]>' is not allowed in text; write ]]&gt;.");
    top.text += this.decode(raw, at);
  }

  /**
   * Decodes references in `raw`, which is the source from offset `base` on, reporting malformed
   * and undefined ones. Searching the slice, not the whole text, keeps each '&' search to its span.
   */
  private decode(raw: string, base: number): string {
    let out = '';
    let k = 0;
    for (;;) {
      const amp = raw.indexOf('&', k);
      if (amp < 0) return out + raw.slice(k);
      out += raw.slice(k, amp);
      const m = /^&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_:][\w.:-]*);/.exec(raw.slice(amp, amp + 64));
      if (!m) {
        this.error(base + amp, base + amp + 1, "'&' must start a reference such as &amp;; write &amp; for a literal '&'.");
        out += '&';
        k = amp + 1;
        continue;
      }
      const ref = m[1]!;
      const end = amp + m[0].length;
      const at = base + amp;
      if (ref[0] === '#') {
        const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        const ok = cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
        if (ok) out += String.fromCodePoint(cp);
        else this.error(at, base + end, `${m[0]} is not a character allowed in XML.`);
      } else if (Object.prototype.hasOwnProperty.call(PREDEFINED, ref)) {
        // An own property only: `in` would take &constructor; for one of the predefined five.
        out += PREDEFINED[ref];
      } else {
        this.error(at, base + end, `Entity ${m[0]} is not defined; entities other than the five predefined ones are never expanded`, 'xml.entity');
        out += m[0];
      }
      k = end;
    }
  }
}

/** Range of the element's content (between its tags), or an empty range after the start tag. */
export function contentRange(el: XmlElement): { start: number; end: number } {
  return { start: el.startTagEnd, end: el.selfClosing ? el.startTagEnd : (el.closeStart ?? el.end) };
}

/** The element whose tags or content contain `offset`, innermost first. */
export function elementAt(root: XmlElement | undefined, offset: number): XmlElement | undefined {
  let cur = root && offset >= root.start && offset <= root.end ? root : undefined;
  while (cur) {
    const next: XmlElement | undefined = cur.children.find((c) => offset >= c.start && offset <= c.end);
    if (!next) return cur;
    cur = next;
  }
  return undefined;
}

/**
 * Where a markup declaration such as `<!DOCTYPE name [ internal subset ]>` ends: the offset of its
 * closing '>', or `to` when it has none. Brackets and quoted strings may hold '>' (XML 1.0 2.8).
 */
export function declarationEnd(text: string, from: number, to: number): number {
  let depth = 0;
  let quote = '';
  let k = from;
  for (; k < to; k++) {
    const c = text[k];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) break;
  }
  return k;
}
