/**
 * The MOs a DM Client reads its own settings from: DMAcc (DM 2.0 12.2), one instance per DM
 * Server, and DevInfo (12.1). The documents name some of their nodes more than one way (SrvID or
 * ServerID, Auth/Noti/Secret or Credentials/Noti/AuthSecret; see the spec README), so a leaf is
 * read by the first of several paths; the engines and the notification check read them alike.
 */
import type { TreeNode } from './model.js';

export const DMACC_MOID = /^urn:oma:mo:oma-dm-dmacc:/;
export const DEVINFO_MOID = /^urn:oma:mo:oma-dm-devinfo:/;

/** A leaf's value as text, at the first of `paths` under `root` that holds one. */
export function leafText(root: TreeNode, paths: readonly (readonly string[])[]): string | undefined {
  for (const p of paths) {
    let n: TreeNode | undefined = root;
    for (const name of p) n = n?.child(name);
    if (n && !n.interior && n.value !== undefined && n.value !== null) return String(n.value);
  }
  return undefined;
}
