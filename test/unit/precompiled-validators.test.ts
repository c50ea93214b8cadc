// The bundles carry the package validators compiled at build time (ajv standalone code, made by
// scripts/validators.mjs in place of validators.ts); the TypeScript compiles them at run time.
// Both must report the same errors for any value, and the bundle must not compile anything.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import * as esbuild from 'esbuild';
import { ROOT } from '../helpers.ts';
import { validateSchema } from '../../server/src/core/dm20/schemas.ts';
import type { PackageKind } from '../../server/src/core/dm20/packages.ts';

type Validate = (kind: PackageKind, value: unknown) => unknown[];

/** validateSchema as a bundle built with the build's plugin. */
async function bundled(): Promise<{ validate: Validate; code: string }> {
  const { precompiledValidators } = (await import(path.join(ROOT, 'scripts', 'validators.mjs'))) as { precompiledValidators: (root: string) => esbuild.Plugin };
  const out = await esbuild.build({
    stdin: { contents: "export { validateSchema } from './server/src/core/dm20/schemas.ts';", resolveDir: ROOT, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', write: false, mainFields: ['module', 'main'], plugins: [precompiledValidators(ROOT)], logLevel: 'warning',
  });
  const code = out.outputFiles[0]!.text;
  const module = { exports: {} as { validateSchema?: Validate } };
  new Function('module', 'exports', 'require', code)(module, module.exports, createRequire(path.join(ROOT, 'package.json')));
  return { validate: module.exports.validateSchema!, code };
}

const KINDS: PackageKind[] = ['pkg1', 'pkg2', 'pkg3', 'mo', 'alert'];

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.json') && e.name !== 'expected.json' ? [path.join(dir, e.name)] : []));
}

test('the precompiled validators report what the compiled-at-run-time ones do', async () => {
  const { validate, code } = await bundled();
  assert.ok(!code.includes('strictSchema'), 'no schema compiler in the bundle');
  let compared = 0;
  for (const file of files(path.join(ROOT, 'test', 'fixtures', 'dm20'))) {
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    for (const kind of KINDS) {
      assert.deepEqual(validate(kind, value), validateSchema(kind, value), `${kind} ${file}`);
      compared++;
    }
  }
  assert.ok(compared > 50);
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.constantFrom(0, 200, 'x', true, null), fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('CMD', 'Status', 'sc', 'URI', 'MOS', 'MIID', 'Alert', 'AlertType', 'Data', 'ClientURI', 'MOData', 'x'), tie('value'), { maxKeys: 4 })),
  })).value;
  fc.assert(fc.property(fc.constantFrom(...KINDS), json, (kind, value) => {
    assert.deepEqual(validate(kind, value), validateSchema(kind, value));
  }), { numRuns: 3000 });
});
