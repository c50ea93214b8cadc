// The extension-host suite through @vscode/test-electron: it downloads a desktop VS Code where the
// machine can reach Microsoft's update servers. Where it cannot, OMADM_VSCODE_SHIM=1 hands
// runTests an executable that runs the same suite in code-server (test/vscode/code-shim.mjs);
// VSCODE_EXECUTABLE names any other VS Code build.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runTests } from '@vscode/test-electron';
import { CODE_SERVER, ROOT } from './code-server.mjs';

const shim = process.env.OMADM_VSCODE_SHIM ? path.join(ROOT, 'test', 'vscode', 'code-shim.mjs') : undefined;
const vscodeExecutablePath = shim ?? process.env.VSCODE_EXECUTABLE;
if (shim && !fs.existsSync(CODE_SERVER)) spawnSync('bash', [path.join(ROOT, 'scripts', 'setup-code-server.sh')], { stdio: 'inherit' });
if (spawnSync('node', [path.join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0) process.exit(1);
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-ws-'));
fs.cpSync(path.join(ROOT, 'test', 'vscode', 'workspace'), workspace, { recursive: true });
try {
  await runTests({
    ...(vscodeExecutablePath ? { vscodeExecutablePath } : { version: '1.100.3' }),
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(ROOT, 'dist', 'test', 'suite', 'index'),
    launchArgs: [workspace, '--disable-extensions'],
  });
  console.log('electron: 1 passed, 0 failed');
} catch (e) {
  console.error(`extension-host suite failed: ${e.message ?? e}`);
  console.log('electron: 0 passed, 1 failed');
  process.exitCode = 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}
