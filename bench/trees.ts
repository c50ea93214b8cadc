// Sample trees: loading a 100,000-node tree file (time per node), and ClientURI resolution on a
// tree of 1,000,000 nodes: an exact path, a wildcard and an x-name with nv, with the nodes each
// visits and the time per visited node. The x-name and the wildcard visit much the same nodes, so
// their time per visited node is compared, in alternated pairs.
import { DmTree, type TreeNode } from '../server/src/core/tree/model.ts';
import { loadTrees } from '../server/src/core/tree/load.ts';
import { resolveClientUri } from '../server/src/core/tree/resolve.ts';
import { TREE_MOID, treeFile } from './inputs.ts';
import { fixed, ms, paired, ratioText, spread, timeOnce, type Row, type SectionResult } from './measure.ts';

const XNAME_PER_NODE = 1.5;
/** Resolutions a timed run makes, so that each run takes a few hundred milliseconds. */
const EXACT_REPEAT = 100_000;
const SCAN_REPEAT = 40;

/** `instances` instances, each Items/<n>/{ID, Value, Meta/{A, B}}: 6 nodes an item. */
function generate(totalNodes: number, instances = 10): DmTree {
  const tree = new DmTree();
  const perInstance = Math.ceil(totalNodes / instances / 6);
  for (let i = 0; i < instances; i++) {
    const inst = tree.addInstance(TREE_MOID, `i${i}`);
    const items = tree.addNode(inst.root, 'Items', { interior: true });
    for (let k = 0; k < perInstance; k++) {
      const item = tree.addNode(items, `n${k}`, { interior: true });
      tree.addNode(item, 'ID', { value: `id-${i}-${k}` });
      tree.addNode(item, 'Value', { value: k });
      const meta = tree.addNode(item, 'Meta', { interior: true });
      tree.addNode(meta, 'A', { value: 'a' });
      tree.addNode(meta, 'B', { value: 'b' });
    }
  }
  return tree;
}

function countNodes(tree: DmTree): number {
  let c = 0;
  for (const inst of tree.all()) {
    const stack: TreeNode[] = [inst.root];
    while (stack.length) {
      const n = stack.pop()!;
      c++;
      for (const k of n.children?.values() ?? []) stack.push(k);
    }
  }
  return c;
}

/** `repeat` resolutions of `uri`, so that one timed run is long enough to read. */
function resolver(tree: DmTree, uri: string, repeat: number): { run: () => void; visited: number; found: number; status: number } {
  const r = resolveClientUri(tree, uri);
  return {
    run: () => {
      for (let i = 0; i < repeat; i++) resolveClientUri(tree, uri);
    },
    visited: r.visited,
    found: r.nodes.length,
    status: r.status,
  };
}

export async function treeBench(): Promise<SectionResult> {
  const rows: Row[] = [];
  const failed: string[] = [];

  // Loading a tree file: parse, build the nodes with their source ranges.
  const text = treeFile(20_000);
  let loaded = loadTrees([{ file: 'big.dmtree.json', text }]).tree;
  const nodes = countNodes(loaded);
  const loads: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t = await timeOnce(() => {
      loaded = loadTrees([{ file: 'big.dmtree.json', text }]).tree;
    });
    if (i > 0) loads.push(t);
  }
  const load = spread(loads).median;
  console.log(`  loading a tree file of ${nodes.toLocaleString('en')} nodes (${(text.length / 1e6).toFixed(1)} MB): ${ms(load)}, ${fixed((load * 1000) / nodes)} µs a node`);
  rows.push({ figure: `loading a tree file of ${nodes.toLocaleString('en')} nodes (${(text.length / 1e6).toFixed(1)} MB, ${ms(load)}): per node`, value: `${fixed((load * 1000) / nodes)} µs`, target: '' });

  const big = generate(1_000_000);
  const size = countNodes(big);
  const small = generate(10_000);
  const cases = {
    exact: resolver(big, `${TREE_MOID}/i3/Items/n1234/Value`, EXACT_REPEAT),
    wildcard: resolver(big, `${TREE_MOID}/i3/Items/*/Value`, SCAN_REPEAT),
    xname: resolver(big, `${TREE_MOID}/i3/Items/(x)/Value?nv=(x)/ID:id-3-1234`, SCAN_REPEAT),
  };
  const exactSmall = resolver(small, `${TREE_MOID}/i3/Items/n123/Value`, EXACT_REPEAT);
  const perNode = (msTotal: number, c: { visited: number }, repeat: number): number => (msTotal * 1e6) / repeat / c.visited;
  // The exact path costs the nodes on its way, whatever the tree's size: 1M nodes next to 10,000.
  const e = await paired(cases.exact.run, exactSmall.run);
  const exactUs = (spread(e.ours).median * 1000) / EXACT_REPEAT;
  const smallUs = (spread(e.peer).median * 1000) / EXACT_REPEAT;
  console.log(`  exact path: ${fixed(exactUs)} µs on ${size.toLocaleString('en')} nodes, ${fixed(smallUs)} µs on ${countNodes(small).toLocaleString('en')} (${cases.exact.visited} visited)`);
  rows.push({ figure: `ClientURI on ${size.toLocaleString('en')} nodes, exact path (${cases.exact.visited} visited; ${fixed(smallUs)} µs on 10,000 nodes)`, value: `${fixed(exactUs)} µs`, target: '' });
  rows.push({ figure: 'exact path: on 1,000,000 nodes / on 10,000 nodes', value: ratioText(spread(e.ratios)), target: '' });

  const p = await paired(cases.xname.run, cases.wildcard.run);
  const xNs = p.ours.map((t) => perNode(t, cases.xname, SCAN_REPEAT));
  const wNs = p.peer.map((t) => perNode(t, cases.wildcard, SCAN_REPEAT));
  const ratios = xNs.map((x, i) => x / wNs[i]!);
  const s = spread(ratios);
  console.log(`  wildcard: ${ms(spread(p.peer).median / SCAN_REPEAT)}, ${cases.wildcard.visited.toLocaleString('en')} visited, ${fixed(spread(wNs).median, 1)} ns a node; x-name: ${ms(spread(p.ours).median / SCAN_REPEAT)}, ${cases.xname.visited.toLocaleString('en')} visited, ${fixed(spread(xNs).median, 1)} ns a node`);
  rows.push({ figure: `wildcard (${ms(spread(p.peer).median / SCAN_REPEAT)}, ${cases.wildcard.visited.toLocaleString('en')} visited, ${cases.wildcard.found.toLocaleString('en')} found): per visited node`, value: `${fixed(spread(wNs).median, 1)} ns`, target: '' });
  rows.push({ figure: `x-name with nv (${ms(spread(p.ours).median / SCAN_REPEAT)}, ${cases.xname.visited.toLocaleString('en')} visited, ${cases.xname.found} found): per visited node`, value: `${fixed(spread(xNs).median, 1)} ns`, target: '' });
  rows.push({ figure: 'x-name / wildcard, time per visited node', value: ratioText(s), target: `<= ${XNAME_PER_NODE}x`, met: s.median <= XNAME_PER_NODE });
  return { rows, failed };
}
