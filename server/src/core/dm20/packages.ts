/**
 * The DM 2.0 package kinds (5.2, 7.2.1), their media types, and how a file is recognised: by its
 * name, or by its shape (DESIGN "File kinds").
 */
import { isObject, own } from '../json/document.js';
import { ALERT_PROPERTIES } from './alerts.js';

export type PackageKind = 'pkg1' | 'pkg2' | 'pkg3' | 'mo' | 'alert';

export interface PackageInfo {
  kind: PackageKind;
  /** As people say it: "Package#2". */
  name: string;
  title: string;
  section: string;
  mediaType?: string;
}

export const PACKAGES: Readonly<Record<PackageKind, PackageInfo>> = {
  pkg1: { kind: 'pkg1', name: 'Package#1', title: 'Package#1: DM Session initiation', section: '5.2.2, 7.2.1.1', mediaType: 'application/vnd.oma.dm.initiation+json' },
  pkg2: { kind: 'pkg2', name: 'Package#2', title: 'Package#2: DM commands', section: '5.2.3, 7.2.1.2', mediaType: 'application/vnd.oma.dm.request+json' },
  pkg3: { kind: 'pkg3', name: 'Package#3', title: 'Package#3: response', section: '5.2.4, 7.2.1.3', mediaType: 'application/vnd.oma.dm.response+json' },
  mo: { kind: 'mo', name: 'MO data', title: 'MO data (Management Object serialization)', section: '7.2.1.4', mediaType: 'application/dmmo+json' },
  alert: { kind: 'alert', name: 'Generic Alert', title: 'Generic Alert', section: '5.4, 7.2.1.5' },
};

/** What each property of the packages' JSON means, for hover and completion (7.2.1). */
export const PROPERTY_DOCS: Readonly<Record<string, string>> = {
  MOS: 'The MOs the DM Client supports, when the DM Notification asked for them (REQ-MOS): each with its DDF link, MOID and MIIDs (DM 2.0 5.2.2, 7.2.1.1).',
  Alert: 'Client Initiated Alerts: Generic Alerts (DM 2.0 5.4, 7.2.1.5).',
  CMD: 'The DM commands, in the order the DM Client processes them; each is [COMMAND, parameters...] (DM 2.0 5.2.3, 7.2.1.2).',
  Status: 'One status per command of the Package#2, in order: {"sc": <code>, "URI": [...]} (DM 2.0 5.2.4, 7.2.1.3).',
  sc: 'The status code of the command (DM 2.0 Appendix C).',
  URI: 'Additional ClientURIs returned with the status, such as where HGET stored its data (DM 2.0 5.2.4, 5.3.1).',
  DDF: 'The link to the DDF file of the MO (DM 2.0 5.2.2, 6.4).',
  MOID: 'The MOID of the MO (DM 2.0 6.3).',
  MIID: 'The MIIDs of the MO instances the DM Server has permissions for (DM 2.0 5.2.2).',
  ClientURI: 'Where the MO data sits in the DM Tree (DM 2.0 6.1, 7.2.1.4).',
  CV: 'The cache validator of the MO data (DM 2.0 7.2.1.4, 11.1).',
  MOData: 'The MO data: interior nodes are objects, leaves are values (DM 2.0 7.2.1.4).',
  ...ALERT_PROPERTIES,
};

const NAME: [RegExp, PackageKind][] = [
  [/\.pkg1\.json$/i, 'pkg1'],
  [/\.pkg2\.json$/i, 'pkg2'],
  [/\.pkg3\.json$/i, 'pkg3'],
  [/\.dmmo\.json$/i, 'mo'],
  [/\.alert\.json$/i, 'alert'],
  // Sample DM trees are MO instances in the MO serialization (DESIGN "File kinds").
  [/\.dmtree\.json$/i, 'mo'],
];

export function kindByName(fileName: string): PackageKind | undefined {
  return NAME.find(([re]) => re.test(fileName))?.[1];
}

export function kindByMediaType(mediaType: string): PackageKind | undefined {
  return (Object.values(PACKAGES) as PackageInfo[]).find((p) => p.mediaType === mediaType)?.kind;
}

/** `CMD` -> #2, `Status` -> #3, `MOS`/`Alert` only -> #1, array of {ClientURI, MOData} -> MO data. */
export function kindByShape(value: unknown): PackageKind | undefined {
  if (Array.isArray(value)) {
    return value.length > 0 && value.every((x) => isObject(x) && own(x, 'ClientURI') !== undefined && own(x, 'MOData') !== undefined) ? 'mo' : undefined;
  }
  if (!isObject(value)) return undefined;
  // The arrays must be arrays: a JSON file that merely has a key of that name is somebody else's.
  if (Array.isArray(own(value, 'CMD'))) return 'pkg2';
  if (Array.isArray(own(value, 'Status'))) return 'pkg3';
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => (k === 'MOS' || k === 'Alert') && Array.isArray(value[k]))) return 'pkg1';
  return undefined;
}
