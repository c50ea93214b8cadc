// Where the shipped bundles are. The bench runs as dist/bench/*.js; the repository root is two
// levels up from there (one up when a bench file is run from its source folder).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
export const DIST = path.join(ROOT, 'dist');
export const CLI = path.join(DIST, 'cli.js');
export const SERVER = path.join(DIST, 'server.js');
export const CLIENT = path.join(DIST, 'client.js');
export const BENCH = path.join(DIST, 'bench');

/**
 * The peers as their packages ship them, loaded from node_modules at run time rather than bundled
 * into the bench: our build's settings (minified, names kept) are ours to pay, not theirs, and
 * they slow some packages several times (vscode-json-languageservice among them).
 */
export const peerRequire = createRequire(path.join(ROOT, 'package.json'));

/** A fresh temporary folder, removed by the returned function. */
export function scratch(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `omadm-bench-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
