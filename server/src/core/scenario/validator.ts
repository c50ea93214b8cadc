/**
 * The validator of the scenario schema (dmflow.schema.json), compiled by ajv when first asked for.
 * This is how tests and tools that run the TypeScript get it; the bundles get this module replaced
 * by the same validator compiled at build time with ajv's standalone code generation
 * (scripts/validators.mjs), as the package validators are: the CLI and the servers then carry no
 * schema compiler and compile nothing on their first scenario. Same schema, same options, so the
 * same errors.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import schema from './dmflow.schema.json';

/** Kept with the schema's compilation at build time: allErrors for every finding, discriminator for the step kinds. */
export const SCENARIO_AJV_OPTIONS = { allErrors: true, strict: false, discriminator: true } as const;

export function compileScenarioValidator(): ValidateFunction {
  return new Ajv(SCENARIO_AJV_OPTIONS).compile(schema);
}
