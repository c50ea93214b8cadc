/**
 * ClientURI: the ABNF of DM 2.0 6.1.1, parsed with the offset of every component, so that
 * editors can point at the faulty part. One parser, shared by the package validator and the tree
 * resolver.
 *
 *   ClientURI        = MOID "/" mo-inst path-from-moroot [ "?" query ]
 *   mo-inst          = MIID / x-name / "" / "*"
 *   path-from-moroot = "/" / 1*("/" node-name)
 *   node-name        = real-name / x-name / "*"
 *   real-name        = 1*unreserved
 *   x-name           = "(" ALPHA ")"
 *
 * Query fields (6.1.1.3): lv=<n> (level), nv=<path>:<val> (node value, resolves x-names),
 * cv=<val> (cache validator); others are vendor extensions the DM Client ignores.
 */
/** The standard query fields of 6.1.1.3, with the commands they apply to (undefined: every command with a ClientURI). */
export const QUERY_FIELDS: readonly { name: 'nv' | 'lv' | 'cv'; title: string; description: string; snippet: string; commands?: readonly string[] }[] = [
  { name: 'nv', title: 'node value', description: 'node value `<path>:<val>`: resolves an x-name to the one node whose leaf at `<path>` has the value `<val>`', snippet: 'nv=(${1:x})/${2:ID}:${3:value}' },
  { name: 'lv', title: 'level', description: 'level: only this many sublevels of child nodes are included', snippet: 'lv=${1:1}', commands: ['GET', 'HPUT', 'HPOST'] },
  { name: 'cv', title: 'cache validator', description: 'cache validator: the data is returned only when it changed, otherwise 304 (11)', snippet: 'cv=${1:validator}', commands: ['GET', 'HPUT', 'HPOST'] },
];

export interface Span {
  start: number;
  end: number;
}

export interface Segment extends Span {
  kind: 'real' | 'xname' | 'wildcard' | 'empty';
  text: string;
}

export interface QueryField extends Span {
  name: string;
  value: string;
  valueStart: number;
}

export interface NodeValue extends QueryField {
  /** The x-name letter the nv path starts from, e.g. "x" for nv=(x)/ID:GPS. */
  xname?: string;
  /** The path after the x-name: ["ID"]. */
  path: string[];
  /** The value to match. */
  match: string;
}

export interface ClientUriProblem extends Span {
  code: string;
  message: string;
  severity: 'error' | 'warning' | 'information';
}

export interface ClientUri {
  text: string;
  moid: Span & { text: string };
  /** The MO instance component; kind 'empty' for "" (the only instance). */
  moInst: Segment;
  /** Nodes below the MO instance root; empty when the path is "/" (the root itself). */
  path: Segment[];
  query: QueryField[];
  nv: NodeValue[];
  problems: ClientUriProblem[];
}

/** RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 126;
}

function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function segment(text: string, start: number): Segment {
  const end = start + text.length;
  if (text === '') return { kind: 'empty', text, start, end };
  if (text === '*') return { kind: 'wildcard', text, start, end };
  // x-name = "(" ALPHA ")"
  if (text.length === 3 && text.charCodeAt(0) === 40 && isAlpha(text.charCodeAt(1)) && text.charCodeAt(2) === 41) return { kind: 'xname', text, start, end };
  return { kind: 'real', text, start, end };
}

type Bad = (start: number, end: number, message: string, code?: string) => void;

/**
 * Parses a ClientURI by the ABNF of 6.1.1. Written as one pass of index searches, with no split
 * and no regular expression on a clean name, and what x-names and query fields need made only
 * when there are some: a package holds one ClientURI per status or item, a large one hundreds of
 * thousands.
 */
export function parseClientUri(text: string): ClientUri {
  const problems: ClientUriProblem[] = [];
  const q = text.indexOf('?');
  const mainEnd = q < 0 ? text.length : q;
  let slash = text.indexOf('/');
  if (slash >= mainEnd) slash = -1;
  const moidEnd = slash < 0 ? mainEnd : slash;
  const moidText = text.slice(0, moidEnd);
  const result: ClientUri = {
    text,
    moid: { text: moidText, start: 0, end: moidEnd },
    moInst: { kind: 'empty', text: '', start: moidEnd, end: moidEnd },
    path: [],
    query: [],
    nv: [],
    problems,
  };
  if (!moidText) problems.push(syntax(0, Math.max(1, mainEnd), 'A ClientURI starts with the MOID: MOID "/" mo-inst path [ "?" query ] (DM 2.0 6.1.1).'));
  if (slash < 0) {
    problems.push(syntax(0, mainEnd, `'${text}' has no mo-inst and path: write ${moidText || 'MOID'}// for the only instance, or ${moidText || 'MOID'}/*/ for all (DM 2.0 6.1.1).`));
    return result;
  }
  // mo-inst, then path-from-moroot: "/" or 1*("/" node-name)
  let instEnd = text.indexOf('/', slash + 1);
  if (instEnd < 0 || instEnd >= mainEnd) instEnd = -1;
  result.moInst = segment(text.slice(slash + 1, instEnd < 0 ? mainEnd : instEnd), slash + 1);
  let xnames = result.moInst.kind === 'xname';
  if (instEnd < 0) {
    problems.push(syntax(slash, mainEnd, `After the MO instance a ClientURI needs a path: '/' for the MO instance root (DM 2.0 6.1.1).`));
  } else if (instEnd + 1 !== mainEnd) {
    // Not the root alone ("/"): each "/" starts a node name, empty ones included.
    let at = instEnd + 1;
    for (;;) {
      let next = text.indexOf('/', at);
      if (next < 0 || next > mainEnd) next = mainEnd;
      const s = segment(text.slice(at, next), at);
      if (s.kind === 'xname') xnames = true;
      result.path.push(s);
      if (next === mainEnd) break;
      at = next + 1;
    }
  }
  checkSegment(result.moInst, true, problems);
  const path = result.path;
  for (let i = 0; i < path.length; i++) {
    const s = path[i]!;
    if (s.kind === 'empty') {
      problems.push(syntax(s.start - 1, s.start, i === path.length - 1
        ? "A path does not end with '/': drop it (only the MO instance root is written as a single '/') (DM 2.0 6.1.1.2)."
        : "Empty node name: '//' inside the path (DM 2.0 6.1.1.2)."));
    } else checkSegment(s, false, problems);
  }
  // What follows concerns x-names and the query: most ClientURIs have neither.
  if (!xnames && q < 0) return result;
  const bad: Bad = (start, end, message, code = 'dm.clienturi-syntax') => {
    problems.push({ start, end, code, message, severity: 'error' });
  };
  // x-names are unique within a ClientURI (6.1.1.1).
  const seen = new Map<string, Segment>();
  for (let i = -1; i < path.length; i++) {
    const s = i < 0 ? result.moInst : path[i]!;
    if (s.kind !== 'xname') continue;
    const letter = s.text[1]!;
    if (seen.has(letter)) bad(s.start, s.end, `x-name ${s.text} is used twice; each x-name letter is assigned once in a ClientURI (DM 2.0 6.1.1.1).`, 'dm.clienturi-xname');
    else seen.set(letter, s);
  }
  if (q >= 0) parseQuery(text, q + 1, result, bad);
  // Every x-name needs nv fields; every nv names an x-name that occurs (6.1.1.2, 6.1.1.3).
  for (const [letter, s] of seen) {
    if (!result.nv.some((n) => n.xname === letter)) {
      bad(s.start, s.end, `x-name ${s.text} needs an nv field to resolve it, e.g. ?nv=${s.text}/ID:value (DM 2.0 6.1.1.3).`, 'dm.clienturi-xname');
    }
  }
  for (const n of result.nv) {
    if (n.xname && !seen.has(n.xname)) {
      bad(n.valueStart, n.valueStart + 3, `nv names (${n.xname}), which is not an x-name of this ClientURI (DM 2.0 6.1.1.3).`, 'dm.clienturi-xname');
    }
  }
  return result;
}

/**
 * Whether `text` is `moid` "/" mo-inst path with nothing parseClientUri would find wrong, no
 * x-name and no query: mo-inst real, "" or "*", then "/" alone or real and "*" node names. The
 * caller knows `moid` to be a good MOID. Decided in one pass without allocating anything: a large
 * package holds hundreds of thousands of ClientURIs, nearly all of this kind, and they then need
 * no parse. False means only that the ClientURI must be parsed to tell.
 */
export function isPlainClientUri(text: string, moid: string): boolean {
  const n = text.length;
  let i = moid.length;
  if (i === 0 || text.charCodeAt(i) !== 47 || !text.startsWith(moid)) return false;
  // mo-inst: may be empty ("MOID//" is the only instance).
  let end = nameEnd(text, i + 1, n);
  if (end < 0 || end === n) return false;
  i = end + 1;
  if (i === n) return true; // the MO instance root, "/"
  for (;;) {
    end = nameEnd(text, i, n);
    if (end <= i) return false;
    if (end === n) return true;
    i = end + 1;
    if (i === n) return false; // a trailing "/"
  }
}

/** Where the name from `i` ends (at "/" or the end): "*" alone or unreserved characters; -1 for anything else. */
function nameEnd(text: string, i: number, n: number): number {
  if (text.charCodeAt(i) === 42) return i + 1 === n || text.charCodeAt(i + 1) === 47 ? i + 1 : -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 47) return i;
    if (!isUnreserved(c)) return -1;
  }
  return i;
}

function syntax(start: number, end: number, message: string): ClientUriProblem {
  return { start, end, code: 'dm.clienturi-syntax', message, severity: 'error' };
}

function checkSegment(s: Segment, isInst: boolean, problems: ClientUriProblem[]): void {
  if (s.kind !== 'real') return;
  const t = s.text;
  if (t.charCodeAt(0) === 40 || t.charCodeAt(t.length - 1) === 41) {
    problems.push(syntax(s.start, s.end, `'${t}' is not an x-name: an x-name is one letter in parentheses, such as (x) (DM 2.0 6.1.1).`));
    return;
  }
  let i = 0;
  while (i < t.length && isUnreserved(t.charCodeAt(i))) i++;
  if (i === t.length) return;
  // The first offending character, a whole code point (an astral one is two code units).
  const c = String.fromCodePoint(t.codePointAt(i)!);
  const off = s.start + i;
  problems.push(syntax(off, off + c.length, `'${c}' is not allowed in ${isInst ? 'an MIID' : 'a node name'}: names are letters, digits and - . _ ~ (DM 2.0 6.1.1, RFC 3986 unreserved).`));
}

function parseQuery(text: string, from: number, result: ClientUri, bad: Bad): void {
  let at = from;
  for (const field of text.slice(from).split('&')) {
    const start = at;
    at += field.length + 1;
    const eq = field.indexOf('=');
    const name = eq < 0 ? field : field.slice(0, eq);
    const value = eq < 0 ? '' : field.slice(eq + 1);
    const f: QueryField = { name, value, start, end: start + field.length, valueStart: start + (eq < 0 ? field.length : eq + 1) };
    if (!field) {
      bad(start - 1, start, "Empty query field: a stray '&' or '?' (DM 2.0 6.1.1.3).");
      continue;
    }
    result.query.push(f);
    if (name === 'nv') {
      const m = /^\(([A-Za-z])\)((?:\/[^/:]+)*):(.*)$/.exec(value);
      if (!m) {
        bad(f.valueStart, f.end, `nv is <path>:<val> with <path> starting at an x-name, such as nv=(x)/ID:GPS (DM 2.0 6.1.1.3).`);
        continue;
      }
      result.nv.push({ ...f, xname: m[1]!, path: m[2]!.split('/').filter(Boolean), match: m[3]! });
    } else if (name === 'lv') {
      if (!/^[1-9][0-9]*$/.test(value)) bad(f.valueStart, f.end, `lv is a positive integer: the number of sublevels to include (DM 2.0 6.1.1.3).`);
    } else if (name === 'cv') {
      if (!value) bad(f.start, f.end, 'cv needs the cache validator value: cv=<val> (DM 2.0 6.1.1.3, 11.1).');
    }
  }
  for (const name of ['lv', 'cv']) {
    const fs = result.query.filter((f) => f.name === name);
    for (const f of fs.slice(1)) bad(f.start, f.end, `${name} appears more than once; it is ZeroOrOne (DM 2.0 6.1.1.3).`);
  }
}

/**
 * Whether a string is meant as a ClientURI rather than a ServerURI: an MOID (a URN, or the
 * examples' "oma:mo:..." without "urn:") followed by "/", and no "scheme://" authority.
 */
export function looksLikeClientUri(v: string): boolean {
  return /^(urn:)?[a-z][a-z0-9-]*:[^/]*\//i.test(v) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v);
}

