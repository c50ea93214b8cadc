/**
 * Where documents are validated. A small open document is validated on the main thread at once
 * (a few milliseconds, and its analysis then serves hover and completion too); a large one, and
 * every file of a workspace pass, goes to the validation worker, one at a time, open documents
 * first. A newer version of a document waiting in the queue replaces the older one, whose caller
 * learns that its result would be stale. Results computed against sample trees that changed
 * meanwhile are computed again. Without a worker (it could not start, or failed too often) the
 * same queue runs on the main thread, one document per turn of the event loop.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { LanguageService, TextDocumentInput, ValidationResult } from '../language/service.js';
import type { FromWorker, SignatureQuery, ToWorker } from './worker.js';
import { type TreeInput, ddfMap } from './trees.js';
import { indexUris } from '../language/clientUriIndex.js';
import { type Log, formatError } from './runner.js';
import { noteWellFormed } from '../core/tree/load.js';

export type Priority = 'open' | 'workspace';

interface Job {
  doc: TextDocumentInput;
  priority: Priority;
  siblings: Record<string, string>;
  resolve: (r: ValidationResult | undefined) => void;
}

export interface ValidatorOptions {
  /** The file the worker thread runs (the server's entry point); no worker when absent. */
  workerFile?: string;
  /** Open documents up to this length are validated on the main thread. */
  inlineLength: number;
  log: Log;
  /** The text of an open document by file name, for a Package#3's sibling Package#2. */
  openText: (file: string) => string | undefined;
}

/** How often a worker that died is started again before its work moves to the main thread. */
const MAX_RESTARTS = 3;

export class Validator {
  private worker: Worker | undefined;
  private restarts = 0;
  private queue: Job[] = [];
  private inFlight: { id: number; job: Job } | undefined;
  private nextId = 1;
  private generation = 0;
  /** The generation from which the DDFs are what they are now. */
  private ddfsSince = 0;
  private trees: TreeInput = { files: [], ddfs: [] };
  private pumping = false;
  /** Milliseconds the last validation of each document took: how long its next edits wait. */
  readonly cost = new Map<string, number>();

  constructor(
    private readonly service: LanguageService,
    private readonly options: ValidatorOptions,
  ) {
    this.startWorker();
  }

  /** Bumped with every tree set: a result of an older generation is stale. */
  get treeGeneration(): number {
    return this.generation;
  }

  private startWorker(): void {
    const file = this.options.workerFile;
    if (!file || this.restarts > MAX_RESTARTS) return;
    try {
      // The worker inherits no debugger port (the parent's --inspect would collide) and never
      // writes to the LSP channel: its stdout and stderr are read here and logged.
      const w = new Worker(file, { workerData: { omadmValidator: true }, stdout: true, stderr: true, execArgv: process.execArgv.filter((a) => !a.startsWith('--inspect')) });
      w.stdout.on('data', (d) => this.options.log(`omadm validation worker: ${String(d).trimEnd()}`));
      w.stderr.on('data', (d) => this.options.log(`omadm validation worker: ${String(d).trimEnd()}`));
      w.on('message', (m: FromWorker) => this.onMessage(m));
      w.on('error', (e) => this.options.log(formatError('the validation worker', e)));
      w.on('exit', (code) => this.onExit(w, code));
      w.unref();
      this.worker = w;
      if (this.trees.files.length || this.trees.ddfs.length) this.post({ type: 'trees', generation: this.generation, ...this.trees });
    } catch (e) {
      this.options.log(formatError('starting the validation worker', e));
      this.worker = undefined;
    }
  }

  private onExit(w: Worker, code: number): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    const lost = this.inFlight;
    this.inFlight = undefined;
    if (code !== 0 || lost) this.options.log(`omadm: the validation worker stopped (exit code ${code})${lost ? ` while validating ${lost.job.doc.uri}` : ''}.`);
    // The document it died on is not tried again: it would take the next worker (or the main thread) down too.
    lost?.job.resolve(undefined);
    for (const done of this.signatureRequests.values()) done(undefined);
    this.signatureRequests.clear();
    this.restarts++;
    this.startWorker();
    this.pump();
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
    for (const j of this.queue.splice(0)) j.resolve(undefined);
  }

  private post(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  /** The sample trees changed: both threads rebuild them from the same texts. */
  setTrees(input: TreeInput): void {
    const ddfsChanged = input.ddfs.length !== this.trees.ddfs.length || input.ddfs.some((d, i) => d.file !== this.trees.ddfs[i]!.file || d.text !== this.trees.ddfs[i]!.text);
    this.trees = input;
    this.generation++;
    if (ddfsChanged) this.ddfsSince = this.generation;
    this.service.setTrees(input.files, input.serverId, ddfMap(input.ddfs));
    this.post({ type: 'trees', generation: this.generation, ...input });
  }

  private siblingsOf(doc: TextDocumentInput): Record<string, string> {
    if (!doc.uri.startsWith('file:') || !/\.pkg3\.json$/i.test(doc.uri)) return {};
    const file = fileURLToPath(doc.uri).replace(/\.pkg3\.json$/i, (x) => x.replace(/3/, '2'));
    const text = this.options.openText(file);
    return text === undefined ? {} : { [file]: text };
  }

  /** Whether an open document of this length is validated in the worker (else on the main thread, at once). */
  inWorker(length: number): boolean {
    return length > this.options.inlineLength && !!this.worker;
  }

  /**
   * Validates `doc`; undefined when a newer version of it came in meanwhile (the result would be
   * stale) or its validation failed.
   */
  validate(doc: TextDocumentInput, priority: Priority): Promise<ValidationResult | undefined> {
    if (priority === 'open' && !this.inWorker(doc.text.length)) {
      const started = performance.now();
      try {
        const result = this.service.validate(doc, true);
        this.cost.set(doc.uri, performance.now() - started);
        return Promise.resolve(result);
      } catch (e) {
        this.options.log(formatError(`validating ${doc.uri}`, e));
        return Promise.resolve(undefined);
      }
    }
    return new Promise((resolve) => {
      const job: Job = { doc, priority, siblings: this.siblingsOf(doc), resolve };
      const same = this.queue.findIndex((j) => j.doc.uri === doc.uri);
      if (same >= 0) {
        const waiting = this.queue.splice(same, 1)[0]!;
        // The same text asked for twice (an open document's, which the workspace pass reads from
        // disk too) is validated once for both: were one dropped for the other, an open document
        // could be left without its diagnostics. Another text is newer: the waiting one is stale.
        if (waiting.doc.text === doc.text) merge(job, waiting);
        else waiting.resolve(undefined);
      }
      // Open documents go before the workspace pass; each kind in the order asked.
      const at = job.priority === 'open' ? this.queue.findIndex((j) => j.priority !== 'open') : -1;
      if (at < 0) this.queue.push(job);
      else this.queue.splice(at, 0, job);
      this.pump();
    });
  }

  /** Jobs still waiting, the one in flight included. */
  get pending(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  private pump(): void {
    if (this.inFlight || !this.queue.length) return;
    if (this.worker) {
      const job = this.queue.shift()!;
      const id = this.nextId++;
      this.inFlight = { id, job };
      this.post({ type: 'validate', id, doc: job.doc, siblings: job.siblings });
      return;
    }
    // No worker: one job per turn of the event loop, so that requests are served in between.
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      const job = this.queue.shift();
      if (!job) return;
      const started = performance.now();
      try {
        job.resolve(this.service.validate(job.doc, job.priority === 'open'));
      } catch (e) {
        this.options.log(formatError(`validating ${job.doc.uri}`, e));
        job.resolve(undefined);
      }
      this.cost.set(job.doc.uri, performance.now() - started);
      this.pump();
    });
  }

  private readonly signatureRequests = new Map<number, (r: Record<string, string> | undefined) => void>();

  /**
   * What the current trees make of each document's ClientURIs (see LanguageService
   * resolutionSignature), computed where validation runs; undefined when the trees changed again
   * meanwhile.
   */
  signatures(docs: SignatureQuery[]): Promise<Record<string, string> | undefined> {
    if (!this.worker) {
      const out: Record<string, string> = {};
      for (const d of docs) out[d.key] = this.service.resolutionSignature(indexUris(d.index));
      return Promise.resolve(out);
    }
    const id = this.nextId++;
    const generation = this.generation;
    return new Promise((resolve) => {
      this.signatureRequests.set(id, (r) => resolve(generation === this.generation ? r : undefined));
      this.post({ type: 'signatures', id, docs });
    });
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'signatures') {
      const done = this.signatureRequests.get(m.id);
      this.signatureRequests.delete(m.id);
      done?.(m.generation === this.generation ? m.signatures : undefined);
      return;
    }
    const flight = this.inFlight;
    if (!flight || flight.id !== m.id) return;
    this.inFlight = undefined;
    if (m.type === 'error') {
      this.options.log(formatError(`validating ${flight.job.doc.uri}`, m.message));
      flight.job.resolve(undefined);
    } else if (m.generation !== this.generation && !treesIndependent(m.result, m.generation >= this.ddfsSince)) {
      // Validated against trees that have changed since: again, ahead of the rest. A request for
      // the same document waiting meanwhile answers this one too when it holds the same text;
      // holding another, it is newer, and this one is stale.
      const same = this.queue.findIndex((j) => j.doc.uri === flight.job.doc.uri);
      if (same < 0) this.queue.unshift(flight.job);
      else if (this.queue[same]!.doc.text === flight.job.doc.text) {
        const waiting = this.queue.splice(same, 1)[0]!;
        merge(waiting, flight.job);
        this.queue.unshift(waiting);
      } else flight.job.resolve(undefined);
    } else {
      this.cost.set(flight.job.doc.uri, m.ms);
      const file = m.result.wellFormedTree && fileOf(flight.job.doc.uri);
      if (file) noteWellFormed(file, flight.job.doc.text);
      flight.job.resolve(m.result);
    }
    this.pump();
  }
}

/** `job` answers `other` too (the same document and text): one validation, both resolved, the higher priority kept. */
function merge(job: Job, other: Job): void {
  const mine = job.resolve;
  job.resolve = (r) => {
    other.resolve(r);
    mine(r);
  };
  if (other.priority === 'open') job.priority = 'open';
}

/**
 * Whether a result stays true under other sample trees: the document holds no ClientURI and is not
 * judged against the trees as a whole (a notification's digest, a Package#3's predicted statuses);
 * a tree file, judged against the DDFs, only while they are the same. The server's tree rebuild
 * keeps the diagnostics of such documents by the same rule; a keystroke in a sample tree rebuilds
 * the trees, and its own validation, which comes back after that, is not made again for nothing.
 */
function treesIndependent(result: ValidationResult, sameDdfs: boolean): boolean {
  if (result.clientUris.count || /\.(pkg0|pkg0\.hex|pkg3\.json)$/i.test(result.uri)) return false;
  return sameDdfs || !/\.dmtree\.json$/i.test(result.uri);
}

/** The file a URI names, as the sample trees name their files; undefined for another scheme or a malformed URI. */
function fileOf(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}
