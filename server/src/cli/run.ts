/**
 * `omadm run`: scenarios headless, on real sockets on loopback. Progress goes to standard error;
 * with --json, standard output has one JSON object per step and one per scenario; --junit writes
 * JUnit XML, --trace a trace per scenario (JSON lines, docs/trace.md). Secrets are taken from
 * OMADM_SECRET_<NAME> and never written: traces and reports have «secret:NAME» instead.
 * Exit status: 0 all passed, 1 any failed, 2 usage (a scenario that cannot be read or run).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseScenario, lineOf, type Scenario } from '../core/scenario/model.js';
import { Substitution, parseEnvironments, secretVariable } from '../core/scenario/variables.js';
import { runScenario, type ScenarioResult, type StepResult } from '../core/engine/scenario.js';
import type { TraceEvent } from '../core/trace/events.js';
import { traceLine } from '../core/trace/jsonl.js';
import { scenarioHost } from '../host/scenarioHost.js';
import { junitReport } from '../host/junit.js';
import { writeFileAtomic } from '../host/atomicWrite.js';
import { CliError, readText } from './parts.js';
import type { Io } from './omadm.js';

export const RUN_HELP = `Usage: omadm run [--env NAME] [--json] [--junit FILE] [--trace DIR] [--devices N] SCENARIO...

Runs scenarios (*.dmflow.json; folders recurse) with real sockets on loopback: the emulated
devices, the mini DM Server and the delegation peers each scenario names. Steps run in order; a
step that fails stops its scenario (the rest are skipped). Every DM package exchanged must
validate unless the scenario says "validate": false.

Options:
  --env NAME      the environment of omadm.env.json (next to the scenario or in a folder above)
                  whose variables fill \${name} in the scenario; default: its "default"
  --json          one JSON object per line on standard output:
                    {"type":"step","scenario","file","index","name","line","status","message","expected","actual","duration"}
                    {"type":"scenario","scenario","file","passed","duration","error"}
                  status is passed, failed, errored or skipped; durations in milliseconds
  --junit FILE    JUnit XML: a test suite per scenario, a test case per step
  --trace DIR     a trace per scenario, DIR/<scenario file name>.trace.jsonl (docs/trace.md)
  --devices N     N copies of every device participant (a fleet)
  -h, --help

Secrets: \${secret:NAME} in a scenario is read from the environment variable OMADM_SECRET_NAME.

Exit status: 0 every scenario passed, 1 any failed, 2 usage error (no scenario, one that cannot
be read or is not valid, an unknown environment, a variable or secret not set).
`;

function scenarioFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, depth: number): void => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) throw new CliError(`${p}: no such file or folder`);
    if (st.isDirectory()) {
      if (depth > 32) return;
      for (const e of fs.readdirSync(p).sort()) if (!e.startsWith('.') && e !== 'node_modules') walk(path.join(p, e), depth + 1);
    } else if (depth === 0 || p.endsWith('.dmflow.json')) out.push(p);
  };
  for (const p of paths) walk(p, 0);
  return out;
}

/** omadm.env.json next to the scenario or in a folder above it. */
function environmentFile(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const f = path.join(d, 'omadm.env.json');
    if (fs.existsSync(f)) return f;
    if (path.dirname(d) === d) return undefined;
  }
}

export async function runCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { env: { type: 'string' }, json: { type: 'boolean' }, junit: { type: 'string' }, trace: { type: 'string' }, devices: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.out(RUN_HELP);
    return 0;
  }
  if (!positionals.length) throw new CliError('name at least one scenario (*.dmflow.json) or a folder holding some');
  const devices = values.devices === undefined ? undefined : Number(values.devices);
  if (devices !== undefined && !(Number.isInteger(devices) && devices >= 1 && devices <= 10_000)) throw new CliError(`--devices '${values.devices}' is not a whole number from 1 to 10000`);
  const files = scenarioFiles(positionals);
  if (!files.length) throw new CliError(`no *.dmflow.json under ${positionals.join(', ')}`);
  // Everything is read and checked before anything runs: a broken scenario is a usage error.
  const prepared: { file: string; scenario: Scenario; sub: Substitution }[] = [];
  for (const file of files) {
    const text = readText(file, 'scenario');
    const parsed = parseScenario(text, path.basename(file).replace(/\.dmflow\.json$/, ''));
    if (!parsed.scenario) {
      for (const d of parsed.diagnostics) io.err(`${file}:${lineOf(text, d.start)}: ${d.severity} ${d.code}: ${d.message}\n`);
      throw new CliError(`${file} is not a valid scenario`);
    }
    const envFile = environmentFile(path.dirname(file));
    let vars: Record<string, string> = {};
    if (envFile) {
      const envs = parseEnvironments(readText(envFile, 'environments'));
      if (typeof envs === 'string') throw new CliError(`${envFile}: ${envs}`);
      const name = values.env ?? envs.default;
      if (name !== undefined) {
        const env = envs.environments[name];
        if (!env) throw new CliError(`${envFile} has no environment '${name}' (it has ${Object.keys(envs.environments).join(', ') || 'none'})`);
        vars = env;
      }
    } else if (values.env !== undefined) throw new CliError(`--env ${values.env}: no omadm.env.json next to ${file} or above it`);
    const sub = new Substitution(vars, (n) => process.env[secretVariable(n)]);
    const scenario = sub.apply(parsed.scenario);
    if (sub.missing.size) throw new CliError(`${file}: ${[...sub.missing].map((m) => (m.startsWith('secret:') ? `${m} (set ${secretVariable(m.slice(7))})` : `\${${m}}`)).join(', ')} not set`);
    prepared.push({ file, scenario, sub });
  }
  if (values.trace) fs.mkdirSync(values.trace, { recursive: true });
  const runs: { file: string; result: ScenarioResult; sub: Substitution }[] = [];
  for (const { file, scenario, sub } of prepared) {
    io.err(`▶ ${scenario.name} (${file})\n`);
    const trace: TraceEvent[] = [];
    const line = (r: StepResult): string => sub.redact(`${r.status === 'passed' ? '✓' : r.status === 'skipped' ? '-' : '✗'} ${r.index + 1}. ${r.name}${r.duration ? ` (${Math.round(r.duration)} ms)` : ''}${r.message ? `: ${r.message}` : ''}${r.expected !== undefined ? ` [expected ${r.expected}, got ${r.actual ?? ''}]` : ''}`);
    const result = await runScenario({
      scenario, host: scenarioHost(path.dirname(file)), trace: (e) => void trace.push(e), ...(devices !== undefined ? { devices } : {}),
      onStep: (r) => {
        io.err(`  ${line(r)}\n`);
        if (values.json) io.out(sub.redact(JSON.stringify({ type: 'step', scenario: scenario.name, file, index: r.index, name: r.name, line: r.line, status: r.status, message: r.message ?? null, expected: r.expected ?? null, actual: r.actual ?? null, duration: Math.round(r.duration) })) + '\n');
      },
    });
    if (result.error) io.err(`  ${sub.redact(result.error)}\n`);
    io.err(`${result.passed ? 'passed' : 'FAILED'}: ${scenario.name}, ${trace.filter((e) => e.kind !== 'note').length} messages, ${Math.round(result.duration)} ms\n`);
    if (values.json) io.out(sub.redact(JSON.stringify({ type: 'scenario', scenario: scenario.name, file, passed: result.passed, duration: Math.round(result.duration), error: result.error ?? null })) + '\n');
    if (values.trace) writeFileAtomic(path.join(values.trace, `${path.basename(file).replace(/\.dmflow\.json$/, '')}.trace.jsonl`), trace.map((e) => traceLine(e, (x) => sub.redact(x))).join('\n') + '\n');
    runs.push({ file, result, sub });
  }
  if (values.junit) writeFileAtomic(values.junit, junitReport(runs, (s) => runs.reduce((acc, r) => r.sub.redact(acc), s)));
  const failed = runs.filter((r) => !r.result.passed).length;
  io.err(`\n${runs.length - failed} of ${runs.length} scenarios passed\n`);
  return failed ? 1 : 0;
}
