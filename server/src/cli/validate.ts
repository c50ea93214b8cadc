/** `omadm validate`: files and folders in, contract diagnostics out (1-based lines and columns). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../core/analyze.js';
import { LineIndex } from '../core/text/lineIndex.js';
import { SOURCE, type Severity } from '../core/diagnostic.js';
import { PACKAGES } from '../core/dm20/packages.js';
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
}

const SKIP_DIRS = new Set(['node_modules']);

function walk(p: string, out: string[], unreadable: ValidateResult['unreadable'], top: boolean): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch (e) {
    unreadable.push({ path: p, reason: (e as NodeJS.ErrnoException).code ?? String(e) });
    return;
  }
  if (st.isSymbolicLink() && top) {
    try {
      st = fs.statSync(p);
    } catch (e) {
      unreadable.push({ path: p, reason: (e as NodeJS.ErrnoException).code ?? String(e) });
      return;
    }
  }
  if (st.isDirectory()) {
    let names: string[];
    try {
      names = fs.readdirSync(p).sort();
    } catch (e) {
      unreadable.push({ path: p, reason: (e as NodeJS.ErrnoException).code ?? String(e) });
      return;
    }
    for (const n of names) {
      if (n.startsWith('.') || SKIP_DIRS.has(n)) continue;
      walk(path.join(p, n), out, unreadable, false);
    }
  } else if (st.isFile()) {
    out.push(p);
  }
}

/** Names worth opening: the file kinds of DESIGN.md this version validates. */
const CANDIDATE = /\.(xml|dmhttp|http|json|pkg0|hex|ddf)$/i;

/** The core does no I/O; a Package#3 beside its Package#2 is read from disk here. */
function readSibling(fileName: string): string | undefined {
  try {
    return fs.readFileSync(fileName, 'utf8');
  } catch {
    return undefined;
  }
}

export function validatePaths(paths: string[]): ValidateResult {
  const files: string[] = [];
  const unreadable: ValidateResult['unreadable'] = [];
  for (const p of paths) walk(p, files, unreadable, true);
  const result: ValidateResult = { diagnostics: [], files: 0, checked: [], unreadable };
  // Sample trees are checked against the standard DDFs and the DDFs among the paths; the sample
  // trees among the paths are the device the packages' ClientURIs are resolved against.
  const ddfs = loadDdfs(files.filter((f) => /\.ddf$/i.test(f)));
  const treeFiles = files.filter((f) => /\.dmtree\.json$/i.test(f)).map((file) => ({ file, text: readSibling(file) ?? '' }));
  const trees: TreeContext | undefined = treeFiles.length
    ? { tree: loadTrees(treeFiles).tree, label: treeFiles.length === 1 ? path.basename(treeFiles[0]!.file) : `${treeFiles.length} sample trees`, ddfs }
    : undefined;
  // A file named explicitly is checked whatever its name.
  const explicit = new Set(paths);
  for (const file of files) {
    if (!CANDIDATE.test(file) && !explicit.has(file)) continue;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      unreadable.push({ path: file, reason: (e as NodeJS.ErrnoException).code ?? String(e) });
      continue;
    }
    const analysis = analyzeText(text, { fileName: file }, { readSibling, ddfs, ...(trees ? { trees } : {}) });
    if (!analysis.recognised) continue;
    result.files++;
    const messages = analysis.regions.map((r) => (r.type === 'delegation' ? r.analysis.message?.name : r.type === 'package' ? PACKAGES[r.kind].name : 'Package#0')).filter((m): m is string => !!m);
    const kind = { http: 'HTTP exchange', delegation: 'delegation message', package: analysis.regions.some((r) => r.type === 'package' && r.tree) ? 'sample DM tree' : 'DM 2.0 package', notification: 'DM Notification', ddf: 'DDF', unknown: '' }[analysis.kind];
    result.checked.push({ file, kind, ...(messages.length ? { message: messages.join(', ') } : {}) });
    const lines = new LineIndex(text);
    for (const d of analysis.diagnostics) {
      const s = lines.positionAt(d.start);
      const e = lines.positionAt(d.end);
      result.diagnostics.push({
        file,
        line: s.line + 1,
        column: s.character + 1,
        endLine: e.line + 1,
        endColumn: e.character + 1,
        severity: d.severity,
        code: d.code,
        message: d.message,
        source: SOURCE,
      });
    }
  }
  return result;
}
