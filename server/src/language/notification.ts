/**
 * DM Notifications in the editor: hover on any byte, inlay hints naming the fields, semantic
 * tokens telling header, option header and option value apart, an outline of the options, and
 * the decoded report (a field table and a byte map) for the "Decode DM Notification" command.
 */
import type { NotificationRegion } from '../core/analyze.js';
import { type NotificationAnalysis, analyzeNotification, byteAt, textSpan } from '../core/notification/analyze.js';
import { type Row, offsetLabel, rows, summary } from '../core/notification/describe.js';
import { mdCode, mdText } from '../core/text/markdown.js';
import { optionInfo } from '../core/notification/options.js';
import { verify } from '../core/notification/codec.js';
import type { HoverResult } from './delegationHover.js';

function rowAt(a: NotificationAnalysis, byte: number): Row | undefined {
  return rows(a.notification, a.input.bytes.subarray(0, a.input.packageOffset)).find((r) => byte >= r.offset && byte < r.offset + r.length);
}

export function notificationHover(region: NotificationRegion, offset: number): HoverResult | undefined {
  const a = region.analysis;
  const byte = byteAt(a.input, offset);
  if (byte === undefined) return undefined;
  const row = rowAt(a, byte);
  if (!row) return undefined;
  const span = row.offset < 0 ? { start: a.input.spans[0]!.start, end: a.input.spans[a.input.packageOffset - 1]!.end } : textSpan(a.input, row.offset, row.length, Infinity);
  const name = row.kind === 'option-value' || row.kind === 'option-header' ? row.field.replace(/ option header$/, '') : '';
  const info = name ? a.notification.options.find((o) => o.name === name) : undefined;
  const doc = info && optionInfo(info.number)?.description;
  const lines = [`**${row.field}** — bytes ${row.offset}${row.length > 1 ? `-${row.offset + row.length - 1}` : ''}`, '', mdText(row.value)];
  if (row.kind === 'header') {
    const h = a.notification;
    lines.push('', `VER (4 bits) ${h.version}: DM Notification version, 2 for DM 2.0`, `OC (5 bits) ${h.optionCount}: number of options`, `RESERVED (7 bits) ${h.reserved}`);
  }
  if (doc) lines.push('', doc);
  lines.push('', `_DM 2.0 ${row.kind === 'header' ? '7.1.1.1, 5.2.1.1' : row.kind === 'wap-push' ? 'Appendix E.1' : '7.1.1.2, 5.2.1.2'}_`);
  return { ...span, markdown: lines.join('\n') };
}

export interface InlayHintData {
  offset: number;
  label: string;
  before: boolean;
}

/** The `#` comment on the line of `offset`, upper-cased, or ''. */
function commentOfLine(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  const hash = text.indexOf('#', start);
  return hash >= 0 && hash < end ? text.slice(hash, end).toUpperCase() : '';
}

/** Whether a comment names the field, as people write it: SERVER-ID, SERVER ID, SERVER_ID. */
function says(comment: string, name: string): boolean {
  const words = name.toUpperCase().split(/[-_ ]/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`\\b${words.join('[-_ ]?')}\\b`).test(comment);
}

/**
 * A label before the first byte of the header and of each option: what the bytes that follow
 * are. A line whose own `#` comment already names the field gets none, so that hand-written,
 * aligned comments stay where their author put them.
 */
export function notificationInlayHints(region: NotificationRegion, text: string): InlayHintData[] {
  const a = region.analysis;
  const out: InlayHintData[] = [];
  for (const r of rows(a.notification, a.input.bytes.subarray(0, a.input.packageOffset))) {
    if (r.kind !== 'header' && r.kind !== 'option-header') continue;
    const span = textSpan(a.input, r.offset, r.length, Infinity);
    const comment = commentOfLine(text, span.start);
    if (r.kind === 'header') {
      if (!/\b(VER|OC|HEADER)\b/.test(comment)) out.push({ offset: span.start, label: `VER ${a.notification.version} · OC ${a.notification.optionCount}:`, before: true });
      continue;
    }
    const opt = a.notification.options.find((o) => o.offset === r.offset)!;
    if (!says(comment, opt.name)) out.push({ offset: span.start, label: `${opt.name}:`, before: true });
  }
  return out;
}

/** Semantic token kinds: 0 header, 1 option header, 2 option value, 3 WAP Push header. */
export function notificationTokens(region: NotificationRegion): { start: number; end: number; kind: number }[] {
  const a = region.analysis;
  const kind: Record<Row['kind'], number> = { header: 0, 'option-header': 1, 'option-value': 2, 'wap-push': 3 };
  const out: { start: number; end: number; kind: number }[] = [];
  for (const r of rows(a.notification, a.input.bytes.subarray(0, a.input.packageOffset))) {
    for (let i = 0; i < r.length; i++) {
      const s = a.input.spans[a.input.packageOffset + r.offset + i];
      if (s) out.push({ ...s, kind: kind[r.kind] });
    }
  }
  return out.sort((x, y) => x.start - y.start);
}

/**
 * The "Decode DM Notification" report in Markdown. With a secret (and auth data), the digest is
 * verified.
 */
export function notificationReport(text: string, secret?: { secret: Uint8Array; authData: Uint8Array }): string {
  const a = analyzeNotification(text);
  const n = a.notification;
  const s = summary(n);
  const lines = ['# DM Notification (Package#0)', ''];
  lines.push(`Read as **${a.input.form}**${a.input.wapPush ? ', inside a connectionless **WAP Push** (DM 2.0 E.1)' : ''}: ${n.bytes.length} bytes.`, '');
  if (s.serverId !== undefined) lines.push(`- SERVER-ID: ${mdCode(s.serverId)}`);
  if (s.notificationId !== undefined) lines.push(`- NOTIFICATION-ID: ${s.notificationId}`);
  if (s.preferredConTypes) lines.push(`- PREFERRED-CON-TYPE: ${s.preferredConTypes.join(', ')}`);
  if (s.timestamp) lines.push(`- TIMESTAMP: ${s.timestamp}`);
  lines.push(`- REQ-MOS: ${s.reqMos ? 'yes' : 'no'}`);
  if (s.digest !== undefined) {
    const v = secret ? verify(n.bytes, secret.secret, secret.authData) : undefined;
    lines.push(`- SHA256-DIGEST: ${v === undefined ? 'present, not verified (no secret given)' : v ? 'verified' : '**does not match** the secret and auth data'}`);
  }
  lines.push('', '| bytes | hex | field | value |', '| --- | --- | --- | --- |');
  for (const r of rows(n, a.input.bytes.subarray(0, a.input.packageOffset))) {
    lines.push(`| ${offsetLabel(r)} | \`${r.hex}\` | ${r.field} | ${mdText(r.value)} |`);
  }
  if (n.problems.length || a.input.errors.length) {
    lines.push('', '## Problems', '');
    for (const e of a.input.errors) lines.push(`- ${e.message}`);
    for (const p of n.problems) lines.push(`- byte ${p.offset}${p.length > 1 ? `-${p.offset + p.length - 1}` : ''}: **${p.code}** ${p.message}`);
  }
  lines.push('', '## Byte map', '', '```');
  const mark: string[] = Array.from(n.bytes, () => '.');
  for (const r of rows(n)) for (let i = 0; i < r.length; i++) if (r.offset + i >= 0 && r.offset + i < mark.length) mark[r.offset + i] = r.kind === 'header' ? 'H' : r.kind === 'option-header' ? 'O' : 'V';
  for (let i = 0; i < n.bytes.length; i += 16) {
    const chunk = Array.from(n.bytes.subarray(i, i + 16), (b) => b.toString(16).padStart(2, '0'));
    lines.push(`${i.toString().padStart(4, ' ')}  ${chunk.join(' ').padEnd(47)}  ${mark.slice(i, i + 16).join('')}`);
  }
  lines.push('```', '', 'H header, O option header, V option value. _DM 2.0 7.1_');
  return lines.join('\n');
}

/** Whether a string (from a fixture) is a hex notification that decodes without errors. */
export function cleanNotification(text: string): boolean {
  if (!/^\s*(0x)?[0-9a-fA-F]{2}([\s:]?[0-9a-fA-F]{2}){3,}\s*$/.test(text)) return false;
  const a = analyzeNotification(text);
  return a.input.errors.length === 0 && a.notification.problems.every((p) => p.severity !== 'error') && a.notification.options.length > 0;
}
