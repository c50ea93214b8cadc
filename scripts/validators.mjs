// The package validators compiled at build time: ajv's standalone code generation for the schemas
// of server/src/core/dm20/schemaData.ts, with the options the TypeScript compiles them with at run
// time (validators.ts), put in place of validators.ts in the bundles. The server then carries no
// schema compiler for them and compiles nothing when its first JSON file comes.
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const DATA = 'server/src/core/dm20/schemaData.ts';

/** The module that replaces validators.ts: the validators as standalone code, and compileValidators() giving them by kind. */
export async function standaloneValidators(root = process.cwd()) {
  // The schemas are TypeScript: bundled alone (they import nothing) and read back as a module.
  const built = await esbuild.build({ entryPoints: [path.join(root, DATA)], bundle: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'warning' });
  const { SCHEMAS, AJV_OPTIONS } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  for (const s of Object.values(SCHEMAS)) ajv.addSchema(s);
  const kinds = Object.keys(SCHEMAS);
  const code = standaloneCode(ajv, Object.fromEntries(kinds.map((k) => [k, SCHEMAS[k].$id])));
  return `${code}\nexport function compileValidators() {\n  return { ${kinds.join(', ')} };\n}\n`;
}

let generated;

/** An esbuild plugin: validators.ts becomes the standalone validators (generated once per build run). */
export function precompiledValidators(root = process.cwd()) {
  return {
    name: 'omadm-precompiled-validators',
    setup(build) {
      build.onLoad({ filter: /[\\/]server[\\/]src[\\/]core[\\/]dm20[\\/]validators\.ts$/ }, async (args) => ({
        contents: await (generated ??= standaloneValidators(root)),
        loader: 'js',
        resolveDir: path.dirname(args.path),
      }));
    },
  };
}
