// The real-VS-Code tests on this machine: code-server (from the npm registry) + headless Debian
// Chromium. 1) the extension-host suite (dist/test/suite, the extensionTestsPath contract) with
// the extension loaded from this folder; 2) the UI test against the packaged .vsix installed into
// a fresh profile. Installs code-server on first use (scripts/setup-code-server.sh).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CODE_SERVER, ROOT, runExtensionTests, startCodeServer } from './code-server.mjs';
import { runUiTest } from './ui.mjs';
import { runTraceUiTest } from './traceUi.mjs';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}

if (!fs.existsSync(CODE_SERVER)) run('bash', [path.join(ROOT, 'scripts', 'setup-code-server.sh')]);
run('npm', ['run', 'package', '--silent']);
const vsix = path.join(ROOT, 'dist', 'omadm-workbench.vsix');
const shots = path.join(ROOT, 'test-results', 'vscode');

function workspaceCopy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-ws-'));
  fs.cpSync(path.join(ROOT, 'test', 'vscode', 'workspace'), dir, { recursive: true });
  return dir;
}

const results = [];
const server = await startCodeServer({ vsix });
const copies = [];
try {
  const t0 = Date.now();
  console.log(`code-server at ${server.url}`);
  const ws1 = workspaceCopy();
  copies.push(ws1);
  const code = await runExtensionTests({
    host: server.host,
    folder: ws1,
    extensionDevelopmentPaths: [ROOT],
    extensionTestsPath: path.join(ROOT, 'dist', 'test', 'suite', 'index'),
  }).catch((e) => {
    console.error(e.message);
    return 1;
  });
  console.log(`extension-host suite: exit ${code} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  results.push(['extension-host suite', code === 0]);
  const ws2 = workspaceCopy();
  copies.push(ws2);
  results.push(['UI test with the installed .vsix', await runUiTest({ url: server.url, folder: ws2, shots })]);
  const ws3 = workspaceCopy();
  copies.push(ws3);
  results.push(['sequence diagram of a trace', await runTraceUiTest({ url: server.url, folder: ws3, shots })]);
} finally {
  server.stop();
  for (const c of copies) fs.rmSync(c, { recursive: true, force: true });
}
for (const [name, ok] of results) console.log(`${ok ? 'ok' : 'FAILED'} - ${name}`);
const passed = results.filter(([, ok]) => ok).length;
console.log(`vscode: ${passed} passed, ${results.length - passed} failed`);
process.exitCode = passed === results.length ? 0 : 1;
