/** Generic Alert (DM 2.0 5.4) and the DM 2.0 alert types (Appendix D). */
export interface AlertType {
  type: string;
  description: string;
  data?: string;
}

export const ALERT_TYPES: readonly AlertType[] = [
  { type: 'urn:oma:at:dm:2.0:ServerInitiatedMgmt', description: 'A server-initiated DM Session (in response to a DM Notification).', data: 'NOTIFICATION-ID (5.2.1)' },
  { type: 'urn:oma:at:dm:2.0:ClientInitiatedMgmt', description: 'A client-initiated DM Session.' },
  { type: 'urn:oma:at:dm:2.0:BootstrapComplete', description: 'A client-initiated DM Session after successful bootstrap (8).' },
];

/** The importance levels of `Mark`; "informational" when absent (5.4). */
export const MARKS: readonly string[] = ['fatal', 'critical', 'minor', 'warning', 'informational', 'harmless', 'indeterminate'];

export const ALERT_PROPERTIES: Readonly<Record<string, string>> = {
  AlertType: 'The type of the Generic Alert. One.',
  SourceURI: 'The address of the node in the MO related to this Generic Alert. ZeroOrOne.',
  TargetURI: 'An additional address related to the Generic Alert; a ClientURI (6.1). ZeroOrOne.',
  Mark: 'The importance level: fatal, critical, minor, warning, informational, harmless or indeterminate; "informational" when omitted. ZeroOrOne.',
  DataType: 'The Media Type of the Data content; present whenever Data is. ZeroOrOne.',
  Data: 'Additional data; format and content are not specified. ZeroOrOne.',
};

export function alertType(type: string): AlertType | undefined {
  return ALERT_TYPES.find((a) => a.type === type);
}
