/**
 * Response status codes for DM commands: DM 2.0 Appendix C (normative). "The only valid values
 * are the standard values defined in this specification", plus 1000-1999, application specific.
 */
import type { CommandName } from './commands.js';

export interface StatusCode {
  code: number;
  reason: string;
  description: string;
  /** The commands it applies to; undefined: all. */
  commands?: readonly CommandName[];
}

const EXCEPT_SHOW_CONT_END: readonly CommandName[] = ['HGET', 'HPUT', 'HPOST', 'DELETE', 'EXEC', 'GET', 'DEFAULT', 'SUB', 'UNSUB'];

export const STATUS_CODES: readonly StatusCode[] = [
  { code: 200, reason: 'OK', description: 'The DM command completed successfully.' },
  { code: 202, reason: 'Accepted', description: 'Accepted for processing; the asynchronous reporting mechanism reports the actual result (5.4.1).', commands: ['EXEC'] },
  { code: 204, reason: 'No Content', description: 'Completed, but no data is returned; also for GET when the target has no content.', commands: ['GET'] },
  { code: 304, reason: 'Not Modified', description: 'The request carries the cache validator and access is allowed, but the MO data is not modified (11).', commands: ['GET', 'HPUT', 'HPOST'] },
  { code: 400, reason: 'Bad Request', description: 'The command could not be performed because of malformed syntax.' },
  { code: 403, reason: 'Forbidden', description: 'The sender does not have adequate access rights on the recipient.', commands: EXCEPT_SHOW_CONT_END },
  { code: 404, reason: 'Not Found', description: 'The target was not found (HPUT/HPOST: none of the ClientURIs; UNSUB: no previous SUB).', commands: EXCEPT_SHOW_CONT_END },
  { code: 405, reason: 'Command Not Allowed', description: 'EXEC on a non-executable node, or DELETE of a mandatory node.', commands: ['EXEC', 'DELETE'] },
  { code: 406, reason: 'Not Acceptable', description: 'HPUT, HPOST: the data formats requested by the DM Server are not supported by the DM Client.', commands: ['HPUT', 'HPOST'] },
  { code: 415, reason: 'Unsupported Media Type', description: 'HGET: the data retrieved by the HTTP GET is unrecognized.', commands: ['HGET'] },
  { code: 419, reason: 'ServerURI Error', description: 'The ServerURI caused errors (HGET: HTTP GET failed; HPUT/HPOST: HTTP PUT/POST failed).', commands: ['HGET', 'HPUT', 'HPOST'] },
  { code: 500, reason: 'Internal Error', description: 'The recipient encountered an unexpected condition.' },
  { code: 501, reason: 'Not Implemented', description: 'The recipient does not support the features to fulfil the request.' },
  { code: 503, reason: 'Service Unavailable', description: 'The recipient is temporarily unable to handle the request.' },
  { code: 506, reason: 'Device Full', description: 'Not enough storage space for the data.', commands: ['HGET'] },
  { code: 507, reason: 'User Rejected', description: 'The user rejected the request.' },
];

const BY_CODE = new Map(STATUS_CODES.map((s) => [s.code, s]));

export function statusCode(code: number): StatusCode | undefined {
  return BY_CODE.get(code);
}

export function isApplicationSpecific(code: number): boolean {
  return Number.isInteger(code) && code >= 1000 && code <= 1999;
}

export function statusText(code: number): string {
  const s = BY_CODE.get(code);
  if (s) return `${code} ${s.reason}`;
  return isApplicationSpecific(code) ? `${code} (application specific)` : String(code);
}
