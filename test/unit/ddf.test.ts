import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDdf, checkInstance, checkInstanceCounts, checkTreeAgainstDdfs } from '../../server/src/core/tree/ddf.ts';
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

const DDF_DIR = path.join(ROOT, 'test', 'fixtures', 'ddf');
const range = (text: string, d: { code: string; start: number; end: number }): string => {
  const lines = new LineIndex(text);
  const p = lines.positionAt(d.start);
  const e = lines.positionAt(d.end);
  return `${d.code}@${p.line + 1}:${p.character + 1}-${e.line + 1}:${e.character + 1}`;
};

/** What a file of test/fixtures/ddf gets: the analysis, and for a sample tree the instance counts against the folder's DDFs. */
function ddfFixture(name: string): { text: string; found: string[]; diagnostics: { code: string; severity: string; message: string }[] } {
  const ddfs = loadDdfs(fs.readdirSync(DDF_DIR).filter((f) => f.endsWith('.ddf')).map((f) => path.join(DDF_DIR, f)));
  const file = path.join(DDF_DIR, name);
  const text = fs.readFileSync(file, 'utf8');
  const a = analyzeText(text, { fileName: file }, { ddfs });
  const ds = [...a.diagnostics];
  for (const r of a.regions) {
    if (r.type !== 'package' || !r.tree) continue;
    for (const d of checkInstanceCounts(r.tree, ddfs)) if (!ds.some((x) => x.code === d.code && x.start === d.start)) ds.push(d);
  }
  return { text, found: ds.map((d) => range(text, d)), diagnostics: ds };
}

test('each DDF rule has a broken fixture in test/fixtures/ddf, found at the exact place (expected.json)', () => {
  const expected: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(DDF_DIR, 'expected.json'), 'utf8'));
  const files = fs.readdirSync(DDF_DIR).filter((f) => /\.(ddf|dmtree\.json)$/.test(f));
  for (const f of files) assert.deepEqual(ddfFixture(f).found, expected[f] ?? [], f);
  const codes = new Set(Object.values(expected).flat().map((e) => e.split('@')[0]));
  const source = fs.readFileSync(path.join(ROOT, 'server', 'src', 'core', 'tree', 'ddf.ts'), 'utf8');
  for (const m of source.matchAll(/'(ddf\.[a-z-]+)'/g)) assert.ok(codes.has(m[1]!), `a fixture shows ${m[1]}`);
});

test('DDF severities follow the sentence cited: what 6.3.1 rules out is an error', () => {
  for (const f of ['leaf-children.ddf', 'duplicate-name.ddf', 'node-name.ddf', 'format-count.ddf', 'scope.ddf', 'default-value.ddf', 'instance-count.dmtree.json']) {
    const { diagnostics } = ddfFixture(f);
    assert.ok(diagnostics.length > 0, f);
    for (const d of diagnostics) assert.equal(d.severity, 'error', `${f}: ${d.code}`);
  }
  // DM 1.3 elements DM 2.0 does not know are only worth a warning ("might be silently ignored", 6.4).
  assert.deepEqual(ddfFixture('broken.ddf').diagnostics.filter((d) => d.severity !== 'error').map((d) => d.code), ['ddf.unknown-element']);
});

const MO = (children: string, root = '<Occurrence><ZeroOrMore/></Occurrence>'): string =>
  `<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName/><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat>${root}<DFType><DDFName>urn:oma:mo:example:1.0</DDFName></DFType></DFProperties>${children}</Node></MgmtTree>`;
const leaf = (name: string, props = '<DFFormat><chr/></DFFormat>'): string => `<Node><NodeName>${name}</NodeName><DFProperties><AccessType><Get/></AccessType>${props}</DFProperties></Node>`;
const codes = (text: string): string[] => parseDdf(text, 'x.ddf').diagnostics.map((d) => d.code);

test('DDF node names: 1*unreserved, or <x> for an un-named node (6.3.1); siblings unique, un-named ones too (6.3.1.3)', () => {
  assert.deepEqual(codes(MO(leaf('A-b.c_d~1'))), []);
  assert.deepEqual(codes(MO(leaf('&lt;x&gt;'))), [], 'the <x> form of the ABNF');
  assert.equal(parseDdf(MO(leaf('&lt;x&gt;')), 'x.ddf').ddfs[0]!.root.children[0]!.name, '', '<x> is un-named, as an empty NodeName');
  assert.deepEqual(codes(MO(leaf('caf%C3%A9'))), ['ddf.node-name'], 'no percent-encoding in unreserved');
  assert.deepEqual(codes(MO(leaf('a:b'))), ['ddf.node-name']);
  assert.deepEqual(codes(MO(leaf('&lt;&gt;'))), ['ddf.node-name'], '<> names nothing: 1*unreserved');
  assert.deepEqual(codes(MO(leaf('') + leaf(''))), ['ddf.duplicate-name']);
  assert.deepEqual(codes(MO(leaf('A') + leaf('B') + leaf('A'))), ['ddf.duplicate-name']);
  assert.deepEqual(codes(MO(leaf('A') + leaf('a'))), [], 'names are compared as written');
});

test('DDF formats, scope and default values (6.3.1, 6.3.1.2, 6.4)', () => {
  assert.deepEqual(codes(MO(leaf('A', '<DFFormat><int/><int/></DFFormat>'))), ['ddf.format'], 'one format, even the same twice');
  assert.deepEqual(codes(MO(leaf('A', '<DFFormat><int/></DFFormat><Scope><Permanent/></Scope>'))), []);
  assert.deepEqual(codes(MO(leaf('A', '<DFFormat><int/></DFFormat><Scope></Scope>'))), ['ddf.scope'], 'an empty Scope');
  const dv = (format: string, value: string): string[] => codes(MO(leaf('A', `<DefaultValue>${value}</DefaultValue><DFFormat><${format}/></DFFormat>`)));
  assert.deepEqual(dv('int', '-42'), []);
  assert.deepEqual(dv('int', '4.2'), ['ddf.default-value']);
  assert.deepEqual(dv('bool', 'false'), []);
  assert.deepEqual(dv('bool', 'True'), ['ddf.default-value']);
  assert.deepEqual(dv('float', '1.5e3'), []);
  assert.deepEqual(dv('float', 'fast'), ['ddf.default-value']);
  assert.deepEqual(dv('b64', 'AQID'), []);
  assert.deepEqual(dv('b64', 'AQI'), ['ddf.default-value']);
  assert.deepEqual(dv('chr', 'anything at all'), []);
  assert.deepEqual(dv('null', ''), ['ddf.default-value'], 'a null node has no value, not even an empty default');
  // A leaf holding a Node is reported once, at its first child Node.
  assert.deepEqual(codes(MO(`<Node><NodeName>L</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><int/></DFFormat></DFProperties>${leaf('X')}${leaf('Y')}</Node>`)), ['ddf.leaf-children']);
});

test('a sample tree against the Occurrence of the MO root and of un-named nodes, N included (6.3.1)', () => {
  const tree = (n: number): ReturnType<typeof loadTrees>['tree'] =>
    loadTrees([{ file: 'x.dmtree.json', text: JSON.stringify(Array.from({ length: n }, (_, i) => ({ ClientURI: `urn:oma:mo:example:1.0/m${i}/`, MOData: { [`m${i}`]: {} } }))) }]).tree;
  const ddfOf = (root: string): Map<string, ReturnType<typeof parseDdf>['ddfs'][number]> => new Map(parseDdf(MO('', root), 'x.ddf').ddfs.map((d) => [d.moid, d]));
  assert.deepEqual(checkInstanceCounts(tree(1), ddfOf('<Occurrence><One/></Occurrence>')), []);
  assert.deepEqual(checkInstanceCounts(tree(2), ddfOf('<Occurrence><ZeroOrOne/></Occurrence>')).map((d) => d.code), ['tree.ddf-occurrence']);
  assert.deepEqual(checkInstanceCounts(tree(3), ddfOf('<Occurrence><One/></Occurrence>')).length, 2, 'each instance past the one allowed');
  assert.deepEqual(checkInstanceCounts(tree(3), ddfOf('<Occurrence><ZeroOrN>3</ZeroOrN></Occurrence>')), []);
  assert.deepEqual(checkInstanceCounts(tree(4), ddfOf('<Occurrence><OneOrN>3</OneOrN></Occurrence>')).length, 1);
  assert.deepEqual(checkInstanceCounts(tree(9), ddfOf('<Occurrence><ZeroOrMore/></Occurrence>')), []);
  assert.deepEqual(checkInstanceCounts(tree(2), ddfOf('')).length, 1, 'no Occurrence: One, as in DM 1.3 DDFs');
  // The shipped DevInfo DDF: DevInfo occurs One; checkTreeAgainstDdfs adds the count to the per-instance checks.
  const two = loadTrees([{ file: 'd.dmtree.json', text: JSON.stringify(['a', 'b'].map((m) => ({ ClientURI: `urn:oma:mo:oma-dm-devinfo:1.2/${m}/`, MOData: { [m]: { DevID: 'x', Man: 'x', Mod: 'x', DmV: '2.0', Lang: 'en' } } }))) }]).tree;
  assert.deepEqual(checkTreeAgainstDdfs(two, loadDdfs([])).filter((d) => d.code === 'tree.ddf-occurrence').length, 1);
  const unnamed = parseDdf(MO(`<Node><NodeName/><DFProperties><AccessType><Get/></AccessType><DFFormat><int/></DFFormat><Occurrence><ZeroOrN>2</ZeroOrN></Occurrence></DFProperties></Node>`), 'x.ddf').ddfs[0]!;
  const three = loadTrees([{ file: 'x.dmtree.json', text: '[{"ClientURI": "urn:oma:mo:example:1.0/i/", "MOData": {"i": {"a": 1, "b": 2, "c": 3}}}]' }]).tree;
  assert.deepEqual(checkInstance(three.instances('urn:oma:mo:example:1.0')[0]!, unnamed).map((d) => [d.code, d.severity]), [['tree.ddf-occurrence', 'error']]);
});
