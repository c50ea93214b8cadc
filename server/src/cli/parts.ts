/**
 * What the running commands (`serve`, `session`, `notify`, `demo`) share: reading a device's
 * tree and Package#2 files with clear errors, printing trace events, and staying up until
 * Ctrl+C.
 */
import { formatEvent, type TraceEvent } from '../core/trace/events.js';
import type { Io } from './omadm.js';
import { InputError as CliError } from '../host/inputFiles.js';

export { CliError };
export { readPackage2, readText, readTree } from '../host/inputFiles.js';

/**
 * Trace events as lines: for people, or as the JSON lines of the `session --json` contract
 * ({"from","to","kind","method","url","status","contentType","body"} per package or HTTP exchange).
 */
export function printer(io: Io, json: boolean): (e: TraceEvent) => void {
  return (e) => {
    if (!json) io.out(`${new Date(e.time).toISOString().slice(11, 23)} ${formatEvent(e)}\n`);
    else if (e.kind !== 'note') io.out(JSON.stringify(contractLine(e)) + '\n');
  };
}

export function contractLine(e: TraceEvent): Record<string, unknown> {
  return { from: e.from, to: e.to, kind: e.kind, method: e.method ?? null, url: e.url ?? null, status: e.status ?? null, contentType: e.contentType ?? null, body: e.body ?? null };
}

/** Resolves on SIGINT or SIGTERM: the running parts then close their sockets. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** NAME=ORIGIN pairs of --host, like curl's --resolve. */
export function hostTable(values: string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq < 1) throw new CliError(`--host '${v}' is NAME=URL, e.g. dm.example=http://127.0.0.1:8080`);
    const origin = v.slice(eq + 1);
    try {
      new URL(origin);
    } catch {
      throw new CliError(`--host '${v}': '${origin}' is not a URL`);
    }
    out.set(v.slice(0, eq), origin);
  }
  return out;
}
