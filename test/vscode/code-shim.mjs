#!/usr/bin/env node
// A "VS Code executable" for @vscode/test-electron's `vscodeExecutablePath` on machines that cannot
// download the desktop build: takes the desktop command line that runTests passes
// (--extensionDevelopmentPath=, --extensionTestsPath=, [folder], other flags ignored), runs the
// suite in code-server's extension host through headless Chromium, and exits with its result.
import * as path from 'node:path';
import { runExtensionTests, startCodeServer } from './code-server.mjs';

const argv = process.argv.slice(2);
if (argv.includes('--version')) {
  console.log('1.100.3');
  process.exit(0);
}
const opt = (name) => argv.filter((a) => a.startsWith(`--${name}=`)).map((a) => path.resolve(a.slice(name.length + 3)));
const devPaths = opt('extensionDevelopmentPath');
const [testsPath] = opt('extensionTestsPath');
const folder = argv.filter((a) => !a.startsWith('-')).map((p) => path.resolve(p))[0];
let code = 1;
let server;
try {
  if (!testsPath) throw new Error('--extensionTestsPath is required');
  server = await startCodeServer();
  code = await runExtensionTests({ host: server.host, folder, extensionDevelopmentPaths: devPaths, extensionTestsPath: testsPath });
} catch (e) {
  console.error('[code-shim]', e.message);
} finally {
  server?.stop();
}
process.exit(code);
