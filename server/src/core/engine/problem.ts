/**
 * What the mini servers answer: an HTTP status, headers and a body. Refusals carry a problem
 * document (RFC 9457, application/problem+json) that says why, with the diagnostics of the
 * validator when a package was refused for its content.
 */
import type { Diagnostic } from '../diagnostic.js';
import { utf8 } from './ports.js';

export interface Outgoing {
  status: number;
  /** Header names in lower case; a list is sent as one header line per value. */
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

export function problem(status: number, title: string, detail: string, diagnostics?: Diagnostic[]): Outgoing {
  const doc = { type: 'about:blank', title, status, detail, ...(diagnostics?.length ? { diagnostics: diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, offset: d.start })) } : {}) };
  return { status, headers: { 'content-type': 'application/problem+json' }, body: utf8(JSON.stringify(doc, null, 1)) };
}

export function withHeaders(o: Outgoing, headers: Record<string, string | string[]>): Outgoing {
  return { ...o, headers: { ...o.headers, ...headers } };
}
