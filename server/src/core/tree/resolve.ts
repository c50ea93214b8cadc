/**
 * Resolving a ClientURI as a DM Client does (DM 2.0 6.1.2): first the MO instance(s) by the
 * mo-inst component, then the node(s) by the path; x-names by their nv fields; then the cache
 * validator (11) and access rights (10, 12.3) for a command. The answer is the addressed nodes,
 * or the status code the DM Client would return (Appendix C) and why.
 */
import { parseClientUri, type ClientUri, type NodeValue, type Segment } from '../dm20/clientUri.js';
import { command as commandInfo, type CommandName } from '../dm20/commands.js';
import type { DmTree, MoInstance, TreeNode } from './model.js';
import { RIGHTS, describeRights, rightsOf } from './access.js';
import { type Ddf, ddfNodeFor } from './ddf.js';

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
  ddfs?: ReadonlyMap<string, Ddf>;
  /** With a server identity, access rights are checked for the command (default GET). */
  serverId?: string;
}

/** Whether the leaf at `nv.path` below `from` has the value `nv.match` ("satisfied", 6.1.1.3). */
function satisfies(from: TreeNode, nvs: NodeValue[], count: { n: number }): boolean {
  return nvs.every((nv) => {
    let n: TreeNode | undefined = from;
    for (const name of nv.path) {
      n = n?.child(name);
      count.n++;
    }
    return !!n && !n.interior && String(n.value) === nv.match;
  });
}

export function resolveClientUri(tree: DmTree, text: string, opts: ResolveOptions = {}): Resolution {
  const uri = parseClientUri(text);
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
        const found = [...(n.children?.values() ?? [])].filter((c) => {
          count.n++;
          return satisfies(c, nvOf(seg), count);
        });
        if (found.length > 1) return fail(404, `${seg.text} matches ${found.length} nodes under ${n.clientUri()} (${found.map((f) => f.name).join(', ')}); an x-name resolves to exactly one (DM 2.0 6.1.2 step 2).`);
        next.push(...found);
      }
    }
    nodes = next;
    if (nodes.length === 0) return fail(404, `Nothing at '${seg.text}' (${uri.path.map((s) => s.text).join('/')}) in ${instances.length === 1 ? `${moid}/${instances[0]!.miid}` : `the ${instances.length} instances`} (DM 2.0 6.1.2 step 2).`);
  }

  const cmd = opts.command ?? 'GET';
  const lv = uri.query.find((f) => f.name === 'lv');
  const result: Resolution = { status: 200, nodes, reason: `${nodes.length} node${nodes.length === 1 ? '' : 's'} (DM 2.0 6.1.2).`, visited: count.n, uri, ...(lv ? { level: Number(lv.value) } : {}) };

  // Access rights for the command's logical operation (10, 12.3).
  const op = commandInfo(cmd)?.operation;
  if (opts.serverId !== undefined && op) {
    for (const n of nodes) {
      const r = rightsOf(tree, n, opts.serverId);
      if (!(r.rights & RIGHTS[op])) {
        return { ...fail(403, `${opts.serverId} has ${describeRights(r.rights)} on ${n.clientUri()}${r.entry ? ` (DACMO ${r.entry.clientUri()})` : ' (no DACMO entry for this MO instance)'}; ${cmd} needs ${op} (DM 2.0 10, 12.3).`), visited: count.n };
      }
    }
  }

  // The DDF: a mandatory (permanent) node is not deleted, a non-executable one not executed (Appendix C, 405).
  if (opts.ddfs && (cmd === 'DELETE' || cmd === 'EXEC')) {
    for (const n of nodes) {
      const ddf = opts.ddfs.get(n.instance.moid);
      const d = ddf && ddfNodeFor(n, ddf);
      if (!d) continue;
      if (cmd === 'DELETE' && (d.scope === 'Permanent' || !d.accessTypes.includes('Delete'))) {
        return { ...fail(405, `${n.clientUri()} is ${d.scope === 'Permanent' ? 'a permanent node' : 'not deletable (no Delete access type)'} in its DDF: DELETE answers 405 Command Not Allowed (DM 2.0 6.3.1.2, Appendix C).`), visited: count.n };
      }
      if (cmd === 'EXEC' && !d.accessTypes.includes('Exec')) {
        return { ...fail(405, `${n.clientUri()} is not executable in its DDF (no Exec access type): EXEC answers 405 Command Not Allowed (Appendix C).`), visited: count.n };
      }
    }
  }

  // The cache validator: unchanged instances answer 304 to a read (11.2).
  const cv = uri.query.find((f) => f.name === 'cv');
  if (cv && ['GET', 'HPUT', 'HPOST'].includes(cmd)) {
    const all = [...new Set(nodes.map((n) => n.instance))];
    if (all.every((i) => i.cv === cv.value)) return { ...fail(304, `The cache validator ${cv.value} matches: the MO data is not modified (DM 2.0 11.2).`), visited: count.n };
  }
  return result;
}
