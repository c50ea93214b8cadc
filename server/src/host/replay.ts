/**
 * Replaying a trace: the HTTP POSTs the devices and peers sent (Package#1 and #3, DM 2.0 5.2.2 and
 * 5.2.4; delegation messages, Delegation 5.3; HPOST data) are sent again, in trace order, to the
 * target given, and each new response is compared with the recorded one: its status, and its body
 * (JSON compared as values, other bodies as text). Two kinds of target:
 *
 * - URLs: each recorded origin (scheme, host and port) is replaced by a new one; the recorded
 *   origin inside the recorded bodies is read as the new one, so that a Package#2 naming its own
 *   Data Repository compares equal when it moved.
 * - A fresh mini DM Server, started for the replay on loopback and stopped after it: before each
 *   package is sent, the Package#2 recorded in answer to it is queued for the device (by its
 *   OMADM-DevID), so the server answers as recorded wherever the device's packages are still
 *   acceptable: a difference means a package the DM Server refuses now (out of sequence, invalid,
 *   statuses that do not match the commands), or a recorded failure that does not happen again.
 *   Only DM packages are replayed to it.
 *
 * Credentials never reach a trace (an Authorization header is recorded as «redacted»): such a
 * header is not sent again, and the report says so.
 */
import type { TraceEvent } from '../core/trace/events.js';
import { package2Answers, tracedRequest } from '../core/trace/dmhttp.js';
import { messageLabel } from '../core/trace/diagram.js';
import { type HttpPort, NO_TRACE, text, utf8 } from '../core/engine/ports.js';
import { DmServerEngine } from '../core/engine/server.js';
import { DataRepository, MemoryStore } from '../core/engine/repository.js';
import { parsePackage } from '../core/dm20/model.js';
import { UndiciHttpClient } from './httpClient.js';
import { serveDmServer } from './dmServerHost.js';

export interface ReplayOptions {
  /**
   * Recorded origin (`https://127.0.0.1:46725`) -> the origin to send to instead; `*` for every
   * origin not listed, and for recorded requests whose URL is a path. An origin mapped to '' is
   * not replayed.
   */
  targets?: Record<string, string>;
  /** Replay the DM packages to a fresh mini DM Server instead (the targets are not used). */
  dmServer?: boolean;
  /** The HTTP client (default: undici, with `timeout`). */
  http?: HttpPort;
  /** Milliseconds to wait for each answer (default 10 s). */
  timeout?: number;
  /** Requests replayed at most (default 10,000); the rest are reported as not replayed. */
  maxRequests?: number;
  /** Stops the replay before the next request. */
  signal?: AbortSignal;
  /** Called after each request. */
  progress?: (done: number, total: number) => void;
}

/** A recorded or a new response. */
export interface Answer {
  status?: number;
  /** Why there is no status: the request got no answer. */
  error?: string;
  /** The body as text (JSON pretty-printed), cut at `MAX_BODY` characters; undefined: not recorded. */
  body?: string;
}

export interface ReplayItem {
  /** Index of the request in the trace. */
  event: number;
  /** "Package#1", "delegation_req", "POST /repository/x". */
  label: string;
  method: string;
  /** Where it was sent this time. */
  url: string;
  recorded: Answer;
  replayed: Answer;
  /** What differs, for people; empty when the responses match. */
  differences: string[];
}

export interface ReplayReport {
  /** What the requests were sent to: the URLs, or the mini DM Server's. */
  target: string;
  items: ReplayItem[];
  /** Requests not replayed, and why (at most 100 listed). */
  skipped: { event: number; reason: string }[];
  moreSkipped: number;
  /** Header fields recorded without their value (credentials), left out of the requests. */
  redacted: string[];
  cancelled: boolean;
}

/** Characters of a body kept in the report: enough to see a difference, bounded for huge traces. */
export const MAX_BODY = 64 * 1024;

export async function replayTrace(events: readonly TraceEvent[], opts: ReplayOptions = {}): Promise<ReplayReport> {
  const skipped: { event: number; reason: string }[] = [];
  let moreSkipped = 0;
  const skip = (event: number, reason: string): void => {
    if (skipped.length < 100) skipped.push({ event, reason });
    else moreSkipped++;
  };
  const answers = package2Answers(events);
  const max = opts.maxRequests ?? 10_000;
  const chosen: number[] = [];
  events.forEach((e, n) => {
    const isPackage = e.kind === 'package1' || e.kind === 'package3';
    if (e.transport !== 'http' || !(isPackage || e.kind === 'http')) return;
    if (str(e.method).toUpperCase() !== 'POST') return;
    // The receiver's record of a request holds no answer to compare with; the sender's record of it is replayed.
    if (typeof e.status !== 'number' && !answers.has(n) && !e.note) return skip(n, 'recorded by its receiver: no response to compare with');
    if (opts.dmServer && !isPackage) return skip(n, 'not a DM package: replayed against a URL only');
    if (chosen.length >= max) return skip(n, `more than ${max} requests: not replayed`);
    chosen.push(n);
  });

  const http = opts.http ?? new UndiciHttpClient({ timeout: opts.timeout ?? 10_000 });
  const redacted = new Set<string>();
  const items: ReplayItem[] = [];
  let server: { url: string; engine: DmServerEngine; close(): Promise<void> } | undefined;
  let cancelled = false;
  try {
    if (opts.dmServer) {
      const engine = new DmServerEngine({ serverId: 'REPLAY', name: 'replay', repository: new DataRepository(new MemoryStore()), clock: { now: () => Date.now() }, trace: NO_TRACE });
      const running = await serveDmServer(engine, { host: '127.0.0.1', port: 0 });
      server = { url: running.url, engine, close: () => running.close() };
    }
    let done = 0;
    for (const n of chosen) {
      if (opts.signal?.aborted) {
        cancelled = true;
        break;
      }
      const e = events[n]!;
      const req = tracedRequest(e);
      for (const [k, v] of Object.entries(req.headers)) {
        if (v.includes('«redacted»')) {
          redacted.add(k);
          delete req.headers[k];
        }
      }
      const recordedOrigin = originOf(req.url);
      const to = server ? server.url : opts.targets?.[recordedOrigin ?? ''] ?? opts.targets?.['*'];
      if (!to) {
        skip(n, to === '' ? `${recordedOrigin} is not replayed` : `no target for ${recordedOrigin ?? `the path ${req.url}`}`);
        continue;
      }
      const url = retarget(req.url, to);
      const answerAt = answers.get(n);
      const recorded = recordedAnswer(e, answerAt === undefined ? undefined : events[answerAt]);
      const notes: string[] = [];
      if (server) {
        // The Package#2 recorded in answer to this package is the one the server sends back.
        const devId = req.headers['omadm-devid'];
        if (devId) {
          const pkg = answerAt === undefined ? undefined : parsePackage(json(events[answerAt]!.body), 'pkg2').value;
          if (answerAt !== undefined && !pkg) notes.push('the recorded Package#2 does not parse: the mini DM Server answers END instead');
          server.engine.device(devId).queue = pkg ? [pkg] : [];
        }
      }
      const outcome = await http.send({ method: 'POST', url, headers: req.headers, ...(req.body ? { body: utf8(req.body) } : {}) });
      const replayed: Answer = outcome.ok ? { status: outcome.response.status, body: cut(pretty(text(outcome.response.body))) } : { error: outcome.error };
      // The recorded origin named in a recorded body stands for the target now.
      const expected = recordedOrigin && !server && recorded.body !== undefined ? { ...recorded, body: recorded.body.split(recordedOrigin).join(originOf(url) ?? recordedOrigin) } : recorded;
      items.push({ event: n, label: messageLabel(e), method: req.method, url, recorded, replayed, differences: [...notes, ...compare(expected, replayed)] });
      opts.progress?.(++done, chosen.length);
    }
  } finally {
    await server?.close();
    if (!opts.http) await (http as UndiciHttpClient).close();
  }
  return { target: server ? `a fresh mini DM Server at ${server.url}` : Object.entries(opts.targets ?? {}).map(([k, v]) => (k === '*' ? v || '(none)' : `${k} → ${v || '(not replayed)'}`)).join(', '), items, skipped, moreSkipped, redacted: [...redacted], cancelled };
}

/** What the trace says came back: the Package#2 of a package, or the exchange's own status and body. */
function recordedAnswer(e: TraceEvent, package2: TraceEvent | undefined): Answer {
  if (package2) return { status: typeof package2.status === 'number' ? package2.status : 200, body: cut(json(package2.body)) };
  if (typeof e.status !== 'number') return { error: str(e.note) || 'no answer' };
  // A package answered with an error: the trace keeps its status, not the problem document.
  if (e.kind !== 'http') return { status: e.status };
  return { status: e.status, body: cut(pretty(json(e.body))) };
}

/** The differences between the recorded and the new answer, for people. */
export function compare(recorded: Answer, replayed: Answer): string[] {
  const out: string[] = [];
  if (recorded.status !== replayed.status) {
    const was = recorded.status ?? `no answer (${recorded.error ?? 'none recorded'})`;
    const now = replayed.status ?? `no answer (${replayed.error ?? ''})`;
    out.push(`status: recorded ${was}, now ${now}`);
  }
  if (recorded.body === undefined || replayed.body === undefined) return out;
  const a = parseJson(recorded.body);
  const b = parseJson(replayed.body);
  if (a !== undefined && b !== undefined) {
    const where = firstDifference(a, b, '');
    if (where !== undefined) out.push(`body: differs at ${where || 'the top'}`);
    return out;
  }
  const ra = recorded.body.replace(/\r\n/g, '\n').trimEnd().split('\n').map((l) => l.trimEnd());
  const rb = replayed.body.replace(/\r\n/g, '\n').trimEnd().split('\n').map((l) => l.trimEnd());
  const n = Math.max(ra.length, rb.length);
  for (let i = 0; i < n; i++) {
    if (ra[i] !== rb[i]) {
      out.push(`body: line ${i + 1} differs: recorded ${quote(ra[i])}, now ${quote(rb[i])}`);
      break;
    }
  }
  return out;
}

/**
 * The JSON path of the first difference between two values, or undefined when they are equal.
 * Below 100 levels the rest is compared whole: a hostile body nested deeper does not exhaust the stack.
 */
function firstDifference(a: unknown, b: unknown, path: string, depth = 0): string | undefined {
  if (a === b) return undefined;
  if (depth > 100) {
    try {
      return JSON.stringify(a) === JSON.stringify(b) ? undefined : path;
    } catch {
      return path;
    }
  }
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object' || Array.isArray(a) !== Array.isArray(b)) return path;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    for (let i = 0; i < Math.max(a.length, bb.length); i++) {
      const d = firstDifference(a[i], bb[i], `${path}[${i}]`, depth + 1);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
    const has = Object.prototype.hasOwnProperty;
    if (has.call(ao, k) !== has.call(bo, k)) return `${path}.${k}`;
    const d = firstDifference(ao[k], bo[k], `${path}.${k}`, depth + 1);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** The recorded and new answers side by side, as two texts for a diff view: same items, same order. */
export function replayTexts(r: ReplayReport): { recorded: string; replayed: string } {
  const side = (pick: (i: ReplayItem) => Answer): string =>
    r.items
      .map((i) => {
        const a = pick(i);
        const status = a.status !== undefined ? `HTTP ${a.status}` : `no answer: ${a.error ?? ''}`;
        return `### #${i.event} ${i.label}: ${i.method} ${pathOf(i.url)}\n${status}\n${a.body ?? '(body not recorded)'}\n`;
      })
      .join('\n');
  return { recorded: side((i) => i.recorded), replayed: side((i) => i.replayed) };
}

/** The report as Markdown: what was sent where, and each difference. */
export function replayMarkdown(r: ReplayReport, title: string): string {
  const differing = r.items.filter((i) => i.differences.length);
  const lines = [
    `# Replay of ${title}`,
    '',
    `${r.items.length} request${r.items.length === 1 ? '' : 's'} sent to ${r.target}: ${differing.length} answered differently than recorded${r.cancelled ? ' (cancelled before the end)' : ''}.`,
  ];
  if (r.redacted.length) lines.push('', `Recorded without their value (credentials), not sent: ${r.redacted.join(', ')}.`);
  if (differing.length) {
    lines.push('', '| event | request | recorded | now | difference |', '| --- | --- | --- | --- | --- |');
    for (const i of differing) lines.push(`| ${i.event} | ${cell(`${i.label}: ${i.method} ${pathOf(i.url)}`)} | ${cell(statusOf(i.recorded))} | ${cell(statusOf(i.replayed))} | ${cell(i.differences.join('; '))} |`);
  }
  const same = r.items.length - differing.length;
  if (same) lines.push('', `${same} answered as recorded.`);
  if (r.skipped.length) {
    lines.push('', 'Not replayed:', '');
    for (const s of r.skipped) lines.push(`- event ${s.event}: ${s.reason}`);
    if (r.moreSkipped) lines.push(`- and ${r.moreSkipped} more`);
  }
  return lines.join('\n') + '\n';
}

function statusOf(a: Answer): string {
  return a.status !== undefined ? String(a.status) : `no answer: ${a.error ?? ''}`;
}

function cell(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|').slice(0, 300);
}

function originOf(url: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0].toLowerCase();
}

function pathOf(url: string): string {
  const o = originOf(url);
  return o ? url.slice(o.length) || '/' : url;
}

/** The recorded URL with its origin replaced by the target's (and the target's path, if any, put before it). */
function retarget(url: string, to: string): string {
  // From the first of the trailing slashes only: tried from each slash of a long run, the pattern read it again each time.
  const target = to.replace(/(?<!\/)\/+$/, '');
  return target + (pathOf(url).startsWith('/') ? pathOf(url) : `/${pathOf(url)}`);
}

function json(body: unknown): string {
  if (body === undefined || body === null) return '';
  return typeof body === 'string' ? body : JSON.stringify(body, null, 1);
}

/** JSON bodies pretty-printed alike on both sides, so a diff view lines them up. */
function pretty(s: string): string {
  const v = parseJson(s);
  try {
    return v === undefined ? s : JSON.stringify(v, null, 1);
  } catch {
    return s;
  }
}

function parseJson(s: string): unknown {
  const t = s.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

function cut(s: string): string {
  return s.length > MAX_BODY ? `${s.slice(0, MAX_BODY)}\n… (${s.length - MAX_BODY} more characters)` : s;
}

function quote(s: string | undefined): string {
  return s === undefined ? '(nothing)' : JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}

function str(x: unknown): string {
  return typeof x === 'string' ? x : x === undefined || x === null ? '' : String(x);
}
