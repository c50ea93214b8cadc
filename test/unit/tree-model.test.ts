import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTrees, serializeNode, serializeTree } from '../../server/src/core/tree/load.ts';
import { DmTree, type MoInstance, type TreeChange, type TreeNode } from '../../server/src/core/tree/model.ts';
import { resolveClientUri } from '../../server/src/core/tree/resolve.ts';
import { ROOT } from '../helpers.ts';

const DIR = path.join(ROOT, 'test', 'fixtures', 'trees');
const load = (...names: string[]) => loadTrees(names.map((n) => ({ file: path.join(DIR, n), text: fs.readFileSync(path.join(DIR, n), 'utf8') }))).tree;
const M = 'urn:oma:mo:moid:1.0';
const DEVINFO = 'urn:oma:mo:oma-dm-devinfo:1.0';

/** The change events of `tree` as [kind, MOID/MIID, path], and the instances they name. */
function record(tree: DmTree): { events: [string, string, string][]; instances: MoInstance[]; stop: () => void } {
  const events: [string, string, string][] = [];
  const instances: MoInstance[] = [];
  const stop = tree.onChange((c: TreeChange) => {
    events.push([c.kind, `${c.instance.moid}/${c.instance.miid}`, c.path.join('/')]);
    instances.push(c.instance);
  });
  return { events, instances, stop };
}

/** Every node of the tree with its id, depth-first, for comparing identities. */
function ids(tree: DmTree): string[] {
  const out: string[] = [];
  for (const inst of tree.all()) {
    const stack: TreeNode[] = [inst.root];
    while (stack.length) {
      const n = stack.pop()!;
      out.push(`${n.clientUri()}#${n.id}`);
      for (const c of n.children?.values() ?? []) stack.push(c);
    }
  }
  return out.sort();
}

/** The example of 7.2.1.4 (fewer leaves), with an interior Ext node for the level tests. */
const EXAMPLE = `[
 {
  "DDF": "http://www.vendor.com/DDF/devinfo1.0.ddf",
  "ClientURI": "oma:mo:oma-dm-devinfo:1.0//",
  "CV": "686897696a7c876b7e",
  "MOData": {
   "DevInfo": {
    "DevID": "IMEI:493005100592800",
    "Man": "Vendor",
    "Mod": "DM_Client",
    "DmV": "2.0",
    "Lang": "en",
    "Ext": { "Vendor": { "Color": "blue" }, "Slots": 2 }
   }
  }
 }
]`;

test('addInstance: a new instance with its CV and DDF, told to the listeners; a re-created one gets a fresh CV', () => {
  const tree = new DmTree();
  const { events } = record(tree);
  const a = tree.addInstance(M, 'a', { cv: 'cv-a', ddf: 'http://x/ddf', source: { file: 'f', start: 1, end: 9 } });
  assert.equal(tree.instance(M, 'a'), a);
  assert.deepEqual([a.cv, a.ddf, a.source], ['cv-a', 'http://x/ddf', { file: 'f', start: 1, end: 9 }]);
  assert.equal(tree.addInstance(M, 'b').cv, '0', 'no CV given: 0, as a sample without one');
  assert.deepEqual(tree.moids(), [M]);
  assert.deepEqual(tree.all().map((i) => i.miid), ['a', 'b']);
  const again = tree.addInstance(M, 'a');
  assert.notEqual(again, a);
  assert.equal(tree.instance(M, 'a'), again);
  assert.deepEqual(tree.all().map((i) => i.miid), ['a', 'b'], 'the replacement keeps the place');
  assert.notEqual(again.cv, '0', 'an MOID/MIID that had an instance gets a CV of its own (11.1)');
  assert.deepEqual(events, [['add-instance', `${M}/a`, ''], ['add-instance', `${M}/b`, ''], ['remove-instance', `${M}/a`, ''], ['add-instance', `${M}/a`, '']]);
  assert.throws(() => tree.put(a, ['X'], 1), /not in this tree/, 'the replaced instance is not written any more');
});

test('addNode builds without a change: no event, the CV stays; the loader keeps its diagnostics', () => {
  const tree = new DmTree();
  const inst = tree.addInstance(M, 'a', { cv: 'given' });
  const { events } = record(tree);
  const d = tree.addNode(inst.root, 'Data', { interior: true });
  const v = tree.addNode(d, 'Value', { value: 7 }, { file: 'f', keyStart: 1, keyEnd: 2, start: 3, end: 4 });
  assert.equal(inst.cv, 'given');
  assert.deepEqual(events, []);
  assert.equal(inst.root.child('Data')!.child('Value'), v);
  assert.deepEqual([v.value, v.interior, d.interior, v.source?.keyEnd], [7, false, true, 2]);
  assert.deepEqual(v.path(), ['Data', 'Value']);
  assert.throws(() => tree.addNode(v, 'x', { value: 1 }), /leaf/);
  assert.throws(() => tree.addNode(d, 'x', { value: { a: 1 } }), /interior/);
  assert.throws(() => new DmTree().addNode(d, 'x', { value: 1 }), /not a node of this tree/);
  const second = `[{"ClientURI":"${M}/y/","MOData":{"x":{"B":2}}}]`;
  const { diagnostics } = loadTrees([
    { file: 'a.dmtree.json', text: `[{"ClientURI":"${M}/x/","MOData":{"x":{"A":1}}}]` },
    { file: 'b.dmtree.json', text: second },
  ]);
  const at = second.indexOf('"x"');
  assert.deepEqual(diagnostics.map((d) => [d.file, d.diagnostic.code, d.diagnostic.start, d.diagnostic.end]), [['b.dmtree.json', 'tree.miid', at, at + 3], ['b.dmtree.json', 'tree.duplicate-instance', at, at + 3]]);
  assert.match(diagnostics[1]!.diagnostic.message, /also in a\.dmtree\.json/);
});

test('setValue: a leaf only, one "set" event with its path, a new CV (11.1)', () => {
  const tree = load('figure5.dmtree.json');
  const left = tree.instance(M, 'left')!;
  const id = left.root.child('ID')!;
  const { events, stop } = record(tree);
  tree.setValue(id, 'GNSS');
  assert.equal(id.value, 'GNSS');
  assert.notEqual(left.cv, 'cv-left-7');
  const cv = left.cv;
  tree.setValue(id, 'GPS');
  assert.notEqual(left.cv, cv, 'every change, a new CV');
  assert.deepEqual(events, [['set', `${M}/left`, 'ID'], ['set', `${M}/left`, 'ID']]);
  assert.throws(() => tree.setValue(left.root.child('Data')!, 1), /interior/);
  assert.throws(() => tree.setValue(id, { a: 1 }), /interior node/);
  stop();
  tree.setValue(id, 'x');
  assert.equal(events.length, 2, 'the disposer stops the listener');
  // Read-only from outside: the compiler refuses writes; at run time there is no setter.
  assert.throws(() => {
    (id as unknown as { value: unknown }).value = 'y';
  }, TypeError);
  assert.equal(id.value, 'x');
});

test('put: nested MO data builds interior nodes and leaves; names like __proto__ are data', () => {
  const tree = new DmTree();
  const inst = tree.addInstance(M, 'a');
  const { events } = record(tree);
  const cv0 = inst.cv;
  const data = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": 1}, "toString": "s", "List": [1, 2], "Null": null, "Empty": {}}');
  const n = tree.put(inst, ['Conf', 'Net'], data);
  assert.equal(n, inst.root.child('Conf')!.child('Net'));
  assert.deepEqual([...n.children!.keys()], ['__proto__', 'constructor', 'toString', 'List', 'Null', 'Empty']);
  assert.equal(n.child('__proto__')!.child('polluted')!.value, 'yes');
  assert.equal(n.child('constructor')!.child('prototype')!.value, 1);
  assert.deepEqual([n.child('List')!.value, n.child('Null')!.value, n.child('Empty')!.interior, n.child('Empty')!.children!.size], [[1, 2], null, true, 0]);
  assert.equal(n.child('hasOwnProperty'), undefined, 'nothing comes from the prototype chain');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.notEqual(inst.cv, cv0);
  assert.deepEqual(events, [['put', `${M}/a`, 'Conf/Net']]);
  assert.equal(resolveClientUri(tree, `${M}/a/Conf/Net/__proto__/polluted`).nodes[0]!.value, 'yes');

  // Replacing: the node keeps its identity while it keeps its kind; its former children are gone.
  const old = n.child('toString')!;
  const again = tree.put(inst, ['Conf', 'Net'], { Only: 1 });
  assert.equal(again, n);
  assert.deepEqual([...n.children!.keys()], ['Only']);
  assert.throws(() => tree.setValue(old, 'z'), /not in this tree/);
  const leaf = tree.put(inst, ['Conf', 'Net'], 'now a leaf');
  assert.notEqual(leaf, n);
  assert.deepEqual([leaf.interior, leaf.value], [false, 'now a leaf']);
  // A leaf on the way becomes an interior node.
  tree.put(inst, ['Conf', 'Net', 'Deep'], 5);
  assert.equal(inst.root.child('Conf')!.child('Net')!.child('Deep')!.value, 5);
  tree.put(inst, [], { Root: true });
  assert.deepEqual([...inst.root.children!.keys()], ['Root']);
  assert.throws(() => tree.put(inst, [], 'x'), /interior node/);

  // Data that is no tree (a cycle) is refused and leaves the tree as it was.
  const before = serializeTree(tree);
  const cyclic: Record<string, unknown> = { A: { B: 1 } };
  (cyclic.A as Record<string, unknown>).Back = cyclic;
  assert.throws(() => tree.put(inst, ['New', 'Sub'], cyclic), /contains itself/);
  assert.equal(serializeTree(tree), before);
  const shared = { X: 1 };
  tree.put(inst, ['Twice'], { a: shared, b: shared });
  assert.deepEqual(serializeNode(inst.root.child('Twice')!).MOData, { Twice: { a: { X: 1 }, b: { X: 1 } } }, 'the same object twice is no cycle');
});

test('delete: the subtree goes, one "delete" event, a new CV; the instance root removes the instance', () => {
  const tree = load('figure5.dmtree.json');
  const left = tree.instance(M, 'left')!;
  const data = left.root.child('Data')!;
  const value = data.child('1')!.child('Value')!;
  const { events } = record(tree);
  const cv0 = left.cv;
  assert.equal(tree.delete(data), true);
  assert.notEqual(left.cv, cv0);
  assert.equal(left.root.child('Data'), undefined);
  assert.equal(resolveClientUri(tree, `${M}/left/Data/1/Value`).status, 404);
  assert.equal(tree.delete(data), false, 'already gone');
  assert.equal(tree.delete(value), false, 'a node of a deleted subtree is gone too');
  assert.throws(() => tree.setValue(value, 1), /not in this tree/);
  assert.equal(tree.delete(left.root), true);
  assert.equal(tree.instance(M, 'left'), undefined);
  assert.equal(tree.removeInstance(M, 'left'), false);
  assert.equal(tree.removeInstance(M, 'right'), true);
  assert.deepEqual(tree.moids(), [], 'an MOID without instances is not listed');
  assert.deepEqual(events, [['delete', `${M}/left`, 'Data'], ['remove-instance', `${M}/left`, ''], ['remove-instance', `${M}/right`, '']]);
});

test('node ids: unique in the tree, stable while other nodes change', () => {
  const tree = load('figure5.dmtree.json', 'dacmo-12.3.1.dmtree.json');
  const all = ids(tree);
  const numbers = all.map((s) => Number(s.split('#')[1]));
  assert.equal(new Set(numbers).size, numbers.length);
  const left = tree.instance(M, 'left')!;
  const setting = left.root.child('Setting')!;
  const idOf = setting.id;
  tree.put(left, ['Data', '3'], { Value: 1 });
  tree.setValue(left.root.child('ID')!, 'x');
  tree.delete(left.root.child('Data')!.child('1')!);
  tree.put(tree.instance(M, 'right')!, [], { Fresh: 1 });
  assert.equal(left.root.child('Setting'), setting);
  assert.equal(setting.id, idOf);
  const after = ids(tree).map((s) => Number(s.split('#')[1]));
  assert.equal(new Set(after).size, after.length);
});

test('snapshot and restore: set, put, delete, remove and add instances, then back to the identical tree', () => {
  const tree = load('figure5.dmtree.json', 'dacmo-12.3.1.dmtree.json');
  const left = tree.instance(M, 'left')!;
  tree.put(left, ['List'], [1, [2, 3]]);
  const saved = serializeTree(tree);
  const savedIds = ids(tree);
  const cvs = tree.all().map((i) => i.cv);
  const leftCv = left.cv;
  const snap = tree.snapshot();
  const seen = new Set(tree.all().map((i) => i.cv));
  const note = () => tree.all().forEach((i) => seen.add(i.cv));

  tree.setValue(left.root.child('ID')!, 'GNSS');
  note();
  tree.put(left, ['Data', '1'], { Value: 'new', Extra: { A: 1 } });
  note();
  tree.delete(left.root.child('Setting')!);
  note();
  tree.removeInstance(M, 'right');
  tree.addInstance(M, 'right');
  tree.put(tree.instance(M, 'right')!, [], { Other: 1 });
  note();
  tree.addInstance('urn:oma:mo:new:1.0', 'n');
  tree.removeInstance('urn:oma:mo:oma-dm-devinfo:1.2', 'miid1');
  (left.root.child('List')!.value as unknown[]).push('changed in place');
  note();
  assert.notEqual(serializeTree(tree), saved);

  const before = tree.all();
  const { events, instances } = record(tree);
  tree.restore(snap);
  assert.equal(serializeTree(tree), saved);
  assert.deepEqual(ids(tree), savedIds, 'the same nodes, with their ids');
  assert.deepEqual(tree.all().map((i) => i.cv), cvs);
  assert.equal(tree.instance(M, 'left'), left);
  assert.deepEqual(left.root.child('List')!.value, [1, [2, 3]], 'values are copies');
  assert.ok(events.every((e) => e[0] === 'restore' && e[2] === ''));
  assert.equal(new Set(instances).size, instances.length, 'one event per instance');
  // Those of the snapshot, and those the restore removed (the re-created 'right', the new MOID).
  assert.deepEqual(new Set(instances), new Set([...tree.all(), ...before]));
  assert.equal(instances.length, tree.all().length + 2);

  // After a restore every instance works as before, and a change gets a CV never given before (11.1).
  assert.equal(resolveClientUri(tree, `${M}/left/ID?cv=${leftCv}`).status, 304);
  assert.equal(resolveClientUri(tree, `${M}/right/Data/1/Value`).status, 200);
  tree.setValue(left.root.child('ID')!, 'again');
  assert.ok(!seen.has(left.cv), `${left.cv} was given before`);
  tree.put(tree.instance(M, 'right')!, ['X'], 1);
  assert.ok(!seen.has(tree.instance(M, 'right')!.cv));

  // The snapshot serves again; it is refused by another tree.
  tree.restore(snap);
  assert.equal(serializeTree(tree), saved);
  assert.throws(() => new DmTree().restore(snap), /another tree/);
});

test('restore rolls back access rights too: the DACMO index follows it', () => {
  const tree = load('dacmo-12.3.1.dmtree.json');
  const dev = 'urn:oma:mo:oma-dm-devinfo:1.2';
  const snap = tree.snapshot();
  const dacmo = tree.instances('urn:oma:mo:oma-dm-dacmo:1.0')[0]!;
  assert.equal(resolveClientUri(tree, `${dev}//Lang`, { serverId: 'DMS2', command: 'HGET' }).status, 403);
  tree.put(dacmo, [dev, 'miid1', '1', 'Permissions', 'dms2'], { MAID: 'DMS2', AR: 3 });
  assert.equal(resolveClientUri(tree, `${dev}//Lang`, { serverId: 'DMS2', command: 'HGET' }).status, 200);
  tree.restore(snap);
  assert.equal(resolveClientUri(tree, `${dev}//Lang`, { serverId: 'DMS2', command: 'HGET' }).status, 403);
});

test('serializeNode: the MO serialization of 7.2.1.4 for a subtree, with lv sublevels (6.1.1.3) and the CV of a root (11.2)', () => {
  const tree = loadTrees([{ file: 'devinfo.dmtree.json', text: EXAMPLE }]).tree;
  const inst = tree.instance(DEVINFO, 'DevInfo')!;
  const full = { DevID: 'IMEI:493005100592800', Man: 'Vendor', Mod: 'DM_Client', DmV: '2.0', Lang: 'en', Ext: { Vendor: { Color: 'blue' }, Slots: 2 } };
  assert.deepEqual(serializeNode(inst.root), { ClientURI: `${DEVINFO}/DevInfo/`, CV: '686897696a7c876b7e', MOData: { DevInfo: full } });
  assert.deepEqual(serializeNode(inst.root, 1), { ClientURI: `${DEVINFO}/DevInfo/`, CV: '686897696a7c876b7e', MOData: { DevInfo: { ...full, Ext: {} } } });
  assert.deepEqual(serializeNode(inst.root, 2).MOData, { DevInfo: { ...full, Ext: { Vendor: {}, Slots: 2 } } });
  assert.deepEqual(serializeNode(inst.root, 3).MOData, { DevInfo: full });
  const ext = inst.root.child('Ext')!;
  assert.deepEqual(serializeNode(ext), { ClientURI: `${DEVINFO}/DevInfo/Ext`, MOData: { Ext: { Vendor: { Color: 'blue' }, Slots: 2 } } });
  assert.deepEqual(serializeNode(ext, 1), { ClientURI: `${DEVINFO}/DevInfo/Ext`, MOData: { Ext: { Vendor: {}, Slots: 2 } } });
  assert.deepEqual(serializeNode(inst.root.child('DevID')!), { ClientURI: `${DEVINFO}/DevInfo/DevID`, MOData: { DevID: 'IMEI:493005100592800' } });
  assert.ok(!('CV' in serializeNode(ext)), 'CV only for the instance root');
  // serializeTree is one such item per instance, with the DDF.
  assert.deepEqual(JSON.parse(serializeTree(tree)), [{ DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf', ClientURI: `${DEVINFO}/DevInfo/`, CV: '686897696a7c876b7e', MOData: { DevInfo: full } }]);
  // Own properties, even for names of Object.prototype's members.
  tree.put(inst, ['Ext', '__proto__'], { x: 1 });
  const moData = serializeNode(ext).MOData.Ext as Record<string, unknown>;
  assert.ok(Object.hasOwn(moData, '__proto__'));
  assert.equal(Object.getPrototypeOf(moData), Object.prototype);
  assert.match(JSON.stringify(serializeNode(ext)), /"__proto__":\{"x":1\}/);
});

test('200,000 children and 20,000 levels: loaded, serialized, snapshot, deleted without exhausting the stack', () => {
  const n = 200_000;
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(`"n${i}":${i}`);
  const text = `[{"ClientURI":"${M}/wide/","MOData":{"wide":{"Items":{${items.join(',')}}}}}]`;
  const tree = loadTrees([{ file: 'wide.dmtree.json', text }]).tree;
  const inst = tree.instance(M, 'wide')!;
  const node = inst.root.child('Items')!;
  assert.equal(node.children!.size, n);
  const back = JSON.parse(serializeTree(tree));
  assert.equal(Object.keys(back[0].MOData.wide.Items).length, n);
  assert.equal(Object.keys(serializeNode(node).MOData.Items as object).length, n);
  assert.equal(resolveClientUri(tree, `${M}/wide/Items/*`).nodes.length, n);
  const snap = tree.snapshot();
  assert.equal(tree.delete(node), true);
  assert.equal(inst.root.child('Items'), undefined);
  tree.restore(snap);
  assert.equal(inst.root.child('Items'), node);
  assert.equal(node.children!.size, n);
  assert.equal(tree.put(inst, ['Items'], Object.fromEntries(items.slice(0, 10).map((_, i) => [`m${i}`, i]))).children!.size, 10);

  const depth = 20_000;
  const deep: Record<string, unknown> = {};
  let at = deep;
  for (let i = 0; i < depth; i++) at = (at.d = {}) as Record<string, unknown>;
  at.leaf = 'bottom';
  const top = tree.put(inst, ['Deep'], deep);
  let levels = 0;
  let data = serializeNode(top).MOData.Deep as Record<string, unknown>;
  while (data.d) {
    data = data.d as Record<string, unknown>;
    levels++;
  }
  assert.deepEqual([levels, data.leaf], [depth, 'bottom']);
  const deepSnap = tree.snapshot();
  assert.equal(tree.delete(top), true);
  tree.restore(deepSnap);
  assert.equal(inst.root.child('Deep'), top);
});
