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
