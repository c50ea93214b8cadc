/**
 * The language service: documents in, diagnostics, hover, completion, code actions, outline and
 * folding out, as plain LSP data. It knows nothing of the connection; the LSP server and tests
 * drive it. Analyses are cached per document version, so a hover after a keystroke costs nothing.
 */
import * as lsp from 'vscode-languageserver-types';
import { fileURLToPath } from 'node:url';
import { type Analysis, type AnalyzeEnv, analyzeText } from '../core/analyze.js';
import { LineIndex } from '../core/text/lineIndex.js';
import { SOURCE, type Diagnostic } from '../core/diagnostic.js';
import { hoverAt } from './hover.js';
import { completeAt } from './completion.js';
import { documentSymbols, foldingRanges } from './structure.js';
import { notificationInlayHints, notificationTokens } from './notification.js';

export interface TextDocumentInput {
  uri: string;
  languageId?: string;
  version: number;
  text: string;
}

interface Entry {
  version: number;
  text: string;
  languageId: string | undefined;
  analysis: Analysis;
  lines: LineIndex;
}

const SEVERITY: Record<Diagnostic['severity'], lsp.DiagnosticSeverity> = {
  error: lsp.DiagnosticSeverity.Error,
  warning: lsp.DiagnosticSeverity.Warning,
  information: lsp.DiagnosticSeverity.Information,
  hint: lsp.DiagnosticSeverity.Hint,
};

/** Semantic token types, in the order of the kinds the notification tokens use. */
export const SEMANTIC_TOKEN_TYPES = ['keyword', 'type', 'string', 'comment'];

export class LanguageService {
  private readonly cache = new Map<string, Entry>();

  constructor(private readonly env: AnalyzeEnv = {}) {}

  private entry(doc: TextDocumentInput): Entry {
    const hit = this.cache.get(doc.uri);
    if (hit && hit.version === doc.version && hit.text === doc.text && hit.languageId === doc.languageId) return hit;
    const fileName = doc.uri.startsWith('file:') ? fileURLToPath(doc.uri) : decodeURIComponent(doc.uri.replace(/[?#].*$/, ''));
    const analysis = analyzeText(doc.text, { fileName, ...(doc.languageId ? { languageId: doc.languageId } : {}) }, this.env);
    const e: Entry = { version: doc.version, text: doc.text, languageId: doc.languageId, analysis, lines: new LineIndex(doc.text) };
    this.cache.set(doc.uri, e);
    return e;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  /** Whether the document is one of the product's file kinds (a plain .xml with another root is not). */
  recognised(doc: TextDocumentInput): boolean {
    return this.entry(doc).analysis.recognised;
  }

  analysis(doc: TextDocumentInput): Analysis {
    return this.entry(doc).analysis;
  }

  private range(e: Entry, start: number, end: number): lsp.Range {
    return { start: e.lines.positionAt(start), end: e.lines.positionAt(end) };
  }

  diagnostics(doc: TextDocumentInput): lsp.Diagnostic[] {
    const e = this.entry(doc);
    return e.analysis.diagnostics.map((d) => ({
      range: this.range(e, d.start, d.end),
      severity: SEVERITY[d.severity],
      code: d.code,
      source: SOURCE,
      message: d.message,
    }));
  }

  hover(doc: TextDocumentInput, position: lsp.Position): lsp.Hover | null {
    const e = this.entry(doc);
    const h = hoverAt(e.analysis, e.lines.offsetAt(position));
    return h ? { contents: { kind: lsp.MarkupKind.Markdown, value: h.markdown }, range: this.range(e, h.start, h.end) } : null;
  }

  completion(doc: TextDocumentInput, position: lsp.Position): lsp.CompletionItem[] {
    const e = this.entry(doc);
    return completeAt(e.analysis, e.lines.offsetAt(position)).map((c) => {
      const { insertText, ...item } = c.item;
      return { ...item, textEdit: { range: this.range(e, c.start, c.end), newText: insertText ?? item.label } };
    });
  }

  /** Quick fixes of the core's diagnostics that the client reports at `range`. */
  codeActions(doc: TextDocumentInput, range: lsp.Range, reported: lsp.Diagnostic[]): lsp.CodeAction[] {
    const e = this.entry(doc);
    const actions: lsp.CodeAction[] = [];
    const from = e.lines.offsetAt(range.start);
    const to = e.lines.offsetAt(range.end);
    for (const d of e.analysis.diagnostics) {
      if (!d.fixes?.length || d.end < from || d.start > to) continue;
      const lspDiag = reported.find((r) => r.code === d.code && e.lines.offsetAt(r.range.start) === d.start && e.lines.offsetAt(r.range.end) === d.end);
      if (!lspDiag) continue;
      for (const fix of d.fixes) {
        actions.push({
          title: fix.title,
          kind: lsp.CodeActionKind.QuickFix,
          diagnostics: [lspDiag],
          isPreferred: !!fix.preferred,
          edit: { changes: { [doc.uri]: fix.edits.map((t) => ({ range: this.range(e, t.start, t.end), newText: t.newText })) } },
        });
      }
    }
    return actions;
  }

  symbols(doc: TextDocumentInput): lsp.DocumentSymbol[] {
    const e = this.entry(doc);
    return documentSymbols(e.analysis, e.lines);
  }

  inlayHints(doc: TextDocumentInput, range: lsp.Range): lsp.InlayHint[] {
    const e = this.entry(doc);
    const from = e.lines.offsetAt(range.start);
    const to = e.lines.offsetAt(range.end);
    return e.analysis.regions.flatMap((r) =>
      r.type !== 'notification'
        ? []
        : notificationInlayHints(r)
            .filter((h) => h.offset >= from && h.offset <= to)
            .map((h) => ({ position: e.lines.positionAt(h.offset), label: h.label, paddingRight: h.before, paddingLeft: !h.before })),
    );
  }

  /** Semantic tokens, LSP-encoded: 0 header, 1 option header, 2 option value, 3 WAP Push header (see SEMANTIC_TOKEN_TYPES). */
  semanticTokens(doc: TextDocumentInput): number[] {
    const e = this.entry(doc);
    const data: number[] = [];
    let line = 0;
    let char = 0;
    for (const r of e.analysis.regions) {
      if (r.type !== 'notification') continue;
      for (const t of notificationTokens(r)) {
        const p = e.lines.positionAt(t.start);
        const end = e.lines.positionAt(t.end);
        if (end.line !== p.line) continue;
        data.push(p.line - line, p.line === line ? p.character - char : p.character, end.character - p.character, t.kind, 0);
        line = p.line;
        char = p.character;
      }
    }
    return data;
  }

  folding(doc: TextDocumentInput): lsp.FoldingRange[] {
    const e = this.entry(doc);
    return foldingRanges(e.analysis, e.lines);
  }
}
