/**
 * `omadm demo`: the bundled example workspace end to end. Its files are validated, then the mini
 * DM Server and one emulated device (the workspace's `device.dmtree.json`) run on loopback with
 * ephemeral ports: a DM Notification over UDP (E.1), a DM Session that uses every command of 5.3,
 * the asynchronous EXEC report (5.4.1); every package exchanged is validated by the same
 * validators as the editor's, and the tree's changes are listed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DmServerEngine } from '../core/engine/server.js';
import { DataRepository } from '../core/engine/repository.js';
import { account } from '../core/engine/account.js';
import { parsePackage } from '../core/dm20/model.js';
import { formatEvent, type TraceEvent } from '../core/trace/events.js';
import { serializeTree } from '../core/tree/load.js';
import type { PackageKind } from '../core/dm20/packages.js';
import { serveDmServer } from '../host/dmServerHost.js';
import { FileStore } from '../host/fileStore.js';
import { UndiciHttpClient } from '../host/httpClient.js';
import { runDevice, systemClock } from '../host/deviceHost.js';
import { sendDatagram } from '../host/udp.js';
import { loadDdfs } from '../host/ddfs.js';
import { validatePaths } from './validate.js';
import { readPackage2, readTree } from './parts.js';
import { runDelegation } from './demoDelegation.js';
import type { Io } from './omadm.js';
import { parseScenario } from '../core/scenario/model.js';
import { runScenario } from '../core/engine/scenario.js';
import { summarize } from '../core/trace/summary.js';
import { scenarioHost } from '../host/scenarioHost.js';

export const DEMO_HELP = `Usage: omadm demo

Runs the example workspace bundled with omadm end to end: validates its files, then starts the
mini DM Server and an emulated device (examples/workspace/device.dmtree.json) on loopback, sends
a DM Notification over UDP, runs the DM Session of examples/workspace/session/*.pkg2.json (every
DM command), prints one line per package or HTTP exchange with its status, checks every package
exchanged with the validators, and lists what changed in the device's tree; then delegates the
device to a second DM Server and takes the delegation back (Delegation 5.2.1, 5.2.3); then runs
the scenarios of examples/workspace/scenarios (a management session, each delegation flow,
failures with rollback, a fleet of 100 devices) and prints each one's steps and trace summary.
Nothing is written to the workspace.

Exit status: 0 when the workspace has no errors, the session completed with valid packages and
every scenario passed, 1 otherwise.
`;

/** Every leaf as ClientURI = value, to list what a session changed. */
function leaves(serialized: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of JSON.parse(serialized) as { ClientURI: string; MOData: Record<string, unknown> }[]) {
    const base = item.ClientURI.replace(/\/[^/]*\/$/, '');
    const stack: [string, unknown][] = Object.keys(item.MOData).map((k) => [`${base}/${k}`, item.MOData[k]]);
    while (stack.length) {
      const [p, v] = stack.pop()!;
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) for (const k of Object.keys(v)) stack.push([`${p}/${k}`, (v as Record<string, unknown>)[k]]);
      else out.set(p, JSON.stringify(v));
    }
  }
  return out;
}

const KINDS: Partial<Record<TraceEvent['kind'], PackageKind>> = { package1: 'pkg1', package2: 'pkg2', package3: 'pkg3' };

export async function demoCommand(args: string[], io: Io): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(DEMO_HELP);
    return 0;
  }
  const workspace = path.resolve(__dirname, '..', 'examples', 'workspace');
  io.out(`Validating the example workspace ${workspace}\n\n`);
  const result = validatePaths([workspace]);
  for (const f of result.checked) {
    const own = result.diagnostics.filter((d) => d.file === f.file);
    io.out(`${own.length ? '!' : '✓'} ${path.relative(workspace, f.file)}  (${f.kind}${f.message ? ': ' + f.message : ''})\n`);
    for (const d of own) io.out(`    ${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}\n`);
  }
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  io.out(`\n${result.files} files checked: ${errors} errors, ${result.diagnostics.filter((d) => d.severity === 'warning').length} warnings\n\n`);

  const tree = readTree([path.join(workspace, 'device.dmtree.json')]);
  const before = serializeTree(tree);
  const acc = account(tree, undefined)!;
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-demo-'));
  const sessionDir = path.join(workspace, 'session');
  for (const f of fs.readdirSync(path.join(sessionDir, 'repository'))) fs.copyFileSync(path.join(sessionDir, 'repository', f), path.join(repo, f));
  const events: TraceEvent[] = [];
  const trace = (e: TraceEvent): void => void events.push(e);
  const serverTrace: TraceEvent[] = [];
  const engine = new DmServerEngine({
    serverId: acc.serverId, repository: new DataRepository(new FileStore(repo)), clock: systemClock, trace: (e) => void serverTrace.push(e),
    commands: fs.readdirSync(sessionDir).filter((f) => f.endsWith('.pkg2.json')).sort().map((f) => readPackage2(path.join(sessionDir, f))),
    ...(acc.transport ? { credentials: { users: new Map([[acc.transport.data, acc.transport.secret]]), realm: 'omadm', secret: randomBytes(16).toString('hex') } } : {}),
  });
  const server = await serveDmServer(engine);
  const http = new UndiciHttpClient({ hosts: new Map([[new URL(acc.serverUri ?? 'http://dm.example').host, server.url]]), timeout: 10_000 });
  let done!: () => void;
  const first = new Promise<void>((r) => (done = r));
  const outcomes: string[] = [];
  const device = await runDevice({ tree, ddfs: loadDdfs([]), http, trace, udpPort: 0, onSession: (o) => {
    outcomes.push(`${o.sessionId}: ${o.outcome} (${o.reason})`);
    if (o.outcome !== 'completed' || outcomes.length === 1) done();
  } });
  let invalid = 0;
  try {
    const secret = tree.instances(acc.instance.moid)[0]?.root.child('Auth')?.child('Noti');
    const { bytes } = engine.notification({ reqMos: true, ...(secret?.child('Secret') ? { secret: String(secret.child('Secret')!.value), authData: String(secret.child('Data')?.value ?? '') } : {}) });
    io.out(`The mini DM Server is at ${server.url}; the device ${device.engine.name} listens on udp://127.0.0.1:${device.udpPort}\n\n`);
    await sendDatagram(bytes, '127.0.0.1', device.udpPort);
    const deadline = new Promise<'late'>((r) => setTimeout(() => r('late'), 30_000).unref());
    if ((await Promise.race([first.then(() => 'ok' as const), deadline])) === 'late') outcomes.push('no session within 30 s');
    await Promise.race([device.idle(), deadline]);
    for (const e of events) {
      if (e.kind === 'note') {
        io.out(`      · ${e.note}\n`);
        continue;
      }
      io.out(`${formatEvent(e)}\n`);
      const kind = KINDS[e.kind] ?? (e.kind === 'http' && /dmmo\+json/.test(e.contentType ?? '') ? 'mo' : undefined);
      if (kind && e.body !== undefined) {
        const problems = parsePackage(typeof e.body === 'string' ? e.body : JSON.stringify(e.body), kind).diagnostics.filter((d) => d.severity === 'error');
        invalid += problems.length;
        for (const p of problems) io.out(`      ! ${p.code}: ${p.message}\n`);
      }
    }
    io.out(`\nSessions: ${outcomes.join('; ')}\n`);
    const alerts = [...engine.devices.values()].flatMap((d) => d.alerts.map((a) => a.AlertType));
    io.out(`Generic Alerts collected by the DM Server: ${alerts.join(', ') || 'none'}\n`);
    const stored = await new FileStore(repo).keys();
    io.out(`Data Repository items: ${stored.sort().join(', ')}\n`);
    io.out(`Packages exchanged with errors: ${invalid}\n`);
    // Delegation 5.2.1 then 5.2.3: the demo's DM Server, as DMS-1, delegates the SCOMO to a DMS-2 and takes it back.
    const noti = tree.instances(acc.instance.moid)[0]?.root.child('Auth')?.child('Noti');
    const info = tree.instances('urn:oma:mo:oma-dm-devinfo:1.0')[0]?.root;
    const before2 = serializeTree(tree);
    const d = await runDelegation({
      dm: engine, store: new FileStore(repo), serverId: acc.serverId, repositoryUrl: `${acc.serverUri ? new URL(acc.serverUri).origin : server.url}/repository/`,
      device: { devId: device.engine.devId ?? '', udpPort: device.udpPort, man: String(info?.child('Man')?.value ?? ''), mod: String(info?.child('Mod')?.value ?? '') },
      ...(noti?.child('Secret') ? { notification: { secret: String(noti.child('Secret')!.value), authData: String(noti.child('Data')?.value ?? '') } } : {}),
    });
    io.out(`\nDelegation (Delegation 5.2.1, then the termination of 5.2.3), DMS-1 and DMS-2 over HTTPS with mutual TLS:\n`);
    let shown = 0;
    for (const rec of d.records) {
      for (const m of rec.messages.slice(shown)) io.out(`  dms1 ${m.direction === 'sent' ? '->' : '<-'} dms2  ${m.root}${m.status ? `  ${m.status}` : ''}\n`);
      shown = rec.messages.length;
      io.out(`  ${rec === d.records[0] ? 'delegation' : 'termination'} ${rec.sessionId}: ${rec.state}${rec.reason ? ` (${rec.reason})` : ''}\n`);
    }
    const delegationOk = d.records.length === 2 && d.records[1]!.state === 'revoked';
    if (!delegationOk) outcomes.push('delegation: failed');
    const sameAfter = JSON.stringify(JSON.parse(serializeTree(tree)).map(({ CV: _c, ...x }: { CV?: string }) => x)) === JSON.stringify(JSON.parse(before2).map(({ CV: _c, ...x }: { CV?: string }) => x));
    io.out(`  the device's tree after the termination is as before the delegation: ${sameAfter ? 'yes' : 'NO'}\n`);
    if (!sameAfter) outcomes.push('delegation: the tree was not restored');
    io.out(`\nChanges in the device's tree:\n`);
    const [a, b] = [leaves(before), leaves(serializeTree(tree))];
    for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      if (!a.has(k)) io.out(`  + ${k} = ${b.get(k)}\n`);
      else if (!b.has(k)) io.out(`  - ${k} (was ${a.get(k)})\n`);
      else if (a.get(k) !== b.get(k)) io.out(`  ~ ${k}: ${a.get(k)} -> ${b.get(k)}\n`);
    }
  } finally {
    await device.close();
    await http.close();
    await server.close();
    fs.rmSync(repo, { recursive: true, force: true });
  }
  const completed = outcomes.length > 0 && outcomes.every((o) => o.includes(': completed'));
  const scenariosOk = await demoScenarios(path.join(workspace, 'scenarios'), io);
  return errors || invalid || !completed || !scenariosOk ? 1 : 0;
}

/** The example workspace's scenarios, run as `omadm run` runs them (docs/scenarios.md), each with its trace summary. */
async function demoScenarios(dir: string, io: Io): Promise<boolean> {
  io.out(`
Scenarios (${dir}), as 'omadm run' runs them:
`);
  let ok = true;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.dmflow.json')).sort()) {
    const parsed = parseScenario(fs.readFileSync(path.join(dir, f), 'utf8'), f.replace(/\.dmflow\.json$/, ''));
    if (!parsed.scenario) {
      io.out(`  ! ${f}: ${parsed.diagnostics[0]?.message ?? 'not a valid scenario'}\n`);
      ok = false;
      continue;
    }
    const events: TraceEvent[] = [];
    const r = await runScenario({ scenario: parsed.scenario, host: scenarioHost(dir), trace: (e) => void events.push(e) });
    io.out(`\n  ${r.passed ? '✓' : '✗'} ${r.name} (${f}), ${Math.round(r.duration)} ms\n`);
    for (const s of r.steps) io.out(`      ${s.status === 'passed' ? '✓' : s.status === 'skipped' ? '-' : '✗'} ${s.index + 1}. ${s.name}${s.message ? `: ${s.message}` : ''}\n`);
    if (r.error) io.out(`      ${r.error}\n`);
    io.out(`      trace: ${summarize(events)}\n`);
    ok &&= r.passed;
  }
  return ok;
}
