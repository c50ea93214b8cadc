/**
 * The strings of one parse, shared by value. Element names and texts repeat (every <Addr>, every
 * "URI", the same indentation around every element's children), and a copy of each would be
 * allocated and then kept alive by the tree, which is what a parse of a large document spends
 * most of its time on. Bounded: one string per slot, the last one seen there; a miss costs a
 * hash of a short span, as the strings are made from the source anyway.
 */

/** Longer spans are copied as they come: they seldom repeat, and a hash would read them twice. */
const MAX_SHARED = 64;
/** Below this length a document shares no strings: few repeat, and the hashes cost more than they save. */
const MIN_DOCUMENT = 4096;

const NONE: string[] = [];

export class Interner {
  private readonly slots: string[];
  private readonly mask: number;
  private readonly shared: boolean;

  /** `length`: of the text parsed, which sizes the table (a small document gets a small one). */
  constructor(private readonly s: string, length: number) {
    this.shared = length >= MIN_DOCUMENT;
    let size = 64;
    while (size < 1024 && size * 64 < length) size *= 2;
    this.slots = this.shared ? new Array<string>(size).fill('') : NONE;
    this.mask = size - 1;
  }

  /** s[start, end), end > start. */
  span(start: number, end: number): string {
    const s = this.s;
    const length = end - start;
    if (length > MAX_SHARED || !this.shared) return s.slice(start, end);
    let h = length;
    for (let k = start; k < end; k++) h = (Math.imul(h, 31) + s.charCodeAt(k)) | 0;
    const slot = (h ^ (h >>> 16)) & this.mask;
    const seen = this.slots[slot]!;
    if (seen.length === length) {
      let k = 0;
      while (k < length && seen.charCodeAt(k) === s.charCodeAt(start + k)) k++;
      if (k === length) return seen;
    }
    return (this.slots[slot] = s.slice(start, end));
  }

  /** The spans (start, end, ...) in spans[from, to), one after the other. */
  spans(spans: readonly number[], from: number, to: number): string {
    const s = this.s;
    if (to - from === 2) return this.span(spans[from]!, spans[from + 1]!);
    let length = 0;
    for (let i = from; i < to; i += 2) length += spans[i + 1]! - spans[i]!;
    if (length > MAX_SHARED || !this.shared) return join(s, spans, from, to);
    let h = length;
    for (let i = from; i < to; i += 2) {
      const end = spans[i + 1]!;
      for (let k = spans[i]!; k < end; k++) h = (Math.imul(h, 31) + s.charCodeAt(k)) | 0;
    }
    const slot = (h ^ (h >>> 16)) & this.mask;
    const seen = this.slots[slot]!;
    if (seen.length === length && sameAs(seen, s, spans, from, to)) return seen;
    return (this.slots[slot] = join(s, spans, from, to));
  }
}

function join(s: string, spans: readonly number[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i += 2) out += s.slice(spans[i]!, spans[i + 1]!);
  return out;
}

/** Whether `seen` is the spans of `s` one after the other (its length is theirs). */
function sameAs(seen: string, s: string, spans: readonly number[], from: number, to: number): boolean {
  let j = 0;
  for (let i = from; i < to; i += 2) {
    const end = spans[i + 1]!;
    for (let k = spans[i]!; k < end; k++) if (seen.charCodeAt(j++) !== s.charCodeAt(k)) return false;
  }
  return true;
}
