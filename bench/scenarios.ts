// Scenarios as `omadm run` runs them, and traces as the diagram opens them.
// - A fleet scenario of 1,000 emulated devices (each notified, each running one DM Session with a
//   GET and a DELETE) through the scenario runner, paired with the same sessions driven on the same
//   host without the runner (no steps, no expectations, no validation of every message): the ratio
//   is the runner's overhead.
// - A trace of 100,000 messages: from its text to the rows of the first screen (the trace read,
//   the sequence-diagram model built, the first chunk of rows taken), which is what the webview
//   waits for before it draws.
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenario } from '../server/src/core/scenario/model.ts';
import { runScenario } from '../server/src/core/engine/scenario.ts';
import { scenarioHost } from '../server/src/host/scenarioHost.ts';
import { parsePackage } from '../server/src/core/dm20/model.ts';
import { readTrace, sequenceDiagram } from '../server/src/core/trace/diagram.ts';
import type { TraceEvent } from '../server/src/core/trace/events.ts';
import { ROOT } from './paths.ts';
import { ms, msSpread, paired, ratioText, spread, timeOnce, type Row, type SectionResult } from './measure.ts';

const DEVICES = 1_000;
const TREE = path.join(ROOT, 'examples', 'workspace', 'device.dmtree.json');
const COMMANDS = [['GET', 'urn:oma:mo:oma-dm-devinfo:1.0//DevID'], ['DELETE', 'urn:oma:mo:oma-scomo:1.0/SCOMO1/Inventory/Deployed/Component2']];

function fleetScenario() {
  const text = JSON.stringify({
    participants: [{ id: 'dm', kind: 'dm-server' }, { id: 'fleet', kind: 'device', tree: TREE, server: 'dm', count: DEVICES }],
    steps: [{ queue: { server: 'dm', commands: COMMANDS } }, { notify: { server: 'dm', device: 'fleet' }, expect: { statuses: [200, 200] } }],
  });
  const s = parseScenario(text, 'fleet').scenario;
  if (!s) throw new Error('the bench scenario does not parse');
  return s;
}

/** The scenario through the runner; throws unless every step passed. */
async function viaRunner(): Promise<void> {
  const r = await runScenario({ scenario: fleetScenario(), host: scenarioHost(os.tmpdir()) });
  if (!r.passed) throw new Error(`the fleet scenario failed: ${JSON.stringify(r.steps.find((s) => s.status !== 'passed'))}`);
}

/** The same sessions on the same host, driven directly. */
async function bare(): Promise<void> {
  const host = scenarioHost(os.tmpdir());
  const s = fleetScenario();
  const server = await host.startServer(s.participants[0] as never, 'DMS_ID1', () => undefined);
  const devices = await host.startDevices(s.participants[1] as never, DEVICES, server.url, () => undefined);
  try {
    const pkg = parsePackage(JSON.stringify({ CMD: COMMANDS }), 'pkg2').value!;
    for (const d of devices) server.engine.enqueue(d.engine.devId ?? '', pkg);
    const noti = (d: (typeof devices)[number]) => {
      const n = d.engine.tree.instances('urn:oma:mo:oma-dm-dmacc:1.2')[0]?.root.child('Auth')?.child('Noti');
      return { secret: String(n?.child('Secret')?.value ?? ''), authData: String(n?.child('Data')?.value ?? '') };
    };
    const outcomes = await Promise.all(devices.map(async (d) => {
      await d.notify(server.engine.notification(noti(d)).bytes);
      const o = await d.outcome(0);
      await d.idle();
      return o;
    }));
    const bad = outcomes.find((o) => o.outcome !== 'completed');
    if (bad) throw new Error(`a bare session did not complete: ${bad.reason}`);
  } finally {
    for (const d of devices) await d.close();
    await server.close();
  }
}

/** A trace of `n` events shaped like a fleet's: Package#0, #1, #2, #3 of many devices, some failures. */
function traceText(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const dev = `fleet-${i % 100}`;
    const k = i % 4;
    const e: TraceEvent = k === 0
      ? { time: i, from: 'dm', to: dev, transport: 'udp', kind: 'package0', body: '02000001', notificationId: i & 0xffff }
      : k === 1 ? { time: i, from: dev, to: 'dm', transport: 'http', kind: 'package1', method: 'POST', url: 'http://dm.example/dm', status: i % 97 === 0 ? 503 : 200, body: { Alert: [{ AlertType: 'urn:oma:at:dm:2.0:ServerInitiatedMgmt' }] }, sessionId: `${dev}#${i}` }
        : k === 2 ? { time: i, from: 'dm', to: dev, transport: 'http', kind: 'package2', status: 200, body: { CMD: COMMANDS }, sessionId: `${dev}#${i - 1}` }
          : { time: i, from: dev, to: 'dm', transport: 'http', kind: 'package3', method: 'POST', url: 'http://dm.example/dm', status: 200, body: { Status: [{ sc: 200 }, { sc: 200 }] }, sessionId: `${dev}#${i - 2}` };
    lines.push(JSON.stringify(e));
  }
  return lines.join('\n') + '\n';
}

export async function scenarioBench(): Promise<SectionResult> {
  const rows: Row[] = [];
  const failed: string[] = [];
  const p = await paired(viaRunner, bare);
  const ratio = spread(p.ratios);
  rows.push({ figure: `fleet scenario of ${DEVICES.toLocaleString('en')} devices through omadm run's runner: min / median / max of the pairs`, value: msSpread(p.ours), target: '' });
  rows.push({ figure: `the same sessions driven on the same host without the runner`, value: msSpread(p.peer), target: '' });
  rows.push({ figure: 'runner / bare sessions, wall time (the runner\'s overhead: steps, expectations, every message validated)', value: ratioText(ratio), target: '<= 1.5x', met: ratio.median <= 1.5 });
  rows.push({ figure: 'a device session through the runner (median run / devices)', value: ms(spread(p.ours).median / DEVICES), target: '' });

  const text = traceText(100_000);
  const first: number[] = [];
  for (let i = 0; i < 5; i++) {
    first.push(await timeOnce(() => {
      const t = readTrace(text);
      const d = sequenceDiagram(t.events);
      if (d.rows.slice(0, 5_000).length === 0) throw new Error('no rows');
    }));
  }
  rows.push({ figure: `trace of 100,000 messages (${(text.length / 1024 / 1024).toFixed(1)} MB): text to the first screen's rows (read, model, first chunk), min / median / max of 5`, value: msSpread(first), target: '< 1000 ms', met: spread(first).median < 1000 });
  return { rows, failed };
}
