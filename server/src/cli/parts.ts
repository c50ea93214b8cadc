/**
 * What the running commands (`serve`, `session`, `notify`, `demo`) share: reading a device's
 * tree and Package#2 files with clear errors, printing trace events, and staying up until
 * Ctrl+C.
 */
import * as fs from 'node:fs';
import { JsonDocument } from '../core/json/document.js';
import { loadTrees } from '../core/tree/load.js';
import type { DmTree } from '../core/tree/model.js';
import { parsePackage, type Package2 } from '../core/dm20/model.js';
import { formatEvent, type TraceEvent } from '../core/trace/events.js';
import type { Io } from './omadm.js';

export class CliError extends Error {}

const MAX_FILE = 64 * 1024 * 1024;

export function readText(file: string, what: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new CliError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (!st.isFile()) throw new CliError(`${what} ${file} is not a regular file`);
  if (st.size > MAX_FILE) throw new CliError(`${what} ${file} is larger than ${MAX_FILE} bytes`);
  return fs.readFileSync(file, 'utf8');
}

/** A device's tree from `*.dmtree.json` files; a file that is not MO data is an error, not an empty tree. */
export function readTree(files: string[]): DmTree {
  const texts = files.map((file) => {
    const text = readText(file, 'tree');
    const doc = new JsonDocument(text);
    if (!doc.valid || !Array.isArray(doc.value)) throw new CliError(`${file} is not a DM tree: MO data is a JSON array of {ClientURI, MOData} (DM 2.0 7.2.1.4)${doc.errors[0] ? `; ${doc.errors[0].message}` : ''}`);
    return { file, text };
  });
  const { tree, diagnostics } = loadTrees(texts);
  const dup = diagnostics.find((d) => d.diagnostic.code === 'tree.duplicate-instance');
  if (dup) throw new CliError(`${dup.file}: ${dup.diagnostic.message}`);
  return tree;
}

export function readPackage2(file: string): Package2 {
  const parsed = parsePackage(readText(file, 'Package#2'), 'pkg2');
  if (!parsed.value) throw new CliError(`${file} is not a valid Package#2: ${parsed.diagnostics.find((d) => d.severity === 'error')?.message ?? ''}`);
  return parsed.value;
}

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
