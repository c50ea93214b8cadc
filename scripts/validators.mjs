// The schema validators compiled at build time with ajv's standalone code generation, with the
// options the TypeScript compiles them with at run time, put in place of the modules that compile
// them in the bundles: the package validators (server/src/core/dm20/validators.ts, schemas in
// schemaData.ts) and the scenario validator (server/src/core/scenario/validator.ts, schema in
// dmflow.schema.json). The bundles then carry no schema compiler and compile nothing when their
// first JSON file or scenario comes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const DATA = 'server/src/core/dm20/schemaData.ts';
const SCENARIO_SCHEMA = 'server/src/core/scenario/dmflow.schema.json';
const SCENARIO_OPTIONS = 'server/src/core/scenario/validator.ts';

/** A TypeScript module that imports nothing, bundled alone and read back as a module. */
async function importTs(file) {
  const built = await esbuild.build({ entryPoints: [file], bundle: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'warning', external: ['ajv', '*.json'] });
  return import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
}

/** The module that replaces validators.ts: the validators as standalone code, and compileValidators() giving them by kind. */
export async function standaloneValidators(root = process.cwd()) {
  const { SCHEMAS, AJV_OPTIONS } = await importTs(path.join(root, DATA));
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  for (const s of Object.values(SCHEMAS)) ajv.addSchema(s);
  const kinds = Object.keys(SCHEMAS);
  const code = standaloneCode(ajv, Object.fromEntries(kinds.map((k) => [k, SCHEMAS[k].$id])));
  return `${code}\nexport function compileValidators() {\n  return { ${kinds.join(', ')} };\n}\n`;
}

/**
 * The module that replaces scenario/validator.ts: the one validator as standalone code, and
 * compileScenarioValidator() giving it. The options are read from validator.ts itself, so that
 * both compile with the same ones.
 */
export async function standaloneScenarioValidator(root = process.cwd()) {
  const source = fs.readFileSync(path.join(root, SCENARIO_OPTIONS), 'utf8');
  const options = /SCENARIO_AJV_OPTIONS = (\{[^}]*\})/.exec(source)?.[1];
  if (!options) throw new Error(`${SCENARIO_OPTIONS}: SCENARIO_AJV_OPTIONS not found`);
  const schema = JSON.parse(fs.readFileSync(path.join(root, SCENARIO_SCHEMA), 'utf8'));
  const ajv = new Ajv({ ...new Function(`return ${options}`)(), code: { source: true, esm: true } });
  const code = standaloneCode(ajv, ajv.compile(schema));
  return `${code.replace('export default', 'const scenarioValidator =')}\nexport const SCENARIO_AJV_OPTIONS = ${options};\nexport function compileScenarioValidator() {\n  return scenarioValidator;\n}\n`;
}

const generated = new Map();

/** An esbuild plugin: validators.ts and scenario/validator.ts become standalone validators (generated once per build run). */
export function precompiledValidators(root = process.cwd()) {
  const replaced = (filter, make) => (build) =>
    build.onLoad({ filter }, async (args) => {
      if (!generated.has(make)) generated.set(make, make(root));
      return { contents: await generated.get(make), loader: 'js', resolveDir: path.dirname(args.path) };
    });
  return {
    name: 'omadm-precompiled-validators',
    setup(build) {
      replaced(/[\\/]server[\\/]src[\\/]core[\\/]dm20[\\/]validators\.ts$/, standaloneValidators)(build);
      replaced(/[\\/]server[\\/]src[\\/]core[\\/]scenario[\\/]validator\.ts$/, standaloneScenarioValidator)(build);
    },
  };
}
