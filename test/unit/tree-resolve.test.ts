import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTrees, serializeTree } from '../../server/src/core/tree/load.ts';
import { type ResolutionContext, authorize, checkCache, checkDdf, resolveClientUri, select } from '../../server/src/core/tree/resolve.ts';
import { overridesBelow } from '../../server/src/core/tree/access.ts';
import { DmTree } from '../../server/src/core/tree/model.ts';
import { parseDdf } from '../../server/src/core/tree/ddf.ts';
import type { CommandName } from '../../server/src/core/dm20/commands.ts';
import { ROOT } from '../helpers.ts';

const DIR = path.join(ROOT, 'test', 'fixtures', 'trees');
const load = (...names: string[]) => loadTrees(names.map((n) => ({ file: path.join(DIR, n), text: fs.readFileSync(path.join(DIR, n), 'utf8') }))).tree;
const nodes = (tree: DmTree, uri: string, opts = {}) => {
  const r = resolveClientUri(tree, uri, opts);
  return { status: r.status, nodes: r.nodes.map((n) => n.clientUri()), reason: r.reason };
};
const M = 'urn:oma:mo:moid:1.0';

test('Figure 5 (DM 2.0 6.1.3): the ten addressing examples give their stated results', () => {
  const tree = load('figure5.dmtree.json');
  const cases: [string, number, string[]][] = [
    [`${M}/left/`, 200, [`${M}/left/`]],
    [`${M}//`, 404, []],
    // The text says "identifies the moroot2/ID node"; by the grammar (6.1.1.2) the path "/" is the
    // instance root, so the resolver gives moroot2 itself: see the README's notes on Figure 5.
    [`${M}/(x)/?nv=(x)/ID:Temperature`, 200, [`${M}/right/`]],
    [`${M}/(x)/Data/1/Value?nv=(x)/ID:GPS`, 200, [`${M}/left/Data/1/Value`]],
    [`${M}/right/Data/(x)/Value?nv=(x)/Date:12.1`, 200, [`${M}/right/Data/1/Value`]],
    [`${M}/(x)/Data/(y)/Value?nv=(x)/ID:GPS&nv=(y)/Date:12.2`, 200, [`${M}/left/Data/2/Value`]],
    [`${M}/*/Setting`, 200, [`${M}/left/Setting`, `${M}/right/Setting`]],
    [`${M}/(x)/Data/*/Value?nv=(x)/ID:GPS`, 200, [`${M}/left/Data/1/Value`, `${M}/left/Data/2/Value`]],
    [`${M}/(x)/Data/*/Value?nv=(x)/ID:GPS&nv=(x)/Setting:0xB2`, 404, []],
    [`${M}/*/Data/*/Value`, 200, [`${M}/left/Data/1/Value`, `${M}/left/Data/2/Value`, `${M}/right/Data/1/Value`, `${M}/right/Data/2/Value`]],
  ];
  for (const [uri, status, want] of cases) {
    const r = nodes(tree, uri);
    assert.equal(r.status, status, `${uri}: ${r.reason}`);
    assert.deepEqual(r.nodes, want, uri);
  }
  assert.match(nodes(tree, `${M}//`).reason, /there are 2 \(left, right\)/);
});

test('every rule: MIID, empty, wildcard, x-name uniqueness, paths, lv, cv, malformed', () => {
  const tree = load('figure5.dmtree.json');
  assert.equal(nodes(tree, `${M}/middle/`).status, 404);
  assert.equal(nodes(tree, 'urn:oma:mo:other:1.0/*/').status, 404);
  assert.match(nodes(tree, `${M}/(x)/?nv=(x)/Data/1/Date:12.1`).reason, /2 MO instances satisfy/);
  assert.match(nodes(tree, `${M}/left/Data/(x)?nv=(x)/Date:12.1`).nodes[0]!, /left\/Data\/1$/);
  assert.equal(nodes(tree, `${M}/right/Data/(x)?nv=(x)/Date:1`).status, 404);
  assert.equal(nodes(tree, `${M}/left/Nope`).status, 404);
  assert.equal(nodes(tree, `${M}/left/Data/(x)/Value`).status, 400, 'an x-name without nv is malformed');
  assert.equal(nodes(tree, `${M}/left`).status, 400);
  assert.equal(resolveClientUri(tree, `${M}/left/Data?lv=1`).level, 1);
  assert.equal(nodes(tree, `${M}/left/ID?cv=cv-left-7`).status, 304);
  assert.equal(nodes(tree, `${M}/left/ID?cv=stale`).status, 200);
  assert.equal(nodes(tree, `${M}/left/ID?cv=cv-left-7`, { command: 'HGET' }).status, 200, 'cv is for reads');
});

test('the DACMO example of 12.3.1: DMS1, DMS2, DMS3 and an unknown server', () => {
  const tree = load('dacmo-12.3.1.dmtree.json');
  const acc = 'urn:oma:mo:oma-dm-dmacc:2.0';
  const dev = 'urn:oma:mo:oma-dm-devinfo:1.2';
  const status = (server: string, cmd: CommandName, uri: string): number => resolveClientUri(tree, uri, { serverId: server, command: cmd }).status;
  for (const [server, own] of [['DMS1', 'dms1'], ['DMS2', 'dms2'], ['DMS3', 'dms3']] as const) {
    for (const miid of ['dms1', 'dms2', 'dms3']) {
      const want = miid === own ? 200 : 403;
      assert.equal(status(server, 'GET', `${acc}/${miid}/ServerID`), want, `${server} GET ${miid}`);
      assert.equal(status(server, 'DELETE', `${acc}/${miid}/Name`), want, `${server} DELETE ${miid}`);
    }
    assert.equal(status(server, 'GET', `${dev}//DevID`), 200, `${server} reads DevInfo (MAID *)`);
    assert.equal(status(server, 'HGET', `${dev}//Lang`), server === 'DMS1' ? 200 : 403, `${server} writes DevInfo`);
    assert.equal(status(server, 'EXEC', `${dev}//Lang`), server === 'DMS1' ? 200 : 403);
  }
  assert.equal(status('serverid:DMS9', 'GET', `${dev}//DevID`), 200);
  assert.equal(status('DMS9', 'GET', `${dev}//DevID`), 200, 'an unknown server can read DevInfo');
  assert.equal(status('DMS9', 'HPUT', `${dev}//`), 200);
  assert.equal(status('DMS9', 'DELETE', `${dev}//DevID`), 403);
  assert.equal(status('DMS9', 'GET', `${acc}/*/ServerID`), 403, 'one refused node refuses the command');
  assert.match(resolveClientUri(tree, `${acc}/dms2/Name`, { serverId: 'DMS1', command: 'GET' }).reason, /DMS1 has none on .*dms2\/Name/);
});

test('a Path entry overrides the instance permissions for its subtree; no DACMO means full rights', () => {
  const tree = load('dacmo-12.3.1.dmtree.json');
  const dacmo = tree.instances('urn:oma:mo:oma-dm-dacmo:1.0')[0]!;
  tree.put(dacmo, ['urn:oma:mo:oma-dm-devinfo:1.2', 'miid1', '2'], { Path: '/Lang', Permissions: { a: { MAID: 'serverid:DMS2', AR: 3 } } });
  const dev = 'urn:oma:mo:oma-dm-devinfo:1.2';
  assert.equal(resolveClientUri(tree, `${dev}//Lang`, { serverId: 'DMS2', command: 'HGET' }).status, 200);
  assert.equal(resolveClientUri(tree, `${dev}//Man`, { serverId: 'DMS2', command: 'HGET' }).status, 403);
  assert.equal(resolveClientUri(tree, `${dev}//Lang`, { serverId: 'DMS1', command: 'HGET' }).status, 403, 'the deeper entry overrides');
  const bare = load('figure5.dmtree.json');
  assert.equal(resolveClientUri(bare, `${M}/left/ID`, { serverId: 'anyone', command: 'DELETE' }).status, 200);
});

test('mutations bump the cache validator; the tree saves back to MO serialization', () => {
  const tree = load('figure5.dmtree.json');
  const left = tree.instance(M, 'left')!;
  tree.put(left, ['ID'], 'GNSS');
  assert.notEqual(left.cv, 'cv-left-7');
  assert.equal(resolveClientUri(tree, `${M}/left/ID?cv=cv-left-7`).status, 200);
  tree.delete(left.root.child('Data')!);
  assert.equal(resolveClientUri(tree, `${M}/left/Data`).status, 404);
  const again = loadTrees([{ file: 'saved.dmtree.json', text: serializeTree(tree) }]).tree;
  assert.deepEqual(nodes(again, `${M}/*/ID`).nodes, [`${M}/left/ID`, `${M}/right/ID`]);
  assert.equal(String(again.instance(M, 'left')!.root.child('ID')!.value), 'GNSS');
  const t = new DmTree();
  const inst = t.addInstance('urn:oma:mo:x:1.0', 'a');
  t.put(inst, ['__proto__', 'polluted'], 'yes');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(resolveClientUri(t, 'urn:oma:mo:x:1.0/a/__proto__/polluted').nodes[0]!.value, 'yes');
});

test('cost grows with the nodes visited, not with the tree size', () => {
  const small = new DmTree();
  const big = new DmTree();
  for (const [tree, n] of [[small, 10], [big, 100_000]] as const) {
    const inst = tree.addInstance('urn:oma:mo:big:1.0', 'i');
    for (let i = 0; i < n; i++) tree.put(inst, ['Items', `n${i}`, 'Value'], i);
  }
  const a = resolveClientUri(small, 'urn:oma:mo:big:1.0/i/Items/n5/Value');
  const b = resolveClientUri(big, 'urn:oma:mo:big:1.0/i/Items/n5/Value');
  assert.deepEqual([a.status, b.status], [200, 200]);
  assert.equal(a.visited, b.visited);
});

test('6.3.1.1: a read or DELETE involves the subtree, so a DACMO Path below the node that withholds the right refuses it', () => {
  const tree = load('dacmo-path.dmtree.json');
  const acc = 'urn:oma:mo:oma-dm-dmacc:2.0';
  const status = (server: string, cmd: CommandName, uri: string): number => resolveClientUri(tree, uri, { serverId: server, command: cmd }).status;
  // DMS2 reads dms1, except AuthNoti/AuthSecret (entry 2, Path /AuthNoti/AuthSecret).
  assert.equal(status('DMS2', 'GET', `${acc}/dms1/Name`), 200);
  assert.equal(status('DMS2', 'GET', `${acc}/dms1/AuthNoti/AuthData`), 200, 'a sibling of the withheld node');
  assert.equal(status('DMS2', 'GET', `${acc}/dms1/AuthNoti/AuthSecret`), 403);
  assert.equal(status('DMS2', 'GET', `${acc}/dms1/AuthNoti`), 403, 'the withheld node is in the subtree');
  assert.equal(status('DMS2', 'GET', `${acc}/dms1/`), 403);
  assert.equal(status('DMS2', 'HPUT', `${acc}/dms1/`), 403);
  assert.equal(status('DMS2', 'GET', `${acc}/*/AuthNoti`), 403, 'one refused subtree refuses the command');
  assert.match(resolveClientUri(tree, `${acc}/dms1/`, { serverId: 'DMS2', command: 'GET' }).reason, /DMS2 has none on .*dms1\/AuthNoti\/AuthSecret .*below .*dms1\/; GET involves the whole subtree/);
  // lv=n involves n sublevels only (6.1.1.3): AuthSecret is two below the root, one below AuthNoti.
  assert.equal(status('DMS2', 'GET', `${acc}/dms1/?lv=1`), 200);
  assert.equal(status('DMS2', 'HPOST', `${acc}/dms1/?lv=1`), 200);
  assert.equal(status('DMS2', 'GET', `${acc}/dms1/?lv=2`), 403);
  assert.equal(status('DMS2', 'GET', `${acc}/dms1/AuthNoti?lv=1`), 403);
  // DMS3 may write dms1 but only read AuthSecret: DELETE takes the subtree, HGET the node.
  assert.equal(status('DMS3', 'GET', `${acc}/dms1/`), 200);
  assert.equal(status('DMS3', 'DELETE', `${acc}/dms1/AuthNoti/AuthData`), 200);
  assert.equal(status('DMS3', 'DELETE', `${acc}/dms1/AuthNoti`), 403);
  assert.equal(status('DMS3', 'DELETE', `${acc}/dms1/`), 403);
  assert.equal(status('DMS3', 'HGET', `${acc}/dms1/AuthNoti`), 200, 'HGET involves the addressed node');
  assert.equal(status('DMS3', 'HGET', `${acc}/dms1/AuthNoti/AuthSecret`), 403);
  // DMS1 keeps every right below; a Path naming a missing node (/Gone) involves no node.
  assert.equal(status('DMS1', 'DELETE', `${acc}/dms1/`), 200);
  assert.equal(status('DMS2', 'GET', `${acc}/dms2/`), 200);
  const dms1 = tree.instance(acc, 'dms1')!;
  assert.deepEqual(overridesBelow(tree, dms1.root).map((n) => n.clientUri()), [`${acc}/dms1/AuthNoti/AuthSecret`]);
  assert.deepEqual(overridesBelow(tree, dms1.root, 1), []);
  assert.deepEqual(overridesBelow(tree, tree.instance(acc, 'dms2')!.root), [], 'no deeper entry: nothing to walk');
  // Once the DACMO entry goes, so does the refusal (its index follows the DACMO's changes).
  const dacmo = tree.instances('urn:oma:mo:oma-dm-dacmo:1.0')[0]!;
  assert.ok(tree.delete(dacmo.root.child(acc)!.child('dms1')!.child('2')!));
  assert.equal(status('DMS2', 'GET', `${acc}/dms1/`), 200);
});

test('the stages compose: select, authorize, checkDdf, checkCache', () => {
  const tree = load('dacmo-path.dmtree.json');
  const acc = 'urn:oma:mo:oma-dm-dmacc:2.0';
  const ddf = parseDdf(`<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName/><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat><DFType><DDFName>${acc}</DDFName></DFType></DFProperties>
    <Node><NodeName>Name</NodeName><DFProperties><AccessType><Get/><Replace/></AccessType><DFFormat><chr/></DFFormat><Scope><Permanent/></Scope></DFProperties></Node></Node></MgmtTree>`, 'acc.ddf').ddfs[0]!;
  const ctx: ResolutionContext = { tree, serverId: 'DMS1', ddfs: new Map([[acc, ddf]]) };
  const s = select(ctx, `${acc}/dms1/Name?cv=0`);
  assert.equal(s.status, 200);
  assert.deepEqual(s.nodes.map((n) => n.clientUri()), [`${acc}/dms1/Name`]);
  assert.equal(authorize(ctx, s.nodes, 'DELETE'), undefined);
  assert.equal(authorize({ ...ctx, serverId: 'DMS2' }, s.nodes, 'DELETE')?.status, 403);
  assert.equal(authorize({ tree }, s.nodes, 'DELETE'), undefined, 'no server identity: no access check');
  assert.equal(checkDdf(ctx, s.nodes, 'DELETE')?.status, 405);
  assert.equal(checkDdf(ctx, s.nodes, 'GET'), undefined);
  assert.equal(checkCache(ctx, s.nodes, s.uri!, 'GET')?.status, 304);
  assert.equal(checkCache(ctx, s.nodes, `${acc}/dms1/Name?cv=other`, 'GET'), undefined);
  assert.equal(checkCache(ctx, s.nodes, s.uri!, 'DELETE'), undefined);
  assert.equal(select(ctx, `${acc}/dms9/`).status, 404);
  assert.equal(select(ctx, `${acc}/dms1`).status, 400);
  // resolveClientUri runs them in that order: the refusal of the earliest stage wins.
  assert.equal(resolveClientUri(tree, `${acc}/dms1/Name`, { serverId: 'DMS2', command: 'DELETE', ddfs: ctx.ddfs! }).status, 403);
  assert.equal(resolveClientUri(tree, `${acc}/dms1/Name`, { serverId: 'DMS1', command: 'DELETE', ddfs: ctx.ddfs! }).status, 405);
  assert.equal(resolveClientUri(tree, `${acc}/dms1/Name?cv=0`, { serverId: 'DMS2', command: 'GET' }).status, 304);
});

test('a ClientURI written oma:mo: without urn: resolves as the MOID it names: no false "not found" beside the spelling warning', async () => {
  const { checkAgainstTree } = await import('../../server/src/core/tree/check.ts');
  const { JsonDocument } = await import('../../server/src/core/json/document.ts');
  const tree = load('figure5.dmtree.json');
  const codes = (uri: string) => checkAgainstTree(new JsonDocument(JSON.stringify({ CMD: [['GET', uri]] })), 'pkg2', { tree, label: 'figure 5' }).map((d) => d.code);
  assert.deepEqual(codes('oma:mo:moid:1.0/left/'), []);
  assert.deepEqual(codes('oma:mo:moid:1.0/middle/'), ['tree.unresolved']);
});
