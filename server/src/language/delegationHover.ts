/** Hover in delegation messages: what an element or value means, and where the spec says so. */
import type { DelegationRegion } from '../core/analyze.js';
import { type XmlElement, contentRange, elementAt } from '../core/xml/parse.js';
import { type DelegationMessage, type Parameter, OBSOLETE_MESSAGES, allParameters, citation, transportText } from '../core/delegation/messages.js';
import { FAILURE_REASON_CODES, REASON_CODES, REASON_CODE_SOURCE } from '../core/delegation/reasonCodes.js';
import { DMACC, type DmAccNode } from '../core/delegation/dmacc.js';

export interface HoverResult {
  markdown: string;
  start: number;
  end: number;
}

function onName(el: XmlElement, offset: number): { start: number; end: number } | undefined {
  if (offset >= el.nameStart && offset <= el.nameEnd) return { start: el.nameStart, end: el.nameEnd };
  if (el.closeNameStart !== undefined && el.closeNameEnd !== undefined && offset >= el.closeNameStart && offset <= el.closeNameEnd) {
    return { start: el.closeNameStart, end: el.closeNameEnd };
  }
  return undefined;
}

export function delegationHover(text: string, region: DelegationRegion, offset: number): HoverResult | undefined {
  const { doc, analysis } = region;
  const el = elementAt(doc.root, offset);
  const message = analysis.message;
  if (!el || !message) return undefined;
  const variant = analysis.variant ?? message.variants[0]!;
  const name = onName(el, offset);
  if (el === doc.root) return name ? { ...name, markdown: messageMarkdown(message, analysis.obsolete, analysis.variant) } : undefined;
  // A parameter of the message, or a node inside the DMAcc.
  // Pushed then reversed: unshift at every level costs depth² on a document nested 100,000 deep.
  const path: XmlElement[] = [];
  for (let e: XmlElement | undefined = el; e && e !== doc.root; e = e.parent) path.push(e);
  path.reverse();
  const param = allParameters(message).find((p) => p.name === path[0]!.name);
  if (!param) return undefined;
  if (path.length > 1) {
    const node = dmAccNode(path.slice(1));
    const shown = path.length > 12 ? [...path.slice(0, 6).map((p) => p.name), '…', ...path.slice(-5).map((p) => p.name)] : path.map((p) => p.name);
    return name && node ? { ...name, markdown: `**${shown.join('/')}**\n\n${node.description}\n\n_DMSTDOBJ 5.3.1 (DM 1.3 DMAcc), carried by Delegation Table 3_` } : undefined;
  }
  if (name) return { ...name, markdown: parameterMarkdown(message, param, variant.parameters.includes(param) ? citation(message, variant) : citation(message, message.variants.find((v) => v.parameters.includes(param)))) };
  const r = contentRange(el);
  if (offset < r.start || offset > r.end) return undefined;
  const value = el.text.trim();
  const at = text.indexOf(value, r.start);
  const span = value && at >= 0 && at < r.end ? { start: at, end: at + value.length } : r;
  if (param.name === 'reasonCode' && /^\d+$/.test(value)) {
    const phrase = REASON_CODES.get(Number(value));
    const advice = message.failure ? `\n\nFor ${message.name} the most applicable codes are ${FAILURE_REASON_CODES.join(' and ')} (change request on DELEGATION_FAILURE).` : '';
    return { ...span, markdown: phrase ? `**${value} ${phrase}**\n\n_${REASON_CODE_SOURCE}_${advice}` : `**${value}** is not a DM status code (${REASON_CODE_SOURCE}).` };
  }
  if (param.name === 'status' && message.status) {
    const note = message.statusNote ? `\n\n${message.statusNote}` : '';
    return { ...span, markdown: `**status** of ${message.name} is \`${message.status}\` (${citation(message, variant)}).${note}` };
  }
  return undefined;
}

function dmAccNode(path: XmlElement[]): DmAccNode | undefined {
  let node: DmAccNode | undefined = DMACC;
  for (const e of path) {
    if (!node || node.open) return node;
    node = dmAccChild(node, e.name);
  }
  return node;
}

/**
 * The DMAcc node a child element named `name` stands for: the named node of DMSTDOBJ 5.3.1, else
 * its `<X>` placeholder. Own keys only, so that an element named `constructor` or `__proto__` is
 * an unknown name, never a property of Object.prototype.
 */
export function dmAccChild(node: DmAccNode, name: string): DmAccNode | undefined {
  const children = node.children;
  if (!children) return undefined;
  return Object.hasOwn(children, name) ? children[name] : Object.hasOwn(children, '*') ? children['*'] : undefined;
}

export function messageMarkdown(message: DelegationMessage, obsolete?: string, variant = message.variants[0]): string {
  const lines = [`**${message.name}** — ${message.title} \`<${message.root}>\``, '', message.summary, ''];
  if (obsolete) lines.push(`\`${obsolete}\` is the early draft's name; the 1.3 specification calls this message ${message.name} (replacing ${Object.entries(OBSOLETE_MESSAGES).filter(([, r]) => r === message.root).map(([d]) => d).join(', ')}).`, '');
  lines.push(`- From: ${message.from}`, `- Transport: ${transportText(message)}`);
  if (message.status) lines.push(`- status: \`${message.status}\``);
  for (const v of message.variants) {
    const mark = message.variants.length > 1 && v === variant ? ' (this one)' : '';
    lines.push(`- ${v.table}${message.variants.length > 1 ? `, ${v.label}${mark}` : ''}: ${v.parameters.map((p) => (p.required ? p.name : `${p.name}?`)).join(', ')}`);
  }
  lines.push('', `_Delegation ${message.sections.join(', ')}_`);
  return lines.join('\n');
}

export function parameterMarkdown(message: DelegationMessage, p: Parameter, cite: string): string {
  const lines = [`**${p.name}** · ${p.type}${p.values ? ` · ${p.values}` : ''}`, '', p.description + '.'];
  lines.push('', `${p.required ? 'Required' : 'Optional'} in ${message.name}${p.note ? ` (${p.note})` : ''}.`);
  lines.push('', `_${cite}_`);
  return lines.join('\n');
}
