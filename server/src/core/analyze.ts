/**
 * One document in, everything the core knows about it out: its kind, its diagnostics and the
 * delegation messages in it with their parse trees. The CLI and the language service both start here.
 */
import type { Diagnostic } from './diagnostic.js';
import { type FileKind, type KindHint, fileKind } from './kinds.js';
import { type XmlDocument, parseXml } from './xml/parse.js';
import { type DelegationAnalysis, isDelegationDocument, validateDelegation } from './delegation/validate.js';
import { type HttpExchange, parseHttpExchange } from './http/message.js';
import { validateDelegationExchange } from './delegation/http.js';

/** A delegation message somewhere in the document (the whole of it, or an HTTP body). */
export interface DelegationRegion {
  start: number;
  end: number;
  doc: XmlDocument;
  analysis: DelegationAnalysis;
}

export interface Analysis {
  text: string;
  kind: FileKind;
  /** False when the document is not one of ours after all (a plain .xml with another root). */
  recognised: boolean;
  diagnostics: Diagnostic[];
  regions: DelegationRegion[];
  http?: HttpExchange;
}

export function analyzeText(text: string, hint: KindHint): Analysis {
  const { kind, claimed } = fileKind(text, hint);
  if (kind === 'delegation') {
    const doc = parseXml(text);
    if (!claimed && !isDelegationDocument(doc)) return { text, kind, recognised: false, diagnostics: [], regions: [] };
    const analysis = validateDelegation(text, doc, { claimed });
    return { text, kind, recognised: true, diagnostics: byPosition(analysis.diagnostics), regions: [{ start: 0, end: text.length, doc, analysis }] };
  }
  if (kind === 'http') {
    const http = parseHttpExchange(text);
    const result = validateDelegationExchange(text, http);
    if (!claimed && result.bodies.length === 0) return { text, kind, recognised: false, diagnostics: [], regions: [] };
    return {
      text,
      kind,
      recognised: true,
      http,
      diagnostics: byPosition([...http.errors, ...result.diagnostics]),
      regions: result.bodies.map((b) => ({ start: b.message.body.start, end: b.message.body.end, doc: b.doc, analysis: b.analysis })),
    };
  }
  return { text, kind, recognised: false, diagnostics: [], regions: [] };
}

export function regionAt(analysis: Analysis, offset: number): DelegationRegion | undefined {
  return analysis.regions.find((r) => offset >= r.start && offset <= r.end);
}

function byPosition(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => a.start - b.start || a.end - b.end);
}
