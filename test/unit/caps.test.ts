// Whatever a document holds, what the language service answers stays bounded: diagnostics, outline
// and folding are capped, deep nesting neither overflows the stack nor takes seconds, and names
// taken from a document never reach Object.prototype.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DocumentSymbol } from 'vscode-languageserver-types';
import { LanguageService, MAX_DIAGNOSTICS } from '../../server/src/language/service.ts';
import { MAX_STRUCTURE_ITEMS } from '../../server/src/language/structure.ts';
import { LineIndex } from '../../server/src/core/text/lineIndex.ts';

/** A large document is only read for the editor's features, as the server does. */
const service = (): LanguageService => new LanguageService({}, { featureOnlyLength: 100_000 });

function count(symbols: DocumentSymbol[]): number {
  let n = 0;
  const stack = [...symbols];
  while (stack.length) {
    const s = stack.pop()!;
    n++;
    for (const c of s.children ?? []) stack.push(c);
  }
  return n;
}

function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

test('diagnostics are capped, with a final "N more problems not shown"', () => {
  const text = `{"CMD": [${Array.from({ length: 3000 }, () => '["NOPE", "x"]').join(',')}]}`;
  const d = new LanguageService().diagnostics({ uri: 'file:///w/many.pkg2.json', version: 1, text });
  assert.equal(d.length, MAX_DIAGNOSTICS + 1);
  const last = d[d.length - 1]!;
  assert.equal(last.severity, 3);
  assert.equal(last.message, '2000 more problems not shown.');
  assert.ok(d.slice(0, -1).every((x) => x.code === 'dm.command-unknown'));
});

test('200,000 folding ranges and outline items: capped, no stack overflow', () => {
  const text = `<bootstrap_confirmed>\n${'<a>\n\n</a>\n'.repeat(200_000)}</bootstrap_confirmed>\n`;
  const s = service();
  const doc = { uri: 'file:///w/many.delegation.xml', version: 1, text };
  const folding = s.folding(doc);
  assert.equal(folding.length, MAX_STRUCTURE_ITEMS);
  assert.equal(folding[0]!.startLine, 0);
  assert.ok(count(s.symbols(doc)) <= MAX_STRUCTURE_ITEMS);
});

test('folding of a JSON array of 200,000 arrays does not spread them into one call', () => {
  const text = `{"CMD": [\n${Array.from({ length: 200_000 }, () => '[\n"GET",\n"x"\n]').join(',\n')}\n]}`;
  const s = service();
  const doc = { uri: 'file:///w/many.pkg2.json', version: 1, text };
  assert.equal(s.folding(doc).length, MAX_STRUCTURE_ITEMS);
  assert.ok(count(s.symbols(doc)) <= MAX_STRUCTURE_ITEMS);
});

test('outline of an exchange of 10,000 messages is capped and quick', () => {
  const msg = 'POST /dm HTTP/1.1\r\nContent-Type: application/vnd.oma.dm.initiation+json\r\n\r\n{}\r\n\r\n';
  const s = service();
  const doc = { uri: 'file:///w/many.dmhttp', version: 1, text: msg.repeat(10_000) };
  s.folding(doc); // the analysis, outside the timing
  const { value, ms } = timed(() => s.symbols(doc));
  assert.ok(count(value) <= MAX_STRUCTURE_ITEMS);
  assert.ok(ms < 1000, `${ms} ms`);
});

test('hover in XML nested 100,000 deep answers quickly', () => {
  const depth = 100_000;
  const text = `<bootstrap_confirmed><DMAcc>${'<Ext>'.repeat(depth)}${'</Ext>'.repeat(depth)}</DMAcc></bootstrap_confirmed>`;
  const s = service();
  const doc = { uri: 'file:///w/deep.delegation.xml', version: 1, text };
  s.folding(doc); // the analysis, outside the timing
  const at = new LineIndex(text).positionAt(text.indexOf('</Ext>') - 3);
  const { value, ms } = timed(() => s.hover(doc, at));
  assert.ok(ms < 1000, `${ms} ms`);
  assert.ok(!value || (value.contents as { value: string }).value.length < 2000);
});

test('completion after 100,000 leading spaces answers quickly', () => {
  const s = service();
  for (const text of [`${' '.repeat(100_000)}x<bootstrap_confirmed></bootstrap_confirmed>`, `${' '.repeat(100_000)}<bootstrap_confirmed></bootstrap_confirmed>`, `<?xml version="1.0"?>${' '.repeat(100_000)}<?pi${' '.repeat(50_000)}<bootstrap_confirmed></bootstrap_confirmed>`]) {
    const doc = { uri: 'file:///w/spaces.delegation.xml', version: text.length, text };
    s.folding(doc);
    const at = new LineIndex(text).positionAt(text.indexOf('<bootstrap_confirmed') + 5);
    const { value, ms } = timed(() => s.completion(doc, at));
    assert.ok(Array.isArray(value));
    assert.ok(ms < 1000, `${ms} ms`);
  }
});

test('completion while the root is typed after the declaration still offers the messages', () => {
  const text = '<?xml version="1.0"?>\n  <bootst';
  const items = new LanguageService().completion({ uri: 'file:///w/new.delegation.xml', version: 1, text }, new LineIndex(text).positionAt(text.length));
  assert.ok(items.some((i) => i.label.includes('bootstrap')));
});

test('completion in JSON nested 10,000 deep does not throw', () => {
  const s = service();
  for (const text of [`{"CMD": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`, `["\n${'['.repeat(10_000)}`, `{"CMD": [/* */${'{"a":'.repeat(10_000)}`]) {
    const doc = { uri: 'file:///w/deep.pkg2.json', version: text.length, text };
    const lines = new LineIndex(text);
    for (const offset of [0, 9, text.length >> 1, text.length]) {
      assert.deepEqual(s.completion(doc, lines.positionAt(offset)).length >= 0, true);
      s.hover(doc, lines.positionAt(offset));
    }
  }
});

test('a long word before the cursor in a CMD array is read in linear time', () => {
  const text = `{"CMD": [${'a'.repeat(100_000)} ]}`;
  const s = service();
  const doc = { uri: 'file:///w/word.pkg2.json', version: 1, text };
  s.folding(doc);
  const { ms } = timed(() => s.completion(doc, new LineIndex(text).positionAt(text.length - 2)));
  assert.ok(ms < 1000, `${ms} ms`);
});

const PROTO_NAMES = ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty'];

/** Nothing Object.prototype holds may show through: its functions print as "[native code]". */
function plain(s: string): void {
  assert.ok(!/native code|function |\bundefined\b|\[object Object\]/.test(s), s);
}

test('DMAcc children named like Object.prototype members are plain names in hover, completion and validation', () => {
  const s = new LanguageService();
  const inner = PROTO_NAMES.map((n) => `<${n}><${n}>1</${n}></${n}>`).join('');
  const text = `<?xml version="1.0"?>\n<bootstrap_confirmed><reasonCode>200</reasonCode><status>BOOTSTRAP_CONFIRMED</status><isClientBootstapped>false</isClientBootstapped><DMAcc><AppID>w7</AppID>${inner}</DMAcc><sessionId>A</sessionId></bootstrap_confirmed>`;
  const doc = { uri: 'file:///w/proto.delegation.xml', version: 1, text };
  const lines = new LineIndex(text);
  const ds = s.diagnostics(doc);
  assert.ok(ds.length > 0);
  for (const d of ds) plain(d.message);
  for (const n of PROTO_NAMES) {
    for (const at of [text.indexOf(`<${n}>`) + 2, text.indexOf(`<${n}><${n}>`) + n.length + 4, text.indexOf(`>1</${n}>`) + 1]) {
      const h = s.hover(doc, lines.positionAt(at));
      if (h) plain((h.contents as { value: string }).value);
      for (const c of s.completion(doc, lines.positionAt(at))) plain(`${c.label} ${c.detail ?? ''}`);
    }
  }
  s.symbols(doc);
});

test('an HTTP header named like an Object.prototype member has no hover', () => {
  const s = new LanguageService();
  for (const n of PROTO_NAMES) {
    const text = `POST /dm HTTP/1.1\r\n${n}: 1\r\n\r\n`;
    const h = s.hover({ uri: 'file:///w/proto.dmhttp', version: 1, text }, new LineIndex(text).positionAt(text.indexOf(n) + 1));
    assert.equal(h, null);
  }
});

test('tree instances and nodes named like Object.prototype members stay plain data', () => {
  const children = Object.fromEntries(PROTO_NAMES.map((n) => [n, { [n]: 'v' }]));
  const instances = Object.fromEntries(PROTO_NAMES.map((n) => [n, { SrvID: n, ...children }]));
  const tree = JSON.stringify({ 'urn:oma:mo:oma-dm-dmacc:1.2': instances }, null, 1);
  // JSON.stringify of an object literal cannot hold an own "__proto__" key: write it by hand.
  const text = tree.replace('{', `{"__proto__": {"__proto__": {"constructor": "x"}},`);
  const s = new LanguageService();
  s.setTrees([{ file: '/w/proto.dmtree.json', text }]);
  const treeDoc = { uri: 'file:///w/proto.dmtree.json', version: 1, text };
  for (const d of s.diagnostics(treeDoc)) plain(d.message);
  s.symbols(treeDoc);
  s.folding(treeDoc);
  const pkg = `{"CMD": [${PROTO_NAMES.map((n) => `["GET", "urn:oma:mo:oma-dm-dmacc:1.2/${n}/${n}"]`).join(',')}]}`;
  const pkgDoc = { uri: 'file:///w/proto.pkg2.json', version: 1, text: pkg };
  for (const d of s.diagnostics(pkgDoc)) plain(d.message);
  const lines = new LineIndex(pkg);
  for (const n of PROTO_NAMES) {
    const at = lines.positionAt(pkg.indexOf(`/${n}/`) + 3);
    const h = s.hover(pkgDoc, at);
    if (h) plain((h.contents as { value: string }).value);
    for (const c of s.completion(pkgDoc, at)) plain(`${c.label} ${c.detail ?? ''}`);
  }
  assert.equal(({} as Record<string, unknown>).constructor, Object, 'Object.prototype is untouched');
});
