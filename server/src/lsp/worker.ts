/**
 * The validation worker: a thread of its own that validates documents (schema, rules, sample
 * trees) so that a large package or a pass over the workspace never blocks hover, completion or
 * any other request on the server's main thread. It holds its own copy of the sample trees, built
 * from the same texts as the main thread's. It writes nothing to stdout or stderr (stdout is the
 * LSP channel); faults go back to the main thread, which logs them.
 */
import { parentPort } from 'node:worker_threads';
import * as fs from 'node:fs';
import type { TextDocumentInput, ValidationResult } from '../language/service.js';
import { ScenarioLanguageService } from '../language/scenarioService.js';
import { type TreeInput, ddfMap } from './trees.js';
import { type ClientUriIndex, indexUris } from '../language/clientUriIndex.js';

/** The ClientURIs of one document, to judge again against a new tree set. */
export interface SignatureQuery {
  key: string;
  index: ClientUriIndex;
}

export type ToWorker =
  | ({ type: 'trees'; generation: number } & TreeInput)
  | { type: 'validate'; id: number; doc: TextDocumentInput; siblings: Record<string, string> }
  | { type: 'signatures'; id: number; docs: SignatureQuery[] };

export type FromWorker =
  | { type: 'result'; id: number; generation: number; result: ValidationResult; ms: number }
  | { type: 'signatures'; id: number; generation: number; signatures: Record<string, string> }
  | { type: 'error'; id: number; message: string };

export function runValidationWorker(): void {
  const port = parentPort;
  if (!port) return;
  let siblings: Record<string, string> = {};
  const service = new ScenarioLanguageService({
    readSibling: (file) => {
      if (Object.prototype.hasOwnProperty.call(siblings, file)) return siblings[file];
      try {
        return fs.readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  let generation = 0;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'trees') {
      generation = m.generation;
      service.setTrees(m.files, m.serverId, ddfMap(m.ddfs));
      return;
    }
    if (m.type === 'signatures') {
      const signatures: Record<string, string> = {};
      for (const d of m.docs) signatures[d.key] = service.resolutionSignature(indexUris(d.index));
      port.postMessage({ type: 'signatures', id: m.id, generation, signatures } satisfies FromWorker);
      return;
    }
    const started = performance.now();
    try {
      siblings = m.siblings;
      const result = service.validate(m.doc, false);
      port.postMessage({ type: 'result', id: m.id, generation, result, ms: performance.now() - started } satisfies FromWorker);
    } catch (e) {
      port.postMessage({ type: 'error', id: m.id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker);
    } finally {
      siblings = {};
    }
  });
}
