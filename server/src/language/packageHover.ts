/** Hover in DM 2.0 JSON packages: commands, parameters, ClientURI parts, status codes, alert types, MOIDs, properties. */
import type { Node } from 'jsonc-parser';
import type { PackageRegion } from '../core/analyze.js';
import { type JsonDocument, type JsonPath, isObject, nodeValue, own } from '../core/json/document.js';
import type { PackageKind } from '../core/dm20/packages.js';
import { command, signature } from '../core/dm20/commands.js';
import { isApplicationSpecific, statusCode } from '../core/dm20/statusCodes.js';
import { MARKS, alertType } from '../core/dm20/alerts.js';
import { PROPERTY_DOCS } from '../core/dm20/packages.js';
import { knownMoid } from '../core/dm20/moids.js';
import { QUERY_FIELDS, looksLikeClientUri, parseClientUri } from '../core/dm20/clientUri.js';
import { SERVER_URI_PARAMETERS } from '../core/dm20/serverUri.js';
import type { HoverResult } from './delegationHover.js';
import { cleanNotification, notificationReport } from './notification.js';
import { clientUris, type TreeContext } from '../core/tree/check.js';
import { resolveIn } from '../core/tree/resolve.js';
import { mdCode, mdText } from '../core/text/markdown.js';
import { describeRights, rightsOf } from '../core/tree/access.js';
import type { MoInstance, TreeNode } from '../core/tree/model.js';
import { ddfNodeFor } from '../core/tree/ddf.js';
import { nodeAtOffset } from '../core/tree/load.js';
import { statusText } from '../core/dm20/statusCodes.js';
import type { CommandName } from '../core/dm20/commands.js';
import { paramFormatAt } from './packageCompletion.js';
import { type Located, locateNode } from './packageLocate.js';

/** On a node of a sample tree file: its ClientURI, kind, value, cache validator and access rights. */
function treeNodeHover(region: PackageRegion, offset: number, trees?: TreeContext): HoverResult | undefined {
  const n = nodeAtOffset(region.tree!, offset);
  const s = n?.source;
  if (!n || !s) return undefined;
  const inst = n.instance;
  const cv = sampleCv(region, inst);
  const lines = [`**${mdCode(n.clientUri())}**`, '', n.parent ? (n.interior ? `Interior node, ${n.children!.size} children` : `Leaf, ${typeof n.value}: ${mdCode(JSON.stringify(n.value) ?? '')}`) : `MO instance root: MOID ${mdText(inst.moid)}, MIID ${mdText(inst.miid)}, ${cv === undefined ? 'no cache validator in the sample (no CV)' : `cache validator ${mdCode(cv)}`} (DM 2.0 7.2.1.4, 11.1)`];
  const ddf = trees?.ddfs?.get(inst.moid);
  const d = ddf && ddfNodeFor(n, ddf);
  if (d) lines.push('', `DDF: ${d.description ?? '(no description)'}`, `Format ${d.format ?? '?'} · access ${d.accessTypes.join(', ') || 'none'} · ${d.occurrence}${d.scope ? ` · ${d.scope}` : ''} (${d.file.split(/[\\/]/).pop()})`);
  else if (ddf) lines.push('', `Not described by the DDF of ${inst.moid}.`);
  if (trees?.serverId) {
    const live = trees.tree.instance(inst.moid, inst.miid);
    const ln = live && n.path().reduce<TreeNode | undefined>((x, name) => x?.child(name), live.root);
    if (ln) {
      const r = rightsOf(trees.tree, ln, trees.serverId);
      lines.push('', `${trees.serverId} may: ${r.unrestricted ? 'everything (no DACMO: no access control, DM 2.0 10)' : describeRights(r.rights)}${r.entry ? ` (DACMO ${r.entry.clientUri()})` : ''} (DM 2.0 12.3)`);
    }
  }
  return { start: s.keyStart, end: s.keyEnd, markdown: lines.join('\n') };
}

/**
 * The CV the sample gives an instance (7.2.1.4: optional), read from the item that holds it; the
 * tree model makes one up when there is none, which is not the sample's.
 */
export function sampleCv(region: PackageRegion, inst: MoInstance): string | undefined {
  const at = inst.root.source?.keyStart;
  if (at === undefined) return undefined;
  const item = region.json.pathAt(at)?.path[0];
  const cv = typeof item === 'number' ? region.json.locate([item, 'CV']) : undefined;
  // The sample loaded, so the text is JSON: the string's text is its value written in JSON.
  return cv?.kind === 'string' ? (JSON.parse(region.json.text.slice(region.json.from + cv.offset, region.json.from + cv.offset + cv.length)) as string) : undefined;
}

/** What a ClientURI addresses in the sample trees, or the status the DM Client would return. */
function resolutionMarkdown(trees: TreeContext, uri: string, cmd?: CommandName): string {
  const r = resolveIn(trees, uri, cmd);
  const head = `In ${trees.label}${trees.serverId && cmd ? `, as ${trees.serverId}` : ''}:`;
  if (r.status !== 200) return `${head} **${statusText(r.status)}**. ${r.reason}`;
  const shown = r.nodes.slice(0, 20).map((n) => `- ${mdCode(n.clientUri())}${n.interior ? ` (${n.children!.size} children)` : ` = ${mdCode(JSON.stringify(n.value) ?? '')}`}`);
  return [`${head} ${r.nodes.length} node${r.nodes.length === 1 ? '' : 's'}${r.level ? `, ${r.level} level${r.level === 1 ? '' : 's'} of data (lv)` : ''}`, '', ...shown, ...(r.nodes.length > 20 ? [`- … ${r.nodes.length - 20} more`] : [])].join('\n');
}


export function packageHover(region: PackageRegion, offset: number, trees?: TreeContext): HoverResult | undefined {
  const json = region.json;
  // A node's name in a sample tree file is found in the tree model, without reading the file's JSON again.
  if (region.tree) {
    const t = treeNodeHover(region, offset, trees);
    if (t) return t;
  }
  const at = locateNode(json, offset);
  if (!at) return undefined;
  const { node, path, base } = at;
  const span = { start: base + node.offset, end: base + node.offset + node.length };
  const parent = node.parent;
  if (parent?.type === 'property' && parent.children?.[0] === node) {
    const key = String(node.value);
    const doc = Object.hasOwn(PROPERTY_DOCS, key) ? PROPERTY_DOCS[key] : undefined;
    return doc ? { ...span, markdown: `**${node.value}**\n\n${doc}` } : undefined;
  }
  if (node.type === 'string' && typeof node.value === 'string' && cleanNotification(node.value)) {
    return { ...span, markdown: notificationReport(node.value) };
  }
  const md = valueHover(region, node, path, offset - base - node.offset - 1, at.nodeAt);
  const known = trees && clientUriAt(region.kind, json, path, at);
  if (md && known && trees) md.markdown += '\n\n---\n\n' + resolutionMarkdown(trees, known.uri, known.command);
  return md ? { ...(md.span ? { start: span.start + 1 + md.span.start, end: span.start + 1 + md.span.end } : span), markdown: md.markdown } : undefined;
}

/**
 * What clientUris finds at `path`, read from the one command, alert or MO data item that holds
 * it (the others left as holes, which clientUris steps over): every ClientURI of the package
 * listed on each hover is a pass over all its commands. A command or alert read on its own from
 * a text that is JSON (`at.local`) is made a value from its own nodes, the same value JSON.parse
 * gives it: the value of the whole text is not made at every keystroke.
 */
function clientUriAt(kind: PackageKind, json: JsonDocument, path: JsonPath, at: Located): ReturnType<typeof clientUris>[number] | undefined {
  const same = (c: { path: (string | number)[] }): boolean => JSON.stringify(c.path) === JSON.stringify(path);
  const [top, i] = path;
  if ((top === 'CMD' || top === 'Alert') && typeof i === 'number') {
    let item: unknown;
    if (at.local) {
      const n = at.nodeAt([top, i]);
      if (!n) return undefined;
      item = nodeValue(n);
    } else {
      const value = json.value;
      const list = isObject(value) ? own(value, top) : undefined;
      if (!Array.isArray(list)) return undefined;
      item = list[i];
    }
    const one: unknown[] = [];
    one[i] = item;
    return clientUris(kind, { [top]: one }).find(same);
  }
  const value = json.value;
  if (kind === 'mo' && typeof top === 'number' && Array.isArray(value)) {
    const one: unknown[] = [];
    one[top] = value[top];
    return clientUris(kind, one).find(same);
  }
  return clientUris(kind, value).find(same);
}

interface Md {
  markdown: string;
  /** Inside the string, relative to its first character. */
  span?: { start: number; end: number };
}

function valueHover(region: PackageRegion, node: Node, path: JsonPath, inString: number, nodeAt: (path: JsonPath) => Node | undefined): Md | undefined {
  const last = path[path.length - 1];
  if (region.kind === 'pkg2' && path[0] === 'CMD' && typeof path[1] === 'number' && typeof last === 'number' && path.length === 3) {
    const entry = nodeAt(['CMD', path[1]]);
    const name = entry?.children?.[0]?.value;
    const info = typeof name === 'string' ? command(name) : undefined;
    if (last === 0) return info ? { markdown: `**${info.name}** — ${info.description}\n\nParameters: ${signature(info)}\n\n_DM 2.0 ${info.section}_` } : undefined;
    if (typeof node.value !== 'string') return undefined;
    const args = (entry?.children ?? []).slice(1).map((c) => String(c.value));
    const format = paramFormatAt(info, args, last - 1);
    if (format === 'MOID') return { markdown: `${moidMarkdown(node.value)}\n\n${info?.name ?? 'The command'}'s MOID: the MO whose configuration the DM Client fetches from the ServerURI when its DM Tree lacks it (DM 2.0 ${info?.section ?? '5.3.10'}).` };
    if (format === 'ClientURI' || (!format && looksLikeClientUri(node.value))) return clientUriHover(node.value, inString, info?.name);
    return serverUriHover(node.value, inString);
  }
  if ((region.kind === 'pkg3' && path[0] === 'Status' && (last === 'sc' || path.length === 2)) && typeof node.value === 'number') {
    return { markdown: statusMarkdown(node.value, path[1] as number) };
  }
  if (last === 'AlertType' && typeof node.value === 'string') {
    const t = alertType(node.value);
    return { markdown: t ? `**${t.type}**\n\n${t.description}${t.data ? `\n\nData: ${t.data}` : ''}\n\n_DM 2.0 Appendix D_` : `**${node.value}**\n\nAn alert type defined outside DM 2.0 Appendix D (by an MO specification); the DM Server ignores types it does not recognise (5.4).` };
  }
  if (last === 'Mark' && typeof node.value === 'string') {
    return { markdown: `**Mark**: the importance level, one of ${MARKS.map((m) => `\`${m}\``).join(', ')}; \`informational\` when omitted (DM 2.0 5.4).` };
  }
  if (last === 'MOID' && typeof node.value === 'string') return { markdown: moidMarkdown(node.value) };
  if (typeof node.value === 'string' && (last === 'ClientURI' || last === 'SourceURI' || last === 'TargetURI' || path.includes('URI'))) {
    return clientUriHover(node.value, inString);
  }
  return undefined;
}

function statusMarkdown(code: number, index: number): string {
  const s = statusCode(code);
  const head = s ? `**${code} ${s.reason}** — ${s.description}\n\nApplies to: ${s.commands ? s.commands.join(', ') : 'all commands'}` : isApplicationSpecific(code) ? `**${code}**: an application specific status code (1000-1999)` : `**${code}** is not a DM 2.0 status code`;
  return `${head}\n\nStatus ${index + 1} answers command ${index + 1} of the Package#2.\n\n_DM 2.0 Appendix C_`;
}

function moidMarkdown(moid: string): string {
  const k = knownMoid(moid) ?? knownMoid(`urn:${moid}`);
  return k ? `**${k.name}** \`${k.moid}\`${k.note ? `\n\nNote: ${k.note} (see the specification's inconsistencies).` : ''}\n\n_DM 2.0 ${k.section}_` : `**${moid}**: an MOID (DM 2.0 6.3).`;
}

function clientUriHover(text: string, at: number, cmd?: string): Md {
  const u = parseClientUri(text);
  const within = (s: { start: number; end: number }): boolean => at >= s.start && at <= s.end;
  if (within(u.moid)) return { span: u.moid, markdown: moidMarkdown(u.moid.text) };
  const xn = [u.moInst, ...u.path].find((s) => s.kind === 'xname' && within(s));
  if (xn) {
    const nvs = u.nv.filter((n) => n.xname === xn.text[1]);
    return { span: xn, markdown: `**x-name ${xn.text}**: resolved to the one ${xn === u.moInst ? 'MO instance' : 'node'} that satisfies ${nvs.length ? nvs.map((n) => `\`nv=${n.value}\``).join(' and ') : 'its nv fields (none given)'} (DM 2.0 6.1.1, 6.1.2).` };
  }
  if (within(u.moInst)) {
    const what = { empty: 'empty: the only MO instance of the MOID', wildcard: '`*`: every MO instance of the MOID', real: `the MIID \`${u.moInst.text}\``, xname: '' }[u.moInst.kind];
    return { span: u.moInst, markdown: `**mo-inst**, ${what} (DM 2.0 6.1.1.1).` };
  }
  const field = u.query.find(within);
  if (field) {
    const f = QUERY_FIELDS.find((q) => q.name === field.name);
    return { span: field, markdown: f ? `**${f.name}**: ${f.description} (${f.commands?.join(', ') ?? 'every command with a ClientURI'}).\n\n_DM 2.0 6.1.1.3_` : `**${field.name}**: not a standard field; the DM Client ignores it (DM 2.0 6.1.1.3).` };
  }
  const wildcard = u.path.find((s) => s.kind === 'wildcard' && within(s));
  if (wildcard) return { span: wildcard, markdown: '**`*`**: every node at this position (DM 2.0 6.1.1.2, 6.1.2).' };
  return { markdown: `**ClientURI**${cmd ? ` of ${cmd}` : ''}: \`MOID "/" mo-inst path [ "?" query ]\` (DM 2.0 6.1.1).` };
}

function serverUriHover(text: string, at: number): Md {
  const re = /\[([A-Za-z]+)\]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (at >= m.index && at <= m.index + m[0].length) {
      const doc = Object.prototype.hasOwnProperty.call(SERVER_URI_PARAMETERS, m[1]!) ? SERVER_URI_PARAMETERS[m[1]!] : 'not a ServerURI parameter.';
      return { span: { start: m.index, end: m.index + m[0].length }, markdown: `**[${m[1]}]**: ${doc} The DM Client replaces it with its own value before use (DM 2.0 6.2).` };
    }
  }
  return { markdown: `**ServerURI**: an RFC 3986 URI; parameters in brackets (${Object.keys(SERVER_URI_PARAMETERS).map((k) => `[${k}]`).join(' ')}) are replaced by the DM Client (DM 2.0 6.2).` };
}
