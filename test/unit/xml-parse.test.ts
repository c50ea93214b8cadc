import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseXml, elementAt } from '../../server/src/core/xml/parse.ts';

const at = (s: string, needle: string, from = 0): number => {
  const k = s.indexOf(needle, from);
  assert.ok(k >= 0, `${needle} in text`);
  return k;
};

test('elements, attributes and text keep exact source ranges', () => {
  const s = '<?xml version="1.0"?>\n<a x="1"  y = \'2\'>hi &amp; <b/> there<![CDATA[<c>]]></a>';
  const doc = parseXml(s);
  assert.deepEqual(doc.errors, []);
  const a = doc.root!;
  assert.equal(a.name, 'a');
  assert.equal(a.start, at(s, '<a'));
  assert.equal(a.end, s.length);
  assert.deepEqual([a.nameStart, a.nameEnd], [at(s, '<a') + 1, at(s, '<a') + 2]);
  assert.deepEqual(a.attributes.map((x) => [x.name, x.value, x.start, x.valueStart, x.valueEnd]), [
    ['x', '1', at(s, 'x='), at(s, '"1"') + 1, at(s, '"1"') + 2],
    ['y', '2', at(s, 'y ='), at(s, "'2'") + 1, at(s, "'2'") + 2],
  ]);
  assert.equal(a.text, 'hi &  there<c>');
  assert.equal(a.children[0]!.name, 'b');
  assert.equal(a.children[0]!.selfClosing, true);
  assert.equal(a.closeNameStart, at(s, '</a>') + 2);
  assert.equal(elementAt(a, at(s, '<b/>') + 1)?.name, 'b');
});

test('a misspelt end tag is one error, at the end tag name', () => {
  const s = '<a><status>x</statsu><c/></a>';
  const doc = parseXml(s);
  assert.deepEqual(doc.errors.map((e) => [e.code, e.start, e.end]), [['xml.syntax', at(s, 'statsu'), at(s, 'statsu') + 6]]);
  assert.deepEqual(doc.root!.children.map((c) => c.name), ['status', 'c']);
});

test('an end tag that skips an open element reports the unclosed one at its name', () => {
  const s = '<a><b><c>text</b></a>';
  const doc = parseXml(s);
  assert.deepEqual(doc.errors.map((e) => [e.start, e.end]), [[at(s, '<c>') + 1, at(s, '<c>') + 2]]);
  assert.match(doc.errors[0]!.message, /<c> is not closed before <\/b>/);
});

test('a truncated document reports every element left open', () => {
  const s = '<a>\n  <b>tex';
  const doc = parseXml(s);
  assert.deepEqual(doc.errors.map((e) => s.slice(e.start, e.end)), ['b', 'a']);
  assert.match(doc.errors[0]!.message, /never closed/);
});

test('undefined entities are reported and never expanded; a DOCTYPE is recorded', () => {
  const s = '<!DOCTYPE a [<!ENTITY x "yyyyyyyy"><!ENTITY e SYSTEM "file:///etc/passwd">]><a>&x;&e;&lt;&#65;&#x42;</a>';
  const doc = parseXml(s);
  assert.equal(doc.doctype?.declaresEntities, true);
  assert.deepEqual(doc.errors.map((e) => [e.code, s.slice(e.start, e.end)]), [['xml.entity', '&x;'], ['xml.entity', '&e;']]);
  assert.equal(doc.root!.text, '&x;&e;<AB');
});

test('malformed markup is reported where it is', () => {
  // [document, the faulty text, which occurrence of it, message]
  const cases: [string, string, number, RegExp][] = [
    ['<a b=1></a>', '1', 0, /must be quoted/],
    ['<a>x & y</a>', '&', 0, /must start a reference/],
    ['<a b="1" b="2"/>', 'b', 1, /repeated/],
    ['<a></a><b/>', 'b', 0, /one root element/],
    ['<a><!-- a -- b --></a>', '--', 1, /not allowed inside a comment/],
    ['<a>\u0001</a>', '\u0001', 0, /U\+0001/],
    ['  <?xml version="1.0"?><a/>', '<?xml', 0, /must come first/],
    ['<a>&#0;</a>', '&#0;', 0, /not a character/],
    ['<a>]]></a>', ']]>', 0, /not allowed in text/],
    ['text<a/>', 'text', 0, /before the root/],
    ['<a/>tail', 'tail', 0, /after the root/],
  ];
  for (const [s, fault, nth, msg] of cases) {
    const e = parseXml(s).errors[0];
    assert.ok(e, `an error in ${JSON.stringify(s)}`);
    let want = -1;
    for (let i = 0; i <= nth; i++) want = s.indexOf(fault, want + 1);
    assert.equal(e.start, want, `${JSON.stringify(s)}: ${e.message}`);
    assert.match(e.message, msg);
  }
});

test('deep nesting costs no stack, and binary junk is bounded', () => {
  const depth = 200_000;
  const s = '<a>'.repeat(depth) + '</a>'.repeat(depth);
  const doc = parseXml(s);
  assert.deepEqual(doc.errors, []);
  let junk = '';
  for (let i = 0; i < 100_000; i++) junk += String.fromCharCode((i * 7919) % 256);
  const bad = parseXml(junk);
  assert.ok(bad.errors.length > 0 && bad.errors.length <= 100);
});

test('bounds: a region of a larger text is parsed with absolute offsets', () => {
  const s = 'HEADER\n<a><b>1</b></a>\nTRAILER';
  const from = s.indexOf('<a>');
  const to = s.indexOf('\nTRAILER');
  const doc = parseXml(s, from, to);
  assert.deepEqual(doc.errors, []);
  assert.equal(doc.root!.children[0]!.nameStart, s.indexOf('<b>') + 1);
  assert.equal(doc.root!.end, to);
});

test('searches stop at the region: a fault is reported the same inside a larger text', () => {
  // An unclosed comment, PI and CDATA section in a region, with their closing text after it.
  for (const [open, close] of [['<!--', '-->'], ['<?pi', '?>'], ['<![CDATA[', ']]>']] as const) {
    const s = `<a>x${open} y</a>\n${close}<b>&amp;</b>`;
    const to = s.indexOf('\n');
    const doc = parseXml(s, 0, to);
    assert.ok(doc.errors.some((e) => e.start === s.indexOf(open)), `${open} in ${JSON.stringify(s)}`);
    assert.ok(doc.errors.every((e) => e.end <= to));
  }
  // A reference and a '<' just past the region are not part of its last text or attribute value.
  const s = '<a b="1">x&amp;y</a>&bogus;';
  const doc = parseXml(s, 0, s.indexOf('&bogus;'));
  assert.deepEqual(doc.errors, []);
  assert.equal(doc.root!.text, 'x&y');
  const cut = parseXml('<a b="1<c/>">', 0, 7);
  assert.match(cut.errors[0]!.message, /not closed with "/);
});

test("'---' before '-->' is inside the comment; a repeated attribute is reported after many", () => {
  const s = '<a><!-- x ---></a>';
  assert.deepEqual(parseXml(s).errors.map((e) => e.start), [s.indexOf('--', 8)]);
  const attrs = Array.from({ length: 1000 }, (_, i) => ` a${i}="${i}"`).join('');
  const t = `<a${attrs} a500="again"/>`;
  assert.deepEqual(parseXml(t).errors.map((e) => [e.start, e.message]), [[t.lastIndexOf('a500'), "Attribute 'a500' is repeated. (XML 1.0)"]]);
});

test('only the five predefined entities are expanded, not names every object inherits', () => {
  const s = '<a>&constructor;&toString;&amp;</a>';
  const doc = parseXml(s);
  assert.deepEqual(doc.errors.map((e) => [e.code, s.slice(e.start, e.end)]), [['xml.entity', '&constructor;'], ['xml.entity', '&toString;']]);
  assert.equal(doc.root!.text, '&constructor;&toString;&');
});

test('an XML declaration after a byte order mark comes first; after anything else it does not', () => {
  assert.deepEqual(parseXml('\uFEFF<?xml version="1.0"?><a/>').errors, []);
  const s = 'HEAD\uFEFF<?xml version="1.0"?><a/>';
  assert.deepEqual(parseXml(s, 4).errors, []);
  assert.match(parseXml(s, 3).errors.map((e) => e.message).join(), /must come first/);
});
