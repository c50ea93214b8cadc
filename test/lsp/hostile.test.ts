// Hostile documents through a real LSP client: the diagnostics of one document are capped, and a
// document whose URI does not decode (RFC 3986 2.1) still gets answers instead of errors.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CompletionRequest, DocumentSymbolRequest, FoldingRangeRequest, HoverRequest } from 'vscode-languageserver-protocol';
import { serverForTests } from './client.ts';

const client = serverForTests();

test('the diagnostics of one document are capped with a final "N more problems not shown"', async () => {
  const uri = 'file:///hostile/many.pkg2.json';
  await client().open(uri, `{"CMD": [${Array.from({ length: 3000 }, () => '["NOPE", "x"]').join(',')}]}`, 'dm-json');
  const d = await client().diagnostics(uri);
  assert.equal(d.length, 1001);
  assert.equal(d[d.length - 1]!.message, '2000 more problems not shown.');
});

for (const uri of ['file:///hostile/%E0%A4%A.pkg2.json', 'untitled:%E0%A4%A%%<>{}[]"\u2028.pkg2.json', 'file://host%ZZ/x.pkg2.json']) {
  test(`requests on a document with a malformed URI answer: ${JSON.stringify(uri)}`, async () => {
    const text = '{"CMD": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//"], ["NOPE"]]}';
    await client().open(uri, text, 'dm-json');
    const d = await client().diagnostics(uri);
    assert.ok(d.some((x) => x.code === 'dm.command-unknown'));
    const textDocument = { uri };
    const position = { line: 0, character: 12 };
    const c = client().connection;
    await c.sendRequest(HoverRequest.type, { textDocument, position });
    assert.ok(Array.isArray(await c.sendRequest(DocumentSymbolRequest.type, { textDocument })));
    assert.ok(Array.isArray(await c.sendRequest(FoldingRangeRequest.type, { textDocument })));
    await c.sendRequest(CompletionRequest.type, { textDocument, position });
  });
}

test('sample tree globs stay inside the workspace: absolute and .. patterns, and symbolic links out of it, are not followed', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { LspClient } = await import('./client.ts');
  const { TreeStatusRequest } = await import('../../server/src/lsp/contract.ts');
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-outside-'));
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-ws-'));
  const tree = JSON.stringify([{ ClientURI: 'urn:oma:mo:x:1.0/a/', MOData: { a: { B: 1 } } }]);
  fs.writeFileSync(path.join(outside, 'foreign.dmtree.json'), tree);
  fs.writeFileSync(path.join(ws, 'own.dmtree.json'), tree);
  fs.symlinkSync(outside, path.join(ws, 'link'));
  const c = new LspClient();
  try {
    await c.initialize(ws, { sampleTrees: ['/**/*.dmtree.json', '../**/*.dmtree.json', '**/*.dmtree.json'] });
    const status = await (async () => {
      for (let i = 0; i < 100; i++) {
        const s = await c.connection.sendRequest(TreeStatusRequest);
        if (s.files.length) return s;
        await new Promise((r) => setImmediate(r));
      }
      return c.connection.sendRequest(TreeStatusRequest);
    })();
    assert.deepEqual(status.files.map((f) => path.basename(f)), ['own.dmtree.json']);
  } finally {
    await c.close();
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});
