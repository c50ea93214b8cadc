// The parse tree as the parser builds it at close: children and text collected per element, and
// strings shared by value in larger documents. Each is compared with what the source says.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseXml, type XmlElement } from '../../server/src/core/xml/parse.ts';

test('children come in document order, however many an element has', () => {
  for (let n = 0; n <= 7; n++) {
    const s = `<r>${Array.from({ length: n }, (_, i) => `<c${i}>${i}</c${i}>`).join('')}<last/></r>`;
    const root = parseXml(s).root!;
    assert.deepEqual(root.children.map((c) => c.name), [...Array.from({ length: n }, (_, i) => `c${i}`), 'last']);
    for (const c of root.children) assert.equal(c.parent, root);
    assert.deepEqual(root.children.slice(0, n).map((c) => c.text), Array.from({ length: n }, (_, i) => String(i)));
  }
});

test('an element without children or attributes shares one empty, frozen array', () => {
  const root = parseXml('<a><b/><c x="1"></c></a>').root!;
  const [b, c] = root.children as [XmlElement, XmlElement];
  assert.equal(b.children, c.children);
  assert.equal(b.children.length, 0);
  assert.ok(Object.isFrozen(b.children) && Object.isFrozen(b.attributes));
  assert.deepEqual(c.attributes.map((x) => [x.name, x.value]), [['x', '1']]);
});

test('the text of an element is its character data and CDATA around its children, in order', () => {
  const s = '<a> one <b>in b</b>two&amp;<![CDATA[<three>]]><c/>&#x34;\n</a>';
  const root = parseXml(s).root!;
  assert.equal(root.text, ' one two&<three>4\n');
  assert.equal(root.children[0]!.text, 'in b');
  assert.equal(root.children[1]!.text, '');
});

test('an element left open keeps the text and children read before the end', () => {
  const root = parseXml('<a>x<b>y</b>z<c>w').root!;
  assert.equal(root.text, 'xz');
  assert.deepEqual(root.children.map((c) => [c.name, c.text]), [['b', 'y'], ['c', 'w']]);
});

test('in a large document, equal names and texts are equal strings, and different ones stay apart', () => {
  const items = Array.from({ length: 400 }, (_, i) => `  <item>\n    <k>v${i % 7}</k>\n    <same>URI</same>\n  </item>\n`);
  const s = `<list>\n${items.join('')}</list>`;
  assert.ok(s.length > 10_000);
  const root = parseXml(s).root!;
  assert.equal(root.children.length, 400);
  root.children.forEach((item, i) => {
    assert.equal(item.name, 'item');
    assert.equal(item.text, '\n    \n    \n  ');
    assert.deepEqual(item.children.map((c) => [c.name, c.text]), [['k', `v${i % 7}`], ['same', 'URI']]);
  });
});
