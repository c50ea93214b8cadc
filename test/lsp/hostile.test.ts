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
