/** Diagnostics at JSON paths, and the checks every package kind shares (ClientURI, ServerURI, MOID, alerts). */
import type { Diagnostic, Fix, Severity } from '../diagnostic.js';
import { type JsonDocument, type JsonPath, type Span, isObject, own } from '../json/document.js';
import { parseClientUri, type ClientUri } from './clientUri.js';
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

export function checkMoid(r: Reporter, path: JsonPath, moid: string, inside?: { offset: number }): void {
  const ok = !missingUrn(moid) && MOID_PATTERN.test(moid);
  if (ok) return;
  // Ranges need the ranged JSON tree: computed only for what is reported (a clean 10 MB package builds none).
  const span = inside ? r.doc.rangeInString(path, inside.offset, inside.offset + moid.length) : r.doc.range(path);
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
export function checkClientUri(r: Reporter, path: JsonPath, text: string, cmd?: CommandName): ClientUri {
  const u = parseClientUri(text);
  checkMoid(r, path, u.moid.text, { offset: 0 });
  for (const p of u.problems) {
    if (p.code === 'dm.clienturi-syntax' && p.start === 0 && !u.moid.text) continue;
    r.add(r.doc.rangeInString(path, p.start, p.end), p.severity, p.code, p.message);
  }
  for (const f of u.query) {
    const span = (): Span => r.doc.rangeInString(path, f.start, f.end);
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
  return u;
}

export function checkServerUriAt(r: Reporter, path: JsonPath, text: string): void {
  for (const p of checkServerUri(text)) r.add(r.doc.rangeInString(path, p.start, p.end), 'error', p.code, p.message);
}

/**
 * A DDF link: "The link to the DDF file" (5.2.2). The MUST there is that the link is present
 * (dm.mos-item); a value that is no absolute URI may still be a relative link: a warning.
 */
export function checkDdf(r: Reporter, path: JsonPath, ddf: unknown): void {
  if (typeof ddf !== 'string') return;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(ddf)) r.at(path, 'warning', 'dm.ddf-uri', `DDF '${ddf}' should be the URI of the DDF file (DM 2.0 5.2.2, 6.4).`);
}

/** The Generic Alerts of an `Alert` array (5.4, Appendix D). */
export function checkAlerts(r: Reporter, path: JsonPath, alerts: unknown): void {
  if (!Array.isArray(alerts)) return;
  alerts.forEach((a, i) => {
    if (!isObject(a)) return;
    const p = [...path, i];
    const type = own(a, 'AlertType');
    if (typeof type === 'string') {
      if (/^urn:oma:at:dm:2\.0:/.test(type) && !alertType(type)) {
        r.at([...p, 'AlertType'], 'warning', 'dm.alert-type', `${type} is not a DM 2.0 alert type; Appendix D defines ${ALERT_TYPES.map((t) => t.type).join(', ')}.`);
      }
      if (type === 'urn:oma:at:dm:2.0:ServerInitiatedMgmt' && !carriesNotificationId(own(a, 'Data'))) {
        // 5.2.2: "the Data property of the Generic Alert MUST include the NOTIFICATION-ID".
        r.at([...p, 'AlertType'], 'error', 'dm.alert-notification-id', 'The Data of a ServerInitiatedMgmt alert MUST include the NOTIFICATION-ID of the DM Notification that started the session (DM 2.0 5.2.2, Appendix D).');
      }
    }
    const mark = own(a, 'Mark');
    if (typeof mark === 'string' && !MARKS.includes(mark)) {
      const near = MARKS.find((m) => m === mark.toLowerCase());
      r.at([...p, 'Mark'], 'error', 'dm.alert-mark', `Mark '${mark}' is not an importance level: ${MARKS.join(', ')} (DM 2.0 5.4).`, near ? [r.replace([...p, 'Mark'], JSON.stringify(near), `Change to "${near}"`)] : undefined);
    }
    if (own(a, 'Data') !== undefined && own(a, 'DataType') === undefined) {
      r.at([...p, 'Data'], 'error', 'dm.alert-datatype', 'DataType, the Media Type of Data, MUST be present when Data is (DM 2.0 5.4).', undefined, 'key');
    }
    for (const key of ['SourceURI', 'TargetURI']) {
      const v = own(a, key);
      if (typeof v === 'string') checkClientUri(r, [...p, key], v);
    }
  });
}

function carriesNotificationId(data: unknown): boolean {
  if (typeof data === 'number') return Number.isInteger(data) && data >= 0 && data <= 0xffff;
  if (!isObject(data)) return false;
  return Object.entries(data).some(([k, v]) => /notification.?id/i.test(k) && (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))));
}
