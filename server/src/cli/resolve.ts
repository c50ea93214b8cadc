/** `omadm resolve`: what a ClientURI addresses in sample trees, or the status a DM Client returns (DESIGN.md). */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { globSync } from 'tinyglobby';
import { loadTrees } from '../core/tree/load.js';
import { resolveClientUri } from '../core/tree/resolve.js';
import { COMMANDS, type CommandName } from '../core/dm20/commands.js';
import { statusText } from '../core/dm20/statusCodes.js';
import type { Io } from './omadm.js';
import { loadDdfs } from '../host/ddfs.js';

export const RESOLVE_HELP = `Usage: omadm resolve [--json] --tree FILE... [--server-id ID] [--command CMD] CLIENTURI

Resolves a ClientURI against sample DM trees (*.dmtree.json: MO serialization, the top key of
MOData is the MIID) as a DM Client does (DM 2.0 6.1.2): the nodes it addresses, or the status
code the client returns (400 malformed, 404 nothing found or ambiguous, 304 cache validator
matches). With --server-id, access rights from the tree's DACMO are checked for the command
(DM 2.0 10, 12.3): 403 where the server lacks them.

Options:
  --tree FILE       a sample tree; repeat it, globs allowed ("trees/**/*.dmtree.json")
  --ddf FILE        a DDF besides the standard ones shipped (DevInfo, DMAcc, DACMO, SessionInfo):
                    DELETE of a permanent node and EXEC of a non-executable one answer 405
  --server-id ID    the server identity for access prediction (as in the DACMO's MAID)
  --command CMD     the command (default GET): ${COMMANDS.map((c) => c.name).join(', ')}
  --json            {"status": <code>, "nodes": ["<MOID>/<MIID>/<path>", ...]}
  -h, --help

Exit status: 0 resolved, 1 not resolvable or refused, 2 usage error or unreadable tree.
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
    files.push(...found);
  }
  const texts: { file: string; text: string }[] = [];
  for (const file of files) {
    try {
      texts.push({ file, text: fs.readFileSync(file, 'utf8') });
    } catch (e) {
      io.err(`omadm resolve: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}\n`);
      return 2;
    }
  }
  const { tree } = loadTrees(texts);
  const ddfs = loadDdfs(values.ddf ?? []);
  const r = resolveClientUri(tree, positionals[0]!, { command: cmd as CommandName, ddfs, ...(values['server-id'] !== undefined ? { serverId: values['server-id'] } : {}) });
  const nodes = r.status === 200 ? r.nodes.map((n) => n.clientUri()) : [];
  if (values.json) io.out(JSON.stringify({ status: r.status, nodes }, null, 2) + '\n');
  else {
    io.out(`${statusText(r.status)}: ${r.reason}\n`);
    for (const n of r.status === 200 ? r.nodes : []) io.out(`  ${n.clientUri()}${n.interior ? '' : ` = ${JSON.stringify(n.value)}`}\n`);
  }
  return r.status === 200 ? 0 : 1;
}
