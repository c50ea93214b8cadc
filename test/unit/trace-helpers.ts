// Shared by the trace tests: the growth check and a synthetic trace of any length.
import type { TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';

/**
 * `build(8n)` must cost less than 20 times `build(n)`: linear work costs about 8 times as much for
 * 8 times the input, quadratic work 64 times. CPU time, best of three, the small size run 8 times
 * together so that the garbage collector weighs on both sizes alike; at least 1 ms.
 */
export function assertLinear(t: TestContext, what: string, build: (n: number) => () => unknown, n: number): void {
  const one = build(n);
  const eight = (): unknown[] => Array.from({ length: 8 }, one);
  const large = build(8 * n);
  one();
  let t1 = Infinity;
  let t8 = Infinity;
  for (let i = 0; i < 3; i++) {
    t1 = Math.min(t1, cpuMs(eight) / 8);
    t8 = Math.min(t8, cpuMs(large));
  }
  const ratio = t8 / Math.max(t1, 1);
  const report = `${what}: ${n} took ${t1.toFixed(1)} ms, ${8 * n} took ${t8.toFixed(1)} ms (${ratio.toFixed(1)}x for 8x the input)`;
  t.diagnostic(report);
  assert.ok(ratio < 20, report);
}

function cpuMs(run: () => unknown): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

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

