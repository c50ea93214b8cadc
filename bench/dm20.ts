// DM 2.0 packages (JSON): a 10 MB Package#3 and a 10 MB MO data file, valid and with one fault per
// 1,000 items, validated by omadm (schema and package rules, with positions for what it reports)
// next to vscode-json-languageservice with the same schema, and next to the floor: JSON.parse and
// the same ajv schema alone, no positions, no rules. Peak memory of each, in a process of its own
// per run (bench/memory.ts). The time per MB of a faulty Package#3 from 1 to 32 MB must not grow.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MB, moData, package3 } from './inputs.ts';
import { mb, ms, paired, vs, ratioText, spread, type Row, type SectionResult } from './measure.ts';
import { BENCH, scratch } from './paths.ts';
import { scaling } from './scaling.ts';
import { JSON_INPUTS, floorValidator, jsonLanguageService, oursOn, type JsonKind } from './jsonPeers.ts';

const VALID = 0.3;
const FAULTY = 0.5;
const FLOOR = 2;

/** Peak RSS (MB) and time of one validation in a fresh process. */
function memoryRun(impl: 'ours' | 'peer', file: string, kind: JsonKind): { rssMb: number; ms: number } {
  const r = spawnSync(process.execPath, [path.join(BENCH, 'memory.js'), impl, file, kind], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/memory.js ${impl} ${kind} exited with ${r.status ?? r.signal}: ${r.stderr.slice(0, 400)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { rssMb: number; ms: number };
}

export async function dm20Bench(): Promise<SectionResult> {
  const rows: Row[] = [];
  const failed: string[] = [];
  const tmp = scratch('json');
  try {
    for (const input of JSON_INPUTS) {
      const text = input.kind === 'pkg3' ? package3(10 * MB, input.faulty) : moData(10 * MB, input.faulty);
      const label = `${input.kind === 'pkg3' ? 'Package#3' : 'MO data'} ${mb(text.length)}, ${input.faulty ? '1 fault per 1,000 items' : 'valid'}`;
      const ours = oursOn(text, input.kind);
      const peer = jsonLanguageService(text, input.kind);
      const oursFound = ours();
      const peerFound = await peer();
      const p = await paired(ours, peer);
      const s = spread(p.ratios);
      const target = input.faulty ? FAULTY : VALID;
      console.log(`  ${label}: omadm ${ms(spread(p.ours).median)} (${oursFound} findings), vscode-json-languageservice ${ms(spread(p.peer).median)} (${peerFound}); ratio ${ratioText(s)}`);
      rows.push({
        figure: `${label}: omadm / vscode-json-languageservice (${vs(spread(p.ours).median, spread(p.peer).median)})`,
        value: ratioText(s),
        target: `<= ${target}x`,
        met: s.median <= target,
      });
      if (!input.faulty) {
        const floor = floorValidator(text, input.kind);
        const f = await paired(ours, floor);
        const fl = spread(f.ratios);
        console.log(`  ${label}: omadm ${ms(spread(f.ours).median)}, JSON.parse + ajv ${ms(spread(f.peer).median)}; ratio ${ratioText(fl)}`);
        rows.push({ figure: `${label}: omadm / the floor, JSON.parse + ajv (${vs(spread(f.ours).median, spread(f.peer).median)})`, value: ratioText(fl), target: `<= ${FLOOR}x`, met: fl.median <= FLOOR });
      }
      // Peak memory: each run a process of its own, ours and the peer alternated.
      const file = path.join(tmp.dir, `m.${input.kind}.json`);
      fs.writeFileSync(file, text);
      const mem: { ours: number[]; peer: number[]; ratios: number[] } = { ours: [], peer: [], ratios: [] };
      for (let i = 0; i < 5; i++) {
        const first = i % 2 === 0 ? 'ours' : 'peer';
        const a = memoryRun(first, file, input.kind).rssMb;
        const b = memoryRun(first === 'ours' ? 'peer' : 'ours', file, input.kind).rssMb;
        const [o, t] = first === 'ours' ? [a, b] : [b, a];
        mem.ours.push(o);
        mem.peer.push(t);
        mem.ratios.push(o / t);
      }
      const m = spread(mem.ratios);
      console.log(`  ${label}: peak RSS omadm ${spread(mem.ours).median.toFixed(0)} MB, vscode-json-languageservice ${spread(mem.peer).median.toFixed(0)} MB`);
      rows.push({
        figure: `${label}: peak RSS, omadm / vscode-json-languageservice (${spread(mem.ours).median.toFixed(0)} vs ${spread(mem.peer).median.toFixed(0)} MB)`,
        value: ratioText(m),
        target: '< 1x',
        met: m.median < 1,
      });
    }

    // Scaling: a faulty Package#3 of each size, ours alternated with the floor; the check is on ours.
    const series = await scaling('a faulty Package#3', 'the floor', (size) => {
      const text = package3(size * MB, true);
      return { bytes: text.length, ours: oursOn(text, 'pkg3'), peer: floorValidator(text, 'pkg3') };
    });
    rows.push(...series.rows);
    failed.push(...series.failed);
  } finally {
    tmp.remove();
  }
  return { rows, failed };
}
