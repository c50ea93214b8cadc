/**
 * The DM Tree: MO instances (MOID + MIID) holding nodes, interior or leaf (DM 2.0 6.3). Instances
 * are indexed by MOID and by MIID, children by name, so resolving a ClientURI costs the nodes it
 * visits, not the size of the tree.
 *
 * `DmTree` is the only writer of its nodes: outside this module a node's value and children, and
 * an instance's cache validator, are read-only. Every write goes through a `DmTree` method, which
 * updates the instance's cache validator (11.1: it "MUST be updated every time a change in the MO
 * instance occurs") and tells the `onChange` listeners. Building an instance while loading a
 * sample (`addNode`) is not a change: the CV the sample gives stays.
 */
export interface SourceRange {
  readonly file: string;
  /** Range of the node's name (its JSON key). */
  readonly keyStart: number;
  readonly keyEnd: number;
  /** Range of its value. */
  readonly start: number;
  readonly end: number;
}

/** Where an MO instance was written: from its MIID key to the end of its MOData value. */
export interface InstanceSource {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** A node's content when it is added: an interior node (its children added after it) or a leaf value. */
export type NodeContent = { interior: true } | { value: unknown };

/** What a loader gives for a child: an interior node whose own children it reads later, or a leaf value. */
export type LoadedContent = { children: ChildReader } | { value: unknown };

/**
 * Reads the children of one interior node from where they were written, giving each to `add` in
 * order (a later child of the same name replaces the earlier one).
 */
export type ChildReader = (add: (name: string, content: LoadedContent, source?: SourceRange) => void) => void;

export type TreeChangeKind = 'set' | 'put' | 'delete' | 'add-instance' | 'remove-instance' | 'restore';

export interface TreeChange {
  kind: TreeChangeKind;
  instance: MoInstance;
  /** The changed node, as names below the instance root ([] for the instance itself). */
  path: readonly string[];
}

export interface AddInstanceOptions {
  /** The cache validator the sample gives (11.1); else '0' for a new MOID/MIID, a fresh one for a re-created instance. */
  cv?: string;
  /** The DDF URL of the MO serialization (7.2.1.4). */
  ddf?: string;
  source?: InstanceSource;
  /** Where the instance root node was written (its MIID key and MOData value). */
  rootSource?: SourceRange;
}

// Identities are drawn from one counter, so they are unique in every tree and never reused: a
// node keeps its id while other nodes change, and a restored node gets its old one back.
let lastId = 0;

// Write access to the private state of nodes and instances, for DmTree alone (not exported).
let newNode!: (name: string, parent: TreeNode | undefined, instance: MoInstance, interior: boolean, value: unknown, source: SourceRange | undefined) => TreeNode;
let kidsOf!: (n: TreeNode) => Map<string, TreeNode> | undefined;
let defer!: (n: TreeNode, read: ChildReader) => void;
let setKids!: (n: TreeNode, kids: Map<string, TreeNode>) => void;
let setLeaf!: (n: TreeNode, value: unknown) => void;

export class TreeNode {
  /** Unique in the tree and stable: other nodes changing do not change it. */
  readonly id: number;
  #children: Map<string, TreeNode> | undefined;
  /**
   * Children not read yet: a sample tree's nodes are made when first asked for, so that loading a
   * file of 100,000 nodes costs its instances, and resolving a ClientURI the nodes it visits.
   */
  #unread: ChildReader | undefined;
  #value: unknown;
  readonly #source: SourceRange | undefined;

  static {
    newNode = (name, parent, instance, interior, value, source) => new TreeNode(name, parent, instance, interior, value, source);
    kidsOf = (n) => n.#kids();
    setKids = (n, kids) => {
      n.#unread = undefined;
      n.#children = kids;
    };
    defer = (n, read) => {
      n.#unread = read;
    };
    setLeaf = (n, value) => {
      n.#value = value;
    };
  }

  private constructor(
    readonly name: string,
    readonly parent: TreeNode | undefined,
    readonly instance: MoInstance,
    interior: boolean,
    value: unknown,
    source: SourceRange | undefined,
  ) {
    this.id = ++lastId;
    this.#children = interior ? new Map() : undefined;
    this.#value = interior ? undefined : value;
    this.#source = source;
  }

  /** A leaf's value (undefined for an interior node). */
  get value(): unknown {
    return this.#value;
  }

  /** An interior node's children by name, in document order (undefined for a leaf). */
  get children(): ReadonlyMap<string, TreeNode> | undefined {
    return this.#kids();
  }

  /** The children, read from where they were written first if they have not been yet (not a change: no revision). */
  #kids(): Map<string, TreeNode> | undefined {
    const read = this.#unread;
    if (!read) return this.#children;
    this.#unread = undefined;
    const kids = this.#children!;
    read((name, content, source) => {
      if ('children' in content) {
        const c = new TreeNode(name, this, this.instance, true, undefined, source);
        c.#unread = content.children;
        kids.set(name, c);
      } else kids.set(name, new TreeNode(name, this, this.instance, false, content.value, source));
    });
    return kids;
  }

  /** Where the node was written in a sample tree file; nodes written by commands have none. */
  get source(): SourceRange | undefined {
    return this.#source;
  }

  get interior(): boolean {
    return this.#children !== undefined;
  }

  /** Names from the instance root down to this node ([] for the root). */
  path(): string[] {
    const out: string[] = [];
    for (let n: TreeNode | undefined = this; n && n.parent; n = n.parent) out.push(n.name);
    return out.reverse();
  }

  /** The plain ClientURI of this node: <MOID>/<MIID>/<path>, the root as <MOID>/<MIID>/ (DESIGN `resolve`). */
  clientUri(): string {
    return `${this.instance.moid}/${this.instance.miid}/${this.path().join('/')}`;
  }

  child(name: string): TreeNode | undefined {
    return this.#kids()?.get(name);
  }
}

let isLiveIn!: (i: MoInstance, tree: DmTree) => boolean;
let setLive!: (i: MoInstance, tree: DmTree, live: boolean) => void;
let changesOf!: (i: MoInstance) => number;
let touch!: (i: MoInstance, changes?: number) => void;
let restoreCv!: (i: MoInstance, cv: string, changes: number) => void;
let bump!: (i: MoInstance) => void;
let describe!: (i: MoInstance, opts: AddInstanceOptions) => void;

export class MoInstance {
  readonly root: TreeNode;
  /** The CV given (sample, snapshot), else undefined: then `<MIID>-<changes>`, made when read. */
  #cv: string | undefined;
  /** How many times the CV was renewed: the number in `<MIID>-<n>`. */
  #changes = 0;
  #revision = 0;
  #ddf: string | undefined;
  #source: InstanceSource | undefined;
  /** The tree the instance was added to (for good), and whether it is in it now. */
  #tree: DmTree | undefined;
  #live = false;

  static {
    isLiveIn = (i, tree) => i.#live && i.#tree === tree;
    setLive = (i, tree, live) => {
      i.#tree = tree;
      i.#live = live;
    };
    changesOf = (i) => i.#changes;
    touch = (i, changes) => {
      i.#changes = changes ?? i.#changes + 1;
      i.#cv = undefined;
      i.#revision++;
    };
    restoreCv = (i, cv, changes) => {
      i.#cv = cv;
      i.#changes = changes;
      i.#revision++;
    };
    bump = (i) => {
      i.#revision++;
    };
    describe = (i, opts) => {
      i.#ddf = opts.ddf;
      i.#source = opts.source;
    };
  }

  /** A detached instance, holding only its root; `DmTree.addInstance` creates one in a tree. */
  constructor(
    readonly moid: string,
    readonly miid: string,
    cv?: string,
    rootSource?: SourceRange,
  ) {
    this.root = newNode('', undefined, this, true, undefined, rootSource);
    this.#cv = cv ?? '0';
  }

  /** The cache validator (DM 2.0 11.1): the CV of the sample, then a new one at every change. */
  get cv(): string {
    return (this.#cv ??= `${this.miid}-${this.#changes}`);
  }

  /** Counts every write to the instance, loading included: what caches of its content key on. */
  get revision(): number {
    return this.#revision;
  }

  /** The DDF URL of the serialization (7.2.1.4). */
  get ddf(): string | undefined {
    return this.#ddf;
  }

  get source(): InstanceSource | undefined {
    return this.#source;
  }
}

interface InstanceState {
  instance: MoInstance;
  cv: string;
  revision: number;
  /** Breadth-first, the root first: parents come before their children, siblings in order. */
  nodes: TreeNode[];
  parents: number[];
  values: unknown[];
}

let snapshotState!: (s: TreeSnapshot) => { tree: DmTree; instances: InstanceState[] };
let newSnapshot!: (tree: DmTree, instances: InstanceState[]) => TreeSnapshot;

/** A copy of a whole tree (instances, nodes, values, CVs, DDFs, node ids), for `DmTree.restore`. */
export class TreeSnapshot {
  readonly #tree: DmTree;
  readonly #instances: InstanceState[];

  static {
    snapshotState = (s) => ({ tree: s.#tree, instances: s.#instances });
    newSnapshot = (tree, instances) => new TreeSnapshot(tree, instances);
  }

  private constructor(tree: DmTree, instances: InstanceState[]) {
    this.#tree = tree;
    this.#instances = instances;
  }
}

/** MO data (7.2.1.4): a plain object is an interior node; arrays, null and primitives are leaf values. */
export function isMoObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Leaf values are copied into and out of snapshots, so a snapshot never shares mutable data. */
function copyValue(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v;
}

const keyOf = (i: MoInstance): string => `${i.moid}\u0000${i.miid}`;

export class DmTree {
  readonly #byMoid = new Map<string, Map<string, MoInstance>>();
  readonly #listeners = new Set<(c: TreeChange) => void>();
  /**
   * The last change number of each MOID/MIID whose instance left the tree. A re-created or
   * restored instance counts on from it, so it never gets a cache validator that already stood
   * for other content (11.1).
   */
  readonly #retired = new Map<string, number>();

  // ---- reading

  instances(moid: string): MoInstance[] {
    return [...(this.#byMoid.get(moid)?.values() ?? [])];
  }

  instance(moid: string, miid: string): MoInstance | undefined {
    return this.#byMoid.get(moid)?.get(miid);
  }

  moids(): string[] {
    return [...this.#byMoid.keys()];
  }

  all(): MoInstance[] {
    const out: MoInstance[] = [];
    for (const m of this.#byMoid.values()) for (const i of m.values()) out.push(i);
    return out;
  }

  /** Tells `listener` of every change, synchronously after it; returns the function that stops it. */
  onChange(listener: (c: TreeChange) => void): () => void {
    const own = (c: TreeChange): void => listener(c);
    this.#listeners.add(own);
    return () => {
      this.#listeners.delete(own);
    };
  }

  // ---- writing

  /**
   * Adds an MO instance, empty but for its root; an instance of the same MOID and MIID is replaced
   * (check `instance()` first to tell).
   */
  addInstance(moid: string, miid: string, opts: AddInstanceOptions = {}): MoInstance {
    const inst = new MoInstance(moid, miid, opts.cv, opts.rootSource);
    describe(inst, opts);
    this.#insert(inst, opts.cv === undefined);
    return inst;
  }

  /**
   * Adds a child to an interior node while building an instance (loading a sample tree): no change
   * event, and the cache validator stays the sample's. A child of the same name is replaced, as
   * a JSON object's later duplicate key wins.
   */
  addNode(parent: TreeNode, name: string, content: NodeContent, source?: SourceRange): TreeNode {
    const kids = kidsOf(parent);
    if (!kids) throw new TypeError(`${parent.clientUri()} is a leaf: only interior nodes have children (DM 2.0 6.3.1).`);
    if (!isLiveIn(parent.instance, this)) throw new Error(`${parent.clientUri()} is not a node of this tree.`);
    let node: TreeNode;
    if ('interior' in content) node = newNode(name, parent, parent.instance, true, undefined, source);
    else {
      if (isMoObject(content.value)) throw new TypeError(`An object is an interior node, not a leaf value (DM 2.0 7.2.1.4): add it with { interior: true }.`);
      node = newNode(name, parent, parent.instance, false, content.value, source);
    }
    kids.set(name, node);
    bump(parent.instance);
    return node;
  }

  /**
   * Loading a sample tree: the children of `node` (interior, without children yet) are read by
   * `read` when they are first asked for, by any reader or writer of the tree. Not a change, as
   * `addNode` is not: no event, the cache validator stays the sample's.
   */
  deferChildren(node: TreeNode, read: ChildReader): void {
    if (!isLiveIn(node.instance, this)) throw new Error(`${node.clientUri()} is not a node of this tree.`);
    const kids = kidsOf(node);
    if (!kids || kids.size) throw new TypeError(`${node.clientUri()} is ${kids ? 'an interior node with children already' : 'a leaf'}: only an empty interior node has its children read later.`);
    defer(node, read);
  }

  /** Replaces a leaf's value (HGET on a leaf, 5.3.1). */
  setValue(node: TreeNode, value: unknown): void {
    if (node.interior) throw new TypeError(`${node.clientUri()} is an interior node: only a leaf has a value (DM 2.0 6.3.1); use put to replace its subtree.`);
    if (isMoObject(value)) throw new TypeError(`An object is an interior node, not a leaf value (DM 2.0 7.2.1.4); use put to replace ${node.clientUri()} with a subtree.`);
    if (!this.#attached(node)) throw new Error(`${node.clientUri()} is not in this tree.`);
    setLeaf(node, value);
    this.#changed('set', node.instance, node);
  }

  /**
   * Replaces the node at `path` below the instance root (creating it and any interior nodes on the
   * way) with MO data as 7.2.1.4 serializes it: a plain object is an interior node whose own
   * properties are its children, anything else a leaf value. `path` [] is the instance root,
   * whose data is then an object. A node that stays interior or stays a leaf keeps its identity;
   * its former children are gone.
   */
  put(instance: MoInstance, path: readonly string[], data: unknown): TreeNode {
    if (!isLiveIn(instance, this)) throw new Error(`${instance.moid}/${instance.miid}/ is not in this tree.`);
    const interior = isMoObject(data);
    if (path.length === 0 && !interior) throw new TypeError(`The root of ${instance.moid}/${instance.miid}/ is an interior node: its MO data is an object (DM 2.0 7.2.1.4).`);
    // New nodes are linked into the tree only once the whole subtree is built, so data that cannot
    // be a tree (a cycle) leaves the tree as it was.
    let pending: TreeNode | undefined;
    let n = instance.root;
    for (let i = 0; i < path.length - 1; i++) {
      const name = path[i]!;
      const c = pending ? undefined : kidsOf(n)!.get(name);
      if (c?.interior) n = c;
      else {
        // A leaf on the way becomes an interior node: the path goes through it.
        const created = newNode(name, n, instance, true, undefined, undefined);
        if (pending) kidsOf(n)!.set(name, created);
        else pending = created;
        n = created;
      }
    }
    let target: TreeNode;
    if (path.length === 0) target = instance.root;
    else {
      const name = path[path.length - 1]!;
      const existing = pending ? undefined : kidsOf(n)!.get(name);
      if (existing && existing.interior === interior) target = existing;
      else {
        target = newNode(name, n, instance, interior, interior ? undefined : data, undefined);
        if (pending) kidsOf(n)!.set(name, target);
        else pending = target;
      }
    }
    if (interior) setKids(target, this.#build(target, data));
    else setLeaf(target, data);
    if (pending) kidsOf(pending.parent!)!.set(pending.name, pending);
    this.#changed('put', instance, target);
    return target;
  }


  /** Deletes a node and its subtree (DELETE, 5.3.4); the instance root removes the instance. */
  delete(node: TreeNode): boolean {
    if (!node.parent) return isLiveIn(node.instance, this) && this.removeInstance(node.instance.moid, node.instance.miid);
    if (!this.#attached(node)) return false;
    const path = this.#listeners.size ? node.path() : [];
    kidsOf(node.parent)!.delete(node.name);
    touch(node.instance);
    this.#emit('delete', node.instance, path);
    return true;
  }

  removeInstance(moid: string, miid: string): boolean {
    const m = this.#byMoid.get(moid);
    const inst = m?.get(miid);
    if (!m || !inst) return false;
    m.delete(miid);
    if (m.size === 0) this.#byMoid.delete(moid);
    touch(inst);
    this.#retire(inst);
    this.#emit('remove-instance', inst, []);
    return true;
  }

  /** A copy of the whole tree, to `restore` it later (rolling a device back after a failed command). */
  snapshot(): TreeSnapshot {
    const states: InstanceState[] = [];
    for (const instance of this.all()) {
      const nodes: TreeNode[] = [instance.root];
      const parents: number[] = [-1];
      const values: unknown[] = [undefined];
      for (let i = 0; i < nodes.length; i++) {
        const kids = kidsOf(nodes[i]!);
        if (!kids) continue;
        for (const c of kids.values()) {
          nodes.push(c);
          parents.push(i);
          values.push(c.interior ? undefined : copyValue(c.value));
        }
      }
      states.push({ instance, cv: instance.cv, revision: instance.revision, nodes, parents, values });
    }
    return newSnapshot(this, states);
  }

  /**
   * Makes the tree exactly what it was at `snapshot` again: its instances in their order, their
   * nodes (the same objects, with their ids), values and cache validators. One 'restore' change
   * is told for every instance of the snapshot and every instance the restore removed.
   */
  restore(snapshot: TreeSnapshot): void {
    const { tree, instances } = snapshotState(snapshot);
    if (tree !== this) throw new Error('The snapshot is of another tree.');
    const kept = new Set(instances.map((s) => s.instance));
    const before = this.all();
    const dropped = before.filter((i) => !kept.has(i));
    const attached = new Set(before);
    for (const inst of dropped) {
      bump(inst);
      this.#retire(inst);
    }
    this.#byMoid.clear();
    for (const s of instances) {
      const inst = s.instance;
      let m = this.#byMoid.get(inst.moid);
      if (!m) this.#byMoid.set(inst.moid, (m = new Map()));
      m.set(inst.miid, inst);
      setLive(inst, this, true);
      // Untouched since the snapshot (every write counts in the revision): nothing to rebuild.
      if (attached.has(inst) && inst.revision === s.revision) continue;
      const maps: (Map<string, TreeNode> | undefined)[] = new Array(s.nodes.length);
      for (let i = 0; i < s.nodes.length; i++) {
        const n = s.nodes[i]!;
        if (n.interior) setKids(n, (maps[i] = new Map()));
        else setLeaf(n, copyValue(s.values[i]));
        if (i > 0) maps[s.parents[i]!]!.set(n.name, n);
      }
      // The snapshot's CV again, for the snapshot's content; the next change counts on from the
      // highest number given meanwhile (11.1).
      restoreCv(inst, s.cv, Math.max(changesOf(inst), this.#retired.get(keyOf(inst)) ?? 0));
    }
    for (const inst of dropped) this.#emit('restore', inst, []);
    for (const s of instances) this.#emit('restore', s.instance, []);
  }

  // ---- inside

  #insert(inst: MoInstance, freshCv: boolean): void {
    let m = this.#byMoid.get(inst.moid);
    if (!m) this.#byMoid.set(inst.moid, (m = new Map()));
    const previous = m.get(inst.miid);
    m.set(inst.miid, inst);
    setLive(inst, this, true);
    if (previous) this.#retire(previous);
    // An MOID/MIID that had an instance before gets a fresh CV, not one the old instance had (11.1).
    const floor = freshCv ? this.#retired.get(keyOf(inst)) : undefined;
    if (floor !== undefined) touch(inst, Math.max(changesOf(inst), floor) + 1);
    if (previous) this.#emit('remove-instance', previous, []);
    this.#emit('add-instance', inst, []);
  }

  #retire(inst: MoInstance): void {
    setLive(inst, this, false);
    const key = keyOf(inst);
    this.#retired.set(key, Math.max(this.#retired.get(key) ?? 0, changesOf(inst)));
  }

  /** The children of `parent` from MO data, built depth-first without recursion. */
  #build(parent: TreeNode, data: Record<string, unknown>): Map<string, TreeNode> {
    const top = new Map<string, TreeNode>();
    const stack: [TreeNode, Record<string, unknown>, Map<string, TreeNode>, number][] = [[parent, data, top, 0]];
    // The objects from the top down to the one being read: one met again is a cycle, not a tree.
    const ancestors: object[] = [];
    const onPath = new Set<object>();
    while (stack.length) {
      const [node, obj, kids, depth] = stack.pop()!;
      while (ancestors.length > depth) onPath.delete(ancestors.pop()!);
      ancestors.push(obj);
      onPath.add(obj);
      // Own enumerable keys only: "__proto__" or "constructor" are node names like any other.
      for (const k of Object.keys(obj)) {
        const v = obj[k];
        if (isMoObject(v)) {
          if (onPath.has(v)) throw new TypeError(`The MO data under ${node.clientUri()} contains itself at '${k}': MO data is a tree (DM 2.0 7.2.1.4).`);
          const c = newNode(k, node, node.instance, true, undefined, undefined);
          kids.set(k, c);
          stack.push([c, v, kidsOf(c)!, depth + 1]);
        } else kids.set(k, newNode(k, node, node.instance, false, v, undefined));
      }
    }
    return top;
  }

  /** Whether `node` is reachable from the root of an instance of this tree (not deleted). */
  #attached(node: TreeNode): boolean {
    let n = node;
    while (n.parent) {
      if (kidsOf(n.parent)?.get(n.name) !== n) return false;
      n = n.parent;
    }
    return n === n.instance.root && isLiveIn(n.instance, this);
  }

  /** Every change gets the instance a new cache validator (11.1). */
  #changed(kind: TreeChangeKind, inst: MoInstance, node: TreeNode): void {
    touch(inst);
    if (this.#listeners.size) this.#emit(kind, inst, node.path());
  }

  #emit(kind: TreeChangeKind, instance: MoInstance, path: readonly string[]): void {
    if (!this.#listeners.size) return;
    const change: TreeChange = { kind, instance, path };
    // Every listener hears of the change even when one throws; the first error is then rethrown.
    let failure: { error: unknown } | undefined;
    for (const l of [...this.#listeners]) {
      try {
        l(change);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
