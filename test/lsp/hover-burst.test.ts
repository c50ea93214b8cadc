// Hover in a large Package#2 while it is being typed in, through a real LSP client: a burst of
// edits, each followed at once by a hover, never answers from a version older than the one sent
// before it, and the last answer is the last version's, range included. The document is larger
// than what the server validates on its main thread, so that hover reads it on its own while the
// validation runs elsewhere.
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DidChangeTextDocumentNotification, HoverRequest, type Hover, type MarkupContent, type Position } from 'vscode-languageserver-protocol';
import { type LspClient, serverInWorkspace } from './client.ts';

const M = 'urn:oma:mo:oma-bench:1.0';
const ITEMS = 50;
const COMMANDS = 2_000;

let client: LspClient;
let ws: string;

const server = serverInWorkspace('hover-burst', () => {
  const items = Object.fromEntries(Array.from({ length: ITEMS }, (_, k) => [`n${k}`, { ID: `id-${k}` }]));
  return { 'items.dmtree.json': JSON.stringify([{ ClientURI: `${M}/i0/`, MOData: { i0: { Items: items } } }], null, 1) };
});
before(() => ({ client, ws } = server()));

const positionOf = (text: string, offset: number): Position => {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
};

/** The node name a hover's resolution lists (`.../Items/n7/ID`), or undefined. */
const resolved = (h: Hover | null): string | undefined => /\/Items\/(n\d+)\/ID`/.exec(h ? (h.contents as MarkupContent).value : '')?.[1];

test('hover during a burst of edits answers for the latest version', async () => {
  const uri = 'file://' + path.join(ws, 'typing.pkg2.json');
  const command = (k: number): string => JSON.stringify(['GET', `${M}/i0/Items/n${k % ITEMS}/ID`]);
  let text = `{"CMD": [\n${Array.from({ length: COMMANDS }, (_, k) => ' ' + command(k)).join(',\n')}\n]}\n`;
  assert.ok(text.length > 64 * 1024, 'larger than what is validated on the main thread');
  await client.open(uri, text, 'dm-json');
  await client.diagnostics(uri, 1);

  // The first command's node name is retyped: n1, n2, ... n12, its length changing on the way.
  const at = text.indexOf('/Items/n0/') + '/Items/'.length;
  // On the name being retyped: the hover is then the whole string's, whose end moves with it.
  const hoverAt = at + 1;
  const names: string[] = [];
  const texts: string[] = [];
  const pending: Promise<Hover | null>[] = [];
  let current = 'n0';
  for (let k = 1; k <= 12; k++) {
    const name = `n${k}`;
    const range = { start: positionOf(text, at), end: positionOf(text, at + current.length) };
    text = text.slice(0, at) + name + text.slice(at + current.length);
    current = name;
    names.push(name);
    texts.push(text);
    void client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: k + 1 }, contentChanges: [{ range, text: name }] });
    pending.push(client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, hoverAt) }));
  }
  const answers = await Promise.all(pending);
  answers.forEach((h, k) => {
    const seen = resolved(h);
    assert.ok(seen !== undefined, `hover ${k + 1} resolves the ClientURI: ${JSON.stringify(h)}`);
    // Edits sent after it may have been applied first, never an edit sent before it left out.
    const version = names.indexOf(seen);
    assert.ok(version >= k, `hover ${k + 1}, sent after ${names[k]}, answered for ${seen}`);
    // The range is where the string is in that version's text.
    const string = texts[version]!.indexOf(`"${M}`);
    const end = texts[version]!.indexOf('"', string + 1) + 1;
    assert.deepEqual(h!.range, { start: positionOf(texts[version]!, string), end: positionOf(texts[version]!, end) });
  });
  const last = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, hoverAt) });
  assert.equal(resolved(last), 'n12');

  // A text with an error in it (a command left unclosed at the end) is read as a whole again.
  const broken = text.replace(/\]\n\]\}\n$/, '\n]}\n');
  assert.notEqual(broken, text);
  void client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 20 }, contentChanges: [{ text: broken }] });
  const third = broken.indexOf('/Items/n2/ID') + '/Items/'.length + 1;
  const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(broken, third) });
  assert.equal(resolved(h), 'n2');
  assert.equal(resolved(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(broken, hoverAt) })), 'n12');
});
