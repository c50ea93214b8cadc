// The growth check of the tests that hold the parsers, rules and regular expressions to linear
// time: hostile input must not make them quadratic (or worse).
import type { TestContext } from 'node:test';
import * as assert from 'node:assert/strict';

/** The input grows by this factor between the two sizes timed. */
export const SCALE = 8;
/** Linear work costs about 8 times as much for 8 times the input, quadratic work 64 times; 20 leaves room for noise. */
export const BOUND = 20;

/**
 * Checks that `build(8n)` costs less than 20 times `build(n)`, in CPU time, which other processes
 * on the machine do not inflate. Each size is timed three times, taking turns so that a burst of
 * load elsewhere falls on both alike, and the best time counts. The cost of n is that of 8 runs
 * kept alive together, divided by 8: the allocation and the live heap are then those of one run
 * on 8n, so the garbage collector (whose cost per object grows once a result outlives the young
 * generation) weighs on both sizes alike. Below a millisecond a timer measures noise, so n counts
 * as at least 1 ms.
 */
export function assertLinear(t: TestContext, what: string, build: (n: number) => () => unknown, n: number): void {
  const one = build(n);
  const eight = (): unknown[] => Array.from({ length: SCALE }, one);
  const large = build(SCALE * n);
  one(); // compile before timing
  let t1 = Infinity;
  let t8 = Infinity;
  for (let i = 0; i < 3; i++) {
    t1 = Math.min(t1, cpuMs(eight) / SCALE);
    t8 = Math.min(t8, cpuMs(large));
  }
  check(t, what, n, t1, t8);
}

/** The same for work that answers through a promise (a store, a request handler) without waiting on anything. */
export async function assertLinearAsync(t: TestContext, what: string, build: (n: number) => () => Promise<unknown>, n: number): Promise<void> {
  const one = build(n);
  const eight = (): Promise<unknown[]> => Promise.all(Array.from({ length: SCALE }, one));
  const large = build(SCALE * n);
  await one();
  let t1 = Infinity;
  let t8 = Infinity;
  for (let i = 0; i < 3; i++) {
    t1 = Math.min(t1, (await cpuMsAsync(eight)) / SCALE);
    t8 = Math.min(t8, await cpuMsAsync(large));
  }
  check(t, what, n, t1, t8);
}

function check(t: TestContext, what: string, n: number, t1: number, t8: number): void {
  const ratio = t8 / Math.max(t1, 1);
  const report = `${what}: ${n} took ${t1.toFixed(2)} ms, ${SCALE * n} took ${t8.toFixed(2)} ms (${ratio.toFixed(1)}x for ${SCALE}x the input)`;
  t.diagnostic(report);
  assert.ok(ratio < BOUND, report);
}

/** The CPU time (user and system) `run` takes, in ms. */
export function cpuMs(run: () => unknown): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function cpuMsAsync(run: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
