/** `omadm resolve`: what a ClientURI addresses in sample trees, or the status a DM Client returns (DESIGN.md). */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { globSync } from 'tinyglobby';
import { loadTrees } from '../core/tree/load.js';
import { resolveClientUri } from '../core/tree/resolve.js';
import { COMMANDS, type CommandName } from '../core/dm20/commands.js';
import { statusText } from '../core/dm20/statusCodes.js';
import { JsonDocument, isObject, own } from '../core/json/document.js';
import { LineIndex } from '../core/text/lineIndex.js';
import { parseDdf } from '../core/tree/ddf.js';
import type { Io } from './omadm.js';
import { loadDdfs } from '../host/ddfs.js';
import { binaryReason, printable, readBounded, ReadError } from './validate.js';

export const RESOLVE_HELP = `Usage: omadm resolve [--json] --tree FILE... [--server-id ID] [--command CMD] CLIENTURI

Resolves a ClientURI against sample DM trees (*.dmtree.json: MO serialization, the top key of
MOData is the MIID) as a DM Client does (DM 2.0 6.1.2): the nodes it addresses, or the status
code the client returns (400 malformed, 404 nothing found or ambiguous, 304 cache validator
matches). With --server-id, access rights from the tree's DACMO are checked for the command
(DM 2.0 10, 12.3): 403 where the server lacks them.

Options:
  --tree FILE       a sample tree; repeat it, globs allowed ("trees/**/*.dmtree.json"); an MO
                    instance defined in two files is reported on standard error (the later is used)
  --ddf FILE        a DDF besides the standard ones shipped (DevInfo, DMAcc, DACMO, SessionInfo);
                    repeat it: DELETE of a permanent node and EXEC of a non-executable one answer 405
  --server-id ID    the server identity for access prediction (as in the DACMO's MAID)
  --command CMD     the command (default GET): ${COMMANDS.map((c) => c.name).join(', ')}
  --json            {"status": <code>, "nodes": ["<MOID>/<MIID>/<path>", ...]}
  -h, --help

Exit status: 0 resolved, 1 not resolvable or refused, 2 usage error, or a tree or DDF that cannot
be read or is not valid (not a regular file, not MO data, a DDF with errors).
`;

export function resolveCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, tree: { type: 'string', multiple: true }, ddf: { type: 'string', multiple: true }, 'server-id': { type: 'string' }, command: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.out(RESOLVE_HELP);
    return 0;
  }
  const usage = (m: string): number => {
    io.err(`omadm resolve: ${m}\nRun 'omadm resolve --help'.\n`);
    return 2;
  };
  if (positionals.length !== 1) return usage('give one ClientURI');
  if (!values.tree?.length) return usage('give at least one --tree');
  const cmd = (values.command ?? 'GET').toUpperCase();
  if (!COMMANDS.some((c) => c.name === cmd)) return usage(`--command '${values.command}' is not a DM command`);
  const files: string[] = [];
  for (const t of values.tree) {
    const found = /[*?[{]/.test(t) ? globSync([t], { absolute: false }).sort() : [t];
    if (found.length === 0) return usage(`--tree '${t}' matches no file`);
    for (const f of found) files.push(f);
  }
  const fail = (m: string): number => {
    io.err(`omadm resolve: ${printable(m)}\n`);
    return 2;
  };
  const texts: { file: string; text: string }[] = [];
  // A file named twice (a glob and its own name) is one file: read once, so it defines nothing twice.
  const seen = new Set<string>();
  for (const file of files) {
    const real = realPath(file);
    if (seen.has(real)) continue;
    seen.add(real);
    const read = readDocument(file);
    if ('error' in read) return fail(`cannot read tree ${file}: ${read.error}`);
    const problem = notATree(read.text);
    if (problem) return fail(`${file} is not a DM tree: ${problem}`);
    texts.push({ file, text: read.text });
  }
  const { tree, diagnostics } = loadTrees(texts);
  // The same MO instance in two files: the later one is used, and the user is told so.
  for (const { file, diagnostic } of diagnostics) {
    if (diagnostic.code !== 'tree.duplicate-instance') continue;
    const p = new LineIndex(texts.find((t) => t.file === file)!.text).positionAt(diagnostic.start);
    io.err(`omadm resolve: ${printable(`${file}:${p.line + 1}:${p.character + 1}: warning ${diagnostic.code}: ${diagnostic.message}`)}\n`);
  }
  const ddfs = loadDdfs([]);
  for (const file of values.ddf ?? []) {
    const read = readDocument(file);
    if ('error' in read) return fail(`cannot read DDF ${file}: ${read.error}`);
    const parsed = parseDdf(read.text, file);
    const error = parsed.diagnostics.find((d) => d.severity === 'error');
    if (error) {
      const p = new LineIndex(read.text).positionAt(error.start);
      return fail(`${file} is not a valid DDF: ${p.line + 1}:${p.character + 1}: ${error.message}`);
    }
    if (!parsed.ddfs.length) return fail(`${file} describes no MO: its MO root names no MOID in <DFType><DDFName> (DM 2.0 6.4)`);
    for (const d of parsed.ddfs) ddfs.set(d.moid, d);
  }
  const r = resolveClientUri(tree, positionals[0]!, { command: cmd as CommandName, ddfs, ...(values['server-id'] !== undefined ? { serverId: values['server-id'] } : {}) });
  const nodes = r.status === 200 ? r.nodes.map((n) => n.clientUri()) : [];
  if (values.json) io.out(JSON.stringify({ status: r.status, nodes }, null, 2) + '\n');
  else {
    io.out(`${statusText(r.status)}: ${r.reason}\n`);
    for (const n of r.status === 200 ? r.nodes : []) io.out(`  ${n.clientUri()}${n.interior ? '' : ` = ${JSON.stringify(n.value)}`}\n`);
  }
  return r.status === 200 ? 0 : 1;
}

/** A file's text, read bounded; a file that is no regular file or holds binary data is an error. */
function readDocument(file: string): { text: string } | { error: string } {
  let buf: Buffer;
  try {
    buf = readBounded(file);
  } catch (e) {
    return { error: e instanceof ReadError ? e.message : ((e as NodeJS.ErrnoException).code ?? String(e)) };
  }
  const binary = binaryReason(buf);
  return binary ? { error: `a binary file (${binary})` } : { text: buf.toString('utf8') };
}

/** Why a text is no sample tree (MO data, DM 2.0 7.2.1.4: an array of {ClientURI, MOData}), or undefined. */
function notATree(text: string): string | undefined {
  const doc = new JsonDocument(text);
  if (!doc.valid) {
    const e = doc.errors[0];
    const at = e ? new LineIndex(text).positionAt(e.start) : undefined;
    return `not JSON${e && at ? ` (${at.line + 1}:${at.character + 1}: ${e.message})` : ''}`;
  }
  if (!Array.isArray(doc.value)) return 'MO data is a JSON array of {ClientURI, MOData} (DM 2.0 7.2.1.4)';
  const bad = doc.value.findIndex((it) => !isObject(it) || typeof own(it, 'ClientURI') !== 'string' || !isObject(own(it, 'MOData')));
  return bad < 0 ? undefined : `item ${bad + 1} is not {ClientURI, MOData} (DM 2.0 7.2.1.4)`;
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}
