/**
 * Quick fixes beyond the ones the core's rules carry: those that need the whole document or a
 * guess at what was meant. Each returns core fixes (offsets); the service turns them into LSP
 * code actions, and "fix all" takes every preferred fix whose edits do not collide.
 */
import type { Diagnostic, Fix, TextEdit } from '../core/diagnostic.js';
import type { Analysis, DelegationRegion, PackageRegion } from '../core/analyze.js';
import type { XmlElement } from '../core/xml/parse.js';
import { removeElement } from '../core/xml/edits.js';
import { COMMANDS } from '../core/dm20/commands.js';
import { isObject, own } from '../core/json/document.js';
import { type HttpMessage, header, mediaType } from '../core/http/message.js';
import { DELEGATION_MEDIA_TYPE } from '../core/delegation/mediaType.js';
import { messageByRoot, recogniseRoot } from '../core/delegation/messages.js';
import { skeleton } from '../core/delegation/build.js';
import { kindByMediaType } from '../core/dm20/packages.js';

/** The fixes for one diagnostic: the core's own, then these. */
export function fixesFor(analysis: Analysis, d: Diagnostic): Fix[] {
  const core = d.fixes ?? [];
  const extra: (Fix | undefined)[] = [];
  switch (d.code) {
    case 'del.unknown-element':
    case 'del.unexpected-element':
      extra.push(removeUnknownElement(analysis, d));
      break;
    case 'dm.command-unknown':
      if (!core.length) extra.push(...didYouMean(analysis, d));
      break;
    case 'del.reason-code-type':
      extra.push(digitsForLetters(analysis.text, d));
      break;
    case 'http.body-missing':
      extra.push(missingBody(analysis, d));
      break;
    case 'dm.status-form':
    case 'dm.schema':
      if (!core.length) extra.push(nestedStatuses(analysis, d));
      break;
  }
  return [...core, ...extra.filter((f): f is Fix => !!f)];
}

/**
 * Every preferred fix of the document, skipping any whose edits touch text another one already
 * changes: applied together they cannot contradict each other.
 */
export function fixAll(analysis: Analysis, diagnostics: Diagnostic[]): { edits: TextEdit[]; fixed: Diagnostic[] } {
  const edits: TextEdit[] = [];
  const seen = new Set<string>();
  const fixed: Diagnostic[] = [];
  // An element misspelled and reported missing too (<sessionid> for <sessionId>): renaming it
  // mends both, and inserting another one as well would repeat it.
  const renamedTo = new Set(diagnostics.filter((d) => d.code === 'del.unknown-element').flatMap((d) => fixesFor(analysis, d).find((f) => f.preferred)?.edits.map((e) => e.newText) ?? []));
  const insertsRenamed = (d: Diagnostic, fix: Fix): boolean => d.code === 'del.missing-parameter' && fix.edits.some((e) => renamedTo.has(/<([^\s>/]+)/.exec(e.newText)?.[1] ?? ''));
  const collides = (e: TextEdit): boolean => edits.some((x) => (x.start < e.end && e.start < x.end) || (x.start === x.end && e.start < x.start && x.start < e.end) || (e.start === e.end && x.start < e.start && e.start < x.end));
  for (const d of diagnostics) {
    const fix = fixesFor(analysis, d).find((f) => f.preferred);
    if (!fix || insertsRenamed(d, fix)) continue;
    const fresh = fix.edits.filter((e) => !seen.has(`${e.start}:${e.end}:${e.newText}`));
    if (fresh.some(collides)) continue;
    fixed.push(d);
    for (const e of fresh) {
      seen.add(`${e.start}:${e.end}:${e.newText}`);
      edits.push(e);
    }
  }
  return { edits, fixed };
}

function elementNamedAt(region: DelegationRegion, start: number): XmlElement | undefined {
  const stack = region.doc.root ? [region.doc.root] : [];
  while (stack.length) {
    const el = stack.pop()!;
    if (el.nameStart === start) return el;
    // One push per child, never a spread: an element may have more children than a call takes arguments.
    if (el.start <= start && start <= el.end) for (const c of el.children) stack.push(c);
  }
  return undefined;
}

/** `<foo>` that no table of Delegation 5.3 knows: removed with its line. */
function removeUnknownElement(analysis: Analysis, d: Diagnostic): Fix | undefined {
  const region = analysis.regions.find((r): r is DelegationRegion => r.type === 'delegation' && d.start >= r.start && d.end <= r.end);
  const el = region && elementNamedAt(region, d.start);
  return el ? { title: `Remove <${el.name}>`, edits: [removeElement(analysis.text, el)] } : undefined;
}

/** Optimal string alignment distance: a transposition (GTE for GET) counts once. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** A misspelled command (DM 2.0 5.3): the commands nearest to it, the nearest one preferred when it is alone. */
function didYouMean(analysis: Analysis, d: Diagnostic): Fix[] {
  const raw = analysis.text.slice(d.start, d.end);
  let name: unknown;
  try {
    name = JSON.parse(raw);
  } catch {
    return [];
  }
  if (typeof name !== 'string' || !name || name.length > 20) return [];
  const upper = name.toUpperCase();
  const scored = COMMANDS.map((c) => ({ c, n: distance(upper, c.name) })).filter((x) => x.n <= Math.max(1, Math.min(2, x.c.name.length - 2)));
  if (!scored.length) return [];
  const best = Math.min(...scored.map((x) => x.n));
  const nearest = scored.filter((x) => x.n === best);
  return nearest.map((x) => ({ title: `Did you mean ${x.c.name}?`, edits: [{ start: d.start, end: d.end, newText: JSON.stringify(x.c.name) }], preferred: nearest.length === 1 }));
}

/** `2OO`: letters typed for the digits they look like (O for 0, l and I for 1). */
function digitsForLetters(text: string, d: Diagnostic): Fix | undefined {
  const value = text.slice(d.start, d.end);
  if (!/^[0-9OoIlL]+$/.test(value) || !/[OoIlL]/.test(value) || !/[0-9]/.test(value)) return undefined;
  const digits = value.replace(/[Oo]/g, '0').replace(/[IlL]/g, '1');
  return { title: `Change to ${digits}`, edits: [{ start: d.start, end: d.end, newText: digits }], preferred: true };
}

/**
 * A response that must carry a message but has none: the message the request asks for, as a
 * skeleton with every required element (Delegation 5.3: delegation_resp, bootstrap_srv_url_delivery,
 * delegation_termination_ack), or a Package#2 that ends the session (DM 2.0 5.2.3, 5.3.9).
 */
function missingBody(analysis: Analysis, d: Diagnostic): Fix | undefined {
  const messages = analysis.http?.messages ?? [];
  const k = messages.findIndex((m) => m.startLine.start === d.start);
  const msg = messages[k];
  if (!msg || msg.kind !== 'response' || msg.body.end > msg.body.start) return undefined;
  const eol = analysis.text.includes('\r\n') ? '\r\n' : '\n';
  const ct = header(msg, 'content-type');
  const type = ct ? mediaType(ct.value) : undefined;
  const request = messages[k - 1]?.kind === 'request' ? messages[k - 1] : undefined;
  const carried = request && analysis.regions.find((r): r is DelegationRegion => r.type === 'delegation' && r.start >= request.body.start && r.end <= request.body.end);
  const root = carried?.doc.root && recogniseRoot(carried.doc.root.name)?.message;
  const expected = root?.transport.kind === 'post' && root.transport.response !== 'no-content' ? messageByRoot(root.transport.response) : undefined;
  if (expected && (!type || type === DELEGATION_MEDIA_TYPE)) {
    return { title: `Insert the ${expected.name} body`, edits: [insertBody(analysis.text, msg, ct ? undefined : `Content-Type: ${DELEGATION_MEDIA_TYPE}`, skeleton(expected).trimEnd(), eol)], preferred: true };
  }
  if (type && kindByMediaType(type) === 'pkg2') {
    return { title: 'Insert a Package#2 that ends the session', edits: [insertBody(analysis.text, msg, undefined, `{${eol} "CMD": [${eol}  ["END"]${eol} ]${eol}}`, eol)], preferred: true };
  }
  return undefined;
}

function insertBody(text: string, msg: HttpMessage, headerLine: string | undefined, body: string, eol: string): TextEdit {
  const at = msg.headers.length ? msg.headers[msg.headers.length - 1]!.end : msg.startLine.end;
  // The header block ends at an empty line (RFC 7230 §3); what followed the headers stays after the body.
  const rest = text.slice(at);
  const blankFollows = new RegExp(`^(?:\\r?\\n)[ \\t]*\\r?\\n`).test(rest);
  return { start: at, end: at, newText: `${headerLine ? eol + headerLine : ''}${eol}${eol}${body}${blankFollows ? '' : eol}` };
}

/**
 * Package#3 statuses written as `[code, "URI", ...]` arrays (or mixed with the bare numbers of
 * Appendix F and I): the schema form of 7.2.1.3, `{"sc": code, "URI": [...]}`.
 */
function nestedStatuses(analysis: Analysis, d: Diagnostic): Fix | undefined {
  const region = analysis.regions.find((r): r is PackageRegion => r.type === 'package' && r.kind === 'pkg3' && d.start >= r.start && d.end <= r.end);
  const value = region?.json.value;
  const statuses = isObject(value) ? own(value, 'Status') : undefined;
  if (!region || !Array.isArray(statuses) || !statuses.some(Array.isArray)) return undefined;
  const range = region.json.range(['Status']);
  if (d.code === 'dm.schema' && !(d.start >= range.start && d.end <= range.end)) return undefined;
  const items: { sc: number; URI?: string[] }[] = [];
  for (const s of statuses) {
    if (typeof s === 'number') items.push({ sc: s });
    else if (typeof s === 'string' && items.length) (items[items.length - 1]!.URI ??= []).push(s);
    else if (Array.isArray(s) && typeof s[0] === 'number' && s.slice(1).every((u) => typeof u === 'string')) items.push(s.length > 1 ? { sc: s[0], URI: s.slice(1) as string[] } : { sc: s[0] });
    else if (isObject(s) && typeof own(s, 'sc') === 'number') items.push(s as { sc: number; URI?: string[] });
    else return undefined;
  }
  const text = analysis.text;
  const keyStart = region.json.range(['Status'], 'key').start;
  const indent = /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', keyStart - 1) + 1))![0];
  const inner = indent + (indent.includes('\t') ? '\t' : ' ');
  const body = `[\n${items.map((s) => inner + JSON.stringify(s).replace(/^\{"sc":/, '{"sc": ').replace(/,"URI":/, ', "URI": ')).join(',\n')}\n${indent}]`;
  return { title: 'Convert to the schema form {"sc": ...}', edits: [{ ...range, newText: body }], preferred: true };
}
