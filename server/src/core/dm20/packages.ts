/**
 * The DM 2.0 package kinds (5.2, 7.2.1), their media types, and how a file is recognised: by its
 * name, or by its shape (DESIGN "File kinds").
 */
import { isObject, own } from '../json/document.js';

export type PackageKind = 'pkg1' | 'pkg2' | 'pkg3' | 'mo' | 'alert';

export interface PackageInfo {
  kind: PackageKind;
  /** As people say it: "Package#2". */
  name: string;
  title: string;
  section: string;
  mediaType?: string;
  /** Top-level properties the schema names. */
  properties: readonly string[];
}

export const PACKAGES: Readonly<Record<PackageKind, PackageInfo>> = {
  pkg1: { kind: 'pkg1', name: 'Package#1', title: 'Package#1: DM Session initiation', section: '5.2.2, 7.2.1.1', mediaType: 'application/vnd.oma.dm.initiation+json', properties: ['MOS', 'Alert'] },
  pkg2: { kind: 'pkg2', name: 'Package#2', title: 'Package#2: DM commands', section: '5.2.3, 7.2.1.2', mediaType: 'application/vnd.oma.dm.request+json', properties: ['CMD'] },
  pkg3: { kind: 'pkg3', name: 'Package#3', title: 'Package#3: response', section: '5.2.4, 7.2.1.3', mediaType: 'application/vnd.oma.dm.response+json', properties: ['Status', 'Alert'] },
  mo: { kind: 'mo', name: 'MO data', title: 'MO data (Management Object serialization)', section: '7.2.1.4', mediaType: 'application/dmmo+json', properties: [] },
  alert: { kind: 'alert', name: 'Generic Alert', title: 'Generic Alert', section: '5.4, 7.2.1.5', properties: ['Alert'] },
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
