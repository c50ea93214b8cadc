/** Completion in delegation messages: the root on an empty file, elements where they fit, values. */
import { CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver-types';
import type { Analysis, DelegationRegion } from '../core/analyze.js';
import { type XmlElement, contentRange, elementAt } from '../core/xml/parse.js';
import { type DelegationMessage, allParameters, citation } from '../core/delegation/messages.js';
import { allSkeletonTargets, exampleValue, skeleton } from '../core/delegation/build.js';
import { FAILURE_REASON_CODES, REASON_CODES, REASON_CODE_SOURCE } from '../core/delegation/reasonCodes.js';
import { DMACC, type DmAccNode } from '../core/delegation/dmacc.js';
import { dmAccChild, messageMarkdown, parameterMarkdown } from './delegationHover.js';
import type { Completion } from './completion.js';

/** On a delegation file with no root yet (or while its root is typed): every message, whole. */
export function delegationRootCompletion(analysis: Analysis, offset: number): Completion[] | undefined {
  const region = analysis.regions[0];
  const root = region?.type === 'delegation' ? region.doc.root : undefined;
  const text = analysis.text;
  if (!root || offset <= root.start || (offset <= root.nameEnd && typingRoot(text.slice(0, offset)))) return rootItems(text, offset);
  return undefined;
}

/**
 * Whether `before` is only blanks, an optional declaration or processing instruction (XML 1.0
 * 2.6, 2.8), blanks, and the start of a tag name: what /^\s*(<\?[^]*?\?>)?\s*<?[\w.:-]*$/ says,
 * read in one pass, since that expression backtracks quadratically over a long run of blanks.
 */
function typingRoot(before: string): boolean {
  const blanks = (from: number): number => {
    let i = from;
    while (i < before.length && /\s/.test(before[i]!)) i++;
    return i;
  };
  let i = blanks(0);
  if (before.startsWith('<?', i)) {
    // Only the last '?>' can end it: what follows any earlier one holds a '?>' no tag name takes.
    const close = before.lastIndexOf('?>');
    if (close < i + 2) return false;
    i = blanks(close + 2);
  }
  return /^<?[\w.:-]*$/.test(before.slice(i));
}

export function delegationCompletion(text: string, region: DelegationRegion, offset: number): Completion[] {
  const root = region.doc.root;
  const message = region.analysis.message;
  if (!root || !message) return [];
  const typed = /<([\w.:-]*)$/.exec(text.slice(Math.max(0, offset - 200), offset));
  if (typed) {
    const lt = offset - typed[0].length;
    let parent = elementAt(root, lt);
    if (parent && parent.start === lt) parent = parent.parent;
    let end = offset;
    while (end < text.length && /[\w.:-]/.test(text[end]!)) end++;
    return parent ? elementItems(message, parent, root, lt, end, true) : [];
  }
  const el = elementAt(root, offset);
  if (!el) return [];
  const r = contentRange(el);
  if (offset < r.start || offset > r.end) return [];
  const complex = allParameters(message).some((p) => p.name === el.name && p.type === 'complex');
  if (el === root || el.parent !== root || complex) return elementItems(message, el, root, offset, offset, false);
  return valueItems(message, el, r.start, r.end);
}

function rootItems(text: string, offset: number): Completion[] {
  // Replace whatever was typed of the root so far; add the declaration when the file has none.
  const lt = text.lastIndexOf('<', offset);
  const hasDecl = /^\s*<\?xml/.test(text);
  const start = lt >= 0 && !/^<\?/.test(text.slice(lt, lt + 2)) ? lt : offset;
  let end = offset;
  while (end < text.length && /[\w.:-]/.test(text[end]!)) end++;
  return allSkeletonTargets().map((t, i) => ({
    start,
    end,
    item: {
      label: t.label,
      kind: CompletionItemKind.Module,
      detail: `${t.message.name} — ${t.message.title} (${citation(t.message, t.variant)})`,
      documentation: { kind: MarkupKind.Markdown, value: messageMarkdown(t.message, undefined, t.variant) },
      insertText: skeleton(t.message, t.variant, { snippet: true, declaration: !hasDecl }),
      insertTextFormat: InsertTextFormat.Snippet,
      filterText: `<${t.message.root}`,
      sortText: String(i).padStart(2, '0'),
    },
  }));
}

function dmAccNodeOf(el: XmlElement, root: XmlElement): DmAccNode | undefined {
  // Pushed then reversed: unshift at every level costs depth² on a deeply nested document.
  const path: XmlElement[] = [];
  for (let e: XmlElement | undefined = el; e && e !== root; e = e.parent) path.push(e);
  path.reverse();
  if (path[0]?.name !== 'DMAcc') return undefined;
  let node: DmAccNode | undefined = DMACC;
  for (let i = 1; i < path.length && node; i++) node = dmAccChild(node, path[i]!.name);
  return node;
}

function elementItems(message: DelegationMessage, parent: XmlElement, root: XmlElement, start: number, end: number, afterLt: boolean): Completion[] {
  const items: Completion[] = [];
  const make = (name: string, value: string, detail: string, doc: string, sort: string): void => {
    items.push({
      start,
      end,
      item: {
        label: name,
        kind: CompletionItemKind.Field,
        detail,
        documentation: { kind: MarkupKind.Markdown, value: doc },
        insertText: value ? `<${name}>\${1:${value.replace(/[$}\\]/g, (c) => '\\' + c)}}</${name}>` : `<${name}>$0</${name}>`,
        insertTextFormat: InsertTextFormat.Snippet,
        filterText: afterLt ? `<${name}` : name,
        sortText: sort,
      },
    });
  };
  if (parent === root) {
    const present = new Set(root.children.map((c) => c.name));
    const params = allParameters(message);
    params.forEach((p, i) => {
      if (present.has(p.name)) return;
      const variant = message.variants.find((v) => v.parameters.includes(p))!;
      const value = p.type === 'complex' ? '' : exampleValue(message, p);
      make(p.name, value, `${p.type}${p.required ? '' : ' (optional)'} — ${citation(message, variant)}`, parameterMarkdown(message, p, citation(message, variant)), `${p.required ? 0 : 1}${String(i).padStart(2, '0')}`);
    });
    return items;
  }
  const node = dmAccNodeOf(parent, root);
  if (!node?.children) return items;
  Object.entries(node.children).forEach(([name, child], i) => {
    if (name === '*') make('X', '', 'a named node (<X> in the MO)', child.description, `1${i}`);
    else make(name, '', 'DMAcc node (DMSTDOBJ 5.3.1)', child.description, `0${String(i).padStart(2, '0')}`);
  });
  return items;
}

function valueItems(message: DelegationMessage, el: XmlElement, start: number, end: number): Completion[] {
  const p = allParameters(message).find((x) => x.name === el.name);
  if (!p) return [];
  const value = (label: string, detail: string, sort: string, doc?: string): Completion => ({
    start,
    end,
    item: { label, kind: CompletionItemKind.Value, detail, sortText: sort, ...(doc ? { documentation: { kind: MarkupKind.Markdown, value: doc } } : {}) },
  });
  if (p.type === 'boolean') return ['true', 'false'].map((v, i) => value(v, `boolean (${p.description})`, String(i)));
  if (p.name === 'status' && message.status) return [value(message.status, `status of ${message.name} (${citation(message)})`, '0', message.statusNote)];
  if (p.name === 'reasonCode') {
    const preferred = message.failure ? FAILURE_REASON_CODES : [200];
    return [...REASON_CODES].map(([code, phrase]) =>
      value(String(code), phrase, `${preferred.includes(code) ? 0 : 1}${code}`, `**${code} ${phrase}** — ${REASON_CODE_SOURCE}${message.failure && preferred.includes(code) ? '\n\nMost applicable for failures (change request on DELEGATION_FAILURE).' : ''}`),
    );
  }
  return [];
}
