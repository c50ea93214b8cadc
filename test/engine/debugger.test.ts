// The scenario debugger through the Debug Adapter Protocol, with @vscode/debugadapter-testsupport's
// DebugClient: breakpoints on steps and on messages and commands, every step kind, variables and
// setVariable on the live tree, evaluate, exception breakpoints, and a disconnect that leaves
// nothing listening; the run streamed to the client as custom events (trace batches, redacted, and
// what each stop is paused at). Plus `omadm debug-adapter` over stdio.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { OmadmDebugSession } from '../../server/src/debug/adapter.ts';
import { ENDED_EVENT, type EndedBody, LiveTrace, MAX_BATCH, MAX_EVENT_CHARS, MAX_LIVE_EVENTS, PAUSED_EVENT, type PausedAt, type PausedBody, RESUMED_EVENT, TRACE_EVENT, type TraceBatch, redactedEvent } from '../../server/src/debug/liveTrace.ts';
import type { TraceEvent } from '../../server/src/core/trace/events.ts';
import { ROOT } from '../helpers.ts';

const TREE = path.join(ROOT, 'examples', 'workspace', 'device.dmtree.json');

/** The adapter in this process, served on a loopback port (DebugClient connects to it). */
async function adapter(): Promise<{ dc: DebugClient; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    const session = new OmadmDebugSession();
    session.setRunAsServer(true);
    session.start(socket, socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dc = new DebugClient('node', 'unused', 'omadm');
  await dc.start((server.address() as net.AddressInfo).port);
  return { dc, close: async () => { await dc.stop(); await new Promise<void>((r) => server.close(() => r())); } };
}

function scenarioFile(steps: unknown[]): { file: string; lines: number[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-debug-'));
  const file = path.join(dir, 'debug.dmflow.json');
  // One step per line, so that each step's line is known: the header takes lines 1-5.
  const text = ['{', ' "participants": [{ "id": "dm", "kind": "dm-server" },', `  { "id": "phone", "kind": "device", "tree": ${JSON.stringify(TREE)}, "server": "dm" }],`, ' "steps": [', steps.map((s) => `  ${JSON.stringify(s)}`).join(',\n'), ' ]', '}'].join('\n');
  fs.writeFileSync(file, text);
  return { file, lines: steps.map((_, i) => 5 + i) };
}

const QUEUE = { queue: { server: 'dm', commands: [['GET', 'urn:oma:mo:oma-dm-devinfo:1.0//DevID'], ['DELETE', 'urn:oma:mo:oma-scomo:1.0/SCOMO1/Inventory/Deployed/Component2']] } };
const SESSION = { session: { device: 'phone' }, expect: { statuses: [200, 200] } };
const CHECK = { check: { device: 'phone', uri: 'urn:oma:mo:oma-scomo:1.0/SCOMO1/Inventory/Deployed/Component2', status: 404 } };

/** The next stop after `action`: the wait is registered first, since an event that came before it is not seen. */
async function stoppedAfter(dc: DebugClient, action: () => Promise<unknown>): Promise<{ reason: string; frames: DebugProtocol.StackFrame[] }> {
  const stopped = dc.waitForEvent('stopped', 20_000);
  await action();
  const e = (await stopped) as DebugProtocol.StoppedEvent;
  const st = await dc.stackTraceRequest({ threadId: e.body.threadId ?? 1 });
  return { reason: e.body.reason, frames: st.body.stackFrames };
}

async function variables(dc: DebugClient, frameId: number, scope: RegExp): Promise<DebugProtocol.Variable[]> {
  const scopes = await dc.scopesRequest({ frameId });
  const s = scopes.body.scopes.find((x) => scope.test(x.name));
  assert.ok(s, `scope ${scope} in ${scopes.body.scopes.map((x) => x.name).join(', ')}`);
  return (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
}

test('a line breakpoint stops before its step; step into goes command by command, step over message by message, step out to the next step', async () => {
  const { file, lines } = scenarioFile([QUEUE, SESSION, CHECK]);
  const { dc, close } = await adapter();
  try {
    await dc.initializeRequest();
    const bp = await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: lines[1]! }, { line: 2 }] });
    assert.deepEqual(bp.body.breakpoints.map((b) => b.verified), [true, false], 'only lines where a step begins');
    await dc.launchRequest({ program: file } as DebugProtocol.LaunchRequestArguments);
    let s = await stoppedAfter(dc, () => dc.configurationDoneRequest());
    assert.equal(s.reason, 'breakpoint');
    assert.equal(s.frames[0]!.line, lines[1]);
    assert.match(s.frames[0]!.name, /^2\. session of phone/);
    // Step over: the next message the device sends, its Package#1.
    s = await stoppedAfter(dc, () => dc.nextRequest({ threadId: 1 }));
    assert.match(s.frames[0]!.name, /^Package#1 phone -> dm/);
    // Step into: the first command of the Package#2 the server answered with.
    s = await stoppedAfter(dc, () => dc.stepInRequest({ threadId: 1 }));
    assert.deepEqual(s.frames.map((f) => f.name.split(' ')[0]), ['GET', 'Package#2,', 'session', '2.']);
    s = await stoppedAfter(dc, () => dc.stepInRequest({ threadId: 1 }));
    assert.match(s.frames[0]!.name, /^DELETE urn:oma:mo:oma-scomo:1\.0\/SCOMO1/);
    // Step out: to the next step.
    s = await stoppedAfter(dc, () => dc.stepOutRequest({ threadId: 1 }));
    assert.match(s.frames[0]!.name, /^3\. check/);
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated', 20_000)]);
  } finally {
    await close();
  }
});

test('function breakpoints on a command, with a condition over a ClientURI; variables show the live tree; setVariable changes it; evaluate takes ClientURIs', async () => {
  const { file } = scenarioFile([QUEUE, SESSION, { check: { device: 'phone', uri: 'urn:oma:mo:oma-dm-devinfo:1.0//Mod', value: 'Changed' } }]);
  const { dc, close } = await adapter();
  try {
    await dc.initializeRequest();
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'DELETE', condition: 'urn:oma:mo:oma-dm-devinfo:1.0//DevID == IMEI:493005100592800' }, { name: 'EXEC', condition: 'command == NEVER' }] });
    await dc.launchRequest({ program: file } as DebugProtocol.LaunchRequestArguments);
    const s = await stoppedAfter(dc, () => dc.configurationDoneRequest());
    assert.equal(s.reason, 'function breakpoint');
    assert.match(s.frames[0]!.name, /^DELETE /);
    const frameId = s.frames[0]!.id;
    const cmd = await variables(dc, frameId, /^Command$/);
    assert.equal(cmd.find((v) => v.name === 'name')?.value, '"DELETE"');
    // The device's tree: MO instances, then nodes; a leaf is set through setVariable.
    const instances = await variables(dc, frameId, /^Device phone/);
    const devinfo = instances.find((v) => v.name.startsWith('urn:oma:mo:oma-dm-devinfo:1.0/'));
    assert.ok(devinfo && devinfo.variablesReference > 0);
    const leaves = (await dc.variablesRequest({ variablesReference: devinfo.variablesReference })).body.variables;
    assert.equal(leaves.find((v) => v.name === 'DevID')?.value, '"IMEI:493005100592800"');
    const set = await dc.setVariableRequest({ variablesReference: devinfo.variablesReference, name: 'Mod', value: '"Changed"' });
    assert.equal(set.body.value, '"Changed"');
    const ev = await dc.evaluateRequest({ expression: 'urn:oma:mo:oma-dm-devinfo:1.0//Mod', context: 'watch' });
    assert.equal(ev.body.result, '"Changed"');
    const many = await dc.evaluateRequest({ expression: 'urn:oma:mo:oma-scomo:1.0/SCOMO1/Inventory/Deployed/*', context: 'watch' });
    assert.match(many.body.result, /^2 nodes on phone$/);
    const missing = await dc.evaluateRequest({ expression: 'urn:oma:mo:oma-dm-devinfo:1.0//Nothing', context: 'watch' });
    assert.match(missing.body.result, /^404/);
    // The check step then sees the value set in the debugger: the run passes.
    const out: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => void out.push(e.body.output));
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated', 20_000)]);
    assert.ok(out.some((o) => o.startsWith('passed: ')), out.join(''));
  } finally {
    await close();
  }
});

test('exception breakpoints stop on a failed expectation; stop on entry; disconnect closes every part', async () => {
  const { file, lines } = scenarioFile([QUEUE, { session: { device: 'phone' }, expect: { statuses: [404] } }]);
  const { dc, close } = await adapter();
  try {
    await dc.initializeRequest();
    await dc.setExceptionBreakpointsRequest({ filters: ['failed'] });
    await dc.launchRequest({ program: file, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
    let s = await stoppedAfter(dc, () => dc.configurationDoneRequest());
    assert.equal(s.reason, 'entry');
    assert.equal(s.frames[0]!.line, lines[0]);
    s = await stoppedAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.reason, 'exception');
    assert.match(s.frames[0]!.name, /^failed: the DM Client's statuses/);
    const failure = await variables(dc, s.frames[0]!.id, /^Failure$/);
    assert.equal(failure.find((v) => v.name === 'expected')?.value, '"404"');
    // The DM Server's port, before the disconnect: nothing may listen there afterwards.
    const servers = await variables(dc, s.frames[0]!.id, /^DM Server dm$/);
    const url = JSON.parse(servers.find((v) => v.name === 'url')!.value) as string;
    await dc.disconnectRequest({});
    const refused = await new Promise<boolean>((resolve) => {
      const c = net.connect(Number(new URL(url).port), '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve(false)));
      c.once('error', () => resolve(true));
    });
    assert.equal(refused, true, 'the DM Server was closed');
  } finally {
    await close();
  }
});

test('omadm debug-adapter speaks DAP over stdio', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'omadm.js'), 'debug-adapter'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const body = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'omadm', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true } });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const text = await new Promise<string>((resolve, reject) => {
      let got = '';
      const t = setTimeout(() => reject(new Error(`no answer: ${got}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.includes('"event":"initialized"')) {
          clearTimeout(t);
          resolve(got);
        }
      });
    });
    assert.match(text, /"command":"initialize","success":true/);
    assert.match(text, /"supportsFunctionBreakpoints":true/);
  } finally {
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
  }
});

test('the run streams to the client: trace events batched and redacted, and each stop names the paused command or message', async () => {
  const SECRET = 's3cr3tTokenValue';
  const { file, lines } = scenarioFile([
    { queue: { server: 'dm', commands: [['GET', 'urn:oma:mo:oma-dm-devinfo:1.0//DevID'], ['GET', 'urn:oma:mo:oma-dm-devinfo:1.0//Ext/${secret:TOKEN}']] } },
    { session: { device: 'phone' } },
  ]);
  const { dc, close } = await adapter();
  const events: TraceEvent[] = [];
  const bodies: string[] = [];
  const paused: { at: PausedAt; events: number }[] = [];
  dc.on(TRACE_EVENT, (e: DebugProtocol.Event) => {
    const b = e.body as TraceBatch;
    bodies.push(JSON.stringify(b));
    assert.equal(b.first, events.length, 'batches come in order, numbered as the run traces');
    events.push(...b.events);
  });
  dc.on(PAUSED_EVENT, (e: DebugProtocol.Event) => {
    bodies.push(JSON.stringify(e.body));
    paused.push({ at: (e.body as PausedBody).at, events: events.length });
  });
  try {
    await dc.initializeRequest();
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'GET' }, { name: 'Package#3' }] });
    await dc.launchRequest({ program: file, variables: { dmHost: 'dm.example' }, secrets: { TOKEN: SECRET }, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
    // Before a step: its index.
    const entry = await stoppedAfter(dc, () => dc.configurationDoneRequest());
    // The environment: the variables, and the secret by name only.
    const env = await variables(dc, entry.frames[0]!.id, /^Environment$/);
    assert.deepEqual(env.map((v) => [v.name, v.value]), [['dmHost', '"dm.example"'], ['secret:TOKEN', '"«secret:TOKEN»"']]);
    let p = paused.at(-1)!;
    assert.deepEqual(p.at, { kind: 'step', step: 0, name: p.at.kind === 'step' ? p.at.name : '', line: lines[0] });
    // The first command of the Package#2: the pause names it and points at the Package#2's event, sent before it.
    await stoppedAfter(dc, () => dc.continueRequest({ threadId: 1 }));
    p = paused.at(-1)!;
    assert.equal(p.at.kind, 'command');
    if (p.at.kind !== 'command') return;
    assert.deepEqual([p.at.device, p.at.command.name, p.at.command.params, p.at.index, p.at.count], ['phone', 'GET', ['urn:oma:mo:oma-dm-devinfo:1.0//DevID'], 0, 2]);
    assert.ok(p.at.event !== undefined && p.at.event < p.events, 'the Package#2 was sent before the pause');
    const package2 = events[p.at.event]!;
    assert.deepEqual([package2.kind, package2.to, package2.sessionId], ['package2', 'phone', p.at.sessionId]);
    // Package#1 went with HTTP Basic: its scheme only.
    const package1 = events.find((e) => e.kind === 'package1')!;
    assert.equal(package1.headers?.['authorization'], 'Basic «redacted»');
    // The second command carries the secret: redacted in the pause and in the Package#2.
    p = (await stoppedAfter(dc, () => dc.continueRequest({ threadId: 1 })), paused.at(-1)!);
    assert.ok(p.at.kind === 'command' && p.at.index === 1);
    assert.deepEqual(p.at.command.params, ['urn:oma:mo:oma-dm-devinfo:1.0//Ext/«secret:TOKEN»']);
    assert.match(JSON.stringify(package2.body), /«secret:TOKEN»/);
    // Before the Package#3: a message not sent yet, named by sender, receiver and label.
    const resumed = dc.waitForEvent(RESUMED_EVENT, 20_000);
    p = (await stoppedAfter(dc, () => dc.continueRequest({ threadId: 1 })), paused.at(-1)!);
    await resumed;
    assert.equal(p.at.kind, 'message');
    if (p.at.kind !== 'message') return;
    assert.deepEqual([p.at.from, p.at.to, p.at.label], ['phone', 'dm', 'Package#3']);
    assert.ok(!events.some((e) => e.kind === 'package3'), 'the Package#3 is not in the trace yet');
    const ended = dc.waitForEvent(ENDED_EVENT, 20_000);
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated', 20_000)]);
    assert.equal(typeof ((await ended).body as EndedBody).passed, 'boolean');
    assert.ok(events.some((e) => e.kind === 'package3'));
    assert.deepEqual(events.map((e) => e.step), events.map(() => 1), 'every event is of the session step');
    for (const b of bodies) assert.ok(!b.includes(SECRET) && !b.includes(Buffer.from('device1:transport-secret').toString('base64')), b.slice(0, 200));
  } finally {
    await close();
  }
});

test('live trace: events of one tick go in batches of at most MAX_BATCH, numbered; past MAX_LIVE_EVENTS they are counted, not sent; bodies too large are cut', async () => {
  const sent: TraceBatch[] = [];
  const live = new LiveTrace((_, b) => sent.push(b), { redact: (s) => s.split('pw').join('«secret:P»'), hasSecrets: true });
  const total = MAX_LIVE_EVENTS + 10;
  for (let i = 0; i < total; i++) live.add({ time: i, from: 'phone', to: 'dm', transport: 'http', kind: 'package1', body: { n: i, pw: 'pw' } });
  assert.equal(sent.length, 0, 'nothing before the tick ends');
  await new Promise((r) => setImmediate(r));
  assert.equal(sent.length, Math.ceil(MAX_LIVE_EVENTS / MAX_BATCH));
  assert.ok(sent.every((b, i) => b.first === i * MAX_BATCH && b.events.length <= MAX_BATCH));
  assert.equal(sent.reduce((n, b) => n + b.events.length, 0), MAX_LIVE_EVENTS);
  assert.deepEqual(sent[0]!.events[0]!.body, { n: 0, '«secret:P»': '«secret:P»' });
  assert.equal(sent.at(-1)!.omitted, 10);
  live.add({ time: 0, from: 'phone', to: 'dm', transport: 'http', kind: 'package1' });
  live.flush();
  assert.deepEqual([sent.at(-1)!.events.length, sent.at(-1)!.omitted], [0, 11], 'the count of events left out still arrives');
  const huge = redactedEvent({ time: 0, from: 'dm', to: 'phone', transport: 'http', kind: 'package2', body: { CMD: [['REPLACE', 'x', 'y'.repeat(MAX_EVENT_CHARS)]] } }, (s) => s, false);
  assert.match(String(huge.body), /^\(\d+ characters: left out of the live diagram/);
  live.dispose();
});
