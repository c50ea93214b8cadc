// The core parsers read whatever an editor opens or the CLI is handed: their time must grow
// linearly with the input, and a pathological input must come back as diagnostics, not a throw
// (a stack overflow or a hang takes the language server down with it).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseXml } from '../../server/src/core/xml/parse.ts';
import { JsonDocument, MAX_DEPTH } from '../../server/src/core/json/document.ts';
import { parseHttpExchange } from '../../server/src/core/http/message.ts';
import { splitMultipart } from '../../server/src/core/http/multipart.ts';
import { decode, encode } from '../../server/src/core/notification/codec.ts';
import { assertLinear } from './growth.ts';

// ---- XML (XML 1.0) ----

const elements = (n: number): string => '<a>' + '<b>text</b>\n'.repeat(n) + '</a>';
const attributes = (n: number, extra = ''): string => {
  const parts = ['<a'];
  for (let i = 0; i < n; i++) parts.push(` a${i}="v"`);
  return parts.join('') + extra + '/>';
};
/** Many small regions of one text, each parsed alone, as the bodies of a long HTTP fixture are. */
const regions = (n: number, part: string) => (): void => {
  const text = part.repeat(n);
  for (let i = 0; i < n; i++) parseXml(text, i * part.length, (i + 1) * part.length);
};

test('XML: many text nodes without a reference are linear', (t) => {
  assertLinear(t, 'text nodes', (n) => {
    const s = elements(n);
    return () => parseXml(s);
  }, 12_500);
});

test('XML: an unclosed comment or processing instruction is linear, alone or in each of many regions', (t) => {
  assertLinear(t, 'unclosed comment', (n) => {
    const s = '<a>' + '<b>x</b>'.repeat(n) + '<!--' + ' - x'.repeat(n);
    return () => parseXml(s);
  }, 6_250);
  assertLinear(t, 'unclosed processing instruction', (n) => {
    const s = '<a>' + '<b>x</b>'.repeat(n) + '<?pi' + ' ? x'.repeat(n);
    return () => parseXml(s);
  }, 6_250);
  assertLinear(t, 'regions with an unclosed comment', (n) => regions(n, '<a>x<!-- y</a>\n'), 2_000);
  assertLinear(t, 'regions with an unclosed processing instruction', (n) => regions(n, '<a>x<?pi y</a>\n'), 2_000);
  assertLinear(t, 'regions with an unclosed CDATA section', (n) => regions(n, '<a>x<![CDATA[ y</a>\n'), 2_000);
});

test('XML: 100,000 attributes on one element are linear', (t) => {
  assertLinear(t, 'attributes', (n) => {
    const s = attributes(n);
    return () => parseXml(s);
  }, 12_500);
  assertLinear(t, 'attributes with unclosed values', (n) => {
    const s = '<a' + ' b="x'.repeat(n);
    return () => parseXml(s);
  }, 12_500);
});

test('XML: hostile documents give diagnostics, not a throw', () => {
  const comment = parseXml('<a>' + '<!--' + ' - x'.repeat(100_000));
  assert.deepEqual(comment.errors.map((e) => e.message.replace(/ \(XML 1\.0\)$/, '')), ["Comment is not closed with '-->'.", '<a> is never closed: the document ends before </a>.']);
  const pi = parseXml('<a>' + '<?pi' + ' ? x'.repeat(100_000));
  assert.match(pi.errors[0]!.message, /'<\?pi' is not closed with '\?>'/);
  const many = parseXml(attributes(100_000, ' a7="again"'));
  assert.equal(many.root!.attributes.length, 100_001);
  assert.deepEqual(many.errors.map((e) => e.message), ["Attribute 'a7' is repeated. (XML 1.0)"]);
  const unclosed = parseXml('<a' + ' b="x'.repeat(10_000));
  assert.ok(unclosed.errors.length > 0 && unclosed.errors.length <= 100);
  const deep = parseXml('<a>'.repeat(100_000) + '</b>'.repeat(100_000));
  assert.ok(deep.errors.length > 0 && deep.errors.length <= 100);
});

// ---- JSON (RFC 8259) ----

const DEEP = 100_000;

test('JSON: what comes before deep nesting does not hide it from the depth guard', () => {
  const prefixes: [string, string][] = [
    ['a string broken by a newline', '["\n'],
    ['a string broken by a carriage return', '["\r'],
    ['a string with an escaped quote', '["\\"", '],
    ['an escaped backslash before the closing quote', '["\\\\", '],
    ['a block comment holding a quote', '/* " */ '],
    ['a block comment holding closing brackets', '/* ]]]]]]]] */ '],
    ['a line comment holding a quote', '// "\n'],
    ['closing braces an array skips', '[' + '}'.repeat(DEEP) + ','],
    ['closing brackets an object skips', '{"a": ' + ']'.repeat(DEEP) + ', "b": '],
  ];
  for (const [what, prefix] of prefixes) {
    for (const open of ['[', '{"k":']) {
      const text = prefix + open.repeat(DEEP);
      let doc: JsonDocument | undefined;
      assert.doesNotThrow(() => {
        doc = new JsonDocument(text);
      }, what);
      assert.equal(doc!.valid, false, what);
      assert.deepEqual(doc!.errors.map((e) => e.code), ['json.depth'], what);
      // The diagnostic points at the bracket that goes one level too deep.
      assert.equal(text[doc!.errors[0]!.start], open[0], what);
      assert.equal(doc!.tree, undefined, what);
    }
  }
});

test('JSON: nesting up to MAX_DEPTH is still read, in and after strings and comments', () => {
  const ok = '"]\\"" // ]\n' + '['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH);
  const doc = new JsonDocument(ok);
  assert.ok(!doc.errors.some((e) => e.code === 'json.depth'));
  const valid = new JsonDocument('['.repeat(MAX_DEPTH) + '"[[[\\"{{{"' + ']'.repeat(MAX_DEPTH));
  assert.equal(valid.valid, true);
  const over = new JsonDocument('["]", "\\"[", ' + '['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH) + ']');
  assert.deepEqual(over.errors.map((e) => e.code), ['json.depth']);
});

test('JSON: the depth scan and the parsers are linear in strings, escapes and comments', (t) => {
  assertLinear(t, 'strings and comments', (n) => {
    const s = '[' + '"a\\"b\\\\", /* ] */ '.repeat(n) + '1]';
    return () => new JsonDocument(s);
  }, 10_000);
  assertLinear(t, 'valid JSON', (n) => {
    const s = '[' + '{"k": "v\\n", "a": [1, 2]},'.repeat(n) + '0]';
    return () => new JsonDocument(s);
  }, 10_000);
});

// ---- HTTP (RFC 7230) ----

test('HTTP: lines padded with spaces before a CR are linear', (t) => {
  const cases: [string, (n: number) => string][] = [
    ['status line', (n) => 'HTTP/1.1 200' + ' '.repeat(n) + '\rx\n'],
    ['status line with a reason', (n) => 'HTTP/1.1 200 OK' + ' '.repeat(n) + '\rx\n'],
    ['request line', (n) => 'GET' + ' '.repeat(n) + '/' + ' '.repeat(n) + '\rx\n'],
    ['header line', (n) => 'GET / HTTP/1.1\nA: x' + ' '.repeat(n) + '\rx\n'],
    ['header line of blanks', (n) => 'GET / HTTP/1.1\nA:' + ' \t'.repeat(n) + '\r\u2028x\n'],
    ['blank line', (n) => ' '.repeat(n) + '\r'],
  ];
  for (const [what, make] of cases) {
    assertLinear(t, what, (n) => {
      const s = make(n);
      return () => parseHttpExchange(s);
    }, 3_000);
  }
});

test('HTTP: padded lines give diagnostics, not a throw', () => {
  const status = parseHttpExchange('HTTP/1.1 200' + ' '.repeat(3_000) + '\rx\n');
  assert.deepEqual(status.errors.map((e) => e.code), ['http.start-line']);
  const header = parseHttpExchange('GET / HTTP/1.1\nA: x' + ' '.repeat(3_000) + '\rx\n');
  assert.deepEqual(header.errors.map((e) => e.code), ['http.header-syntax']);
  assert.equal(header.messages.length, 1);
});

test('HTTP: 10,000 messages in one fixture are linear, and all read', (t) => {
  // Indented bodies, as the specs print them: every line break between elements is a text node.
  const exchange = 'POST /dm HTTP/1.1\nHost: h\nContent-Type: application/vnd.dm.delegation+xml\n\n<a>\n <b>x</b>\n <c>y</c>\n</a>\n\nHTTP/1.1 200 OK\n\n<d>\n <e/>\n</d>\n';
  assertLinear(t, 'messages', (n) => {
    const s = exchange.repeat(n / 2);
    return () => {
      const ex = parseHttpExchange(s);
      // Each body parsed where it is, as the delegation validator does.
      for (const m of ex.messages) parseXml(s, m.body.start, m.body.end);
    };
  }, 1_250);
  const ex = parseHttpExchange(exchange.repeat(5_000));
  assert.equal(ex.messages.length, 10_000);
  assert.deepEqual(ex.errors, []);
});

// ---- multipart (RFC 2046 §5.1) ----

const multipart = (n: number): string => {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`--B\r\nContent-Type: application/json\r\n\r\n{"a":${i}}\r\n`);
  return parts.join('') + '--B--\r\n';
};

test('multipart: 50,000 parts are linear, with the ranges of each part', (t) => {
  assertLinear(t, 'parts', (n) => {
    const s = multipart(n);
    return () => splitMultipart(s, { start: 0, end: s.length }, 'B');
  }, 6_250);
  const s = multipart(50_000);
  const { parts, errors } = splitMultipart(s, { start: 0, end: s.length }, 'B');
  assert.deepEqual(errors, []);
  assert.equal(parts.length, 50_000);
  const last = parts[49_999]!;
  assert.equal(s.slice(last.body.start, last.body.end), '{"a":49999}');
  assert.equal(s.slice(last.headers[0]!.valueStart, last.headers[0]!.valueEnd), 'application/json');
});

test('multipart: parts without a close delimiter or with a foreign boundary give diagnostics, not a throw', () => {
  const s = '--B\r\n\r\nx\r\n'.repeat(20_000) + '--C\r\n\r\ny';
  const { parts, errors } = splitMultipart(s, { start: 0, end: s.length }, 'B');
  assert.equal(parts.length, 20_001);
  assert.deepEqual(errors.map((e) => e.code), ['http.multipart-boundary', 'http.multipart']);
});

// ---- DM Notification (DM 2.0 5.2.1.2) ----

test('encode puts ANY_AVAILABLE last, so what it writes decodes without a problem', () => {
  const n = decode(encode({ serverId: 'S', conTypes: [0x00, 0x02] }));
  assert.deepEqual(n.problems, []);
  assert.deepEqual(n.options.find((o) => o.number === 2)?.raw, [0x02, 0x00]);
  // The other types keep the order they were given in.
  assert.deepEqual(decode(encode({ conTypes: [0x03, 0x00, 0x01, 0x02] })).options[0]?.raw, [0x03, 0x01, 0x02, 0x00]);
});

test('whole files of the analysis: unknown keys, many messages and a huge command list are linear and never overflow the stack', async (t) => {
  const { analyzeText } = await import('../../server/src/core/analyze.ts');
  const keys = (n: number): string => '{"CMD": [["END"]], ' + Array.from({ length: n }, (_, i) => `"k${i}": 1`).join(', ') + '}';
  assertLinear(t, 'unknown keys', (n) => { const text = keys(n); return () => analyzeText(text, { fileName: 'x.pkg2.json' }); }, 2000);
  const exchange = 'POST /dm HTTP/1.1\nHost: x\nContent-Type: application/vnd.oma.dm.initiation+json\nOMADM-DevID: IMEI:1\nAccept: application/vnd.oma.dm.request+json\n\n{}\n\nHTTP/1.1 200 OK\nContent-Type: application/vnd.oma.dm.request+json\n\n{"CMD": [["END"]]}\n';
  assertLinear(t, 'messages in one .dmhttp', (n) => { const text = Array.from({ length: n }, () => exchange).join('\n'); return () => analyzeText(text, { fileName: 'x.dmhttp' }); }, 250);
  const bad = 'HTTP/1.1 200 OK\nContent-Type: application/vnd.oma.dm.request+json\n\n{"CMD": [' + Array.from({ length: 200_000 }, () => '["FROB"]').join(',') + ']}\n';
  const a = analyzeText(bad, { fileName: 'x.dmhttp' });
  assert.ok(a.diagnostics.some((d) => d.code === 'dm.command-unknown'));
  const many = analyzeText(keys(100_000), { fileName: 'x.pkg2.json' }).diagnostics.filter((d) => d.code === 'dm.property-unknown');
  assert.equal(many.length, 101, 'a hundred placed, then one that says how many more');
  assert.match(many[0]!.message, /^99900 more properties/);
});
