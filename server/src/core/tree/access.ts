/**
 * Access prediction from the Delegation Access Control MO (DM 2.0 10, 12.3). Each entry
 * <MOID>/<MIID>/<x> applies its Permissions to the subtree at its Path ("/" when absent), unless
 * a deeper entry overrides it; each permission grants the AR bits (Read 1, Write 2, Execute 4,
 * Delegate 8) to a MAID: "serverid:<ServerID>", "appid:<id>", or "*" for everyone. Figure 17
 * writes bare server identifiers ("DMS1"); those are accepted as server identifiers too.
 * A device without a DACMO does not support the mechanism and grants every bootstrapped DM
 * Server full permissions (10).
 */
import type { DmTree, MoInstance, TreeNode } from './model.js';

export const DACMO_MOID = 'urn:oma:mo:oma-dm-dacmo:1.0';

export const RIGHTS = { Read: 1, Write: 2, Execute: 4, Delegate: 8 } as const;
export type Operation = keyof typeof RIGHTS;

interface Entry {
  path: string[];
  permissions: { maid: string; ar: number }[];
  source: TreeNode;
}

// Keyed on the DACMO's revision, which every write to it (loading included) changes.
const cache = new WeakMap<MoInstance, { revision: number; index: Map<string, Entry[]> }>();

function entries(dacmo: MoInstance): Map<string, Entry[]> {
  const hit = cache.get(dacmo);
  if (hit && hit.revision === dacmo.revision) return hit.index;
  const index = new Map<string, Entry[]>();
  for (const [moid, byMiid] of dacmo.root.children ?? []) {
    for (const [miid, xs] of byMiid.children ?? []) {
      const list: Entry[] = [];
      for (const x of xs.children?.values() ?? []) {
        const pathValue = x.child('Path')?.value;
        const path = typeof pathValue === 'string' ? pathValue.split('/').filter(Boolean) : [];
        const permissions: Entry['permissions'] = [];
        for (const p of x.child('Permissions')?.children?.values() ?? []) {
          const maid = p.child('MAID')?.value;
          const ar = Number(p.child('AR')?.value);
          if (typeof maid === 'string' && Number.isInteger(ar)) permissions.push({ maid, ar });
        }
        list.push({ path, permissions, source: x });
      }
      index.set(`${moid}\u0000${miid}`, list);
    }
  }
  cache.set(dacmo, { revision: dacmo.revision, index });
  return index;
}

export interface Rights {
  rights: number;
  /** The DACMO entry that decided, when there is one. */
  entry?: TreeNode;
  /** No DACMO on the device: full permissions for everyone (10). */
  unrestricted: boolean;
}

function matches(maid: string, serverId: string): boolean {
  return maid === '*' || maid === `serverid:${serverId}` || (!maid.includes(':') && maid === serverId);
}

export function rightsOf(tree: DmTree, node: TreeNode, serverId: string): Rights {
  const dacmos = tree.instances(DACMO_MOID);
  if (dacmos.length === 0) return { rights: 15, unrestricted: true };
  const path = node.path();
  let best: Entry | undefined;
  for (const d of dacmos) {
    for (const e of entries(d).get(`${node.instance.moid}\u0000${node.instance.miid}`) ?? []) {
      if (e.path.length > path.length || !e.path.every((s, i) => s === path[i])) continue;
      if (!best || e.path.length > best.path.length) best = e;
    }
  }
  if (!best) return { rights: 0, unrestricted: false };
  const rights = best.permissions.filter((p) => matches(p.maid, serverId)).reduce((r, p) => r | p.ar, 0);
  return { rights, entry: best.source, unrestricted: false };
}

/**
 * The nodes strictly below `node`, down to `level` sublevels when given, where a DACMO entry's
 * Path starts a subtree with permissions of its own (12.3: "unless the permissions are overwritten
 * at the descendent node"). Every other node of the subtree has the rights of `node` itself, so a
 * command involving the whole subtree (6.3.1.1) is allowed when it is allowed on `node` and on
 * these. Costs the DACMO entries of the instance, not the size of the subtree.
 */
export function overridesBelow(tree: DmTree, node: TreeNode, level?: number): TreeNode[] {
  const out: TreeNode[] = [];
  if (!node.interior) return out;
  const path = node.path();
  const seen = new Set<TreeNode>();
  for (const d of tree.instances(DACMO_MOID)) {
    for (const e of entries(d).get(`${node.instance.moid}\u0000${node.instance.miid}`) ?? []) {
      if (e.path.length <= path.length || !path.every((s, i) => s === e.path[i])) continue;
      if (level !== undefined && e.path.length - path.length > level) continue;
      let n: TreeNode | undefined = node;
      for (let i = path.length; n && i < e.path.length; i++) n = n.child(e.path[i]!);
      if (n && !seen.has(n)) {
        seen.add(n);
        out.push(n);
      }
    }
  }
  return out;
}

export function describeRights(r: number): string {
  const names = (Object.keys(RIGHTS) as Operation[]).filter((k) => r & RIGHTS[k]);
  return names.length ? names.join(', ') : 'none';
}
