// A sample tree too large for the server's main thread (its validation runs in the worker) with a
// node of 200,000 children, edited in the editor: each edit gets the tree file's own diagnostics,
// the trees are rebuilt from it after them, and a package that addresses a node the edit removed
// is judged again. Hover and find references on a node among the 200,000 answer.
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HoverRequest, ReferencesRequest, type Location, type MarkupContent } from 'vscode-languageserver-protocol';
import { type LspClient, serverInWorkspace } from './client.ts';

const M = 'urn:oma:mo:example-wide:1.0';
const WIDTH = 200_000;

let client: LspClient;
let ws: string;
let treeText: string;

const server = serverInWorkspace('large-tree', () => {
  const kids: string[] = [];
  for (let k = 0; k < WIDTH; k++) kids.push(`    "c${k}": ${k}`);
  treeText = `[{"ClientURI": "${M}/w/", "MOData": {"w": {\n  "Other": {"X": 1},\n  "Wide": {\n${kids.join(',\n')}\n  }\n}}}]\n`;
  return { 'wide.dmtree.json': treeText, 'a.pkg2.json': `{"CMD": [\n ["GET", "${M}/w/Other/X"],\n ["GET", "${M}/w/Wide/c${WIDTH - 10}"]\n]}\n` };
});
before(() => ({ client, ws } = server()));

const treeUri = (): string => 'file://' + path.join(ws, 'wide.dmtree.json');
const pkgUri = (): string => 'file://' + path.join(ws, 'a.pkg2.json');

test('hover and find references on a node among 200,000 siblings', async () => {
  await client.open(pkgUri(), fs.readFileSync(path.join(ws, 'a.pkg2.json'), 'utf8'), 'dm-json');
  assert.deepEqual(await client.diagnostics(pkgUri()), []);
  await client.open(treeUri(), treeText, 'dm-json');
  await client.diagnostics(treeUri());
  const lines = treeText.split('\n');
  const line = lines.findIndex((l) => l.includes(`"c${WIDTH - 10}"`));
  const position = { line, character: 6 };
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: treeUri() }, position });
  assert.match((hover?.contents as MarkupContent).value, new RegExp(`${M}/w/Wide/c${WIDTH - 10}\``));
  const refs = (await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: treeUri() }, position, context: { includeDeclaration: false } })) as Location[];
  assert.deepEqual(refs.map((r) => [r.uri, r.range.start.line]), [[pkgUri(), 2]]);
});

test('an edit of the large tree: its own diagnostics, then the packages that address it judged again', async () => {
  // The node the package's second GET addresses is renamed: a syntax error first, then valid again.
  const broken = treeText.replace(`"c${WIDTH - 10}": ${WIDTH - 10}`, `"c${WIDTH - 10}": `);
  await client.change(treeUri(), broken, 2);
  assert.ok((await client.diagnostics(treeUri(), 2)).some((d) => d.code === 'json.syntax'));
  const renamed = treeText.replace(`"c${WIDTH - 10}"`, `"d${WIDTH - 10}"`);
  await client.change(treeUri(), renamed, 3);
  assert.deepEqual(await client.diagnostics(treeUri(), 3), []);
  // While the tree was broken it held nothing; once it is valid again only the renamed node is missing.
  const judged = await client.diagnostics(pkgUri(), 1, (ds) => ds.length === 1);
  assert.deepEqual(judged.map((d) => [d.code, d.range.start.line]), [['tree.unresolved', 2]]);
});
