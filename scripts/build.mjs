// Bundles the extension client, the language server, the CLI and the extension-host test suite
// with esbuild. The bundles carry their dependencies, so the .vsix ships no node_modules.
import * as esbuild from 'esbuild';
import { precompiledValidators } from './validators.mjs';

// mainFields: prefer ES modules (jsonc-parser's UMD build requires files by runtime paths a bundle cannot see).
// ES modules that read import.meta.url (tinyglobby) get the bundle's own file URL.
// Minified for a smaller, faster-loading .vsix; names kept and source maps beside, so that stack
// traces still read. The package validators come compiled (scripts/validators.mjs).
const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', mainFields: ['module', 'main'],
  minify: true, keepNames: true,
  plugins: [precompiledValidators()],
  define: { 'import.meta.url': '__omadmFileUrl' },
  banner: { js: "const __omadmFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js' }),
  esbuild.build({ ...common, entryPoints: ['test/vscode/suite/index.ts'], outfile: 'dist/test/suite/index.js', external: ['vscode', 'mocha'] }),
  // The benchmarks run as bundles built like the ones above, so that they measure the code as it ships.
  esbuild.build({ ...common, entryPoints: ['bench/run.ts', 'bench/fleet.ts', 'bench/memory.ts'], outdir: 'dist/bench' }),
]);
// The scenario schema, for VS Code's JSON language service (contributes.jsonValidation).
(await import('node:fs')).copyFileSync('server/src/core/scenario/dmflow.schema.json', 'dist/dmflow.schema.json');
