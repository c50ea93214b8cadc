// Completion in a large DM 2.0 package reads the command around the cursor, not the whole text:
// what it offers in a command among thousands is what it offers for the same command alone, at
// the same place in that command (DM 2.0 5.3: the parameters of each command).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { CompletionItem, TextEdit } from 'vscode-languageserver-types';
import { LanguageService } from '../../server/src/language/service.ts';
import { LineIndex } from '../../server/src/core/text/lineIndex.ts';

const URI = 'file:///w/big.pkg2.json';

/** The items at `offset`, their edits' ranges as offsets relative to `base`, so that two texts compare. */
function itemsAt(text: string, offset: number, base: number): unknown[] {
  const lines = new LineIndex(text);
  return new LanguageService().completion({ uri: URI, version: 1, text }, lines.positionAt(offset)).map((i: CompletionItem) => {
    const e = i.textEdit as TextEdit | undefined;
    return { ...i, textEdit: e && { newText: e.newText, start: lines.offsetAt(e.range.start) - base, end: lines.offsetAt(e.range.end) - base } };
  });
}

const command = (k: number): string => `["GET", "urn:oma:mo:oma-dm-devinfo:1.0//Ext/n${k}"]`;

test('completion inside a ClientURI of one command among 5,000 offers what it offers for that command alone', () => {
  const cmds = Array.from({ length: 5000 }, (_, k) => command(k));
  const big = `{"CMD": [\n ${cmds.join(',\n ')}\n]}\n`;
  const small = `{"CMD": [\n ${command(2500)}\n]}\n`;
  const inBig = big.indexOf(command(2500));
  const inSmall = small.indexOf(command(2500));
  // In the ClientURI string, after "urn:oma:mo:" (cursor in a string), and at the start of the command name.
  for (const within of [command(2500).indexOf('urn:') + 11, command(2500).indexOf('"GET"') + 1]) {
    const a = itemsAt(big, inBig + within, inBig);
    const b = itemsAt(small, inSmall + within, inSmall);
    assert.ok(b.length > 0, 'items offered for the command alone');
    assert.deepEqual(a, b);
  }
});

test('completion on a property key of a large package offers the properties not yet written', () => {
  const cmds = Array.from({ length: 5000 }, (_, k) => command(k));
  const text = `{"CMD": [\n ${cmds.join(',\n ')}\n], ""}\n`;
  const labels = new LanguageService().completion({ uri: URI, version: 1, text }, new LineIndex(text).positionAt(text.lastIndexOf('""') + 1)).map((i) => i.label);
  assert.ok(!labels.includes('CMD'), 'CMD is written already');
});
