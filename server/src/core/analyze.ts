/**
 * One document in, everything the core knows about it out: its kind, its diagnostics, and the
 * messages in it (delegation XML, DM 2.0 JSON packages) with their parse trees. The CLI and the
 * language service both start here.
 */
import type { Diagnostic } from './diagnostic.js';
import { pushAll } from './diagnostic.js';
import { type FileKind, type KindHint, PACKAGE_LANGUAGE_ID, fileKind, kindByEvidence, sniffJsonPackage, sniffXmlRoot } from './kinds.js';
import { recogniseRoot } from './delegation/messages.js';
import { type XmlDocument, parseXml } from './xml/parse.js';
import { type DelegationAnalysis, isDelegationDocument, validateDelegation } from './delegation/validate.js';
import { type HttpExchange, parseHttpExchange } from './http/message.js';
import { validateDelegationExchange } from './delegation/http.js';
import { JsonDocument } from './json/document.js';
import { type PackageKind, kindByShape } from './dm20/packages.js';
import { type PackageAnalysis, validatePackage } from './dm20/validate.js';
import { validateDm20Exchange } from './dm20/http.js';
import type { StatusContext } from './dm20/rules.js';
import { type NotificationAnalysis, analyzeNotification, textSpan } from './notification/analyze.js';
import { verifyWithTree } from './notification/credentials.js';
import { type TreeContext, checkAgainstTree, checkPredictedStatuses, predictStatuses } from './tree/check.js';
import { DmTree } from './tree/model.js';
import { loadTreeFile } from './tree/load.js';
import { type Ddf, checkTreeAgainstDdfs, parseDdf } from './tree/ddf.js';

/** A delegation message somewhere in the document (the whole of it, or an HTTP body). */
export interface DelegationRegion {
  type: 'delegation';
  start: number;
  end: number;
  doc: XmlDocument;
  analysis: DelegationAnalysis;
}

/** A DM 2.0 JSON package somewhere in the document. */
export interface PackageRegion {
  type: 'package';
  start: number;
  end: number;
  kind: PackageKind;
  json: JsonDocument;
  analysis: PackageAnalysis;
  /** For a sample tree file: its MO instances. */
  tree?: DmTree;
}

/** A DM Notification (Package#0) written as hex or base64. */
export interface NotificationRegion {
  type: 'notification';
  start: number;
  end: number;
  analysis: NotificationAnalysis;
}

export type Region = DelegationRegion | PackageRegion | NotificationRegion;

export interface Analysis {
  text: string;
  kind: FileKind;
  /** False when the document is not one of ours after all (a plain .xml with another root). */
  recognised: boolean;
  /**
   * Recognised by its content alone (a `.json` whose shape is a package's): its faults are then
   * at most warnings, since the file may be somebody else's after all.
   */
  guessed?: boolean;
  diagnostics: Diagnostic[];
  regions: Region[];
  http?: HttpExchange;
}

export interface AnalyzeEnv {
  /**
   * Reads a file beside the analysed one (a `*.pkg2.json` next to a `*.pkg3.json`), or gives
   * undefined. The core does no I/O: the CLI and the language server pass their own reader.
   */
  readSibling?: (fileName: string) => string | undefined;
  /** The workspace's sample trees: ClientURIs are resolved against them (DM 2.0 6.1.2). */
  trees?: TreeContext;
  /** DDFs by MOID, for sample tree files without a tree context. */
  ddfs?: ReadonlyMap<string, Ddf>;
}

export interface AnalyzeOptions {
  /**
   * False: only what the editor's features need (parse trees, the message and kind), without
   * validating a DM 2.0 package against its schema, its rules and the sample trees. A large
   * package is validated elsewhere while hover and completion read its structure here.
   */
  validate?: boolean;
}

function none(text: string, kind: FileKind): Analysis {
  return { text, kind, recognised: false, diagnostics: [], regions: [] };
}

/** Nothing but whitespace and an XML declaration: a new file, not yet a message. */
const NO_CONTENT_YET = /^\uFEFF?\s*(<\?xml[^<>]*\?>\s*)?$/;

export function analyzeText(text: string, hint: KindHint, env: AnalyzeEnv = {}, options: AnalyzeOptions = {}): Analysis {
  const { kind, claimed, packageKind } = fileKind(text, hint);
  if (kind === 'delegation') {
    // An unclaimed .xml is ours only when its root element names a delegation message: read from
    // the beginning of the text, so that any other XML file costs no parse at all.
    if (!claimed) {
      const root = sniffXmlRoot(text);
      if (root === undefined || !recogniseRoot(root)) return none(text, kind);
    }
    const doc = parseXml(text);
    if (!claimed && !isDelegationDocument(doc)) return none(text, kind);
    const region: Region = { type: 'delegation', start: 0, end: text.length, doc, analysis: { diagnostics: [] } };
    // A new, empty delegation file says nothing until it has content; completion offers the messages.
    if (claimed && NO_CONTENT_YET.test(text)) return { text, kind, recognised: true, diagnostics: [], regions: [region] };
    const analysis = validateDelegation(text, doc, { claimed });
    return { text, kind, recognised: true, diagnostics: byPosition(analysis.diagnostics), regions: [{ ...region, analysis }] };
  }
  if (kind === 'package') {
    // The editor language dm-json is the user's choice: the shape then only tells which package.
    const chosen = hint.languageId === PACKAGE_LANGUAGE_ID;
    if (!packageKind && !chosen && !sniffJsonPackage(text)) return none(text, kind);
    const json = new JsonDocument(text);
    const pkg = packageKind ?? (!json.valid ? undefined : chosen ? kindByEvidence(json.value) ?? kindByShape(json.value) : kindByEvidence(json.value));
    if (!pkg) return none(text, kind);
    const guessed = !packageKind && !chosen;
    const tree = isTreeFile(hint.fileName) ? new DmTree() : undefined;
    if (options.validate === false) {
      if (tree) loadTreeFile({ file: hint.fileName!, text }, tree, json);
      return { text, kind, recognised: true, ...(guessed ? { guessed } : {}), diagnostics: [], regions: [{ type: 'package', start: 0, end: text.length, kind: pkg, json, analysis: { kind: pkg, diagnostics: [] }, ...(tree ? { tree } : {}) }] };
    }
    const sibling = siblingPackage2(pkg, hint.fileName, env);
    const analysis = validatePackage(json, pkg, sibling?.context ?? {});
    const diagnostics = [...analysis.diagnostics];
    if (tree) {
      pushAll(diagnostics, loadTreeFile({ file: hint.fileName!, text }, tree, json));
      const ddfs = env.trees?.ddfs ?? env.ddfs;
      // Each instance against its DDF, and the number of instances against the MO root's Occurrence (6.4).
      if (ddfs) pushAll(diagnostics, checkTreeAgainstDdfs(tree, ddfs));
    }
    else if (env.trees && json.valid) {
      pushAll(diagnostics, checkAgainstTree(json, pkg, env.trees));
      if (sibling) pushAll(diagnostics, checkPredictedStatuses(json, predictStatuses(sibling.json, env.trees), sibling.name));
    }
    // Never an error on a file recognised only by its shape: it may be an application's own JSON.
    const reported = guessed ? diagnostics.map((d) => (d.severity === 'error' ? { ...d, severity: 'warning' as const } : d)) : diagnostics;
    return { text, kind, recognised: true, ...(guessed ? { guessed } : {}), diagnostics: byPosition(reported), regions: [{ type: 'package', start: 0, end: text.length, kind: pkg, json, analysis, ...(tree ? { tree } : {}) }] };
  }
  if (kind === 'ddf') {
    return { text, kind, recognised: true, diagnostics: byPosition(parseDdf(text, hint.fileName ?? '').diagnostics), regions: [] };
  }
  if (kind === 'notification') {
    const analysis = analyzeNotification(text);
    const diagnostics = [...analysis.diagnostics];
    const check = env.trees && verifyWithTree(analysis.notification, env.trees.tree);
    if (check) {
      const d = analysis.notification.options.find((o) => o.number === 4)!;
      const span = textSpan(analysis.input, d.valueOffset, d.valueLength, text.length);
      diagnostics.push(check.valid
        ? { ...span, severity: 'information', code: 'pkg0.digest-verified', message: `SHA256-DIGEST verified with the notification credentials of ${check.account} (DM 2.0 5.2.1.2).` }
        : { ...span, severity: 'error', code: 'pkg0.digest-mismatch', message: `SHA256-DIGEST does not match the notification credentials of ${check.account}: the DM Client ignores this notification (DM 2.0 5.2.1.2).` });
    }
    return { text, kind, recognised: true, diagnostics: byPosition(diagnostics.map((d) => beforeComment(text, d))), regions: [{ type: 'notification', start: 0, end: text.length, analysis }] };
  }
  if (kind === 'http') {
    const http = parseHttpExchange(text);
    const delegation = validateDelegationExchange(text, http);
    const dm20 = validateDm20Exchange(text, http);
    if (env.trees) for (const b of dm20.bodies) if (b.json.valid) pushAll(dm20.diagnostics, checkAgainstTree(b.json, b.kind, env.trees));
    if (!claimed && delegation.bodies.length === 0 && dm20.bodies.length === 0) return none(text, kind);
    const regions: Region[] = [
      ...delegation.bodies.map((b): Region => ({ type: 'delegation', start: b.message.body.start, end: b.message.body.end, doc: b.doc, analysis: b.analysis })),
      ...dm20.bodies.map((b): Region => ({ type: 'package', start: b.start, end: b.end, kind: b.kind, json: b.json, analysis: b.analysis })),
    ].sort((a, b) => a.start - b.start);
    return { text, kind, recognised: true, http, diagnostics: byPosition([...http.errors, ...delegation.diagnostics, ...dm20.diagnostics]), regions };
  }
  return none(text, kind);
}

/** A Package#3 beside a Package#2 of the same stem answers it (x.pkg3.json <- x.pkg2.json): read once, used twice. */
function siblingPackage2(kind: PackageKind, fileName: string | undefined, env: AnalyzeEnv): { json: JsonDocument; name: string; context: StatusContext } | undefined {
  if (kind !== 'pkg3' || !fileName || !env.readSibling || !/\.pkg3\.json$/i.test(fileName)) return undefined;
  const file = siblingOf(fileName);
  const text = env.readSibling(file);
  if (text === undefined) return undefined;
  const json = new JsonDocument(text);
  const name = file.split(/[\\/]/).pop()!;
  const commands = validatePackage(json, 'pkg2').commands;
  return { json, name, context: commands ? { commands, commandsFrom: name } : {} };
}

export function isTreeFile(fileName: string | undefined): boolean {
  return !!fileName && /\.dmtree\.json$/i.test(fileName);
}

function siblingOf(fileName: string): string {
  return fileName.replace(/\.pkg3\.json$/i, (m) => m.replace(/3/, '2'));
}

export function regionAt(analysis: Analysis, offset: number): Region | undefined {
  return analysis.regions.find((r) => offset >= r.start && offset <= r.end);
}

/**
 * A notification fault spanning several lines stops before the first `#` comment it would run
 * into: a comment is the author's, never part of the bytes at fault (the hex form of DM 2.0 7.1
 * as this product reads it).
 */
function beforeComment(text: string, d: Diagnostic): Diagnostic {
  const hash = text.indexOf('#', d.start);
  if (hash < 0 || hash >= d.end) return d;
  let end = hash;
  while (end > d.start && /\s/.test(text[end - 1]!)) end--;
  return end > d.start ? { ...d, end } : d;
}

function byPosition(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => a.start - b.start || a.end - b.end);
}
