/**
 * A JSON text with source ranges, for validation that must point at nodes. The value of a valid
 * text comes from the engine's JSON.parse (fast, and `__proto__` becomes an own property, never a
 * prototype); a text JSON.parse refuses is read once more by a reader that recovers and reports as
 * jsonc-parser does (reader.ts), giving the value and the errors together. Ranges come from an
 * index that reads only the objects and arrays on the paths asked for; jsonc-parser's tree of the
 * whole text is built only when an editor feature asks for `tree`. A text nested deeper than
 * MAX_DEPTH is refused before anything recursive reads it, whatever comes before the nesting (see
 * tooDeep), so that no text can overflow the stack.
 */
import { type Node, findNodeAtLocation, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Diagnostic } from '../diagnostic.js';
import { JsonIndex, type JsonNodeInfo, readJson } from './reader.js';

export type JsonPath = (string | number)[];

export const MAX_DEPTH = 512;

/** Syntax errors reported per text: past these, the rest only repeats what is broken. */
const MAX_SYNTAX_ERRORS = 50;

export interface Span {
  start: number;
  end: number;
}

/**
 * Texts found to be JSON without parsing them (see noteValidJson), the latest last: a document of
 * these is read for its value only when something asks for it.
 */
const knownValid: string[] = [];
const KNOWN_VALID = 4;

/**
 * Records that `text` is JSON nested no deeper than MAX_DEPTH, as its reader knows from the text
 * before an edit (core/json/edit.ts): a large document typed in is then not parsed at every
 * keystroke by features that read only around the cursor.
 */
export function noteValidJson(text: string): void {
  if (knownValid.includes(text)) return;
  if (knownValid.length >= KNOWN_VALID) knownValid.shift();
  knownValid.push(text);
}

export class JsonDocument {
  /** False when the text is not JSON; `value` is then what could be recovered, or undefined. */
  readonly valid: boolean;
  readonly errors: Diagnostic[] = [];
  /** The text from `from` to `to`, what the offsets of the parsers count in. */
  private readonly source: string;
  /** Nested deeper than MAX_DEPTH: nothing reads it. */
  private readonly deep: boolean = false;
  private treeCache: Node | undefined | null = null;
  private indexCache: JsonIndex | undefined;
  private valueCache: unknown;
  /** A text known to be JSON: its value is parsed when first asked for. */
  private unread = false;

  constructor(
    readonly text: string,
    readonly from = 0,
    readonly to = text.length,
  ) {
    const slice = from === 0 && to === text.length ? text : text.slice(from, to);
    this.source = slice;
    if (slice === text && knownValid.includes(text)) {
      this.valid = true;
      this.unread = true;
      return;
    }
    let value: unknown;
    let valid = true;
    try {
      // V8's JSON.parse does not recurse, so it takes any nesting; what reads the text after it is guarded.
      value = JSON.parse(slice);
    } catch {
      valid = false;
    }
    const deep = valid ? tooDeepWellFormed(slice) : tooDeep(slice);
    if (deep >= 0) {
      this.deep = true;
      this.valid = false;
      this.valueCache = undefined;
      this.errors.push({ start: from + deep, end: from + deep + 1, severity: 'error', code: 'json.depth', message: `JSON nested more than ${MAX_DEPTH} levels deep is not validated.` });
      return;
    }
    this.valid = valid;
    if (valid) {
      this.valueCache = value;
      return;
    }
    const read = readJson(slice, MAX_SYNTAX_ERRORS);
    for (const e of read.errors) {
      this.errors.push({ start: from + e.offset, end: from + e.offset + Math.max(1, e.length), severity: 'error', code: 'json.syntax', message: `${describe(printParseErrorCode(e.error))} (RFC 8259).` });
    }
    if (this.errors.length === 0) {
      // JSON.parse refused what jsonc-parser takes: a control character inside a string, say.
      // A string that stops before its closing quote (the group is then empty) is matched and kept as
      // it is: left unmatched, it was read again to that point from each of its escaped quotes.
      const m = /[\u0000-\u001f]/.exec(slice.replace(/"(?:[^"\\\u0000-\u001f]|\\.)*("?)/g, (s, close: string) => (close ? ' '.repeat(s.length) : s)));
      const at = m ? m.index : 0;
      this.errors.push({ start: from + at, end: from + at + 1, severity: 'error', code: 'json.syntax', message: 'A line break or control character inside a JSON string must be escaped (\\n) (RFC 8259 §7).' });
    }
    this.valueCache = read.value;
  }

  /** The value of the text: JSON.parse's for JSON, else what could be recovered (undefined past MAX_DEPTH). */
  get value(): unknown {
    if (this.unread) {
      this.valueCache = JSON.parse(this.source);
      this.unread = false;
    }
    return this.valueCache;
  }

  /** jsonc-parser's tree of the text, for the editor's features; built on first use. */
  get tree(): Node | undefined {
    if (this.treeCache === null) this.treeCache = this.deep ? undefined : parseTree(this.source, [], { disallowComments: true });
    return this.treeCache;
  }

  /** The nodes by path, read only where asked (see JsonIndex); undefined for a text too deep to read. */
  private get index(): JsonIndex | undefined {
    if (this.deep) return undefined;
    return (this.indexCache ??= new JsonIndex(this.source));
  }

  node(path: JsonPath): Node | undefined {
    const t = this.tree;
    return t && findNodeAtLocation(t, path);
  }

  /** Where the node at `path` was written, as jsonc-parser's tree has it, without building that tree. */
  locate(path: JsonPath): JsonNodeInfo | undefined {
    return this.index?.find(path);
  }

  /** The path of the node whose text spans `offset` (relative to the document's text), and whether `offset` is on a property's key. */
  pathAt(offset: number): { path: JsonPath; onKey: boolean } | undefined {
    return this.index?.pathAt(offset - this.from);
  }

  /** Range of the value at `path`, or of its property key; falls back to the nearest parent. */
  range(path: JsonPath, part: 'value' | 'key' = 'value'): Span {
    for (let p = path; ; p = p.slice(0, -1)) {
      const n = this.locate(p);
      if (n) {
        if (part === 'key' && n.keyOffset !== undefined) return { start: this.from + n.keyOffset, end: this.from + n.keyOffset + n.keyLength! };
        return { start: this.from + n.offset, end: this.from + n.offset + n.length };
      }
      if (p.length === 0) return { start: this.from, end: Math.min(this.to, this.from + 1) };
    }
  }

  /**
   * Range of characters [s, e) inside the JSON string at `path`, when the source has no escapes
   * there (so indices map one to one); otherwise the whole string.
   */
  rangeInString(path: JsonPath, s: number, e: number): Span {
    const n = this.locate(path);
    if (!n || n.kind !== 'string') return this.range(path);
    const raw = this.text.slice(this.from + n.offset + 1, this.from + n.offset + n.length - 1);
    if (raw.includes('\\')) return this.range(path);
    const base = this.from + n.offset + 1;
    return { start: base + s, end: base + e };
  }
}

function describe(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'Invalid symbol',
    InvalidNumberFormat: 'Invalid number format',
    PropertyNameExpected: 'A property name (a string in double quotes) is expected',
    ValueExpected: 'A value is expected',
    ColonExpected: "':' is expected",
    CommaExpected: "',' is expected",
    CloseBraceExpected: "'}' is expected",
    CloseBracketExpected: "']' is expected",
    EndOfFileExpected: 'Nothing may follow the JSON value',
    InvalidCommentToken: 'Comments are not allowed in JSON',
    UnexpectedEndOfComment: 'Unexpected end of comment',
    UnexpectedEndOfString: 'The string is not closed',
    UnexpectedEndOfNumber: 'Unexpected end of number',
    InvalidUnicode: 'Invalid unicode escape',
    InvalidEscapeCharacter: 'Invalid escape character',
    InvalidCharacter: 'Invalid character',
  };
  return words[code] ?? code;
}

/**
 * Offset of the opening bracket at which the nesting of [ and { passes MAX_DEPTH, or -1; in one
 * pass, without recursion, stopping there.
 *
 * The count must never be lower than the depth jsonc-parser will recurse to, or a hostile text
 * overflows the stack in spite of the guard; so this reads tokens as its scanner does (jsonc-parser
 * 3.x, impl/scanner.js), not as RFC 8259 would have them:
 * - a string ends at its closing quote or at a line break (CR or LF), which jsonc-parser reports
 *   and reads on from: a `"` and a newline do not hide what follows; a backslash takes the next
 *   character, whatever it is;
 * - a line comment runs to a line break, a block comment to the first star and slash after its
 *   opening, or to the end: both are skipped (and reported) even with comments disallowed, so
 *   brackets inside them do not count;
 * - a closing bracket ends a level only when it matches the innermost open one: jsonc-parser skips
 *   a `}` in an array and a `]` in an object as errors, so counting those down would let
 *   `[` + 100,000 `}` + `,` + 100,000 `[` through.
 * Numbers, literals and unknown symbols never hold a bracket in that scanner. Counting an opening
 * bracket that jsonc-parser skips only makes the guard stricter. JSON.parse accepts nothing this
 * reads differently: its strings hold no line break and it has no comments.
 */
function tooDeep(s: string): number {
  // The open levels, innermost last: 91 for '[', 123 for '{'; never longer than MAX_DEPTH + 1.
  const open: number[] = [];
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      // A string, to its closing quote or to a line break (a token of its own, never a bracket).
      for (i++; i < n; i++) {
        const d = s.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34 || d === 10 || d === 13) break;
      }
    } else if (c === 47 && s.charCodeAt(i + 1) === 47) {
      for (i += 2; i < n; i++) {
        const d = s.charCodeAt(i);
        if (d === 10 || d === 13) break;
      }
    } else if (c === 47 && s.charCodeAt(i + 1) === 42) {
      for (i += 2; i < n; i++) {
        if (s.charCodeAt(i) === 42 && s.charCodeAt(i + 1) === 47) {
          i++;
          break;
        }
      }
    } else if (c === 91 || c === 123) {
      open.push(c);
      if (open.length > MAX_DEPTH) return i;
    } else if ((c === 93 && open[open.length - 1] === 91) || (c === 125 && open[open.length - 1] === 123)) {
      open.pop();
    }
  }
  return -1;
}

/**
 * tooDeep for a text JSON.parse took: there strings end at their closing quote and brackets
 * match, so a count of brackets outside strings is the nesting, and the strings are skipped by
 * searching for their quote (about twice as fast as reading them character by character).
 */
function tooDeepWellFormed(s: string): number {
  let depth = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // Below '[' only the quote matters (digits, blanks, commas and colons are skipped by one test).
    if (c < 91) {
      if (c !== 34) continue;
      let j = s.indexOf('"', i + 1);
      // A quote after an odd run of backslashes is escaped: the string goes on.
      while (s.charCodeAt(j - 1) === 92) {
        let k = j - 1;
        while (s.charCodeAt(k) === 92) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j = s.indexOf('"', j + 1);
      }
      i = j;
    } else if ((c | 32) === 123) {
      // '[' or '{'
      if (++depth > MAX_DEPTH) return i;
    } else if ((c | 32) === 125) depth--; // ']' or '}'
  }
  return -1;
}

/** The value of a jsonc-parser node; object keys are defined, never assigned (no prototype writes). */
export function nodeValue(n: Node): unknown {
  switch (n.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const p of n.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k?.type !== 'string') continue;
        Object.defineProperty(o, k.value as string, { value: v ? nodeValue(v) : null, enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    case 'array':
      return (n.children ?? []).map(nodeValue);
    default:
      return n.value;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}
