/**
 * Client initiated bootstrap (DM 2.0 8.3): the DM Client retrieves the DM Bootstrap from a DM
 * Bootstrap Server whose URL it knows, adds or replaces the MO data it holds "with the same
 * behaviour of HGET DM Command without the ClientURI specified" (8.5), then opens a DM Session with
 * the bootstrapped DM Server carrying the BootstrapComplete alert (8, Appendix D).
 *
 * The URL comes from a DM Account entry's Auth/Bootstrap/ServerURI (12.2: "the URI of the DM Server
 * acting as Bootstrap server"). That is where a Delegating Server puts the Bootstrap Server URL of
 * the Delegated Server (Delegation 5.2.2.3: "for example, by adding a new entry in the Bootstrap
 * Config MO"; DM 2.0 has no such MO, and this node is its DM 2.0 counterpart).
 */
import type { DmTree, MoInstance } from '../tree/model.js';
import { parsePackage, type MoDataItem } from '../dm20/model.js';
import { mediaType } from '../http/message.js';
import { DMACC_MOID } from '../tree/wellKnown.js';
import { CLIENT_ACCEPT, type DeviceContext, exchange, ok, storeItems, why } from './transfer.js';
import { text } from './ports.js';

export const ALERT_BOOTSTRAP_COMPLETE = 'urn:oma:at:dm:2.0:BootstrapComplete';

export interface BootstrapEntry {
  instance: MoInstance;
  url: string;
  /** What the device remembers it by, so that each entry is used once. */
  key: string;
}

/** DM Account entries that name a Bootstrap Server and were not used yet. */
export function pendingBootstraps(tree: DmTree, done: ReadonlySet<string>): BootstrapEntry[] {
  const out: BootstrapEntry[] = [];
  for (const moid of tree.moids()) {
    if (!DMACC_MOID.test(moid)) continue;
    for (const instance of tree.instances(moid)) {
      const n = instance.root.child('Auth')?.child('Bootstrap')?.child('ServerURI');
      if (!n || n.interior || typeof n.value !== 'string' || !/^https?:\/\//.test(n.value)) continue;
      const key = `${moid}/${instance.miid}\u0000${n.value}`;
      if (!done.has(key)) out.push({ instance, url: n.value, key });
    }
  }
  return out;
}

export type BootstrapResult = { ok: true; serverIds: string[]; locations: string[] } | { ok: false; reason: string };

/**
 * Fetches and installs a DM Bootstrap. The context's serverId is filled in from the DM Account the
 * bootstrap holds: the server being bootstrapped becomes the creator of what it brings, and gets
 * its full rights (DM 2.0 10).
 */
export async function installBootstrap(base: Omit<DeviceContext, 'serverId' | 'account'>, entry: BootstrapEntry): Promise<BootstrapResult> {
  const res = await exchange(base, { method: 'GET', url: entry.url, headers: { accept: CLIENT_ACCEPT } });
  if (!ok(res) || !res.ok) return { ok: false, reason: `GET ${entry.url} failed: ${why(res)}` };
  const type = mediaType(res.response.headers['content-type'] ?? '');
  if (type !== 'application/dmmo+json') return { ok: false, reason: `the DM Bootstrap is ${type || 'untyped'}, not MO data (application/dmmo+json, 8.5)` };
  const parsed = parsePackage(text(res.response.body), 'mo');
  if (!parsed.value) return { ok: false, reason: `the DM Bootstrap is not valid MO data: ${parsed.diagnostics.find((d) => d.severity === 'error')?.message ?? ''} (8.5)` };
  const serverIds = accountsIn(parsed.value);
  const serverId = serverIds[0];
  if (serverId === undefined) return { ok: false, reason: 'the DM Bootstrap holds no DM Account with a SrvID: no DM Server to open a session with (8, 12.2)' };
  const stored = storeItems({ ...base, serverId, account: { instance: entry.instance, serverId } }, parsed.value);
  if (stored.sc !== 200) return { ok: false, reason: `the DM Bootstrap could not be installed: ${stored.note}` };
  return { ok: true, serverIds, locations: stored.locations ?? [] };
}

/** The SrvIDs of the DM Accounts in MO data (12.2). */
function accountsIn(items: readonly MoDataItem[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (!DMACC_MOID.test(item.ClientURI.replace(/^oma:mo:/, 'urn:oma:mo:'))) continue;
    for (const v of Object.values(item.MOData)) {
      const id = v && typeof v === 'object' ? (v as Record<string, unknown>).SrvID : undefined;
      if (typeof id === 'string') out.push(id);
    }
  }
  return out;
}
