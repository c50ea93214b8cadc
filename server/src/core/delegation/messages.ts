/**
 * The delegation protocol's messages, as data: OMA-TS-DM_Server_Delegation_Protocol-V1_3 section
 * 5.3, Tables 1-18. Every rule, hover, completion and skeleton reads this one table.
 *
 * The tables have no "required" column; every parameter listed is taken as required, except where
 * the table itself makes it conditional (DMAcc, Table 3) or where only the prose names it
 * (DMTreeURI in 5.3.4.1 and 5.3.5.1, absent from Tables 16 and 18): those are optional.
 * Root element names follow Appendix C: the message name in lower case.
 */
export type ParamType = 'string' | 'int' | 'boolean' | 'complex';

export interface Parameter {
  name: string;
  type: ParamType;
  /** The table's "Value(s)" column. */
  values?: string;
  description: string;
  required: boolean;
  /** Why a parameter is optional or special, with its source. */
  note?: string;
  /** A value for skeletons and quick fixes (Appendix C's where it has one). */
  example: string;
}

export interface Variant {
  /** Where this variant is defined: "5.3.1.3". */
  section: string;
  /** Its table(s): "Table 3". */
  table: string;
  label: string;
  parameters: Parameter[];
}

export type Transport =
  | { kind: 'post'; response: string | 'no-content' }
  | { kind: 'response'; to: string };

export interface DelegationMessage {
  /** The protocol's name: DELEGATION_REQ. */
  name: string;
  /** The XML root element: delegation_req. */
  root: string;
  title: string;
  /** The value of the `status` parameter, where the message has one. */
  status?: string;
  statusNote?: string;
  transport: Transport;
  from: string;
  summary: string;
  /** Sections describing the message in each flow. */
  sections: string[];
  failure?: boolean;
  variants: Variant[];
}

const REASON_CODE: Parameter = {
  name: 'reasonCode',
  type: 'int',
  values: 'See section 11 "Response Status Codes" in [DMREPRO]',
  description: 'Reason code',
  required: true,
  example: '200',
};
const SESSION_ID: Parameter = {
  name: 'sessionId',
  type: 'string',
  description: 'Session Identifier',
  required: true,
  example: 'ABCDERFGHCHDJKD',
};
const DEVICE_ID: Parameter = { name: 'deviceId', type: 'string', description: 'Device identifier', required: true, example: 'IMEI:AAAAAABBCCCCCCD' };
const IS_DELEGATION_FULL: Parameter = {
  name: 'isDelegationFull',
  type: 'boolean',
  values: 'true/false',
  description: 'True if delegation confirmed is full, false otherwise',
  required: true,
  example: 'false',
};
const status = (value: string): Parameter => ({
  name: 'status',
  type: 'string',
  values: value,
  description: 'Status field',
  required: true,
  example: value,
});
const proseTreeUri = (section: string, table: string): Parameter => ({
  name: 'DMTreeURI',
  type: 'string',
  description: 'The part of DM Tree concerned',
  required: false,
  note: `named in the prose of ${section} ("deviceId and DMTreeURI") but not in ${table}: accepted, not required`,
  example: '/SCOMO',
});

export const MESSAGES: readonly DelegationMessage[] = [
  {
    name: 'DELEGATION_REQ',
    root: 'delegation_req',
    title: 'Delegation Request',
    transport: { kind: 'post', response: 'delegation_resp' },
    from: 'the delegation initiator (DMS-1 or DMS-2)',
    summary:
      'First message from the delegation initiator to its peer: asks DMS-2 to accept management of a DM Client (initiated by DMS-1), or asks DMS-1 to grant it (initiated by DMS-2).',
    sections: ['5.3.1.1', '5.3.2.1'],
    variants: [
      {
        section: '5.3.1.1',
        table: 'Table 1',
        label: 'Delegation Request',
        parameters: [
          { name: 'serverId', type: 'string', description: 'DM Server Identifier', required: true, example: 'DM_Server_ABC' },
          DEVICE_ID,
          { name: 'deviceMan', type: 'string', values: 'See /DevInfo/Man [DMSTDOBJ]', description: 'Device Manufacturer', required: true, example: 'VendorXYZ' },
          { name: 'deviceMod', type: 'string', values: 'See /DevInfo/Mod [DMSTDOBJ]', description: 'Device Model', required: true, example: 'Mod5462' },
          { name: 'DMTreeURI', type: 'string', description: 'The part of DM Tree which management is to be delegated', required: true, example: '/SCOMO' },
          IS_DELEGATION_FULL,
          SESSION_ID,
        ],
      },
    ],
  },
  {
    name: 'DELEGATION_RESP',
    root: 'delegation_resp',
    title: 'Delegation Response',
    status: 'DELEGATION_RESP',
    transport: { kind: 'response', to: 'delegation_req' },
    from: 'the peer of the delegation initiator',
    summary: 'Accepts (isAknowledged true) or refuses (false) the delegation request.',
    sections: ['5.3.1.2', '5.3.2.2'],
    variants: [
      {
        section: '5.3.1.2',
        table: 'Table 2',
        label: 'Delegation Response',
        parameters: [
          REASON_CODE,
          status('DELEGATION_RESP'),
          {
            name: 'isAknowledged',
            type: 'boolean',
            values: 'true/false',
            description: 'Acknowledgement value',
            required: true,
            note: 'spelled "isAknowledged" on the wire (sic)',
            example: 'true',
          },
          SESSION_ID,
        ],
      },
    ],
  },
  {
    name: 'BOOTSTRAP_CONFIRMED',
    root: 'bootstrap_confirmed',
    title: 'Bootstrap Confirmed',
    status: 'BOOTSTRAP_CONFIRMED',
    transport: { kind: 'post', response: 'no-content' },
    from: 'DMS-2',
    summary:
      'DMAcc approach (5.3.1.3): the DM Client is already bootstrapped, or DMS-1 must create the DMS-2 DMAcc from the bootstrap details given. Bootstrap Server URL approach (5.3.2.5): the DM Client was bootstrapped successfully.',
    sections: ['5.3.1.3', '5.3.2.5'],
    variants: [
      {
        section: '5.3.1.3',
        table: 'Table 3',
        label: 'DMS-2 DMAcc approach',
        parameters: [
          REASON_CODE,
          status('BOOTSTRAP_CONFIRMED'),
          {
            name: 'isClientBootstapped',
            type: 'boolean',
            values: 'true/false',
            description: 'True if the DMS-2 has bootstrapped DM Client, false otherwise',
            required: true,
            note: 'spelled "isClientBootstapped" on the wire (sic)',
            example: 'true',
          },
          {
            name: 'DMAcc',
            type: 'complex',
            values: 'see section 5.3.1 of [DMSTDOBJ]',
            description:
              'If isClientBootstapped is false, contains the DMS-2 bootstrap information to be used by the DMS-1 in order to create the DMS-2 DMAcc on DM Client.',
            required: false,
            note: 'required when isClientBootstapped is false',
            example: '',
          },
          SESSION_ID,
        ],
      },
      {
        section: '5.3.2.5',
        table: 'Table 9',
        label: 'Bootstrap Server URL approach',
        parameters: [REASON_CODE, status('BOOTSTRAP_CONFIRMED'), SESSION_ID],
      },
    ],
  },
  {
    name: 'DELEGATION_PREPARED',
    root: 'delegation_prepared',
    title: 'Delegation Prepared',
    status: 'PREPARED',
    transport: { kind: 'post', response: 'no-content' },
    from: 'DMS-1',
    summary:
      'DMS-1 tells DMS-2 that the DM Client is ready; DMS-2 then opens a DM session with it. Also confirms full delegation when DMS-1 removed its own DMAcc.',
    sections: ['5.3.1.4', '5.3.2.6'],
    variants: [
      { section: '5.3.1.4', table: 'Table 4', label: 'Delegation Prepared', parameters: [REASON_CODE, status('PREPARED'), IS_DELEGATION_FULL, SESSION_ID] },
    ],
  },
  {
    name: 'DELEGATION_CONFIRMED',
    root: 'delegation_confirmed',
    title: 'Delegation Confirmed',
    status: 'CONFIRMED',
    transport: { kind: 'post', response: 'no-content' },
    from: 'DMS-2',
    summary: 'Sent by DMS-2 once a DM session with the DM Client has been established.',
    sections: ['5.3.1.5', '5.3.2.7'],
    variants: [{ section: '5.3.1.5', table: 'Table 5', label: 'Delegation Confirmed', parameters: [REASON_CODE, status('CONFIRMED'), SESSION_ID] }],
  },
  {
    name: 'DELEGATION_FAILURE',
    root: 'delegation_failure',
    title: 'Delegation Failure',
    status: 'FAILURE',
    transport: { kind: 'post', response: 'no-content' },
    from: 'DMS-1 or DMS-2',
    summary:
      'Halts the delegation process at any time. Both servers should undo all changes on the DM Client and revert (5.3). The most applicable reason codes are 400 and 403 (the change request on DELEGATION_FAILURE reason codes).',
    sections: ['5.3.1.6', '5.3.2.8'],
    failure: true,
    variants: [{ section: '5.3.1.6', table: 'Table 6', label: 'Delegation Failure', parameters: [REASON_CODE, status('FAILURE'), SESSION_ID] }],
  },
  {
    name: 'BOOTSTRAP_SRV_URL_REQ',
    root: 'bootstrap_srv_url_req',
    title: 'Bootstrap Server URL Request',
    status: 'BOOT_SRV_URL_REQ',
    transport: { kind: 'post', response: 'bootstrap_srv_url_delivery' },
    from: 'DMS-1',
    summary: 'DMS-1 asks DMS-2 for its Bootstrap Server URL after mutual authentication.',
    sections: ['5.3.2.3'],
    variants: [{ section: '5.3.2.3', table: 'Table 7', label: 'Bootstrap Server URL Request', parameters: [REASON_CODE, status('BOOT_SRV_URL_REQ'), SESSION_ID] }],
  },
  {
    name: 'BOOTSTRAP_SRV_URL_DELIVERY',
    root: 'bootstrap_srv_url_delivery',
    title: 'Bootstrap Server URL Delivery',
    status: 'BOOT_SRV_URL_DEL',
    transport: { kind: 'response', to: 'bootstrap_srv_url_req' },
    from: 'DMS-2',
    summary: 'DMS-2 delivers its Bootstrap Server URL; DMS-1 provides it to the DM Client (for example in the Bootstrap Config MO).',
    sections: ['5.3.2.4'],
    variants: [
      {
        section: '5.3.2.4',
        table: 'Table 8',
        label: 'Bootstrap Server URL Delivery',
        parameters: [
          REASON_CODE,
          status('BOOT_SRV_URL_DEL'),
          { name: 'bootstrapURL', type: 'string', description: 'The DMS-2 Bootstrap Server URL', required: true, example: 'https://bootstrap.dms-2.example.com/bootstrap' },
          SESSION_ID,
        ],
      },
    ],
  },
  {
    name: 'DELEGATION_TERMINATION_REQ',
    root: 'delegation_termination_req',
    title: 'Delegation Termination Request',
    status: 'DEL_TERM_REQ',
    transport: { kind: 'post', response: 'delegation_termination_ack' },
    from: 'DMS-1',
    summary: 'Asked revocation: DMS-1 asks DMS-2 to terminate all of its activities with the DM Client.',
    sections: ['5.3.3.1'],
    variants: [{ section: '5.3.3.1', table: 'Table 11', label: 'Delegation Termination Request', parameters: [DEVICE_ID, status('DEL_TERM_REQ'), SESSION_ID] }],
  },
  {
    name: 'DELEGATION_TERMINATION_ACK',
    root: 'delegation_termination_ack',
    title: 'Delegation Termination Acknowledge',
    status: 'DEL_TERM_ACK',
    transport: { kind: 'response', to: 'delegation_termination_req' },
    from: 'DMS-2',
    summary: 'DMS-2 acknowledges the Delegation Termination Request.',
    sections: ['5.3.3.2'],
    variants: [{ section: '5.3.3.2', table: 'Table 12', label: 'Delegation Termination Acknowledge', parameters: [REASON_CODE, status('DEL_TERM_ACK'), SESSION_ID] }],
  },
  {
    name: 'DELEGATION_TERMINATION_RESP',
    root: 'delegation_termination_resp',
    title: 'Delegation Termination Response',
    status: 'DEL_TERM_RESP',
    transport: { kind: 'post', response: 'no-content' },
    from: 'DMS-2',
    summary: 'DMS-2 reports that it has terminated all activities involving the DM Client.',
    sections: ['5.3.3.3'],
    variants: [{ section: '5.3.3.3', table: 'Table 13', label: 'Delegation Termination Response', parameters: [REASON_CODE, status('DEL_TERM_RESP'), SESSION_ID] }],
  },
  {
    name: 'DELEGATION_REVOKED',
    root: 'delegation_revoked',
    title: 'Delegation Revoked',
    status: 'DEL_REVOKED',
    transport: { kind: 'post', response: 'no-content' },
    from: 'DMS-1',
    summary: 'DMS-1 reports that the DM Client has been cleaned from the DMS-2 data.',
    sections: ['5.3.3.4', '5.3.4.2', '5.3.5.1'],
    variants: [
      {
        section: '5.3.3.4',
        table: 'Tables 14 and 17',
        label: 'asked or requested revocation',
        parameters: [REASON_CODE, status('DEL_REVOKED'), SESSION_ID],
      },
      {
        section: '5.3.5.1',
        table: 'Table 18',
        label: 'forced revocation',
        parameters: [DEVICE_ID, REASON_CODE, status('DEL_REVOKED'), proseTreeUri('5.3.5.1', 'Table 18')],
      },
    ],
  },
  {
    name: 'REVOCATION_FAILURE',
    root: 'revocation_failure',
    title: 'Revocation Failure',
    status: 'FAILURE',
    transport: { kind: 'post', response: 'no-content' },
    from: 'DMS-1 or DMS-2',
    summary: 'Halts the revocation process at any time; DMS-1 uses it to warn DMS-2 that the delegation could be compromised (5.3).',
    sections: ['5.3.3.5', '5.3.4.3', '5.3.5.2'],
    failure: true,
    variants: [{ section: '5.3.3.5', table: 'Table 15', label: 'Revocation Failure', parameters: [REASON_CODE, status('FAILURE'), SESSION_ID] }],
  },
  {
    name: 'DELEGATION_REVOCATION_REQ',
    root: 'delegation_revocation_req',
    title: 'Delegation Revocation Request',
    status: 'DEL_TERM_REQ',
    statusNote:
      'Table 16 gives this message the status value DEL_TERM_REQ, the same as DELEGATION_TERMINATION_REQ (Table 11). That is what the specification says, so it is accepted; a receiver tells the two apart by the root element.',
    transport: { kind: 'post', response: 'no-content' },
    from: 'DMS-2',
    summary: 'Requested revocation: DMS-2 asks DMS-1 to revoke the delegation.',
    sections: ['5.3.4.1'],
    variants: [
      {
        section: '5.3.4.1',
        table: 'Table 16',
        label: 'Delegation Revocation Request',
        parameters: [DEVICE_ID, status('DEL_TERM_REQ'), SESSION_ID, proseTreeUri('5.3.4.1', 'Table 16')],
      },
    ],
  },
];

/** Draft names of the early delegation mechanism (DM 1.3 era draft) and what replaced them. */
export const OBSOLETE_MESSAGES: Readonly<Record<string, string>> = {
  DELEGATION_NOTIF: 'delegation_req',
  DELEGATION_RES: 'delegation_resp',
  DELEGATION_START: 'bootstrap_confirmed',
  DELEGATION_CONFIRM: 'delegation_confirmed',
};

const BY_ROOT = new Map(MESSAGES.map((m) => [m.root, m]));

export function messageByRoot(root: string): DelegationMessage | undefined {
  return BY_ROOT.get(root);
}

/** The message a root element names, exactly, by a wrong case, or by an obsolete draft name. */
export function recogniseRoot(root: string):
  | { kind: 'message'; message: DelegationMessage }
  | { kind: 'case'; message: DelegationMessage }
  | { kind: 'obsolete'; draftName: string; message: DelegationMessage }
  | undefined {
  const exact = BY_ROOT.get(root);
  if (exact) return { kind: 'message', message: exact };
  const upper = root.toUpperCase();
  const replacement = OBSOLETE_MESSAGES[upper];
  if (replacement && Object.prototype.hasOwnProperty.call(OBSOLETE_MESSAGES, upper)) {
    return { kind: 'obsolete', draftName: upper, message: BY_ROOT.get(replacement)! };
  }
  const folded = BY_ROOT.get(root.toLowerCase());
  return folded ? { kind: 'case', message: folded } : undefined;
}

/** Every parameter name any variant of the message knows. */
export function allParameters(message: DelegationMessage): Parameter[] {
  const seen = new Map<string, Parameter>();
  for (const v of message.variants) for (const p of v.parameters) if (!seen.has(p.name)) seen.set(p.name, p);
  return [...seen.values()];
}

export function citation(message: DelegationMessage, variant?: Variant): string {
  const v = variant ?? message.variants[0]!;
  return `Delegation ${v.section}, ${v.table}`;
}

export function transportText(message: DelegationMessage): string {
  const t = message.transport;
  if (t.kind === 'response') return `carried by the HTTP response to ${t.to}`;
  return t.response === 'no-content'
    ? 'sent as an HTTP POST; the HTTP response has no content'
    : `sent as an HTTP POST; the HTTP response carries ${t.response}`;
}
