/**
 * Read-only documents of what the emulated parts exchanged, under their own URI scheme. The path
 * ends like the file kind it holds (`.pkg2.json`, `.dmhttp`, `.pkg0.hex`), so VS Code gives it the
 * language and the language server validates it like a file of that kind.
 */
import * as vscode from 'vscode';

export const TRACE_SCHEME = 'omadm-trace';

export class TraceDocuments implements vscode.TextDocumentContentProvider {
  /** Rendered when first asked for: a trace event never changes once recorded. */
  private readonly docs = new Map<string, { render: () => string; text?: string }>();

  /** The URI of a document whose text `render` gives; `path` names the part, session and event. */
  uri(path: string, render: () => string): vscode.Uri {
    if (!this.docs.has(path)) this.docs.set(path, { render });
    return vscode.Uri.from({ scheme: TRACE_SCHEME, path });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const d = this.docs.get(uri.path);
    if (!d) return '';
    return (d.text ??= d.render());
  }
}

/** A path segment made of file-name characters only, so the URI stays readable in tabs. */
export function segment(text: string): string {
  return text.replace(/[^0-9A-Za-z._-]+/g, '_');
}
