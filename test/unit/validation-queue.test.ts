// The language server's validation queue (server/src/lsp/validation.ts) with its worker thread
// (the built server, dist/server.js): while the worker validates one document, the requests that
// come wait in the queue in the test's order. An open document's validation and the workspace
// pass's request for the same file must both be answered, by one validation.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { LanguageService } from '../../server/src/language/service.ts';
import { Validator } from '../../server/src/lsp/validation.ts';
import { ROOT } from '../helpers.ts';

const URI = 'file:///w/a.pkg2.json';
// DM 2.0 5.3: a Package#2 whose command is not a DM 2.0 command: one finding.
const TEXT = '{"CMD": [["FETCH", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"]]}';

/** A validator whose worker is busy with another document: what is asked next waits in the queue. */
function busyValidator(): Validator {
  // inlineLength 0: every document goes to the worker, as a large one does.
  const v = new Validator(new LanguageService(), { workerFile: path.join(ROOT, 'dist', 'server.js'), inlineLength: 0, log: () => undefined, openText: () => undefined });
  void v.validate({ uri: 'file:///w/other.pkg2.json', version: 1, text: TEXT }, 'open');
  assert.equal(v.pending, 1, 'the other document is in flight');
  return v;
}

test('the workspace pass asking for an open document\'s text leaves the open document its result', async () => {
  const v = busyValidator();
  try {
    const open = v.validate({ uri: URI, version: 3, text: TEXT }, 'open');
    const pass = v.validate({ uri: URI, version: 0, text: TEXT }, 'workspace');
    const [a, b] = await Promise.all([open, pass]);
    assert.ok(a, 'the open document gets its result');
    assert.ok(b, 'the workspace pass gets its result');
    assert.equal(a, b, 'one validation answers both');
    assert.ok(a.diagnostics.some((d) => d.severity === 1), 'FETCH is not a DM 2.0 command');
  } finally {
    v.dispose();
  }
});

test('an open document asking for what the workspace pass waits for answers both', async () => {
  const v = busyValidator();
  try {
    const pass = v.validate({ uri: URI, version: 0, text: TEXT }, 'workspace');
    const open = v.validate({ uri: URI, version: 1, text: TEXT }, 'open');
    const [a, b] = await Promise.all([pass, open]);
    assert.ok(a && b && a === b);
  } finally {
    v.dispose();
  }
});

test('a newer text replaces the one waiting: the older request learns it is stale', async () => {
  const v = busyValidator();
  try {
    const older = v.validate({ uri: URI, version: 1, text: TEXT }, 'open');
    const newer = v.validate({ uri: URI, version: 2, text: TEXT.replace('FETCH', 'GET') }, 'open');
    assert.equal(await older, undefined);
    const r = await newer;
    assert.ok(r);
    assert.ok(!r.diagnostics.some((d) => d.severity === 1), 'GET is a DM 2.0 command');
  } finally {
    v.dispose();
  }
});
