// A trace as a sequence diagram: lifelines in order of appearance, one arrow per package, HTTP
// exchange or datagram, labels and statuses as the trace says, failures marked, notes kept; the
// reader of trace files bounded; and the model built in linear time for 100,000 events.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';
import { type Arrow, type Note, readTrace, sequenceDiagram } from '../../server/src/core/trace/diagram.ts';
import { assertLinear, fleetEvents } from './trace-helpers.ts';

const TRACES = path.join(ROOT, 'test', 'fixtures', 'traces');
const fixture = (name: string): TraceEvent[] => readTrace(fs.readFileSync(path.join(TRACES, name), 'utf8')).events;

test('the management session: lifelines in order of appearance, an arrow per message, a note per note', () => {
  const events = fixture('management-session.trace.jsonl');
  const d = sequenceDiagram(events);
  // The first event is the DM Notification from dm to phone; the browser's visit comes later.
  assert.deepEqual(d.participants, ['dm', 'phone', 'phone (browser)']);
  assert.equal(d.rows.length, events.length);
  const arrows = d.rows.filter((r): r is Arrow => r.type === 'arrow');
  assert.equal(arrows.length, events.filter((e) => e.kind !== 'note').length);
  assert.equal(d.rows.filter((r) => r.type === 'note').length, events.filter((e) => e.kind === 'note').length);
  const [notification, package1, package2] = arrows;
  assert.deepEqual([notification!.label, notification!.status, notification!.from, notification!.to, notification!.transport], ['Package#0', 'accepted from DMS_ID1', 0, 1, 'udp']);
  assert.deepEqual([package1!.label, package1!.status, package1!.from, package1!.to, package1!.response], ['Package#1', '200', 1, 0, false]);
  // The first Package#2 of the trace carries ten commands (GET x3, HPUT, HPOST, SUB, HGET x2, GET, CONT).
  const cmd = (events.find((e) => e.kind === 'package2')!.body as { CMD: unknown[] }).CMD;
  assert.equal(cmd.length, 10);
  assert.deepEqual([package2!.label, package2!.status, package2!.from, package2!.to, package2!.response], ['Package#2 (10 commands)', '200', 0, 1, true]);
  // The HPUT of DevInfo: the request's path, without the origin.
  const hput = arrows.find((a) => a.label.startsWith('PUT '))!;
  assert.equal(hput.label, 'PUT /repository/IMEI:493005100592800/devinfo');
  assert.equal(hput.status, '201');
  assert.deepEqual(arrows.filter((a) => a.label === 'GET /ui?uiid=1234').map((a) => [d.participants[a.from], d.participants[a.to]]), [['phone (browser)', 'dm']]);
  // The Package#3 with GET data is multipart: its parts are counted (Appendix F).
  const parts = events.find((e) => e.kind === 'package3')!.parts!.length;
  assert.equal(arrows.find((a) => a.kind === 'package3')!.label, `Package#3 (${parts} data part${parts === 1 ? '' : 's'})`);
  // The second session ends at once: its Package#2 is END alone.
  assert.equal(arrows.filter((a) => a.kind === 'package2').at(-1)!.label, 'Package#2 (END)');
  // Two commands failed (GET of Component9: 404, UNSUB of an unknown subscription: 404).
  const failed = d.rows.filter((r) => r.failed) as Note[];
  assert.deepEqual(failed.map((r) => r.text.slice(0, 10)), ['GET: 404 N', 'UNSUB: 404']);
  assert.equal(d.failures, 2);
  assert.ok(failed.every((n) => n.type === 'note' && n.over.length === 1 && d.participants[n.over[0]!] === 'phone'));
});

test('failures: an HTTP error, an aborted session and a DELEGATION_FAILURE are marked; delegation messages are named by their root', () => {
  const events = fixture('failures.trace.jsonl');
  const d = sequenceDiagram(events);
  assert.deepEqual(d.participants, ['dms1', 'dms2', 'IMEI:493005100592800', 'phone', 'dm']);
  const arrows = d.rows.filter((r): r is Arrow => r.type === 'arrow');
  const delegation = arrows.filter((a) => a.kind === 'http' && events[a.event]!.contentType === 'application/vnd.dm.delegation+xml');
  // The peers note each message's root element.
  assert.deepEqual(delegation.map((a) => a.label), events.filter((e) => e.contentType === 'application/vnd.dm.delegation+xml').map((e) => e.note));
  assert.deepEqual(delegation.slice(0, 4).map((a) => [a.label, a.status]), [['delegation_req', '200'], ['bootstrap_confirmed', '204'], ['delegation_prepared', '204'], ['delegation_failure', '204']]);
  const failed = d.rows.filter((r) => r.failed).map((r) => (r.type === 'arrow' ? `${r.label} ${r.status}` : r.text.slice(0, 15)));
  assert.deepEqual(failed, ['delegation_failure 204', 'delegation_failure 204', 'Package#1 503', 'session aborted']);
  assert.equal(d.failures, 4);
});

const base = { time: 1, transport: 'http' as const };

test('labels, statuses and failures of each kind of event, from hand-made events', () => {
  const events: TraceEvent[] = [
    { ...base, transport: 'udp', from: 'srv', to: 'dev', kind: 'package0', note: 'dropped: the digest does not match' },
    { ...base, from: 'dev', to: 'srv', kind: 'package1', method: 'POST', url: 'http://dm.example/dm', note: 'ECONNREFUSED' },
    { ...base, from: 'dev', to: 'srv', kind: 'package1', method: 'POST', url: 'http://dm.example/dm', status: 401 },
    { ...base, from: 'srv', to: 'dev', kind: 'package2', status: 200, body: { CMD: [['GET', 'a'], ['END']] } },
    { ...base, from: 'srv', to: 'dev', kind: 'package2', status: 200, body: { CMD: [['GET', 'a']] } },
    { ...base, from: 'dev', to: 'srv', kind: 'http', method: 'GET', url: 'https://repo.example:8443/repository/x?DevID=1', status: 200 },
    { ...base, from: 'p1', to: 'p2', kind: 'http', method: 'POST', url: 'https://p2/dm/delegation', contentType: 'application/vnd.dm.delegation+xml', requestBody: '<?xml version="1.0"?>\n<!-- c -->\n<delegation_revocation_req><a/></delegation_revocation_req>', status: 200 },
    { ...base, transport: 'local', from: 'dev', to: 'dev', kind: 'note', note: 'DELETE: 405 not allowed\n(second line)' },
    { ...base, transport: 'local', from: 'dev', to: 'srv', kind: 'note', note: 'session aborted: no answer' },
    { ...base, transport: 'local', from: 'dev', to: 'dev', kind: 'note', note: 'EXEC: 200 executed' },
  ];
  const d = sequenceDiagram(events);
  assert.deepEqual(d.participants, ['srv', 'dev', 'p1', 'p2']);
  const summary = d.rows.map((r) => (r.type === 'arrow' ? [r.label, r.status, r.failed] : [r.text, r.over, r.failed]));
  assert.deepEqual(summary, [
    ['Package#0', 'dropped: the digest does not match', true],
    ['Package#1', 'no answer', true],
    ['Package#1', '401', true],
    ['Package#2 (2 commands)', '200', false],
    ['Package#2 (1 command)', '200', false],
    ['GET /repository/x?DevID=1', '200', false],
    ['delegation_revocation_req', '200', false],
    ['DELETE: 405 not allowed (second line)', [1], true],
    ['session aborted: no answer', [1, 0], true],
    ['EXEC: 200 executed', [1], false],
  ]);
  assert.equal(d.failures, 5);
  assert.deepEqual(sequenceDiagram(events, { notes: false }).rows.map((r) => r.event), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(sequenceDiagram(events.slice(3, 5), { offset: 3 }).rows.map((r) => r.event), [3, 4]);
});

test('whatever a trace line holds, the model is built: odd field types, long names and labels are bounded', () => {
  const long = 'x'.repeat(10_000);
  const events = [
    { time: 1, from: long, to: '', transport: 'http', kind: 'http', method: 42, url: { a: 1 }, status: '500', body: null, note: ['x'] },
    { time: 1, from: 'a', to: 'b', transport: 'http', kind: 'package2', body: { CMD: 'not a list' } },
    { time: 1, from: 'a', to: 'b', transport: 'http', kind: 'package3', parts: 'none' },
    { time: 1, from: 'a', to: 'b', transport: 'smoke', kind: 'whatever', note: long },
  ] as unknown as TraceEvent[];
  const d = sequenceDiagram(events);
  assert.ok(d.participants.every((p) => p.length <= 120), 'names are cut');
  assert.equal(d.participants[1], '(unnamed)');
  assert.ok(d.rows.every((r) => (r.type === 'arrow' ? r.label.length <= 160 : r.text.length <= 320)));
  assert.deepEqual(d.rows.map((r) => (r.type === 'arrow' ? r.label : '')), ['42 [object Object]', 'Package#2', 'Package#3', 'whatever']);
});

test('participants beyond the cap share one lifeline', () => {
  const events: TraceEvent[] = ['a', 'b', 'c', 'd', 'b', 'e'].map((to, i) => ({ time: i, from: 'srv', to, transport: 'udp', kind: 'package0' }));
  const d = sequenceDiagram(events, { maxParticipants: 4 });
  assert.deepEqual(d.participants, ['srv', 'a', 'b', '(other participants)']);
  assert.deepEqual(d.rows.map((r) => (r.type === 'arrow' ? r.to : -1)), [1, 2, 3, 3, 2, 3]);
  assert.equal(d.merged, 3);
  assert.equal(sequenceDiagram(events).merged, undefined);
});

test('reading a trace file: blank lines skipped, bad lines reported with their numbers and capped, events capped', () => {
  const good = JSON.stringify({ time: 1, from: 'a', to: 'b', transport: 'http', kind: 'package1' });
  const r = readTrace(`${good}\n\n{not json\n[1,2]\n{"time":"1","from":"a","to":"b","kind":"note"}\n${good}\r\n`);
  assert.equal(r.events.length, 2);
  assert.deepEqual(r.problems.map((p) => p.line), [3, 4, 5]);
  assert.match(r.problems[0]!.message, /^not JSON/);
  assert.match(r.problems[1]!.message, /time, from, to and kind are required/);
  const garbage = readTrace('garbage\n'.repeat(10_000));
  assert.equal(garbage.events.length, 0);
  assert.equal(garbage.problems.length, 100);
  assert.equal(garbage.moreProblems, 9_900);
  const capped = readTrace(`${good}\n`.repeat(50), { maxEvents: 20 });
  assert.equal(capped.events.length, 20);
  assert.equal(capped.truncated, true);
  assert.deepEqual(readTrace(''), { events: [], problems: [], moreProblems: 0, truncated: false });
});

test('100,000 events become a diagram in linear time', (t) => {
  const d = sequenceDiagram(fleetEvents(100_000));
  assert.equal(d.rows.length, 100_000);
  assert.equal(d.participants.length, 5001);
  assertLinear(t, 'sequenceDiagram', (n) => {
    const events = fleetEvents(n);
    return () => sequenceDiagram(events);
  }, 12_500);
});

test('reading a trace file of 100,000 lines is linear', (t) => {
  assertLinear(t, 'readTrace', (n) => {
    const text = fleetEvents(n).map((e) => JSON.stringify(e)).join('\n');
    return () => readTrace(text);
  }, 12_500);
});
