/**
 * Fuzzing of every entry point that reads untrusted text: the analysis of each file kind
 * (delegation XML, DDF, DM 2.0 JSON packages, sample trees, `.dmhttp` exchanges with multipart
 * bodies, Package#0 in hex, base64 and WAP Push), the ClientURI and ServerURI parsers, and the
 * language service's requests (hover, completion, outline, folding at random offsets).
 *
 * Inputs are the valid and broken fixtures mutated (characters changed, `<`, `[`, `{`, `"` and
 * the like inserted, slices repeated thousands of times, truncations) and values generated from
 * scratch, drawn by fast-check from a fixed seed. Bad input must come back as diagnostics: any
 * exception is a crash (exit 1); inputs over 100 ms and the worst time per kilobyte are reported.
 *
 *   npm run fuzz                       bounded: fixed seed, about a minute
 *   npm run fuzz -- --long             a million inputs, no time bound
 *   npm run fuzz -- --seed 7 --time 300
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { analyzeText } from '../server/src/core/analyze.ts';
import { analyzeNotification } from '../server/src/core/notification/analyze.ts';
import { formatHex } from '../server/src/core/notification/input.ts';
import { wrapWapPush } from '../server/src/core/notification/wapPush.ts';
import { parseClientUri } from '../server/src/core/dm20/clientUri.ts';
import { checkServerUri } from '../server/src/core/dm20/serverUri.ts';
import { LanguageService } from '../server/src/language/service.ts';
import { LineIndex } from '../server/src/core/text/lineIndex.ts';

const ROOT = path.resolve(__dirname, '..');
const SLOW_MS = 100;
/** Mutated inputs stop growing here: large enough for super-linear work to show, small enough to run many. */
const MAX_INPUT = 300_000;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const long = process.argv.includes('--long');
const seed = Number(option('--seed') ?? 20240613);
const seconds = Number(option('--time') ?? (long ? Infinity : 60));
const numRuns = Number(option('--runs') ?? (long ? 1_000_000 : 10_000_000));

// ---- seeds: every text file of the fixtures and the example workspace

interface Seed {
  file: string;
  text: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const seeds: Seed[] = [path.join(ROOT, 'test', 'fixtures'), path.join(ROOT, 'examples', 'workspace')]
  .flatMap((d) => walk(d))
  .filter((f) => !/\.(md|png|jpg|gif)$/i.test(f) && fs.statSync(f).size < 200_000)
  .map((f) => ({ file: f, text: fs.readFileSync(f, 'utf8') }))
  .filter((s) => !s.text.includes('\u0000'));

/** ClientURIs and ServerURIs found in the seeds: the starting points of the URI parsers' inputs. */
const uriSeeds = [...new Set(seeds.flatMap((s) => s.text.match(/(?:urn:oma:mo|oma:mo|https?:\/\/)[^"'\s<>]{0,200}/g) ?? []))];

/** The names under which a mutated text is read again, so that every kind sees every shape. */
const KINDS = ['x.delegation.xml', 'x.ddf', 'x.pkg1.json', 'x.pkg2.json', 'x.pkg3.json', 'x.dmmo.json', 'x.alert.json', 'x.dmtree.json', 'x.dmhttp', 'x.pkg0', 'x.pkg0.hex'];

// ---- mutations

type Mutation =
  | { op: 'set'; at: number; ch: string }
  | { op: 'insert'; at: number; s: string }
  | { op: 'repeat'; at: number; len: number; times: number }
  | { op: 'truncate'; at: number }
  | { op: 'delete'; at: number; len: number };

const SPECIAL = ['<', '[', '{', '"', '>', ']', '}', '</', '<!--', '<?', '<![CDATA[', ']]>', '&', '&#x', '\r\n', '\r', '\\', '/*', '//', ',', ':', '\u2028', '\ufeff', '\ud800', '--', '\r\n\r\n', 'Content-Type: multipart/form-data; boundary=b\r\n', '--b\r\n', 'Content-Length: 99999999\r\n', '%', '%E0%A4%A', '?', '/', '*', '[DevID]', '__proto__', 'constructor'];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), ch: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), s: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ unit: 'binary', maxLength: 8 })) }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 24 }), times: fc.oneof(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 1000, max: 100_000 })) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
);

function apply(text: string, m: Mutation): string {
  const at = text.length ? m.at % (text.length + 1) : 0;
  switch (m.op) {
    case 'set':
      return text.slice(0, at) + m.ch + text.slice(at + 1);
    case 'insert':
      return text.slice(0, at) + m.s + text.slice(at);
    case 'repeat': {
      const piece = text.slice(at, at + m.len) || '[';
      const times = Math.max(1, Math.min(m.times, Math.floor((MAX_INPUT - text.length) / piece.length)));
      return text.slice(0, at) + piece.repeat(times) + text.slice(at);
    }
    case 'truncate':
      return text.slice(0, at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.len);
  }
}

function describe(ms: Mutation[]): string {
  return ms.map((m) => (m.op === 'repeat' ? `repeat(${m.len}×${m.times})` : m.op === 'insert' ? `insert(${JSON.stringify(m.s).slice(0, 20)})` : m.op)).join(' ') || 'as is';
}

// ---- cases

interface Case {
  what: string;
  fileName: string;
  text: string;
  /** Fractions of the text where the editor requests are made. */
  at: number[];
}

const offsets = fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 3 });

const mutated: fc.Arbitrary<Case> = fc.record({ seed: fc.constantFrom(...seeds), as: fc.option(fc.constantFrom(...KINDS), { freq: 4 }), ms: fc.array(mutation, { minLength: 1, maxLength: 4 }), at: offsets }).map(({ seed, as, ms, at }) => {
  let text = seed.text;
  for (const m of ms) text = apply(text, m).slice(0, MAX_INPUT);
  const rel = path.relative(ROOT, seed.file);
  return { what: `${rel}${as ? ` as ${as}` : ''}: ${describe(ms)}`, fileName: as ? path.join(path.dirname(seed.file), as) : seed.file, text, at };
});

/** A Package#0 from random bytes, written as the editor and the CLI take it. */
const notification: fc.Arbitrary<Case> = fc.record({ bytes: fc.uint8Array({ maxLength: 600 }), form: fc.constantFrom('hex', 'base64', 'wap-push', 'raw-hex'), at: offsets }).map(({ bytes, form, at }) => {
  const b = Buffer.from(bytes);
  const text = form === 'hex' ? formatHex(bytes) : form === 'base64' ? b.toString('base64') : form === 'wap-push' ? formatHex(wrapWapPush(bytes)) : b.toString('hex');
  return { what: `Package#0 (${form}, ${bytes.length} bytes)`, fileName: form === 'base64' ? 'x.pkg0' : 'x.pkg0.hex', text, at };
});

/** A whole file from scratch: random text under every kind's name. */
const scratch: fc.Arbitrary<Case> = fc.record({ as: fc.constantFrom(...KINDS), text: fc.string({ unit: 'binary', maxLength: 400 }), at: offsets }).map(({ as, text, at }) => ({ what: `random text as ${as}`, fileName: path.join(ROOT, as), text, at }));

interface UriCase {
  what: string;
  uri: string;
}
const uri: fc.Arbitrary<UriCase> = fc.oneof(
  fc.record({ seed: fc.constantFrom(...(uriSeeds.length ? uriSeeds : ['urn:oma:mo:oma-dm-devinfo:1.0//'])), ms: fc.array(mutation, { maxLength: 4 }) }).map(({ seed, ms }) => ({ what: `URI ${seed.slice(0, 60)}: ${describe(ms)}`, uri: ms.reduce(apply, seed).slice(0, MAX_INPUT) })),
  fc.string({ unit: 'binary', maxLength: 300 }).map((s) => ({ what: 'random URI', uri: s })),
);

type Input = { file: Case } | { uri: UriCase };
const input: fc.Arbitrary<Input> = fc.oneof(
  { weight: 6, arbitrary: mutated.map((file) => ({ file })) },
  { weight: 1, arbitrary: notification.map((file) => ({ file })) },
  { weight: 1, arbitrary: scratch.map((file) => ({ file })) },
  { weight: 2, arbitrary: uri.map((u) => ({ uri: u })) },
);

// ---- running

interface Finding {
  entry: string;
  what: string;
  size: number;
  ms: number;
  error?: string;
  saved?: string;
}

const crashes: Finding[] = [];
const slow: Finding[] = [];
let tried = 0;
let worst: Finding | undefined;
let worstPerKb = 0;
const crashDir = path.join(os.tmpdir(), 'omadm-fuzz');

const treeFile = path.join(ROOT, 'examples', 'workspace', 'device.dmtree.json');
const service = new LanguageService();
service.setTrees([{ file: treeFile, text: fs.readFileSync(treeFile, 'utf8') }]);
let version = 0;

function run(entry: string, what: string, text: string, f: () => unknown): void {
  const t0 = performance.now();
  let error: string | undefined;
  try {
    f();
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 4).join('\n')}` : String(e);
  }
  const ms = performance.now() - t0;
  const finding: Finding = { entry, what, size: text.length, ms };
  const perKb = ms / Math.max(1, text.length / 1024);
  if (perKb > worstPerKb) {
    worstPerKb = perKb;
    worst = finding;
  }
  if (ms > SLOW_MS) slow.push(finding);
  if (error !== undefined) {
    fs.mkdirSync(crashDir, { recursive: true });
    const saved = path.join(crashDir, `crash-${crashes.length + 1}.txt`);
    fs.writeFileSync(saved, text);
    crashes.push({ ...finding, error, saved });
    console.error(`CRASH in ${entry} (${what}, ${text.length} chars, saved to ${saved}):\n  ${error.replace(/\n/g, '\n  ')}`);
  }
}

function fuzzFile(c: Case): void {
  run('analyzeText', c.what, c.text, () => analyzeText(c.text, { fileName: c.fileName }));
  if (/\.pkg0/.test(c.fileName)) run('analyzeNotification', c.what, c.text, () => analyzeNotification(c.text));
  const doc = { uri: `file://${c.fileName}`, version: ++version, text: c.text };
  const lines = new LineIndex(c.text);
  // The first request analyses the document (then cached): its time is the analysis's.
  run('diagnostics', c.what, c.text, () => service.diagnostics(doc));
  run('outline', c.what, c.text, () => service.symbols(doc));
  run('folding', c.what, c.text, () => service.folding(doc));
  for (const a of c.at) {
    const position = lines.positionAt(a % (c.text.length + 1));
    run('hover', c.what, c.text, () => service.hover(doc, position));
    run('completion', c.what, c.text, () => service.completion(doc, position));
  }
  service.forget(doc.uri);
}

function fuzzUri(u: UriCase): void {
  run('parseClientUri', u.what, u.uri, () => parseClientUri(u.uri));
  run('checkServerUri', u.what, u.uri, () => checkServerUri(u.uri));
}

// Every seed once as it is and under every kind's name: a crash there counts, but not the time of
// compiling the schemas and the code on first use.
for (const sd of seeds) {
  fuzzFile({ what: path.relative(ROOT, sd.file), fileName: sd.file, text: sd.text, at: [0, sd.text.length >> 1] });
  for (const k of KINDS) fuzzFile({ what: `${path.relative(ROOT, sd.file)} as ${k}`, fileName: path.join(path.dirname(sd.file), k), text: sd.text, at: [sd.text.length] });
}
for (const u of uriSeeds) fuzzUri({ what: u, uri: u });
slow.length = 0;
worst = undefined;
worstPerKb = 0;

const started = performance.now();
console.log(`fuzz: seed ${seed}, ${seeds.length} seed files, ${uriSeeds.length} seed URIs, ${Number.isFinite(seconds) ? `${seconds} s` : 'no time bound'}, at most ${numRuns} inputs`);
let lastReport = started;
fc.assert(
  fc.property(input, (i) => {
    tried++;
    if ('file' in i) fuzzFile(i.file);
    else fuzzUri(i.uri);
    const now = performance.now();
    if (now - lastReport > 30_000) {
      lastReport = now;
      console.log(`  ${tried} inputs, ${crashes.length} crashes, ${slow.length} over ${SLOW_MS} ms (${Math.round((now - started) / 1000)} s)`);
    }
    return true;
  }),
  { seed, numRuns, ...(Number.isFinite(seconds) ? { interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false } : {}) },
);

const elapsed = (performance.now() - started) / 1000;
console.log(`fuzz: ${tried} inputs tried in ${elapsed.toFixed(1)} s`);
console.log(`  crashes: ${crashes.length}`);
console.log(`  inputs over ${SLOW_MS} ms: ${slow.length}`);
for (const s of slow.sort((a, b) => b.ms - a.ms).slice(0, 10)) console.log(`    ${s.ms.toFixed(0)} ms  ${s.entry}  ${s.size} chars  ${s.what}`);
// Assigned inside the property, which the compiler's narrowing does not follow.
const w = worst as Finding | undefined;
if (w) console.log(`  worst time per kilobyte: ${worstPerKb.toFixed(2)} ms/KB (${w.entry}, ${w.ms.toFixed(1)} ms on ${w.size} chars: ${w.what})`);
for (const c of crashes.slice(0, 20)) console.log(`  CRASH ${c.entry}: ${c.what} (${c.saved})\n    ${c.error!.split('\n')[0]}`);
process.exitCode = crashes.length ? 1 : 0;
