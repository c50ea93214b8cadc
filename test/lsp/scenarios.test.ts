// Scenario files (*.dmflow.json) through a real LSP client: the parser's diagnostics, the files a
// scenario names (missing, not MO data, a Package#2 that does not validate), ClientURIs of checks
// and inline commands against the device's own tree, completion of participants, flows and alert
// types, hover on a step with its section, go to definition of a tree, find references from a tree
// node, and closed scenarios in Validate Workspace.
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CompletionRequest, DefinitionRequest, HoverRequest, ReferencesRequest, type CompletionItem, type Location, type MarkupContent, type TextEdit } from 'vscode-languageserver-protocol';
import { type LspClient, serverInWorkspace } from './client.ts';
import { ROOT } from '../helpers.ts';
import { ValidateWorkspaceRequest } from '../../server/src/lsp/contract.ts';

let client: LspClient;
let ws: string;
const M = 'urn:oma:mo:moid:1.0';

const SCENARIO = `{
  // comments are allowed
  "name": "checks",
  "participants": [
    { "id": "dm", "kind": "dm-server", "repository": "nowhere" },
    { "id": "phone", "kind": "device", "tree": "figure5.dmtree.json", "server": "dm" },
    { "id": "ghost", "kind": "device", "tree": "missing.dmtree.json" },
    { "id": "bad", "kind": "device", "tree": "not-a-tree.json" },
    { "id": "peers", "kind": "delegation" }
  ],
  "steps": [
    { "check": { "device": "phone", "uri": "${M}/left/ID", "value": "GPS" } },
    { "check": { "device": "phone", "uri": "${M}/nowhere/ID" } },
    { "check": { "device": "phone", "uri": "${M}/gone/ID", "status": 404 } },
    { "queue": { "server": "dm", "device": "phone", "commands": [["GET", "${M}/left/Nope"], ["GET", "${M}/right/ID"]] } },
    { "queue": { "server": "dm", "package": "broken.pkg2.json" } },
    { "check": { "device": "phone", "uri": "${M}/later/ID" } },
    { "notify": { "server": "dm", "device": "phone" } },
    { "delegation": { "peers": "peers", "flow": "dmacc" } },
    { "alert": { "server": "dm", "alertType": "" } }
  ]
}
`;

const server = serverInWorkspace('scenarios', () => ({
  'figure5.dmtree.json': fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'trees', 'figure5.dmtree.json'), 'utf8'),
  'not-a-tree.json': '{"name": "x"}',
  'broken.pkg2.json': '{"CMD": [["GTE", "urn:oma:mo:moid:1.0/left/ID"]]}',
  'checks.dmflow.json': SCENARIO,
  'closed.dmflow.json': '{ "participants": [], "steps": [] }\n',
}));
before(() => ({ client, ws } = server()));

const uri = (): string => 'file://' + path.join(ws, 'checks.dmflow.json');
/** The position of the `n`th occurrence of `needle` (plus `delta` characters). */
function at(needle: string, delta = 0, n = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= n; k++) i = SCENARIO.indexOf(needle, i + 1);
  assert.ok(i >= 0, needle);
  const before = SCENARIO.slice(0, i + delta);
  return { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 };
}

test('diagnostics: the files it names, and the ClientURIs against the device tree', async () => {
  await client.open(uri(), SCENARIO, 'jsonc');
  const ds = await client.diagnostics(uri(), 1, (d) => d.length > 0);
  const seen = ds.map((d) => [d.code, d.severity, d.range.start.line]);
  assert.deepEqual(seen, [
    ['flow.repository', 1, at('"nowhere"').line],
    ['flow.file', 1, at('"missing.dmtree.json"').line],
    ['flow.tree', 1, at('"not-a-tree.json"').line],
    ['flow.unresolved', 2, at('/nowhere/ID').line],
    ['flow.unresolved', 2, at('/left/Nope').line],
    ['flow.package', 1, at('"broken.pkg2.json"').line],
    // After a Package#2 queued for the device, a node missing at the start may have been created.
    ['flow.unresolved', 3, at('/later/ID').line],
  ]);
  const nope = ds.find((d) => d.range.start.line === at('/left/Nope').line)!;
  assert.equal(nope.range.start.character, at('"urn:oma:mo:moid:1.0/left/Nope"').character);
  assert.match(nope.message, /GET urn:oma:mo:moid:1\.0\/left\/Nope: .*figure5\.dmtree\.json \(phone\)/);
  assert.match(ds.find((d) => d.code === 'flow.package')!.message, /broken\.pkg2\.json is not a valid Package#2 \(DM 2\.0 7\.2\.1\.2\)/);
  assert.match(ds.find((d) => d.code === 'flow.tree')!.message, /not a DM tree: MO data is a JSON array/);
});

test("the parser's diagnostics come first, at their place", async () => {
  const broken = SCENARIO.replace('"device": "phone", "uri": "urn:oma:mo:moid:1.0/left/ID"', '"device": "nobody", "uri": "urn:oma:mo:moid:1.0/left/ID"');
  await client.change(uri(), broken, 2);
  const ds = await client.diagnostics(uri(), 2, (d) => d.some((x) => x.code === 'flow.unknown-participant'));
  const d = ds.find((x) => x.code === 'flow.unknown-participant')!;
  assert.equal(d.range.start.line, at('/left/ID"').line);
  assert.match(d.message, /No participant is called 'nobody'/);
  await client.change(uri(), SCENARIO, 3);
  await client.diagnostics(uri(), 3, (x) => !x.some((y) => y.code === 'flow.unknown-participant'));
});

const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);

test('completion: participants of the right kind, flows, alert types', async () => {
  const complete = async (pos: { line: number; character: number }): Promise<CompletionItem[]> => (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: uri() }, position: pos })) as CompletionItem[];
  // Inside the string being typed: the whole string is replaced, quotes included.
  const devices = await complete(at('"dm", "device": "phone" }', 19));
  assert.deepEqual(labels(devices), ['phone', 'ghost', 'bad']);
  const edit = devices[0]!.textEdit as TextEdit;
  assert.equal(edit.newText, '"phone"');
  assert.deepEqual(edit.range, { start: at('"dm", "device": "phone" }', 16), end: at('"dm", "device": "phone" }', 23) });
  assert.deepEqual(labels(await complete(at('"notify": { "server": "dm"', 23))), ['dm']);
  assert.deepEqual(labels(await complete(at('"peers": "peers"', 11))), ['peers']);
  assert.deepEqual(labels(await complete(at('"flow": "dmacc"', 10))), ['dmacc', 'bootstrap', 'termination', 'revocation', 'forced-revocation']);
  const alerts = await complete(at('"alertType": ""', 14));
  assert.ok(labels(alerts).includes('urn:oma:at:dm:2.0:ClientInitiatedMgmt'), labels(alerts).join(', '));
  assert.ok(labels(alerts).includes('urn:x-omadm-workbench:at:ExecResult'));
  assert.deepEqual(labels(await complete(at('"server": "dm" }', 11))), ['dm'], "a device's server");
});

test('hover on a step says what it does, with the section', async () => {
  const hover = async (pos: { line: number; character: number }): Promise<string> => ((await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uri() }, position: pos }))?.contents as MarkupContent | undefined)?.value ?? '';
  const notify = await hover(at('"notify"', 2));
  assert.match(notify, /\*\*Step 7: `notify`\*\*/);
  assert.match(notify, /DM Notification \(Package#0, DM 2\.0 5\.2\.1, 7\.1\)/);
  assert.match(await hover(at('"delegation": {', 2)), /Delegation 5\.2\.1/);
  assert.match(await hover(at('"check"', 2)), /as the DM Client does \(DM 2\.0 6\.1\.2\)/);
  assert.match(await hover(at('"phone", "uri"', 2)), /\*\*phone\*\* \(device\): An emulated DM 2\.0 Client on figure5\.dmtree\.json/);
});

test('go to definition opens the tree file; find references from a tree node lists the checks', async () => {
  const defs = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: uri() }, position: at('"figure5.dmtree.json"', 3) })) as Location[];
  const treeUri = 'file://' + path.join(ws, 'figure5.dmtree.json');
  assert.deepEqual(defs.map((d) => d.uri), [treeUri]);
  const treeText = fs.readFileSync(path.join(ws, 'figure5.dmtree.json'), 'utf8');
  await client.open(treeUri, treeText, 'dm-json');
  const lines = treeText.split('\n');
  const idLine = lines.findIndex((l) => l.includes('"ID": "GPS"'));
  const refs = (await client.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: treeUri }, position: { line: idLine, character: lines[idLine]!.indexOf('"ID"') + 2 }, context: { includeDeclaration: false } })) as Location[];
  assert.ok(refs.some((r) => r.uri === uri() && r.range.start.line === at('/left/ID"').line), JSON.stringify(refs));
});

test('Validate Workspace counts closed scenarios and reports their problems', async () => {
  const r = await client.connection.sendRequest(ValidateWorkspaceRequest, {});
  assert.ok(r.failing.includes('closed.dmflow.json'), r.failing.join(', '));
  assert.ok(r.failing.includes('checks.dmflow.json'), r.failing.join(', '));
});
