// A tree file typed in is judged from the text before when a leaf's value is retyped
// (language/treeEdit.ts). Whatever the keystroke (in a value, a key, a bracket, a comma, a line
// break, in an instance with a DDF or without, one that breaks the JSON or mends it), the result
// is the one a validation of the whole text gives: both ways are run on the same keystrokes.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LanguageService, type ValidationResult } from '../../server/src/language/service.ts';
import { ddfMap } from '../../server/src/lsp/trees.ts';
import { ROOT } from '../helpers.ts';

const FILE = '/w/typed.dmtree.json';
const URI = `file://${FILE}`;
const DDF_DIR = path.join(ROOT, 'ddf');

function sample(): string {
  const items: Record<string, unknown> = {};
  for (let k = 0; k < 30; k++) items[`n${k}`] = { ID: `id-${k}`, Value: k, On: k % 2 === 0, Meta: { A: 'a\\"b' } };
  return JSON.stringify([
    { ClientURI: 'urn:oma:mo:example-bench:1.0/i0/', MOData: { i0: { Items: items } } },
    { ClientURI: 'urn:oma:mo:oma-dm-devinfo:1.2//', MOData: { d: { DevID: 'IMEI:1', Man: 5, Mod: 'm', DmV: '2.0', Lang: 'en' } } },
    { ClientURI: 'urn:oma:mo:example-bench:1.0/i1/', CV: '', MOData: { i2: { A: 1, B: 'x' } } },
    { ClientURI: 'urn:oma:mo:example-bench:1.0/i1/', MOData: { i1: { A: 1 } } },
  ], null, 1);
}

/** A small deterministic generator, so that a failure is the same on every run. */
function random(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
}

const comparable = (r: ValidationResult): string => JSON.stringify(r);

test('keystrokes anywhere in a tree file: the same diagnostics as validating the whole text', () => {
  const ddfFiles = fs.readdirSync(DDF_DIR).filter((f) => f.endsWith('.ddf')).map((f) => ({ file: path.join(DDF_DIR, f), text: fs.readFileSync(path.join(DDF_DIR, f), 'utf8') }));
  let text = sample();
  const typed = new LanguageService();
  const whole = new LanguageService();
  for (const s of [typed, whole]) s.setTrees([{ file: FILE, text }], undefined, ddfMap(ddfFiles));
  const next = random(7);
  const keys = ['1', '9', '-', '.', 'e', '"', '\\', ' ', ',', ':', '\n', '{', '}', ']', 'x', 'true', ''];
  let version = 1;
  typed.validate({ uri: URI, version, text, languageId: 'dm-json' }, false);
  for (let i = 0; i < 1500; i++) {
    // Every other keystroke in a value written after a key, where most typing goes.
    const values = [...text.matchAll(/: ("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)/g)];
    const value = values[next(values.length)]!;
    const at = i % 2 ? next(text.length) : value.index + 2 + next(value[1]!.length + 1);
    const edited = text.slice(0, at) + keys[next(keys.length)]! + text.slice(at + next(2));
    version++;
    const a = typed.validate({ uri: URI, version, text: edited, languageId: 'dm-json' }, false);
    // The whole text validated by a service that keeps every analysis (no judgement from the text before).
    const b = whole.validate({ uri: URI, version, text: edited, languageId: 'dm-json' }, true);
    assert.equal(comparable(a), comparable(b), `keystroke ${i} at ${at}`);
    // The text goes on from the keystroke while it is JSON, else from the text before it (undo).
    let valid = true;
    try {
      JSON.parse(edited);
    } catch {
      valid = false;
    }
    if (valid) text = edited;
    else typed.validate({ uri: URI, version: ++version, text, languageId: 'dm-json' }, false);
  }
});
