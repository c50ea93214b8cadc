/**
 * The JSON node at an offset of a DM 2.0 package, for hover and completion: read from the value
 * around the cursor (a command, a status, an item) where the text allows, so that a request in a
 * large package being typed in does not build a tree of the whole text at every keystroke.
 */
import { findNodeAtLocation, findNodeAtOffset, getNodePath, parseTree, type Node } from 'jsonc-parser';
import type { JsonDocument, JsonPath } from '../core/json/document.js';

/** A node of jsonc-parser's tree at an offset, with its path and where its offsets count from. */
export interface Located {
  node: Node;
  path: JsonPath;
  /** The document offset the node's offsets are relative to. */
  base: number;
  /** Other nodes by path, from the same tree where it holds them. */
  nodeAt: (path: JsonPath) => Node | undefined;
  /** Read from the value at the second level alone (the text is JSON): that value's nodes are all in its tree. */
  local: boolean;
}

/**
 * The node at `offset`, as findNodeAtOffset finds it in the tree of the whole text. In a valid
 * text only the value at the second level that holds `offset` (a command of CMD, a status, an
 * alert, a field of an MO data item) is made a tree: a tree of the whole text costs as much as
 * the text is long, and a document being typed in is a new text at every keystroke. That value
 * holds the same nodes in both trees, at offsets shifted by where it starts. The tree of the whole
 * text is still read where there is no such value (on its key, between two values), and in a text
 * with errors, whose recovery depends on what precedes.
 */
export function locateNode(json: JsonDocument, offset: number): Located | undefined {
  const second = json.valid ? secondLevelAt(json.text, json.from, json.to, offset) : undefined;
  if (second) {
    const root = parseTree(json.text.slice(second.start, second.end));
    const node = root && findNodeAtOffset(root, offset - second.start, true);
    if (root && node) {
      const [k0, k1] = second.path;
      const inside = (p: JsonPath): boolean => p.length >= 2 && p[0] === k0 && p[1] === k1;
      return { node, path: [...second.path, ...getNodePath(node)], base: second.start, nodeAt: (p) => (inside(p) ? findNodeAtLocation(root, p.slice(2)) : json.node(p)), local: true };
    }
  }
  const tree = json.tree;
  const node = tree && findNodeAtOffset(tree, offset - json.from, true);
  return node ? { node, path: getNodePath(node), base: json.from, nodeAt: (p) => json.node(p), local: false } : undefined;
}

/** An object or array of the first two levels: its properties' names or its elements' count so far. */
interface Frame {
  object: boolean;
  index: number;
  key: string;
  expectKey: boolean;
  seen: Set<string>;
  /** The current property is named like an earlier one: a path names the first of them. */
  again: boolean;
}

/**
 * Where the value at the second level of a valid JSON text that spans `offset` (ends included, as
 * findNodeAtOffset has them) is written, and its path: one pass from the start, strings stepped
 * over from quote to quote, that stops at the end of that value. Undefined when `offset` is on a
 * key or between values of the first two levels, when the root holds no containers, and in a
 * property named like an earlier one of its object (its path would name that one, RFC 8259 4).
 */
function secondLevelAt(text: string, from: number, to: number, offset: number): { path: JsonPath; start: number; end: number } | undefined {
  const frames: Frame[] = [];
  let depth = 0;
  /** Where the container at the second level that spans `offset` starts, while it is read to its end. */
  let open = -1;
  const here = (): JsonPath | undefined => {
    const [a, b] = frames;
    if (!a || !b || a.again || b.again) return undefined;
    return [a.object ? a.key : a.index, b.object ? b.key : b.index];
  };
  for (let i = from; i < to; ) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    const start = i;
    if (open < 0 && offset < start) return undefined;
    if (c === 0x22) {
      i = afterString(text, i, to);
      if (open >= 0) continue;
      const f = frames[depth - 1];
      if (f && depth <= 2 && f.object && f.expectKey) {
        if (offset <= i) return undefined;
        f.key = JSON.parse(text.slice(start, i)) as string;
        f.again = f.seen.has(f.key);
        f.seen.add(f.key);
        f.expectKey = false;
      } else if (depth === 2 && offset <= i) {
        const path = here();
        return path && { path, start, end: i };
      }
      continue;
    }
    i++;
    if (c === 0x7b || c === 0x5b) {
      if (open < 0 && depth === 2) open = start;
      else if (open < 0) frames[depth] = { object: c === 0x7b, index: 0, key: '', expectKey: c === 0x7b, seen: new Set(), again: false };
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (open >= 0 && depth === 2) {
        if (offset <= i) {
          const path = here();
          return path && { path, start: open, end: i };
        }
        open = -1;
      }
    } else if (c === 0x2c) {
      const f = frames[depth - 1];
      if (open < 0 && f && depth <= 2) {
        if (f.object) f.expectKey = true;
        else f.index++;
      }
    } else if (c !== 0x3a) {
      // A number, true, false or null.
      while (i < to && !isDelimiter(text.charCodeAt(i))) i++;
      if (open < 0 && depth === 2 && offset <= i) {
        const path = here();
        return path && { path, start, end: i };
      }
    }
  }
  return undefined;
}

/** Just past the closing quote of the string whose opening quote is at `i`. */
function afterString(text: string, i: number, to: number): number {
  for (let j = i + 1; ; ) {
    const q = text.indexOf('"', j);
    if (q < 0 || q >= to) return to;
    let backslashes = 0;
    for (let b = q - 1; b > i && text.charCodeAt(b) === 0x5c; b--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

function isDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || c === 0x3a || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
