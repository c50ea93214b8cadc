// Sample trees are read in one pass over the text, without jsonc-parser's tree of the file: what
// they load must be what the reading through that tree loaded (instances, nodes in order, values,
// where each was written, and the loader's diagnostics), for the shipped samples and any MO data.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { type Node, parseTree } from 'jsonc-parser';
import { ROOT } from '../helpers.ts';
import { loadTreeFile, type TreeFile } from '../../server/src/core/tree/load.ts';
import { type AddInstanceOptions, DmTree, type TreeNode } from '../../server/src/core/tree/model.ts';
import { parseClientUri } from '../../server/src/core/dm20/clientUri.ts';
import { JsonDocument } from '../../server/src/core/json/document.ts';
import type { Diagnostic } from '../../server/src/core/diagnostic.ts';

/** The loader as it read files through jsonc-parser's tree. */
function referenceLoad(f: TreeFile, tree: DmTree): Diagnostic[] {
  const out: Diagnostic[] = [];
  const doc = new JsonDocument(f.text);
  const root = doc.tree;
  if (!doc.valid || !root || root.type !== 'array') return out;
  const child = (n: Node | undefined, key: string): Node | undefined => n?.children?.find((p) => p.children?.[0]?.value === key)?.children?.[1];
  for (const item of root.children ?? []) {
    const uriNode = child(item, 'ClientURI');
    const dataNode = child(item, 'MOData');
    if (uriNode?.type !== 'string' || dataNode?.type !== 'object') continue;
    const uri = parseClientUri(String(uriNode.value).replace(/^oma:mo:/, 'urn:oma:mo:'));
    const moid = uri.moid.text;
    const cvNode = child(item, 'CV');
    const ddfNode = child(item, 'DDF');
    for (const prop of dataNode.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (k?.type !== 'string' || !v) continue;
      const miid = String(k.value);
      if (uri.moInst.kind === 'real' && uri.moInst.text !== miid) out.push({ start: k.offset, end: k.offset + k.length, severity: 'warning', code: 'tree.miid', message: `The ClientURI names the instance '${uri.moInst.text}', but MOData holds '${miid}'; in a sample tree the top key of MOData is the MIID.` });
      const previous = tree.instance(moid, miid);
      const opts: AddInstanceOptions = { source: { file: f.file, start: k.offset, end: v.offset + v.length }, rootSource: { file: f.file, keyStart: k.offset, keyEnd: k.offset + k.length, start: v.offset, end: v.offset + v.length } };
      if (typeof cvNode?.value === 'string') opts.cv = cvNode.value;
      if (typeof ddfNode?.value === 'string') opts.ddf = ddfNode.value;
      const inst = tree.addInstance(moid, miid, opts);
      if (v.type === 'object') {
        const stack: [TreeNode, Node][] = [[inst.root, v]];
        while (stack.length) {
          const [parent, obj] = stack.pop()!;
          for (const p of obj.children ?? []) {
            const [pk, pv] = p.children ?? [];
            if (pk?.type !== 'string' || !pv) continue;
            const source = { file: f.file, keyStart: pk.offset, keyEnd: pk.offset + pk.length, start: pv.offset, end: pv.offset + pv.length };
            if (pv.type === 'object') stack.push([tree.addNode(parent, String(pk.value), { interior: true }, source), pv]);
            else tree.addNode(parent, String(pk.value), { value: plain(pv) }, source);
          }
        }
      }
      if (previous) out.push({ start: k.offset, end: k.offset + k.length, severity: 'warning', code: 'tree.duplicate-instance', message: `${moid} instance '${miid}' is defined again${previous.source?.file === f.file ? '' : ` (also in ${previous.source?.file})`}; the later one is used.` });
    }
  }
  return out;
}

function plain(n: Node): unknown {
  return n.type === 'array' ? (n.children ?? []).map(plain) : n.value;
}

/** Everything a tree holds, in order: instances, then each node depth first with its name, value and source. */
function dump(tree: DmTree): unknown[] {
  const out: unknown[] = [];
  for (const inst of tree.all()) {
    out.push([inst.moid, inst.miid, inst.cv, inst.ddf, inst.source]);
    const stack: [TreeNode, number][] = [[inst.root, 0]];
    while (stack.length) {
      const [n, depth] = stack.pop()!;
      out.push([depth, n.name, n.interior, n.value, n.source]);
      const kids = [...(n.children?.values() ?? [])];
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1]);
    }
  }
  return out;
}

function sameAsReference(files: TreeFile[]): void {
  const mine = new DmTree();
  const theirs = new DmTree();
  const a = files.map((f) => loadTreeFile(f, mine));
  const b = files.map((f) => referenceLoad(f, theirs));
  assert.deepEqual(a, b, 'diagnostics');
  assert.deepEqual(dump(mine), dump(theirs), 'trees');
}

test('the shipped sample trees load as they did through jsonc-parser\'s tree', () => {
  const files = ['test/fixtures/trees', 'test/fixtures/ddf', 'examples/workspace', 'test/vscode/workspace', 'test/vscode/workspace/emulator']
    .flatMap((d) => fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith('.dmtree.json')).map((f) => path.join(ROOT, d, f)));
  assert.ok(files.length >= 6);
  for (const file of files) sameAsReference([{ file, text: fs.readFileSync(file, 'utf8') }]);
  sameAsReference(files.map((file) => ({ file, text: fs.readFileSync(file, 'utf8') })));
});

test('any MO data loads as it did through jsonc-parser\'s tree', () => {
  const name = fc.constantFrom('a', 'b', 'ID', '0', '10', '__proto__', 'constructor', 'x"y', 'é\\n', 'a\\\\b', '');
  const leaf = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { maxLength: 3 }));
  const { data } = fc.letrec((tie) => ({
    data: fc.array(fc.tuple(name, fc.oneof({ depthSize: 'small' }, leaf, tie('data'))), { maxLength: 5 }),
  }));
  /** An object written from [name, value] pairs, names repeated as generated. */
  const write = (pairs: unknown, indent: string): string => {
    if (!Array.isArray(pairs) || !pairs.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string')) return JSON.stringify(pairs);
    return `{${pairs.map(([k, v]) => `${indent}${JSON.stringify(k)} :${indent}${write(v, indent)}`).join(',')}${indent}}`;
  };
  const item = fc.record({
    uri: fc.constantFrom('urn:oma:mo:oma-x:1.0/i1/', 'oma:mo:oma-x:1.0//', 'urn:oma:mo:oma-x:1.0/*/', 'bad'),
    miids: fc.array(fc.tuple(fc.constantFrom('i1', 'i2', '0'), fc.oneof(data, fc.constant(5))), { minLength: 1, maxLength: 3 }),
    cv: fc.option(fc.string({ maxLength: 3 })),
    ddf: fc.option(fc.constant('http://x/d.ddf')),
    dataFirst: fc.boolean(),
    other: fc.constantFrom('', '1', '"x"', '[]', '{"ClientURI": 1, "MOData": {"i9": {}}}'),
  });
  fc.assert(
    fc.property(fc.array(item, { maxLength: 3 }), fc.constantFrom('', ' ', '\n  ', '\t'), (items, indent) => {
      const text = `[${items.map((it) => {
        const data = `"MOData":${indent}{${it.miids.map(([m, d]) => `${JSON.stringify(m)}: ${write(d, indent)}`).join(', ')}}`;
        const rest = `"ClientURI": ${JSON.stringify(it.uri)}${it.cv === null ? '' : `, "CV": ${JSON.stringify(it.cv)}`}${it.ddf === null ? '' : `, "DDF": "${it.ddf}"`}`;
        return `${it.other ? `${it.other},${indent}` : ''}{${it.dataFirst ? `${data}, ${rest}` : `${rest},${indent}${data}`}}`;
      }).join(',')}]`;
      assert.ok(parseTree(text), text);
      sameAsReference([{ file: 'x.dmtree.json', text }]);
    }),
    { numRuns: 1500 },
  );
});

test('a leaf array keeps the objects in it, as JSON.parse and DmTree.put have them', () => {
  const tree = new DmTree();
  loadTreeFile({ file: 'a.dmtree.json', text: '[{"ClientURI": "urn:oma:mo:oma-x:1.0/i1/", "MOData": {"i1": {"L": [{"a": 1}, 2]}}}]' }, tree);
  assert.deepEqual(tree.instance('urn:oma:mo:oma-x:1.0', 'i1')!.root.child('L')!.value, [{ a: 1 }, 2]);
});

test('nodes read when first asked for: reading is no change, writing through them works', () => {
  const text = '[{"ClientURI": "urn:oma:mo:oma-x:1.0/i1/", "CV": "cv1", "MOData": {"i1": {"A": {"B": {"C": 1}, "D": "d"}, "E": [1]}}}]';
  const tree = new DmTree();
  const changes: string[] = [];
  tree.onChange((c) => changes.push(`${c.kind} ${c.path.join('/')}`));
  loadTreeFile({ file: 'a.dmtree.json', text }, tree);
  const inst = tree.instance('urn:oma:mo:oma-x:1.0', 'i1')!;
  const revision = inst.revision;
  changes.length = 0;
  assert.equal(inst.root.child('A')!.child('B')!.child('C')!.value, 1);
  assert.equal(inst.root.child('A')!.interior, true);
  assert.deepEqual([inst.revision, inst.cv, changes], [revision, 'cv1', []], 'reading is not a change');
  const snapshot = tree.snapshot();
  tree.put(inst, ['A', 'B', 'F'], 2);
  tree.addNode(inst.root.child('A')!, 'G', { value: 3 });
  assert.deepEqual([...inst.root.child('A')!.children!.keys()], ['B', 'D', 'G']);
  assert.deepEqual([...inst.root.child('A')!.child('B')!.children!.keys()], ['C', 'F']);
  assert.notEqual(inst.cv, 'cv1');
  tree.restore(snapshot);
  assert.deepEqual([...inst.root.child('A')!.children!.keys()], ['B', 'D']);
  assert.equal(inst.cv, 'cv1');
  // Only an empty interior node of the tree has its children read later.
  assert.throws(() => tree.deferChildren(inst.root, () => undefined), /children already/);
  assert.throws(() => tree.deferChildren(inst.root.child('E')!, () => undefined), /leaf/);
  assert.throws(() => new DmTree().deferChildren(inst.root, () => undefined), /not a node of this tree/);
});
