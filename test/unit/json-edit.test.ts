// An edit that only retypes one string, number or literal of a JSON text (RFC 8259) leaves it
// JSON: retypedToken tells such edits from the others, and a document of a text so known is read
// as JSON.parse reads it, without parsing it up front.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { retypedToken } from '../../server/src/core/json/edit.ts';
import { JsonDocument, noteValidJson } from '../../server/src/core/json/document.ts';

const TEXT = JSON.stringify({ CMD: [['GET', 'urn:oma:mo:oma-dm-devinfo:1.2//DevID'], ['EXEC', 'urn:oma:mo:x:1.0/a/Op', 'p\\"q']], n: -1500, ok: true, none: null }, null, 1);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

test('a value or a property name retyped is told; the edits that touch anything else are not', () => {
  const edit = (from: string, to: string): ReturnType<typeof retypedToken> => retypedToken(TEXT, TEXT.replace(from, to));
  assert.deepEqual(edit('"GET"', '"GETX"'), { start: TEXT.indexOf('"GET"'), end: TEXT.indexOf('"GET"') + 5, delta: 1, typed: '"GETX"', wasString: true });
  assert.equal(edit('-1500', '-1.5e34')?.typed, '-1.5e34');
  assert.equal(edit('true', 'false')?.typed, 'false');
  assert.equal(edit('null', '7')?.typed, '7');
  // A property name stays a string (RFC 8259 4): retyped as a string it is told, as a number not.
  assert.equal(edit('"ok"', '"ko"')?.wasString, true);
  assert.equal(edit('"ok"', '5'), undefined);
  // Brackets, commas, colons, a string left open, two tokens at once: not a value retyped.
  for (const [from, to] of [['"GET",', '"GET"'], ['"GET"', '"GET'], ['true', 'tru'], ['true, ', 'true,, '], ['"n": -1500', '"m": -15'], ['[', '{']]) {
    assert.equal(edit(from!, to!), undefined, `${from} -> ${to}`);
  }
});

test('whatever one keystroke does, an edit told as a value retyped leaves the text JSON', () => {
  let s = 11;
  const next = (n: number): number => (s = (s * 1103515245 + 12345) % 2147483648) % n;
  const keys = ['1', '-', '.', 'e', 'E', '+', '"', '\\', ' ', ',', ':', '\n', '[', '}', 'u', 'x', 't', ''];
  let told = 0;
  for (let i = 0; i < 4000; i++) {
    const at = next(TEXT.length);
    const edited = TEXT.slice(0, at) + keys[next(keys.length)]! + TEXT.slice(at + next(2));
    const token = retypedToken(TEXT, edited);
    if (!token) continue;
    told++;
    assert.ok(isJson(edited), JSON.stringify(edited));
  }
  assert.ok(told > 100, `${told} edits told`);
});

test('a text known to be JSON reads as JSON.parse reads it', () => {
  const text = TEXT.replace('"GET"', '"HGET"');
  noteValidJson(text);
  const doc = new JsonDocument(text);
  assert.equal(doc.valid, true);
  assert.deepEqual(doc.errors, []);
  assert.deepEqual(doc.value, JSON.parse(text));
  assert.deepEqual(doc.range(['CMD', 0, 0]), { start: text.indexOf('"HGET"'), end: text.indexOf('"HGET"') + 6 });
});
