// Replaying a trace over real sockets on 127.0.0.1: to a fresh mini DM Server, where the recorded
// session answers as recorded and a changed package is found; and to a URL, where a server that
// answers one delegation message differently is found at that message.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';
import { readTrace } from '../../server/src/core/trace/diagram.ts';
import { replayMarkdown, replayTexts, replayTrace } from '../../server/src/host/replay.ts';

const TRACES = path.join(ROOT, 'test', 'fixtures', 'traces');
const fixture = (name: string): TraceEvent[] => readTrace(fs.readFileSync(path.join(TRACES, name), 'utf8')).events;

test('a fresh mini DM Server answers the recorded management session as recorded', async () => {
  const events = fixture('management-session.trace.jsonl');
  const r = await replayTrace(events, { dmServer: true });
  // Package#1, the multipart Package#3 and the Package#1 of the session that reports the EXEC result (5.4.1).
  const packages = events.flatMap((e, i) => (e.kind === 'package1' || e.kind === 'package3' ? [i] : []));
  assert.deepEqual(r.items.map((i) => i.event), packages);
  assert.deepEqual(r.items.map((i) => [i.label, i.replayed.status, i.differences]), [['Package#1', 200, []], [`Package#3 (${events[packages[1]!]!.parts!.length} data parts)`, 200, []], ['Package#1', 200, []]]);
  assert.match(r.target, /^a fresh mini DM Server at http:\/\/127\.0\.0\.1:\d+$/);
  // The HPOST is no DM package; the credentials were never recorded.
  assert.deepEqual(r.skipped.map((s) => [events[s.event]!.method, s.reason]), [['POST', 'not a DM package: replayed against a URL only']]);
  assert.deepEqual(r.redacted, ['authorization']);
  assert.match(replayMarkdown(r, 'management session'), /3 requests sent to a fresh mini DM Server at [^:]+:\/\/127\.0\.0\.1:\d+: 0 answered differently than recorded\./);
  // The server is stopped afterwards.
  const port = Number(/:(\d+)$/.exec(r.target)![1]);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/dm`, { method: 'POST' }));
});

test('a Package#3 changed in the trace is refused by the fresh DM Server: the difference is found at that package', async () => {
  const events = structuredClone(fixture('management-session.trace.jsonl'));
  const at = events.findIndex((e) => e.kind === 'package3');
  // One more status than the Package#2 had commands (5.2.4, 7.2.1.3).
  (events[at]!.body as { Status: unknown[] }).Status.push({ sc: 200 });
  const r = await replayTrace(events, { dmServer: true });
  const changed = r.items.filter((i) => i.differences.length);
  assert.deepEqual(changed.map((i) => i.event), [at]);
  assert.equal(changed[0]!.recorded.status, 200);
  assert.equal(changed[0]!.replayed.status, 400);
  assert.match(changed[0]!.differences[0]!, /^status: recorded 200, now 400$/);
  assert.match(changed[0]!.differences[1]!, /^body: differs at /);
  const texts = replayTexts(r);
  assert.ok(texts.recorded.includes(`### #${at} Package#3`) && texts.replayed.includes('HTTP 400'));
  assert.match(replayMarkdown(r, 't'), new RegExp(`\\| ${at} \\| Package#3 [^|]*\\| 200 \\| 400 \\| status: recorded 200, now 400`));
});

test('replayed to a URL: each delegation POST goes there, and the one answered differently is found', async () => {
  const events = fixture('failures.trace.jsonl');
  const delegation = events.flatMap((e, i) => (e.contentType === 'application/vnd.dm.delegation+xml' ? [i] : []));
  // A peer that answers each delegation message as recorded, except the first DELEGATION_REQ: not acknowledged this time.
  let calls = 0;
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = events[delegation[calls++]!]!;
      const body = Buffer.concat(chunks).toString('utf8');
      received.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body === recorded.requestBody}`);
      let answer = String(recorded.body ?? '');
      if (calls === 1) answer = answer.replace('<isAknowledged>true</isAknowledged>', '<isAknowledged>false</isAknowledged>');
      res.writeHead(recorded.status!, answer ? { 'content-type': 'application/vnd.dm.delegation+xml' } : {});
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // The DM Servers the packages went to are left out (mapped to ''); the peers' delegation interfaces all go to the one URL.
    const dmServers = [...new Set(events.filter((e) => e.kind === 'package1' || e.kind === 'package3').map((e) => new URL(e.url!).origin))];
    const r = await replayTrace(events, { targets: { '*': url, ...Object.fromEntries(dmServers.map((o) => [o, ''])) } });
    assert.deepEqual(received, delegation.map((i) => `POST ${new URL(events[i]!.url!).pathname} application/vnd.dm.delegation+xml true`));
    assert.deepEqual(r.items.map((i) => i.event), delegation);
    const changed = r.items.filter((i) => i.differences.length);
    assert.deepEqual(changed.map((i) => [i.event, i.label]), [[delegation[0], 'delegation_req']]);
    assert.match(changed[0]!.differences.join('\n'), /^body: line \d+ differs: recorded "  <isAknowledged>true<\/isAknowledged>", now "  <isAknowledged>false<\/isAknowledged>"$/);
    const packages = events.filter((e) => e.kind === 'package1' || e.kind === 'package3').length;
    assert.equal(r.skipped.filter((s) => / is not replayed$/.test(s.reason)).length, packages);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a target that does not answer is a difference, not a failure of the replay; cancelling stops it', async () => {
  const events = fixture('management-session.trace.jsonl');
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const r = await replayTrace(events, { targets: { '*': `http://127.0.0.1:${port}` }, timeout: 2000 });
  assert.ok(r.items.length > 0);
  assert.ok(r.items.every((i) => i.replayed.status === undefined && /ECONNREFUSED/.test(i.replayed.error ?? '') && /^status: recorded \d+, now no answer/.test(i.differences[0]!)));
  const controller = new AbortController();
  controller.abort();
  const cancelled = await replayTrace(events, { dmServer: true, signal: controller.signal });
  assert.deepEqual([cancelled.items.length, cancelled.cancelled], [0, true]);
});
