// Shared by the trace tests: the growth check (growth.ts) and a synthetic trace of any length.
import type { TraceEvent } from '../../server/src/core/trace/events.ts';

export { assertLinear } from './growth.ts';

/** `n` events of a fleet: each device its own lifeline, a package, a Package#2 of 3 commands and a note each. */
export function fleetEvents(n: number): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (let i = 0; out.length < n; i++) {
    const dev = `fleet-${i % 5000}`;
    out.push({ time: i, from: dev, to: 'dm', transport: 'http', kind: 'package1', method: 'POST', url: 'http://dm.example/dm', status: i % 97 === 0 ? 503 : 200, sessionId: `${dev}#${i}` });
    out.push({ time: i, from: 'dm', to: dev, transport: 'http', kind: 'package2', status: 200, body: { CMD: [['GET', 'a'], ['GET', 'b'], ['END']] }, sessionId: `${dev}#${i}` });
    out.push({ time: i, from: dev, to: dev, transport: 'local', kind: 'note', note: 'GET: 200 1 node', sessionId: `${dev}#${i}` });
  }
  return out.slice(0, n);
}

