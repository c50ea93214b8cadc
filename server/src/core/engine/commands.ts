/**
 * The DM Client executing the commands of a Package#2 on its DM tree (DM 2.0 5.3), one at a time
 * and in order. ClientURIs resolve through the same resolver the editor predicts with (6.1.2,
 * access rights 10 and 12.3, the DDF's 405, the cache validator of 11), so what the editor
 * predicts is what the emulated device answers. HTTP to the Data Repository and the Web Browser
 * Component goes through the HTTP port.
 */
import { command as commandInfo, type CommandName } from '../dm20/commands.js';
import { checkServerUri } from '../dm20/serverUri.js';
import { parseClientUri } from '../dm20/clientUri.js';
import { MOID_PATTERN } from '../dm20/moids.js';
import type { CommandStatus, DmCommand } from '../dm20/model.js';
import type { DataPart } from '../dm20/appendixF.js';
import { resolveIn } from '../tree/resolve.js';
import { DACMO_MOID } from '../tree/access.js';
import type { TreeNode } from '../tree/model.js';
import { serializeNode } from '../tree/load.js';
import { acceptsMediaType, mediaRanges } from '../http/message.js';
import { type DeviceContext, fetchInto, sendData } from './transfer.js';
import { pushAll } from '../diagnostic.js';

/** The formats the emulated DM Client writes MO data in (7.2.1.4, Appendix F), preferred first. */
export const CLIENT_FORMATS = ['application/dmmo+json', 'text/plain', 'application/json'] as const;

export interface CommandResult {
  /** Undefined for END, which gets no status (5.3.9). */
  status?: CommandStatus;
  /** GET data for the multipart Package#3 (Appendix F). */
  data?: Omit<DataPart, 'name'>;
  /** What happened, for the trace. */
  note: string;
}

const status = (sc: number, note: string, URI?: string[]): CommandResult => ({ status: URI ? { sc, URI } : { sc }, note });

/** Parameters by the command's table (5.3): a command that does not fit it is a 400 (Appendix C). */
function paramsFit(c: DmCommand): string | undefined {
  const info = commandInfo(c.name)!;
  let k = 0;
  for (const p of info.params) {
    const max = p.occurrence === 'OneOrMore' ? Infinity : 1;
    const min = p.occurrence === 'ZeroOrOne' ? 0 : 1;
    let n = 0;
    while (n < max && k < c.params.length) {
      const v = c.params[k]!;
      const bad = p.name === 'ServerURI' ? checkServerUri(v)[0]?.message : p.name === 'MOID' ? (MOID_PATTERN.test(v) ? undefined : `'${v}' is not an MOID`) : undefined;
      if (bad) return bad;
      if (p.name === 'ClientURI' && parseClientUri(v).problems.some((x) => x.severity === 'error')) return `'${v}' is not a ClientURI (DM 2.0 6.1.1)`;
      k++;
      n++;
    }
    if (n < min) return `${c.name} needs its ${p.name} (DM 2.0 ${info.section})`;
  }
  return k < c.params.length ? `${c.name} takes ${info.params.length} parameters at most (DM 2.0 ${info.section})` : undefined;
}

export async function executeCommand(ctx: DeviceContext, c: DmCommand): Promise<CommandResult> {
  if (!commandInfo(c.name)) return status(501, `${String(c.name)} is not a DM command the DM Client knows (Appendix C 501)`);
  const unfit = paramsFit(c);
  if (unfit) return status(400, unfit);
  const p = c.params;
  switch (c.name) {
    case 'HGET':
      return hget(ctx, p[0]!, p[1]);
    case 'HPUT':
    case 'HPOST':
      return hputPost(ctx, c.name, p[0]!, p.slice(1));
    case 'DELETE': {
      const r = resolve(ctx, p[0]!, 'DELETE');
      if (r.status !== 200) return status(r.status, r.reason);
      for (const n of r.nodes) {
        ctx.tree.delete(n);
        // A deleted MO instance takes its permissions along: a later instance with its MIID must not inherit them (DM 2.0 10, 12.3).
        if (n.parent) continue;
        for (const d of ctx.tree.instances(DACMO_MOID)) {
          const entry = d.root.child(n.instance.moid)?.child(n.instance.miid);
          if (entry) ctx.tree.delete(entry);
        }
      }
      return status(200, `deleted ${r.nodes.map((n) => n.clientUri()).join(', ')}`);
    }
    case 'EXEC': {
      const r = resolve(ctx, p[0]!, 'EXEC');
      if (r.status !== 200) return status(r.status, r.reason);
      const target = r.nodes.map((n) => n.clientUri()).join(', ');
      if (p[1] !== undefined) {
        // With a ServerURI the asynchronous reporting MUST be used: 202 now, the result later in a Generic Alert (5.4.1).
        ctx.device.pendingExecs.push({ clientUri: p[0]!, serverUri: ctx.substitute(p[1]), sc: 200 });
        return status(202, `executing ${target}; the result goes to ${p[1]} in a new DM Session (5.4.1)`);
      }
      return status(200, `executed ${target}`);
    }
    case 'GET':
      return get(ctx, p[0]!);
    case 'SHOW':
      // The Web Browser Component loads the page; the DM Client goes on at once (5.3.7).
      ctx.show(ctx.substitute(p[0]!));
      return status(200, `Web Browser Component opened ${p[0]}`);
    case 'CONT':
      ctx.session.cont(ctx.substitute(p[0]!));
      return status(200, `later Package#3s go to ${ctx.session.target} (5.3.8)`);
    case 'END':
      return { note: 'END: the remaining commands run, no Package#3 (5.3.9)' };
    case 'DEFAULT':
      ctx.device.defaults.set(p[1]!, p[0]!);
      return status(200, `DEFAULT for ${p[1]} is ${p[0]} (one ServerURI per MOID, 5.3.10)`);
    case 'SUB': {
      const r = resolve(ctx, p[1]!, 'SUB');
      if (r.status !== 200) return status(r.status, r.reason);
      ctx.device.subscriptions.set(p[1]!, { serverUri: p[0]!, serverId: ctx.serverId });
      return status(200, `changes under ${p[1]} go to ${p[0]} with HTTP PUT (5.3.11)`);
    }
    case 'UNSUB':
      if (!ctx.device.subscriptions.delete(p[0]!)) return status(404, `${p[0]} was not used in a previous SUB (5.3.12)`);
      return status(200, `unsubscribed ${p[0]}`);
  }
}

/** Resolution exactly as the editor predicts it (one code path). */
export function resolve(ctx: DeviceContext, uri: string, command: CommandName) {
  return resolveIn(ctx, uri, command);
}

/** GET: the data goes in the multipart Package#3 (Appendix F): one leaf as its value, else MO data (7.2.1.4). */
function get(ctx: DeviceContext, uri: string): CommandResult {
  const r = resolve(ctx, uri, 'GET');
  if (r.status !== 200) return status(r.status, r.reason);
  // "204 No Content ... also for GET when the target has no content" (Appendix C): interior nodes without children.
  if (r.nodes.every((n) => n.interior && n.children!.size === 0)) return status(204, 'the target has no content (Appendix C 204)');
  return { status: { sc: 200 }, data: serializeNodes(r.nodes, r.level, naturalFormat(r.nodes)), note: `${r.nodes.length} node${r.nodes.length === 1 ? '' : 's'}` };
}

/** The data at nodes in a format: a single leaf may go as its value (Appendix F, I.1), anything as MO data (7.2.1.4). */
export function serializeNodes(nodes: readonly TreeNode[], level: number | undefined, type: string): Omit<DataPart, 'name'> {
  if (type === 'text/plain' && nodes.length === 1 && !nodes[0]!.interior) return { contentType: 'text/plain', body: String(nodes[0]!.value ?? '') };
  // The DDF link first, as 7.2.1.4 and Appendix I write the items.
  const items = nodes.map((n) => ({ ...(n.instance.ddf ? { DDF: n.instance.ddf } : {}), ...serializeNode(n, level) }));
  if (type === 'application/json') return { contentType: 'application/json', body: JSON.stringify(items.map((i) => i.MOData), null, 1) };
  return { contentType: 'application/dmmo+json', body: JSON.stringify(items, null, 1) };
}

/** A single leaf as its value, as Appendix F and I.1 show it; anything else as MO data. */
export function naturalFormat(nodes: readonly TreeNode[]): string {
  return nodes.length === 1 && !nodes[0]!.interior ? 'text/plain' : 'application/dmmo+json';
}

/** HPUT/HPOST (5.3.2, 5.3.3): every ClientURI's data to the Data Repository in one request. */
async function hputPost(ctx: DeviceContext, name: 'HPUT' | 'HPOST', serverUri: string, uris: string[]): Promise<CommandResult> {
  const nodes: TreeNode[] = [];
  let notModified = 0;
  let level: number | undefined;
  for (const u of uris) {
    const r = resolve(ctx, u, name);
    if (r.status === 404) continue;
    if (r.status === 304) {
      notModified++;
      continue;
    }
    if (r.status !== 200) return status(r.status, r.reason);
    pushAll(nodes, r.nodes);
    level = r.level;
  }
  if (nodes.length === 0) return notModified ? status(304, 'the cache validator matches: not modified (11.2)') : status(404, 'none of the ClientURIs was found (Appendix C 404)');
  // The formats the DM Server takes (OMADM-Accept, 5.5); none the DM Client writes is a 406.
  const accepted = ctx.omadmAccept ? mediaRanges(ctx.omadmAccept).ranges : undefined;
  const natural = naturalFormat(nodes);
  const format = accepted ? [natural, ...CLIENT_FORMATS].find((f) => (natural === 'text/plain' || f !== 'text/plain') && acceptsMediaType(accepted, f)) : undefined;
  if (accepted && !format) return status(406, `the DM Server takes ${accepted.join(', ')}; the DM Client writes ${CLIENT_FORMATS.join(', ')} (5.5)`);
  const data = serializeNodes(nodes, level, format ?? naturalFormat(nodes));
  const sent = await sendData(ctx, name === 'HPUT' ? 'PUT' : 'POST', ctx.substitute(serverUri), data, nodes, (type) => serializeNodes(nodes, level, type));
  return sent.ok ? status(200, `${data.contentType} sent, ${sent.status}`) : status(419, `${name === 'HPUT' ? 'PUT' : 'POST'} ${serverUri} failed: ${sent.reason} (Appendix C 419)`);
}

/** HGET (5.3.1): fetch, then add or replace in the tree; without a ClientURI the DM Client picks the place and says where. */
async function hget(ctx: DeviceContext, serverUri: string, clientUri: string | undefined): Promise<CommandResult> {
  let targets: TreeNode[] | undefined;
  if (clientUri !== undefined) {
    const r = resolve(ctx, clientUri, 'HGET');
    if (r.status === 200) targets = r.nodes;
    else if (r.status !== 404) return status(r.status, r.reason);
  }
  const result = await fetchInto(ctx, ctx.substitute(serverUri), clientUri, targets);
  return status(result.sc, result.note, result.locations);
}
