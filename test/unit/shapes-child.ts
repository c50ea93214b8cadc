// Run by shapes.test.ts with --allow-natives-syntax and --expose-gc: optimises parseXml and
// validateDelegation on small delegation messages, collects all garbage, and prints whether each
// one's optimised code is still there.
import { parseXml } from '../../server/src/core/xml/parse.ts';
import { validateDelegation } from '../../server/src/core/delegation/validate.ts';

const texts = Array.from({ length: 200 }, (_, i) => `<?xml version="1.0"?>\n<delegation_req>\n  <sessionId>S-${i}</sessionId>\n  <serverId>DMS-2</serverId>\n  <reasonCode>200</reasonCode><x a="1">t&amp;</x>\n</delegation_req>\n`);
const check = (): void => {
  for (const t of texts) validateDelegation(t, parseXml(t), { claimed: true });
};
// V8's own status bits (runtime-profiler.h): bit 4 is "optimised by TurboFan".
const TURBOFAN = 1 << 4;
const natives = {
  prepare: new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void,
  optimise: new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void,
  status: new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number,
};
const fns = { parseXml, validateDelegation };
for (const f of Object.values(fns)) natives.prepare(f);
for (let i = 0; i < 50; i++) check();
for (const f of Object.values(fns)) natives.optimise(f);
check();
const optimised = (): Record<string, boolean> => Object.fromEntries(Object.entries(fns).map(([name, f]) => [name, (natives.status(f) & TURBOFAN) !== 0]));
const before = optimised();
(globalThis as unknown as { gc: () => void }).gc();
console.log(JSON.stringify({ before, after: optimised() }));
