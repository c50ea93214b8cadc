// A sample tree may hold a node with hundreds of thousands of children (a log, a list of
// applications): every feature that reads a tree file or resolves through that node must answer,
// never overflow the stack by spreading the children into one call, nor walk the whole tree.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { LanguageService } from '../../server/src/language/service.ts';
import { analyzeText } from '../../server/src/core/analyze.ts';
import { parseDdf } from '../../server/src/core/tree/ddf.ts';
import { loadTrees, nodeAtOffset } from '../../server/src/core/tree/load.ts';
import { resolveClientUri } from '../../server/src/core/tree/resolve.ts';

const MOID = 'urn:oma:mo:example-wide:1.0';
const WIDTH = 200_000;
const FILE = '/ws/wide.dmtree.json';

function wideTree(): string {
  const kids: string[] = [];
  for (let k = 0; k < WIDTH; k++) kids.push(`    "c${k}": ${k}`);
  return `[{"ClientURI": "${MOID}/w/", "MOData": {"w": {\n  "Other": {"X": 1},\n  "Wide": {\n${kids.join(',\n')}\n  }\n}}}]\n`;
}

const text = wideTree();
const lines = text.split('\n');
const position = (needle: string): { line: number; character: number } => {
  const line = lines.findIndex((l) => l.includes(needle));
  return { line, character: lines[line]!.indexOf(needle) + 2 };
};

test('hover, references and outline in a tree file with a node of 200,000 children', () => {
  const service = new LanguageService({}, { featureOnlyLength: 64 * 1024 });
  service.setTrees([{ file: FILE, text }]);
  const doc = { uri: 'file://' + FILE, languageId: 'dm-json', version: 1, text };
  const hover = service.hover(doc, position(`"c${WIDTH - 10}"`));
  assert.match(String((hover?.contents as { value: string } | undefined)?.value), new RegExp(`${MOID}/w/Wide/c${WIDTH - 10}\``));
  assert.equal(hover!.range!.start.line, position(`"c${WIDTH - 10}"`).line);
  const index = [{ uri: 'file:///ws/a.pkg2.json', clientUris: () => [
    { uri: `${MOID}/w/Wide/c${WIDTH - 10}`, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } }, nodes: [`${MOID}/w/Wide/c${WIDTH - 10}`] },
    // A selection too large to be kept in the index is resolved again, through the 200,000 children.
    { uri: `${MOID}/w/Wide/*`, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 5 } } },
    { uri: `${MOID}/w/Other/X`, range: { start: { line: 3, character: 0 }, end: { line: 3, character: 5 } }, nodes: [`${MOID}/w/Other/X`] },
  ] }];
  assert.deepEqual(service.references(doc, position(`"c${WIDTH - 10}"`), index).map((l) => l.range.start.line), [1, 2]);
  const symbols = service.symbols(doc);
  assert.equal(symbols.length, 1);
  assert.ok(JSON.stringify(symbols).includes('"Wide"'));
});

test('ClientURI completion and resolution through a node of 200,000 children', () => {
  const service = new LanguageService();
  service.setTrees([{ file: FILE, text }]);
  const pkg = `{"CMD": [["GET", "${MOID}/w/Wide/*/"]]}`;
  const items = service.completion({ uri: 'file:///ws/a.pkg2.json', version: 1, text: pkg }, { line: 0, character: pkg.indexOf('*/') + 2 });
  assert.ok(Array.isArray(items));
  const { tree } = loadTrees([{ file: FILE, text }]);
  assert.equal(resolveClientUri(tree, `${MOID}/w/Wide/*`).nodes.length, WIDTH);
  const at = text.indexOf(`"c${WIDTH - 1}"`) + 1;
  assert.equal(nodeAtOffset(tree, at, FILE)?.clientUri(), `${MOID}/w/Wide/c${WIDTH - 1}`);
  assert.equal(nodeAtOffset(tree, text.indexOf('"Other"') + 1)?.clientUri(), `${MOID}/w/Other`);
  assert.equal(nodeAtOffset(tree, text.indexOf(`${WIDTH - 1}\n`)), undefined, 'a value is not a name');
});

test('a tree file whose 200,000 nodes its DDF does not know gets each reported', () => {
  const ddf = parseDdf(`<?xml version="1.0"?><MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName></NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat><Occurrence><One/></Occurrence><DFType><DDFName>${MOID}</DDFName></DFType></DFProperties>`
    + '<Node><NodeName>Wide</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties></Node>'
    + '<Node><NodeName>Other</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>'
    + '<Node><NodeName>X</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><int/></DFFormat></DFProperties></Node></Node></Node></MgmtTree>', 'wide.ddf').ddfs;
  const analysis = analyzeText(text, { fileName: FILE }, { ddfs: new Map(ddf.map((d) => [d.moid, d])) });
  assert.equal(analysis.diagnostics.filter((d) => d.code === 'tree.ddf-unknown').length, WIDTH);
});
