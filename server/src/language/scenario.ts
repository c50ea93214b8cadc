/**
 * Scenario files (`*.dmflow.json`, docs/scenarios.md) in the editor: the parser's diagnostics,
 * the files a scenario names (device trees, Package#2 files, repository folders) read and checked
 * as `omadm run` would read them, the ClientURIs of `check` steps and of inline commands resolved
 * against the device's own tree (DM 2.0 6.1.2), completion of participant ids, flows and alert
 * types, and a hover per step saying what it does with its section. The files are read through
 * the caller's reader: open editors first, then the disk.
 */
import * as path from 'node:path';
import { type Node, findNodeAtLocation, findNodeAtOffset, getLocation, getNodePath, parseTree } from 'jsonc-parser';
import type { Diagnostic } from '../core/diagnostic.js';
import { ACTIONS, type ParsedScenario, parseScenario } from '../core/scenario/model.js';
import { JsonDocument } from '../core/json/document.js';
import { loadTrees } from '../core/tree/load.js';
import type { DmTree } from '../core/tree/model.js';
import { resolveClientUri, resolveIn } from '../core/tree/resolve.js';
import { clientUris } from '../core/tree/check.js';
import { parsePackage } from '../core/dm20/model.js';
import { ALERT_TYPES } from '../core/dm20/alerts.js';
import { mdCode } from '../core/text/markdown.js';

export const SCENARIO_NAME = /\.dmflow\.json$/i;

/** How the scenario's files are reached: undefined for a file that cannot be read. */
export interface ScenarioFiles {
  read(file: string): string | undefined;
  isDirectory(dir: string): boolean;
}

/** A ClientURI of the scenario with the nodes it addresses in its device's tree (for find references). */
export interface ScenarioClientUri {
  uri: string;
  command?: string;
  start: number;
  end: number;
  nodes: string[];
}

export interface ScenarioAnalysis {
  text: string;
  root: Node | undefined;
  parsed: ParsedScenario;
  diagnostics: Diagnostic[];
  clientUris: ScenarioClientUri[];
  /** The scenario's folder: what its files are relative to; undefined for a document that is not a file. */
  dir?: string;
}

interface Device {
  id: string;
  file: string;
  tree?: DmTree;
}

const str = (n: Node | undefined): string | undefined => (n?.type === 'string' ? (n.value as string) : undefined);
const prop = (n: Node | undefined, key: string): Node | undefined => (n?.type === 'object' ? findNodeAtLocation(n, [key]) : undefined);
/** A reference still holding `${name}` is only known once an environment fills it in. */
const templated = (s: string): boolean => s.includes('${');

/**
 * The flows of Delegation 5.2 a `delegation` step runs (docs/scenarios.md), with their sections.
 * Kept here beside their descriptions for completion and hover; the names are the schema's enum.
 */
export const FLOWS: readonly { name: string; section: string; description: string }[] = [
  { name: 'dmacc', section: '5.2.1', description: 'The DMAcc approach: DMS-2 sends its DMAcc in BOOTSTRAP_CONFIRMED, DMS-1 creates it on the device and grants DMS-2 its rights, DMS-2 runs its DM Session.' },
  { name: 'bootstrap', section: '5.2.2', description: 'The Bootstrap Server URL approach: DMS-1 gives the device the URL of DMS-2\'s DM Bootstrap; the device fetches it and opens its session with DMS-2.' },
  { name: 'termination', section: '5.2.3', description: 'Termination of the delegation by DMS-1: the device is put back as it was before.' },
  { name: 'revocation', section: '5.2.4', description: 'Revocation requested by DMS-2.' },
  { name: 'forced-revocation', section: '5.2.5', description: 'Forced revocation: DMS-1 takes the delegation back without asking DMS-2.' },
];

/** The alert types an `alert` step may expect: DM 2.0 Appendix D, and the emulated device's report of an asynchronous EXEC (5.4.1). */
const ALERTS: readonly { type: string; description: string }[] = [
  ...ALERT_TYPES.map((a) => ({ type: a.type, description: `${a.description} (DM 2.0 Appendix D)` })),
  { type: 'urn:x-omadm-workbench:at:ExecResult', description: "The emulated device's Generic Alert with the result of an asynchronous EXEC (DM 2.0 5.4.1)." },
];

/** Which participant kind a step's property names. */
const NAMES: Record<string, 'device' | 'dm-server' | 'delegation'> = { server: 'dm-server', device: 'device', peers: 'delegation' };

export function analyzeScenario(text: string, fileName: string | undefined, files: ScenarioFiles): ScenarioAnalysis {
  const fallback = fileName ? path.basename(fileName).replace(SCENARIO_NAME, '') : 'scenario';
  const parsed = parseScenario(text, fallback);
  const diagnostics = [...parsed.diagnostics];
  const dir = fileName ? path.dirname(fileName) : undefined;
  const out: ScenarioAnalysis = { text, root: undefined, parsed, diagnostics, clientUris: [], ...(dir ? { dir } : {}) };
  // The parser refused it before building a tree (too deep, not JSON): nothing more to read.
  if (parsed.diagnostics.some((d) => d.code === 'flow.depth' || d.code === 'flow.syntax')) return out;
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  out.root = root;
  if (!root || !dir) return out;
  const at = (n: Node, severity: Diagnostic['severity'], code: string, message: string): void => void diagnostics.push({ start: n.offset, end: n.offset + n.length, severity, code, message });
  const devices = new Map<string, Device>();
  // The files the participants name, read as `omadm run` reads them (server/src/host/inputFiles.ts).
  for (const p of findNodeAtLocation(root, ['participants'])?.children ?? []) {
    const id = str(prop(p, 'id'));
    const kind = str(prop(p, 'kind'));
    if (kind === 'device') {
      const ref = prop(p, 'tree');
      const name = str(ref);
      if (!ref || name === undefined || templated(name)) continue;
      const file = path.resolve(dir, name);
      const tree = readTreeFile(file, name, (severity, code, message) => at(ref, severity, code, message), files);
      if (id !== undefined) devices.set(id, { id, file, ...(tree ? { tree } : {}) });
    } else if (kind === 'dm-server') {
      const ref = prop(p, 'repository');
      const name = str(ref);
      if (ref && name !== undefined && !templated(name) && !files.isDirectory(path.resolve(dir, name))) at(ref, 'error', 'flow.repository', `${name} is not a folder (relative to the scenario): the Data Repository is seeded from the files of a folder.`);
    }
  }
  const steps = findNodeAtLocation(root, ['steps'])?.children ?? [];
  /** Device ids a queue step before the current one targets (undefined: every device): their trees may have changed by then. */
  const queuedFor = new Set<string | undefined>();
  steps.forEach((step) => {
    const queue = prop(step, 'queue');
    if (queue?.type === 'object') {
      const pkg = prop(queue, 'package');
      const name = str(pkg);
      if (pkg && name !== undefined && !templated(name)) checkPackageFile(path.resolve(dir, name), name, (severity, code, message) => at(pkg, severity, code, message), files);
      const target = str(prop(queue, 'device'));
      const commands = prop(queue, 'commands');
      if (commands?.type === 'array') {
        const value = { CMD: commands.children?.map((c) => (c.type === 'array' ? (c.children ?? []).map((a) => (a.type === 'string' ? (a.value as string) : undefined)) : undefined)) ?? [] };
        const targets = target !== undefined ? [devices.get(target)].filter((d): d is Device => !!d) : [...devices.values()];
        for (const c of clientUris('pkg2', value)) {
          const node = findNodeAtLocation(commands, c.path.slice(1));
          if (!node || templated(c.uri)) continue;
          const withTrees = targets.filter((d) => d.tree);
          const resolved = withTrees.map((d) => ({ d, r: resolveIn({ tree: d.tree! }, c.uri.replace(/^oma:mo:/, 'urn:oma:mo:'), c.command) }));
          const nodes = resolved.flatMap(({ r }) => r.nodes.map((n) => n.clientUri()));
          out.clientUris.push({ uri: c.uri, ...(c.command ? { command: c.command } : {}), start: node.offset, end: node.offset + node.length, nodes });
          const missing = resolved.filter(({ r }) => r.status === 404);
          if (missing.length && missing.length === resolved.length) {
            const changed = queuedFor.has(undefined) || missing.some(({ d }) => queuedFor.has(d.id));
            at(node, changed ? 'information' : 'warning', 'flow.unresolved', `${c.command ?? 'The command'} ${c.uri}: ${missing[0]!.r.reason} In ${missing.map(({ d }) => `${path.basename(d.file)} (${d.id})`).join(', ')} as the run starts${changed ? '; a Package#2 queued before may create it' : ''}.`);
          }
        }
      }
      queuedFor.add(target);
    }
    const check = prop(step, 'check');
    if (check?.type === 'object') {
      const device = devices.get(str(prop(check, 'device')) ?? '');
      const uriNode = prop(check, 'uri');
      const uri = str(uriNode);
      if (!device?.tree || !uriNode || uri === undefined || templated(uri)) return;
      const r = resolveClientUri(device.tree, uri.replace(/^oma:mo:/, 'urn:oma:mo:'));
      out.clientUris.push({ uri, start: uriNode.offset, end: uriNode.offset + uriNode.length, nodes: r.nodes.map((n) => n.clientUri()) });
      // A check that expects nothing there (a deleted node: status 404, count 0) is not warned about.
      const status = prop(check, 'status')?.value;
      const count = prop(check, 'count')?.value;
      if (r.nodes.length || (typeof status === 'number' && status !== 200) || count === 0) return;
      const changed = queuedFor.has(undefined) || queuedFor.has(device.id);
      at(uriNode, changed ? 'information' : 'warning', 'flow.unresolved', `${r.reason} In ${path.basename(device.file)} (${device.id}) as the run starts${changed ? '; a Package#2 queued before may create it' : ''}.`);
    }
  });
  diagnostics.sort((a, b) => a.start - b.start || a.end - b.end);
  return out;
}

/** A device's tree: MO data (DM 2.0 7.2.1.4), each MO instance once; a problem is reported at the reference. */
function readTreeFile(file: string, name: string, report: (severity: Diagnostic['severity'], code: string, message: string) => void, files: ScenarioFiles): DmTree | undefined {
  const text = files.read(file);
  if (text === undefined) {
    report('error', 'flow.file', `${name} cannot be read (relative to the scenario): a device participant runs on the tree in that file.`);
    return undefined;
  }
  let loaded = trees.get(file);
  if (loaded?.text !== text) {
    loaded = { text, ...loadTree(file, text) };
    // A few trees kept, the least recently read dropped first: a scenario is checked again at every edit.
    trees.delete(file);
    trees.set(file, loaded);
    if (trees.size > MAX_TREES) trees.delete(trees.keys().next().value!);
  }
  if (loaded.problem) report('error', 'flow.tree', `${name}${loaded.problem}`);
  return loaded.tree;
}

const MAX_TREES = 16;
const trees = new Map<string, { text: string; tree?: DmTree; problem?: string }>();

function loadTree(file: string, text: string): { tree?: DmTree; problem?: string } {
  const doc = new JsonDocument(text);
  if (!doc.valid || !Array.isArray(doc.value)) return { problem: ` is not a DM tree: MO data is a JSON array of {ClientURI, MOData} (DM 2.0 7.2.1.4)${doc.errors[0] ? `; ${doc.errors[0].message}` : ''}.` };
  const { tree, diagnostics } = loadTrees([{ file, text }]);
  const dup = diagnostics.find((d) => d.diagnostic.code === 'tree.duplicate-instance');
  return { tree, ...(dup ? { problem: `: ${dup.diagnostic.message}` } : {}) };
}

/** A Package#2 file must validate: the run refuses one that does not (DM 2.0 7.2.1.2). */
function checkPackageFile(file: string, name: string, report: (severity: Diagnostic['severity'], code: string, message: string) => void, files: ScenarioFiles): void {
  const text = files.read(file);
  if (text === undefined) return report('error', 'flow.file', `${name} cannot be read (relative to the scenario).`);
  const parsed = parsePackage(text, 'pkg2');
  if (!parsed.value) report('error', 'flow.package', `${name} is not a valid Package#2 (DM 2.0 7.2.1.2): ${parsed.diagnostics.find((d) => d.severity === 'error')?.message ?? 'it does not validate'}`);
}

// ---- completion

export interface ScenarioCompletion {
  label: string;
  detail: string;
  documentation?: string;
  /** The text inserted (a JSON string, quotes included) over start..end. */
  insertText: string;
  start: number;
  end: number;
}

interface ParticipantInfo {
  id: string;
  kind: string;
  node: Node;
}

function participants(root: Node | undefined): ParticipantInfo[] {
  const out: ParticipantInfo[] = [];
  for (const p of (root && findNodeAtLocation(root, ['participants'])?.children) ?? []) {
    const id = str(prop(p, 'id'));
    const kind = str(prop(p, 'kind'));
    if (id !== undefined && kind !== undefined) out.push({ id, kind, node: p });
  }
  return out;
}

function describeParticipant(p: ParticipantInfo): string {
  const get = (k: string): string | undefined => str(prop(p.node, k));
  if (p.kind === 'device') return `An emulated DM 2.0 Client on ${get('tree') ?? 'its tree'}${get('server') ? `, its DM Account's SrvURI sent to ${get('server')}` : ''}${typeof prop(p.node, 'count')?.value === 'number' ? `, ${String(prop(p.node, 'count')!.value)} copies` : ''}.`;
  if (p.kind === 'dm-server') return `The mini DM Server${get('serverId') ? ` ${get('serverId')}` : ''}${get('repository') ? `, its Data Repository seeded from ${get('repository')}` : ''} (DM 2.0 5.1.4).`;
  return 'DMS-1 and DMS-2 over HTTPS with mutual TLS, their DM Servers and a device of their own (Delegation 5.3).';
}

export function scenarioCompletion(a: ScenarioAnalysis, offset: number): ScenarioCompletion[] {
  const loc = getLocation(a.text, offset);
  if (loc.isAtPropertyKey) return [];
  const p = loc.path;
  const prev = loc.previousNode;
  // Over the string being typed (quotes included), or a new string at the cursor.
  const span = prev && prev.type === 'string' && offset >= prev.offset && offset <= prev.offset + prev.length ? { start: prev.offset, end: prev.offset + prev.length } : { start: offset, end: offset };
  const item = (label: string, detail: string, documentation?: string): ScenarioCompletion => ({ label, detail, ...(documentation ? { documentation } : {}), insertText: JSON.stringify(label), ...span });
  const key = p[p.length - 1];
  if (p[0] === 'steps' && p.length === 4 && typeof key === 'string' && (ACTIONS as readonly string[]).includes(String(p[2]))) {
    if (p[2] === 'delegation' && key === 'flow') return FLOWS.map((f) => item(f.name, `Delegation ${f.section}`, f.description));
    if (p[2] === 'alert' && key === 'alertType') return ALERTS.map((t) => item(t.type, 'Generic Alert type (DM 2.0 5.4)', t.description));
    const kind = Object.hasOwn(NAMES, key) ? NAMES[key] : undefined;
    if (kind) return participants(a.root).filter((x) => x.kind === kind).map((x) => item(x.id, x.kind, describeParticipant(x)));
  }
  if (p[0] === 'participants' && p.length === 3 && key === 'server') return participants(a.root).filter((x) => x.kind === 'dm-server').map((x) => item(x.id, 'dm-server', describeParticipant(x)));
  return [];
}

// ---- hover

export interface ScenarioHover {
  start: number;
  end: number;
  markdown: string;
}

const list = (v: unknown): string => (Array.isArray(v) ? v.map((x) => String(x)).join(', ') : String(v));

/** What a step does, in a sentence with its section (docs/scenarios.md "Steps"). */
function stepText(action: string, v: Record<string, unknown>): string {
  const s = (k: string): string => mdCode(String(v[k] ?? '?'));
  switch (action) {
    case 'queue':
      return `${s('server')} queues a Package#2 (DM 2.0 7.2.1.2) — ${v.package !== undefined ? `the file ${s('package')}` : `${Array.isArray(v.commands) ? v.commands.length : 0} inline commands`} — for ${v.device !== undefined ? s('device') : 'every device'}; it is sent in the device's next DM Session (DM 2.0 5.2.3).`;
    case 'notify':
      return `${s('server')} sends a DM Notification (Package#0, DM 2.0 5.2.1, 7.1) in a WAP Push over UDP (Appendix E.1) to ${s('device')}${v.reqMos ? ' with REQ-MOS' : ''}; the step waits for the DM Session it starts (Package#1 to #3, 5.2.2-5.2.4) and what follows it (asynchronous reports, 5.4.1).`;
    case 'session':
      return `${s('device')} opens a DM Session of its own (Package#1 with ClientInitiatedMgmt, DM 2.0 5.2.2, Appendix D)${v.serverId !== undefined ? ` with ${s('serverId')}` : ''}; the step waits for its end.`;
    case 'check':
      return `Resolves ${s('uri')} in the live tree of ${s('device')} as the DM Client does (DM 2.0 6.1.2): status ${v.status !== undefined ? String(v.status) : '200'}${v.count !== undefined ? `, ${String(v.count)} nodes` : ''}${v.value !== undefined ? `, the leaf's value ${mdCode(JSON.stringify(v.value))}` : ''}.`;
    case 'alert':
      return `${s('server')} has received a Generic Alert (DM 2.0 5.4) of type ${s('alertType')} from ${v.device !== undefined ? s('device') : 'every device'}.`;
    case 'delegation': {
      const f = FLOWS.find((x) => x.name === v.flow);
      const fail = v.failAt as { side?: unknown; step?: unknown; reasonCode?: unknown } | undefined;
      return `Runs the ${f ? `${mdCode(f.name)} flow (Delegation ${f.section}): ${f.description}` : `${s('flow')} flow of Delegation 5.2.`}${v.full ? ' Full delegation.' : ''}${fail ? ` ${mdCode(String(fail.side))} fails at ${mdCode(String(fail.step))}${fail.reasonCode !== undefined ? ` with ${String(fail.reasonCode)}` : ''} (DELEGATION_FAILURE, Delegation 5.3); DMS-1 then puts the device back as it was.` : ''}`;
    }
    case 'inject':
      return `${s('server')} answers its next ${v.count !== undefined ? String(v.count) : 'one'} DM package(s) with HTTP ${String(v.status ?? '?')}; the DM Client then aborts its session (DM 2.0 5.6).`;
    case 'wait':
      return `Waits ${String(v.ms ?? '?')} ms.`;
    default:
      return '';
  }
}

function expectText(x: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (x.outcome !== undefined) out.push(`outcome ${mdCode(String(x.outcome))}`);
  if (x.statuses !== undefined) out.push(`the DM Client's statuses ${list(x.statuses)} (DM 2.0 Appendix C)`);
  if (x.step !== undefined) out.push(`failure at ${mdCode(String(x.step))}`);
  if (x.restored !== undefined) out.push(x.restored ? "the device's tree restored (Delegation 5.3)" : 'the tree not compared');
  if (x.valid === false) out.push('messages not validated');
  return out;
}

export function scenarioHover(a: ScenarioAnalysis, offset: number): ScenarioHover | undefined {
  const root = a.root;
  if (!root) return undefined;
  const node = findNodeAtOffset(root, offset, true);
  if (!node) return undefined;
  const p = getNodePath(node);
  const isKey = node.parent?.type === 'property' && node.parent.children?.[0] === node;
  const span = { start: node.offset, end: node.offset + node.length };
  // The action's key, or the step's name: what the step does.
  if (p[0] === 'steps' && typeof p[1] === 'number' && ((p.length === 3 && isKey && (ACTIONS as readonly string[]).includes(String(p[2]))) || (p.length === 3 && p[2] === 'name'))) {
    const stepNode = findNodeAtLocation(root, ['steps', p[1]]);
    const step = a.parsed.scenario?.steps[p[1]];
    const raw = stepNode?.type === 'object' ? (nodeValue(stepNode) as Record<string, unknown>) : {};
    const action = ACTIONS.find((k) => raw[k] !== undefined);
    if (!action) return undefined;
    const v = raw[action] && typeof raw[action] === 'object' ? (raw[action] as Record<string, unknown>) : {};
    const expect = raw.expect && typeof raw.expect === 'object' ? expectText(raw.expect as Record<string, unknown>) : [];
    const validate = (raw.expect as { valid?: unknown } | undefined)?.valid ?? (nodeValue(root) as { validate?: unknown }).validate !== false;
    const name = step?.name ?? (typeof raw.name === 'string' ? raw.name : action);
    const lines = [`**Step ${p[1] + 1}: ${mdCode(action)}** — ${name.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`)}`, '', stepText(action, v)];
    if (expect.length) lines.push('', `Expects ${expect.join('; ')}.`);
    if (validate && ['queue', 'notify', 'session', 'delegation'].includes(action)) lines.push('', 'Every DM package exchanged must validate (DM 2.0 7.2.1); a step that fails stops the scenario.');
    return { ...span, markdown: lines.join('\n') };
  }
  if (isKey || node.type !== 'string') return undefined;
  const key = p[p.length - 1];
  if (p[0] === 'steps' && p.length === 4 && p[2] === 'delegation' && key === 'flow') {
    const f = FLOWS.find((x) => x.name === node.value);
    return f ? { ...span, markdown: `**${f.name}** (Delegation ${f.section}): ${f.description}` } : undefined;
  }
  if (p[0] === 'steps' && p.length === 4 && p[2] === 'alert' && key === 'alertType') {
    const t = ALERTS.find((x) => x.type === node.value);
    return { ...span, markdown: t ? `**${t.type}**: ${t.description}` : `${mdCode(String(node.value))}: an alert type of your own; DM 2.0 Appendix D defines ${ALERT_TYPES.map((x) => mdCode(x.type)).join(', ')}.` };
  }
  if ((p[0] === 'steps' && p.length === 4 && typeof key === 'string' && Object.hasOwn(NAMES, key)) || (p[0] === 'participants' && p.length === 3 && key === 'server')) {
    const x = participants(root).find((q) => q.id === node.value);
    return x ? { ...span, markdown: `**${x.id}** (${x.kind}): ${describeParticipant(x)}` } : undefined;
  }
  return undefined;
}

function nodeValue(n: Node): unknown {
  switch (n.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const c of n.children ?? []) {
        const [k, v] = c.children ?? [];
        if (k && v) o[String(k.value)] = nodeValue(v);
      }
      return o;
    }
    case 'array':
      return (n.children ?? []).map(nodeValue);
    default:
      return n.value;
  }
}

/** Go to definition: the file a participant's `tree`, a queue's `package` or a server's `repository` names. */
export function scenarioDefinition(a: ScenarioAnalysis, offset: number): string | undefined {
  if (!a.root || !a.dir) return undefined;
  const node = findNodeAtOffset(a.root, offset, true);
  if (node?.type !== 'string' || typeof node.value !== 'string' || templated(node.value)) return undefined;
  const p = getNodePath(node);
  const key = p[p.length - 1];
  const named = (p[0] === 'participants' && p.length === 3 && key === 'tree') || (p[0] === 'steps' && p.length === 4 && p[2] === 'queue' && key === 'package');
  return named ? path.resolve(a.dir, node.value) : undefined;
}
