/**
 * Delegation messages as values (Delegation 5.3, Tables 1-18), built to XML for the wire and read
 * back from it. Building goes through fast-xml-parser's XMLBuilder, which escapes every value, in
 * the order of the message's table, with the schema attributes Appendix C shows; reading goes
 * through the project's own parser and validator, so a message that would get an error in the
 * editor is never acted on.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { Diagnostic } from '../diagnostic.js';
import { type XmlElement, parseXml } from '../xml/parse.js';
import { type DelegationMessage, type Variant, messageByRoot } from './messages.js';
import { validateDelegation } from './validate.js';

/** A DMAcc (Table 3) as nested elements: a leaf is text, an interior node an object. */
export interface Tree {
  [name: string]: string | Tree;
}

export interface DelegationValue {
  /** The root element: delegation_req, delegation_resp, ... */
  root: string;
  /** Parameters by element name; the DMAcc as a tree. */
  params: Record<string, string | Tree>;
}

const SCHEMA = 'http://www.openmobilealliance.org/tech/profiles/dm_dm13_delegationprotocol-v1_0.xsd';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: false, processEntities: true });

/** The variant of a message these parameters fit (the forced DELEGATION_REVOKED has deviceId and no sessionId). */
export function variantFor(message: DelegationMessage, params: Record<string, unknown>): Variant {
  const fit = message.variants.find((v) => v.parameters.every((p) => !p.required || params[p.name] !== undefined) && Object.keys(params).every((k) => v.parameters.some((p) => p.name === k)));
  return fit ?? message.variants[0]!;
}

/** The XML of a message, with its elements in table order. Throws for a root no table defines. */
export function buildDelegation(v: DelegationValue): string {
  const message = messageByRoot(v.root);
  if (!message) throw new RangeError(`${v.root} is not a delegation message (Delegation 5.3)`);
  const ordered: Record<string, unknown> = { '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', '@_xsi:noNamespaceSchemaLocation': SCHEMA };
  const variant = variantFor(message, v.params);
  for (const p of variant.parameters) {
    const value = v.params[p.name];
    if (value !== undefined) ordered[p.name] = value;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [v.root]: ordered }) as string}`;
}

function treeOf(el: XmlElement): string | Tree {
  // Character data comes decoded from the parser (references resolved, entities never expanded).
  if (el.children.length === 0) return el.text.trim();
  const out: Tree = {};
  for (const c of el.children) Object.defineProperty(out, c.name, { value: treeOf(c), enumerable: true, writable: true, configurable: true });
  return out;
}

export interface ParsedDelegation {
  value?: DelegationValue;
  message?: DelegationMessage;
  diagnostics: Diagnostic[];
}

/** Reads a message; the value is given only when it validates without errors. */
export function parseDelegation(text: string): ParsedDelegation {
  const doc = parseXml(text);
  const analysis = validateDelegation(text, doc, { claimed: true });
  if (!doc.root || !analysis.message || analysis.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: analysis.diagnostics, ...(analysis.message ? { message: analysis.message } : {}) };
  const params: DelegationValue['params'] = {};
  for (const c of doc.root.children) Object.defineProperty(params, c.name, { value: treeOf(c), enumerable: true, writable: true, configurable: true });
  return { value: { root: doc.root.name, params }, message: analysis.message, diagnostics: analysis.diagnostics };
}
