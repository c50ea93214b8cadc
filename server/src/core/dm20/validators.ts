/**
 * The validators of the package schemas (schemaData.ts), compiled by ajv when first asked for.
 * This is how tests and tools that run the TypeScript get them; the bundles get this module
 * replaced by the same validators compiled at build time with ajv's standalone code generation
 * (scripts/build.mjs), so that the shipped server neither carries ajv's compiler for them nor
 * spends the start of its first JSON file compiling. Both come from the same schemas and options,
 * so they report the same errors.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import type { PackageKind } from './packages.js';
import { AJV_OPTIONS, SCHEMAS } from './schemaData.js';

export function compileValidators(): Record<PackageKind, ValidateFunction> {
  const ajv = new Ajv(AJV_OPTIONS);
  for (const s of Object.values(SCHEMAS)) ajv.addSchema(s);
  const out = {} as Record<PackageKind, ValidateFunction>;
  for (const kind of Object.keys(SCHEMAS) as PackageKind[]) out[kind] = ajv.getSchema((SCHEMAS[kind] as { $id: string }).$id)!;
  return out;
}
