/**
 * The DM Tree: MO instances (MOID + MIID) holding nodes, interior or leaf (DM 2.0 6.3). Instances
 * are indexed by MOID and by MIID, children by name, so resolving a ClientURI costs the nodes it
 * visits, not the size of the tree. Every instance keeps a change counter, its cache validator
 * (11.1), which every mutation bumps; the device emulator mutates trees through these methods.
 */
export interface SourceRange {
  file: string;
  /** Range of the node's name (its JSON key). */
  keyStart: number;
  keyEnd: number;
  /** Range of its value. */
  start: number;
  end: number;
}

export class TreeNode {
  readonly children?: Map<string, TreeNode>;
  value: unknown;
  source?: SourceRange;

  constructor(
    readonly name: string,
    readonly parent: TreeNode | undefined,
    readonly instance: MoInstance,
    interior: boolean,
    value?: unknown,
  ) {
    if (interior) this.children = new Map();
    this.value = interior ? undefined : value;
  }

  get interior(): boolean {
    return this.children !== undefined;
  }

  /** Names from the instance root down to this node ([] for the root). */
  path(): string[] {
    const out: string[] = [];
    for (let n: TreeNode | undefined = this; n && n.parent; n = n.parent) out.unshift(n.name);
    return out;
  }

  /** The plain ClientURI of this node: <MOID>/<MIID>/<path>, the root as <MOID>/<MIID>/ (DESIGN `resolve`). */
  clientUri(): string {
    return `${this.instance.moid}/${this.instance.miid}/${this.path().join('/')}`;
  }

  child(name: string): TreeNode | undefined {
    return this.children?.get(name);
  }
}

export class MoInstance {
  readonly root: TreeNode;
  /** The cache validator (DM 2.0 11.1): the CV of the sample, else the change counter. */
  cv: string;
  changes = 0;
  ddf?: string;
  source?: { file: string; start: number; end: number };

  constructor(
    readonly moid: string,
    readonly miid: string,
    cv?: string,
  ) {
    this.root = new TreeNode('', undefined, this, true);
    this.cv = cv ?? '0';
  }

  /** Every mutation goes through here: the cache validator changes with the instance (11.1). */
  touched(): void {
    this.changes++;
    this.cv = `${this.miid}-${this.changes}`;
  }
}

export class DmTree {
  private readonly byMoid = new Map<string, Map<string, MoInstance>>();

  add(instance: MoInstance): MoInstance | undefined {
    let m = this.byMoid.get(instance.moid);
    if (!m) this.byMoid.set(instance.moid, (m = new Map()));
    const previous = m.get(instance.miid);
    m.set(instance.miid, instance);
    return previous;
  }

  instances(moid: string): MoInstance[] {
    return [...(this.byMoid.get(moid)?.values() ?? [])];
  }

  instance(moid: string, miid: string): MoInstance | undefined {
    return this.byMoid.get(moid)?.get(miid);
  }

  moids(): string[] {
    return [...this.byMoid.keys()];
  }

  all(): MoInstance[] {
    return [...this.byMoid.values()].flatMap((m) => [...m.values()]);
  }

  removeInstance(moid: string, miid: string): boolean {
    const m = this.byMoid.get(moid);
    const inst = m?.get(miid);
    if (!m || !inst) return false;
    m.delete(miid);
    inst.touched();
    return true;
  }

  /** Adds or replaces the node at `path` (interior nodes created on the way). */
  set(instance: MoInstance, path: string[], value: unknown): TreeNode {
    let n = instance.root;
    for (const [i, name] of path.entries()) {
      const leaf = i === path.length - 1 && (typeof value !== 'object' || value === null);
      let c = n.child(name);
      if (!c || (leaf && c.interior) || (!leaf && !c.interior)) {
        c = new TreeNode(name, n, instance, !leaf, leaf ? value : undefined);
        n.children!.set(name, c);
      } else if (leaf) c.value = value;
      n = c;
    }
    instance.touched();
    return n;
  }

  /** Deletes a node and its subtree (DELETE, 5.3.4). */
  delete(node: TreeNode): boolean {
    if (!node.parent) return this.removeInstance(node.instance.moid, node.instance.miid);
    const ok = node.parent.children!.delete(node.name);
    if (ok) node.instance.touched();
    return ok;
  }
}
