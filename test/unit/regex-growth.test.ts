// Every regular expression that reads text from a document, the network or the command line is
// driven here, through the function that applies it, by the input that makes it work hardest: a
// long run its quantifiers can split in many ways, followed by what makes the match fail, so that
// a backtracking engine tries every split. Its time must grow linearly with that input: one
// pattern that backtracks polynomially is enough for a few kilobytes to block the language server
// or the mini DM Server for seconds.
//
// Where the text a pattern sees is bounded before it gets there (a 64-character window, a 4 KB
// sniff, a 70-character boundary), the input still goes through, to check the bound stays.
// Patterns on file names the server makes, on numbers it formats and on its own constants are
// left out, and so are two that only a text of another shape could slow down: the search for the
// control character in a JSON string (reached only when JSON.parse refuses a text the recovering
// reader takes without an error, which no text does) and `=+$` on base64 already matched to end
// in at most two '='.
import { type TestContext, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { headerLine, isStartLine, looksLikeHttp, mediaRanges, parseHttpExchange } from '../../server/src/core/http/message.ts';
import { authParams, checkAuthorization } from '../../server/src/core/http/auth.ts';
import { boundaryOf, splitMultipart } from '../../server/src/core/http/multipart.ts';
import { parseXml } from '../../server/src/core/xml/parse.ts';
import { isDelegationHttp, withoutPisAndComments } from '../../server/src/core/delegation/http.ts';
import { analyzeText } from '../../server/src/core/analyze.ts';
import { looksLikeClientUri, parseClientUri } from '../../server/src/core/dm20/clientUri.ts';
import { checkServerUri } from '../../server/src/core/dm20/serverUri.ts';
import { package3Body } from '../../server/src/core/dm20/appendixF.ts';
import { parseDdf } from '../../server/src/core/tree/ddf.ts';
import { loadTrees } from '../../server/src/core/tree/load.ts';
import { parseInput } from '../../server/src/core/notification/input.ts';
import { fileKind, sniffJsonPackage, sniffXmlRoot } from '../../server/src/core/kinds.ts';
import { mdCode, mdText } from '../../server/src/core/text/markdown.ts';
import { Substitution } from '../../server/src/core/scenario/variables.ts';
import { DataRepository, MemoryStore } from '../../server/src/core/engine/repository.ts';
import type { DmServerEngine } from '../../server/src/core/engine/server.ts';
import { control } from '../../server/src/host/control.ts';
import { decodeCommand, notificationFrom } from '../../server/src/cli/notification.ts';
import { notifyCommand } from '../../server/src/cli/serve.ts';
import { LanguageService, withoutQuery } from '../../server/src/language/service.ts';
import { treeClientUriItems } from '../../server/src/language/clientUriCompletion.ts';
import { cleanNotification, notificationInlayHints } from '../../server/src/language/notification.ts';
import { formatText } from '../../server/src/language/format.ts';
import type { NotificationRegion } from '../../server/src/core/analyze.ts';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';
import { traceToDmhttp } from '../../server/src/core/trace/dmhttp.ts';
import { BOUND, SCALE, assertLinear, assertLinearAsync, cpuMs } from './growth.ts';
import { replayTrace } from '../../server/src/host/replay.ts';

// ---- the growth check (growth.ts) ----

/** A table of hostile inputs for one function: each input family is checked on its own. */
function each(t: TestContext, cases: [string, (n: number) => string][], apply: (s: string) => unknown, n: number): void {
  for (const [what, make] of cases) {
    assertLinear(t, what, (k) => {
      const s = make(k);
      return () => apply(s);
    }, n);
  }
}

test('the growth check tells a quadratic pattern from a linear one', (t) => {
  // A name run with no '=' after it, scanned again from each of its characters: the auth-params
  // pattern without the lookbehind that makes a name start only at the beginning of a run.
  const quadratic = /([A-Za-z0-9_-]+)\s*=/g;
  const run = (s: string): number => {
    let found = 0;
    quadratic.lastIndex = 0;
    while (quadratic.exec(s)) found++;
    return found;
  };
  const one = (n: number): (() => unknown) => {
    const s = 'a'.repeat(n);
    return () => run(s);
  };
  const small = one(2_000);
  const large = one(16_000);
  small();
  const ratio = cpuMs(large) / Math.max(cpuMs(() => Array.from({ length: SCALE }, small)) / SCALE, 1);
  t.diagnostic(`quadratic pattern: ${ratio.toFixed(1)}x for ${SCALE}x the input`);
  assert.ok(ratio >= BOUND, `a quadratic pattern grows ${ratio.toFixed(1)}x, which the check would not notice`);
});

// ---- HTTP (RFC 7230, RFC 7231) ----

test('HTTP start lines, header lines, separators and media ranges', (t) => {
  each(t, [
    ['request line padded with spaces', (n) => 'GET' + ' '.repeat(n) + '/' + ' '.repeat(n) + 'HTTP/1.1x'],
    ['request line with a long target and no version', (n) => 'GET /' + 'a'.repeat(n) + ' HTTP/1.'],
    ['request line of alternating spaces and targets', (n) => 'GET' + ' /'.repeat(n) + ' HTTP/1.1 x'],
    ['status line padded with spaces', (n) => 'HTTP/1.1' + ' '.repeat(n) + '200' + ' '.repeat(n) + 'OK\u2028x'],
    ['status line with a long reason and a line separator', (n) => 'HTTP/1.1 200 ' + 'a '.repeat(n) + '\rx'],
  ], isStartLine, 10_000);
  each(t, [
    ['field name with no colon', (n) => 'a'.repeat(n)],
    ['field name then spaces before the colon', (n) => 'a'.repeat(n) + ' '.repeat(n) + ':'],
    ['field value with a line separator at its end', (n) => 'A:' + ' x'.repeat(n) + '\u2028'],
  ], headerLine, 10_000);
  each(t, [
    ['separator line that goes on with text', (n) => 'GET / HTTP/1.1\n' + '-'.repeat(n) + ' '.repeat(n) + 'x\n'],
    ['header line of spaces and tabs', (n) => 'GET / HTTP/1.1\nA:' + ' \t'.repeat(n) + '\r\u2028x\n'],
  ], parseHttpExchange, 5_000);
  each(t, [
    ['first line of carriage returns', (n) => ' \r'.repeat(n) + 'GET / HTTP/1.1x'],
    ['first lines of blanks', (n) => ' \r\n'.repeat(n) + 'GET / HTTP/1.1x'],
  ], looksLikeHttp, 10_000);
  each(t, [
    ['media range with two slashes', (n) => 'a'.repeat(n) + '/' + 'a'.repeat(n) + '/'],
    ['media range of stars', (n) => '*'.repeat(n) + '/*x'],
    ['many media ranges', (n) => 'text/plain;q=0.5, '.repeat(n) + 'x'],
  ], mediaRanges, 10_000);
});

test('HTTP authentication: auth-params of an Authorization header', (t) => {
  each(t, [
    ['a name with no "="', (n) => 'a'.repeat(n)],
    ['names separated by dashes with no "="', (n) => '-'.repeat(n) + '-"'],
    ['an unclosed quoted value full of escaped quotes', (n) => 'a="' + '\\"'.repeat(n)],
    ['a name, spaces and no "="', (n) => 'a' + ' '.repeat(n) + 'b'],
    ['many parameters', (n) => 'a=b, '.repeat(n)],
  ], authParams, 10_000);
  const credentials = { users: new Map([['u', 'p']]), realm: 'r', secret: 's' };
  each(t, [
    ['Digest credentials of one long name', (n) => 'Digest ' + 'a'.repeat(n)],
    ['Digest credentials with an unclosed quote', (n) => 'Digest username="' + 'a'.repeat(n)],
  ], (h) => checkAuthorization(credentials, h, 'GET', '/dm', 0), 10_000);
});

test('multipart: boundary and name parameters, delimiter lines', (t) => {
  each(t, [
    ['spaces after a semicolon', (n) => 'multipart/form-data;' + ' '.repeat(n) + 'boundar'],
    ['an unclosed quoted boundary', (n) => 'multipart/form-data; boundary="' + 'x'.repeat(n)],
    ['many semicolons', (n) => 'multipart/form-data' + '; boundary'.repeat(n)],
  ], boundaryOf, 10_000);
  each(t, [
    ['a delimiter line of dashes and a space', (n) => '--a' + '-'.repeat(n) + ' x\r\n'],
    ['a long delimiter with a close marker and text after it', (n) => '--' + 'b'.repeat(n) + '-- x\r\n'],
    ['a Content-Disposition name followed by spaces', (n) => '--B\r\nContent-Disposition: form-data; name' + ' '.repeat(n) + 'x\r\n\r\nx\r\n--B--\r\n'],
    ['a Content-Disposition of many parameters', (n) => '--B\r\nContent-Disposition: form-data' + '; nam'.repeat(n) + '\r\n\r\nx\r\n--B--\r\n'],
  ], (s) => splitMultipart(s, { start: 0, end: s.length }, 'B'), 5_000);
  each(t, [
    ['a boundary too long for RFC 2046', (n) => 'b'.repeat(n) + '!'],
  ], (b) => {
    try {
      return package3Body('{}', [{ name: '0', contentType: 'text/plain', body: 'x' }], b);
    } catch {
      return undefined;
    }
  }, 10_000);
});

// ---- XML (XML 1.0) ----

test('XML: names, references, doctype declarations and characters', (t) => {
  each(t, [
    ['an unclosed start tag with a long name', (n) => '<' + 'a'.repeat(n)],
    ['a start tag with a long name', (n) => '<' + 'a'.repeat(n) + '/>'],
    ['references without a semicolon', (n) => '<a>' + '&a'.repeat(n) + '</a>'],
    ['a reference with a long name', (n) => '<a>&' + 'a'.repeat(n) + ';</a>'],
    ['a doctype of almost ENTITY declarations', (n) => '<!DOCTYPE a [' + '<!ENTIT'.repeat(n) + ']><a/>'],
    ['a doctype of almost SYSTEM identifiers', (n) => '<!DOCTYPE a ' + 'SYSTE'.repeat(n) + '><a/>'],
    ['a control character after a long text', (n) => '<a>' + 'x'.repeat(n) + '\u0001</a>'],
    ['spaces between attributes', (n) => '<a' + ' '.repeat(n) + 'b="1"/>'],
  ], (s) => parseXml(s), 10_000);
});

// ---- Delegation (OMA-TS-DM-Delegation) ----

const exchange = (body: string): string => 'POST /x HTTP/1.1\nHost: h\n\n' + body + '\n';

test('delegation: the root element of an HTTP body is found in linear time', (t) => {
  each(t, [
    ['unclosed processing instructions', (n) => '<?'.repeat(n)],
    ['unclosed comments', (n) => '<!--'.repeat(n)],
    ['unclosed comments and processing instructions', (n) => '<!--<?'.repeat(n)],
    ['an unclosed comment, then closed processing instructions', (n) => '<!--' + '<?p?>'.repeat(n) + '<a'],
    ['a tag name with no end', (n) => '<a' + '-'.repeat(n)],
  ], (body) => {
    const text = exchange(body);
    return isDelegationHttp(text, parseHttpExchange(text).messages[0]!);
  }, 5_000);
  // What a comment or processing instruction hides is never taken for the root.
  const hidden = exchange('<?xml version="1.0"?><!-- <bootstrap_confirmed> --><x/>');
  assert.equal(isDelegationHttp(hidden, parseHttpExchange(hidden).messages[0]!), false);
  const found = exchange('<?pi <!-- ?><bootstrap_confirmed/>');
  assert.equal(isDelegationHttp(found, parseHttpExchange(found).messages[0]!), true);
  assert.equal(withoutPisAndComments('a<?x?>b<!--c-->d<?e<!--f-->g'), 'abd<?eg');
  assert.equal(withoutPisAndComments('<!--a<?b?>c'), '<!--ac');
});

test('delegation: text among the parameters and parameter values are checked in linear time', (t) => {
  const message = (inside: string): string => `<bootstrap_confirmed><a/>x${inside}`;
  each(t, [
    ['an unclosed attribute value full of "<"', (n) => message('<b c="' + '<'.repeat(n))],
    ['unclosed attribute values', (n) => message('<b c="<'.repeat(n))],
    ['an unclosed comment full of "<"', (n) => message('<!--' + '<'.repeat(n))],
    ['an unclosed CDATA section full of "<"', (n) => message('<![CDATA[' + '<'.repeat(n))],
  ], (s) => analyzeText(s, { fileName: 'x.delegation.xml' }), 2_000);
  const unexpected = analyzeText(message('<b c="<<<'), { fileName: 'x.delegation.xml' }).diagnostics.filter((d) => d.code === 'del.unexpected-text');
  assert.equal(unexpected.length, 1);
  const request = (treeUri: string, reason = '200'): string => `<delegation_req><serverId>S</serverId><deviceId>IMEI:1</deviceId><deviceMan>M</deviceMan><deviceMod>D</deviceMod><DMTreeURI>${treeUri}</DMTreeURI><isDelegationFull>false</isDelegationFull><sessionId>A</sessionId><reasonCode>${reason}</reasonCode></delegation_req>`;
  each(t, [
    ['a tree URI of many segments and a space', (n) => request('/a'.repeat(n) + ' ')],
    ['a tree URI of one long segment and a trailing slash', (n) => request('./' + 'a'.repeat(n) + '/')],
    ['a reason code of digits and a letter', (n) => `<bootstrap_confirmed><reasonCode>${'1'.repeat(n)}x</reasonCode><status>DELEGATION_RESP</status><sessionId>A</sessionId></bootstrap_confirmed>`],
  ], (s) => analyzeText(s, { fileName: 'x.delegation.xml' }), 5_000);
});

// ---- DM 2.0: ClientURI, ServerURI, MOID, packages ----

test('DM 2.0: ClientURIs, ServerURIs, MOIDs and DDF URIs', (t) => {
  each(t, [
    ['an nv path with a line break after its value', (n) => 'urn:oma:mo:x:1.0/(x)/?nv=(x)' + '/a'.repeat(n) + ':v\n'],
    ['an nv path of long names with no colon', (n) => 'urn:oma:mo:x:1.0/(x)/?nv=(x)' + ('/' + 'a'.repeat(20)).repeat(n / 10)],
    ['a node name with a reserved character at its end', (n) => 'urn:oma:mo:x:1.0//' + 'a'.repeat(n) + '!'],
    ['an lv of digits and a letter', (n) => 'urn:oma:mo:x:1.0//?lv=' + '1'.repeat(n) + 'x'],
    ['an x-name look-alike', (n) => 'urn:oma:mo:x:1.0/(' + 'a'.repeat(n) + ')/'],
  ], parseClientUri, 10_000);
  each(t, [
    ['a long MOID with no slash', (n) => 'urn:' + 'a'.repeat(n) + ':' + 'b'.repeat(n)],
    ['a scheme of dashes with no colon', (n) => 'a' + '-'.repeat(n)],
    ['colons and no slash', (n) => 'urn:' + 'a:'.repeat(n)],
  ], looksLikeClientUri, 10_000);
  each(t, [
    ['a scheme of pluses and a bad character', (n) => 'a' + '+'.repeat(n) + '!'],
    ['percent signs', (n) => 'https://x/' + '%'.repeat(n)],
    ['unclosed parameters', (n) => 'https://x/' + '[a'.repeat(n)],
  ], checkServerUri, 10_000);
  const pkg1 = (mos: string, alert = 'urn:oma:at:dm:2.0:ClientInitiatedMgmt', data = ''): string => `{"MOS": [${mos}], "Alert": [{"AlertType": ${JSON.stringify(alert)}${data}}]}`;
  each(t, [
    ['a MOID with a space at its end', (n) => pkg1(`{"MOID": ${JSON.stringify('urn:a:' + 'b'.repeat(n) + ' ')}}`)],
    ['a MOID of a long namespace', (n) => pkg1(`{"MOID": ${JSON.stringify('urn:' + 'a'.repeat(n) + ':b')}}`)],
    ['a DDF URI with a space at its end', (n) => pkg1(`{"DDF": ${JSON.stringify('a' + 'b'.repeat(n) + ':' + 'c'.repeat(n) + ' ')}}`)],
    ['an alert type that almost names DM 2.0', (n) => pkg1('{"MOID": "urn:oma:mo:oma-dm-devinfo:1.0"}', 'urn:oma:at:dm:2.0' + '.'.repeat(n))],
    ['an alert data key that almost names a notification id', (n) => pkg1('{"MOID": "urn:oma:mo:oma-dm-devinfo:1.0"}', 'urn:oma:at:dm:2.0:ClientInitiatedMgmt', `, "Data": {${JSON.stringify('notification' + 'x'.repeat(n) + 'i')}: "1"}`)],
  ], (s) => analyzeText(s, { fileName: 'x.pkg1.json' }), 5_000);
  const pkg2 = (cmd: string): string => `{"CMD": [${cmd}]}`;
  each(t, [
    ['an oma:mo ClientURI with a long MOID', (n) => pkg2(`["GET", ${JSON.stringify('oma:mo:' + 'a'.repeat(n) + '//')}]`)],
    ['a ServerURI of unclosed parameters', (n) => pkg2(`["HPUT", "urn:oma:mo:oma-dm-devinfo:1.0//", ${JSON.stringify('https://x/' + '[a'.repeat(n))}]`)],
  ], (s) => analyzeText(s, { fileName: 'x.pkg2.json' }), 5_000);
});

test('DM 2.0 over HTTP: multipart delimiters and part names of a Package#3', (t) => {
  const pkg3 = (boundary: string, name: string): string => [
    'POST /dm HTTP/1.1',
    'Host: h',
    `Content-Type: multipart/form-data; boundary=${boundary}`,
    'OMADM-DevID: IMEI:1',
    '',
    `--${boundary}`,
    'Content-Type: application/vnd.oma.dm.response+json',
    '',
    '{"Status": [{"sc": 200}]}',
    `--${boundary}`,
    `Content-Disposition: form-data; name="${name}"`,
    'Content-Type: text/plain',
    '',
    'x',
    `--${boundary}--`,
    '',
  ].join('\n');
  each(t, [
    ['a part name of digits and a letter', (n) => pkg3('b', '1'.repeat(n) + 'x')],
    ['a delimiter longer than a boundary may be', (n) => pkg3('b'.repeat(n) + ' x', '0')],
  ], (s) => analyzeText(s, { fileName: 'x.dmhttp' }), 5_000);
});

// ---- DDF (DM 2.0 6.3.1) ----

test('DDF: node names and numbers', (t) => {
  const ddf = (name: string, occurrence = '<One/>'): string => `<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>${name}</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat><Occurrence>${occurrence}</Occurrence><DFType><DDFName>urn:oma:mo:x:1.0</DDFName></DFType></DFProperties></Node></MgmtTree>`;
  each(t, [
    ['an unclosed placeholder name', (n) => ddf('&lt;' + 'a'.repeat(n))],
    ['a placeholder of closing brackets and a letter', (n) => ddf('&lt;' + '&gt;'.repeat(n) + 'x')],
    ['a name with a space at its end', (n) => ddf('a'.repeat(n) + ' ')],
    ['an occurrence count of digits and a letter', (n) => ddf('a', `<ZeroOrN>${'1'.repeat(n)}x</ZeroOrN>`)],
  ], (s) => parseDdf(s, 'x.ddf'), 5_000);
});

// ---- DM Notification (DM 2.0 7.1, E.2.4) ----

test('DM Notification: hex, base64 and comments as pasted', (t) => {
  each(t, [
    ['a long comment', (n) => '00 # ' + 'x'.repeat(n)],
    ['comment marks', (n) => '#'.repeat(n)],
    ['hex digits and a letter', (n) => '0x' + '0'.repeat(n) + 'g'],
    ['base64 and a bad character', (n) => 'A'.repeat(n) + '!'],
    ['base64 padded by spaces', (n) => ' '.repeat(n) + 'AAAA' + ' '.repeat(n) + '='],
    ['base64 and padding', (n) => 'A'.repeat(n) + '=='],
  ], parseInput, 10_000);
  each(t, [
    ['hex pairs and a letter', (n) => '00' + ' 00'.repeat(n) + ' x'],
    ['hex pairs with colons and an odd digit', (n) => '00' + ':00'.repeat(n) + '0'],
  ], cleanNotification, 10_000);
  const hex = '22 80 # VER OC\n10 07 44 4d 53 5f 49 44 31 # ';
  each(t, [
    ['a long comment that almost names the option', (n) => hex + 'SERVER_'.repeat(n) + '\n'],
    ['a long comment of words', (n) => hex + 'word '.repeat(n) + '\n'],
  ], (text) => {
    const region = analyzeText(text, { fileName: 'x.pkg0.hex' }).regions[0] as NotificationRegion;
    return notificationInlayHints(region, text);
  }, 5_000);
  each(t, [
    ['a line of hex with colons', (n) => '22:80:' + '00:'.repeat(n) + '\n'],
    ['a line of spaces and a comment', (n) => ' '.repeat(n) + '# x\n22 80\n'],
  ], (text) => formatText(text, 'hex', { tabSize: 2, insertSpaces: true }), 5_000);
});

// ---- File kinds ----

test('file kinds: names, sniffed beginnings', (t) => {
  each(t, [
    ['a name of dots', (n) => '.'.repeat(n)],
    ['a name of almost-suffixes', (n) => '.del.xm'.repeat(n)],
    ['a name of almost-package suffixes', (n) => '.pkg2.jso'.repeat(n)],
  ], (fileName) => fileKind('', { fileName }), 10_000);
  each(t, [
    ['spaces before the root', (n) => ' '.repeat(n) + '<a'],
    ['a long root name', (n) => '<' + 'a'.repeat(n)],
  ], (s) => sniffXmlRoot(s), 10_000);
  each(t, [
    ['a package key followed by spaces', (n) => '{"CMD"' + ' '.repeat(n) + 'x'],
    ['almost package keys', (n) => '{' + '"CM'.repeat(n)],
  ], sniffJsonPackage, 10_000);
  each(t, [
    ['an XML declaration padded with spaces and text after it', (n) => '<?xml' + ' '.repeat(n) + '?>' + ' '.repeat(n) + 'x'],
    ['blanks and text', (n) => ' '.repeat(n) + 'x'],
  ], (s) => analyzeText(s, { fileName: 'x.delegation.xml' }), 5_000);
});

// ---- Markdown, scenario variables ----

test('Markdown escaping and scenario variables', (t) => {
  each(t, [
    ['digits with no dot', (n) => '1'.repeat(n) + 'x'],
    ['characters to escape', (n) => '*_['.repeat(n)],
  ], mdText, 10_000);
  each(t, [['backticks', (n) => '`'.repeat(n) + 'x`']], mdCode, 10_000);
  const sub = new Substitution({ a: 'b' }, () => undefined);
  each(t, [
    ['an unclosed reference', (n) => '${' + 'a'.repeat(n)],
    ['unclosed secret references', (n) => '${secret:'.repeat(n)],
  ], (s) => sub.apply(s), 10_000);
});

// ---- The mini DM Server and the command line ----

test('the Data Repository matches parameter templates against a request-target in linear time', async (t) => {
  const store = new MemoryStore();
  const data = { contentType: 'text/plain', body: new Uint8Array([1]) };
  await store.put('[MCC]-[MNC]-[CMCC]/config', data);
  await store.put('a[DevID][MNC][MCC]b', data);
  await store.put('fw/[DevID]', data);
  const repo = new DataRepository(store);
  await assertLinearAsync(t, 'a key of dashes that ends elsewhere', (n) => {
    const key = '-'.repeat(n) + '/x';
    return () => repo.find(key);
  }, 1_000);
  await assertLinearAsync(t, 'a key for side-by-side parameters with the wrong end', (n) => {
    const key = 'a' + 'x'.repeat(n) + 'c';
    return () => repo.find(key);
  }, 1_000);
  // The parameters still stand for any text without '/', '?' or '&'.
  assert.equal((await repo.find('208-01-208/config'))?.key, '[MCC]-[MNC]-[CMCC]/config');
  assert.equal((await repo.find('a-b-c-d-e/config'))?.key, '[MCC]-[MNC]-[CMCC]/config');
  assert.equal((await repo.find('axyzb'))?.key, 'a[DevID][MNC][MCC]b');
  assert.equal((await repo.find('fw/IMEI:1'))?.key, 'fw/[DevID]');
  assert.equal(await repo.find('a-b/config'), undefined);
  assert.equal(await repo.find('a/b-c-d/config'), undefined);
});

test('the control endpoint reads the notification address in linear time', async (t) => {
  const engine = {} as DmServerEngine;
  const request = (to: string) => () => control(engine, { method: 'POST', target: `/omadm/notify?to=${encodeURIComponent(to)}`, headers: {}, body: new Uint8Array(0), peer: '127.0.0.1' });
  for (const [what, make] of [
    ['an unclosed bracketed host', (n: number) => 'udp://[' + 'a'.repeat(n) + ':1x'],
    ['a long host and a bad port', (n: number) => 'udp://' + 'a'.repeat(n) + ':1x'],
  ] as const) {
    await assertLinearAsync(t, what, (n) => request(make(n)), 10_000);
  }
  const answer = await request('udp://' + 'a'.repeat(100) + ':1x')();
  assert.equal(answer.status, 400);
});

test('the command line reads notifications, notification ids and device addresses in linear time', async (t) => {
  const io = { out: (): void => {}, err: (): void => {} };
  each(t, [
    ['hex digits and a letter', (n) => 'hex:' + '0'.repeat(n) + 'g'],
    ['hex with an odd digit', (n) => 'hex:' + '00:'.repeat(n) + '0'],
  ], (arg) => decodeCommand([arg], io), 10_000);
  each(t, [['a notification id of digits and a letter', (n) => '1'.repeat(n) + 'x']], (id) => {
    try {
      return notificationFrom({ 'server-id': 'S', 'notification-id': id });
    } catch {
      return undefined;
    }
  }, 10_000);
  for (const [what, make] of [
    ['an unclosed bracketed host', (n: number) => 'udp://[' + 'a'.repeat(n) + ':1x'],
    ['a long host and a bad port', (n: number) => 'udp://' + 'a'.repeat(n) + ':1x/'],
  ] as const) {
    await assertLinearAsync(t, what, (n) => {
      const arg = make(n);
      return () => notifyCommand([arg, '--server-id', 'S'], io);
    }, 10_000);
  }
  assert.equal(await notifyCommand(['udp://' + 'a'.repeat(100) + ':1x/', '--server-id', 'S'], io), 2);
});

test('traces: bodies written as a .dmhttp fixture, replay targets', async (t) => {
  const request = (body: string): TraceEvent => ({ time: 0, from: 'device', to: 'dm-server', transport: 'http', kind: 'http', method: 'POST', url: 'http://h/dm', status: 200, requestBody: body, body: 'ok' });
  each(t, [
    ['a body with a long run of line breaks inside', (n) => 'a' + '\n'.repeat(n) + 'b'],
    ['a body of carriage returns and line breaks', (n) => 'a' + '\r\n'.repeat(n) + 'b'],
  ], (body) => traceToDmhttp([request(body)]), 10_000);
  // The body keeps its inner blank line and loses its trailing ones.
  assert.equal(traceToDmhttp([request('a\n\nb\n\n\n')]).text, 'POST /dm HTTP/1.1\nHost: h\n\na\n\nb\n\nHTTP/1.1 200 OK\n\nok\n');
  // A target written with a long run of slashes before its last character.
  const answered = { send: async () => ({ ok: true as const, response: { status: 200, headers: {}, body: new Uint8Array(0) } }) };
  const sent: string[] = [];
  const recording = { send: async (r: { url: string }) => (sent.push(r.url), answered.send()) };
  await assertLinearAsync(t, 'a replay target of slashes and a letter', (n) => {
    const to = 'http://x' + '/'.repeat(n) + 'y';
    return () => replayTrace([request('a')], { targets: { '*': to }, http: answered });
  }, 10_000);
  await replayTrace([request('a')], { targets: { '*': 'http://x/base///' }, http: recording });
  assert.deepEqual(sent, ['http://x/base/dm']);
});

// ---- The language service ----

test('language service: document URIs, ClientURI completion, root completion, ServerURI hover', (t) => {
  // Completion and hover read a large document without validating it, as the language server has them do.
  const service = new LanguageService({}, { featureOnlyLength: 1_000 });
  /** The document as the service first sees it: what it keeps of an earlier request would hide the work. */
  const fresh = (uri: string, text: string): { uri: string; version: number; text: string } => {
    service.forget(uri);
    return { uri, version: 1, text };
  };
  // A malformed URI from a client: a long run of '?' before a line break.
  each(t, [
    ['question marks before a line break', (n) => 'untitled:x' + '?'.repeat(n) + '\n'],
    ['fragment marks before a line separator', (n) => 'untitled:x' + '#'.repeat(n) + '\u2028.pkg2.json'],
  ], (uri) => service.diagnostics(fresh(uri, '{}')), 10_000);
  assert.equal(withoutQuery('untitled:x.pkg2.json?a#b'), 'untitled:x.pkg2.json');
  assert.equal(withoutQuery('untitled:a?b\nc.pkg2.json?d'), 'untitled:a?b\nc.pkg2.json');
  assert.equal(withoutQuery('untitled:a?b\u2029c'), 'untitled:a?b\u2029c');

  const tree = loadTrees([{ file: 'x.dmtree.json', text: JSON.stringify([{ ClientURI: 'urn:oma:mo:moid:1.0/left/', MOData: { left: { ID: 'GPS', a: { b: '1' } } } }]) }]).tree;
  each(t, [
    ['an nv path of many names', (n) => 'urn:oma:mo:moid:1.0/(x)/?nv=(x)' + '/a'.repeat(n)],
    ['an nv path of one long name', (n) => 'urn:oma:mo:moid:1.0/(x)/?nv=(x)/' + 'a'.repeat(n)],
    ['an nv value after a long path', (n) => 'urn:oma:mo:moid:1.0/(x)/?nv=(x)' + '/a'.repeat(n) + ':v'],
  ], (value) => treeClientUriItems(tree, value, value.length, 0), 10_000);

  const at = (text: string, offset: number): { line: number; character: number } => {
    const line = text.slice(0, offset).split('\n').length - 1;
    return { line, character: offset - (text.lastIndexOf('\n', offset - 1) + 1) };
  };
  each(t, [
    ['a long root name being typed', (n) => '<' + 'a'.repeat(n)],
    ['a declaration, blanks and a root name being typed', (n) => '<?xml version="1.0"?>' + ' '.repeat(n) + '<bootstrap'],
  ], (text) => service.completion(fresh('file:///w/x.delegation.xml', text), at(text, text.length)), 5_000);
  each(t, [
    ['a ClientURI of query marks being typed', (n) => '{"CMD": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//' + '?&'.repeat(n) + '"]]}'],
  ], (text) => service.completion(fresh('file:///w/x.pkg2.json', text), at(text, text.length - 4)), 5_000);
  each(t, [
    ['a ServerURI of unclosed parameters', (n) => '{"CMD": [["HPUT", "urn:oma:mo:oma-dm-devinfo:1.0//", "https://x/' + '[a'.repeat(n) + '"]]}'],
  ], (text) => service.hover(fresh('file:///w/x.pkg2.json', text), at(text, text.length - 6)), 5_000);
});
