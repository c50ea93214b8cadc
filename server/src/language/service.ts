/**
 * The language service: documents in, diagnostics, hover, completion, code actions, outline and
 * folding out, as plain LSP data. It knows nothing of the connection; the LSP server and tests
 * drive it. Analyses are cached per document version, so a hover after a keystroke costs nothing.
 */
import * as lsp from 'vscode-languageserver-types';
import { fileURLToPath } from 'node:url';
import { type Analysis, type AnalyzeEnv, analyzeText, regionAt } from '../core/analyze.js';
import { findNodeAtOffset, getNodePath } from 'jsonc-parser';
import { pathToFileURL } from 'node:url';
import { loadTrees } from '../core/tree/load.js';
import { resolveClientUri } from '../core/tree/resolve.js';
import { clientUris, type TreeContext } from '../core/tree/check.js';
import type { TreeNode } from '../core/tree/model.js';
import type { Ddf } from '../core/tree/ddf.js';
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
  generation: number;
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

  /** Bumped when the sample trees change: every analysis is then stale. */
  private generation = 0;
  private trees?: { ctx: TreeContext; files: Map<string, LineIndex> };
  private ddfs?: ReadonlyMap<string, Ddf>;

  constructor(private readonly env: AnalyzeEnv = {}) {}

  /** Loads the workspace's sample trees (`*.dmtree.json`); ClientURIs are resolved against them from now on. */
  setTrees(files: { file: string; text: string }[], serverId?: string, ddfs?: ReadonlyMap<string, Ddf>): void {
    const { tree } = loadTrees(files);
    const label = files.length === 1 ? files[0]!.file.split(/[\\/]/).pop()! : `${files.length} sample trees`;
    this.ddfs = ddfs;
    this.trees = files.length ? { ctx: { tree, label, ...(serverId ? { serverId } : {}), ...(ddfs ? { ddfs } : {}) }, files: new Map(files.map((f) => [f.file, new LineIndex(f.text)])) } : undefined;
    this.generation++;
  }

  treeStatus(): { files: string[]; instances: number; serverId?: string } {
    return { files: [...(this.trees?.files.keys() ?? [])], instances: this.trees?.ctx.tree.all().length ?? 0, ...(this.trees?.ctx.serverId ? { serverId: this.trees.ctx.serverId } : {}) };
  }

  private analyzeOnce(doc: TextDocumentInput): Entry {
    const fileName = doc.uri.startsWith('file:') ? fileURLToPath(doc.uri) : doc.uri;
    const analysis = analyzeText(doc.text, { fileName, ...(doc.languageId ? { languageId: doc.languageId } : {}) }, { ...this.env, ...(this.ddfs ? { ddfs: this.ddfs } : {}) });
    return { generation: this.generation, version: doc.version, text: doc.text, languageId: doc.languageId, analysis, lines: new LineIndex(doc.text) };
  }

  private entry(doc: TextDocumentInput): Entry {
    const hit = this.cache.get(doc.uri);
    if (hit && hit.generation === this.generation && hit.version === doc.version && hit.text === doc.text && hit.languageId === doc.languageId) return hit;
    const fileName = doc.uri.startsWith('file:') ? fileURLToPath(doc.uri) : decodeURIComponent(doc.uri.replace(/[?#].*$/, ''));
    const env: AnalyzeEnv = { ...this.env, ...(this.trees ? { trees: this.trees.ctx } : {}), ...(this.ddfs ? { ddfs: this.ddfs } : {}) };
    const analysis = analyzeText(doc.text, { fileName, ...(doc.languageId ? { languageId: doc.languageId } : {}) }, env);
    const e: Entry = { generation: this.generation, version: doc.version, text: doc.text, languageId: doc.languageId, analysis, lines: new LineIndex(doc.text) };
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
    const h = hoverAt(e.analysis, e.lines.offsetAt(position), this.trees?.ctx);
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

  private location(n: TreeNode): lsp.Location | undefined {
    const src = n.source;
    const lines = src && this.trees?.files.get(src.file);
    if (!src || !lines) return undefined;
    return { uri: pathToFileURL(src.file).href, range: { start: lines.positionAt(src.keyStart), end: lines.positionAt(src.keyEnd) } };
  }

  /** Go to definition: the tree nodes a ClientURI in a package addresses (several for wildcards). */
  definition(doc: TextDocumentInput, position: lsp.Position): lsp.Location[] {
    const e = this.entry(doc);
    const offset = e.lines.offsetAt(position);
    const region = regionAt(e.analysis, offset);
    if (!this.trees || region?.type !== 'package' || !region.json.tree) return [];
    const node = findNodeAtOffset(region.json.tree, offset - region.json.from, true);
    if (node?.type !== 'string') return [];
    const path = getNodePath(node);
    const known = clientUris(region.kind, region.json.value).find((c) => JSON.stringify(c.path) === JSON.stringify(path));
    if (!known) return [];
    return resolveClientUri(this.trees.ctx.tree, known.uri).nodes.map((n) => this.location(n)).filter((l): l is lsp.Location => !!l);
  }

  /** Find references from a node of a tree file: the ClientURIs in `documents` that address it. */
  references(doc: TextDocumentInput, position: lsp.Position, documents: TextDocumentInput[]): lsp.Location[] {
    if (!this.trees) return [];
    const e = this.entry(doc);
    const offset = e.lines.offsetAt(position);
    const fileName = doc.uri.startsWith('file:') ? fileURLToPath(doc.uri) : doc.uri;
    let target: TreeNode | undefined;
    for (const inst of this.trees.ctx.tree.all()) {
      if (inst.source?.file !== fileName) continue;
      const stack: TreeNode[] = [inst.root];
      while (stack.length && !target) {
        const n = stack.pop()!;
        if (n.source && offset >= n.source.keyStart && offset <= n.source.keyEnd) target = n;
        for (const c of n.children?.values() ?? []) stack.push(c);
      }
    }
    if (!target) return [];
    const out: lsp.Location[] = [];
    for (const d of documents) {
      // Open documents come from the cache; files read from disk for this request are not kept.
      const de = this.cache.has(d.uri) ? this.entry(d) : this.analyzeOnce(d);
      for (const r of de.analysis.regions) {
        if (r.type !== 'package') continue;
        for (const c of clientUris(r.kind, r.json.value)) {
          if (!resolveClientUri(this.trees.ctx.tree, c.uri).nodes.includes(target)) continue;
          const span = r.json.range(c.path);
          out.push({ uri: d.uri, range: this.range(de, span.start, span.end) });
        }
      }
    }
    return out;
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
