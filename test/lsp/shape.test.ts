// A `.json` file that is not named as a package is taken for one only on strong evidence, and
// then never gets an error: it may be somebody else's file after all.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { serverForTests } from './client.ts';

const server = serverForTests();

test('an application config with a CMD or Status key is left alone', async () => {
  for (const [name, text] of [
    ['docker.json', '{"CMD": ["npm", "start"], "name": "web"}'],
    ['tasks.json', '{"CMD": [["echo", "hello"], ["make", "all"]]}'],
    ['mixed.json', '{"CMD": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"]], "version": 2}'],
    ['health.json', '{"Status": ["ok", "degraded"]}'],
    ['list.json', '[{"ClientURI": "https://example.com/", "MOData": {}}]'],
  ]) {
    const uri = `file:///ws/${name}`;
    await server().open(uri, text!, 'json');
    assert.deepEqual(await server().diagnostics(uri), [], name);
  }
});

test('a .json whose CMD entries are DM commands is a Package#2, its faults warnings at most', async () => {
  const uri = 'file:///ws/guessed.json';
  await server().open(uri, '{"CMD": [["GET", "urn:oma:mo:oma-dm-devinfo:1.0//DevID"], ["GTE", "x"], ["EXEC"]]}', 'json');
  const ds = await server().diagnostics(uri);
  assert.ok(ds.some((d) => d.code === 'dm.command-unknown'), JSON.stringify(ds));
  assert.ok(ds.some((d) => d.code === 'dm.command-params'));
  assert.ok(ds.every((d) => d.severity !== 1), 'no errors on a file recognised by its shape only');
  // The same content named as a Package#2 is claimed: errors are errors.
  const named = 'file:///ws/named.pkg2.json';
  await server().open(named, '{"CMD": [["GTE", "x"]]}', 'dm-json');
  assert.ok((await server().diagnostics(named)).some((d) => d.severity === 1));
});

test('a Package#3 and MO data are recognised by their shape too', async () => {
  const p3 = 'file:///ws/answer.json';
  await server().open(p3, '{"Status": [{"sc": 200}, {"sc": 999}]}', 'json');
  const ds = await server().diagnostics(p3);
  assert.deepEqual(ds.map((d) => [d.code, d.severity]), [['dm.status-code', 2]]);
  const mo = 'file:///ws/data.json';
  await server().open(mo, '[{"ClientURI": "urn:oma:mo:oma-dm-devinfo:1.0/x/", "MOData": {"x": {"DevID": "1"}}}]', 'json');
  assert.deepEqual(await server().diagnostics(mo), []);
});
