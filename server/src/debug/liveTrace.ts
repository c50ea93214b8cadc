/**
 * The run's trace as the debugger streams it: DAP custom events that let a client draw the run so
 * far as a sequence diagram and show where it is paused (VS Code's run diagram; any DAP client may
 * ignore them). Events leave the adapter redacted as a trace file is (jsonl.ts): the Authorization
 * headers by their scheme, the scenario's secrets wherever they appear.
 *
 * - `omadmTrace` ({@link TraceBatch}): the events traced since the last batch, sent once per tick,
 *   so a fleet's thousands of exchanges make a few messages, not thousands.
 * - `omadmPaused` ({@link PausedBody}): what the run stopped at, after the events before it.
 * - `omadmResumed`: the run goes on; what it was paused at is no longer current.
 * - `omadmEnded` ({@link EndedBody}): the run is over.
 */
import { failed } from '../core/trace/diagram.js';
import type { TraceEvent } from '../core/trace/events.js';
import { traceLine } from '../core/trace/jsonl.js';

export const TRACE_EVENT = 'omadmTrace';
export const PAUSED_EVENT = 'omadmPaused';
export const RESUMED_EVENT = 'omadmResumed';
export const ENDED_EVENT = 'omadmEnded';

/**
 * Events of one run sent at most. A diagram is for reading: past this the client has a long
 * history already, and keeping everything would grow both processes' memory with the run (the
 * whole trace is what `omadm run --trace` is for). Later events are counted, not sent.
 */
export const MAX_LIVE_EVENTS = 20_000;
/** Events per custom event: a tick of a large fleet is split so that no single message is huge. */
export const MAX_BATCH = 2_000;
/** An event whose JSON is longer than this has its bodies cut: a firmware image is not drawn. */
export const MAX_EVENT_CHARS = 256 * 1024;

export interface TraceBatch {
  /** The run's events, in order; `events[i]` is the run's event number `first + i`. */
  events: TraceEvent[];
  first: number;
  /** Events of the run not sent so far, past {@link MAX_LIVE_EVENTS}. */
  omitted: number;
}

/** Where the run is paused, as the diagram highlights it. */
export type PausedAt =
  /** Before a step: nothing of it is traced yet. */
  | { kind: 'step'; step: number; name: string; line: number }
  /** Before a message is sent: it is not in the trace yet, so the diagram draws it as pending. */
  | { kind: 'message'; step: number; from: string; to: string; label: string; method?: string; url?: string }
  /** Before a device carries out a command of a Package#2: `event` is that Package#2's number in the run's trace. */
  | { kind: 'command'; step: number; device: string; sessionId: string; command: { name: string; params: string[] }; index: number; count: number; event?: number }
  /** After a step failed: `event` is its last failed event, else its last event. */
  | { kind: 'failure'; step: number; message?: string; event?: number };

export interface PausedBody {
  reason: string;
  at: PausedAt;
}

export interface EndedBody {
  passed: boolean;
  error?: string;
}

/** An event as the client may see it: Authorization redacted as in trace files, secrets hidden, huge bodies cut. */
export function redactedEvent(e: TraceEvent, redact: (s: string) => string, hasSecrets: boolean): TraceEvent {
  const auth = !!e.headers && Object.keys(e.headers).some((k) => /^(proxy-)?authorization$/i.test(k));
  let json: string | undefined;
  let v: TraceEvent = e;
  if (auth || hasSecrets) {
    json = traceLine(e, redact);
    try {
      v = JSON.parse(json) as TraceEvent;
    } catch {
      // A secret that was a number or spanned JSON punctuation: redact the strings one by one instead.
      json = undefined;
      v = JSON.parse(traceLine(e)) as TraceEvent;
    }
    // A secret with characters JSON escapes is not found in the JSON text: look in the values too.
    if (hasSecrets) v = deepRedact(v, redact) as TraceEvent;
  }
  const size = (json ?? JSON.stringify(v)).length;
  if (size <= MAX_EVENT_CHARS) return v;
  const cut = `(${size} characters: left out of the live diagram; the trace file has it)`;
  return {
    ...v,
    ...(v.body !== undefined ? { body: cut } : {}),
    ...(v.requestBody !== undefined ? { requestBody: v.requestBody.slice(0, 4096) } : {}),
    ...(v.parts ? { parts: v.parts.map((p) => ({ ...p, body: '' })) } : {}),
  };
}

function deepRedact(v: unknown, redact: (s: string) => string): unknown {
  if (typeof v === 'string') return redact(v);
  if (typeof v === 'number') {
    const s = String(v);
    const r = redact(s);
    return r === s ? v : r;
  }
  if (Array.isArray(v)) return v.map((x) => deepRedact(x, redact));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k), deepRedact(x, redact)]));
  return v;
}

/**
 * Collects the events of a run and sends them a tick at a time, numbering them as the run's trace
 * does; remembers what the pause events point at (the Package#2 of each session, the last and last
 * failed event of each step), in maps bounded by the sessions and steps of the run.
 */
export class LiveTrace {
  private pending: TraceEvent[] = [];
  private count = 0;
  private sent = 0;
  private omitted = 0;
  private reported = 0;
  private timer: NodeJS.Immediate | undefined;
  private readonly package2 = new Map<string, { event: number; sessionId: string }>();
  private readonly steps = new Map<number, { last: number; failed?: number }>();

  constructor(
    private readonly send: (event: string, body: TraceBatch) => void,
    private readonly secrets: { redact(s: string): string; readonly hasSecrets: boolean },
  ) {}

  add(e: TraceEvent): void {
    const n = this.count++;
    if (e.kind === 'package2' && e.sessionId) {
      // One entry per device: a session's number names its device, and only the latest is paused in.
      this.package2.set(deviceOf(e.sessionId), { event: n, sessionId: e.sessionId });
    }
    if (e.step !== undefined) {
      const s = this.steps.get(e.step) ?? { last: n };
      s.last = n;
      if (failed(e)) s.failed = n;
      this.steps.set(e.step, s);
    }
    if (this.sent + this.pending.length >= MAX_LIVE_EVENTS) this.omitted++;
    else {
      this.pending.push(redactedEvent(e, (s) => this.secrets.redact(s), this.secrets.hasSecrets));
    }
    this.timer ??= setImmediate(() => this.flush());
  }

  /** Sends what is waiting now: before a pause or the end, whose events must follow the trace's. */
  flush(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    const reportOmitted = this.omitted > this.reported && !this.pending.length;
    this.reported = this.omitted;
    for (let i = 0; i < this.pending.length; i += MAX_BATCH) {
      const events = this.pending.slice(i, i + MAX_BATCH);
      this.send(TRACE_EVENT, { events, first: this.sent, omitted: this.omitted });
      this.sent += events.length;
    }
    this.pending = [];
    // Past the cap, the count of events left out still reaches the client.
    if (reportOmitted) this.send(TRACE_EVENT, { events: [], first: this.sent, omitted: this.omitted });
  }

  /** The number of the Package#2 a session is carrying out, if it was sent. */
  package2Of(sessionId: string): number | undefined {
    const p = this.package2.get(deviceOf(sessionId));
    return p && p.sessionId === sessionId && p.event < this.sent ? p.event : undefined;
  }

  /** The event a failed step is shown at: its last failed one, else its last one. */
  eventOfStep(step: number): number | undefined {
    const s = this.steps.get(step);
    const n = s?.failed ?? s?.last;
    return n !== undefined && n < this.sent ? n : undefined;
  }

  dispose(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
  }
}

/** "phone-3#2" → "phone-3": sessions are numbered per device. */
function deviceOf(sessionId: string): string {
  const i = sessionId.lastIndexOf('#');
  return i < 0 ? sessionId : sessionId.slice(0, i);
}
