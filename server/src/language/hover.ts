/** Hover: dispatches to delegation messages, DM 2.0 packages, or the HTTP lines around them. */
import { type Analysis, regionAt } from '../core/analyze.js';
import type { HttpMessage } from '../core/http/message.js';
import { DELEGATION_MEDIA_TYPE } from '../core/delegation/mediaType.js';
import { PACKAGES } from '../core/dm20/packages.js';
import { type HoverResult, delegationHover } from './delegationHover.js';
import { packageHover } from './packageHover.js';
import { notificationHover } from './notification.js';
import type { TreeContext } from '../core/tree/check.js';

export type { HoverResult };

export function hoverAt(analysis: Analysis, offset: number, trees?: TreeContext): HoverResult | undefined {
  const region = regionAt(analysis, offset);
  if (region) {
    const h = region.type === 'delegation' ? delegationHover(analysis.text, region, offset) : region.type === 'package' ? packageHover(region, offset, trees) : notificationHover(region, offset);
    if (h) return h;
  }
  const msg = analysis.http?.messages.find((m) => offset >= m.start && offset <= m.end);
  return msg ? httpHover(msg, offset) : undefined;
}

const MEDIA_TYPES = [`\`${DELEGATION_MEDIA_TYPE}\` (delegation, Delegation 5.3)`, ...Object.values(PACKAGES).filter((p) => p.mediaType).map((p) => `\`${p.mediaType}\` (${p.title}, DM 2.0 ${p.section})`), '`multipart/form-data` (Package#3 with GET data, DM 2.0 Appendix F)'];

const HEADERS: Record<string, string> = {
  'content-type': `The media type of the body, which picks its validation:\n\n${MEDIA_TYPES.map((m) => `- ${m}`).join('\n')}`,
  accept: 'The media types the sender takes in the response (RFC 7231 §5.3.2; DM 2.0 5.5).',
  'omadm-accept': 'The MIMEs the DM Server takes for HPUT and HPOST data, in the format of Accept (DM 2.0 5.5).',
  'omadm-devid': 'The DevInfo/DevID of the device; required on Package#1 and Package#3 (DM 2.0 5.2.2, 5.2.4, 12.1).',
  host: 'The host of the target URI (RFC 7230 §5.4).',
  'content-length': 'The length of the body in bytes (RFC 7230 §3.3.2).',
};

function httpHover(msg: HttpMessage, offset: number): HoverResult | undefined {
  const within = (s?: { start: number; end: number }): s is { start: number; end: number } => !!s && offset >= s.start && offset <= s.end;
  if (within(msg.methodSpan)) return { ...msg.methodSpan, markdown: `**${msg.method}**: delegation messages, Package#1 and Package#3 are sent with HTTP POST (Delegation 5.3; DM 2.0 5.2.2, 5.2.4).` };
  if (within(msg.targetSpan)) return { ...msg.targetSpan, markdown: 'The target of the request: for delegation, `https://<host>[:<port>][…]/<interface_name>` (Delegation 5.3, DM-DEL-S-008); for DM 2.0, the DM Server URI of the DMAcc (12.2).' };
  if (within(msg.statusSpan)) return { ...msg.statusSpan, markdown: 'The HTTP status: Package#2 comes back in a 200 response (DM 2.0 5.2.3); a delegation response without content carries its answer in the status code (Delegation 5.3).' };
  const h = msg.headers.find((x) => offset >= x.start && offset <= x.nameEnd);
  // Own keys only: a header named `constructor` must not reach Object.prototype.
  const key = h?.name.toLowerCase();
  const text = key !== undefined && Object.hasOwn(HEADERS, key) ? HEADERS[key] : undefined;
  return h && text ? { start: h.start, end: h.nameEnd, markdown: `**${h.name}**: ${text}` } : undefined;
}
