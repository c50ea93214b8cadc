/**
 * The language service with scenario files (`*.dmflow.json`, docs/scenarios.md): those documents
 * get their diagnostics, hover, completion and go to definition from scenario.ts; every other
 * document is the base service's. The files a scenario names are read like a Package#3's sibling:
 * an open editor's text first, then the disk.
 */
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as lsp from 'vscode-languageserver-types';
import type { AnalyzeEnv } from '../core/analyze.js';
import { SOURCE, type Diagnostic } from '../core/diagnostic.js';
import { LineIndex } from '../core/text/lineIndex.js';
import { encodeIndex } from './clientUriIndex.js';
import { LanguageService, MAX_DIAGNOSTICS, type ServiceOptions, type TextDocumentInput, type ValidationResult } from './service.js';
import { SCENARIO_NAME, type ScenarioAnalysis, type ScenarioFiles, analyzeScenario, scenarioCompletion, scenarioDefinition, scenarioHover } from './scenario.js';

const SEVERITY: Record<Diagnostic['severity'], lsp.DiagnosticSeverity> = {
  error: lsp.DiagnosticSeverity.Error,
  warning: lsp.DiagnosticSeverity.Warning,
  information: lsp.DiagnosticSeverity.Information,
  hint: lsp.DiagnosticSeverity.Hint,
};

interface Cached {
  version: number;
  text: string;
  analysis: ScenarioAnalysis;
  lines: LineIndex;
}

/** Whether a document is a scenario: by the name its URI ends with (query and fragment aside, RFC 3986 3.4, 3.5). */
export function isScenarioUri(uri: string): boolean {
  const q = uri.search(/[?#]/);
  return SCENARIO_NAME.test(q < 0 ? uri : uri.slice(0, q));
}

function fileOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export class ScenarioLanguageService extends LanguageService {
  private readonly scenarios = new Map<string, Cached>();
  private readonly files: ScenarioFiles;

  constructor(env: AnalyzeEnv = {}, options: ServiceOptions = {}) {
    super(env, options);
    const read = env.readSibling ?? ((f: string) => {
      try {
        return fs.readFileSync(f, 'utf8');
      } catch {
        return undefined;
      }
    });
    this.files = {
      read,
      isDirectory: (dir) => {
        try {
          return fs.statSync(dir).isDirectory();
        } catch {
          return false;
        }
      },
    };
  }

  /** The scenario's analysis for this version; the files it names are read again with every version. */
  private scenario(doc: TextDocumentInput, keep = true): Cached {
    const hit = this.scenarios.get(doc.uri);
    if (hit && hit.version === doc.version && hit.text === doc.text) return hit;
    const c: Cached = { version: doc.version, text: doc.text, analysis: analyzeScenario(doc.text, fileOf(doc.uri), this.files), lines: new LineIndex(doc.text) };
    if (keep) this.scenarios.set(doc.uri, c);
    return c;
  }

  private lspRange(c: Cached, start: number, end: number): lsp.Range {
    return { start: c.lines.positionAt(start), end: c.lines.positionAt(end) };
  }

  override forget(uri: string): void {
    this.scenarios.delete(uri);
    super.forget(uri);
  }

  override recognised(doc: TextDocumentInput): boolean {
    return isScenarioUri(doc.uri) || super.recognised(doc);
  }

  override diagnostics(doc: TextDocumentInput): lsp.Diagnostic[] {
    return isScenarioUri(doc.uri) ? this.validate(doc).diagnostics : super.diagnostics(doc);
  }

  override validate(doc: TextDocumentInput, keep = true): ValidationResult {
    if (!isScenarioUri(doc.uri)) return super.validate(doc, keep);
    // Always read afresh for validation: a tree or package it names may have changed on disk.
    this.scenarios.delete(doc.uri);
    const c = this.scenario(doc, keep);
    const diagnostics: lsp.Diagnostic[] = c.analysis.diagnostics.slice(0, MAX_DIAGNOSTICS).map((d) => ({ range: this.lspRange(c, d.start, d.end), severity: SEVERITY[d.severity], code: d.code, source: SOURCE, message: d.message }));
    // Its ClientURIs join the workspace index: find references from a tree node lists the checks that address it.
    const written = c.analysis.clientUris.map((u) => ({ uri: u.uri, range: this.lspRange(c, u.start, u.end), nodes: u.nodes }));
    // No quick fixes for these diagnostics: `core` stays empty, so code actions find none to offer.
    return { uri: doc.uri, version: doc.version, recognised: true, diagnostics, core: [], clientUris: encodeIndex(written), signature: this.resolutionSignature(written) };
  }

  override hover(doc: TextDocumentInput, position: lsp.Position): lsp.Hover | null {
    if (!isScenarioUri(doc.uri)) return super.hover(doc, position);
    const c = this.scenario(doc);
    const h = scenarioHover(c.analysis, c.lines.offsetAt(position));
    return h ? { contents: { kind: lsp.MarkupKind.Markdown, value: h.markdown }, range: this.lspRange(c, h.start, h.end) } : null;
  }

  override completion(doc: TextDocumentInput, position: lsp.Position): lsp.CompletionItem[] {
    if (!isScenarioUri(doc.uri)) return super.completion(doc, position);
    const c = this.scenario(doc);
    return scenarioCompletion(c.analysis, c.lines.offsetAt(position)).map((x) => ({
      label: x.label,
      kind: lsp.CompletionItemKind.Value,
      detail: x.detail,
      ...(x.documentation ? { documentation: { kind: lsp.MarkupKind.Markdown, value: x.documentation } } : {}),
      // VS Code filters by the text from the start of the edit: a quoted one when a string is replaced.
      filterText: x.insertText,
      textEdit: { range: this.lspRange(c, x.start, x.end), newText: x.insertText },
    }));
  }

  override definition(doc: TextDocumentInput, position: lsp.Position): lsp.Location[] {
    if (!isScenarioUri(doc.uri)) return super.definition(doc, position);
    const c = this.scenario(doc);
    const file = scenarioDefinition(c.analysis, c.lines.offsetAt(position));
    return file && this.files.read(file) !== undefined ? [{ uri: pathToFileURL(file).href, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }] : [];
  }
}
