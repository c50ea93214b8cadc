/**
 * Character classes and bounded searches of the XML parser, read by character code: a regular
 * expression or a one-character string per character costs more than the parse itself on a
 * document of megabytes.
 */

/** ASCII part of NameStartChar (bit 1) and NameChar (bit 2), XML 1.0 §2.3 [4], [4a]. */
const ASCII_NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const start = c === 0x3a || c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  const char = start || c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39);
  ASCII_NAME[c] = (start ? 1 : 0) | (char ? 2 : 0);
}

/**
 * NameStartChar above ASCII (XML 1.0 §2.3 [4]), by UTF-16 code unit: a surrogate counts, as
 * #x10000-#xEFFFF is written with two of them.
 */
function wideNameStart(c: number): boolean {
  return (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) || (c >= 0x370 && c <= 0x37d)
    || (c >= 0x37f && c <= 0x1fff) || c === 0x200c || c === 0x200d || (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef)
    || (c >= 0x3001 && c <= 0xdfff) || (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd);
}

/** NaN (a read past the end of the text) is no name character. */
export function isNameStart(c: number): boolean {
  return c < 128 ? (ASCII_NAME[c]! & 1) !== 0 : wideNameStart(c);
}

export function isNameChar(c: number): boolean {
  return c < 128 ? (ASCII_NAME[c]! & 2) !== 0 : wideNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}

/**
 * What a regular expression's `\s` (and String.prototype.trim) takes for white space. Wider than
 * XML's S (§2.3 [3]); the messages and ranges were defined with it, so it stays.
 */
export function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Offset of the first `needle` that lies wholly in s[from, to), or -1. String.prototype.indexOf
 * cannot be told where to stop: run from every text node of a document (or every part of a file
 * holding many), a miss would read on to the end of the whole text each time.
 */
export function indexWithin(s: string, needle: string, from: number, to: number): number {
  const first = needle.charCodeAt(0);
  const last = to - needle.length;
  next: for (let k = from; k <= last; k++) {
    if (s.charCodeAt(k) !== first) continue;
    for (let j = 1; j < needle.length; j++) if (s.charCodeAt(k + j) !== needle.charCodeAt(j)) continue next;
    return k;
  }
  return -1;
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

/**
 * End of the reference `&...;` at `amp` (the offset after its ';'), or -1 when there is none
 * wholly before `limit`: `&#` digits `;`, `&#x` hex digits `;`, or `&` Name `;` with an ASCII
 * Name (XML 1.0 §4.1 [66], [68]; wider names are reported as malformed, never looked up).
 */
export function referenceEnd(s: string, amp: number, limit: number): number {
  let k = amp + 1;
  if (k >= limit) return -1;
  let c = s.charCodeAt(k);
  if (c === 0x23) {
    k++;
    const hex = s.charCodeAt(k) === 0x78 && k < limit;
    if (hex) k++;
    const digits = k;
    for (; k < limit; k++) {
      c = s.charCodeAt(k);
      if (!(c >= 0x30 && c <= 0x39) && !(hex && ((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)))) break;
    }
    return k > digits && k < limit && c === 0x3b ? k + 1 : -1;
  }
  if (!(c === 0x3a || c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) return -1;
  for (k++; k < limit; k++) {
    c = s.charCodeAt(k);
    if (c === 0x3b) return k + 1;
    if (c >= 128 || (ASCII_NAME[c]! & 2) === 0) return -1;
  }
  return -1;
}

/** Where the faults of references go; decoding text again for reading reports nothing. */
export interface ErrorSink {
  error(start: number, end: number, message: string, code?: string): void;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/**
 * The text of s[from, to) with its references decoded; malformed and undefined ones go to `sink`
 * and stay in the text as written ('&' alone for a malformed one). `amp` is the first '&' in the
 * span, when the caller knows it already. Every search stays within the span.
 */
export function decodeSpan(s: string, from: number, to: number, sink?: ErrorSink, amp = indexWithin(s, '&', from, to)): string {
  if (amp < 0) return s.slice(from, to);
  let out = '';
  let k = from;
  while (amp >= 0) {
    out += s.slice(k, amp);
    const end = referenceEnd(s, amp, Math.min(amp + 64, to));
    if (end < 0) {
      sink?.error(amp, amp + 1, "'&' must start a reference such as &amp;; write &amp; for a literal '&'.");
      out += '&';
      k = amp + 1;
    } else {
      out += referenceText(s, amp, end, sink);
      k = end;
    }
    amp = indexWithin(s, '&', k, to);
  }
  return out + s.slice(k, to);
}

/** What the well-formed reference s[amp, end) stands for: a character, or itself when undefined. */
function referenceText(s: string, amp: number, end: number, sink: ErrorSink | undefined): string {
  const written = s.slice(amp, end);
  if (s.charCodeAt(amp + 1) === 0x23) {
    const cp = s.charCodeAt(amp + 2) === 0x78 ? parseInt(written.slice(3, -1), 16) : parseInt(written.slice(2, -1), 10);
    // XML 1.0 §2.2 Char.
    const ok = cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (ok) return String.fromCodePoint(cp);
    sink?.error(amp, end, `${written} is not a character allowed in XML.`);
    return '';
  }
  const name = written.slice(1, -1);
  // An own property only: `in` would take &constructor; for one of the predefined five.
  if (Object.prototype.hasOwnProperty.call(PREDEFINED, name)) return PREDEFINED[name]!;
  sink?.error(amp, end, `Entity ${written} is not defined; entities other than the five predefined ones are never expanded`, 'xml.entity');
  return written;
}
