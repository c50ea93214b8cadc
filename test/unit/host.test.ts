import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../server/src/host/atomicWrite.ts';
import { loadTrees, serializeTree } from '../../server/src/core/tree/load.ts';
import { ROOT } from '../helpers.ts';

test('a mutated tree is saved atomically: the new content or the old, no temporary file left', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-atomic-'));
  try {
    const file = path.join(dir, 'device.dmtree.json');
    fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'trees', 'figure5.dmtree.json'), file);
    const { tree } = loadTrees([{ file, text: fs.readFileSync(file, 'utf8') }]);
    const left = tree.instance('urn:oma:mo:moid:1.0', 'left')!;
    tree.put(left, ['Setting'], '0xC3');
    writeFileAtomic(file, serializeTree(tree));
    assert.deepEqual(fs.readdirSync(dir), ['device.dmtree.json']);
    const again = loadTrees([{ file, text: fs.readFileSync(file, 'utf8') }]).tree;
    assert.equal(again.instance('urn:oma:mo:moid:1.0', 'left')!.root.child('Setting')!.value, '0xC3');
    assert.throws(() => writeFileAtomic(path.join(dir, 'missing-folder', 'x.json'), '{}'));
    assert.deepEqual(fs.readdirSync(dir), ['device.dmtree.json']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
