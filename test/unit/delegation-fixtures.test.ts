import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/core/analyze.ts';
import { LineIndex } from '../../server/src/core/text/lineIndex.ts';
import { MESSAGES } from '../../server/src/core/delegation/messages.ts';
import { FIXTURES, applyEdits } from '../helpers.ts';

const expected: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));

function files(dir: string): string[] {
  return fs.readdirSync(path.join(FIXTURES, dir)).filter((f) => /\.(xml|dmhttp)$/.test(f)).map((f) => `${dir}/${f}`);
}

function found(rel: string): string[] {
  const text = fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
  const lines = new LineIndex(text);
  const a = analyzeText(text, { fileName: rel });
  assert.ok(a.recognised, `${rel} is recognised`);
  return a.diagnostics.map((d) => {
    const p = lines.positionAt(d.start);
    return `${d.code}@${p.line + 1}:${p.character + 1}`;
  });
}

test('every delegation message has a valid fixture, and valid fixtures validate clean', () => {
  const valid = files('valid');
  for (const m of MESSAGES) assert.ok(valid.some((f) => path.basename(f).startsWith(m.root)), `a valid fixture for ${m.root}`);
  for (const rel of valid) assert.deepEqual(found(rel), [], rel);
});

test('every broken fixture gets exactly its expected diagnostics, at the fault', () => {
  const broken = [...files('broken'), ...files('http')];
  for (const rel of broken) assert.deepEqual(found(rel), expected[rel] ?? [], rel);
  for (const rel of Object.keys(expected)) assert.ok(broken.includes(rel), `${rel} exists`);
});

test('every diagnostic code of the delegation rules has a broken fixture', () => {
  const codes = new Set(Object.values(expected).flat().map((e) => e.split('@')[0]));
  const src = ['validate.ts', 'http.ts'].map((f) => fs.readFileSync(path.join(__dirname, '../../server/src/core/delegation', f), 'utf8')).join('\n');
  const xml = fs.readFileSync(path.join(__dirname, '../../server/src/core/xml/parse.ts'), 'utf8');
  const http = fs.readFileSync(path.join(__dirname, '../../server/src/core/http/message.ts'), 'utf8');
  const declared = new Set([...(src + xml + http).matchAll(/'((?:del|http|xml)\.[a-z-]+)'/g)].map((m) => m[1]!));
  for (const code of declared) assert.ok(codes.has(code), `a broken fixture shows ${code}`);
});

test('the Appendix C exchange is recognised verbatim: only its malformed Accept headers are reported', () => {
  const rel = 'http/appendix-c.dmhttp';
  const text = fs.readFileSync(path.join(FIXTURES, rel), 'utf8');
  const a = analyzeText(text, { fileName: rel });
  assert.deepEqual(a.regions.map((r) => (r.type === 'delegation' ? r.analysis.message?.root : r.type)), ['delegation_req', 'delegation_resp', 'bootstrap_confirmed']);
  assert.deepEqual(a.diagnostics.map((d) => [d.severity, text.slice(d.start, d.end)]), [
    ['warning', 'application/vnd vnd.dm.delegation+xml'],
    ['warning', 'application/vnd vnd.dm.delegation+xml'],
  ]);
  const fixed = applyEdits(text, a.diagnostics.flatMap((d) => d.fixes![0]!.edits));
  assert.deepEqual(analyzeText(fixed, { fileName: rel }).diagnostics, []);
});

test('a plain .xml file with another root is left alone; the same root in a claimed file is an error', () => {
  const text = '<project><name>x</name><broken></project>';
  assert.deepEqual(analyzeText(text, { fileName: 'pom.xml' }), { text, kind: 'delegation', recognised: false, diagnostics: [], regions: [] });
  const claimed = analyzeText(text, { fileName: 'x.xml', languageId: 'dm-delegation' });
  assert.ok(claimed.diagnostics.some((d) => d.code === 'del.not-a-message'));
});
