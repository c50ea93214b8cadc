/**
 * Resolving a ClientURI as a DM Client does, in stages that share one context:
 *   select     the MO instance(s) by the mo-inst component, then the node(s) by the path, x-names
 *              by their nv fields (DM 2.0 6.1.2 steps 1 and 2);
 *   authorize  the server's access rights on every node the command involves (6.3.1.1, 10, 12.3);
 *   checkDdf   what the DDF does not allow: deleting a permanent node, executing a
 *              non-executable one (Appendix C, 405);
 *   checkCache the cache validator of a read (11.2, 304).
 * `resolveClientUri` runs them in that order. The answer is the addressed nodes, or the status
 * code the DM Client would return (Appendix C) and why.
 */
import { parseClientUri, type ClientUri, type NodeValue, type Segment } from '../dm20/clientUri.js';
import { command as commandInfo, type CommandName } from '../dm20/commands.js';
import type { DmTree, MoInstance, TreeNode } from './model.js';
import { RIGHTS, describeRights, overridesBelow, rightsOf } from './access.js';
import { type Ddf, ddfNodeFor } from './ddf.js';

/** What the stages resolve against: the device's tree, its DDFs, and who is asking. */
export interface ResolutionContext {
  tree: DmTree;
  /** DDFs by MOID: DELETE of a permanent node and EXEC of a non-executable one answer 405. */
  ddfs?: ReadonlyMap<string, Ddf> | undefined;
  /** With a server identity, access rights are checked for the command. */
  serverId?: string;
}

/** A stage's refusal: the status the DM Client returns instead of executing the command, and why. */
export interface Refusal {
  status: number;
  /** Why, in a sentence, with the section. */
  reason: string;
}

export interface Resolution {
  status: number;
  nodes: TreeNode[];
  /** Why, in a sentence, with the section. */
  reason: string;
  /** Nodes looked at: resolution costs these, not the tree size. */
  visited: number;
  /** The lv field: sublevels of data to return. */
  level?: number;
  uri?: ClientUri;
}

export interface ResolveOptions {
  command?: CommandName;
  /** DDFs by MOID: DELETE of a permanent node and EXEC of a non-executable one answer 405. */
  ddfs?: ReadonlyMap<string, Ddf> | undefined;
  /** With a server identity, access rights are checked for the command (default GET). */
  serverId?: string;
}

/** Whether the leaf at `nv.path` below `from` has the value `nv.match`, for every nv ("satisfied", 6.1.1.3). */
function satisfies(from: TreeNode, nvs: readonly NodeValue[], count: { n: number }): boolean {
  for (const nv of nvs) {
    let n: TreeNode | undefined = from;
    for (const name of nv.path) {
      n = n?.child(name);
      count.n++;
    }
    if (!n || n.interior || String(n.value) !== nv.match) return false;
  }
  return true;
}

/** 6.1.2 steps 1 and 2: the nodes the ClientURI addresses (status 200), or 400/404 and why. */
export function select(ctx: ResolutionContext, clientUri: string | ClientUri): Resolution {
  const tree = ctx.tree;
  const uri = typeof clientUri === 'string' ? parseClientUri(clientUri) : clientUri;
  const count = { n: 0 };
  const fail = (status: number, reason: string): Resolution => ({ status, nodes: [], reason, visited: count.n, uri });
  const bad = uri.problems.find((p) => p.severity === 'error');
  if (bad) return fail(400, `The ClientURI is malformed: ${bad.message}`);
  const nvOf = (s: Segment): NodeValue[] => uri.nv.filter((n) => n.xname === s.text[1]);
  const moid = uri.moid.text;

  // Step 1: the MO instance(s).
  let instances: MoInstance[];
  const inst = uri.moInst;
  if (inst.kind === 'real') {
    const one = tree.instance(moid, inst.text);
    count.n++;
    if (!one) return fail(404, `No MO instance '${inst.text}' of ${moid} in the tree (DM 2.0 6.1.2 step 1).`);
    instances = [one];
  } else {
    const all = tree.instances(moid);
    count.n += all.length;
    if (all.length === 0) return fail(404, `No MO instance of ${moid} in the tree (DM 2.0 6.1.2 step 1).`);
    if (inst.kind === 'wildcard') instances = all;
    else if (inst.kind === 'empty') {
      if (all.length > 1) return fail(404, `'${moid}//' addresses the only instance, but there are ${all.length} (${all.map((i) => i.miid).join(', ')}): it cannot be resolved (DM 2.0 6.1.2 step 1).`);
      instances = all;
    } else {
      const nvs = nvOf(inst);
      instances = all.filter((i) => satisfies(i.root, nvs, count));
      if (instances.length !== 1) {
        return fail(404, instances.length === 0
          ? `No MO instance of ${moid} satisfies ${nvs.map((n) => `nv=${n.value}`).join(' and ')} (DM 2.0 6.1.2 step 1).`
          : `${instances.length} MO instances satisfy ${nvs.map((n) => `nv=${n.value}`).join(' and ')} (${instances.map((i) => i.miid).join(', ')}); an x-name resolves to exactly one (DM 2.0 6.1.2 step 1).`);
      }
    }
  }

  // Step 2: the node(s) within them.
  let nodes: TreeNode[] = instances.map((i) => i.root);
  for (const seg of uri.path) {
    const next: TreeNode[] = [];
    // An x-name's nv fields, found once for the segment, not again for every node it is tried on.
    const nvs = seg.kind === 'xname' ? nvOf(seg) : [];
    for (const n of nodes) {
      if (seg.kind === 'real') {
        const c = n.child(seg.text);
        count.n++;
        if (c) next.push(c);
      } else if (seg.kind === 'wildcard') {
        for (const c of n.children?.values() ?? []) {
          count.n++;
          next.push(c);
        }
      } else if (seg.kind === 'xname') {
        const found: TreeNode[] = [];
        for (const c of n.children?.values() ?? []) {
          count.n++;
          if (satisfies(c, nvs, count)) found.push(c);
        }
        if (found.length > 1) return fail(404, `${seg.text} matches ${found.length} nodes under ${n.clientUri()} (${found.map((f) => f.name).join(', ')}); an x-name resolves to exactly one (DM 2.0 6.1.2 step 2).`);
        for (const c of found) next.push(c);
      }
    }
    nodes = next;
    if (nodes.length === 0) return fail(404, `Nothing at '${seg.text}' (${uri.path.map((s) => s.text).join('/')}) in ${instances.length === 1 ? `${moid}/${instances[0]!.miid}` : `the ${instances.length} instances`} (DM 2.0 6.1.2 step 2).`);
  }

  const lv = uri.query.find((f) => f.name === 'lv');
  return { status: 200, nodes, reason: `${nodes.length} node${nodes.length === 1 ? '' : 's'} (DM 2.0 6.1.2).`, visited: count.n, uri, ...(lv ? { level: Number(lv.value) } : {}) };
}

/** Reads (GET, HPUT, HPOST) return the subtree at the ClientURI (lv limits it, 6.1.1.3); DELETE removes it (5.3.4). */
const SUBTREE_COMMANDS: ReadonlySet<CommandName> = new Set(['GET', 'HPUT', 'HPOST', 'DELETE']);

/**
 * Access rights (10, 12.3) for the command's logical operation (6.3.1.1) on "all the nodes
 * involved by the DM Command": the addressed nodes, and for GET/HPUT/HPOST and DELETE their
 * subtrees too (`level` sublevels of a read with lv). A descendant where a DACMO entry's Path
 * withholds the right refuses the command. Without a server identity nothing is checked.
 */
export function authorize(ctx: ResolutionContext, nodes: readonly TreeNode[], command: CommandName, level?: number): Refusal | undefined {
  const op = commandInfo(command)?.operation;
  if (ctx.serverId === undefined || !op) return undefined;
  const serverId = ctx.serverId;
  const subtree = SUBTREE_COMMANDS.has(command);
  const depth = command === 'DELETE' ? undefined : level;
  for (const n of nodes) {
    const r = rightsOf(ctx.tree, n, serverId);
    if (!(r.rights & RIGHTS[op])) {
      return { status: 403, reason: `${serverId} has ${describeRights(r.rights)} on ${n.clientUri()}${r.entry ? ` (DACMO ${r.entry.clientUri()})` : ' (no DACMO entry for this MO instance)'}; ${command} needs ${op} (DM 2.0 10, 12.3).` };
    }
    if (!subtree || r.unrestricted) continue;
    for (const d of overridesBelow(ctx.tree, n, depth)) {
      const dr = rightsOf(ctx.tree, d, serverId);
      if (!(dr.rights & RIGHTS[op])) {
        return { status: 403, reason: `${serverId} has ${describeRights(dr.rights)} on ${d.clientUri()}${dr.entry ? ` (DACMO ${dr.entry.clientUri()})` : ''}, below ${n.clientUri()}; ${command} involves ${depth === undefined ? 'the whole subtree' : `${depth} sublevel${depth === 1 ? '' : 's'} (lv)`} and needs ${op} on all its nodes (DM 2.0 6.3.1.1, 10, 12.3).` };
      }
    }
  }
  return undefined;
}

/** The DDF: a mandatory (permanent) node is not deleted, a non-executable one not executed (Appendix C, 405). */
export function checkDdf(ctx: ResolutionContext, nodes: readonly TreeNode[], command: CommandName): Refusal | undefined {
  if (!ctx.ddfs || (command !== 'DELETE' && command !== 'EXEC')) return undefined;
  for (const n of nodes) {
    const ddf = ctx.ddfs.get(n.instance.moid);
    const d = ddf && ddfNodeFor(n, ddf);
    if (!d) continue;
    if (command === 'DELETE' && (d.scope === 'Permanent' || !d.accessTypes.includes('Delete'))) {
      return { status: 405, reason: `${n.clientUri()} is ${d.scope === 'Permanent' ? 'a permanent node' : 'not deletable (no Delete access type)'} in its DDF: DELETE answers 405 Command Not Allowed (DM 2.0 6.3.1.2, Appendix C).` };
    }
    if (command === 'EXEC' && !d.accessTypes.includes('Exec')) {
      return { status: 405, reason: `${n.clientUri()} is not executable in its DDF (no Exec access type): EXEC answers 405 Command Not Allowed (Appendix C).` };
    }
  }
  return undefined;
}

/**
 * The cache validator: a read whose cv field matches the CV of every MO instance it addresses
 * answers 304 Not Modified (11.1, 11.2). The CV is the instances' own; `_ctx` keeps the stages'
 * common signature.
 */
export function checkCache(_ctx: ResolutionContext, nodes: readonly TreeNode[], uri: string | ClientUri, command: CommandName): Refusal | undefined {
  if (!['GET', 'HPUT', 'HPOST'].includes(command)) return undefined;
  const cv = (typeof uri === 'string' ? parseClientUri(uri) : uri).query.find((f) => f.name === 'cv');
  if (!cv) return undefined;
  const all = new Set(nodes.map((n) => n.instance));
  for (const i of all) if (i.cv !== cv.value) return undefined;
  return { status: 304, reason: `The cache validator ${cv.value} matches: the MO data is not modified (DM 2.0 11.2).` };
}

/** All the stages: select, then access rights, the DDF and the cache validator for the command (default GET). */
export function resolveClientUri(tree: DmTree, text: string, opts: ResolveOptions = {}): Resolution {
  const ctx: ResolutionContext = { tree };
  if (opts.ddfs) ctx.ddfs = opts.ddfs;
  if (opts.serverId !== undefined) ctx.serverId = opts.serverId;
  const selected = select(ctx, text);
  if (selected.status !== 200) return selected;
  const cmd = opts.command ?? 'GET';
  const refusal = authorize(ctx, selected.nodes, cmd, selected.level) ?? checkDdf(ctx, selected.nodes, cmd) ?? checkCache(ctx, selected.nodes, selected.uri!, cmd);
  if (refusal) return { ...refusal, nodes: [], visited: selected.visited, ...(selected.uri ? { uri: selected.uri } : {}) };
  return selected;
}

/**
 * The one resolution every caller makes: the editor's hover and diagnostics, `omadm resolve` and
 * the emulated device, with the same trees, DDFs and server identity, so they cannot disagree.
 * Access rights are checked for a command only (a bare ClientURI is a question about the tree).
 * `oma:mo:` without `urn:`, as some of the specification's examples write MOIDs, names the same
 * MO (see the spec README); the editor warns about the spelling separately.
 */
export function resolveIn(ctx: ResolutionContext, text: string, command?: CommandName): Resolution {
  return resolveClientUri(ctx.tree, text.replace(/^oma:mo:/, 'urn:oma:mo:'), { ...(command ? { command } : {}), ...(ctx.serverId !== undefined && command ? { serverId: ctx.serverId } : {}), ...(ctx.ddfs ? { ddfs: ctx.ddfs } : {}) });
}
