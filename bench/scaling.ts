// Time per MB from 1 to 32 MB, ours alternated with a peer at each size. The target is that ours
// does not grow with the size: its fastest run at any size, per MB, at most GROWTH times its
// fastest at 1 MB. The fastest run is the one least disturbed by whatever else the machine runs
// (other load only ever adds time), so a shared machine does not miss it, while a cost that grows
// with the size shows in every run. The medians are printed beside it.
//
// The bench fails (exits 1) on a cost that grows with the size, which shows over any span of
// sizes: the largest size's time per MB more than GROWTH times that of the size STEPS doublings
// below it. A document small enough to be parsed within V8's young generation (a few MB of text)
// costs less per MB than one whose tree outlives it; that one step is reported by the target, and
// does not fail the bench.
import { fixed, ms, paired, spread, type Row, type Run } from './measure.ts';

export const SIZES = [1, 2, 4, 8, 16, 32];
export const GROWTH = 1.5;
/** The span of the check that fails the bench: the largest size against the size 8 times smaller. */
const STEPS = 3;
/** A run longer than this stops the series: the growth is then plain, and the bench must end. */
const SERIES_BUDGET_MS = 30_000;

export interface ScalingInput {
  bytes: number;
  ours: Run;
  peer: Run;
}

export async function scaling(what: string, peerName: string, make: (mb: number) => ScalingInput): Promise<{ rows: Row[]; failed: string[] }> {
  const median: number[] = [];
  const fastest: number[] = [];
  const peer: number[] = [];
  let stopped: string | undefined;
  for (const size of SIZES) {
    const input = make(size);
    // More pairs where runs are short: the 1 MB figure is what the others are held to.
    const p = await paired(input.ours, input.peer, { pairs: size <= 4 ? 5 : 3, budgetMs: SERIES_BUDGET_MS });
    const mbs = input.bytes / (1024 * 1024);
    median.push(spread(p.ours).median / mbs);
    fastest.push(spread(p.ours).min / mbs);
    peer.push(spread(p.peer).median / mbs);
    console.log(`  ${what}, ${size} MB: omadm ${ms(spread(p.ours).median)} (${fixed(median.at(-1)!, 1)} ms/MB, fastest ${fixed(fastest.at(-1)!, 1)}), ${peerName} ${ms(spread(p.peer).median)} (${fixed(peer.at(-1)!, 1)} ms/MB)`);
    if (p.cut) {
      stopped = `stopped at ${size} MB (${p.cut})`;
      break;
    }
  }
  const growth = Math.max(...fastest) / fastest[0]!;
  const growthMedian = Math.max(...median) / median[0]!;
  const met = !stopped && growth <= GROWTH;
  const top = fastest.length - 1;
  const span = top >= STEPS ? fastest[top]! / fastest[top - STEPS]! : growth;
  const ok = !stopped && span <= GROWTH;
  const sizes = SIZES.slice(0, median.length).join(', ');
  const list = (xs: number[]): string => xs.map((x) => fixed(x, 1)).join(' / ');
  return {
    rows: [
      { figure: `ms per MB, ${what} of ${sizes} MB: omadm, median of each size`, value: list(median), target: '' },
      { figure: `ms per MB, the same: omadm, fastest run of each size`, value: list(fastest), target: '' },
      { figure: `ms per MB, the same: ${peerName}, median`, value: list(peer), target: '' },
      {
        figure: `ms per MB, largest / at 1 MB, fastest runs (medians: ${fixed(growthMedian)}x)${stopped ? `; ${stopped}` : ''}`,
        value: `${fixed(growth)}x`,
        target: `<= ${GROWTH}x`,
        met,
      },
      {
        figure: `ms per MB, largest / at ${SIZES[Math.max(0, top - STEPS)]} MB, fastest runs (the bench fails above ${GROWTH}x)`,
        value: `${fixed(span)}x`,
        target: `<= ${GROWTH}x`,
        met: ok,
      },
    ],
    failed: ok ? [] : [`${what}: time per MB grows with the size (${fixed(span)}x over the ${STEPS} largest doublings${stopped ? `; ${stopped}` : ''})`],
  };
}
