/**
 * Scenario files (`*.dmflow.json`, JSON with comments): the participants of a run and its steps,
 * each with its place in the file so that a failure shows at its line. The structure is the JSON
 * schema dmflow.schema.json beside this file (the one VS Code is given for these files); the checks
 * the schema cannot make (one action per step, participants named by steps exist and are of the
 * right kind) are made here. See docs/scenarios.md.
 */
import type { ErrorObject } from 'ajv';
import { type Node, type ParseError, findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import { compileScenarioValidator } from './validator.js';
import type { Diagnostic } from '../diagnostic.js';
import { MAX_DEPTH } from '../json/document.js';

export type FlowName = 'dmacc' | 'bootstrap' | 'termination' | 'revocation' | 'forced-revocation';

export interface DeviceParticipant {
  id: string;
  kind: 'device';
  tree: string;
  server?: string;
  serverId?: string;
  count?: number;
}
export interface DmServerParticipant {
  id: string;
  kind: 'dm-server';
  serverId?: string;
  repository?: string;
  user?: string;
}
export interface DelegationParticipant {
  id: string;
  kind: 'delegation';
}
export type Participant = DeviceParticipant | DmServerParticipant | DelegationParticipant;

export interface Expectation {
  outcome?: 'completed' | 'aborted' | 'failed';
  statuses?: number[];
  step?: string;
  restored?: boolean;
  valid?: boolean;
}

export type Action =
  | { kind: 'queue'; server: string; device?: string; package?: string; commands?: string[][] }
  | { kind: 'notify'; server: string; device: string; reqMos?: boolean }
  | { kind: 'session'; device: string; serverId?: string }
  | { kind: 'check'; device: string; uri: string; value?: unknown; status?: number; count?: number }
  | { kind: 'alert'; server: string; device?: string; alertType: string }
  | { kind: 'delegation'; peers: string; flow: FlowName; full?: boolean; failAt?: { side: 'dms1' | 'dms2'; step: string; reasonCode?: number } }
  | { kind: 'inject'; server: string; status: number; count?: number }
  | { kind: 'wait'; ms: number };

export const ACTIONS = ['queue', 'notify', 'session', 'check', 'alert', 'delegation', 'inject', 'wait'] as const;

export interface Step {
  index: number;
  name: string;
  action: Action;
  expect: Expectation;
  /** Where the step is in the file: offsets, and its first line (1-based). */
  start: number;
  end: number;
  line: number;
}

export interface Scenario {
  name: string;
  description?: string;
  validate: boolean;
  timeout: number;
  participants: Participant[];
  steps: Step[];
  /** Where the scenario's name is, for a test item's range. */
  line: number;
}

export interface ParsedScenario {
  scenario?: Scenario;
  diagnostics: Diagnostic[];
}

/** The schema's check, a plain predicate: its errors say what is wrong, the value keeps its type. */
let validator: (((data: unknown) => boolean) & { errors?: ErrorObject[] | null }) | undefined;

/** The step's title when it has no name: its action and the participants it involves. */
function title(a: Action): string {
  switch (a.kind) {
    case 'queue': return `queue ${a.package ?? `${a.commands?.length ?? 0} commands`} on ${a.server}`;
    case 'notify': return `notify ${a.device} from ${a.server}`;
    case 'session': return `session of ${a.device}`;
    case 'check': return `check ${a.uri} on ${a.device}`;
    case 'alert': return `alert ${a.alertType} at ${a.server}`;
    case 'delegation': return `delegation ${a.flow}${a.failAt ? ` failing at ${a.failAt.step}` : ''}`;
    case 'inject': return `inject HTTP ${a.status} at ${a.server}`;
    case 'wait': return `wait ${a.ms} ms`;
  }
}

export function parseScenario(text: string, fallbackName = 'scenario'): ParsedScenario {
  const diagnostics: Diagnostic[] = [];
  const errors: ParseError[] = [];
  // Nesting is bounded before the recursive parser sees the text (a hostile file cannot overflow the stack).
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    if (depth > MAX_DEPTH) return { diagnostics: [{ start: i, end: i + 1, severity: 'error', code: 'flow.depth', message: `A scenario nested more than ${MAX_DEPTH} levels deep is not read.` }] };
  }
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  for (const e of errors.slice(0, 50)) diagnostics.push({ start: e.offset, end: e.offset + Math.max(1, e.length), severity: 'error', code: 'flow.syntax', message: `${printParseErrorCode(e.error)}: a scenario is JSON with comments.` });
  if (!root || errors.length) return { diagnostics: diagnostics.length ? diagnostics : [{ start: 0, end: 0, severity: 'error', code: 'flow.syntax', message: 'The file is empty: a scenario is a JSON object with participants and steps.' }] };
  const value = getNodeValue(root) as Record<string, unknown>;
  validator ??= compileScenarioValidator();
  if (!validator(value)) {
    for (const e of (validator.errors ?? []).filter(useful).slice(0, 100)) {
      const node = at(root, e.instancePath);
      diagnostics.push({ start: node.offset, end: node.offset + node.length, severity: 'error', code: 'flow.schema', message: describe(e) });
    }
    // The checks below still run when the shape allows it, so that one pass shows every problem.
    const objects = (v: unknown): boolean => Array.isArray(v) && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
    if (!objects(value.participants) || !objects(value.steps)) return { diagnostics };
  }
  const participants = value.participants as Participant[];
  const byId = new Map<string, Participant>();
  participants.forEach((p, i) => {
    if (byId.has(p.id)) {
      const n = at(root, `/participants/${i}/id`);
      diagnostics.push({ start: n.offset, end: n.offset + n.length, severity: 'error', code: 'flow.duplicate-participant', message: `Another participant is already called '${p.id}'.` });
    }
    byId.set(p.id, p);
  });
  participants.forEach((p, i) => {
    if (p.kind === 'device' && p.server !== undefined && !/^https?:\/\//.test(p.server) && byId.get(p.server)?.kind !== 'dm-server') {
      const n = at(root, `/participants/${i}/server`);
      diagnostics.push({ start: n.offset, end: n.offset + n.length, severity: 'error', code: 'flow.unknown-participant', message: `'${p.server}' is neither a dm-server participant nor an http(s):// URL.` });
    }
  });
  const steps: Step[] = [];
  (value.steps as Record<string, unknown>[]).forEach((raw, index) => {
    const node = at(root, `/steps/${index}`);
    const present = ACTIONS.filter((k) => raw[k] !== undefined);
    const report = (path: string, code: string, message: string): void => {
      const n = at(root, `/steps/${index}${path}`);
      diagnostics.push({ start: n.offset, end: n.offset + n.length, severity: 'error', code, message });
    };
    if (present.length !== 1) return report('', 'flow.step-action', present.length ? `A step does one thing: ${present.join(' and ')} are both here.` : `A step needs one action: ${ACTIONS.join(', ')}.`);
    const kind = present[0]!;
    if (raw[kind] === null || typeof raw[kind] !== 'object') return;
    const action = { kind, ...(raw[kind] as object) } as Action;
    // Each participant a step names must exist and be of the kind the action needs.
    const needs: [string, string | undefined, Participant['kind']][] = [];
    if ('server' in action) needs.push(['server', action.server, 'dm-server']);
    if ('device' in action && action.device !== undefined) needs.push(['device', action.device, 'device']);
    if (action.kind === 'delegation') needs.push(['peers', action.peers, 'delegation']);
    for (const [key, id, want] of needs) {
      const p = id === undefined ? undefined : byId.get(id);
      if (!p) report(`/${kind}/${key}`, 'flow.unknown-participant', `No participant is called '${id}' (participants: ${[...byId.keys()].join(', ')}).`);
      else if (p.kind !== want) report(`/${kind}/${key}`, 'flow.participant-kind', `'${id}' is a ${p.kind}; ${kind}.${key} names a ${want}.`);
    }
    if (action.kind === 'queue' && (action.package === undefined) === (action.commands === undefined)) report(`/${kind}`, 'flow.queue', 'queue takes a Package#2 file ("package") or inline "commands", one of the two.');
    steps.push({ index, name: typeof raw.name === 'string' ? raw.name : title(action), action, expect: (raw.expect as Expectation | undefined) ?? {}, start: node.offset, end: node.offset + node.length, line: lineOf(text, node.offset) });
  });
  if (diagnostics.length) return { diagnostics };
  const nameNode = findNodeAtLocation(root, ['name']);
  return {
    diagnostics,
    scenario: {
      name: typeof value.name === 'string' ? value.name : fallbackName,
      ...(typeof value.description === 'string' ? { description: value.description } : {}),
      validate: value.validate !== false,
      timeout: typeof value.timeout === 'number' ? value.timeout : 10_000,
      participants,
      steps,
      line: nameNode ? lineOf(text, nameNode.offset) : 1,
    },
  };
}

/** The node an error is about, or the nearest ancestor that exists. */
function at(root: Node, pointer: string): Node {
  const path = pointer.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  for (let k = path.length; k >= 0; k--) {
    const n = findNodeAtLocation(root, path.slice(0, k));
    if (n) return n;
  }
  return root;
}

/** The participant kinds are told apart by `kind` (the discriminator): what remains are the errors of the branch meant. */
function useful(e: ErrorObject): boolean {
  return e.keyword !== 'oneOf' && e.keyword !== 'discriminator';
}

function describe(e: ErrorObject): string {
  const where = e.instancePath || 'the scenario';
  if (e.keyword === 'additionalProperties') return `${where}: '${String(e.params.additionalProperty)}' is not a property here (dmflow.schema.json).`;
  if (e.keyword === 'required') return `${where}: '${String(e.params.missingProperty)}' is required.`;
  if (e.keyword === 'enum') return `${where}: one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
  return `${where} ${e.message ?? 'is not valid'}.`;
}

export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
