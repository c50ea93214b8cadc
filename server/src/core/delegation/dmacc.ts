/**
 * The DMAcc carried by BOOTSTRAP_CONFIRMED (Table 3: "see section 5.3.1 of [DMSTDOBJ]"): the
 * DM 1.3 DM Account MO. Interior nodes named `<X>` in the MO take any name. Node names not listed
 * are reported as warnings, not errors: the Ext node and vendor extensions are legitimate.
 */
export interface DmAccNode {
  description: string;
  /** Child nodes; `'*'` stands for the MO's `<X>` placeholder (any name). */
  children?: Record<string, DmAccNode>;
  /** Anything below is allowed (Ext). */
  open?: boolean;
}

const leaf = (description: string): DmAccNode => ({ description });

export const DMACC: DmAccNode = {
  description: 'DM Account of the DMS-2 (DMSTDOBJ 5.3.1)',
  children: {
    AppID: leaf('Application identifier of the DM Account MO ("w7")'),
    ServerID: leaf('The DM Server identifier'),
    Name: leaf('User displayable name of the DM Server'),
    PrefConRef: leaf('Reference to the preferred connectivity'),
    ToConRef: {
      description: 'Connectivity references',
      children: { '*': { description: 'One connectivity reference', children: { ConRef: leaf('Reference to a connectivity parameter set') } } },
    },
    AppAddr: {
      description: 'DM Server addresses',
      children: {
        '*': {
          description: 'One DM Server address',
          children: {
            Addr: leaf('Address of the DM Server'),
            AddrType: leaf('Format of Addr (URI, IPv4, IPv6, ...)'),
            Port: {
              description: 'Ports',
              children: { '*': { description: 'One port', children: { PortNbr: leaf('Port number') } } },
            },
          },
        },
      },
    },
    AAuthPref: leaf('Preferred application authentication type'),
    AppAuth: {
      description: 'Application authentication credentials',
      children: {
        '*': {
          description: 'One set of credentials',
          children: {
            AAuthLevel: leaf('Level of authentication (SRVCRED, CLCRED, OBEX, HTTP)'),
            AAuthType: leaf('Authentication type (HTTP-BASIC, HTTP-DIGEST, BASIC, DIGEST, HMAC, X509, SECURID, SAFEWORD, DIGIPASS)'),
            AAuthName: leaf('Authentication name'),
            AAuthSecret: leaf('Authentication secret'),
            AAuthData: leaf('Authentication data (nonce)'),
          },
        },
      },
    },
    Ext: { description: 'Vendor extensions', open: true },
  },
};

/** DM 2.0 DMAcc node names (DM 2.0 §12.2) that a DM 1.3 DMAcc calls otherwise. */
export const DM20_NAMES: Readonly<Record<string, string>> = { SrvID: 'ServerID' };
