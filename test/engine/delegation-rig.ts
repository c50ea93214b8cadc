// DMS-1, DMS-2 and an emulated device on loopback (the delegation lab the product runs flows in),
// with one certificate authority per test file: key generation is the slow part.
import { createAuthority, issue } from '../../server/src/host/certs.ts';
import { startLab, labDeviceItems, type DelegationLab, type LabOptions } from '../../server/src/host/delegationLab.ts';
import type { Credentials } from '../../server/src/host/peerHost.ts';

export const DEVINFO = 'urn:oma:mo:oma-dm-devinfo:1.0';
export const DMACC = 'urn:oma:mo:oma-dm-dmacc:1.2';
export const DACMO = 'urn:oma:mo:oma-dm-dacmo:1.0';
export const SCOMO = 'urn:oma:mo:oma-scomo:1.0';
export const deviceItems = labDeviceItems;

let pki: Promise<{ ca: string; dms1: Credentials; dms2: Credentials; stranger: Credentials }> | undefined;
export function certificates() {
  return (pki ??= (async () => {
    const ca = await createAuthority();
    const other = await createAuthority('Another CA');
    const [d1, d2, s] = await Promise.all([issue(ca, 'dms1'), issue(ca, 'dms2'), issue(other, 'stranger')]);
    return { ca: ca.cert, dms1: { ...d1, ca: ca.cert }, dms2: { ...d2, ca: ca.cert }, stranger: { ...s, ca: ca.cert } };
  })());
}

export type DelegationRig = DelegationLab;

export async function delegationRig(o: Omit<LabOptions, 'pki'> = {}): Promise<DelegationRig> {
  return startLab({ ...o, pki: await certificates(), timeout: o.timeout ?? 5000 });
}
