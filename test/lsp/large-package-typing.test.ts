// Completion and hover in a large Package#2 (larger than what the server validates on its main
// thread) while a ClientURI in it is typed in, one character at a time as an editor sends it:
// after each keystroke they offer what they offer for the same command in a package of that one
// command, at the same place in it (DM 2.0 5.3: each command's parameters; 6.1: the ClientURI),
// and a keystroke that makes the text not JSON is answered as for that text.
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { CompletionRequest, DidChangeTextDocumentNotification, HoverRequest, type CompletionItem, type Hover, type MarkupContent, type Position, type TextEdit } from 'vscode-languageserver-protocol';
import { type LspClient, serverInWorkspace } from './client.ts';

const M = 'urn:oma:mo:oma-bench:1.0';
const COMMANDS = 3_000;

let client: LspClient;
let ws: string;

const server = serverInWorkspace('large-typing', () => {
  const items = Object.fromEntries(Array.from({ length: 30 }, (_, k) => [`n${k}`, { ID: `id-${k}`, Value: k }]));
  return { 'items.dmtree.json': JSON.stringify([{ ClientURI: `${M}/i0/`, MOData: { i0: { Items: items } } }], null, 1) };
});
before(() => ({ client, ws } = server()));

const positionOf = (text: string, offset: number): Position => {
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
};

/** What completion and hover give at `offset`, their ranges as offsets from `base`, so that two texts compare. */
async function at(uri: string, text: string, offset: number, base: number): Promise<unknown> {
  const position = positionOf(text, offset);
  const offsetOf = (p: Position): number => text.split('\n').slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character - base;
  const items = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position })) as CompletionItem[];
  const hover = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position })) as Hover | null;
  return {
    completion: items.map((i) => {
      const e = i.textEdit as TextEdit | undefined;
      return { ...i, textEdit: e && { newText: e.newText, start: offsetOf(e.range.start), end: offsetOf(e.range.end) } };
    }),
    hover: hover && { value: (hover.contents as MarkupContent).value, start: hover.range && offsetOf(hover.range.start), end: hover.range && offsetOf(hover.range.end) },
  };
}

test('typing a ClientURI in a large package: completion and hover as for that command alone', async () => {
  const big = 'file://' + path.join(ws, 'big.pkg2.json');
  const small = 'file://' + path.join(ws, 'small.pkg2.json');
  const command = (k: number, uri = `${M}/i0/Items/n${k % 30}/ID`): string => JSON.stringify(['GET', uri]);
  const rest = Array.from({ length: COMMANDS }, (_, k) => ' ' + command(k + 1)).join(',\n');
  const bigText = (uri: string): string => `{"CMD": [\n ${command(0, uri)},\n${rest}\n]}\n`;
  const smallText = (uri: string): string => `{"CMD": [\n ${command(0, uri)}\n]}\n`;
  let typed = `${M}/i0/Items/`;
  let version = 1;
  await client.open(big, bigText(typed), 'dm-json', version);
  await client.open(small, smallText(typed), 'dm-json', version);
  assert.ok(bigText(typed).length > 64 * 1024, 'larger than what is validated on the main thread');
  // "n1", then a quote that leaves the string open (not JSON), then that quote taken out, then "/I".
  for (const next of [`${typed}n`, `${typed}n1`, `${typed}n1"`, `${typed}n1`, `${typed}n1/`, `${typed}n1/I`]) {
    typed = next;
    version++;
    for (const [uri, text] of [[big, bigText(typed)], [small, smallText(typed)]] as const) {
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    }
    const cursor = (t: string): number => t.indexOf(typed) + typed.length;
    const inBig = await at(big, bigText(typed), cursor(bigText(typed)), 0);
    const inSmall = await at(small, smallText(typed), cursor(smallText(typed)), 0);
    assert.deepEqual(inBig, inSmall, `after typing ${typed}`);
  }
  // The items and the hover of the last keystroke are the tree's: the children of n1 (ID, Value).
  const last = (await at(big, bigText(typed), bigText(typed).indexOf(typed) + typed.length, 0)) as { completion: CompletionItem[] };
  assert.deepEqual(last.completion.map((i) => i.label), ['ID', 'Value']);
});
