// The bundles carry the package and scenario validators compiled at build time (ajv standalone
// code, made by scripts/validators.mjs in place of dm20/validators.ts and scenario/validator.ts);
// the TypeScript compiles them at run time. Both must report the same errors for any value, and
// the bundle must not compile anything.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import * as esbuild from 'esbuild';
import { ROOT } from '../helpers.ts';
import { validateSchema } from '../../server/src/core/dm20/schemas.ts';
import { parseScenario } from '../../server/src/core/scenario/model.ts';
import type { PackageKind } from '../../server/src/core/dm20/packages.ts';

type Validate = (kind: PackageKind, value: unknown) => unknown[];

/** A module of the sources as a bundle built with the build's plugin: its exports. */
async function bundledModule<T>(source: string): Promise<{ exports: T; code: string }> {
  const { precompiledValidators } = (await import(path.join(ROOT, 'scripts', 'validators.mjs'))) as { precompiledValidators: (root: string) => esbuild.Plugin };
  const out = await esbuild.build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts' },
    bundle: true, platform: 'node', format: 'cjs', write: false, mainFields: ['module', 'main'], plugins: [precompiledValidators(ROOT)], logLevel: 'warning',
  });
  const code = out.outputFiles[0]!.text;
  const module = { exports: {} as T };
  new Function('module', 'exports', 'require', code)(module, module.exports, createRequire(path.join(ROOT, 'package.json')));
  return { exports: module.exports, code };
}

/** validateSchema as a bundle built with the build's plugin. */
async function bundled(): Promise<{ validate: Validate; code: string }> {
  const { exports, code } = await bundledModule<{ validateSchema: Validate }>("export { validateSchema } from './server/src/core/dm20/schemas.ts';");
  return { validate: exports.validateSchema, code };
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

test('the precompiled scenario validator reports what the compiled-at-run-time one does', async () => {
  const { exports, code } = await bundledModule<{ parseScenario: typeof parseScenario }>("export { parseScenario } from './server/src/core/scenario/model.ts';");
  assert.ok(!code.includes('strictSchema'), 'no schema compiler in the bundle');
  const dir = path.join(ROOT, 'examples', 'workspace', 'scenarios');
  const texts = fs.readdirSync(dir).filter((f) => f.endsWith('.dmflow.json')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
  assert.ok(texts.length >= 4);
  for (const text of texts) assert.deepEqual(exports.parseScenario(text), parseScenario(text));
  // Scenarios with schema faults (docs/scenarios.md): properties of every step kind with values of
  // any type, unknown properties, missing ones; both must find the same faults at the same places.
  const anyValue = fc.oneof(fc.constantFrom(0, 200, -1, 'x', '', true, null, 'dev', 'srv', 'dmacc'), fc.array(fc.constantFrom(1, 'x', null), { maxLength: 2 }), fc.dictionary(fc.constantFrom('uri', 'status', 'x'), fc.constantFrom(1, 'x'), { maxKeys: 2 }));
  const key = fc.constantFrom('name', 'queue', 'notify', 'session', 'check', 'alert', 'delegation', 'inject', 'wait', 'expect', 'device', 'server', 'commands', 'package', 'uri', 'value', 'flow', 'failAt', 'status', 'ms', 'unknown');
  const step = fc.dictionary(key, anyValue, { maxKeys: 4 });
  const participants = fc.dictionary(fc.constantFrom('dev', 'srv', 'peers'), fc.dictionary(fc.constantFrom('kind', 'tree', 'server', 'repository', 'devices', 'x'), anyValue, { maxKeys: 3 }), { maxKeys: 3 });
  let faulty = 0;
  fc.assert(fc.property(fc.record({ name: anyValue, participants, steps: fc.array(step, { maxLength: 3 }) }, { requiredKeys: [] }), (value) => {
    const text = JSON.stringify(value, null, 1);
    const ours = exports.parseScenario(text);
    if (ours.diagnostics.length) faulty++;
    assert.deepEqual(ours, parseScenario(text));
  }), { numRuns: 1500 });
  assert.ok(faulty > 100, 'the random scenarios hold faults');
});
