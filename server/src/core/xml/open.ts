/**
 * The elements a parse has open, innermost last, with the children and the text each has so far.
 * Both are kept in arrays shared by all of them, each element's after its parent's: an element
 * gets its children as an array of their number, and its text as one string, when it closes, not
 * grown piece by piece. A parse of hundreds of thousands of elements spent most of its time on
 * allocating (and copying again) what grew.
 */
import { decodeSpan } from './chars.js';
import type { Interner } from './intern.js';
import type { XmlElement } from './model.js';

export class OpenElements {
  readonly stack: XmlElement[] = [];
  /** For each open element, where its children start in `children` and its text in `texts`. */
  private readonly childMarks: number[] = [];
  private readonly textMarks: number[] = [];
  private readonly children: XmlElement[] = [];
  private childCount = 0;
  /**
   * (start, end) of each piece of text: character data as is (end stored inverted when it holds a
   * reference to decode), or a CDATA section's content (start stored inverted).
   */
  private readonly texts: number[] = [];
  private textCount = 0;

  constructor(
    private readonly s: string,
    private readonly strings: Interner,
  ) {}

  get depth(): number {
    return this.stack.length;
  }

  get top(): XmlElement | undefined {
    return this.stack[this.stack.length - 1];
  }

  push(el: XmlElement): void {
    this.stack.push(el);
    this.childMarks.push(this.childCount);
    this.textMarks.push(this.textCount);
  }

  /** Closes the innermost open element: its children and text become its own. */
  pop(): XmlElement {
    const el = this.stack.pop()!;
    const children = this.childMarks.pop()!;
    if (this.childCount > children) {
      el.children = arrayOf(this.children, children, this.childCount);
      this.childCount = children;
    }
    const text = this.textMarks.pop()!;
    if (this.textCount > text) {
      el.text = this.text(text, this.textCount);
      this.textCount = text;
    }
    return el;
  }

  /** Adds a child to the innermost open element. */
  addChild(el: XmlElement): void {
    this.children[this.childCount++] = el;
  }

  /** Adds a piece of text (see `texts`) to the innermost open element. */
  addText(start: number, end: number): void {
    this.texts[this.textCount++] = start;
    this.texts[this.textCount++] = end;
  }

  /** The text of the pieces in [from, to). */
  private text(from: number, to: number): string {
    const t = this.texts;
    let plain = true;
    for (let i = from; i < to; i += 2) if (t[i]! < 0 || t[i + 1]! < 0) plain = false;
    if (plain) return this.strings.spans(t, from, to);
    // References decoded again, quietly: their faults were reported where the text was read.
    let out = '';
    for (let i = from; i < to; i += 2) {
      const start = t[i]!;
      const end = t[i + 1]!;
      out += start < 0 ? this.s.slice(~start, end) : end < 0 ? decodeSpan(this.s, start, ~end) : this.s.slice(start, end);
    }
    return out;
  }
}

/**
 * a[from, to) as an array of its own. Up to four as array literals: V8 learns from a literal's
 * allocation site that its arrays live as long as the tree, and allocates them where they are not
 * copied again (most elements have one child or a few).
 */
function arrayOf(a: readonly XmlElement[], from: number, to: number): XmlElement[] {
  switch (to - from) {
    case 1:
      return [a[from]!];
    case 2:
      return [a[from]!, a[from + 1]!];
    case 3:
      return [a[from]!, a[from + 1]!, a[from + 2]!];
    case 4:
      return [a[from]!, a[from + 1]!, a[from + 2]!, a[from + 3]!];
    default:
      return a.slice(from, to);
  }
}
