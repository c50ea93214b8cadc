/**
 * Scenario results as JUnit XML, the report Jenkins, GitLab and GitHub read: a test suite per
 * scenario, a test case per step (its class name the scenario, its file the scenario file), a
 * failure or error carrying the expected and actual values, skipped steps marked skipped.
 * Written by junit-report-builder.
 */
import builder from 'junit-report-builder';
import type { ScenarioResult } from '../core/engine/scenario.js';

export function junitReport(runs: { file: string; result: ScenarioResult }[], redact: (s: string) => string = (s) => s): string {
  const b = builder.newBuilder();
  for (const { file, result } of runs) {
    const suite = b.testSuite().name(redact(result.name)).time(result.duration / 1000).property('file', file);
    for (const s of result.steps) {
      const c = suite.testCase().className(redact(result.name)).name(`${s.index + 1}. ${redact(s.name)}`).file(file).time(s.duration / 1000);
      const detail = [s.message, s.expected !== undefined ? `expected: ${s.expected}` : '', s.actual !== undefined ? `actual: ${s.actual}` : '', `${file}:${s.line}`].filter((x): x is string => !!x).map(redact).join('\n');
      if (s.status === 'failed') c.failure(redact(s.message ?? 'failed'), 'expectation').standardOutput(detail);
      else if (s.status === 'errored') c.error(redact(s.message ?? 'error'), 'error', detail);
      else if (s.status === 'skipped') c.skipped();
    }
  }
  return b.build();
}
