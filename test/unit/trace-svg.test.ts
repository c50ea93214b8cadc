// The diagram as a standalone SVG: well-formed XML with nothing external, a group per row with
// its whole label as a title, failures in their own class, text escaped and characters XML
// forbids dropped; linear in the number of rows.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { ROOT } from '../helpers.ts';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';
import { readTrace, sequenceDiagram } from '../../server/src/core/trace/diagram.ts';
import { SVG_LAYOUT, toSvg, xmlText } from '../../server/src/core/trace/svg.ts';
import { assertLinear, fleetEvents } from './trace-helpers.ts';

const TRACES = path.join(ROOT, 'test', 'fixtures', 'traces');

test('the management session as SVG: sized to its lifelines and rows, a group per row, failures marked', () => {
  const events = readTrace(fs.readFileSync(path.join(TRACES, 'management-session.trace.jsonl'), 'utf8')).events;
  const svg = toSvg(sequenceDiagram(events), 'management session');
  assert.equal(XMLValidator.validate(svg), true);
  const L = SVG_LAYOUT;
  // Three lifelines (dm, phone, phone (browser)), one row per event.
  assert.match(svg, new RegExp(`<svg xmlns="http://www.w3.org/2000/svg" width="${L.margin * 2 + 3 * L.column}" height="${L.margin * 2 + L.head + events.length * L.row + L.row / 2}"`));
  assert.equal(svg.match(/stroke-dasharray="4 4"/g)?.length, 3);
  assert.equal(svg.match(/<g[ >]/g)?.length, events.length);
  // Arrows: as many as the events that are messages; the notes are rectangles.
  assert.equal(svg.match(/<(line|path) [^>]*marker-end/g)?.length, events.filter((e) => e.kind !== 'note').length);
  assert.ok(svg.includes('<title>Package#2 (10 commands) · 200</title>'));
  // The two commands that failed (404) are drawn in red.
  assert.equal(svg.match(/<text [^>]*fill="#cf222e"/g)?.length, 2);
  assert.ok(!/(?:href|src)=/.test(svg), 'no external resource');
  assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg'));
});

test('text is escaped, characters XML forbids are dropped, long labels are cut but kept whole in the title', () => {
  assert.equal(xmlText('a<b>&"c\'\u0001\u0008\ud800z'), 'a&lt;b&gt;&amp;&quot;c&#39;z');
  assert.equal(xmlText('😀'), '😀');
  const events: TraceEvent[] = [
    { time: 1, from: '<dev&1>', to: 'srv"\u0002', transport: 'http', kind: 'http', method: 'POST', url: `http://x/${'y'.repeat(300)}`, status: 500 },
    { time: 1, from: '<dev&1>', to: '<dev&1>', transport: 'local', kind: 'note', note: ']]> </text><script>' },
  ];
  const svg = toSvg(sequenceDiagram(events), 'a <title>');
  assert.equal(XMLValidator.validate(svg), true);
  assert.ok(svg.includes('<title>a &lt;title&gt;</title>'));
  assert.ok(svg.includes('&lt;dev&amp;1&gt;'));
  assert.ok(!svg.includes('<script'));
  assert.ok(!svg.includes('\u0002'));
  const label = `POST /${'y'.repeat(159 - 'POST /'.length)}…`;
  assert.ok(svg.includes(`<title>${label} · 500</title>`), 'the whole (bounded) label in the title');
  assert.match(svg, /<g class="failed">/);
});

test('100,000 events as SVG in linear time', (t) => {
  assertLinear(t, 'toSvg', (n) => {
    const model = sequenceDiagram(fleetEvents(n));
    return () => toSvg(model);
  }, 12_500);
});
