// Invariants editors rely on, over every fixture: outlines nest (VS Code rejects a selection range
// outside its symbol), folding ranges are ordered lines, and no feature throws anywhere in a file.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DocumentSymbol, Range } from 'vscode-languageserver-types';
import { LanguageService } from '../../server/src/language/service.ts';
import { ROOT } from '../helpers.ts';

function allFixtures(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? allFixtures(p) : /\.(xml|json|dmhttp|pkg0|hex)$/.test(e.name) && e.name !== 'expected.json' ? [p] : [];
  });
}

const within = (inner: Range, outer: Range): boolean =>
  (inner.start.line > outer.start.line || (inner.start.line === outer.start.line && inner.start.character >= outer.start.character)) &&
  (inner.end.line < outer.end.line || (inner.end.line === outer.end.line && inner.end.character <= outer.end.character));

function checkSymbols(symbols: DocumentSymbol[], file: string, parent?: DocumentSymbol): number {
  let n = 0;
  for (const s of symbols) {
    n++;
    assert.ok(within(s.selectionRange, s.range), `${file}: ${s.name} selectionRange outside its range`);
    if (parent) assert.ok(within(s.range, parent.range), `${file}: ${s.name} outside ${parent.name}`);
    n += checkSymbols(s.children ?? [], file, s);
  }
  return n;
}

test('outlines nest, folding is ordered, and hover/completion never throw, on every fixture', () => {
  const service = new LanguageService();
  const files = allFixtures(path.join(ROOT, 'test', 'fixtures')).concat(allFixtures(path.join(ROOT, 'examples')));
  assert.ok(files.length > 60);
  let symbols = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const doc = { uri: 'file://' + file, version: 1, text };
    symbols += checkSymbols(service.symbols(doc), file);
    for (const f of service.folding(doc)) assert.ok(f.startLine < f.endLine, `${file}: folding ${f.startLine}-${f.endLine}`);
    // Probe every 7th character: features answer or decline, they never throw.
    const lines = text.split('\n');
    for (let line = 0; line < lines.length; line++) {
      for (let character = 0; character <= lines[line]!.length; character += 7) {
        service.hover(doc, { line, character });
        service.completion(doc, { line, character });
      }
    }
  }
  assert.ok(symbols > 100);
});
