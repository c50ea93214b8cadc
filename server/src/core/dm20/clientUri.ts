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

const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;
const XNAME = /^\([A-Za-z]\)$/;

function segment(text: string, start: number): Segment {
  const end = start + text.length;
  if (text === '') return { kind: 'empty', text, start, end };
  if (text === '*') return { kind: 'wildcard', text, start, end };
  if (XNAME.test(text)) return { kind: 'xname', text, start, end };
  return { kind: 'real', text, start, end };
}

export function parseClientUri(text: string): ClientUri {
  const problems: ClientUriProblem[] = [];
  const bad = (start: number, end: number, message: string, code = 'dm.clienturi-syntax'): void => {
    problems.push({ start, end, code, message, severity: 'error' });
  };
  const q = text.indexOf('?');
  const main = q < 0 ? text : text.slice(0, q);
  const slash = main.indexOf('/');
  const moidText = slash < 0 ? main : main.slice(0, slash);
  const result: ClientUri = {
    text,
    moid: { text: moidText, start: 0, end: moidText.length },
    moInst: { kind: 'empty', text: '', start: moidText.length, end: moidText.length },
    path: [],
    query: [],
    nv: [],
    problems,
  };
  if (!moidText) bad(0, Math.max(1, main.length), 'A ClientURI starts with the MOID: MOID "/" mo-inst path [ "?" query ] (DM 2.0 6.1.1).');
  if (slash < 0) {
    bad(0, main.length, `'${text}' has no mo-inst and path: write ${moidText || 'MOID'}// for the only instance, or ${moidText || 'MOID'}/*/ for all (DM 2.0 6.1.1).`);
    return result;
  }
  // mo-inst, then path-from-moroot: "/" or 1*("/" node-name)
  const rest = main.slice(slash + 1);
  const parts = rest.split('/');
  let at = slash + 1;
  result.moInst = segment(parts[0]!, at);
  at += parts[0]!.length;
  if (parts.length < 2) {
    bad(slash, main.length, `After the MO instance a ClientURI needs a path: '/' for the MO instance root (DM 2.0 6.1.1).`);
  }
  const nodes = parts.slice(1);
  if (!(nodes.length === 1 && nodes[0] === '')) {
    for (const n of nodes) {
      at += 1;
      const s = segment(n, at);
      result.path.push(s);
      at += n.length;
    }
  }
  checkSegment(result.moInst, true, bad);
  result.path.forEach((s, i) => {
    if (s.kind === 'empty') {
      bad(s.start - 1, s.start, i === result.path.length - 1
        ? "A path does not end with '/': drop it (only the MO instance root is written as a single '/') (DM 2.0 6.1.1.2)."
        : "Empty node name: '//' inside the path (DM 2.0 6.1.1.2).");
    } else checkSegment(s, false, bad);
  });
  // x-names are unique within a ClientURI (6.1.1.1).
  const seen = new Map<string, Segment>();
  for (const s of [result.moInst, ...result.path]) {
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

function checkSegment(s: Segment, isInst: boolean, bad: (start: number, end: number, message: string) => void): void {
  if (s.kind !== 'real') return;
  if (s.text.startsWith('(') || s.text.endsWith(')')) {
    bad(s.start, s.end, `'${s.text}' is not an x-name: an x-name is one letter in parentheses, such as (x) (DM 2.0 6.1.1).`);
  } else if (!UNRESERVED.test(s.text)) {
    const c = [...s.text].find((ch) => !UNRESERVED.test(ch))!;
    const off = s.start + s.text.indexOf(c);
    bad(off, off + c.length, `'${c}' is not allowed in ${isInst ? 'an MIID' : 'a node name'}: names are letters, digits and - . _ ~ (DM 2.0 6.1.1, RFC 3986 unreserved).`);
  }
}

function parseQuery(text: string, from: number, result: ClientUri, bad: (start: number, end: number, message: string, code?: string) => void): void {
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

