// How `npm run bench` times things and reports them. A ratio is never taken between two figures
// measured at different moments: ours and the peer run alternately, pair after pair, and each
// pair gives one ratio; the table shows the min, median and max of those. A forced collection
// before every timed run (the bench runs with --expose-gc) keeps the garbage one side left from
// being collected on the other side's time.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

export type Run = () => unknown;

/** One line of the table: a figure, its target (empty when the figure is only reported) and whether it is met. */
export interface Row {
  figure: string;
  value: string;
  target: string;
  met?: boolean;
}

/** What a section hands back: its rows, and whether a check that must hold failed (the bench then exits non-zero). */
export interface SectionResult {
  rows: Row[];
  failed: string[];
}

const gc = (globalThis as { gc?: () => void }).gc;

export function collect(): void {
  gc?.();
}

export const now = (): number => performance.now();

/** Wall time of one run, after a forced collection. */
export async function timeOnce(fn: Run): Promise<number> {
  collect();
  const t = now();
  await fn();
  return now() - t;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(xs: readonly number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0] ?? NaN, median, max: s[s.length - 1] ?? NaN };
}

/** The p-th percentile (nearest rank) of `xs`. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((s.length * p) / 100) - 1))] ?? NaN;
}

export interface Paired {
  ours: number[];
  peer: number[];
  /** ours / peer, one per pair. */
  ratios: number[];
  /** Set when fewer pairs were run than asked, and why. */
  cut?: string;
}

export interface PairOptions {
  pairs?: number;
  /** One untimed run of each first (JIT, file cache). */
  warmup?: boolean;
  /** When one warm-up run of ours takes longer than this, a single pair is run (and the figure says so). */
  budgetMs?: number;
}

export const PAIRS = 5;

/**
 * `pairs` pairs of timed runs. The side that goes first alternates from pair to pair, so that
 * neither always runs on a cache or a heap the other just left.
 */
export async function paired(ours: Run, peer: Run, o: PairOptions = {}): Promise<Paired> {
  let pairs = o.pairs ?? PAIRS;
  let cut: string | undefined;
  if (o.warmup !== false) {
    const w = await timeOnce(ours);
    await timeOnce(peer);
    if (o.budgetMs !== undefined && w > o.budgetMs) {
      pairs = 1;
      cut = `1 pair only: one run took ${(w / 1000).toFixed(1)} s`;
    }
  }
  const r: Paired = { ours: [], peer: [], ratios: [], ...(cut ? { cut } : {}) };
  for (let i = 0; i < pairs; i++) {
    let a: number;
    let b: number;
    if (i % 2 === 0) {
      a = await timeOnce(ours);
      b = await timeOnce(peer);
    } else {
      b = await timeOnce(peer);
      a = await timeOnce(ours);
    }
    r.ours.push(a);
    r.peer.push(b);
    r.ratios.push(a / b);
  }
  return r;
}

/** Wall time of a whole process, from spawn to exit; it must exit with one of `codes`. */
export function processMs(cmd: string, args: readonly string[], codes: readonly number[], options: SpawnSyncOptions = {}): number {
  const t = now();
  // A process that runs for minutes means something grew out of bounds: the section fails, the bench goes on.
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 30, timeout: 180_000, ...options, encoding: 'utf8' });
  const ms = now() - t;
  if (r.error) throw r.error;
  if (r.status === null || !codes.includes(r.status)) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}… exited with ${r.status ?? r.signal}: ${String(r.stderr).slice(0, 400)}`);
  return ms;
}

export const fixed = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
export const ms = (x: number): string => (x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`);
export const ratioText = (s: Spread): string => `${fixed(s.min)} / ${fixed(s.median)} / ${fixed(s.max)}x`;
export const msSpread = (xs: readonly number[]): string => {
  const s = spread(xs);
  return `${ms(s.min)} / ${ms(s.median)} / ${ms(s.max)}`;
};
/** Two medians side by side: ours, then the peer's. */
export const vs = (a: number, b: number): string => `${ms(a).replace(' ms', '')} vs ${ms(b)}`;
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 2 : 1)} MB`;

/** The table printed at the end: every figure with its target and whether it is met. */
export function table(rows: readonly (Row & { section?: string })[]): string {
  const cells = rows.map((r) => [r.figure, r.value, r.target, r.met === undefined ? '' : r.met ? 'met' : 'MISSED']);
  const head = ['figure', 'measured', 'target', 'met'];
  const w = [0, 1, 2].map((c) => Math.max(head[c]!.length, ...cells.map((r) => r[c]!.length)));
  const line = (r: string[]): string => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padStart(w[1]!)}  ${r[2]!.padEnd(w[2]!)}  ${r[3]}`.trimEnd();
  const out = [line(head), line(w.map((n) => '-'.repeat(n)).concat('-'.repeat(6)))];
  let section: string | undefined;
  rows.forEach((r, i) => {
    if (r.section !== undefined && r.section !== section) {
      section = r.section;
      out.push(`[${section}]`);
    }
    out.push(line(cells[i]!));
  });
  return out.join('\n');
}
