// npm run bench: builds the bundles, then runs this file as dist/bench/run.js, so that every figure
// is of the code as it ships. Each section runs in a process of its own (this file again, with
// --section), so that no section's heap or JIT state is another's; the emulator fleet is its own
// bundle (dist/bench/fleet.js). One table at the end: each figure, its target, met or MISSED.
// Exit status 1 when a check that must hold fails (time per MB growing with the size, a flow or
// a session not completed, a section that crashed); a missed target alone is only reported.
// `npm run bench -- --only xml,json` runs some sections.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { delegationBench } from './delegation.ts';
import { scenarioBench } from './scenarios.ts';
import { dm20Bench } from './dm20.ts';
import { editorBench } from './editor.ts';
import { paired, processMs, ratioText, spread, table, vs, type Row, type SectionResult } from './measure.ts';
import { notificationBench } from './notification.ts';
import { BENCH, CLI, CLIENT, SERVER, scratch } from './paths.ts';
import { treeBench } from './trees.ts';
import { xmlBench } from './xml.ts';

const load = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');

/** The machine (the figures are of a machine shared with whatever else runs), and what ships. */
async function sizes(): Promise<SectionResult> {
  const cpus = os.cpus();
  const rows: Row[] = [{ figure: `machine: ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, Node.js ${process.version}; load average 1 / 5 / 15 min at the start`, value: load(), target: '' }];
  const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;
  for (const [name, file] of [['language server', SERVER], ['VS Code client', CLIENT]] as const) {
    const bytes = fs.readFileSync(file);
    rows.push({ figure: `bundle size, ${name} (dist/${path.basename(file)}; gzipped ${kb(zlib.gzipSync(bytes).length)})`, value: kb(bytes.length), target: '' });
  }
  // The CLI is ES modules split by command (dist/cli/): all of them, and those `omadm validate` loads.
  const dir = path.join(path.dirname(CLI), 'cli');
  const all = fs.readdirSync(dir).filter((f) => f.endsWith('.mjs'));
  const size = (files: Iterable<string>): number => [...files].reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const loaded = new Set<string>();
  for (const queue = ['main.mjs']; queue.length; ) {
    const f = queue.pop()!;
    if (loaded.has(f)) continue;
    loaded.add(f);
    // Static imports only: the commands loaded when they run are import() calls.
    for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/\bfrom\s*"\.\/([\w.-]+\.mjs)"/g)) queue.push(m[1]!);
  }
  rows.push({ figure: `bundle size, CLI (dist/cli/: ${all.length} ES modules; loaded by omadm validate: ${loaded.size})`, value: `${kb(size(all))}; ${kb(size(loaded))}`, target: '' });
  // What the CLI's start costs over Node.js's own: `omadm --version` next to an empty script, as processes.
  const p = await paired(() => processMs(process.execPath, [CLI, '--version'], [0]), () => processMs(process.execPath, ['-e', ''], [0]), { pairs: 10 });
  rows.push({ figure: `CLI start: omadm --version / node -e '', processes (${vs(spread(p.ours).median, spread(p.peer).median)})`, value: ratioText(spread(p.ratios)), target: '' });
  return { rows, failed: [] };
}

const SECTIONS: Record<string, { title: string; run: () => Promise<SectionResult> }> = {
  sizes: { title: 'machine and bundles', run: sizes },
  xml: { title: 'delegation messages (XML)', run: xmlBench },
  json: { title: 'DM 2.0 packages (JSON)', run: dm20Bench },
  editor: { title: 'the editor: the built language server over stdio', run: editorBench },
  trees: { title: 'sample trees', run: treeBench },
  notification: { title: 'DM Notifications (Package#0)', run: notificationBench },
  delegation: { title: 'delegation flows over mutual TLS', run: delegationBench },
  scenarios: { title: 'scenarios (omadm run) and traces', run: scenarioBench },
  fleet: { title: 'emulator fleet: 10,000 DM Sessions with the mini DM Server', run: () => Promise.reject(new Error('the fleet runs as dist/bench/fleet.js')) },
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** One section in this process: its rows written to `out` for the parent. */
async function child(name: string, out: string): Promise<void> {
  const result = await SECTIONS[name]!.run();
  fs.writeFileSync(out, JSON.stringify(result));
}

function runSection(name: string, dir: string): SectionResult {
  const out = path.join(dir, `${name}.json`);
  const args = name === 'fleet' ? ['--expose-gc', path.join(BENCH, 'fleet.js'), '--rows', out] : ['--expose-gc', path.join(BENCH, 'run.js'), '--section', name, '--rows', out];
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  const took = ((performance.now() - t) / 1000).toFixed(0);
  let result: SectionResult = { rows: [], failed: [] };
  if (fs.existsSync(out)) result = JSON.parse(fs.readFileSync(out, 'utf8')) as SectionResult;
  if (r.status !== 0) {
    const why = `the ${name} section exited with ${r.status ?? r.signal}${fs.existsSync(out) ? '' : ', no figures'} (see above)`;
    result.failed.push(why);
    result.rows.push({ figure: `${name}: the section ran to its end`, value: 'no', target: 'yes', met: false });
  }
  console.log(`  (${took} s)`);
  return result;
}

async function main(): Promise<void> {
  const section = arg('section');
  if (section) return child(section, arg('rows')!);
  const only = arg('only')?.split(',');
  const names = Object.keys(SECTIONS).filter((n) => !only || only.includes(n));
  const unknown = only?.filter((n) => !SECTIONS[n]) ?? [];
  if (unknown.length) throw new Error(`no section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  const tmp = scratch('rows');
  const all: (Row & { section: string })[] = [];
  const failed: string[] = [];
  const t = performance.now();
  try {
    for (const name of names) {
      console.log(`== ${SECTIONS[name]!.title}`);
      const r = runSection(name, tmp.dir);
      all.push(...r.rows.map((row) => ({ ...row, section: SECTIONS[name]!.title })));
      failed.push(...r.failed);
    }
  } finally {
    tmp.remove();
  }
  const missed = all.filter((r) => r.met === false);
  console.log(`\n${table(all)}\n`);
  console.log(`${all.filter((r) => r.met !== undefined).length} targets: ${all.filter((r) => r.met).length} met, ${missed.length} missed. ${((performance.now() - t) / 60_000).toFixed(1)} minutes.`);
  console.log('Ratios: ours / the peer, min / median / max over pairs run alternately; a ratio target is judged on the median.');
  console.log(`Load average 1 / 5 / 15 min at the end: ${load()} (${os.cpus().length} cores).`);
  if (failed.length) {
    console.log(`\nThe bench's own checks failed:\n${failed.map((f) => `  - ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
