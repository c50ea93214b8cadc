// A host that keeps no trace (NO_TRACE) gets the same DM Session as one that does: the same bytes
// on the wire both ways, the same records in the mini DM Server and its Data Repository.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DmServerEngine } from '../../server/src/core/engine/server.ts';
import { DataRepository, MemoryStore } from '../../server/src/core/engine/repository.ts';
import { type HttpPort, NO_TRACE, type TraceSink } from '../../server/src/core/engine/ports.ts';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';
import { serveDmServer } from '../../server/src/host/dmServerHost.ts';
import { UndiciHttpClient } from '../../server/src/host/httpClient.ts';
import { runDevice, systemClock } from '../../server/src/host/deviceHost.ts';
import { DEVID, DEVINFO, devinfo, dmacc, pkg2, treeOf } from './harness.ts';

const APP = 'urn:oma:mo:ext-app:1.0';
const items = [devinfo(), dmacc(), { ClientURI: `${APP}/app/`, MOData: { app: { Version: '1.4.2', Settings: { Mode: 'auto', Interval: 3600 }, Operations: { Update: '' } } } }];
const commands = [pkg2(['GET', `${APP}/app/Version`], ['GET', `${DEVINFO}/*/`], ['HPUT', 'http://dm.test/repository/[DevID]/app', `${APP}/app/Settings`], ['EXEC', `${APP}/app/Operations/Update`])];

interface Wire {
  requests: string[];
  answers: string[];
  results: unknown;
  stored: [string, string, string][];
  outcome: string;
}

/** One session of a fresh device against a fresh server, both with `trace`; what went over the wire and what the server kept. */
async function session(trace: (side: 'device' | 'server') => TraceSink): Promise<Wire> {
  const store = new MemoryStore();
  const engine = new DmServerEngine({ serverId: 'DMS_ID1', repository: new DataRepository(store), clock: systemClock, trace: trace('server'), commands });
  const server = await serveDmServer(engine);
  const inner = new UndiciHttpClient({ hosts: new Map([['dm.test', server.url]]), timeout: 5000 });
  const requests: string[] = [];
  const answers: string[] = [];
  const dec = new TextDecoder();
  const http: HttpPort = {
    send: async (req) => {
      requests.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}\n${dec.decode(req.body)}`);
      const res = await inner.send(req);
      answers.push(res.ok ? `${res.response.status} ${res.response.headers['content-type'] ?? ''} ${res.response.headers['omadm-accept'] ?? ''}\n${dec.decode(res.response.body)}` : res.error);
      return res;
    },
  };
  const device = await runDevice({ tree: treeOf(items), http, trace: trace('device'), udpPort: 0, udpHost: '127.0.0.1' });
  try {
    const o = await device.session({ serverId: 'DMS_ID1' });
    await device.idle();
    const stored = [...store.items].map(([k, v]): [string, string, string] => [k, v.contentType, dec.decode(v.body)]);
    return { requests, answers, results: engine.device(DEVID).results, stored, outcome: `${o.outcome}: ${o.reason}` };
  } finally {
    await device.close();
    await inner.close();
    await server.close();
  }
}

test('without a trace, a DM Session sends and answers the same bytes and leaves the same records (GET, multipart Package#3, HPUT, EXEC)', async () => {
  const events: TraceEvent[] = [];
  const traced = await session(() => (e) => void events.push(e));
  const silent = await session(() => NO_TRACE);
  assert.equal(traced.outcome, 'completed: END (DM 2.0 5.3.9)');
  assert.ok(events.some((e) => e.kind === 'package3') && events.some((e) => e.kind === 'http'), 'the traced run was traced');
  assert.deepEqual(silent, traced);
  assert.equal(traced.requests.length, 3);
  assert.match(traced.requests[2]!, /multipart\/form-data; boundary=/);
});

test('the Package#2 every device gets is the same bytes for each; END is shared and cannot be changed', async () => {
  const a = await session(() => NO_TRACE);
  const b = await session(() => NO_TRACE);
  assert.deepEqual(a.answers, b.answers);
  const engine = new DmServerEngine({ serverId: 'S', repository: new DataRepository(new MemoryStore()), clock: systemClock, trace: NO_TRACE });
  const out = await engine.handle({ method: 'POST', target: '/dm', headers: { 'content-type': 'application/vnd.oma.dm.initiation+json', 'omadm-devid': 'IMEI:1' }, body: new TextEncoder().encode('{"Alert": [{"AlertType": "urn:oma:at:dm:2.0:ClientInitiatedMgmt"}]}') });
  assert.equal(out.status, 200);
  assert.equal(new TextDecoder().decode(out.body), '{\n "CMD": [\n  [\n   "END"\n  ]\n ]\n}');
  const end = engine.device('IMEI:1').lastPackage!;
  assert.throws(() => end.commands.push({ name: 'GET', params: ['x'] }));
});
