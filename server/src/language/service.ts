/**
 * The language service: documents in, diagnostics, hover, completion, code actions, formatting,
 * outline and folding out, as plain LSP data. It knows nothing of the connection; the LSP server
 * and tests drive it. Analyses are cached per document version, so a hover after a keystroke
 * costs nothing; a large document is read for the editor's features without being validated
 * (its validation runs elsewhere, see `validate` and the server's validation worker).
 */
import * as lsp from 'vscode-languageserver-types';
import { fileURLToPath } from 'node:url';
import { type Analysis, type AnalyzeEnv, type AnalyzeOptions, analyzeText, isTreeFile, regionAt } from '../core/analyze.js';
import { type TreeSnapshot, revalidateTreeEdit } from './treeEdit.js';
import { retypedToken } from '../core/json/edit.js';
import { noteValidJson } from '../core/json/document.js';
import { findNodeAtOffset, getNodePath } from 'jsonc-parser';
import { pathToFileURL } from 'node:url';
import { loadTrees, nodeAtOffset, noteWellFormed } from '../core/tree/load.js';
import { resolveClientUri, resolveIn } from '../core/tree/resolve.js';
import { clientUris, type TreeContext } from '../core/tree/check.js';
import type { DmTree, TreeNode } from '../core/tree/model.js';
import type { Ddf } from '../core/tree/ddf.js';
import { LineIndex } from '../core/text/lineIndex.js';
import { SOURCE, type Diagnostic } from '../core/diagnostic.js';
import { fixAll, fixesFor } from './codeActions.js';
import { type FormatKind, type FormatOptions, formatText } from './format.js';
import { type ClientUriIndex, type IndexedClientUri, encodeIndex } from './clientUriIndex.js';

export type { ClientUriIndex, IndexedClientUri };
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
  /** Validated (diagnostics, tree checks) or only read for the editor's features. */
  validated: boolean;
}

/**
 * At most this many diagnostics are published per document, the most severe first, then one
 * information diagnostic saying how many more there are: a hostile document with hundreds of
 * thousands of problems must not become a message of megabytes that the editor cannot list.
 */
export const MAX_DIAGNOSTICS = 1000;

const RANK: Record<Diagnostic['severity'], number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** Tree files whose last validation is kept for their next keystroke. */
const TREE_SNAPSHOTS = 4;

/** Past this many nodes a ClientURI's selection is not kept in the index. */
const MAX_INDEXED_NODES = 200;

/** What validating a document gives: plain data, so that it can come from another thread. */
export interface ValidationResult {
  uri: string;
  version: number;
  recognised: boolean;
  diagnostics: lsp.Diagnostic[];
  /** The core's diagnostics with their fixes, as offsets into the validated text. */
  core: Diagnostic[];
  /** The ClientURIs it holds, for the workspace index. */
  clientUris: ClientUriIndex;
  /** What the sample trees made of those ClientURIs: when a new tree set gives the same, so do the diagnostics. */
  signature: string;
  /** A sample tree file whose text is JSON: whoever loads the trees from this text need not parse it again to tell. */
  wellFormedTree?: true;
}

export interface ServiceOptions {
  /**
   * Documents longer than this are read for hover, completion and the like without validating
   * them (their diagnostics come from `validate`, run where it blocks nobody).
   */
  featureOnlyLength?: number;
}

/** The formatter a document gets, by its editor language and kind; undefined: none of ours. */
function formatKind(languageId: string | undefined, analysis: Analysis): FormatKind | undefined {
  if (languageId === 'dm-json' || (analysis.recognised && analysis.kind === 'package')) return 'json';
  if (languageId === 'dm-delegation' || languageId === 'dm-ddf' || (analysis.recognised && (analysis.kind === 'delegation' || analysis.kind === 'ddf'))) return 'xml';
  if (languageId === 'dm-notification' || (analysis.recognised && analysis.kind === 'notification')) return 'hex';
  return undefined;
}

const SEVERITY: Record<Diagnostic['severity'], lsp.DiagnosticSeverity> = {
  error: lsp.DiagnosticSeverity.Error,
  warning: lsp.DiagnosticSeverity.Warning,
  information: lsp.DiagnosticSeverity.Information,
  hint: lsp.DiagnosticSeverity.Hint,
};

/** Semantic token types, in the order of the kinds the notification tokens use. */
export const SEMANTIC_TOKEN_TYPES = ['keyword', 'type', 'string', 'comment'];

/**
 * A URI without its query and fragment (RFC 3986 3.4, 3.5), as `uri.replace(/[?#].*$/, '')` has
 * it: the first '?' or '#' after the last line terminator, since '.' stops at one. Found by hand:
 * the pattern reads to the end of the line again from every '?' and '#', quadratic on a malformed
 * URI holding a long run of them before a line break.
 */
export function withoutQuery(uri: string): string {
  const line = Math.max(uri.lastIndexOf('\n'), uri.lastIndexOf('\r'), uri.lastIndexOf('\u2028'), uri.lastIndexOf('\u2029')) + 1;
  const q = uri.slice(line).search(/[?#]/);
  return q < 0 ? uri : uri.slice(0, line + q);
}

export class LanguageService {
  private readonly cache = new Map<string, Entry>();
  private readonly treeSnapshots = new Map<string, TreeSnapshot>();

  /** Bumped when the sample trees change: every analysis is then stale. */
  private generation = 0;
  /** The sample trees, and the text of each file (its line index made when a location in it is first asked for). */
  private trees: { ctx: TreeContext; files: Map<string, { text: string; lines?: LineIndex }> } | undefined;
  private ddfs: ReadonlyMap<string, Ddf> | undefined;
  /** The nodes each ClientURI selects in the current trees, for find references. */
  private selections = new Map<string, TreeNode[]>();
  private readonly featureOnlyLength: number;

  constructor(
    private readonly env: AnalyzeEnv = {},
    options: ServiceOptions = {},
  ) {
    this.featureOnlyLength = options.featureOnlyLength ?? Infinity;
  }

  /** Loads the workspace's sample trees (`*.dmtree.json`); ClientURIs are resolved against them from now on. */
  setTrees(files: { file: string; text: string }[], serverId?: string, ddfs?: ReadonlyMap<string, Ddf>): void {
    const { tree } = loadTrees(files);
    const label = files.length === 1 ? files[0]!.file.split(/[\\/]/).pop()! : `${files.length} sample trees`;
    this.ddfs = ddfs;
    this.trees = files.length ? { ctx: { tree, label, ...(serverId ? { serverId } : {}), ...(ddfs ? { ddfs } : {}) }, files: new Map(files.map((f) => [f.file, { text: f.text }])) } : undefined;
    this.selections = new Map();
    this.generation++;
  }

  /** The sample trees as a device, when there are any. */
  treeContext(): TreeContext | undefined {
    return this.trees?.ctx;
  }

  treeStatus(): { files: string[]; instances: number; serverId?: string } {
    return { files: [...(this.trees?.files.keys() ?? [])], instances: this.trees?.ctx.tree.all().length ?? 0, ...(this.trees?.ctx.serverId ? { serverId: this.trees.ctx.serverId } : {}) };
  }

  private fileName(doc: TextDocumentInput): string {
    try {
      return doc.uri.startsWith('file:') ? fileURLToPath(doc.uri) : decodeURIComponent(withoutQuery(doc.uri));
    } catch {
      // A malformed percent-encoding (RFC 3986 2.1) or a file URI with a host: the URI as written
      // still names the file kind by its extension.
      return withoutQuery(doc.uri);
    }
  }

  private analyzeEnv(): AnalyzeEnv {
    return { ...this.env, ...(this.trees ? { trees: this.trees.ctx } : {}), ...(this.ddfs ? { ddfs: this.ddfs } : {}) };
  }

  private analyze(doc: TextDocumentInput, options: AnalyzeOptions = {}): Entry {
    const env = this.analyzeEnv();
    const analysis = analyzeText(doc.text, { fileName: this.fileName(doc), ...(doc.languageId ? { languageId: doc.languageId } : {}) }, env, options);
    return { generation: this.generation, version: doc.version, text: doc.text, languageId: doc.languageId, analysis, lines: new LineIndex(doc.text), validated: options.validate !== false };
  }

  private fresh(hit: Entry | undefined, doc: TextDocumentInput): hit is Entry {
    return !!hit && hit.generation === this.generation && hit.version === doc.version && hit.text === doc.text && hit.languageId === doc.languageId;
  }

  /** The validated analysis of the document (cached per version). */
  private entry(doc: TextDocumentInput): Entry {
    const hit = this.cache.get(doc.uri);
    if (this.fresh(hit, doc) && hit.validated) return hit;
    const e = this.analyze(doc);
    this.cache.set(doc.uri, e);
    return e;
  }

  /** What hover, completion and the like read: the validated analysis, or for a large document its structure only. */
  private features(doc: TextDocumentInput): Entry {
    const hit = this.cache.get(doc.uri);
    if (this.fresh(hit, doc)) return hit;
    if (doc.text.length <= this.featureOnlyLength) return this.entry(doc);
    // A value retyped in a text that was JSON leaves it JSON: the new version is not parsed to tell.
    const last = this.cache.get(doc.uri);
    const region = last?.analysis.regions.length === 1 ? last.analysis.regions[0] : undefined;
    const json = region?.type === 'package' ? region.json : undefined;
    if (last && json?.valid && json.from === 0 && json.to === last.text.length && (last.text === doc.text || retypedToken(last.text, doc.text))) noteValidJson(doc.text);
    const e = this.analyze(doc, { validate: false });
    this.cache.set(doc.uri, e);
    return e;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    this.treeSnapshots.delete(uri);
  }

  /** Whether the document is one of the product's file kinds (a plain .xml with another root is not). */
  recognised(doc: TextDocumentInput): boolean {
    return this.features(doc).analysis.recognised;
  }

  analysis(doc: TextDocumentInput): Analysis {
    return this.entry(doc).analysis;
  }

  private range(e: Entry, start: number, end: number): lsp.Range {
    return { start: e.lines.positionAt(start), end: e.lines.positionAt(end) };
  }

  private lspDiagnostics(e: Entry): lsp.Diagnostic[] {
    let shown: readonly Diagnostic[] = e.analysis.diagnostics;
    const over = shown.length - MAX_DIAGNOSTICS;
    if (over > 0) {
      // The most severe kept, in their order in the document.
      const kept = new Set(shown.map((d, i) => ({ d, i })).sort((a, b) => RANK[a.d.severity] - RANK[b.d.severity] || a.i - b.i).slice(0, MAX_DIAGNOSTICS).map((x) => x.d));
      shown = shown.filter((d) => kept.has(d));
    }
    const out: lsp.Diagnostic[] = shown.map((d) => ({
      range: this.range(e, d.start, d.end),
      severity: SEVERITY[d.severity],
      code: d.code,
      source: SOURCE,
      message: d.message,
    }));
    if (over > 0) {
      out.push({ range: this.range(e, 0, 0), severity: lsp.DiagnosticSeverity.Information, code: 'diagnostics.capped', source: SOURCE, message: `${over} more problem${over === 1 ? '' : 's'} not shown.` });
    }
    return out;
  }

  diagnostics(doc: TextDocumentInput): lsp.Diagnostic[] {
    return this.lspDiagnostics(this.entry(doc));
  }

  /**
   * Validates a document: its diagnostics, the core's fixes and the ClientURIs it holds. With
   * `keep: false` (a workspace file nobody has open) nothing is cached.
   */
  validate(doc: TextDocumentInput, keep = true): ValidationResult {
    // A large tree file being typed in, validated where nothing is kept (the worker): a leaf's value
    // retyped is judged from the text before (see treeEdit.ts).
    const treeFile = !keep && isTreeFile(this.fileName(doc));
    const env = treeFile ? this.analyzeEnv() : undefined;
    const ddfs = env?.trees?.ddfs ?? env?.ddfs;
    const prev = treeFile ? this.treeSnapshots.get(doc.uri) : undefined;
    const quick = prev && revalidateTreeEdit(prev, doc, ddfs);
    if (quick) {
      // Still JSON: loading the trees from this text need not parse it to tell.
      noteWellFormed(this.fileName(doc), doc.text);
      this.remember(doc.uri, quick);
      return quick.result;
    }
    this.treeSnapshots.delete(doc.uri);
    const e = keep ? this.entry(doc) : this.analyze(doc);
    const written: IndexedClientUri[] = [];
    let wellFormedTree: DmTree | undefined;
    for (const r of e.analysis.regions) {
      if (r.type === 'package' && r.tree && r.json.valid) wellFormedTree = r.tree;
      if (r.type !== 'package' || r.tree) continue;
      for (const c of clientUris(r.kind, r.json.value)) {
        const span = r.json.range(c.path);
        const selected = this.select(c.uri);
        written.push({ uri: c.uri, ...(c.command ? { command: c.command } : {}), range: this.range(e, span.start, span.end), ...(selected.length <= MAX_INDEXED_NODES ? { nodes: selected.map((n) => n.clientUri()) } : {}) });
      }
    }
    const result: ValidationResult = { uri: doc.uri, version: doc.version, recognised: e.analysis.recognised, diagnostics: this.lspDiagnostics(e), core: e.analysis.diagnostics, clientUris: encodeIndex(written), signature: this.resolutionSignature(written), ...(wellFormedTree ? { wellFormedTree: true } : {}) };
    if (treeFile && wellFormedTree && e.analysis.regions.length === 1) {
      const instances = wellFormedTree.all().flatMap((inst) => {
        const src = inst.root.source;
        return src && doc.text.charCodeAt(src.start) === 123 ? [{ start: src.start, end: src.end, checked: !!ddfs?.has(inst.moid) }] : [];
      });
      this.remember(doc.uri, { text: doc.text, languageId: doc.languageId, ddfs, instances, result });
    }
    return result;
  }

  /** The last tree files validated, for their next keystroke (a few: each holds its text). */
  private remember(uri: string, snapshot: TreeSnapshot): void {
    this.treeSnapshots.delete(uri);
    if (this.treeSnapshots.size >= TREE_SNAPSHOTS) this.treeSnapshots.delete(this.treeSnapshots.keys().next().value!);
    this.treeSnapshots.set(uri, snapshot);
  }

  /** The nodes a ClientURI selects in the current trees (no command, no access control), cached per tree set. */
  private select(uri: string): TreeNode[] {
    const tree = this.trees?.ctx.tree;
    if (!tree) return [];
    let nodes = this.selections.get(uri);
    if (!nodes) {
      nodes = resolveClientUri(tree, uri.replace(/^oma:mo:/, 'urn:oma:mo:')).nodes;
      this.selections.set(uri, nodes);
    }
    return nodes;
  }

  /**
   * What the current trees make of a document's ClientURIs, as one string: when it is the same
   * after the trees changed, the document's diagnostics are too.
   */
  resolutionSignature(uris: readonly Pick<IndexedClientUri, 'uri' | 'command'>[]): string {
    const ctx = this.trees?.ctx;
    if (!ctx) return '';
    return uris
      .map((u) => {
        const r = resolveIn(ctx, u.uri, u.command);
        const nodes = this.select(u.uri);
        return `${r.status}:${nodes.length > MAX_INDEXED_NODES ? nodes.length : nodes.map((n) => n.clientUri()).join(',')}`;
      })
      .join('|');
  }

  hover(doc: TextDocumentInput, position: lsp.Position): lsp.Hover | null {
    const e = this.features(doc);
    const h = hoverAt(e.analysis, e.lines.offsetAt(position), this.trees?.ctx);
    return h ? { contents: { kind: lsp.MarkupKind.Markdown, value: h.markdown }, range: this.range(e, h.start, h.end) } : null;
  }

  completion(doc: TextDocumentInput, position: lsp.Position): lsp.CompletionItem[] {
    const e = this.features(doc);
    return completeAt(e.analysis, e.lines.offsetAt(position), this.trees?.ctx).map((c) => {
      const { insertText, ...item } = c.item;
      const newText = insertText ?? item.label;
      // VS Code filters by the text from the start of the edit to the cursor: an edit that takes
      // in a string's opening quote needs a filter text that starts with one, or every item is
      // filtered out.
      const filterText = e.text[c.start] === '"' && !(item.filterText ?? '').startsWith('"') ? `"${item.filterText ?? item.label}` : item.filterText;
      return { ...item, ...(filterText !== undefined ? { filterText } : {}), textEdit: { range: this.range(e, c.start, c.end), newText } };
    });
  }

  /**
   * Quick fixes of the diagnostics that the client reports at `range`, and "fix all" (a
   * `source.fixAll` action) for every preferred fix in the document. `validated` are the core's
   * diagnostics of this very version when they were computed elsewhere.
   */
  codeActions(doc: TextDocumentInput, range: lsp.Range, reported: lsp.Diagnostic[], only?: string[], validated?: Diagnostic[]): lsp.CodeAction[] {
    const e = this.features(doc);
    const all = validated ?? (e.validated ? e.analysis.diagnostics : this.entry(doc).analysis.diagnostics);
    const wants = (kind: string): boolean => !only?.length || only.some((k) => kind === k || kind.startsWith(k + '.'));
    const actions: lsp.CodeAction[] = [];
    const from = e.lines.offsetAt(range.start);
    const to = e.lines.offsetAt(range.end);
    const edits = (fix: { edits: { start: number; end: number; newText: string }[] }): lsp.WorkspaceEdit => ({ changes: { [doc.uri]: fix.edits.map((t) => ({ range: this.range(e, t.start, t.end), newText: t.newText })) } });
    if (wants(lsp.CodeActionKind.QuickFix)) {
      for (const d of all) {
        if (d.end < from || d.start > to) continue;
        const lspDiag = reported.find((r) => r.code === d.code && e.lines.offsetAt(r.range.start) === d.start && e.lines.offsetAt(r.range.end) === d.end);
        if (!lspDiag) continue;
        for (const fix of fixesFor(e.analysis, d)) {
          actions.push({ title: fix.title, kind: lsp.CodeActionKind.QuickFix, diagnostics: [lspDiag], isPreferred: !!fix.preferred, edit: edits(fix) });
        }
      }
    }
    // Fix all: offered when asked for (source.fixAll, on save or from the menu), and beside the
    // quick fixes when there is more than one thing to fix.
    const explicit = !!only?.some((k) => lsp.CodeActionKind.SourceFixAll === k || lsp.CodeActionKind.SourceFixAll.startsWith(k + '.') || k === lsp.CodeActionKind.Source);
    if (explicit || (!only?.length && actions.length)) {
      const { edits: all_, fixed } = fixAll(e.analysis, all);
      if (fixed.length && (explicit || fixed.length > 1)) {
        actions.push({ title: `Fix all in file (${fixed.length} problem${fixed.length === 1 ? '' : 's'})`, kind: lsp.CodeActionKind.SourceFixAll, edit: edits({ edits: all_ }) });
      }
    }
    return actions;
  }

  /** Formatting of the whole document, or of `range`; none for a document that is not one of ours. */
  format(doc: TextDocumentInput, options: FormatOptions, range?: lsp.Range): lsp.TextEdit[] {
    const e = this.features(doc);
    const kind = formatKind(doc.languageId, e.analysis);
    if (!kind) return [];
    const span = range ? { start: e.lines.offsetAt(range.start), end: e.lines.offsetAt(range.end) } : undefined;
    return formatText(e.text, kind, options, span).map((t) => ({ range: this.range(e, t.start, t.end), newText: t.newText }));
  }

  symbols(doc: TextDocumentInput): lsp.DocumentSymbol[] {
    const e = this.features(doc);
    return documentSymbols(e.analysis, e.lines);
  }

  private location(n: TreeNode): lsp.Location | undefined {
    const src = n.source;
    const file = src && this.trees?.files.get(src.file);
    const lines = file && (file.lines ??= new LineIndex(file.text));
    if (!src || !lines) return undefined;
    return { uri: pathToFileURL(src.file).href, range: { start: lines.positionAt(src.keyStart), end: lines.positionAt(src.keyEnd) } };
  }

  /** Go to definition: the tree nodes a ClientURI in a package addresses (several for wildcards). */
  definition(doc: TextDocumentInput, position: lsp.Position): lsp.Location[] {
    const e = this.features(doc);
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

  /** The tree node whose name is at `position` in a sample tree file. */
  private treeNodeAt(doc: TextDocumentInput, position: lsp.Position): TreeNode | undefined {
    if (!this.trees) return undefined;
    // Only the position is needed: a large tree file is not analysed for it.
    const hit = this.cache.get(doc.uri);
    const lines = this.fresh(hit, doc) ? hit.lines : new LineIndex(doc.text);
    return nodeAtOffset(this.trees.ctx.tree, lines.offsetAt(position), this.fileName(doc));
  }

  /**
   * Find references from a node of a tree file: the ClientURIs of the workspace index that
   * address it. Each distinct ClientURI is resolved once per tree set.
   */
  references(doc: TextDocumentInput, position: lsp.Position, index: Iterable<{ uri: string; clientUris: () => readonly IndexedClientUri[] }>): lsp.Location[] {
    const target = this.treeNodeAt(doc, position);
    if (!target || !this.trees) return [];
    const out: lsp.Location[] = [];
    const name = target.clientUri();
    for (const d of index) {
      for (const c of d.clientUris()) {
        // The index says what each ClientURI selected when it was validated; only a selection too
        // large to keep there is resolved again.
        if (c.nodes ? c.nodes.includes(name) : this.select(c.uri).includes(target)) out.push({ uri: d.uri, range: c.range });
      }
    }
    return out;
  }

  inlayHints(doc: TextDocumentInput, range: lsp.Range): lsp.InlayHint[] {
    const e = this.features(doc);
    const from = e.lines.offsetAt(range.start);
    const to = e.lines.offsetAt(range.end);
    return e.analysis.regions.flatMap((r) =>
      r.type !== 'notification'
        ? []
        : notificationInlayHints(r, e.text)
            .filter((h) => h.offset >= from && h.offset <= to)
            .map((h) => ({ position: e.lines.positionAt(h.offset), label: h.label, paddingRight: h.before, paddingLeft: !h.before })),
    );
  }

  /** Semantic tokens, LSP-encoded: 0 header, 1 option header, 2 option value, 3 WAP Push header (see SEMANTIC_TOKEN_TYPES). */
  semanticTokens(doc: TextDocumentInput): number[] {
    const e = this.features(doc);
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
    const e = this.features(doc);
    return foldingRanges(e.analysis, e.lines);
  }
}
