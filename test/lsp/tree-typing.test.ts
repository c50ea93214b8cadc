// Typing in a sample tree too large for the server's main thread (validated in the worker), as an
// editor sends it, one character after another: a leaf's value retyped, a value whose DDF format
// it breaks, a MIID key retyped. Each version gets the diagnostics DM 2.0 gives it, wherever the
// problems sit on the line the edit moved; a package addressing a node of the tree is judged
// against the tree as typed once the typing stops.
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { type LspClient, serverInWorkspace } from './client.ts';

const M = 'urn:oma:mo:example-typing:1.0';
const DEVINFO = 'urn:oma:mo:oma-dm-devinfo:1.2';

let client: LspClient;
let ws: string;

/** Two items of instance 'a' on one line (the second is the one used, 7.2.1.4), a DevInfo with the nodes its DDF requires (DM 2.0 12.1), and enough nodes to go to the worker. */
function treeText(first: string, man: string, secondMiid: string): string {
  const kids = Array.from({ length: 4000 }, (_, k) => `    "n${k}": ${k}`).join(',\n');
  return `[{"ClientURI": "${M}/w/", "MOData": {"w": {\n${kids}\n}}},\n` +
    `{"ClientURI": "${M}/a/", "MOData": {"a": {"V": ${first}}}}, {"ClientURI": "${M}/a/", "MOData": {"${secondMiid}": {"V": 2}}},\n` +
    `{"ClientURI": "${DEVINFO}//", "MOData": {"d": {"DevID": "IMEI:1", "Man": ${man}, "Mod": "m", "DmV": "2.0", "Lang": "en", "DevType": "phone", "OEM": "o", "FwV": "1", "SwV": "1", "HwV": "1"}}}]\n`;
}

const server = serverInWorkspace('tree-typing', () => ({ 'typed.dmtree.json': treeText('1', '"Acme"', 'a'), 'uses.pkg2.json': `{"CMD": [\n ["GET", "${M}/w/n17"]\n]}\n` }));
before(() => ({ client, ws } = server()));

const uri = (f: string): string => 'file://' + path.join(ws, f);

/** Each diagnostic as code, line and character range, in the text's own coordinates. */
function placed(ds: Diagnostic[]): [string, number, number, number][] {
  return ds.map((d) => [String(d.code), d.range.start.line, d.range.start.character, d.range.end.character]);
}

/** Where `needle` (its `nth` occurrence) is written in `text`, as line and character. */
function at(text: string, needle: string, nth = 1): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k < nth; k++) i = text.indexOf(needle, i + 1);
  assert.ok(i >= 0, `${needle} is in the text`);
  const before = text.slice(0, i);
  return { line: before.split('\n').length - 1, character: i - before.lastIndexOf('\n') - 1 };
}

test('typing in a large tree file: each version judged as DM 2.0 has it', async () => {
  const file = uri('typed.dmtree.json');
  let text = treeText('1', '"Acme"', 'a');
  await client.open(file, text, 'dm-json');
  // The instance defined again: a warning at the later MIID key (DM 2.0 7.2.1.4, the top key of MOData is the MIID).
  const duplicate = (t: string): [string, number, number, number] => {
    const p = at(t, '"a": {"V": 2', 1);
    return ['tree.duplicate-instance', p.line, p.character, p.character + 3];
  };
  assert.deepEqual(placed(await client.diagnostics(file, 1)), [duplicate(text)]);

  // A leaf value typed longer, one digit at a time: the warning after it on the same line moves with it.
  let version = 1;
  for (const value of ['12', '123', '1234']) {
    text = treeText(value, '"Acme"', 'a');
    await client.change(file, text, ++version);
    assert.deepEqual(placed(await client.diagnostics(file, version)), [duplicate(text)]);
  }

  // DevInfo's Man is a chr node in its DDF (DM 2.0 12.1): a number there is not of its format (7.2.1.4).
  text = treeText('1234', '5', 'a');
  await client.change(file, text, ++version);
  const man = at(text, '"Man"');
  assert.deepEqual(placed(await client.diagnostics(file, version)), [duplicate(text), ['tree.ddf-format', man.line, man.character, man.character + 5]]);
  text = treeText('1234', '"Acme"', 'a');
  await client.change(file, text, ++version);
  assert.deepEqual(placed(await client.diagnostics(file, version)), [duplicate(text)]);

  // The later MIID key retyped: no instance defined twice now, but its ClientURI names 'a' while MOData holds 'b'.
  text = treeText('1234', '"Acme"', 'b');
  await client.change(file, text, ++version);
  const b = at(text, '"b"');
  assert.deepEqual(placed(await client.diagnostics(file, version)), [['tree.miid', b.line, b.character, b.character + 3]]);
});

test('a package addressing the tree is judged against it as typed, once the typing stops', async () => {
  const file = uri('typed.dmtree.json');
  const pkg = uri('uses.pkg2.json');
  await client.open(pkg, fs.readFileSync(path.join(ws, 'uses.pkg2.json'), 'utf8'), 'dm-json');
  assert.deepEqual(await client.diagnostics(pkg), []);
  // The node the package reads renamed: n17 is then no node of the tree (DM 2.0 6.1.2).
  const renamed = treeText('1234', '"Acme"', 'b').replace('"n17"', '"m17"');
  await client.change(file, renamed, 100);
  await client.diagnostics(file, 100);
  const judged = await client.diagnostics(pkg, 1, (ds) => ds.length === 1);
  assert.deepEqual(judged.map((d) => [d.code, d.range.start.line]), [['tree.unresolved', 1]]);
});
