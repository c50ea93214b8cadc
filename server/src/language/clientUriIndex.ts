/**
 * The ClientURIs of a document in a compact form, for the workspace index: a few strings and one
 * typed array however many there are, so that a validation result crosses from the validation
 * worker to the main thread in one cheap copy (a 1 MB Package#2 holds some 15,000 ClientURIs), and
 * is unpacked only when find references or a new tree set needs it.
 */
import type * as lsp from 'vscode-languageserver-types';
import type { CommandName } from '../core/dm20/commands.js';

/** A ClientURI written in a document: where, for which command, and what it selected. */
export interface IndexedClientUri {
  uri: string;
  command?: CommandName;
  range: lsp.Range;
  /**
   * The nodes it selects in the sample trees it was validated against (DM 2.0 6.1.2), by their
   * own ClientURIs; absent when there were too many to keep (find references then resolves it).
   */
  nodes?: string[];
}

export interface ClientUriIndex {
  count: number;
  /** The ClientURIs, separated by U+0000. */
  uris: string;
  /** Their commands ('' for none), separated by U+0000. */
  commands: string;
  /** Start line, start character, end line, end character of each. */
  ranges: Int32Array;
  /** For each, its selected nodes separated by U+0001, or U+0002 when they were not kept; entries separated by U+0000. */
  nodes: string;
}

const ENTRY = '\u0000';
const NODE = '\u0001';
const NOT_KEPT = '\u0002';
const clean = (s: string): string => s.replace(/[\u0000-\u0002]/g, '\ufffd');

export const EMPTY_INDEX: ClientUriIndex = { count: 0, uris: '', commands: '', ranges: new Int32Array(0), nodes: '' };

export function encodeIndex(list: readonly IndexedClientUri[]): ClientUriIndex {
  if (!list.length) return EMPTY_INDEX;
  const ranges = new Int32Array(list.length * 4);
  list.forEach((c, i) => ranges.set([c.range.start.line, c.range.start.character, c.range.end.line, c.range.end.character], i * 4));
  return {
    count: list.length,
    uris: list.map((c) => clean(c.uri)).join(ENTRY),
    commands: list.map((c) => c.command ?? '').join(ENTRY),
    ranges,
    nodes: list.map((c) => (c.nodes ? c.nodes.map(clean).join(NODE) : NOT_KEPT)).join(ENTRY),
  };
}

/** The URIs and commands only: what judging a document against new trees needs. */
export function indexUris(index: ClientUriIndex): { uri: string; command?: CommandName }[] {
  if (!index.count) return [];
  const commands = index.commands.split(ENTRY);
  return index.uris.split(ENTRY).map((uri, i) => (commands[i] ? { uri, command: commands[i] as CommandName } : { uri }));
}

export function decodeIndex(index: ClientUriIndex): IndexedClientUri[] {
  if (!index.count) return [];
  const nodes = index.nodes.split(ENTRY);
  const r = index.ranges;
  return indexUris(index).map((c, i) => ({
    ...c,
    range: { start: { line: r[i * 4]!, character: r[i * 4 + 1]! }, end: { line: r[i * 4 + 2]!, character: r[i * 4 + 3]! } },
    ...(nodes[i] === NOT_KEPT ? {} : { nodes: nodes[i] ? nodes[i]!.split(NODE) : [] }),
  }));
}
