// Traces written by `omadm run` become .dmhttp fixtures that `omadm validate` passes clean: every
// example scenario, the fleet of 100 devices (sessions at once) and the delegation flows included.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';
import { readTrace } from '../../server/src/core/trace/diagram.ts';
import { traceToDmhttp } from '../../server/src/core/trace/dmhttp.ts';

const BIN = path.join(ROOT, 'bin', 'omadm.js');

async function omadm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

test('the traces of the example scenarios, as .dmhttp fixtures, validate clean with omadm validate', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-trace-dmhttp-'));
  try {
    const run = await omadm(['run', '--trace', dir, path.join(ROOT, 'examples', 'workspace', 'scenarios')]);
    assert.equal(run.code, 0, run.stderr);
    const traces = fs.readdirSync(dir).filter((f) => f.endsWith('.trace.jsonl'));
    assert.deepEqual(traces.sort(), ['delegation-flows.trace.jsonl', 'failures.trace.jsonl', 'fleet.trace.jsonl', 'management-session.trace.jsonl']);
    // The committed traces too.
    const fixtures = path.join(ROOT, 'test', 'fixtures', 'traces');
    const sources = [...traces.map((f) => path.join(dir, f)), ...fs.readdirSync(fixtures).filter((f) => f.endsWith('.trace.jsonl')).map((f) => path.join(fixtures, f))];
    const written: string[] = [];
    for (const file of sources) {
      const { events, problems } = readTrace(fs.readFileSync(file, 'utf8'));
      assert.deepEqual(problems, []);
      const r = traceToDmhttp(events);
      const requests = events.filter((e) => e.transport === 'http' && (e.kind === 'package1' || e.kind === 'package3' || e.kind === 'http')).length;
      assert.equal(r.exchanges, requests, `${path.basename(file)}: every HTTP request is written`);
      const out = path.join(dir, `${written.length}-${path.basename(file).replace(/\.trace\.jsonl$/, '.dmhttp')}`);
      fs.writeFileSync(out, r.text);
      written.push(out);
    }
    const v = await omadm(['validate', ...written]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, new RegExp(`^${written.length} files checked: 0 errors, 0 warnings`, 'm'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
