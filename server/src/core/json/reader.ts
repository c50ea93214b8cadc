/**
 * A JSON reader that gives exactly what jsonc-parser 3.x gives for the same text with comments
 * disallowed and no trailing commas (its scanner, impl/scanner.js, and its error recovery,
 * impl/parser.js `visit`), without building jsonc-parser's tree of nodes:
 *
 * - `readJson` makes the value (as `nodeValue` of jsonc-parser's tree would) and the errors in one
 *   pass: a text JSON.parse refuses costs one more pass, not a second tree of the whole text;
 * - `JsonIndex` finds the node at a path (as jsonc-parser's `findNodeAtLocation`) by reading only
 *   the containers on the way, each once: an object or array read for one path is kept for the
 *   next, so positions are recorded only where something is reported.
 *
 * The recovery is jsonc-parser's, decision for decision (what is skipped after which error, where
 * an unclosed container ends), so that ranges and messages stay what they were. Reading recurses
 * as jsonc-parser does; callers check the nesting first (document.ts, tooDeep).
 */
import type { ParseError, ParseErrorCode } from 'jsonc-parser';

// Token kinds, numbered as jsonc-parser's SyntaxKind.
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const COMMA = 5;
const COLON = 6;
const NULL = 7;
const TRUE = 8;
const FALSE = 9;
const STRING = 10;
const NUMBER = 11;
const LINE_COMMENT = 12;
const BLOCK_COMMENT = 13;
const LINE_BREAK = 14;
const TRIVIA = 15;
const UNKNOWN = 16;
const EOF = 17;

// Scan errors, numbered as jsonc-parser's ScanError.
const SE_END_OF_COMMENT = 1;
const SE_END_OF_STRING = 2;
const SE_END_OF_NUMBER = 3;
const SE_INVALID_UNICODE = 4;
const SE_INVALID_ESCAPE = 5;
const SE_INVALID_CHARACTER = 6;

// Parse errors, numbered as jsonc-parser's ParseErrorCode.
const INVALID_SYMBOL = 1;
const INVALID_NUMBER_FORMAT = 2;
const PROPERTY_NAME_EXPECTED = 3;
const VALUE_EXPECTED = 4;
const COLON_EXPECTED = 5;
const COMMA_EXPECTED = 6;
const CLOSE_BRACE_EXPECTED = 7;
const CLOSE_BRACKET_EXPECTED = 8;
const END_OF_FILE_EXPECTED = 9;
const INVALID_COMMENT_TOKEN = 10;
const UNEXPECTED_END_OF_STRING = 12;
const UNEXPECTED_END_OF_NUMBER = 13;
const INVALID_UNICODE = 14;
const INVALID_ESCAPE_CHARACTER = 15;
const INVALID_CHARACTER = 16;

// Token sets of the recovery, as bit masks of token kinds.
const IN_OBJECT = (1 << CLOSE_BRACE) | (1 << COMMA);
const IN_ARRAY = (1 << CLOSE_BRACKET) | (1 << COMMA);

/** What parseValue gives when the token starts no value. */
const NONE: unique symbol = Symbol('no value');

/**
 * A nested object or array this long or longer is first given to JSON.parse (see `whole`): the
 * engine's parser makes even a status of a Package#3 (`{"sc": 200}`) faster than reading it here.
 */
const WHOLE_MIN = 8;

/**
 * Values are tried whole only at these depths (the root, read whole already, is 1): a try reads a
 * value's extent, and the values at one depth do not overlap, so tries cost at most this many
 * passes over the text, whatever its nesting. Items of MO data and statuses of a Package#3 are at
 * depth 2 and 3.
 */
const WHOLE_DEPTHS = 3;

export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

const KIND: Record<number, JsonKind> = { [OPEN_BRACE]: 'object', [OPEN_BRACKET]: 'array', [STRING]: 'string', [NUMBER]: 'number', [TRUE]: 'boolean', [FALSE]: 'boolean', [NULL]: 'null' };

/** The children of one object or array, as jsonc-parser's tree would hold them. */
interface Container {
  object: boolean;
  /** Objects: each property's name, and where its key string was written. */
  keys: string[];
  keyStart: number[];
  keyLength: number[];
  /** Where each value was written; -1 for a property without one (`"a":` then `}`). */
  start: number[];
  length: number[];
  /** The token kind each value starts with. */
  kind: number[];
  /** Objects: the first property with a value, by name, once looked up often enough. */
  byKey?: Map<string, number>;
}

/** A value node: where it was written and what it is; for a property's value, where its key was. */
export interface JsonNodeInfo {
  kind: JsonKind;
  offset: number;
  length: number;
  keyOffset?: number;
  keyLength?: number;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Characters a literal or an unknown symbol is made of (jsonc-parser's isUnknownContentCharacter). */
function isWordCharacter(c: number): boolean {
  switch (c) {
    case 32:
    case 9:
    case 10:
    case 13:
    case 125:
    case 93:
    case 123:
    case 91:
    case 34:
    case 58:
    case 44:
    case 47:
      return false;
  }
  return true;
}

/** Own data property, never a prototype write: "__proto__" is a name like any other. */
function setKey(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

class Reader {
  pos: number;
  token = UNKNOWN;
  tokenOffset = 0;
  scanError = 0;
  /** The current string token: where its content ends, and whether it holds a backslash. */
  private contentEnd = 0;
  private escaped = false;
  /** Where the value parseValue read last ends (jsonc-parser's offset + length of its node). */
  lastEnd = 0;
  /** How many objects and arrays the current token is inside. */
  private depth = 0;
  readonly len: number;

  constructor(
    readonly text: string,
    start: number,
    /** Build values (else only read through them). */
    private readonly build: boolean,
    /** Where errors go, up to `maxErrors`; none are kept without it. */
    private readonly errors: ParseError[] | undefined,
    private readonly maxErrors = Infinity,
  ) {
    this.len = text.length;
    this.pos = start;
  }

  // ---- the scanner (jsonc-parser impl/scanner.js, line counting left out)

  private scan(): number {
    const text = this.text;
    const len = this.len;
    let pos = this.pos;
    this.scanError = 0;
    this.tokenOffset = pos;
    if (pos >= len) {
      this.tokenOffset = len;
      return (this.token = EOF);
    }
    let code = text.charCodeAt(pos);
    if (code === 32 || code === 9) {
      do code = text.charCodeAt(++pos);
      while (code === 32 || code === 9);
      this.pos = pos;
      return (this.token = TRIVIA);
    }
    if (code === 10 || code === 13) {
      pos++;
      if (code === 13 && text.charCodeAt(pos) === 10) pos++;
      this.pos = pos;
      return (this.token = LINE_BREAK);
    }
    switch (code) {
      case 123:
        this.pos = pos + 1;
        return (this.token = OPEN_BRACE);
      case 125:
        this.pos = pos + 1;
        return (this.token = CLOSE_BRACE);
      case 91:
        this.pos = pos + 1;
        return (this.token = OPEN_BRACKET);
      case 93:
        this.pos = pos + 1;
        return (this.token = CLOSE_BRACKET);
      case 58:
        this.pos = pos + 1;
        return (this.token = COLON);
      case 44:
        this.pos = pos + 1;
        return (this.token = COMMA);
      case 34:
        this.pos = pos + 1;
        this.scanString();
        return (this.token = STRING);
      case 47: {
        if (text.charCodeAt(pos + 1) === 47) {
          pos += 2;
          while (pos < len) {
            const c = text.charCodeAt(pos);
            if (c === 10 || c === 13) break;
            pos++;
          }
          this.pos = pos;
          return (this.token = LINE_COMMENT);
        }
        if (text.charCodeAt(pos + 1) === 42) {
          pos += 2;
          const safeLength = len - 1;
          let closed = false;
          while (pos < safeLength) {
            const c = text.charCodeAt(pos);
            if (c === 42 && text.charCodeAt(pos + 1) === 47) {
              pos += 2;
              closed = true;
              break;
            }
            pos++;
            if (c === 13 && text.charCodeAt(pos) === 10) pos++;
          }
          if (!closed) {
            // As jsonc-parser: one past the end, which the token's length then counts.
            pos++;
            this.scanError = SE_END_OF_COMMENT;
          }
          this.pos = pos;
          return (this.token = BLOCK_COMMENT);
        }
        this.pos = pos + 1;
        return (this.token = UNKNOWN);
      }
      case 45:
        pos++;
        if (pos === len || !isDigit(text.charCodeAt(pos))) {
          this.pos = pos;
          return (this.token = UNKNOWN);
        }
        this.pos = pos;
        this.scanNumber();
        return (this.token = NUMBER);
      case 48:
      case 49:
      case 50:
      case 51:
      case 52:
      case 53:
      case 54:
      case 55:
      case 56:
      case 57:
        this.scanNumber();
        return (this.token = NUMBER);
    }
    // A literal, or an unknown symbol: the whole word.
    while (pos < len && isWordCharacter(code)) code = text.charCodeAt(++pos);
    if (this.tokenOffset !== pos) {
      this.pos = pos;
      const n = pos - this.tokenOffset;
      if (n === 4 && text.startsWith('true', this.tokenOffset)) return (this.token = TRUE);
      if (n === 5 && text.startsWith('false', this.tokenOffset)) return (this.token = FALSE);
      if (n === 4 && text.startsWith('null', this.tokenOffset)) return (this.token = NULL);
      return (this.token = UNKNOWN);
    }
    this.pos = pos + 1;
    return (this.token = UNKNOWN);
  }

  /** Where the value of the number token ends: an exponent without digits is in the token but not in its value. */
  private numberEnd = 0;

  private scanNumber(): void {
    const text = this.text;
    const len = this.len;
    let pos = this.pos;
    if (text.charCodeAt(pos) === 48) pos++;
    else {
      pos++;
      while (pos < len && isDigit(text.charCodeAt(pos))) pos++;
    }
    if (pos < len && text.charCodeAt(pos) === 46) {
      pos++;
      if (pos < len && isDigit(text.charCodeAt(pos))) {
        pos++;
        while (pos < len && isDigit(text.charCodeAt(pos))) pos++;
      } else {
        this.scanError = SE_END_OF_NUMBER;
        this.pos = this.numberEnd = pos;
        return;
      }
    }
    let end = pos;
    const e = text.charCodeAt(pos);
    if (pos < len && (e === 69 || e === 101)) {
      pos++;
      const sign = text.charCodeAt(pos);
      if ((pos < len && sign === 43) || sign === 45) pos++;
      if (pos < len && isDigit(text.charCodeAt(pos))) {
        pos++;
        while (pos < len && isDigit(text.charCodeAt(pos))) pos++;
        end = pos;
      } else this.scanError = SE_END_OF_NUMBER;
    }
    this.pos = pos;
    this.numberEnd = end;
  }

  /** Reads through a string (its opening quote read); its value is made only when asked for (`stringValue`). */
  private scanString(): void {
    const text = this.text;
    const len = this.len;
    let pos = this.pos;
    let escaped = false;
    for (;;) {
      if (pos >= len) {
        this.scanError = SE_END_OF_STRING;
        this.contentEnd = pos;
        break;
      }
      const c = text.charCodeAt(pos);
      if (c === 34) {
        this.contentEnd = pos;
        pos++;
        break;
      }
      if (c === 92) {
        escaped = true;
        pos++;
        if (pos >= len) {
          this.scanError = SE_END_OF_STRING;
          this.contentEnd = pos;
          break;
        }
        const c2 = text.charCodeAt(pos++);
        switch (c2) {
          case 34:
          case 92:
          case 47:
          case 98:
          case 102:
          case 110:
          case 114:
          case 116:
            break;
          case 117: {
            let digits = 0;
            while (digits < 4 && isHex(text.charCodeAt(pos))) {
              pos++;
              digits++;
            }
            if (digits < 4) this.scanError = SE_INVALID_UNICODE;
            break;
          }
          default:
            this.scanError = SE_INVALID_ESCAPE;
        }
        continue;
      }
      if (c <= 0x1f) {
        if (c === 10 || c === 13) {
          this.scanError = SE_END_OF_STRING;
          this.contentEnd = pos;
          break;
        }
        this.scanError = SE_INVALID_CHARACTER;
      }
      pos++;
    }
    this.pos = pos;
    this.escaped = escaped;
  }

  /** The value of the current string token, as jsonc-parser's scanner makes it. */
  stringValue(): string {
    const start = this.tokenOffset + 1;
    if (!this.escaped) return this.text.substring(start, this.contentEnd);
    return decodeString(this.text, start, this.len);
  }

  // ---- the parser (jsonc-parser impl/parser.js `visit`, with its callbacks made values)

  private error(code: number): void {
    const errors = this.errors;
    if (errors && errors.length < this.maxErrors) errors.push({ error: code as ParseErrorCode, offset: this.tokenOffset, length: this.pos - this.tokenOffset });
  }

  /** The next token that is not trivia: comments, unknown symbols and scan errors are reported on the way. */
  next(): number {
    for (;;) {
      const token = this.scan();
      switch (this.scanError) {
        case SE_INVALID_UNICODE:
          this.error(INVALID_UNICODE);
          break;
        case SE_INVALID_ESCAPE:
          this.error(INVALID_ESCAPE_CHARACTER);
          break;
        case SE_END_OF_NUMBER:
          this.error(UNEXPECTED_END_OF_NUMBER);
          break;
        case SE_END_OF_STRING:
          this.error(UNEXPECTED_END_OF_STRING);
          break;
        case SE_INVALID_CHARACTER:
          this.error(INVALID_CHARACTER);
          break;
        // SE_END_OF_COMMENT: not reported with comments disallowed, the comment itself is.
      }
      switch (token) {
        case LINE_COMMENT:
        case BLOCK_COMMENT:
          this.error(INVALID_COMMENT_TOKEN);
          break;
        case UNKNOWN:
          this.error(INVALID_SYMBOL);
          break;
        case TRIVIA:
        case LINE_BREAK:
          break;
        default:
          return token;
      }
    }
  }

  /** jsonc-parser's handleError: reports, then skips to a token of `until`, or past one of `after`. */
  private fail(code: number, after = 0, until = 0): void {
    this.error(code);
    if (after === 0 && until === 0) return;
    let token = this.token;
    while (token !== EOF) {
      if (after & (1 << token)) {
        this.next();
        break;
      }
      if (until & (1 << token)) break;
      token = this.next();
    }
  }

  /** The value at the current token (its node's end in `lastEnd`), or NONE when no value starts there. */
  parseValue(): unknown {
    switch (this.token) {
      case OPEN_BRACKET:
      case OPEN_BRACE: {
        const v = this.build && this.depth >= 1 && this.depth <= WHOLE_DEPTHS ? this.whole() : NONE;
        if (v !== NONE) return v;
        return this.token === OPEN_BRACKET ? this.parseArray(undefined) : this.parseObject(undefined);
      }
      case STRING: {
        const v = this.build ? this.stringValue() : true;
        this.lastEnd = this.pos;
        this.next();
        return v;
      }
      case NUMBER: {
        let v: unknown = true;
        if (this.build) {
          let n = Number(this.text.substring(this.tokenOffset, this.numberEnd));
          if (Number.isNaN(n)) {
            this.error(INVALID_NUMBER_FORMAT);
            n = 0;
          }
          v = n;
        }
        this.lastEnd = this.pos;
        this.next();
        return v;
      }
      case NULL:
      case TRUE:
      case FALSE: {
        const v = this.token === NULL ? null : this.token === TRUE;
        this.lastEnd = this.pos;
        this.next();
        return v;
      }
    }
    return NONE;
  }

  /**
   * The object or array at the current token, when its text is JSON: its value from JSON.parse,
   * and the reader past it as if it had read it (the next token read, its errors reported). In a
   * text with an error somewhere, nearly every nested value is JSON. JSON.parse takes exactly what
   * jsonc-parser would read there without an error, and gives the same value (the later of two
   * properties of one name, "__proto__" an own property); what it refuses is read here, where
   * jsonc-parser's recovery applies. NONE when the value is short or not JSON.
   */
  private whole(): unknown {
    const start = this.tokenOffset;
    const end = bracketsEnd(this.text, start);
    if (end - start < WHOLE_MIN) return NONE;
    let v: unknown;
    try {
      v = JSON.parse(this.text.slice(start, end));
    } catch {
      return NONE;
    }
    this.pos = end;
    this.lastEnd = end;
    this.next();
    return v;
  }

  /** An object from its `{`; with `into`, its children are recorded there. */
  parseObject(into: Container | undefined): unknown {
    this.depth++;
    const o: Record<string, unknown> | undefined = this.build ? {} : undefined;
    this.next();
    let needsComma = false;
    while (this.token !== CLOSE_BRACE && this.token !== EOF) {
      if (this.token === COMMA) {
        if (!needsComma) this.fail(VALUE_EXPECTED);
        this.next();
      } else if (needsComma) this.fail(COMMA_EXPECTED);
      if (!this.parseProperty(o, into)) this.fail(VALUE_EXPECTED, 0, IN_OBJECT);
      needsComma = true;
    }
    // The node ends with the token that ends the loop: its '}', or the end of the text.
    const end = this.pos;
    this.depth--;
    if (this.token !== CLOSE_BRACE) this.fail(CLOSE_BRACE_EXPECTED, 1 << CLOSE_BRACE);
    else this.next();
    this.lastEnd = end;
    return o ?? true;
  }

  private parseProperty(o: Record<string, unknown> | undefined, into: Container | undefined): boolean {
    if (this.token !== STRING) {
      this.fail(PROPERTY_NAME_EXPECTED, 0, IN_OBJECT);
      return false;
    }
    const key = o || into ? this.stringValue() : '';
    const keyStart = this.tokenOffset;
    const keyLength = this.pos - this.tokenOffset;
    let value: unknown = NONE;
    let start = -1;
    let kind = 0;
    if (this.next() === COLON) {
      kind = this.next();
      start = this.tokenOffset;
      value = this.parseValue();
      if (value === NONE) this.fail(VALUE_EXPECTED, 0, IN_OBJECT);
    } else this.fail(COLON_EXPECTED, 0, IN_OBJECT);
    if (o) setKey(o, key, value === NONE ? null : value);
    if (into) {
      into.keys.push(key);
      into.keyStart.push(keyStart);
      into.keyLength.push(keyLength);
      into.start.push(value === NONE ? -1 : start);
      into.length.push(value === NONE ? 0 : this.lastEnd - start);
      into.kind.push(value === NONE ? 0 : kind);
    }
    return true;
  }

  /** An array from its `[`; with `into`, its elements are recorded there. */
  parseArray(into: Container | undefined): unknown {
    this.depth++;
    const a: unknown[] | undefined = this.build ? [] : undefined;
    this.next();
    let needsComma = false;
    while (this.token !== CLOSE_BRACKET && this.token !== EOF) {
      if (this.token === COMMA) {
        if (!needsComma) this.fail(VALUE_EXPECTED);
        this.next();
      } else if (needsComma) this.fail(COMMA_EXPECTED);
      const start = this.tokenOffset;
      const kind = this.token;
      const v = this.parseValue();
      if (v === NONE) this.fail(VALUE_EXPECTED, 0, IN_ARRAY);
      else {
        a?.push(v);
        if (into) {
          into.start.push(start);
          into.length.push(this.lastEnd - start);
          into.kind.push(kind);
        }
      }
      needsComma = true;
    }
    const end = this.pos;
    this.depth--;
    if (this.token !== CLOSE_BRACKET) this.fail(CLOSE_BRACKET_EXPECTED, 1 << CLOSE_BRACKET);
    else this.next();
    this.lastEnd = end;
    return a ?? true;
  }

  /** The whole text: its one value (NONE when there is none), then nothing but trivia. */
  parseDocument(): unknown {
    this.next();
    if (this.token === EOF) {
      this.fail(VALUE_EXPECTED);
      return NONE;
    }
    const v = this.parseValue();
    if (v === NONE) {
      this.fail(VALUE_EXPECTED);
      return NONE;
    }
    if (this.token !== EOF) this.fail(END_OF_FILE_EXPECTED);
    return v;
  }
}

/**
 * Where the object or array at `start` ends when its brackets match as in JSON (strings ending at
 * their unescaped closing quote), or -1: the extent JSON.parse is then asked to read. A text this
 * misjudges (a bracket in a broken string, say) is refused by JSON.parse.
 */
function bracketsEnd(text: string, start: number): number {
  const n = text.length;
  let depth = 0;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 91) {
      if (c !== 34) continue;
      for (i++; ; i++) {
        if (i >= n) return -1;
        const d = text.charCodeAt(i);
        if (d === 34) break;
        if (d === 92) i++;
      }
    } else if ((c | 32) === 123) depth++; // '[' or '{'
    else if ((c | 32) === 125 && --depth === 0) return i + 1; // ']' or '}'
  }
  return -1;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : c <= 70 ? c - 55 : c - 87;
}

/** A string's value from after its opening quote, escapes decoded as jsonc-parser's scanString does. */
function decodeString(text: string, from: number, len: number): string {
  let result = '';
  let start = from;
  let pos = from;
  for (;;) {
    if (pos >= len) return result + text.substring(start, pos);
    const c = text.charCodeAt(pos);
    if (c === 34) return result + text.substring(start, pos);
    if (c === 92) {
      result += text.substring(start, pos);
      pos++;
      if (pos >= len) return result;
      const c2 = text.charCodeAt(pos++);
      switch (c2) {
        case 34:
          result += '"';
          break;
        case 92:
          result += '\\';
          break;
        case 47:
          result += '/';
          break;
        case 98:
          result += '\b';
          break;
        case 102:
          result += '\f';
          break;
        case 110:
          result += '\n';
          break;
        case 114:
          result += '\r';
          break;
        case 116:
          result += '\t';
          break;
        case 117: {
          let digits = 0;
          let v = 0;
          while (digits < 4 && isHex(text.charCodeAt(pos))) {
            v = v * 16 + hexValue(text.charCodeAt(pos));
            pos++;
            digits++;
          }
          if (digits === 4) result += String.fromCharCode(v);
          break;
        }
        // Any other escape: dropped, as jsonc-parser drops it (and reports it).
      }
      start = pos;
      continue;
    }
    if (c === 10 || c === 13) return result + text.substring(start, pos);
    pos++;
  }
}

export interface ReadResult {
  /** The value jsonc-parser's tree holds (undefined when the text holds none). */
  value: unknown;
  errors: ParseError[];
}

/**
 * The value and the errors jsonc-parser gives for `text` (comments disallowed, no trailing
 * commas), in one pass; at most `maxErrors` errors are kept.
 */
export function readJson(text: string, maxErrors = Infinity): ReadResult {
  const errors: ParseError[] = [];
  const v = new Reader(text, 0, true, errors, maxErrors).parseDocument();
  return { value: v === NONE ? undefined : v, errors };
}

/**
 * Nodes of a JSON text by path, as jsonc-parser's `findNodeAtLocation` finds them in its tree.
 * Each object or array on a path is read once, its children recorded, and kept for the next
 * path: a document whose nodes nobody asks for costs nothing, and one asked for every item of a
 * 100,000-item array reads the array once.
 */
export class JsonIndex {
  private readonly containers = new Map<number, Container>();
  private root: JsonNodeInfo | undefined | null = null;

  constructor(readonly text: string) {}

  private rootNode(): JsonNodeInfo | undefined {
    if (this.root !== null) return this.root;
    const r = new Reader(this.text, 0, false, undefined);
    r.next();
    const kind = r.token;
    const offset = r.tokenOffset;
    let v: unknown;
    if (kind === OPEN_BRACE || kind === OPEN_BRACKET) {
      const c = newContainer(kind === OPEN_BRACE);
      v = kind === OPEN_BRACE ? r.parseObject(c) : r.parseArray(c);
      this.containers.set(offset, c);
    } else v = kind === EOF ? NONE : r.parseValue();
    this.root = v === NONE ? undefined : { kind: KIND[kind]!, offset, length: r.lastEnd - offset };
    return this.root;
  }

  /** The children of the object or array written at `offset`. */
  private container(offset: number, object: boolean): Container {
    let c = this.containers.get(offset);
    if (!c) {
      c = newContainer(object);
      const r = new Reader(this.text, offset, false, undefined);
      r.next();
      if (object) r.parseObject(c);
      else r.parseArray(c);
      this.containers.set(offset, c);
    }
    return c;
  }

  /** The node at `path`, or undefined where jsonc-parser's tree has none. */
  find(path: readonly (string | number)[]): JsonNodeInfo | undefined {
    let node = this.rootNode();
    for (const seg of path) {
      if (!node) return undefined;
      if (typeof seg === 'string') {
        if (node.kind !== 'object') return undefined;
        const c = this.container(node.offset, true);
        const i = propertyIndex(c, seg);
        if (i < 0) return undefined;
        node = { kind: KIND[c.kind[i]!]!, offset: c.start[i]!, length: c.length[i]!, keyOffset: c.keyStart[i]!, keyLength: c.keyLength[i]! };
      } else {
        if (node.kind !== 'array') return undefined;
        const c = this.container(node.offset, false);
        if (seg < 0 || seg >= c.start.length) return undefined;
        node = { kind: KIND[c.kind[seg]!]!, offset: c.start[seg]!, length: c.length[seg]! };
      }
    }
    return node;
  }

  /**
   * The path, from the root, of the innermost node whose text spans `offset` (ends included):
   * a property when `offset` is on its key (`onKey`), else a value; undefined outside the root
   * value. A binary search in each container on the way, so that a node among 200,000 siblings
   * costs what one among ten does.
   */
  pathAt(offset: number): { path: (string | number)[]; onKey: boolean } | undefined {
    let node = this.rootNode();
    if (!node || offset < node.offset || offset > node.offset + node.length) return undefined;
    const path: (string | number)[] = [];
    for (;;) {
      if (node.kind !== 'object' && node.kind !== 'array') return { path, onKey: false };
      const c = this.container(node.offset, node.kind === 'object');
      const i = childAt(c, offset);
      if (i < 0) return { path, onKey: false };
      if (c.object) {
        path.push(c.keys[i]!);
        if (offset <= c.keyStart[i]! + c.keyLength[i]! || c.start[i]! < 0) return { path, onKey: offset <= c.keyStart[i]! + c.keyLength[i]! };
      } else path.push(i);
      node = { kind: KIND[c.kind[i]!]!, offset: c.start[i]!, length: c.length[i]! };
    }
  }
}

function newContainer(object: boolean): Container {
  return { object, keys: [], keyStart: [], keyLength: [], start: [], length: [], kind: [] };
}

/** jsonc-parser's findNodeAtLocation takes the first property of that name that has a value. */
function propertyIndex(c: Container, key: string): number {
  const n = c.keys.length;
  if (n > 16) {
    if (!c.byKey) {
      c.byKey = new Map();
      for (let i = 0; i < n; i++) if (c.start[i]! >= 0 && !c.byKey.has(c.keys[i]!)) c.byKey.set(c.keys[i]!, i);
    }
    return c.byKey.get(key) ?? -1;
  }
  for (let i = 0; i < n; i++) if (c.keys[i] === key && c.start[i]! >= 0) return i;
  return -1;
}

/** The child (property from its key, or element) whose text spans `offset`, or -1. Children are in text order. */
function childAt(c: Container, offset: number): number {
  const first = c.object ? c.keyStart : c.start;
  let lo = 0;
  let hi = first.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (first[mid]! <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return -1;
  const end = c.start[found]! >= 0 ? c.start[found]! + c.length[found]! : c.keyStart[found]! + c.keyLength[found]!;
  return offset <= end ? found : -1;
}
