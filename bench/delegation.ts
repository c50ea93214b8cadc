// Delegation (Delegation 5.2.1, the DMS-2 DMAcc approach) as the delegation lab runs it: DMS-1 and
// DMS-2 exchanging their messages over HTTPS with mutual TLS, their mini DM Servers and an emulated
// device, all on loopback. One flow at a time (time per flow; TLS handshakes counted on both peers'
// HTTPS servers), then 100 flows at once, each in a lab of its own, the 100 labs sharing one CA.
import { labCertificates, startLab, type DelegationLab } from '../server/src/host/delegationLab.ts';
import type { PeerServer } from '../server/src/host/peerHost.ts';
import { ms, msSpread, percentile, spread, type Row, type SectionResult } from './measure.ts';

const SEQUENTIAL = 10;
const PARALLEL = 100;

/** TLS handshakes the lab's two delegation peers have completed so far. */
function handshakes(lab: DelegationLab): number {
  return lab.servers.reduce((n, s) => n + ((s as Partial<PeerServer>).handshakes ?? 0), 0);
}

export async function delegationBench(): Promise<SectionResult> {
  const rows: Row[] = [];
  const failed: string[] = [];
  let t = performance.now();
  const pki = await labCertificates();
  const pkiMs = performance.now() - t;

  // One flow untimed first: the JIT, and the first TLS contexts.
  const warm = await startLab({ pki });
  await warm.run('dmacc').finally(() => warm.close());

  const starts: number[] = [];
  const flows: number[] = [];
  const shakes: number[] = [];
  const messages: number[] = [];
  let failures = 0;
  for (let i = 0; i < SEQUENTIAL; i++) {
    t = performance.now();
    const lab = await startLab({ pki });
    starts.push(performance.now() - t);
    try {
      const h = handshakes(lab);
      t = performance.now();
      const r = await lab.run('dmacc');
      flows.push(performance.now() - t);
      shakes.push(handshakes(lab) - h);
      messages.push(r.records[0]?.messages.length ?? 0);
      if (!r.ok) {
        failures++;
        console.log(`  flow ${i + 1} failed: ${r.reason}`);
      }
    } finally {
      await lab.close();
    }
  }
  console.log(`  one 5.2.1 flow: ${msSpread(flows)} (min / median / max of ${SEQUENTIAL}); ${spread(shakes).median} TLS handshakes, ${spread(messages).median} delegation messages a flow; lab start ${ms(spread(starts).median)}`);
  rows.push({ figure: `one 5.2.1 flow over mutual TLS: min / median / max of ${SEQUENTIAL} in turn`, value: msSpread(flows), target: '' });
  rows.push({ figure: `TLS handshakes a flow (both peers' servers; ${spread(messages).median} delegation messages)`, value: shakes.every((x) => x === shakes[0]) ? String(shakes[0]) : `${spread(shakes).min}-${spread(shakes).max}`, target: '' });
  rows.push({ figure: `a lab's start: DMS-1, DMS-2, their DM Servers, a device (the CA made once: ${ms(pkiMs)})`, value: ms(spread(starts).median), target: '' });

  // 100 at once: the labs started first, then every flow begun together.
  t = performance.now();
  const labs = await Promise.all(Array.from({ length: PARALLEL }, () => startLab({ pki, timeout: 60_000 })));
  const labsMs = performance.now() - t;
  try {
    const before = labs.reduce((n, l) => n + handshakes(l), 0);
    const latencies: number[] = [];
    t = performance.now();
    const results = await Promise.all(labs.map(async (lab) => {
      const s = performance.now();
      const r = await lab.run('dmacc');
      latencies.push(performance.now() - s);
      return r;
    }));
    const total = performance.now() - t;
    const shaken = labs.reduce((n, l) => n + handshakes(l), 0) - before;
    const bad = results.filter((r) => !r.ok);
    failures += bad.length;
    for (const r of bad.slice(0, 3)) console.log(`  a parallel flow failed: ${r.reason}`);
    console.log(`  ${PARALLEL} flows at once: ${ms(total)}; per flow p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}; ${shaken} TLS handshakes; ${bad.length} failed`);
    rows.push({ figure: `${PARALLEL} flows at once, ${PARALLEL} labs sharing one CA (started before: ${ms(labsMs)}): total`, value: ms(total), target: '' });
    rows.push({ figure: `${PARALLEL} flows at once: time a flow, p50 / p99`, value: `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))}`, target: '' });
    rows.push({ figure: `${PARALLEL} flows at once: TLS handshakes in all`, value: String(shaken), target: '' });
  } finally {
    await Promise.all(labs.map((l) => l.close()));
  }
  rows.push({ figure: 'delegation flows that did not complete', value: String(failures), target: '0', met: failures === 0 });
  if (failures) failed.push(`${failures} delegation flows did not complete`);
  return { rows, failed };
}
