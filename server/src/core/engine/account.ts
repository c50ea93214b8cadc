/**
 * What a DM Client reads from its own DM tree to talk to a DM Server: the DM Account of each
 * bootstrapped server (DM 2.0 12.2: SrvID, SrvURI, Auth/Noti, Auth/Trsp, Perm/<x>/MOID) and the
 * device identity (DevInfo DevID, 12.1). The documents spell the nodes several ways (see the spec
 * README); every spelling the notification digest accepts is accepted here too.
 */
import type { DmTree, MoInstance } from '../tree/model.js';
import { DEVINFO_MOID, DMACC_MOID, leafText } from '../tree/wellKnown.js';

export interface Account {
  instance: MoInstance;
  serverId: string;
  /** Where the DM Client connects to start a DM Session (12.2 <x>/SrvURI). */
  serverUri?: string;
  /** Transport credentials (12.2 <x>/Auth/Trsp, 9.2.1): a user id and password for HTTP Basic, or a PEM certificate and key. */
  transport?: { data: string; secret: string };
  /** The MOIDs provisioned for the server at bootstrap (12.2 <x>/Perm/<x>/MOID); undefined: no Perm node, every MOID. */
  moids?: string[];
}

export function accounts(tree: DmTree): Account[] {
  const out: Account[] = [];
  for (const moid of tree.moids()) {
    if (!DMACC_MOID.test(moid)) continue;
    for (const instance of tree.instances(moid)) {
      const root = instance.root;
      const serverId = leafText(root, [['SrvID'], ['ServerID']]);
      if (serverId === undefined) continue;
      const serverUri = leafText(root, [['SrvURI'], ['ServerURI'], ['Addr']]);
      const data = leafText(root, [['Auth', 'Trsp', 'Data']]);
      const secret = leafText(root, [['Auth', 'Trsp', 'Secret']]);
      const perm = root.child('Perm');
      const moids = perm?.children ? [...perm.children.values()].map((p) => leafText(p, [['MOID']])).filter((m): m is string => m !== undefined) : undefined;
      out.push({ instance, serverId, ...(serverUri !== undefined ? { serverUri } : {}), ...(data !== undefined && secret !== undefined ? { transport: { data, secret } } : {}), ...(moids ? { moids } : {}) });
    }
  }
  return out;
}

export function account(tree: DmTree, serverId: string | undefined): Account | undefined {
  return pickAccount(accounts(tree), serverId);
}

/** The DM Account of a server among a tree's accounts; without a server, the only one. */
export function pickAccount(all: readonly Account[], serverId: string | undefined): Account | undefined {
  return serverId === undefined ? (all.length === 1 ? all[0] : undefined) : all.find((a) => a.serverId === serverId);
}

/** Whether the MOID was provisioned for the server at bootstrap ("*" is every MOID; 10, 12.2). */
export function provisioned(a: Account, moid: string): boolean {
  return a.moids === undefined || a.moids.includes('*') || a.moids.includes(moid);
}

/** The device's DevID (DevInfo <x>/DevID, 12.1): the OMADM-DevID header of 5.2.2 and the [DevID] ServerURI parameter. */
export function devId(tree: DmTree): string | undefined {
  for (const moid of tree.moids()) {
    if (!DEVINFO_MOID.test(moid)) continue;
    for (const inst of tree.instances(moid)) {
      const id = leafText(inst.root, [['DevID']]);
      if (id !== undefined) return id;
    }
  }
  return undefined;
}

/** The device's values for the ServerURI parameters of 6.2; a device off mobile networks has -1 for the network ones. */
export interface NetworkIdentity {
  MNC?: string;
  MCC?: string;
  CMNC?: string;
  CMCC?: string;
  SPName?: string;
}

/**
 * Replaces the ServerURI parameters (6.2) with the device's values, then encodes the result as a
 * URI: "All non-supported values MUST be replaced with the integer value '-1'".
 */
export function substituteServerUri(uri: string, values: { DevID?: string } & NetworkIdentity): string {
  return uri.replace(/\[([A-Za-z]+)\]/g, (whole, name: string) => {
    if (!['DevID', 'MNC', 'MCC', 'CMNC', 'CMCC', 'SPName'].includes(name)) return whole;
    const v = (values as Record<string, string | undefined>)[name];
    return encodeURIComponent(v ?? '-1').replace(/%3A/gi, ':');
  });
}
