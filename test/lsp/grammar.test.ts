// The dm-http grammar the extension ships beside the language server: JSON bodies are embedded
// (source.json) as XML bodies are (text.xml), each running to the next message, separator or
// multipart boundary. Checked on the grammar's own patterns, which are JavaScript-compatible.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';

interface Rule {
  begin?: string;
  end?: string;
  match?: string;
  name?: string;
  patterns?: { include: string }[];
}

const grammar = JSON.parse(fs.readFileSync(path.join(ROOT, 'syntaxes', 'dm-http.tmLanguage.json'), 'utf8')) as { repository: { message: { patterns: Rule[] } } };
const body = (include: string): Rule => grammar.repository.message.patterns.find((r) => r.patterns?.some((p) => p.include === include))!;

test('JSON bodies of a .dmhttp are embedded JSON, up to the next message or boundary', () => {
  const json = body('source.json');
  assert.ok(json, 'a rule embeds source.json');
  assert.equal(json.name, 'meta.embedded.block.json');
  const begin = new RegExp(json.begin!);
  assert.ok(begin.test('{"CMD": [["END"]]}') && begin.test('  [') && !begin.test('Content-Type: application/vnd.oma.dm.request+json') && !begin.test('<delegation_req>'));
  const end = new RegExp(json.end!, 'm');
  for (const next of ['POST /dm HTTP/1.1', 'HTTP/1.1 200 OK', '----', '--boundary42']) assert.ok(end.test(next), next);
  assert.ok(!end.test('  "CMD": ['));
  // XML bodies keep theirs.
  assert.ok(new RegExp(body('text.xml').begin!).test('<delegation_req>'));
});
