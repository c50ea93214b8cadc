/** The parse tree of `parseXml`: elements, attributes and text with their source ranges. */
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
  closeStart?: number | undefined;
  closeNameStart?: number | undefined;
  closeNameEnd?: number | undefined;
  selfClosing: boolean;
  attributes: XmlAttribute[];
  children: XmlElement[];
  parent?: XmlElement | undefined;
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

/**
 * Shared by every element without attributes or children, which most are: one array fewer to
 * allocate per element. Frozen, so that a change meant for one element throws instead.
 */
export const NO_ATTRIBUTES: XmlAttribute[] = Object.freeze([]) as unknown as XmlAttribute[];
export const NO_CHILDREN: XmlElement[] = Object.freeze([]) as unknown as XmlElement[];

/**
 * A new element, every field set, in one order: all elements share one layout. An object literal,
 * not a class, as V8 learns from the literal's allocation site that its objects live as long as
 * the tree and allocates them where they are not copied again, which a parse of hundreds of
 * thousands of elements otherwise spends most of its time on.
 */
export function newElement(name: string, start: number, nameEnd: number): XmlElement {
  return {
    name,
    start,
    end: nameEnd,
    nameStart: start + 1,
    nameEnd,
    startTagEnd: nameEnd,
    selfClosing: false,
    attributes: NO_ATTRIBUTES,
    children: NO_CHILDREN,
    text: '',
    parent: undefined,
    closeStart: undefined,
    closeNameStart: undefined,
    closeNameEnd: undefined,
  };
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
