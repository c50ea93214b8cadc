// npm run bench: figures from one run, not a test. Delegation: validating a 1 MB corpus of
// delegation messages, next to `xmllint --noout` (well-formedness only) on the same files. DM 2.0:
// see bench/dm20.ts. The emulator fleet: see bench/fleet.ts; it runs as its bundle in a process of
// its own, so that it measures the shipped code and its heap figure holds only the fleet.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allSkeletonTargets, skeleton } from '../server/src/core/delegation/build.ts';
import { validatePaths } from '../server/src/cli/validate.ts';
import { dm20Bench } from './dm20.ts';
import { treeBench } from './trees.ts';
import { editorBench } from './editor.ts';
import { decode, encode } from '../server/src/core/notification/codec.ts';

const TARGET_BYTES = 1024 * 1024;
const PASSES = 5;

function corpus(dir: string): { files: string[]; bytes: number } {
  const targets = allSkeletonTargets();
  const files: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < TARGET_BYTES; i++) {
    const t = targets[i % targets.length]!;
    let text = skeleton(t.message, t.variant, { declaration: true, optional: true });
    // One in four carries a fault, so the rules' error paths are measured too.
    if (i % 4 === 1) text = text.replace('<status>', '<status>X');
    if (i % 4 === 3) text = text.replace(/<sessionId>[^<]*<\/sessionId>/, `<sessionId>S-${i}</sessionId><sessionId>dup</sessionId>`);
    text = text.replace('ABCDERFGHCHDJKD', `SESSION-${i}`);
    const f = path.join(dir, `m${String(i).padStart(5, '0')}.xml`);
    fs.writeFileSync(f, text);
    files.push(f);
    bytes += Buffer.byteLength(text);
  }
  return { files, bytes };
}

function best(fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < PASSES; i++) {
    const t = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return min;
}

async function delegationBench(): Promise<void> {
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-bench-'));
try {
  const { files, bytes } = corpus(dir);
  console.log(`corpus: ${files.length} delegation messages, ${(bytes / 1024 / 1024).toFixed(2)} MB (best of ${PASSES} passes each)`);
  validatePaths([dir]); // warm-up: JIT and file cache
  let found = 0;
  const ours = best(() => {
    found = validatePaths([dir]).diagnostics.length;
  });
  console.log(`omadm validate (in process, full delegation rules): ${ours.toFixed(1)} ms, ${((bytes / 1024 / 1024) / (ours / 1000)).toFixed(1)} MB/s, ${found} diagnostics`);
  const probe = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    console.log('xmllint: not installed (apt-get install libxml2-utils); no ratio');
  } else {
    // One process for all files, like the in-process figure above (which excludes Node start-up).
    const lint = best(() => {
      const r = spawnSync('xmllint', ['--noout', ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0 && r.status !== 1) throw new Error(`xmllint failed: ${r.stderr.slice(0, 300)}`);
    });
    console.log(`xmllint --noout (one process, well-formedness only): ${lint.toFixed(1)} ms, ${((bytes / 1024 / 1024) / (lint / 1000)).toFixed(1)} MB/s`);
    console.log(`ratio omadm / xmllint: ${(ours / lint).toFixed(2)}`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
}

/** Whether the fleet bundle is missing or older than a source it is built from. */
function staleBundle(bundle: string): boolean {
  if (!fs.existsSync(bundle)) return true;
  const built = fs.statSync(bundle).mtimeMs;
  const sources = [
    ...fs.readdirSync('server/src', { recursive: true, encoding: 'utf8' }).map((f) => path.join('server/src', f)),
    ...fs.readdirSync('bench').filter((f) => f.startsWith('fleet')).map((f) => path.join('bench', f)),
    'package-lock.json',
  ];
  return sources.some((f) => fs.statSync(f).mtimeMs > built);
}

function fleetBench(): void {
  const bundle = path.resolve('dist/bench/fleet.js');
  if (staleBundle(bundle)) {
    console.log('dist/bench/fleet.js is missing or older than its sources: npm run build');
    if (spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' }).status !== 0) {
      console.log('the build failed: no fleet figures');
      process.exitCode = 1;
      return;
    }
  }
  // --expose-gc: the heap per device is read after a forced collection.
  const r = spawnSync(process.execPath, ['--expose-gc', bundle], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`the fleet bench exited with ${r.status ?? r.signal}: a session failed or a socket stayed open (see above)`);
    process.exitCode = 1;
  }
}

async function main(): Promise<void> {
  console.log('== delegation messages');
  await delegationBench();
  console.log('== DM 2.0 packages');
  await dm20Bench();
  console.log('== Sample trees: ClientURI resolution');
  treeBench();
  console.log('== DM Notifications');
  const pkgs = Array.from({ length: 100_000 }, (_, i) => encode({ serverId: `DMS_${i}`, notificationId: i & 0xffff, conTypes: [1, 0], timestamp: 1_700_000_000 + i, reqMos: i % 2 === 0 }));
  const t = process.hrtime.bigint();
  let options = 0;
  for (const p of pkgs) options += decode(p).options.length;
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`decoding 100,000 notifications (${options} options): ${ms.toFixed(0)} ms, ${((100_000 / ms) * 1000).toFixed(0)} per second`);
  console.log('== The editor at workspace scale: the built language server over stdio');
  await editorBench();
  console.log('== Emulator fleet: DM Sessions of 10,000 emulated devices with the mini DM Server');
  fleetBench();
}

void main();
