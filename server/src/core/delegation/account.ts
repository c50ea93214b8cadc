/**
 * The DMAcc a BOOTSTRAP_CONFIRMED carries (Delegation Table 3: the DM Account MO of [DMSTDOBJ],
 * DM 1.3 node names) turned into the DM 2.0 DM Account (DM 2.0 12.2) that the Delegating Server
 * creates on the DM Client, and back. DM 1.3 keeps credentials per authentication level: SRVCRED
 * is what the server presents (used here for the notification digest, 12.2 Auth/Noti), CLCRED
 * what the client presents (12.2 Auth/Trsp).
 */
import type { Tree } from './model.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Tree | undefined => (v && typeof v === 'object' ? (v as Tree) : undefined);

function children(t: Tree | undefined): Tree[] {
  return t ? Object.keys(t).map((k) => obj(t[k])).filter((x): x is Tree => !!x) : [];
}

/** DM 2.0 12.2 DMAcc MO data for the DM 1.3 DMAcc of a delegation message; undefined when it lacks ServerID or an address. */
export function dm20Account(dmacc: Tree): Record<string, unknown> | undefined {
  const serverId = str(dmacc.ServerID);
  const address = children(obj(dmacc.AppAddr)).map((a) => str(a.Addr)).find((a) => a !== undefined);
  if (!serverId || !address) return undefined;
  const auth = children(obj(dmacc.AppAuth));
  const level = (l: string): Tree | undefined => auth.find((a) => str(a.AAuthLevel) === l);
  const srv = level('SRVCRED');
  const cl = level('CLCRED');
  const out: Record<string, unknown> = { SrvID: serverId, SrvURI: address, Name: str(dmacc.Name) ?? serverId };
  const a: Record<string, unknown> = {};
  if (srv && str(srv.AAuthSecret) !== undefined) a.Noti = { Type: 0, Data: str(srv.AAuthData) ?? '', Secret: str(srv.AAuthSecret) };
  if (cl && str(cl.AAuthName) !== undefined && str(cl.AAuthSecret) !== undefined) a.Trsp = { Data: str(cl.AAuthName), Secret: str(cl.AAuthSecret) };
  if (Object.keys(a).length) out.Auth = a;
  return out;
}

export interface PeerAccount {
  serverId: string;
  name: string;
  /** Where the DM Client reaches this DM Server for DM Sessions. */
  address: string;
  notification?: { secret: string; data: string };
  client?: { name: string; secret: string };
}

/** The DM 1.3 DMAcc (Table 3) a Delegated Server sends about itself. */
export function dm13Account(p: PeerAccount): Tree {
  const auth: Tree = {};
  if (p.notification) auth.srv = { AAuthLevel: 'SRVCRED', AAuthType: 'DIGEST', AAuthSecret: p.notification.secret, AAuthData: p.notification.data };
  if (p.client) auth.cl = { AAuthLevel: 'CLCRED', AAuthType: 'HTTP-BASIC', AAuthName: p.client.name, AAuthSecret: p.client.secret };
  return { AppID: 'w7', ServerID: p.serverId, Name: p.name, AppAddr: { srv: { Addr: p.address, AddrType: 'URI' } }, AAuthPref: 'HTTP-BASIC', ...(Object.keys(auth).length ? { AppAuth: auth } : {}) };
}
