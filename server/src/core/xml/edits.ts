/** Text edits on XML source that keep the author's layout: used by quick fixes. */
import type { TextEdit } from '../diagnostic.js';
import type { XmlElement } from './parse.js';

/** Renames an element in its start and end tags. */
export function renameElement(el: XmlElement, name: string): TextEdit[] {
  const edits: TextEdit[] = [{ start: el.nameStart, end: el.nameEnd, newText: name }];
  if (el.closeNameStart !== undefined && el.closeNameEnd !== undefined) {
    edits.push({ start: el.closeNameStart, end: el.closeNameEnd, newText: name });
  }
  return edits;
}

/** Removes an element, with its line when it stands alone on it. */
export function removeElement(text: string, el: XmlElement): TextEdit {
  let start = el.start;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  let end = el.end;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  const lineStart = start === 0 || text[start - 1] === '\n';
  if (lineStart && text[end] === '\r') end++;
  if (lineStart && text[end] === '\n') return { start, end: end + 1, newText: '' };
  return { start: el.start, end: el.end, newText: '' };
}

/** The indentation the children of `parent` use, or the parent's plus two spaces. */
export function childIndent(text: string, parent: XmlElement): string {
  const first = parent.children[0];
  if (first) return indentOf(text, first.start);
  return indentOf(text, parent.start) + '  ';
}

function indentOf(text: string, offset: number): string {
  let k = offset;
  while (k > 0 && (text[k - 1] === ' ' || text[k - 1] === '\t')) k--;
  return text.slice(k, offset);
}

/**
 * Inserts `xml` as a child of `parent`, after `after` (a child) or first when `after` is absent,
 * on a line of its own.
 */
export function insertChild(text: string, parent: XmlElement, xml: string, after?: XmlElement): TextEdit {
  const indent = childIndent(text, parent);
  const at = after ? after.end : parent.startTagEnd;
  if (parent.selfClosing) {
    const base = indentOf(text, parent.start);
    return {
      start: parent.startTagEnd - 2,
      end: parent.startTagEnd,
      newText: `>\n${indent}${xml}\n${base}</${parent.name}>`,
    };
  }
  return { start: at, end: at, newText: `\n${indent}${xml}` };
}
