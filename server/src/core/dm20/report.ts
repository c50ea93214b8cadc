/** Diagnostics at JSON paths, and the checks every package kind shares (ClientURI, ServerURI, MOID, alerts). */
import type { Diagnostic, Fix, Severity } from '../diagnostic.js';
import { type JsonDocument, type JsonPath, type Span, isObject, own } from '../json/document.js';
import { isPlainClientUri, parseClientUri } from './clientUri.js';
import { checkServerUri } from './serverUri.js';
import { command as commandInfo, type CommandName } from './commands.js';
import { ALERT_TYPES, MARKS, alertType } from './alerts.js';
import { MOID_PATTERN } from './moids.js';

export class Reporter {
  constructor(
    readonly doc: JsonDocument,
    readonly out: Diagnostic[],
  ) {}

  add(span: Span, severity: Severity, code: string, message: string, fixes?: Fix[]): void {
    this.out.push({ ...span, severity, code, message, ...(fixes?.length ? { fixes } : {}) });
  }

  at(path: JsonPath, severity: Severity, code: string, message: string, fixes?: Fix[], part: 'value' | 'key' = 'value'): void {
    this.add(this.doc.range(path, part), severity, code, message, fixes);
  }

  /** Replaces the JSON value at `path` with `json` text. */
  replace(path: JsonPath, json: string, title: string, preferred = true): Fix {
    return { title, edits: [{ ...this.doc.range(path), newText: json }], preferred };
  }
}

/** `oma:mo:...` without `urn:`, as some examples of the specification write it. */
function missingUrn(moid: string): boolean {
  return /^oma:mo:/i.test(moid);
}

/** The last MOID found well-formed: a large package repeats one MOID in thousands of ClientURIs. */
let lastGoodMoid = '';

function isGoodMoid(moid: string): boolean {
  if (moid === lastGoodMoid) return true;
  const ok = !missingUrn(moid) && MOID_PATTERN.test(moid);
  if (ok) lastGoodMoid = moid;
  return ok;
}

/**
 * True when checkClientUri would find nothing to report in `text`, decided without parsing it
 * (see isPlainClientUri): a loop over a large package's ClientURIs asks this first, and makes a
 * path only for those it has to check.
 */
export function plainClientUri(text: string): boolean {
  return isPlainClientUri(text, lastGoodMoid);
}

/** A path made only when something is reported at it: most items of a large package have nothing to report. */
export type LazyPath = JsonPath | (() => JsonPath);

function pathOf(path: LazyPath): JsonPath {
  return typeof path === 'function' ? path() : path;
}

export function checkMoid(r: Reporter, path: LazyPath, moid: string, inside?: { offset: number }): void {
  if (isGoodMoid(moid)) return;
  const p = pathOf(path);
  // Ranges are looked up only for what is reported (a clean 10 MB package reads no node by path).
  const span = inside ? r.doc.rangeInString(p, inside.offset, inside.offset + moid.length) : r.doc.range(p);
  if (missingUrn(moid)) {
    const fix: Fix = inside
      ? { title: 'Add the "urn:" prefix', edits: [{ start: span.start, end: span.start, newText: 'urn:' }], preferred: true }
      : { title: 'Add the "urn:" prefix', edits: [{ start: span.start + 1, end: span.start + 1, newText: 'urn:' }], preferred: true };
    r.add(span, 'warning', 'dm.moid-urn', `The MOID '${moid}' lacks its "urn:" prefix (some examples of DM 2.0 drop it); MOIDs are URNs such as urn:${moid} (DM 2.0 6.3).`, [fix]);
    return;
  }
  if (!MOID_PATTERN.test(moid)) r.add(span, 'error', 'dm.moid', `'${moid}' is not an MOID: a URN such as urn:oma:mo:oma-dm-devinfo:1.0 (DM 2.0 6.3).`);
}

/**
 * A ClientURI string at `path`, checked by the ABNF of 6.1.1 and, when the command is known, for
 * the query fields that command accepts (6.1.1.3).
 */
export function checkClientUri(r: Reporter, path: LazyPath, text: string, cmd?: CommandName): void {
  // Nearly every ClientURI of a large package: well-formed, of the MOID before it, no query field
  // to judge. Nothing to report, so neither a parse nor a path.
  if (isPlainClientUri(text, lastGoodMoid)) return;
  const u = parseClientUri(text);
  if (u.problems.length === 0 && u.query.length === 0 && isGoodMoid(u.moid.text)) return;
  const p = pathOf(path);
  checkMoid(r, p, u.moid.text, { offset: 0 });
  for (const x of u.problems) {
    if (x.code === 'dm.clienturi-syntax' && x.start === 0 && !u.moid.text) continue;
    r.add(r.doc.rangeInString(p, x.start, x.end), x.severity, x.code, x.message);
  }
  for (const f of u.query) {
    const span = (): Span => r.doc.rangeInString(p, f.start, f.end);
    if (f.name === 'nv') continue;
    if (f.name === 'lv' || f.name === 'cv') {
      const info = cmd && commandInfo(cmd);
      if (info && !info.queryFields.includes(f.name)) {
        r.add(span(), 'error', 'dm.clienturi-query', `${f.name} applies only to GET, HPUT and HPOST, not to ${cmd} (DM 2.0 6.1.1.3).`);
      }
      continue;
    }
    r.add(span(), 'information', 'dm.clienturi-query-unknown', `'${f.name}' is not a standard query field (lv, nv, cv); a DM Client ignores fields it does not recognise (DM 2.0 6.1.1.3).`);
  }
}

export function checkServerUriAt(r: Reporter, path: LazyPath, text: string): void {
  const problems = checkServerUri(text);
  if (!problems.length) return;
  const p = pathOf(path);
  for (const x of problems) r.add(r.doc.rangeInString(p, x.start, x.end), 'error', x.code, x.message);
}

/** The last DDF link found to be an absolute URI: MO data repeats one link in every item. */
let lastGoodDdf = '';

/**
 * A DDF link: "The link to the DDF file" (5.2.2). The MUST there is that the link is present
 * (dm.mos-item); a value that is no absolute URI may still be a relative link: a warning.
 */
export function checkDdf(r: Reporter, path: LazyPath, ddf: unknown): void {
  if (typeof ddf !== 'string' || ddf === lastGoodDdf) return;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(ddf)) lastGoodDdf = ddf;
  else r.at(pathOf(path), 'warning', 'dm.ddf-uri', `DDF '${ddf}' should be the URI of the DDF file (DM 2.0 5.2.2, 6.4).`);
}

/** The Generic Alerts of an `Alert` array (5.4, Appendix D). */
export function checkAlerts(r: Reporter, path: JsonPath, alerts: unknown): void {
  if (!Array.isArray(alerts)) return;
  for (let i = 0; i < alerts.length; i++) {
    const a: unknown = alerts[i];
    if (!isObject(a)) continue;
    const p = (key: string): JsonPath => [...path, i, key];
    const type = own(a, 'AlertType');
    if (typeof type === 'string') {
      if (/^urn:oma:at:dm:2\.0:/.test(type) && !alertType(type)) {
        r.at(p('AlertType'), 'warning', 'dm.alert-type', `${type} is not a DM 2.0 alert type; Appendix D defines ${ALERT_TYPES.map((t) => t.type).join(', ')}.`);
      }
      if (type === 'urn:oma:at:dm:2.0:ServerInitiatedMgmt' && !carriesNotificationId(own(a, 'Data'))) {
        // 5.2.2: "the Data property of the Generic Alert MUST include the NOTIFICATION-ID".
        r.at(p('AlertType'), 'error', 'dm.alert-notification-id', 'The Data of a ServerInitiatedMgmt alert MUST include the NOTIFICATION-ID of the DM Notification that started the session (DM 2.0 5.2.2, Appendix D).');
      }
    }
    const mark = own(a, 'Mark');
    if (typeof mark === 'string' && !MARKS.includes(mark)) {
      const near = MARKS.find((m) => m === mark.toLowerCase());
      r.at(p('Mark'), 'error', 'dm.alert-mark', `Mark '${mark}' is not an importance level: ${MARKS.join(', ')} (DM 2.0 5.4).`, near ? [r.replace(p('Mark'), JSON.stringify(near), `Change to "${near}"`)] : undefined);
    }
    if (own(a, 'Data') !== undefined && own(a, 'DataType') === undefined) {
      r.at(p('Data'), 'error', 'dm.alert-datatype', 'DataType, the Media Type of Data, MUST be present when Data is (DM 2.0 5.4).', undefined, 'key');
    }
    for (const key of ['SourceURI', 'TargetURI']) {
      const v = own(a, key);
      if (typeof v === 'string') checkClientUri(r, () => p(key), v);
    }
  }
}

function carriesNotificationId(data: unknown): boolean {
  if (typeof data === 'number') return Number.isInteger(data) && data >= 0 && data <= 0xffff;
  if (!isObject(data)) return false;
  return Object.entries(data).some(([k, v]) => /notification.?id/i.test(k) && (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))));
}
