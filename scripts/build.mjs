// Bundles the extension client, the language server, the CLI and the extension-host test suite
// with esbuild. The bundles carry their dependencies, so the .vsix ships no node_modules.
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';
import { precompiledValidators } from './validators.mjs';

// mainFields: prefer ES modules (jsonc-parser's UMD build requires files by runtime paths a bundle cannot see).
// ES modules that read import.meta.url (tinyglobby) get the bundle's own file URL.
// Minified for a smaller, faster-loading .vsix, with source maps beside: `node --enable-source-maps`
// reads a stack trace with the names and lines of the sources. Names are not kept in the code
// (esbuild's keepNames): it names each function as it is created, and the closures a DM Session
// or a validation creates made that a cost of their own. The package validators come compiled
// (scripts/validators.mjs).
const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', mainFields: ['module', 'main'],
  minify: true,
  plugins: [precompiledValidators()],
  define: { 'import.meta.url': '__omadmFileUrl' },
  banner: { js: "const __omadmFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};
// The CLI's chunks are named by their content: the ones of an earlier build go first.
fs.rmSync('dist/cli', { recursive: true, force: true });
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
  // The CLI as ES modules split by command (dist/cli/), so that `omadm validate` loads and compiles
  // only what it runs, not the HTTP, TLS and X.509 libraries of the servers; dist/cli.js loads it.
  // The chunks all live in dist/cli/: __dirname is set to dist/, where the CommonJS bundles have
  // theirs (the shipped DDFs and the example workspace are found from it), and `require` is given
  // to the CommonJS dependencies for Node.js's own modules.
  esbuild.build({
    ...common, format: 'esm', splitting: true, entryPoints: { main: 'server/src/cli/main.ts' }, outdir: 'dist/cli', outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]', define: {},
    banner: { js: "import { createRequire as __omadmRequire } from 'node:module'; import { fileURLToPath as __omadmPath } from 'node:url'; const require = __omadmRequire(import.meta.url); const __filename = __omadmPath(import.meta.url); const __dirname = __omadmPath(new URL('..', import.meta.url));" },
  }),
  esbuild.build({ ...common, entryPoints: ['test/vscode/suite/index.ts'], outfile: 'dist/test/suite/index.js', external: ['vscode', 'mocha'] }),
  // The benchmarks run as bundles built like the ones above, so that they measure the code as it ships.
  esbuild.build({ ...common, entryPoints: ['bench/run.ts', 'bench/fleet.ts', 'bench/memory.ts'], outdir: 'dist/bench' }),
]);
fs.writeFileSync('dist/cli.js', "#!/usr/bin/env node\n'use strict';\n// omadm: the command line, as ES modules in dist/cli/ (see scripts/build.mjs).\nimport('./cli/main.mjs');\n");
// The scenario schema, for VS Code's JSON language service (contributes.jsonValidation).
fs.copyFileSync('server/src/core/scenario/dmflow.schema.json', 'dist/dmflow.schema.json');
