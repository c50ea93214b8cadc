/**
 * Standard MOIDs that DM 2.0 names (12.1-12.4) and that its examples use. The specification is not
 * consistent (see the spec README): DevInfo appears as 1.0 and 1.2, DMAcc as 1.2 and 2.0, and some
 * examples drop the "urn:" prefix. All the spellings with "urn:" are accepted.
 */
export interface KnownMoid {
  moid: string;
  name: string;
  section: string;
  note?: string;
}

export const KNOWN_MOIDS: readonly KnownMoid[] = [
  { moid: 'urn:oma:mo:oma-dm-devinfo:1.0', name: 'DevInfo', section: '12.1', note: 'the examples of 7.2.1 and I.1 use 1.0; Appendix F uses 1.2' },
  { moid: 'urn:oma:mo:oma-dm-devinfo:1.2', name: 'DevInfo', section: '12.1', note: 'Appendix F uses 1.2; the examples of 7.2.1 use 1.0' },
  { moid: 'urn:oma:mo:oma-dm-dmacc:2.0', name: 'DMAcc', section: '12.2', note: 'node names differ between 12.2 (SrvID, Auth/Noti/Secret) and the examples (ServerID, AuthNoti/AuthSecret)' },
  { moid: 'urn:oma:mo:oma-dm-dmacc:1.2', name: 'DMAcc (DM 1.2)', section: '12.2' },
  { moid: 'urn:oma:mo:oma-dm-dacmo:1.0', name: 'Delegation Access Control MO (DACMO)', section: '12.3' },
  { moid: 'urn:oma:mo:oma-sessioninfomo:1.0', name: 'SessionInfo', section: '12.4' },
  { moid: 'urn:oma:mo:oma-scomo:1.0', name: 'Software Component Management Object (SCOMO)', section: 'Appendix I.1' },
  { moid: 'urn:oma:mo:oma-dcmo:1.0', name: 'Device Capability Management Object (DCMO)', section: 'Appendix I.1, I.2' },
  { moid: 'urn:oma:mo:oma-mms:1.3', name: 'MMS', section: 'Appendix I.3' },
  { moid: 'urn:gsma:mo:rcs:rcse:1.0', name: 'RCS', section: 'Appendix I.3' },
];

export function knownMoid(moid: string): KnownMoid | undefined {
  return KNOWN_MOIDS.find((m) => m.moid === moid);
}

/** An MOID is a URN (the examples' MOIDs all are); DM 2.0 writes them "urn:oma:mo:...". */
export const MOID_PATTERN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s/?#]+$/;
