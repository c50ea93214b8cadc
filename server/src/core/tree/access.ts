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

const cache = new WeakMap<MoInstance, { changes: number; index: Map<string, Entry[]> }>();

function entries(dacmo: MoInstance): Map<string, Entry[]> {
  const hit = cache.get(dacmo);
  if (hit && hit.changes === dacmo.changes) return hit.index;
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
  cache.set(dacmo, { changes: dacmo.changes, index });
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

export function describeRights(r: number): string {
  const names = (Object.keys(RIGHTS) as Operation[]).filter((k) => r & RIGHTS[k]);
  return names.length ? names.join(', ') : 'none';
}
