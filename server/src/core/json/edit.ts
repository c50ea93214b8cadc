/**
 * What an edit did to a JSON text, told from the texts before and after: whether it only retyped
 * one string, number or literal (true, false, null) of a text that was JSON. Such an edit leaves
 * every other token where it was (moved by the length it added), so a reader of the text before
 * can tell what still holds after it without reading the whole text again.
 */

/** One token of the text before, retyped. */
export interface RetypedToken {
  /** Where the token was in the text before: [start, end). */
  start: number;
  end: number;
  /** How much longer the text became. */
  delta: number;
  /** The token's text now: [start, end + delta) of the text after. */
  typed: string;
  /** The token before was a string (it may have been a property name). */
  wasString: boolean;
}

/** The first offset where `a` and `b` differ, compared a block at a time. */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  for (let step = 65536; step >= 1; step >>= 4) {
    while (i + step <= n && a.slice(i, i + step) === b.slice(i, i + step)) i += step;
  }
  return i;
}

/** How many characters `a` and `b` share at their ends, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let k = 0;
  for (let step = 65536; step >= 1; step >>= 4) {
    while (k + step <= max && a.slice(a.length - k - step, a.length - k) === b.slice(b.length - k - step, b.length - k)) k += step;
  }
  return k;
}

export const isBlank = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;
const isStructural = (c: number): boolean => c === 44 || c === 58 || c === 91 || c === 93 || c === 123 || c === 125;

/** Just past the closing quote of the string whose opening quote is at `i` (the text is JSON). */
function afterString(text: string, i: number): number {
  for (let j = i + 1; ; ) {
    const q = text.indexOf('"', j);
    if (q < 0) return text.length;
    let backslashes = 0;
    for (let b = q - 1; b > i && text.charCodeAt(b) === 92; b--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/**
 * The string, number or literal of the JSON text that holds [from, to) (its ends included), read
 * from the start of its line: a JSON string holds no line break (RFC 8259 7), so a line starts
 * outside any string. Undefined when [from, to) reaches past one such token.
 */
function tokenAround(text: string, from: number, to: number): { start: number; end: number } | undefined {
  const line = Math.max(text.lastIndexOf('\n', from - 1), text.lastIndexOf('\r', from - 1)) + 1;
  for (let i = line; i <= from && i < text.length; ) {
    const c = text.charCodeAt(i);
    if (isBlank(c) || isStructural(c)) {
      i++;
      continue;
    }
    let end: number;
    if (c === 34) end = afterString(text, i);
    else for (end = i + 1; end < text.length && !isBlank(text.charCodeAt(end)) && !isStructural(text.charCodeAt(end)); end++);
    if (from >= i && to <= end) return { start: i, end };
    i = end;
  }
  return undefined;
}

/**
 * The token of `before` (a JSON text, RFC 8259) that the edit making `after` retyped, when the
 * edit stayed within one string, number or literal and what is there now is one such value
 * (a string where a string was, which may be a property name); undefined for any other edit, and
 * for the same text.
 */
export function retypedToken(before: string, after: string): RetypedToken | undefined {
  if (before === after) return undefined;
  const p = commonPrefix(before, after);
  const q = commonSuffix(before, after, Math.min(before.length, after.length) - p);
  const token = tokenAround(before, p, before.length - q);
  if (!token) return undefined;
  const delta = after.length - before.length;
  const typed = after.slice(token.start, token.end + delta);
  let value: unknown;
  try {
    value = JSON.parse(typed);
  } catch {
    return undefined;
  }
  const wasString = before.charCodeAt(token.start) === 34;
  if (wasString ? typeof value !== 'string' : value !== null && typeof value === 'object') return undefined;
  return { start: token.start, end: token.end, delta, typed, wasString };
}
