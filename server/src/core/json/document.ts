/**
 * A JSON text with source ranges, for validation that must point at nodes. The value comes from
 * the engine's JSON.parse (fast, and `__proto__` becomes an own property, never a prototype); the
 * ranged tree comes from jsonc-parser, built only when something needs a range or the text is not
 * valid JSON. A text nested deeper than MAX_DEPTH is refused before either parser recurses,
 * whatever comes before the nesting (see tooDeep), so that no text can overflow the stack.
 */
import { type Node, type ParseError, findNodeAtLocation, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Diagnostic } from '../diagnostic.js';

export type JsonPath = (string | number)[];

export const MAX_DEPTH = 512;

export interface Span {
  start: number;
  end: number;
}

export class JsonDocument {
  readonly value: unknown;
  /** False when the text is not JSON; `value` is then what could be recovered, or undefined. */
  readonly valid: boolean;
  readonly errors: Diagnostic[] = [];
  private treeCache: Node | undefined | null = null;

  constructor(
    readonly text: string,
    readonly from = 0,
    readonly to = text.length,
  ) {
    const slice = text.slice(from, to);
    const deep = tooDeep(slice);
    if (deep >= 0) {
      this.valid = false;
      this.value = undefined;
      this.treeCache = undefined;
      this.errors.push({ start: from + deep, end: from + deep + 1, severity: 'error', code: 'json.depth', message: `JSON nested more than ${MAX_DEPTH} levels deep is not validated.` });
      return;
    }
    let value: unknown;
    let valid = true;
    try {
      value = JSON.parse(slice);
    } catch {
      valid = false;
    }
    this.valid = valid;
    if (valid) {
      this.value = value;
      return;
    }
    const errors: ParseError[] = [];
    const tree = parseTree(slice, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    this.treeCache = tree;
    for (const e of errors.slice(0, 50)) {
      this.errors.push({ start: from + e.offset, end: from + e.offset + Math.max(1, e.length), severity: 'error', code: 'json.syntax', message: `${describe(printParseErrorCode(e.error))} (RFC 8259).` });
    }
    if (this.errors.length === 0) {
      // JSON.parse refused what jsonc-parser takes: a control character inside a string, say.
      const m = /[\u0000-\u001f]/.exec(slice.replace(/"(?:[^"\\\u0000-\u001f]|\\.)*"/g, (s) => ' '.repeat(s.length)));
      const at = m ? m.index : 0;
      this.errors.push({ start: from + at, end: from + at + 1, severity: 'error', code: 'json.syntax', message: 'A line break or control character inside a JSON string must be escaped (\\n) (RFC 8259 §7).' });
    }
    this.value = tree ? nodeValue(tree) : undefined;
  }

  get tree(): Node | undefined {
    if (this.treeCache === null) this.treeCache = parseTree(this.text.slice(this.from, this.to), [], { disallowComments: true });
    return this.treeCache;
  }

  node(path: JsonPath): Node | undefined {
    const t = this.tree;
    return t && findNodeAtLocation(t, path);
  }

  /** Range of the value at `path`, or of its property key; falls back to the nearest parent. */
  range(path: JsonPath, part: 'value' | 'key' = 'value'): Span {
    for (let p = path; ; p = p.slice(0, -1)) {
      const n = this.node(p);
      if (n) {
        if (part === 'key' && n.parent?.type === 'property' && n.parent.children?.[0]) {
          const k = n.parent.children[0];
          return { start: this.from + k.offset, end: this.from + k.offset + k.length };
        }
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
    const n = this.node(path);
    if (!n || n.type !== 'string') return this.range(path);
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
