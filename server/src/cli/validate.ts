/** `omadm validate`: files and folders in, contract diagnostics out (1-based lines and columns). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type AnalyzeEnv, analyzeText, isTreeFile } from '../core/analyze.js';
import { LineIndex } from '../core/text/lineIndex.js';
import { SOURCE, type Diagnostic, type Severity } from '../core/diagnostic.js';
import { PACKAGES } from '../core/dm20/packages.js';
import { fileKind } from '../core/kinds.js';
import { SCENARIO_NAME, analyzeScenario } from '../language/scenario.js';
import { loadDdfs } from '../host/ddfs.js';
import { loadTrees } from '../core/tree/load.js';
import type { TreeContext } from '../core/tree/check.js';

/** The contract shape of DESIGN.md; field order is part of it. */
export interface FileDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
  source: string;
}

export interface ValidateResult {
  diagnostics: FileDiagnostic[];
  files: number;
  checked: { file: string; kind: string; message?: string }[];
  unreadable: { path: string; reason: string }[];
  /** The paths given (and standard input, as "-") that hold no file this tool validates. */
  empty: string[];
}

/**
 * What `validate -` reads from standard input, by --kind: each kind is validated as a file of the
 * name beside it would be. `package` is any DM 2.0 package, told by its shape as a `*.json` is.
 */
export const STDIN_KINDS = {
  delegation: 'stdin.delegation.xml',
  http: 'stdin.dmhttp',
  package: 'stdin.json',
  pkg1: 'stdin.pkg1.json',
  pkg2: 'stdin.pkg2.json',
  pkg3: 'stdin.pkg3.json',
  mo: 'stdin.dmmo.json',
  alert: 'stdin.alert.json',
  notification: 'stdin.pkg0',
  tree: 'stdin.dmtree.json',
  ddf: 'stdin.ddf',
} as const;

export type StdinKind = keyof typeof STDIN_KINDS;

/** How standard input is named in diagnostics. */
export const STDIN_NAME = '<stdin>';

/** No file this tool reads is larger; a bigger one is refused, not read (bad input never blows up). */
export const MAX_FILE = 64 * 1024 * 1024;

const SKIP_DIRS = new Set(['node_modules']);

/** A file that cannot be read as a document: missing, not a regular file, too large. */
export class ReadError extends Error {}

const reason = (e: unknown): string => (e instanceof ReadError ? e.message : ((e as NodeJS.ErrnoException).code ?? String(e)));

/** Why a path that is not a regular file of at most MAX_FILE bytes is refused. */
function refusal(st: fs.Stats): ReadError | undefined {
  if (!st.isFile()) return new ReadError(st.isDirectory() ? 'a folder, not a file' : 'not a regular file');
  return st.size > MAX_FILE ? new ReadError(`larger than ${MAX_FILE} bytes`) : undefined;
}

/**
 * Reads a regular file of at most MAX_FILE bytes. Anything else (a FIFO, /dev/zero, a socket, a
 * folder) is refused without a read: reading a FIFO waits for a writer, reading a device never
 * ends. The open is non-blocking (O_NONBLOCK), so that opening a FIFO does not wait either, and
 * what it opened is told by its fstat: one open, one fstat and one read for a file, which matters
 * when a folder holds thousands of small ones.
 */
export function readBounded(file: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    // A socket or (on Windows) a folder cannot be opened: say what it is rather than the errno.
    const st = fs.statSync(file, { throwIfNoEntry: false });
    throw (st && refusal(st)) ?? e;
  }
  try {
    const st = fs.fstatSync(fd);
    const refused = refusal(st);
    if (refused) throw refused;
    // Sized by the fstat, one byte more so that a file that grew since is seen to: a buffer per
    // file of the size it has, not a fixed large one, which thousands of small files would make
    // the garbage collector's main work. A short read of a regular file is its end.
    let buf = Buffer.allocUnsafe(st.size + 1);
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        if (total > MAX_FILE) throw new ReadError(`larger than ${MAX_FILE} bytes`);
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_FILE + 1));
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      const want = buf.length - total;
      const n = fs.readSync(fd, buf, total, want, null);
      total += n;
      if (n < want) break;
    }
    if (total > MAX_FILE) throw new ReadError(`larger than ${MAX_FILE} bytes`);
    return buf.subarray(0, total);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Binary content: a NUL byte, or more than one control character in 32 (tabs, line and page
 * breaks aside). Such bytes are never echoed back; the file gets one diagnostic instead.
 */
export function binaryReason(buf: Buffer): string | undefined {
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) return 'UTF-16 text, which is not read: save it as UTF-8';
  if (buf.indexOf(0) !== -1) return 'NUL bytes';
  let controls = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f) controls++;
  }
  return controls > 0 && controls * 32 > buf.length ? 'control characters' : undefined;
}

interface Found {
  /** The path as found (a path given, or below one). */
  file: string;
  /** The file itself, whatever the links that lead to it: a file is checked once. */
  real: string;
}

/**
 * What a file or folder is, whatever the links that lead to it: its device and inode where they
 * identify it (from the stat already made, so no more system calls per file), its real path on
 * Windows, where the inode Node.js reports may not.
 */
function identity(p: string, st: fs.Stats): string {
  return process.platform === 'win32' ? fs.realpathSync.native(p) : `${st.dev}:${st.ino}`;
}

/**
 * Every regular file under `top`. Symbolic links are followed, inside folders too; a folder seen
 * before on the way (a link back up, a loop) is not entered again. A path given that is missing
 * or is no regular file or folder is unreadable; below it, dangling links and special files are skipped.
 */
function walk(top: string, out: Found[], unreadable: ValidateResult['unreadable']): void {
  const seenDirs = new Set<string>();
  const stack: { p: string; given: boolean }[] = [{ p: top, given: true }];
  while (stack.length) {
    const { p, given } = stack.pop()!;
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      if (given) unreadable.push({ path: p, reason: reason(e) });
      continue;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        const real = identity(p, st);
        if (seenDirs.has(real)) continue;
        seenDirs.add(real);
        names = fs.readdirSync(p).sort();
      } catch (e) {
        unreadable.push({ path: p, reason: reason(e) });
        continue;
      }
      // Reversed onto the stack, so that they come off it in name order.
      for (const n of names.reverse()) {
        if (n.startsWith('.') || SKIP_DIRS.has(n)) continue;
        stack.push({ p: path.join(p, n), given: false });
      }
    } else if (st.isFile()) {
      let real = p;
      try {
        real = identity(p, st);
      } catch {
        // Keep the name as found.
      }
      out.push({ file: p, real });
    } else if (given) {
      unreadable.push({ path: p, reason: 'not a regular file' });
    }
  }
}

/** Names worth opening: the file kinds of DESIGN.md this version validates. */
const CANDIDATE = /\.(xml|dmhttp|http|json|pkg0|hex|ddf)$/i;

/** The core does no I/O; a Package#3 beside its Package#2 is read from disk here, bounded. */
function readSibling(fileName: string): string | undefined {
  try {
    const buf = readBounded(fileName);
    return binaryReason(buf) ? undefined : buf.toString('utf8');
  } catch {
    return undefined;
  }
}

const KIND_LABEL = { http: 'HTTP exchange', delegation: 'delegation message', package: 'DM 2.0 package', notification: 'DM Notification', ddf: 'DDF', unknown: '' } as const;

export interface ValidateOptions {
  /** A document read from standard input, validated as a file of that kind. */
  stdin?: { text: Buffer; kind: StdinKind };
}

interface Input {
  /** The name shown (a path, or <stdin>). */
  file: string;
  /** The name the kind is told by. */
  hint: string;
  read: () => Buffer;
  explicit: boolean;
  stdin: boolean;
}

export function validatePaths(paths: string[], options: ValidateOptions = {}): ValidateResult {
  const unreadable: ValidateResult['unreadable'] = [];
  const byReal = new Map<string, Found>();
  const explicitReals = new Set<string>();
  /** For each path given, the files found under it (those also found under an earlier path included). */
  const under = new Map<string, string[]>();
  for (const p of paths) {
    const found: Found[] = [];
    walk(p, found, unreadable);
    under.set(p, found.map((f) => f.real));
    if (found.length === 1 && found[0]!.file === p) explicitReals.add(found[0]!.real);
    for (const f of found) if (!byReal.has(f.real)) byReal.set(f.real, f);
  }
  const files = [...byReal.values()];
  const result: ValidateResult = { diagnostics: [], files: 0, checked: [], unreadable, empty: [] };
  // Sample trees are checked against the standard DDFs and the DDFs among the paths; the sample
  // trees among the paths are the device the packages' ClientURIs are resolved against.
  const ddfs = loadDdfs(files.filter((f) => /\.ddf$/i.test(f.file)).map((f) => f.file));
  const treeFiles = files.filter((f) => isTreeFile(f.file)).flatMap((f) => {
    const text = readSibling(f.file);
    return text === undefined ? [] : [{ file: f.file, text }];
  });
  const loaded = treeFiles.length ? loadTrees(treeFiles) : undefined;
  const trees: TreeContext | undefined = loaded
    ? { tree: loaded.tree, label: treeFiles.length === 1 ? path.basename(treeFiles[0]!.file) : `${treeFiles.length} sample trees`, ddfs }
    : undefined;
  // What the loader finds across the tree files (an instance defined again in another file) is
  // reported on the file that defines it again.
  const loaderFindings = new Map<string, Diagnostic[]>();
  for (const d of loaded?.diagnostics ?? []) (loaderFindings.get(d.file) ?? loaderFindings.set(d.file, []).get(d.file)!).push(d.diagnostic);

  const inputs: Input[] = files.map((f) => ({ file: f.file, hint: f.file, read: () => readBounded(f.file), explicit: explicitReals.has(f.real), stdin: false }));
  if (options.stdin) {
    const { text, kind } = options.stdin;
    inputs.push({ file: STDIN_NAME, hint: STDIN_KINDS[kind], read: () => text, explicit: true, stdin: true });
  }
  const recognised = new Set<string>();
  const stdinEnv: AnalyzeEnv = { ddfs, ...(trees ? { trees } : {}) };
  const fileEnv: AnalyzeEnv = { ...stdinEnv, readSibling };
  for (const input of inputs) {
    const { file } = input;
    if (!input.stdin && !CANDIDATE.test(file) && !input.explicit) continue;
    let buf: Buffer;
    try {
      buf = input.read();
    } catch (e) {
      unreadable.push({ path: file, reason: reason(e) });
      continue;
    }
    const binary = binaryReason(buf);
    if (binary) {
      // Only a name that claims a DM kind makes binary content a finding; other files are not ours.
      const claimed = fileKind('', { fileName: input.hint });
      if (!claimed.claimed) continue;
      recognised.add(file);
      result.files++;
      const kind = isTreeFile(input.hint) ? 'sample DM tree' : KIND_LABEL[claimed.kind];
      result.checked.push({ file, kind });
      result.diagnostics.push(contract(file, { line: 1, column: 1, endLine: 1, endColumn: 1 }, {
        severity: 'error',
        code: 'file.binary',
        message: `Binary file: named as a ${kind}, it holds ${binary}, not text; it is not validated.`,
      }));
      continue;
    }
    const text = buf.toString('utf8');
    if (!input.stdin && SCENARIO_NAME.test(input.hint)) {
      // Scenarios (docs/scenarios.md) are checked as the editor checks them: the files they name, the ClientURIs against their device's tree.
      const a = analyzeScenario(text, file, { read: readSibling, isDirectory: (d) => fs.statSync(d, { throwIfNoEntry: false })?.isDirectory() ?? false });
      recognised.add(file);
      result.files++;
      result.checked.push({ file, kind: 'scenario', ...(a.parsed.scenario ? { message: a.parsed.scenario.name } : {}) });
      report(result.diagnostics, file, text, [...a.diagnostics].sort((x, y) => x.start - y.start));
      continue;
    }
    const analysis = analyzeText(text, { fileName: input.hint }, input.stdin ? stdinEnv : fileEnv);
    if (!analysis.recognised) continue;
    recognised.add(file);
    result.files++;
    const messages = analysis.regions.map((r) => (r.type === 'delegation' ? r.analysis.message?.name : r.type === 'package' ? PACKAGES[r.kind].name : 'Package#0')).filter((m): m is string => !!m);
    const kind = analysis.regions.some((r) => r.type === 'package' && r.tree) ? 'sample DM tree' : KIND_LABEL[analysis.kind];
    result.checked.push({ file, kind, ...(messages.length ? { message: messages.join(', ') } : {}) });
    const diagnostics = [...analysis.diagnostics];
    const more = [...(input.stdin ? [] : (loaderFindings.get(file) ?? []))];
    for (const d of more) if (!diagnostics.some((x) => x.code === d.code && x.start === d.start && x.end === d.end)) diagnostics.push(d);
    diagnostics.sort((a, b) => a.start - b.start || a.end - b.end);
    report(result.diagnostics, file, text, diagnostics);
  }
  const realOf = new Map(files.map((f) => [f.real, f.file]));
  for (const p of paths) {
    const reals = under.get(p) ?? [];
    // A path that could not be read is reported as unreadable, not as empty.
    if (unreadable.some((u) => u.path === p)) continue;
    if (!reals.some((r) => recognised.has(realOf.get(r)!))) result.empty.push(p);
  }
  if (options.stdin && !recognised.has(STDIN_NAME)) result.empty.push('-');
  return result;
}

/** The diagnostics of `file` as the contract has them, lines and columns from 1 (a file without any is not indexed). */
function report(out: FileDiagnostic[], file: string, text: string, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  const lines = new LineIndex(text);
  for (const d of diagnostics) {
    const s = lines.positionAt(d.start);
    const e = lines.positionAt(d.end);
    out.push(contract(file, { line: s.line + 1, column: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 }, d));
  }
}

function contract(file: string, at: { line: number; column: number; endLine: number; endColumn: number }, d: { severity: Severity; code: string; message: string }): FileDiagnostic {
  return { file, ...at, severity: d.severity, code: d.code, message: d.message, source: SOURCE };
}

/**
 * Text taken from the files (names, element names, values quoted in messages) reaches the terminal
 * with its control characters shown as escapes: never as raw bytes a terminal would act on.
 */
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function printable(s: string): string {
  return s.replace(/[\t\n\r]/g, ' ').replace(UNPRINTABLE, escape);
}

/** JSON escapes C0 controls itself; C1 controls and bidirectional overrides get the same \u escapes. */
export function printableJson(json: string): string {
  return json.replace(UNPRINTABLE, escape);
}
