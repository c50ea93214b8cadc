/**
 * The rules the schemas of 7.2.1 cannot say, per package kind: Package#2 commands and their
 * parameters (5.3), Package#3 statuses (Appendix C, Appendix F), Package#1 MOS (5.2.2), MO
 * serialization (7.2.1.4). Each cites its section.
 */
import { isObject, own, type JsonPath } from '../json/document.js';
import { COMMANDS, command as commandInfo, signature, type Command, type CommandName, type ParamFormat } from './commands.js';
import { STATUS_CODES, isApplicationSpecific, statusCode, statusText } from './statusCodes.js';
import { looksLikeClientUri } from './clientUri.js';
import { type LazyPath, type Reporter, checkAlerts, checkClientUri, checkDdf, checkMoid, checkServerUriAt, plainClientUri } from './report.js';

/** Which parameters a command of a Package#2 was given: the statuses that answer it depend on them (5.3.1, 5.4.1). */
export interface CommandUse {
  name: CommandName;
  clientUri: boolean;
  serverUri: boolean;
}

/**
 * The parameters behind each command list `checkCommands` returned. The list is what callers pass
 * on to the Package#3 beside it or after it (`StatusContext.commands`), so the status rules that
 * depend on the parameters apply wherever the list goes, without every caller carrying them.
 */
const USES = new WeakMap<readonly CommandName[], CommandUse[]>();

function usesOf(ctx: StatusContext): readonly CommandUse[] | undefined {
  return ctx.uses ?? (ctx.commands ? USES.get(ctx.commands) : undefined);
}

/** Package#2 `CMD` (5.2.3, 5.3, 7.2.1.2). Returns the command names in order. */
export function checkCommands(r: Reporter, cmds: unknown): CommandName[] {
  const names: CommandName[] = [];
  const uses: CommandUse[] = [];
  USES.set(names, uses);
  if (!Array.isArray(cmds)) return names;
  let endAt = -1;
  for (let i = 0; i < cmds.length; i++) {
    const entry: unknown = cmds[i];
    if (!Array.isArray(entry) || entry.length === 0) {
      if (Array.isArray(entry)) r.at(['CMD', i], 'error', 'dm.command-empty', 'A CMD entry is [COMMAND, parameters...]; this one is empty (DM 2.0 7.2.1.2).');
      continue;
    }
    const name: unknown = entry[0];
    if (typeof name !== 'string') continue;
    const info = commandInfo(name);
    if (!info) {
      const upper = commandInfo(name.toUpperCase());
      r.at(['CMD', i, 0], 'error', 'dm.command-unknown',
        upper ? `'${name}' is written ${upper.name}: DM command names are upper case (DM 2.0 5.3).` : `'${name}' is not a DM command; DM 2.0 5.3 defines ${COMMANDS.map((c) => c.name).join(', ')}.`,
        upper ? [r.replace(['CMD', i, 0], JSON.stringify(upper.name), `Change to ${upper.name}`)] : undefined);
      continue;
    }
    names.push(info.name);
    if (endAt >= 0) {
      // No sentence forbids it (5.3.9: the DM Client processes all the commands of the package),
      // but no status of it ever comes back: a warning, not an error.
      r.at(['CMD', i, 0], 'warning', 'dm.command-after-end', `${info.name} comes after END: the DM Client still processes it, but returns no status for it, as END ends the DM Session (DM 2.0 5.3.9).`);
    }
    if (info.name === 'END' && endAt < 0) endAt = i;
    const use: CommandUse = { name: info.name, clientUri: false, serverUri: false };
    uses.push(use);
    checkParameters(r, i, info, entry.slice(1), use);
  }
  return names;
}

/** Assigns the parameters to the command's table in order and checks each by its format; notes which were given in `use`. */
function checkParameters(r: Reporter, i: number, info: Command, args: unknown[], use: CommandUse): void {
  const sig = `${info.name} takes ${signature(info)} (DM 2.0 ${info.section})`;
  let k = 0;
  for (const p of info.params) {
    const max = p.occurrence === 'OneOrMore' ? Infinity : 1;
    const min = p.occurrence === 'ZeroOrOne' ? 0 : 1;
    let n = 0;
    while (n < max && k < args.length && (n < min || looksLike(args[k], p.name))) {
      if (p.name === 'ClientURI') use.clientUri = true;
      if (p.name === 'ServerURI') use.serverUri = true;
      const at = k + 1;
      if (!checkArgument(r, () => ['CMD', i, at], args[k], p.name, info.name)) return;
      k++;
      n++;
    }
    if (n < min) {
      r.at(['CMD', i, 0], 'error', 'dm.command-params', `${info.name} is missing its ${p.name}: ${sig}.`);
      return;
    }
  }
  for (; k < args.length; k++) {
    const v = args[k];
    const hint = typeof v === 'string' && looksLike(v, 'ClientURI') && !info.params.some((x) => x.name === 'ClientURI') ? ' This looks like a ClientURI, which it does not take.' : '';
    r.at(['CMD', i, k + 1], 'error', 'dm.command-params', `Unexpected parameter: ${sig}.${hint}`);
  }
}

/** Whether an optional parameter in this position is of the expected kind (so it is taken). */
function looksLike(v: unknown, format: ParamFormat): boolean {
  if (typeof v !== 'string') return true;
  const clientUri = looksLikeClientUri(v);
  if (format === 'ClientURI') return clientUri;
  if (format === 'ServerURI') return !clientUri;
  return true;
}

/** Checks one parameter by its format; false when the parameters look out of order (the rest would only repeat it). */
function checkArgument(r: Reporter, path: LazyPath, v: unknown, format: ParamFormat, cmd: CommandName): boolean {
  if (typeof v !== 'string') return true;
  if (format === 'ClientURI') checkClientUri(r, path, v, cmd);
  else if (format === 'ServerURI') {
    if (looksLike(v, 'ClientURI')) {
      r.at(typeof path === 'function' ? path() : path, 'error', 'dm.command-params', `${cmd} expects a ServerURI here (DM 2.0 6.2); this looks like a ClientURI: the parameters may be in the wrong order (DM 2.0 ${commandInfo(cmd)!.section}).`);
      return false;
    }
    checkServerUriAt(r, path, v);
  } else checkMoid(r, path, v);
  return true;
}

export interface StatusContext {
  /** The commands of the Package#2 this Package#3 answers, when it is known. */
  commands?: CommandName[];
  /** Where those commands come from, for messages. */
  commandsFrom?: string;
  /** The parameters each command was given; by default those `checkCommands` noted for `commands`. */
  uses?: readonly CommandUse[];
  /** The package flow is judged by the caller (a `.dmhttp` file runs it through its session state machine). */
  flowJudged?: boolean;
}

/**
 * Package#3 `Status` (5.2.4, 7.2.1.3, Appendix C). The schema form `{"sc": n, "URI": [...]}` is
 * correct; the bare numbers and `[200, "urn:..."]` of Appendix F and I.1/I.2 are reported with a
 * fix to the schema form. Returns the status codes in order.
 */
export function checkStatuses(r: Reporter, statuses: unknown, ctx: StatusContext): number[] {
  if (!Array.isArray(statuses)) return [];
  if (!ctx.flowJudged && ctx.commands?.includes('END')) {
    r.at(['Status'], 'error', 'dm.package3-after-end', `${ctx.commandsFrom ?? 'The Package#2 it answers'} ends the session with END: a Package#3 MUST NOT be sent after it (DM 2.0 5.2.4, 5.3.9).`, undefined, 'key');
  }
  // Each code, the item it came from, and how many URIs it returns (the example form's URI strings
  // belong to the code before them). Parallel arrays of numbers: a large Package#3 has hundreds of
  // thousands of statuses, and a path is made only for the few reported.
  const codes: number[] = [];
  const items: number[] = [];
  const uriCounts: number[] = [];
  const exampleForm = statuses.some((s) => typeof s === 'number' || typeof s === 'string');
  if (exampleForm) {
    const converted = toSchemaForm(statuses);
    r.at(['Status'], 'error', 'dm.status-form',
      'Status items are objects {"sc": <code>, "URI": [...]} (DM 2.0 7.2.1.3 schema); bare numbers and a URI string after its code are the form of the examples in Appendix F and I, which contradicts the schema.',
      converted ? [r.replace(['Status'], formatStatuses(converted, r), 'Convert to the schema form {"sc": ...}')] : undefined, 'key');
  }
  for (let i = 0; i < statuses.length; i++) {
    const s: unknown = statuses[i];
    if (typeof s === 'string') {
      if (uriCounts.length) uriCounts[uriCounts.length - 1]!++;
      continue;
    }
    const object = isObject(s);
    const sc = typeof s === 'number' ? s : object ? own(s, 'sc') : undefined;
    if (typeof sc !== 'number') continue;
    const uris = object ? own(s, 'URI') : undefined;
    let count = 0;
    if (Array.isArray(uris)) for (const u of uris) if (typeof u === 'string' && u !== '') count++;
    codes.push(sc);
    items.push(i);
    uriCounts.push(count);
    if (!statusCode(sc) && !isApplicationSpecific(sc)) {
      r.at(statusPath(statuses, i), 'error', 'dm.status-code', `${sc} is not a status code of DM 2.0 Appendix C (${STATUS_CODES.map((c) => c.code).join(', ')}) nor application specific (1000-1999).`);
    }
    if (Array.isArray(uris)) {
      for (let j = 0; j < uris.length; j++) {
        const u: unknown = uris[j];
        if (typeof u === 'string' && !plainClientUri(u)) checkClientUri(r, ['Status', i, 'URI', j], u);
      }
    }
  }
  const cmds = ctx.commands?.filter((c) => c !== 'END');
  if (cmds) {
    if (cmds.length !== codes.length && !exampleForm) {
      r.at(['Status'], 'error', 'dm.status-count', `${codes.length} status${codes.length === 1 ? '' : 'es'} for the ${cmds.length} command${cmds.length === 1 ? '' : 's'} of ${ctx.commandsFrom ?? 'the Package#2'} (END excluded): Package#3 has one status per command, in order (DM 2.0 5.2.4, 7.2.1.3).`, undefined, 'key');
    }
    const uses = usesOf(ctx)?.filter((u) => u.name !== 'END');
    const from = ctx.commandsFrom ?? 'the Package#2';
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      const cmd = cmds[i];
      const info = statusCode(code);
      if (cmd && info?.commands && !info.commands.includes(cmd)) {
        r.at(statusPath(statuses, items[i]!), 'error', 'dm.status-command', `${statusText(code)} does not apply to ${cmd} (command ${i + 1} of ${from}); it applies to ${info.commands.join(', ')} (DM 2.0 Appendix C).`);
      }
      const use = uses?.[i];
      if (!use || use.name !== cmd) continue;
      if (cmd === 'HGET' && !use.clientUri && code === 200 && uriCounts[i] === 0) {
        r.at(statusPath(statuses, items[i]!), 'error', 'dm.status-uri', `The HGET (command ${i + 1} of ${from}) names no ClientURI, so the DM Client chose where to store the data, and "this location MUST be returned with the status codes": add the ClientURI(s) in URI, e.g. {"sc": 200, "URI": ["urn:oma:mo:..."]} (DM 2.0 5.3.1, 7.2.1.3).`);
      }
      if (cmd === 'EXEC' && use.serverUri && code >= 200 && code < 300 && code !== 202) {
        const path = statusPath(statuses, items[i]!);
        r.at(path, 'error', 'dm.status-async', `The EXEC (command ${i + 1} of ${from}) names a ServerURI, so the DM Client MUST report asynchronously and answer "202 Accepted" here; the final status follows in a Generic Alert (DM 2.0 5.3.5, 5.4.1).`, [r.replace(path, '202', 'Change to 202')]);
      }
    }
  }
  return codes;
}

/** Where status `i` writes its code: the number itself, or the "sc" of its object. */
function statusPath(statuses: unknown[], i: number): JsonPath {
  return typeof statuses[i] === 'number' ? ['Status', i] : ['Status', i, 'sc'];
}

/** The example forms as schema objects: a URI string belongs to the status before it. */
function toSchemaForm(statuses: unknown[]): { sc: number; URI?: string[] }[] | undefined {
  const out: { sc: number; URI?: string[] }[] = [];
  for (const s of statuses) {
    if (typeof s === 'number') out.push({ sc: s });
    else if (typeof s === 'string') {
      const last = out[out.length - 1];
      if (!last) return undefined;
      (last.URI ??= []).push(s);
    } else if (isObject(s) && typeof own(s, 'sc') === 'number') {
      const uri = own(s, 'URI');
      out.push(Array.isArray(uri) ? { sc: own(s, 'sc') as number, URI: uri.filter((u): u is string => typeof u === 'string') } : { sc: own(s, 'sc') as number });
    } else return undefined;
  }
  return out;
}

function formatStatuses(items: { sc: number; URI?: string[] }[], r: Reporter): string {
  const keyRange = r.doc.range(['Status'], 'key');
  const lineStart = r.doc.text.lastIndexOf('\n', keyRange.start - 1) + 1;
  const indent = /^[ \t]*/.exec(r.doc.text.slice(lineStart))![0];
  const inner = indent + (indent.includes('\t') ? '\t' : ' ');
  return `[\n${items.map((s) => inner + JSON.stringify(s).replace(/^\{"sc":/, '{"sc": ').replace(/,"URI":/, ', "URI": ')).join(',\n')}\n${indent}]`;
}

/** Package#1 `MOS` (5.2.2): each item has the DDF link, the MOID and the MIID array. */
export function checkMos(r: Reporter, mos: unknown): void {
  if (!Array.isArray(mos)) return;
  mos.forEach((m, i) => {
    if (!isObject(m)) return;
    for (const key of ['DDF', 'MOID']) {
      if (own(m, key) === undefined) r.at(['MOS', i], 'error', 'dm.mos-item', `Each MOS item MUST contain the ${key === 'DDF' ? 'link to the DDF file' : 'MOID of the MO'} (${key}) (DM 2.0 5.2.2).`);
    }
    checkDdf(r, ['MOS', i, 'DDF'], own(m, 'DDF'));
    const moid = own(m, 'MOID');
    if (typeof moid === 'string') checkMoid(r, ['MOS', i, 'MOID'], moid);
  });
}

/** MO serialization (7.2.1.4): [{DDF?, ClientURI, CV?, MOData}]; MOData keys are data, whatever they are called. */
export function checkMoData(r: Reporter, value: unknown): void {
  // The examples' single item without its array (reported as dm.mo-array) is checked all the same.
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) checkMoItem(r, value[i], i);
  else checkMoItem(r, value, undefined);
}

/** One item of MO data, at index `i` of the array (undefined: the item is the whole document). */
function checkMoItem(r: Reporter, it: unknown, i: number | undefined): void {
  if (!isObject(it)) return;
  const at = (key: string): JsonPath => (i === undefined ? [key] : [i, key]);
  checkDdf(r, () => at('DDF'), own(it, 'DDF'));
  const uri = own(it, 'ClientURI');
  if (typeof uri === 'string' && !plainClientUri(uri)) checkClientUri(r, at('ClientURI'), uri);
  const cv = own(it, 'CV');
  if (cv === '') r.at(at('CV'), 'warning', 'dm.cache-validator', 'CV, the cache validator of the MO data, is empty (DM 2.0 7.2.1.4, 11.1).');
}

export { checkAlerts };
