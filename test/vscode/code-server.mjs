// Starting and stopping code-server (a real VS Code workbench with the Node extension host) and
// headless Debian Chromium for the real-VS-Code tests. Shared by the runner and the shim.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CODE_SERVER = process.env.CODE_SERVER_ENTRY ?? path.join(ROOT, '.cache', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Waits for `probe` to return truthy, checking every `every` ms, up to `ms`. */
export async function until(what, probe, ms = 60_000, every = 100) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * A fresh code-server profile on a free loopback port; `vsix` is installed into it first.
 * Returns { url, host, stop }.
 */
export async function startCodeServer({ vsix, userDataDir, extensionsDir } = {}) {
  if (!fs.existsSync(CODE_SERVER)) throw new Error(`code-server is not installed at ${CODE_SERVER}: run scripts/setup-code-server.sh`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-code-server-'));
  const ud = userDataDir ?? path.join(tmp, 'user-data');
  const ext = extensionsDir ?? path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.mkdirSync(ext, { recursive: true });
  const settings = path.join(ud, 'User', 'settings.json');
  if (!fs.existsSync(settings)) {
    fs.writeFileSync(settings, JSON.stringify({
      'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true, 'workbench.startupEditor': 'none', 'workbench.enableExperiments': false,
      'workbench.tips.enabled': false, 'security.workspace.trust.enabled': false, 'chat.commandCenter.enabled': false,
      'chat.disableAIFeatures': true, 'window.restoreWindows': 'none', 'editor.hover.delay': 100,
    }, null, 1));
  }
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = path.join(tmp, 'config.yaml');
  fs.writeFileSync(config, `bind-addr: ${host}\nauth: none\ncert: false\ndisable-telemetry: true\ndisable-update-check: true\ndisable-workspace-trust: true\ndisable-getting-started-override: true\n`);
  const env = { ...process.env, EXTENSIONS_GALLERY: '{}' };
  const base = [CODE_SERVER, '--config', config, '--user-data-dir', ud, '--extensions-dir', ext];
  if (vsix) {
    const r = spawnSync(process.execPath, [...base, '--install-extension', vsix], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`installing ${vsix} failed: ${r.stderr || r.stdout}`);
  }
  const log = path.join(tmp, 'code-server.log');
  const fd = fs.openSync(log, 'w');
  const proc = spawn(process.execPath, [...base, '--ignore-last-opened'], { detached: true, stdio: ['ignore', fd, fd], env });
  fs.closeSync(fd);
  const stop = () => {
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {}
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await until('code-server to listen', async () => {
      if (proc.exitCode !== null) throw new Error(`code-server exited: ${fs.readFileSync(log, 'utf8').slice(-2000)}`);
      try {
        return (await fetch(`http://${host}/healthz`)).ok;
      } catch {
        return false;
      }
    });
  } catch (e) {
    stop();
    throw e;
  }
  return { host, url: `http://${host}`, log, stop };
}

export async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 } });
  return {
    ctx,
    close: async () => {
      await ctx.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/**
 * Runs an extension-host suite (the `extensionTestsPath` contract) in code-server: the workbench
 * reports the result through `codeAutomationExit`, and the suite's output through `codeAutomationLog`.
 */
export async function runExtensionTests({ host, folder, extensionDevelopmentPaths, extensionTestsPath, timeoutMs = 300_000, out = process.stdout }) {
  const remote = (p) => `vscode-remote://${host}${p}`;
  const payload = [...extensionDevelopmentPaths.map((p) => ['extensionDevelopmentPath', remote(p)]), ['extensionTestsPath', remote(extensionTestsPath)]];
  const url = `http://${host}/?${folder ? 'folder=' + encodeURIComponent(folder) : 'ew=true'}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const browser = await launchBrowser();
  try {
    const page = browser.ctx.pages()[0] ?? (await browser.ctx.newPage());
    let done;
    const exited = new Promise((r) => (done = r));
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      if (!/socket|connection token|Service Worker|builtin extensions cache|ChatSessionStore/.test(line)) out.write(line + '\n');
    });
    await page.goto(url);
    let timer;
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no result from the extension host after ${timeoutMs} ms`)), timeoutMs)));
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await browser.close();
  }
}
