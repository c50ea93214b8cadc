/**
 * Formatting, whole document or a range, for the file kinds that got languages of their own and
 * so lost the editor's JSON and XML formatters: DM 2.0 packages (JSON, comments kept), delegation
 * messages and DDFs (XML), and DM Notifications in hex (`#` comments kept and aligned).
 *
 * Formatting only ever changes whitespace that carries nothing: between JSON tokens, between the
 * elements of XML element content (not inside text, attribute values or mixed content, XML 1.0
 * §2.10), and the separators between hex bytes. Each formatter checks that the formatted text
 * reads back as the same value and gives no edits otherwise.
 */
import { type FormattingOptions as JsonFormatOptions, format as jsonFormat, parse as jsonParse, type ParseError } from 'jsonc-parser';
import type { TextEdit } from '../core/diagnostic.js';
import { declarationEnd, parseXml } from '../core/xml/parse.js';
import { parseInput } from '../core/notification/input.js';

export interface FormatOptions {
  tabSize: number;
  insertSpaces: boolean;
}

export type FormatKind = 'json' | 'xml' | 'hex';

export interface Span {
  start: number;
  end: number;
}

export function formatText(text: string, kind: FormatKind, options: FormatOptions, range?: Span): TextEdit[] {
  const edits = kind === 'json' ? formatJson(text, options, range) : kind === 'xml' ? formatXml(text, options) : formatHex(text);
  const inRange = range ? edits.filter((e) => (e.start === e.end ? e.start >= range.start && e.start <= range.end : e.start < range.end && e.end > range.start)) : edits;
  return inRange.filter((e) => text.slice(e.start, e.end) !== e.newText);
}

export function applyTextEdits(text: string, edits: TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, e.start) + e.newText;
    at = e.end;
  }
  return out + text.slice(at);
}

const eolOf = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n');
const unit = (o: FormatOptions): string => (o.insertSpaces ? ' '.repeat(Math.max(1, o.tabSize)) : '\t');

// ---- JSON

function jsonValue(text: string): string {
  const errors: ParseError[] = [];
  return JSON.stringify(jsonParse(text, errors, { allowTrailingComma: true, disallowComments: false })) + `/${errors.length}`;
}

function formatJson(text: string, options: FormatOptions, range?: Span): TextEdit[] {
  const opts: JsonFormatOptions = { tabSize: options.tabSize, insertSpaces: options.insertSpaces, eol: eolOf(text), keepLines: false };
  const edits = jsonFormat(text, range ? { offset: range.start, length: range.end - range.start } : undefined, opts).map((e) => ({ start: e.offset, end: e.offset + e.length, newText: e.content }));
  // jsonc-parser changes whitespace only; the value (comments aside) must read back the same.
  return jsonValue(applyTextEdits(text, edits)) === jsonValue(text) ? edits : [];
}

// ---- XML

interface XmlNode {
  kind: 'element' | 'text' | 'other';
  start: number;
  end: number;
  /** For elements: the end of the start tag and the start of the end tag (equal to end for `<x/>`). */
  contentStart?: number;
  contentEnd?: number;
  children?: XmlNode[];
}

/** Markup and text in document order, nested by element; undefined when the text is not well-formed. */
function xmlTree(text: string): XmlNode[] | undefined {
  if (parseXml(text).errors.length) return undefined;
  const top: XmlNode[] = [];
  const stack: XmlNode[] = [];
  const add = (n: XmlNode): void => {
    (stack.length ? stack[stack.length - 1]!.children! : top).push(n);
  };
  const n = text.length;
  let i = 0;
  const upTo = (close: string): number => {
    const at = text.indexOf(close, i);
    return at < 0 ? -1 : at + close.length;
  };
  while (i < n) {
    if (text[i] !== '<') {
      const next = text.indexOf('<', i);
      const end = next < 0 ? n : next;
      add({ kind: 'text', start: i, end });
      i = end;
      continue;
    }
    let end: number;
    if (text.startsWith('<!--', i)) end = upTo('-->');
    else if (text.startsWith('<![CDATA[', i)) {
      end = upTo(']]>');
      if (end < 0) return undefined;
      add({ kind: 'text', start: i, end });
      i = end;
      continue;
    } else if (text.startsWith('<?', i)) end = upTo('?>');
    else if (text.startsWith('<!', i)) {
      const k = declarationEnd(text, i + 2, n);
      end = k < n ? k + 1 : -1;
    } else if (text.startsWith('</', i)) {
      end = upTo('>');
      const open = stack.pop();
      if (end < 0 || !open) return undefined;
      open.contentEnd = i;
      open.end = end;
      i = end;
      continue;
    } else {
      let quote = '';
      let k = i + 1;
      for (; k < n; k++) {
        const c = text[k]!;
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (k >= n) return undefined;
      end = k + 1;
      const selfClosing = text[k - 1] === '/';
      const el: XmlNode = { kind: 'element', start: i, end, contentStart: end, contentEnd: end, children: [] };
      add(el);
      if (!selfClosing) stack.push(el);
      i = end;
      continue;
    }
    if (end < 0) return undefined;
    add({ kind: 'other', start: i, end });
    i = end;
  }
  return stack.length ? undefined : top;
}

const blank = (text: string, n: XmlNode): boolean => n.kind === 'text' && !text.startsWith('<![CDATA[', n.start) && /^[ \t\r\n]*$/.test(text.slice(n.start, n.end));

/** Replaces the whitespace between the markup items of `items` (after `from`, before `to`). */
function layout(text: string, items: XmlNode[], from: number, to: number, inner: string, outer: string, out: TextEdit[]): void {
  const marks = items.filter((c) => !blank(text, c));
  let at = from;
  for (const m of marks) {
    out.push({ start: at, end: m.start, newText: inner });
    at = m.end;
  }
  out.push({ start: at, end: to, newText: outer });
}

function formatXml(text: string, options: FormatOptions): TextEdit[] {
  const top = xmlTree(text);
  if (!top) return [];
  const eol = eolOf(text);
  const ind = unit(options);
  const out: TextEdit[] = [];
  // The prolog, the root and what follows it: one item a line.
  const marks = top.filter((c) => !blank(text, c));
  if (marks.some((m) => m.kind === 'text')) return [];
  for (let k = 1; k < marks.length; k++) out.push({ start: marks[k - 1]!.end, end: marks[k]!.start, newText: eol });
  const last = marks[marks.length - 1];
  if (last && last.end < text.length) out.push({ start: last.end, end: text.length, newText: eol });
  const visit = (el: XmlNode, depth: number): void => {
    const kids = el.children ?? [];
    // Element content only (XML 1.0 §3.2.1): a text child makes it mixed, kept as written.
    if (!kids.some((c) => c.kind === 'element') || kids.some((c) => c.kind === 'text' && !blank(text, c))) return;
    layout(text, kids, el.contentStart!, el.contentEnd!, eol + ind.repeat(depth + 1), eol + ind.repeat(depth), out);
    for (const c of kids) if (c.kind === 'element') visit(c, depth + 1);
  };
  for (const m of marks) if (m.kind === 'element') visit(m, 0);
  const formatted = applyTextEdits(text, out);
  return sameXml(text, formatted) ? out : [];
}

/** The same elements, attributes and text, whitespace of element content aside. */
function sameXml(a: string, b: string): boolean {
  const shape = (t: string): string => {
    const doc = parseXml(t);
    if (doc.errors.length || !doc.root) return `!${doc.errors.length}`;
    const parts: string[] = [];
    const stack = [doc.root];
    while (stack.length) {
      const el = stack.pop()!;
      parts.push(`<${el.name} ${el.attributes.map((x) => `${x.name}=${x.value}`).join(' ')}>${el.children.length ? el.text.trim() : el.text}`);
      for (let k = el.children.length - 1; k >= 0; k--) stack.push(el.children[k]!);
    }
    return parts.join('\u0000');
  };
  return shape(a) === shape(b);
}

// ---- DM Notification in hex

const HEX = /^(?:0x)?([0-9a-fA-F]+)$/;

/**
 * One line at a time: the bytes as pairs of hex digits separated by one space, each `#` comment
 * after its bytes aligned one column past the longest line of bytes. Base64 is left as written
 * (trailing whitespace aside), as is a token that is not whole bytes of hex.
 */
function formatHex(text: string): TextEdit[] {
  const input = parseInput(text);
  const lines: { start: number; end: number; code: string; comment: string; raw: string }[] = [];
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const contentEnd = end > start && text[end - 1] === '\r' ? end - 1 : end;
    const raw = text.slice(start, contentEnd);
    const hash = raw.indexOf('#');
    const code = hash < 0 ? raw : raw.slice(0, hash);
    lines.push({ start, end: contentEnd, code, comment: hash < 0 ? '' : raw.slice(hash).trimEnd(), raw });
    start = end + 1;
    if (end === text.length) break;
  }
  const codeOf = (code: string): string => {
    if (input.form !== 'hex') return code.trim();
    const tokens = code.split(/[\s:]+/).filter(Boolean);
    const pairs: string[] = [];
    for (const t of tokens) {
      const m = HEX.exec(t);
      if (!m || m[1]!.length % 2) return code.trim().replace(/\s+/g, ' ');
      for (let k = 0; k < m[1]!.length; k += 2) pairs.push(m[1]!.slice(k, k + 2));
    }
    return pairs.join(' ');
  };
  const codes = lines.map((l) => codeOf(l.code));
  const column = Math.max(0, ...lines.map((l, k) => (l.comment && codes[k] ? codes[k]!.length + 1 : 0)));
  const out: TextEdit[] = lines.map((l, k) => {
    const code = codes[k]!;
    // A line that is only a comment keeps its indentation.
    const newText = !l.comment ? code : !code ? l.raw.slice(0, l.raw.indexOf('#')).replace(/\S/g, '') + l.comment : code.padEnd(column) + l.comment;
    return { start: l.start, end: l.end, newText };
  });
  const formatted = applyTextEdits(text, out);
  const before = parseInput(text);
  const after = parseInput(formatted);
  const same = before.form === after.form && before.errors.length === after.errors.length && Buffer.from(before.bytes).equals(Buffer.from(after.bytes));
  return same ? out : [];
}
