import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseHttpExchange, header, looksLikeHttp } from '../../server/src/core/http/message.ts';

test('request and response with header ranges and trimmed bodies, CRLF or LF', () => {
  for (const eol of ['\n', '\r\n']) {
    const text = ['POST /a/b HTTP/1.1', 'Host: h.example', 'Content-Type:  application/vnd.dm.delegation+xml ', '  ', '<x/>', '', 'HTTP/1.1 204 No Content', ''].join(eol);
    const ex = parseHttpExchange(text);
    assert.deepEqual(ex.errors, []);
    const [req, res] = ex.messages;
    assert.equal(req!.method, 'POST');
    assert.equal(text.slice(req!.targetSpan!.start, req!.targetSpan!.end), '/a/b');
    const ct = header(req!, 'content-type')!;
    assert.equal(text.slice(ct.valueStart, ct.valueEnd), 'application/vnd.dm.delegation+xml');
    assert.equal(text.slice(req!.body.start, req!.body.end), '<x/>');
    assert.equal(res!.status, 204);
    assert.equal(res!.reason, 'No Content');
    assert.equal(res!.body.start, res!.body.end);
  }
});

test('a separator line of dashes ends a body; junk before the first message is reported once', () => {
  const text = 'junk\nmore junk\nPOST /x HTTP/1.1\n\nbody\n-----\nHTTP/1.1 200 OK\n';
  const ex = parseHttpExchange(text);
  assert.deepEqual(ex.errors.map((e) => [e.code, text.slice(e.start, e.end)]), [['http.start-line', 'junk']]);
  assert.equal(text.slice(ex.messages[0]!.body.start, ex.messages[0]!.body.end), 'body');
  assert.equal(ex.messages.length, 2);
});

test('folded and malformed header lines are reported at their line', () => {
  const text = 'POST /x HTTP/1.1\nHost: a\n  folded\nNo colon here\n\n';
  const ex = parseHttpExchange(text);
  assert.deepEqual(ex.errors.map((e) => text.slice(e.start, e.end)), ['  folded', 'No colon here']);
  assert.match(ex.errors[0]!.message, /obs-fold/);
});

test('looksLikeHttp, and binary junk is not', () => {
  assert.equal(looksLikeHttp('\n\nGET / HTTP/1.1\n'), true);
  assert.equal(looksLikeHttp('{"a":1}'), false);
  let junk = '';
  for (let i = 0; i < 5000; i++) junk += String.fromCharCode((i * 31) % 256);
  const ex = parseHttpExchange(junk);
  assert.ok(ex.errors.length <= 1);
});

test('start lines: status with and without a reason, exact spans; a CR inside is not a start line', () => {
  const text = 'HTTP/1.1   404   Not  Found \t \nHTTP/1.0 200\n';
  const ex = parseHttpExchange(text);
  assert.deepEqual(ex.errors, []);
  const [a, b] = ex.messages;
  assert.equal(a!.reason, 'Not  Found');
  assert.equal(text.slice(a!.statusSpan!.start, a!.statusSpan!.end), '404');
  assert.equal(b!.reason, '');
  const req = parseHttpExchange('  GET   /a?b=c   HTTP/1.1  \n').messages[0]!;
  assert.equal(req.target, '/a?b=c');
  assert.equal(req.targetSpan!.start, 8);
  for (const line of ['HTTP/1.1 200 O\rK', 'HTTP/1.1 2000 OK', 'HTTP/1.1 200\tOK', 'GET / HTTP/1.1 x', 'GET\t/ HTTP/1.1']) {
    assert.equal(parseHttpExchange(line + '\n').messages.length, 0, JSON.stringify(line));
  }
});

test('header values: surrounding spaces and tabs are not part of it; an empty value sits after the colon', () => {
  const text = 'GET / HTTP/1.1\nA:\t x y \t\nB:   \nC:\n\n';
  const ex = parseHttpExchange(text);
  assert.deepEqual(ex.errors, []);
  const [a, b, c] = ex.messages[0]!.headers;
  assert.equal(text.slice(a!.valueStart, a!.valueEnd), 'x y');
  assert.deepEqual([b!.value, b!.valueStart, b!.valueEnd], ['', text.indexOf('B:') + 2, text.indexOf('B:') + 2]);
  assert.deepEqual([c!.value, c!.valueStart], ['', text.indexOf('C:') + 2]);
  const bad = 'GET / HTTP/1.1\nA: x\ry\nB : z\n\n';
  assert.deepEqual(parseHttpExchange(bad).errors.map((e) => bad.slice(e.start, e.end)), ['A: x\ry', 'B : z']);
});
