// DM Notifications (Package#0): omadm's decoder next to the floor, a minimal decoder written here
// that reads the same fields (DM 2.0 7.1) and nothing more: no byte positions, no readable
// renderings, no problems reported.
import { decode, encode } from '../server/src/core/notification/codec.ts';
import { fixed, ms, paired, ratioText, spread, type Row, type SectionResult } from './measure.ts';

const COUNT = 100_000;
/** The floor reads the notifications this many times a run, so that its runs are not too short to time. */
const FLOOR_PASSES = 10;

interface Minimal {
  version: number;
  serverId?: string;
  conTypes?: Uint8Array;
  notificationId?: number;
  digest?: Uint8Array;
  timestamp?: number;
  reqMos: boolean;
  /** False when the bytes do not hold what the header says. */
  ok: boolean;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The floor: header, then each option's delta, length and value, bounds checked; unknown options skipped. */
function minimalDecode(b: Uint8Array): Minimal {
  const out: Minimal = { version: 0, reqMos: false, ok: b.length >= 2 };
  if (!out.ok) return out;
  out.version = b[0]! >>> 4;
  const count = ((b[0]! & 0x0f) << 1) | (b[1]! >>> 7);
  let at = 2;
  let number = 0;
  for (let i = 0; i < count; i++) {
    if (at + 2 > b.length) return { ...out, ok: false };
    const word = (b[at]! << 8) | b[at + 1]!;
    number += word >>> 12;
    const length = word & 0x0fff;
    const start = at + 2;
    at = start + length;
    if (at > b.length) return { ...out, ok: false };
    switch (number) {
      case 1:
        out.serverId = UTF8.decode(b.subarray(start, at));
        break;
      case 2:
        out.conTypes = b.subarray(start, at);
        break;
      case 3:
        out.notificationId = length === 2 ? (b[start]! << 8) | b[start + 1]! : NaN;
        break;
      case 4:
        out.digest = b.subarray(start, at);
        break;
      case 5: {
        let s = 0;
        for (let k = start; k < at; k++) s = s * 256 + b[k]!;
        out.timestamp = s;
        break;
      }
      case 6:
        out.reqMos = true;
        break;
    }
  }
  out.ok = at === b.length;
  return out;
}

export async function notificationBench(): Promise<SectionResult> {
  const secret = new TextEncoder().encode('server-secret');
  const authData = new TextEncoder().encode('nonce');
  const pkgs = Array.from({ length: COUNT }, (_, i) => encode({ serverId: `DMS_${i}`, notificationId: i & 0xffff, conTypes: [1, 0], timestamp: 1_700_000_000 + i, reqMos: i % 2 === 0, secret, authData }));
  // Both read the same fields: checked once, outside the timing.
  for (const i of [0, 1, COUNT - 1]) {
    const a = decode(pkgs[i]!);
    const m = minimalDecode(pkgs[i]!);
    if (a.problems.some((p) => p.severity === 'error') || !m.ok || m.serverId !== a.options[0]?.value || m.notificationId !== a.options.find((o) => o.number === 3)?.value) throw new Error('the two decoders read the generated notifications differently');
  }
  let sink = 0;
  const ours = (): void => {
    for (const p of pkgs) sink += decode(p).options.length;
  };
  const floor = (): void => {
    for (let k = 0; k < FLOOR_PASSES; k++) for (const p of pkgs) sink += minimalDecode(p).reqMos ? 1 : 0;
  };
  const p = await paired(ours, floor);
  p.peer = p.peer.map((t) => t / FLOOR_PASSES);
  p.ratios = p.ours.map((t, i) => t / p.peer[i]!);
  const s = spread(p.ratios);
  const perUs = (t: number): number => (t * 1000) / COUNT;
  console.log(`  ${COUNT.toLocaleString('en')} notifications (${pkgs[0]!.length} bytes each, with a digest): omadm ${ms(spread(p.ours).median)}, minimal decoder ${ms(spread(p.peer).median)}; ratio ${ratioText(s)} (${sink > 0 ? 'read' : ''})`);
  const rows: Row[] = [
    { figure: `decoding one of ${COUNT.toLocaleString('en')} notifications with a digest (minimal decoder: ${fixed(perUs(spread(p.peer).median), 3)} µs)`, value: `${fixed(perUs(spread(p.ours).median), 3)} µs`, target: '' },
    { figure: 'decoding: omadm / a minimal decoder of the same fields (the floor)', value: ratioText(s), target: '' },
  ];
  return { rows, failed: [] };
}
