// parseClientUri is written for speed (one pass of index searches); what it gives must stay
// what the straightforward parser of the ABNF (DM 2.0 6.1.1) gave: the same components, offsets
// and problems, in the same order, for any string. The reference below is that parser.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { type ClientUri, type ClientUriProblem, type QueryField, type Segment, isPlainClientUri, parseClientUri } from '../../server/src/core/dm20/clientUri.ts';

const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;
const XNAME = /^\([A-Za-z]\)$/;

function refSegment(text: string, start: number): Segment {
  const end = start + text.length;
  if (text === '') return { kind: 'empty', text, start, end };
  if (text === '*') return { kind: 'wildcard', text, start, end };
  if (XNAME.test(text)) return { kind: 'xname', text, start, end };
  return { kind: 'real', text, start, end };
}

function referenceParse(text: string): ClientUri {
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
  result.moInst = refSegment(parts[0]!, at);
  at += parts[0]!.length;
  if (parts.length < 2) {
    bad(slash, main.length, `After the MO instance a ClientURI needs a path: '/' for the MO instance root (DM 2.0 6.1.1).`);
  }
  const nodes = parts.slice(1);
  if (!(nodes.length === 1 && nodes[0] === '')) {
    for (const n of nodes) {
      at += 1;
      const s = refSegment(n, at);
      result.path.push(s);
      at += n.length;
    }
  }
  refCheckSegment(result.moInst, true, bad);
  result.path.forEach((s, i) => {
    if (s.kind === 'empty') {
      bad(s.start - 1, s.start, i === result.path.length - 1
        ? "A path does not end with '/': drop it (only the MO instance root is written as a single '/') (DM 2.0 6.1.1.2)."
        : "Empty node name: '//' inside the path (DM 2.0 6.1.1.2).");
    } else refCheckSegment(s, false, bad);
  });
  // x-names are unique within a ClientURI (6.1.1.1).
  const seen = new Map<string, Segment>();
  for (const s of [result.moInst, ...result.path]) {
    if (s.kind !== 'xname') continue;
    const letter = s.text[1]!;
    if (seen.has(letter)) bad(s.start, s.end, `x-name ${s.text} is used twice; each x-name letter is assigned once in a ClientURI (DM 2.0 6.1.1.1).`, 'dm.clienturi-xname');
    else seen.set(letter, s);
  }
  if (q >= 0) refParseQuery(text, q + 1, result, bad);
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

function refCheckSegment(s: Segment, isInst: boolean, bad: (start: number, end: number, message: string) => void): void {
  if (s.kind !== 'real') return;
  if (s.text.startsWith('(') || s.text.endsWith(')')) {
    bad(s.start, s.end, `'${s.text}' is not an x-name: an x-name is one letter in parentheses, such as (x) (DM 2.0 6.1.1).`);
  } else if (!UNRESERVED.test(s.text)) {
    const c = [...s.text].find((ch) => !UNRESERVED.test(ch))!;
    const off = s.start + s.text.indexOf(c);
    bad(off, off + c.length, `'${c}' is not allowed in ${isInst ? 'an MIID' : 'a node name'}: names are letters, digits and - . _ ~ (DM 2.0 6.1.1, RFC 3986 unreserved).`);
  }
}

function refParseQuery(text: string, from: number, result: ClientUri, bad: (start: number, end: number, message: string, code?: string) => void): void {
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


const PIECES = ['urn:oma:mo:oma-dm-devinfo:1.0', 'oma:mo:x:1.0', 'urn', ':', '/', '//', '?', '&', '=', '*', '(x)', '(y)', '(1)', '(xx)', '(', ')', 'a', 'Node-1._~', ' ', '%20', 'é', '\u{1F600}', '\ud800',
  'nv=', 'nv=(x)/ID:v', 'nv=(y):', 'nv=x', 'lv=2', 'lv=0', 'cv=', 'cv=abc', 'foo=bar', 'ID', ':v'];

test('parseClientUri gives what the reference parser of the ABNF gives, for any string', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 16 }).map((a) => a.join('')), (text) => {
      assert.deepEqual(parseClientUri(text), referenceParse(text), JSON.stringify(text));
    }),
    { numRuns: 20000 },
  );
  for (const text of ['', '/', '?', 'urn:x//', 'urn:x/*/', 'urn:x/(x)/a/(x)?nv=(x)/ID:1', 'urn:x/a/b/', 'urn:x/a//b', 'urn:x/a?lv=1&lv=2&&cv=', 'urn:x/a/b?x=1/2', 'urn:x/a/b\u{1F600}c/']) {
    assert.deepEqual(parseClientUri(text), referenceParse(text), JSON.stringify(text));
  }
});

test('a ClientURI taken as plain without a parse is one the parser finds nothing wrong with', () => {
  const moid = 'urn:oma:mo:oma-dm-devinfo:1.0';
  let plain = 0;
  fc.assert(
    fc.property(fc.tuple(fc.constantFrom(moid, 'urn:x:y', 'oma:mo:a:1', ''), fc.array(fc.constantFrom('/', '/', '/', 'a', 'B.c-d', '*', '~', '//', '?', '(x)', ' ', 'é', '%', '?lv=1'), { maxLength: 8 })).map(([m, a]) => m + a.join('')), (text) => {
      if (!isPlainClientUri(text, moid)) return;
      plain++;
      const u = parseClientUri(text);
      assert.deepEqual([u.moid.text, u.problems, u.query, u.nv], [moid, [], [], []], JSON.stringify(text));
      assert.ok([u.moInst, ...u.path].every((s) => s.kind !== 'xname'), JSON.stringify(text));
    }),
    { numRuns: 20000 },
  );
  assert.ok(plain > 20, `${plain} plain ClientURIs among those tried`);
  for (const text of [`${moid}//`, `${moid}/*/`, `${moid}/i1/`, `${moid}/i1/A/*/B.c-d_e~f`]) assert.equal(isPlainClientUri(text, moid), true, text);
  for (const text of [`${moid}/`, `${moid}/i1`, `${moid}/i1/A/`, `${moid}/i1//A`, `${moid}/(x)/A?nv=(x)/ID:1`, `${moid}/i1/A?lv=1`, `${moid}/*x/`, `${moid}x/i1/`, `urn:oma:mo:other:1.0/i1/`]) {
    assert.equal(isPlainClientUri(text, moid), false, text);
  }
});
