/**
 * A trace as a sequence diagram: one lifeline per participant, in the order they first appear,
 * and one row per trace event in trace order. A package (DM 2.0 5.2), an HTTP exchange or a UDP
 * datagram is an arrow from its sender to its receiver, labelled with what it carried and its
 * status; a note for people stays a note over the participant that wrote it. Failures are marked:
 * an HTTP error status (4xx, 5xx), a request that got no answer (the session is aborted, 5.6), a
 * notification dropped, a command that failed (its status in Appendix C), a delegation message
 * reporting a failure (DELEGATION_FAILURE, REVOCATION_FAILURE; Delegation 5.3).
 *
 * Every step is linear in the number of events: participants are found through a map, labels are
 * built from a bounded prefix of each field, and nothing is searched per event.
 */
import type { TraceEvent } from './events.js';
import { DELEGATION_MEDIA_TYPE } from '../delegation/mediaType.js';

/** The media type of delegation messages (Delegation 5.3, DM-DEL-S-007). */

/** Longest participant name and label kept: a diagram is read by people, a trace may hold anything. */
const MAX_NAME = 120;
const MAX_LABEL = 160;

export interface Arrow {
  type: 'arrow';
  /** Index of the event in the trace given. */
  event: number;
  /** Indices into `participants`. */
  from: number;
  to: number;
  /** What it carried: "Package#1", "Package#2 (3 commands)", "delegation_req", "GET /repository/x". */
  label: string;
  /** "200", "503", "no answer", or what a datagram's receiver did with it ("accepted from DMS1"); empty when unknown. */
  status: string;
  failed: boolean;
  /** A Package#2: the HTTP response to the Package#1 or #3 before it (5.2.3), drawn dashed. */
  response: boolean;
  transport: TraceEvent['transport'];
  kind: TraceEvent['kind'];
}

export interface Note {
  type: 'note';
  event: number;
  /** The participants it is written over: one, or the two an exchange between them concerns. */
  over: number[];
  text: string;
  failed: boolean;
}

export type Row = Arrow | Note;

export interface SequenceDiagram {
  /** Lifelines, in order of first appearance. */
  participants: string[];
  rows: Row[];
  /** Rows marked failed. */
  failures: number;
  /** Participants beyond `maxParticipants`, drawn on the last lifeline, named OTHERS. */
  merged?: number;
}

/** Lifelines at most; the last one stands for every participant beyond. */
export const MAX_PARTICIPANTS = 10_000;
export const OTHERS = '(other participants)';

export interface DiagramOptions {
  /** Leave out the notes (a Package#2's per-command notes outnumber the messages). */
  notes?: boolean;
  /** Added to each row's `event`: the index of the first event given within the whole trace. */
  offset?: number;
  /** Lifelines at most (default MAX_PARTICIPANTS). */
  maxParticipants?: number;
}

export function sequenceDiagram(events: readonly TraceEvent[], opts: DiagramOptions = {}): SequenceDiagram {
  const participants: string[] = [];
  const index = new Map<string, number>();
  const max = Math.max(2, opts.maxParticipants ?? MAX_PARTICIPANTS);
  let merged = 0;
  const lifeline = (name: unknown): number => {
    const key = clip(typeof name === 'string' ? name : String(name), MAX_NAME) || '(unnamed)';
    let i = index.get(key);
    if (i === undefined) {
      if (participants.length === max - 1) participants.push(OTHERS);
      if (participants.length >= max) {
        // Past the cap every new name shares the last lifeline: a diagram as wide as a fleet of a million is read by no one.
        merged++;
        i = max - 1;
      } else {
        i = participants.length;
        participants.push(key);
      }
      index.set(key, i);
    }
    return i;
  };
  const rows: Row[] = [];
  let failures = 0;
  const offset = opts.offset ?? 0;
  for (let n = 0; n < events.length; n++) {
    const e = events[n]!;
    const bad = failed(e);
    if (e.kind === 'note') {
      if (opts.notes === false) continue;
      const from = lifeline(e.from);
      const to = lifeline(e.to);
      rows.push({ type: 'note', event: n + offset, over: from === to ? [from] : [from, to], text: clip(oneLine(str(e.note)), MAX_LABEL * 2), failed: bad });
    } else {
      const from = lifeline(e.from);
      const to = lifeline(e.to);
      rows.push({ type: 'arrow', event: n + offset, from, to, label: messageLabel(e), status: statusText(e), failed: bad, response: e.kind === 'package2', transport: e.transport, kind: e.kind });
    }
    if (bad) failures++;
  }
  return { participants, rows, failures, ...(merged ? { merged } : {}) };
}

/** What a message carried, as the arrow names it. */
export function messageLabel(e: TraceEvent): string {
  switch (e.kind) {
    case 'package0':
      return 'Package#0';
    case 'package1':
      return 'Package#1';
    case 'package2': {
      const cmd = (e.body as { CMD?: unknown } | null | undefined)?.CMD;
      if (!Array.isArray(cmd)) return 'Package#2';
      // A Package#2 that only ends the session (5.3.9) says so rather than "1 command".
      if (cmd.length === 1 && Array.isArray(cmd[0]) && cmd[0][0] === 'END') return 'Package#2 (END)';
      return `Package#2 (${cmd.length} command${cmd.length === 1 ? '' : 's'})`;
    }
    case 'package3': {
      // Appendix F: the parts after the Package#3 carry the data of the GETs answered 200.
      const parts = Array.isArray(e.parts) ? e.parts.length : 0;
      return parts ? `Package#3 (${parts} data part${parts === 1 ? '' : 's'})` : 'Package#3';
    }
    case 'http':
      if (isDelegation(e)) return delegationRoot(e);
      return clip(`${str(e.method) || 'HTTP'} ${pathOf(str(e.url))}`.trim(), MAX_LABEL);
    case 'note':
      return clip(oneLine(str(e.note)), MAX_LABEL);
    default:
      return clip(str(e.kind) || 'message', MAX_LABEL);
  }
}

/** The status shown beside the label. */
export function statusText(e: TraceEvent): string {
  if (typeof e.status === 'number') return String(e.status);
  if (e.kind === 'package0') return clip(oneLine(str(e.note)), 60);
  if (e.transport === 'http' && e.kind !== 'note' && e.kind !== 'package2' && e.note) return 'no answer';
  return '';
}

/**
 * A delegation message between peers (Delegation 5.3), told by the media type of its POST: in
 * the request headers the event records, or in a trace that records none, in its content type.
 */
export function isDelegation(e: TraceEvent): boolean {
  if (e.kind !== 'http') return false;
  const type = e.headers ? e.headers['content-type'] : e.contentType;
  return typeof type === 'string' && type.toLowerCase().startsWith(DELEGATION_MEDIA_TYPE);
}

/**
 * The root element of a delegation message: the peers note it first (then the error when the
 * POST got no answer); otherwise it is read from the request body, past the XML declaration.
 */
export function delegationRoot(e: TraceEvent): string {
  const noted = /^[A-Za-z_][A-Za-z0-9_]*/.exec(str(e.note))?.[0];
  if (noted) return noted;
  // The first tag that is an element: a declaration (<?xml) or a comment (<!--) starts otherwise.
  const root = /<([A-Za-z_][A-Za-z0-9_.-]*)[\s>/]/.exec(str(e.requestBody).slice(0, 4096))?.[1];
  return root ?? 'delegation message';
}

const COMMAND_FAILED = /^[A-Z][A-Za-z]*: [45]\d\d\b/;
const FAILURE_WORD = /(?:^|[^a-z])(?:dropped|aborted|failed|failure)(?![a-z])/i;

/**
 * Whether an event reports a failure: an HTTP error status, a request without an answer, a note
 * saying something was dropped, aborted or failed (DELEGATION_FAILURE included), or a command the
 * device answered with a 4xx or 5xx status ("GET: 404 ...", Appendix C).
 */
export function failed(e: TraceEvent): boolean {
  if (typeof e.status === 'number' && e.status >= 400) return true;
  const note = str(e.note).slice(0, 400);
  if (e.transport === 'http' && e.kind !== 'note' && e.kind !== 'package2' && e.status === undefined && note) return true;
  return FAILURE_WORD.test(note) || (e.kind === 'note' && COMMAND_FAILED.test(note));
}

/** The path and query of a URL, or the text itself when it is one already. */
export function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const rest = m ? url.slice(m[0].length) || '/' : url;
  return clip(rest, MAX_LABEL);
}

function str(x: unknown): string {
  return typeof x === 'string' ? x : x === undefined || x === null ? '' : String(x);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** At most `max` characters, an ellipsis marking the cut; never a lone half of a surrogate pair. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end) + '…';
}

export interface ReadTrace {
  events: TraceEvent[];
  problems: { line: number; message: string }[];
  /** Problems beyond those listed. */
  moreProblems: number;
  /** Whether the events stopped at `maxEvents`. */
  truncated: boolean;
}

/**
 * Reads a trace file (docs/trace.md) for a diagram, within bounds: at most `maxEvents` events and
 * `maxProblems` listed problems, so neither a huge trace nor a file of garbage makes memory grow
 * without limit. Lines are found with indexOf, not split: the text is never copied as a whole.
 */
export function readTrace(text: string, opts: { maxEvents?: number; maxProblems?: number } = {}): ReadTrace {
  const maxEvents = opts.maxEvents ?? 1_000_000;
  const maxProblems = opts.maxProblems ?? 100;
  const events: TraceEvent[] = [];
  const problems: { line: number; message: string }[] = [];
  let moreProblems = 0;
  let truncated = false;
  const problem = (line: number, message: string): void => {
    if (problems.length < maxProblems) problems.push({ line, message });
    else moreProblems++;
  };
  let line = 0;
  for (let at = 0; at < text.length; ) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    line++;
    const raw = text.slice(at, nl);
    at = nl + 1;
    if (!raw.trim()) continue;
    if (events.length >= maxEvents) {
      truncated = true;
      break;
    }
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      problem(line, `not JSON: ${clip((e as Error).message, 200)}`);
      continue;
    }
    const o = v as Partial<TraceEvent> | null;
    if (!o || typeof o !== 'object' || Array.isArray(o) || typeof o.from !== 'string' || typeof o.to !== 'string' || typeof o.kind !== 'string' || typeof o.time !== 'number') {
      problem(line, 'not a trace event: time, from, to and kind are required (docs/trace.md)');
      continue;
    }
    events.push(o as TraceEvent);
  }
  return { events, problems, moreProblems, truncated };
}
