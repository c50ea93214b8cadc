/**
 * A trace as JSON lines (docs/trace.md): one trace event per line. Credentials never reach a
 * trace file: the value of an Authorization header is replaced by its scheme and «redacted»,
 * and `redact` hides the scenario's secrets wherever they appear.
 */
import type { TraceEvent } from './events.js';

export function traceLine(e: TraceEvent, redact: (s: string) => string = (s) => s): string {
  const headers = e.headers && Object.keys(e.headers).some((k) => k.toLowerCase() === 'authorization' || k.toLowerCase() === 'proxy-authorization')
    ? Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k, /^(proxy-)?authorization$/i.test(k) ? `${v.split(' ')[0] ?? ''} «redacted»` : v]))
    : e.headers;
  return redact(JSON.stringify(headers === e.headers ? e : { ...e, headers }));
}

/** Parses a trace file: the events, and the lines that are not events (with their numbers). */
export function parseTrace(text: string, max = 1_000_000): { events: TraceEvent[]; problems: { line: number; message: string }[] } {
  const events: TraceEvent[] = [];
  const problems: { line: number; message: string }[] = [];
  let n = 0;
  for (const raw of text.split('\n')) {
    n++;
    if (!raw.trim()) continue;
    if (events.length >= max) {
      problems.push({ line: n, message: `more than ${max} events: the rest is not read` });
      break;
    }
    try {
      const v = JSON.parse(raw) as Partial<TraceEvent> | null;
      if (!v || typeof v !== 'object' || typeof v.from !== 'string' || typeof v.to !== 'string' || typeof v.kind !== 'string' || typeof v.time !== 'number') problems.push({ line: n, message: 'not a trace event: time, from, to and kind are required' });
      else events.push(v as TraceEvent);
    } catch (e) {
      problems.push({ line: n, message: `not JSON: ${(e as Error).message}` });
    }
  }
  return { events, problems };
}
