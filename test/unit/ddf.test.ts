import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDdf, checkInstance } from '../../server/src/core/tree/ddf.ts';
import { loadDdfs } from '../../server/src/host/ddfs.ts';
import { loadTrees } from '../../server/src/core/tree/load.ts';
import { resolveClientUri } from '../../server/src/core/tree/resolve.ts';
import { analyzeText } from '../../server/src/core/analyze.ts';
import { LineIndex } from '../../server/src/core/text/lineIndex.ts';
import { ROOT } from '../helpers.ts';

const at = (text: string, d: { code: string; start: number }): string => {
  const p = new LineIndex(text).positionAt(d.start);
  return `${d.code}@${p.line + 1}:${p.character + 1}`;
};

test('the shipped DDFs of DM 2.0 section 12 parse clean and name their MOIDs', () => {
  const dir = path.join(ROOT, 'ddf');
  for (const f of fs.readdirSync(dir)) assert.deepEqual(parseDdf(fs.readFileSync(path.join(dir, f), 'utf8'), f).diagnostics, [], f);
  assert.deepEqual([...loadDdfs([]).keys()].sort(), ['urn:oma:mo:oma-dm-dacmo:1.0', 'urn:oma:mo:oma-dm-devinfo:1.2', 'urn:oma:mo:oma-dm-dmacc:1.2', 'urn:oma:mo:oma-sessioninfomo:1.0']);
});

test('a broken DDF: missing and unknown elements, formats, access types, occurrence, at their elements', () => {
  const file = path.join(ROOT, 'test', 'fixtures', 'ddf', 'broken.ddf');
  const text = fs.readFileSync(file, 'utf8');
  const a = analyzeText(text, { fileName: file });
  assert.deepEqual(a.diagnostics.map((d) => at(text, d)), [
    'ddf.missing@2:2',
    'ddf.access-type@6:26',
    'ddf.format@7:18',
    'ddf.occurrence@8:20',
    'ddf.unknown-element@9:8',
    'ddf.missing@12:6',
    'ddf.missing@13:8',
  ]);
});

test('sample trees against their DDF: unknown nodes, formats, missing required nodes', () => {
  const file = path.join(ROOT, 'test', 'fixtures', 'trees', 'broken-devinfo.dmtree.json');
  const text = fs.readFileSync(file, 'utf8');
  const a = analyzeText(text, { fileName: file }, { ddfs: loadDdfs([]) });
  assert.deepEqual(a.diagnostics.map((d) => at(text, d)), [
    'tree.ddf-missing@5:4',
    'tree.ddf-format@7:5',
    'tree.ddf-unknown@15:5',
    'tree.ddf-format@21:21',
  ]);
  assert.match(a.diagnostics[0]!.message, /lacks HwV/);
  const occ = loadTrees([{ file: 'x.dmtree.json', text: '[{"ClientURI": "urn:oma:mo:example:1.0/i/", "MOData": {"i": {"a": 1, "b": 2}}}]' }]).tree;
  const ddf = parseDdf('<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName/><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat><DFType><DDFName>urn:oma:mo:example:1.0</DDFName></DFType></DFProperties><Node><NodeName/><DFProperties><AccessType><Get/></AccessType><DFFormat><int/></DFFormat><Occurrence><ZeroOrOne/></Occurrence></DFProperties></Node></Node></MgmtTree>', 'x.ddf').ddfs[0]!;
  assert.deepEqual(checkInstance(occ.instances('urn:oma:mo:example:1.0')[0]!, ddf).map((d) => d.code), ['tree.ddf-occurrence']);
});

test('405: DELETE of a permanent node, EXEC of a non-executable one (from the DDF)', () => {
  const file = path.join(ROOT, 'test', 'fixtures', 'trees', 'dacmo-12.3.1.dmtree.json');
  const { tree } = loadTrees([{ file, text: fs.readFileSync(file, 'utf8') }]);
  const ddfs = loadDdfs([]);
  const dev = 'urn:oma:mo:oma-dm-devinfo:1.2';
  assert.equal(resolveClientUri(tree, `${dev}//DevID`, { command: 'DELETE', ddfs }).status, 405);
  assert.equal(resolveClientUri(tree, `${dev}//DevID`, { command: 'EXEC', ddfs }).status, 405);
  assert.equal(resolveClientUri(tree, `${dev}//DevID`, { command: 'GET', ddfs }).status, 200);
  assert.equal(resolveClientUri(tree, `${dev}//DevID`, { command: 'DELETE', ddfs, serverId: 'DMS2' }).status, 403, 'access is checked first');
  assert.equal(resolveClientUri(tree, `${dev}//DevID`, { command: 'DELETE' }).status, 200, 'without a DDF nothing predicts 405');
});

test('hostile DDFs: entities are not expanded, deep nesting is bounded', () => {
  const bomb = '<!DOCTYPE MgmtTree [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><MgmtTree><VerDTD>&b;</VerDTD></MgmtTree>';
  const r = parseDdf(bomb, 'bomb.ddf');
  assert.ok(r.diagnostics.some((d) => d.code === 'xml.entity'));
  const deep = '<MgmtTree><VerDTD>1</VerDTD>' + '<Node><NodeName>a</NodeName>'.repeat(5000) + '</Node>'.repeat(5000) + '</MgmtTree>';
  assert.ok(parseDdf(deep, 'deep.ddf').diagnostics.length > 0);
});
