// The diagram as Mermaid sequenceDiagram text: one statement per line, participants by plain ids,
// the arrow kinds, and every character Mermaid reads specially written as an entity code.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';
import { readTrace, sequenceDiagram } from '../../server/src/core/trace/diagram.ts';
import { mermaidText, toMermaid, toMermaidMarkdown } from '../../server/src/core/trace/mermaid.ts';
import { assertLinear, fleetEvents } from './trace-helpers.ts';

const TRACES = path.join(ROOT, 'test', 'fixtures', 'traces');

/**
 * The statements written, as Mermaid's sequence grammar reads them: text runs to '#', ';' or the
 * line end, so outside entity codes (#35;) neither character may appear.
 */
const STATEMENT = /^ {2}(?:participant P\d+ as TEXT|P\d+(?:->>|-->>|-\)|-x)P\d+: TEXT|Note over P\d+(?:,P\d+)?: TEXT)$/;
const TEXT = /^(?:[^#;\n]|#\d+;)+$/;

function statements(mermaid: string): string[] {
  const lines = mermaid.trimEnd().split('\n');
  assert.equal(lines[0], 'sequenceDiagram');
  for (const line of lines.slice(1)) {
    const m = /^( {2}(?:participant P\d+ as |P\d+(?:->>|-->>|-\)|-x)P\d+: |Note over P\d+(?:,P\d+)?: ))(.*)$/.exec(line);
    assert.ok(m, `not a statement: ${line}`);
    assert.match(m[2]!, TEXT, line);
    assert.match(`${m[1]}TEXT`, STATEMENT);
  }
  return lines.slice(1);
}

test('characters Mermaid reads specially become entity codes; line breaks become spaces', () => {
  assert.equal(mermaidText('Package#1'), 'Package#35;1');
  assert.equal(mermaidText('a;b'), 'a#59;b');
  assert.equal(mermaidText('<br/> & "x"'), '#60;br/#62; #38; #34;x#34;');
  assert.equal(mermaidText('line\r\nnext\tone'), 'line next one');
  assert.equal(mermaidText('%% not a comment'), '#37;% not a comment');
  assert.equal(mermaidText('wrap: not a directive'), '#119;rap: not a directive');
  assert.equal(mermaidText('{x}\\'), '#123;x#125;#92;');
});

test('the failures trace: participants by id, requests, responses, datagrams and failures', () => {
  const events = readTrace(fs.readFileSync(path.join(TRACES, 'failures.trace.jsonl'), 'utf8')).events;
  const lines = statements(toMermaid(sequenceDiagram(events)));
  // dms1, dms2, the device, phone and dm, in order of appearance.
  assert.deepEqual(lines.slice(0, 5), ['  participant P0 as dms1', '  participant P1 as dms2', '  participant P2 as IMEI:493005100592800', '  participant P3 as phone', '  participant P4 as dm']);
  assert.equal(lines.length, 5 + events.length);
  assert.equal(lines[5], '  P0->>P1: delegation_req (200)');
  assert.equal(lines[7], '  P0-)P2: Package#35;0 (accepted from DMS1)');
  assert.equal(lines[8], '  P2->>P0: Package#35;1 (200)');
  assert.equal(lines[9], '  P0-->>P2: Package#35;2 (3 commands) (200)');
  assert.equal(lines[10], '  Note over P2: GET: 200 1 node');
  // The injected 503 (5.6) and the DELEGATION_FAILURE end with a cross.
  assert.ok(lines.includes('  P3-xP4: Package#35;1 (503)'));
  assert.ok(lines.includes('  P0-xP1: delegation_failure (204)'));
  assert.ok(lines.includes('  Note over P3: ❌ session aborted: HTTP 503: the DM Session is aborted and not retried (5.6)'));
});

test('names that are Mermaid keywords or hold its syntax stay names', () => {
  const events: TraceEvent[] = [
    { time: 1, from: 'end', to: 'loop; alt', transport: 'http', kind: 'http', method: 'POST', url: 'http://x/a#b;c', status: 200 },
    { time: 2, from: 'end', to: 'end', transport: 'local', kind: 'note', note: 'multi\nline #note;' },
  ];
  const lines = statements(toMermaid(sequenceDiagram(events)));
  assert.deepEqual(lines, ['  participant P0 as end', '  participant P1 as loop#59; alt', '  P0->>P1: POST /a#35;b#59;c (200)', '  Note over P0: multi line #35;note#59;']);
  const md = toMermaidMarkdown(sequenceDiagram(events), 'two events');
  assert.match(md, /^# two events\n\n2 rows between 2 participants\.\n\n```mermaid\nsequenceDiagram\n[^]*\n```\n$/);
});

test('100,000 events as Mermaid in linear time', (t) => {
  const d = sequenceDiagram(fleetEvents(100_000));
  assert.equal(toMermaid(d).split('\n').length, 1 + d.participants.length + d.rows.length + 1);
  assertLinear(t, 'toMermaid', (n) => {
    const model = sequenceDiagram(fleetEvents(n));
    return () => toMermaid(model);
  }, 12_500);
});
