// Values from a document stay text in the Markdown of hovers and the decode preview.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mdCode, mdText } from '../../server/src/core/text/markdown.ts';
import { encode, toHex } from '../../server/src/core/notification/codec.ts';
import { notificationReport } from '../../server/src/language/notification.ts';

test('a SERVER-ID written as a remote image or with table pipes stays text in the decode preview', () => {
  const evil = '![x](https://attacker.example/p.png) | <img src=x> `code`';
  const md = notificationReport(toHex(encode({ serverId: evil, notificationId: 1 })));
  // Code spans render as literal text (CommonMark 6.1): look at what is outside them.
  const outside = md.replace(/(`+)(?!`)[^]*?(?<!`)\1(?!`)/g, '');
  assert.doesNotMatch(outside, /(^|[^\\])!\[x\]\(/m, 'no image syntax left');
  assert.doesNotMatch(outside, /(^|[^\\])<img/m, 'no raw HTML');
  for (const row of md.split('\n').filter((l) => l.startsWith('| ') && l.includes('SERVER-ID'))) {
    assert.equal(row.split(/(?<!\\)\|/).length, 6, `one row, four cells: ${row}`);
  }
});

test('mdText escapes only what Markdown reads; mdCode fences around any backtick run', () => {
  assert.equal(mdText('urn:oma:mo:oma-dm-devinfo:1.0'), 'urn:oma:mo:oma-dm-devinfo:1.0');
  assert.equal(mdText('[a](b) *c* <d>'), '\\[a\\](b) \\*c\\* \\<d\\>');
  assert.equal(mdText('# heading'), '\\# heading');
  assert.equal(mdCode('plain'), '`plain`');
  assert.equal(mdCode('a``b'), '```a``b```');
  assert.equal(mdCode('`x'), '`` `x ``');
});
