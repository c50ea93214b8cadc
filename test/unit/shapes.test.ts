// The parser's and the delegation checker's optimised code survives a full garbage collection
// (server/src/core/shapes.ts): V8 would drop it with the hidden classes of their short-lived
// objects, and each check of a small document after a collection would run unoptimised.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';

test('parseXml and validateDelegation stay optimised across a full garbage collection', () => {
  const child = path.join(ROOT, 'test', 'unit', 'shapes-child.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--allow-natives-syntax', '--expose-gc', child], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const { before, after } = JSON.parse(r.stdout) as { before: Record<string, boolean>; after: Record<string, boolean> };
  assert.deepEqual(before, { parseXml: true, validateDelegation: true }, 'optimised before the collection');
  assert.deepEqual(after, { parseXml: true, validateDelegation: true }, 'still optimised after it');
});
