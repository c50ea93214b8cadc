// A trace as a .dmhttp fixture: each package's POST with the Package#2 that answered it, the other
// exchanges as sent, sessions of several devices kept apart, what is not HTTP left out and said so;
// the fixture validates clean with the validator `omadm validate` runs; linear in the events.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';
import { readTrace } from '../../server/src/core/trace/diagram.ts';
import { package2Answers, traceToDmhttp } from '../../server/src/core/trace/dmhttp.ts';
import { parseHttpExchange } from '../../server/src/core/http/message.ts';
import { analyzeText } from '../../server/src/core/analyze.ts';
import { assertLinear, fleetEvents } from './trace-helpers.ts';

const TRACES = path.join(ROOT, 'test', 'fixtures', 'traces');
const fixture = (name: string): TraceEvent[] => readTrace(fs.readFileSync(path.join(TRACES, name), 'utf8')).events;

/** What `omadm validate` reports for a .dmhttp file (the same analysis), errors and warnings. */
function errorsOf(text: string): string[] {
  const a = analyzeText(text, { fileName: 'trace.dmhttp' });
  assert.equal(a.kind, 'http');
  assert.ok(a.http && a.http.messages.length > 0);
  return a.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning').map((d) => `${d.code}: ${d.message}`);
}

test('the management session: one exchange per request, the Package#2 as the response of its package, validating clean', () => {
  const events = fixture('management-session.trace.jsonl');
  const r = traceToDmhttp(events);
  const requests = events.filter((e) => e.kind === 'package1' || e.kind === 'package3' || e.kind === 'http');
  assert.equal(r.exchanges, requests.length);
  // The DM Notification is the only message left out: notes are not messages.
  assert.deepEqual(r.skipped, [{ event: 0, reason: 'a Package#0 travels over UDP (DM 2.0 E.1), not in an HTTP exchange' }]);
  const http = parseHttpExchange(r.text);
  assert.deepEqual(http.errors, []);
  assert.deepEqual(http.messages.map((m) => (m.kind === 'request' ? `${m.method} ${m.target}` : String(m.status))), [
    'POST /dm', '200',
    'PUT /repository/IMEI:493005100592800/devinfo', '201',
    'POST /repository/camera_state?DevID=IMEI:493005100592800', '200',
    'GET /repository/new_secret?DevID=IMEI:493005100592800', '200',
    'GET /repository/dcmo_usb', '200',
    'PUT /repository/IMEI:493005100592800/dcmo', '201',
    'POST /dm/continued', '200',
    'GET /ui?uiid=1234', '200',
    'POST /dm/reports', '200',
  ]);
  // The first response is the first Package#2 of the trace, with its ten commands.
  const firstResponse = http.messages[1]!;
  const body = JSON.parse(r.text.slice(firstResponse.body.start, firstResponse.body.end)) as { CMD: unknown[] };
  assert.deepEqual(body, events.find((e) => e.kind === 'package2')!.body);
  // The multipart Package#3 is rebuilt with its parts (Appendix F): its boundary is the recorded one.
  const p3 = events.find((e) => e.kind === 'package3')!;
  assert.ok(r.text.includes(`Content-Type: ${p3.contentType}`));
  for (const part of p3.parts!) assert.ok(r.text.includes(`Content-Disposition: form-data; name="${part.name}"`));
  // The credentials stay redacted, as in the trace.
  assert.match(r.text, /^Authorization: Basic «redacted»$/m);
  assert.deepEqual(errorsOf(r.text), []);
});

test('the failures trace: delegation messages with their answers, an HTTP 503 without a body, validating clean', () => {
  const events = fixture('failures.trace.jsonl');
  const r = traceToDmhttp(events);
  const text = r.text;
  const http = parseHttpExchange(text);
  assert.deepEqual(http.errors, []);
  const first = http.messages.slice(0, 4).map((m) => (m.kind === 'request' ? `${m.method} ${m.target}` : String(m.status)));
  assert.deepEqual(first, ['POST /dm/delegation', '200', 'POST /dm/delegation', '204']);
  assert.match(text, /^POST \/dm\/delegation HTTP\/1\.1\nHost: 127\.0\.0\.1:\d+\nContent-Type: application\/vnd\.dm\.delegation\+xml\n\n<\?xml version="1\.0" encoding="UTF-8"\?>\n<delegation_req /);
  assert.match(text, /\nHTTP\/1\.1 503 Service Unavailable\n/);
  assert.deepEqual(errorsOf(text), []);
});

test('sessions of devices running at once are written one after the other; each Package#3 follows its own Package#2', () => {
  const session = (dev: string, cmd: unknown[][], statuses: { sc: number }[]): TraceEvent[] => [
    { time: 1, from: dev, to: 'dm', transport: 'http', kind: 'package1', method: 'POST', url: 'http://dm.example/dm', status: 200, contentType: 'application/vnd.oma.dm.initiation+json', headers: { 'omadm-devid': dev, accept: 'application/vnd.oma.dm.request+json' }, body: { Alert: [{ AlertType: 'urn:oma:at:dm:2.0:ClientInitiatedMgmt' }] }, sessionId: `${dev}#1` },
    { time: 2, from: 'dm', to: dev, transport: 'http', kind: 'package2', status: 200, contentType: 'application/vnd.oma.dm.request+json', body: { CMD: cmd }, sessionId: `${dev}#1` },
    { time: 3, from: dev, to: 'dm', transport: 'http', kind: 'package3', method: 'POST', url: 'http://dm.example/dm', status: 200, contentType: 'application/vnd.oma.dm.response+json', headers: { 'omadm-devid': dev, accept: 'application/vnd.oma.dm.request+json' }, body: { Status: statuses }, sessionId: `${dev}#1` },
    { time: 4, from: 'dm', to: dev, transport: 'http', kind: 'package2', status: 200, contentType: 'application/vnd.oma.dm.request+json', body: { CMD: [['END']] }, sessionId: `${dev}#1` },
  ];
  const a = session('IMEI:1', [['DELETE', 'urn:oma:mo:oma-dcmo:1.0/cam/']], [{ sc: 200 }]);
  const b = session('IMEI:2', [['EXEC', 'urn:oma:mo:oma-dcmo:1.0/cam/Operations/Enable'], ['DELETE', 'urn:oma:mo:oma-dcmo:1.0/usb/']], [{ sc: 200 }, { sc: 200 }]);
  // Interleaved as a fleet's trace is: a1 b1 a2 b2 ...
  const events = a.flatMap((e, i) => [e, b[i]!]);
  assert.deepEqual([...package2Answers(events)], [[0, 2], [1, 3], [4, 6], [5, 7]]);
  const r = traceToDmhttp(events);
  const devs = [...r.text.matchAll(/^OMADM-DevID: (.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(devs, ['IMEI:1', 'IMEI:1', 'IMEI:2', 'IMEI:2']);
  assert.equal(r.exchanges, 4);
  assert.deepEqual(errorsOf(r.text), []);
});

test('what a fixture cannot hold is left out and said so; a selection keeps the trace numbering', () => {
  const events: TraceEvent[] = [
    { time: 1, from: 'dev', to: 'dm', transport: 'http', kind: 'http', method: 'POST', url: 'http://dm.example/repository/x', requestBody: 'line\nHTTP/1.1 200 OK\nmore', headers: { 'content-type': 'text/plain' }, status: 200, body: '' },
    { time: 2, from: 'dev', to: 'dm', transport: 'http', kind: 'http', method: 'POST', url: 'http://dm.example/repository/y', requestBody: 'a\n-----\nb', headers: { 'content-type': 'text/plain' }, status: 200, body: '' },
    { time: 3, from: 'dev', to: 'dm', transport: 'http', kind: 'http', method: 'PUT', url: 'http://dm.example/repository/z', headers: { 'content-type': 'application/dmmo+json', 'content-length': '99', host: 'evil\r\nX: y' }, status: 201 },
    { time: 4, from: 'dev', to: 'dev', transport: 'local', kind: 'http' },
  ];
  const r = traceToDmhttp(events, { offset: 10 });
  assert.deepEqual(r.skipped.map((s) => s.event), [10, 11, 13]);
  assert.match(r.skipped[0]!.reason, /would read as the start of another HTTP message/);
  assert.equal(r.exchanges, 1);
  // The PUT whose body the trace does not hold: no Content-Type claiming one, no stale Content-Length.
  assert.equal(r.text, 'PUT /repository/z HTTP/1.1\nHost: dm.example\n\n\nHTTP/1.1 201 Created\n');
  assert.deepEqual(traceToDmhttp([]), { text: '', exchanges: 0, skipped: [], moreSkipped: 0 });
});

test('100,000 events as a fixture in linear time', (t) => {
  assertLinear(t, 'traceToDmhttp', (n) => {
    const events = fleetEvents(n);
    return () => traceToDmhttp(events);
  }, 12_500);
});
