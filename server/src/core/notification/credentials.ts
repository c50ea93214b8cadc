/**
 * Verifying a notification's SHA256-DIGEST with the credentials a sample tree holds: the DMAcc
 * whose server identifier is the SERVER-ID, its notification secret and auth data. The documents
 * name these nodes three ways (see the spec README): <x>/Auth/Noti/Secret and Data (12.2),
 * <x>/Credentials/Noti/AuthSecret and AuthData (5.2.1.2), and AuthNoti/AuthSecret and AuthData
 * (the examples); the server identifier is SrvID (12.2) or ServerID (the examples).
 */
import type { DmTree, TreeNode } from '../tree/model.js';
import { type Notification, verifyDecoded } from './codec.js';
import { DMACC_MOID, leafText } from '../tree/wellKnown.js';

const SECRET_PATHS = [['Auth', 'Noti', 'Secret'], ['Credentials', 'Noti', 'AuthSecret'], ['AuthNoti', 'AuthSecret']];
const DATA_PATHS = [['Auth', 'Noti', 'Data'], ['Credentials', 'Noti', 'AuthData'], ['AuthNoti', 'AuthData']];

export interface DigestCheck {
  valid: boolean;
  /** The DMAcc instance whose credentials were used: <MOID>/<MIID>/. */
  account: string;
}

const ENCODER = new TextEncoder();

/** The notification secret and auth data of a DMAcc, as the digest takes them (UTF-8). */
export interface NotificationCredentials {
  secret: Uint8Array;
  authData: Uint8Array;
  /** The DMAcc instance's root node. */
  account: TreeNode;
}

/** The credentials of the DMAcc whose server identifier is `serverId`, when the tree has one with a secret. */
export function notificationCredentials(tree: DmTree, serverId: string): NotificationCredentials | undefined {
  for (const moid of tree.moids()) {
    if (!DMACC_MOID.test(moid)) continue;
    for (const inst of tree.instances(moid)) {
      const id = leafText(inst.root, [['SrvID'], ['ServerID']]);
      if (id !== serverId) continue;
      const secret = leafText(inst.root, SECRET_PATHS);
      if (secret === undefined) continue;
      return { secret: ENCODER.encode(secret), authData: ENCODER.encode(leafText(inst.root, DATA_PATHS) ?? ''), account: inst.root };
    }
  }
  return undefined;
}

/** The digest checked with the DMAcc of the SERVER-ID, when the tree has one with a secret. */
export function verifyWithTree(n: Notification, tree: DmTree): DigestCheck | undefined {
  const serverId = n.options.find((o) => o.number === 1)?.value;
  if (typeof serverId !== 'string' || !n.options.some((o) => o.number === 4)) return undefined;
  const c = notificationCredentials(tree, serverId);
  return c && { valid: verifyDecoded(n, c.secret, c.authData) === true, account: c.account.clientUri() };
}
