// The JSON reader stands in for jsonc-parser's tree: for any text, broken or not, it must give
// the same value, the same errors (code, offset, length) and the same node ranges by path, so
// that the diagnostics of a JSON file with an error are what they were with jsonc-parser.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Node, type ParseError, findNodeAtLocation, parseTree } from 'jsonc-parser';
import { JsonIndex, readJson } from '../../server/src/core/json/reader.ts';
import { JsonDocument, nodeValue } from '../../server/src/core/json/document.ts';
import { validatePackage } from '../../server/src/core/dm20/validate.ts';
import type { PackageKind } from '../../server/src/core/dm20/packages.ts';

/** Pieces of JSON and of what breaks it: every token kind, every scan error, every recovery path. */
const PIECES = [
  '{', '}', '[', ']', ',', ':', '"', '"a"', '"b"', '"\\u00e9"', '"\\x"', '"\\u12"', '"a\\', '\\', '/', '//c\n', '/*c*/', '/*', '*', '1', '-', '-1', '0', '01',
  '1.', '1.5', '1e', '1e+', '2E-3', 'true', 'false', 'null', 'tru', 'nul', ' ', '\t', '\n', '\r\n', '\r', '\u0001', '\f', 'x', '\u00a0',
  '"__proto__"', '"__proto__":{"x":1}', '{"a":1}', '[1,2]', '"\t"', '"a":', '"a":1', '{"a":', '[{', '"sc": 200,',
];
const texts = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((a) => a.join(''));

function reference(text: string): { tree: Node | undefined; errors: ParseError[]; value: unknown } {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return { tree, errors, value: tree ? nodeValue(tree) : undefined };
}

/** Every path of the tree, and a few that lead nowhere. */
function pathsOf(n: Node | undefined, prefix: (string | number)[], out: (string | number)[][]): void {
  out.push(prefix);
  if (!n) return;
  if (n.type === 'object') for (const p of n.children ?? []) pathsOf(p.children?.[1], [...prefix, p.children![0]!.value as string], out);
  if (n.type === 'array') (n.children ?? []).forEach((c, i) => pathsOf(c, [...prefix, i], out));
}

function sameAsJsoncParser(text: string): void {
  const ref = reference(text);
  const read = readJson(text);
  const where = JSON.stringify(text);
  assert.deepEqual(read.errors, ref.errors, `errors of ${where}`);
  assert.deepEqual(read.value, ref.value, `value of ${where}`);
  const index = new JsonIndex(text);
  const paths: (string | number)[][] = [];
  pathsOf(ref.tree, [], paths);
  paths.push(['a'], [0], ['zz'], [5], ['a', 0], [0, 'a']);
  for (const path of paths) {
    const want = ref.tree ? findNodeAtLocation(ref.tree, path) : undefined;
    const got = index.find(path);
    if (!want) {
      assert.equal(got, undefined, `${JSON.stringify(path)} in ${where}`);
      continue;
    }
    const key = want.parent?.type === 'property' ? want.parent.children?.[0] : undefined;
    assert.deepEqual(
      got && [got.kind, got.offset, got.length, got.keyOffset, got.keyLength],
      [want.type, want.offset, want.length, key?.offset, key?.length],
      `${JSON.stringify(path)} in ${where}`,
    );
  }
}

test('the reader gives jsonc-parser\'s value, errors and node ranges for any text', () => {
  fc.assert(fc.property(texts, sameAsJsoncParser), { numRuns: 5000 });
});

test('the reader gives jsonc-parser\'s value and errors for large JSON with a fault in it', () => {
  // Nested values long enough to be read whole by JSON.parse, one of them broken at any point.
  const fault = fc.constantFrom('', ',', ':', '}', ']', '{', '[', '"', '"x', '\n', '/*', 'tru', '1.', '-', '\\', '\u0001', ' 1');
  fc.assert(
    fc.property(fc.array(fc.json({ maxDepth: 3 }), { minLength: 1, maxLength: 8 }), fault, fc.nat(), (values, piece, at) => {
      const clean = `{"items": [${values.join(', ')}], "pad": ${JSON.stringify('x'.repeat(70))}}`;
      const cut = at % (clean.length + 1);
      sameAsJsoncParser(clean.slice(0, cut) + piece + clean.slice(cut));
    }),
    { numRuns: 3000 },
  );
});

test('the reader on the corner cases of jsonc-parser\'s scanner', () => {
  for (const text of ['', ' ', '/*', '{"a" /*', '{"a": 1, }', '[1,,2]', '{"a" "b": 1}', '{"a": }', '[{"a" ]', '{"a":1,"a":}', '{"a":1,"a":2}', '"\\u00zz"', '1e+', '-', '-x', '\uFEFF{}', '{"a":"x\ny"}', '{"__proto__": {"polluted": true}}']) {
    sameAsJsoncParser(text);
  }
  const { value } = readJson('{"__proto__": {"polluted": true}');
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.keys(value as object), ['__proto__']);
});

/** The document with the ranges of jsonc-parser's tree, as they were found before the index. */
class TreeRanges extends JsonDocument {
  override locate(path: (string | number)[]): ReturnType<JsonDocument['locate']> {
    const n = this.node(path);
    if (!n) return undefined;
    const key = n.parent?.type === 'property' ? n.parent.children?.[0] : undefined;
    return { kind: n.type as 'object', offset: n.offset, length: n.length, ...(key ? { keyOffset: key.offset, keyLength: key.length } : {}) };
  }
}

function sameDiagnostics(text: string, kind: PackageKind): void {
  const doc = new JsonDocument(text);
  const ref = reference(text);
  if (!doc.valid && !doc.errors.some((e) => e.code === 'json.depth')) {
    assert.deepEqual(doc.value, ref.value);
    assert.deepEqual(doc.errors.map((e) => [e.start, e.end]), ref.errors.slice(0, 50).map((e) => [e.offset, e.offset + Math.max(1, e.length)]));
  }
  assert.deepEqual(validatePackage(doc, kind).diagnostics, validatePackage(new TreeRanges(text), kind).diagnostics, JSON.stringify(text));
}

test('a package with syntax errors gets the diagnostics jsonc-parser\'s tree gave', () => {
  // One fault every 7 statuses (a trailing comma, a missing colon, a missing comma), and rule findings beside them.
  const items = Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? '{"sc": 200,}' : i % 7 === 5 ? '{"sc" 404}' : i % 7 === 6 ? '{"sc": 999} {"sc": 200}' : `{"sc": ${i % 2 ? 404 : 200}, "URI": ["urn:oma:mo:oma-dcmo:1.0/c${i}/", "bad uri ${i}"]}`));
  const text = `{"Status": [\n${items.join(',\n')}\n], "Alert": [{"AlertType": "x", "Mark": "Critical"}]}`;
  const doc = new JsonDocument(text);
  assert.equal(doc.valid, false);
  assert.ok(validatePackage(doc, 'pkg3').diagnostics.filter((d) => d.code !== 'json.syntax').length > 10, 'rule findings beside the syntax errors');
  sameDiagnostics(text, 'pkg3');
  sameDiagnostics(text.replace(/,\}/g, '}').replace(/"sc" 404/g, '"sc": 404').replace(/\} \{/g, '}, {'), 'pkg3');
});

test('any package text, broken or not, gets the diagnostics it got with jsonc-parser\'s tree', () => {
  const pieces = ['{', '}', '[', ']', ',', ':', ' ', '\n', '"CMD"', '"Status"', '"MOS"', '"Alert"', '"sc"', '"URI"', '"AlertType"', '"Mark"', '"Data"', '"MIID"', '"ClientURI"', '"MOData"', '"CV"', '"DDF"',
    '"GET"', '"HPUT"', '"EXEC"', '"END"', '"get"', '"urn:oma:mo:oma-dm-devinfo:1.0//DevID"', '"oma:mo:x:1.0/(x)/a?nv=(y)/b:c&lv=0"', '"urn:oma:mo:oma-dcmo:1.0/*/"', '"https://s.example/x"', '"high"', '"HIGH"', '""',
    '200', '404', '999', '"x"', 'true', 'null', '"a\\\\"b"', '/*', '1e'];
  const text = fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join(''));
  fc.assert(fc.property(text, fc.constantFrom<PackageKind>('pkg1', 'pkg2', 'pkg3', 'mo', 'alert'), sameDiagnostics), { numRuns: 3000 });
});

test('ranges of a valid text come from the index, without jsonc-parser\'s tree', () => {
  const text = '{"CMD": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"], ["EXEC", "urn:oma:mo:oma-dcmo:1.0/x/Operations/Enable"]]}';
  const doc = new JsonDocument(text);
  const tree = parseTree(text)!;
  for (const path of [['CMD'], ['CMD', 1], ['CMD', 1, 1], ['CMD', 7], ['nope']] as (string | number)[][]) {
    let p = path;
    while (p.length && !findNodeAtLocation(tree, p)) p = p.slice(0, -1);
    const n = findNodeAtLocation(tree, p)!;
    assert.deepEqual(doc.range(path), { start: n.offset, end: n.offset + n.length }, JSON.stringify(path));
  }
  assert.deepEqual(doc.range(['CMD'], 'key'), { start: 1, end: 6 });
  assert.deepEqual(doc.pathAt(text.indexOf('EXEC') + 1), { path: ['CMD', 1, 0], onKey: false });
  assert.deepEqual(doc.pathAt(2), { path: ['CMD'], onKey: true });
});
