/** Completion in DM 2.0 JSON packages: commands with their parameters, MOIDs, ClientURI query fields, ServerURI parameters, status codes, alert types, Mark values, property names. */
import { CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver-types';
import { type JSONPath as JsonPath, type Node, getLocation } from 'jsonc-parser';
import type { PackageRegion } from '../core/analyze.js';
import { COMMANDS, command, signature, type Command } from '../core/dm20/commands.js';
import { STATUS_CODES } from '../core/dm20/statusCodes.js';
import { ALERT_TYPES, MARKS } from '../core/dm20/alerts.js';
import { KNOWN_MOIDS } from '../core/dm20/moids.js';
import { SERVER_URI_PARAMETERS } from '../core/dm20/serverUri.js';
import { QUERY_FIELDS, looksLikeClientUri } from '../core/dm20/clientUri.js';
import { PACKAGES, PROPERTY_DOCS } from '../core/dm20/packages.js';
import { propertiesAt } from '../core/dm20/schemas.js';
import type { Completion } from './completion.js';
import type { TreeContext } from '../core/tree/check.js';
import { treeClientUriItems } from './clientUriCompletion.js';
import { locateNode } from './packageLocate.js';

const EXAMPLE_SERVER_URI = 'https://dr.example.com/[DevID]';
const EXAMPLE_CLIENT_URI = 'urn:oma:mo:oma-dm-devinfo:1.0//';

/** A command entry as a snippet, each parameter a tab stop: ["HPUT", "https://...", "urn:..."]. */
function commandSnippet(c: Command): string {
  let stop = 1;
  const args = c.params.map((p) => {
    const example = p.name === 'ServerURI' ? EXAMPLE_SERVER_URI : p.name === 'MOID' ? 'urn:oma:mo:oma-dm-devinfo:1.0' : EXAMPLE_CLIENT_URI;
    return `"\${${stop++}:${example.replace(/[$}\\]/g, (ch) => '\\' + ch)}}"`;
  });
  return `[${[`"${c.name}"`, ...args].join(', ')}]`;
}

/** The first character that is not whitespace before and after `at` in `text`. */
function neighbours(text: string, at: number): { before: string; after: string } {
  let b = at - 1;
  while (b >= 0 && /\s/.test(text[b]!)) b--;
  let a = at;
  while (a < text.length && /\s/.test(text[a]!)) a++;
  return { before: text[b] ?? '', after: text[a] ?? '' };
}

export function packageCompletion(region: PackageRegion, offset: number, trees?: TreeContext): Completion[] {
  const json = region.json;
  // jsonc-parser's getLocation and findNodeAtOffset recurse once per level: a text the depth guard
  // refused (nested past MAX_DEPTH) would overflow the stack in them.
  if (json.errors.some((e) => e.code === 'json.depth')) return [];
  const rel = offset - json.from;
  const slice = json.text.slice(json.from, json.to);
  const loc = getLocation(slice, rel);
  const path = loc.path;
  // The node at the cursor as hover finds it: from the command, status or item around the cursor
  // alone where the text allows, not a tree of the whole text at every keystroke.
  const located = locateNode(json, offset);
  const node = located?.node;
  const nodeAt = (p: JsonPath): Node | undefined => (located ? located.nodeAt(p) : json.node(p));
  /** Where the node at the cursor starts in the document. */
  const at = located && node ? located.base + node.offset : offset;
  const inString = node?.type === 'string' && offset > at && offset < at + node.length;
  // Replace the whole string (quotes included) or insert at the cursor.
  const start = inString ? at : offset;
  const end = inString ? at + node!.length : offset;
  const typed = inString ? String(node!.value).slice(0, offset - at - 1) : '';
  const item = (label: string, insert: string, kind: CompletionItemKind, detail: string, doc?: string, sort?: string, snippet = false, s = start, e = end): Completion => ({
    start: s,
    end: e,
    item: { label, kind, detail, insertText: insert, ...(snippet ? { insertTextFormat: InsertTextFormat.Snippet } : {}), ...(doc ? { documentation: { kind: MarkupKind.Markdown, value: doc } } : {}), ...(sort ? { sortText: sort } : {}) },
  });
  const last = path[path.length - 1];

  if (loc.isAtPropertyKey) {
    // Only the properties the object does not have yet: on a complete package nothing is offered.
    const objectPath = path.slice(0, -1);
    const object = objectPath.length ? nodeAt(objectPath) : json.tree;
    const present = new Set((object?.type === 'object' ? object.children ?? [] : []).map((p) => p.children?.[0]?.value).filter((k) => k !== (inString ? node?.value : undefined)));
    const keys = propertyNames(region, objectPath).filter(([k]) => !present.has(k));
    return keys.map(([k, doc]) => item(k, `"${k}": `, CompletionItemKind.Property, 'property', doc));
  }
  if (region.kind === 'pkg2' && path[0] === 'CMD') {
    if (path.length === 2 && !inString) {
      // Between two entries the new one needs the commas that keep the array JSON (RFC 8259 §5).
      // A command name typed without its brackets is replaced by the whole entry.
      // Read backwards by hand: /[A-Za-z]*$/ is tried at every start and is quadratic on a long word.
      let w = rel;
      while (w > 0 && /[A-Za-z]/.test(slice[w - 1]!)) w--;
      const word = slice.slice(w, rel);
      const { before, after } = neighbours(slice, rel - word.length);
      const lead = /[\]"}\w]/.test(before) ? ', ' : '';
      const trail = /[[{"]/.test(after) ? ',' : '';
      return COMMANDS.map((c, i) => item(c.name, lead + commandSnippet(c) + trail, CompletionItemKind.Function, `${signature(c)} — DM 2.0 ${c.section}`, c.description, String(i).padStart(2, '0'), true, offset - word.length, offset));
    }
    if (path.length === 3 && last === 0) {
      return COMMANDS.map((c) => item(c.name, JSON.stringify(c.name), CompletionItemKind.Function, signature(c), `${c.description}\n\n_DM 2.0 ${c.section}_`));
    }
    if (path.length === 3 && typeof last === 'number' && inString) {
      const entry = nodeAt(['CMD', path[1] as number]);
      const info = command(String(entry?.children?.[0]?.value ?? ''));
      const uri = paramFormatAt(info, entry?.children?.slice(1).map((c) => String(c.value)) ?? [], last - 1);
      if (uri === 'ClientURI') return clientUriItems(typed, start, end, info?.name, trees, node ? String(node.value) : '');
      if (uri === 'ServerURI') return serverUriItems(typed, start + 1 + typed.length, start + 1 + typed.length);
      if (uri === 'MOID') return KNOWN_MOIDS.map((m) => item(m.moid, JSON.stringify(m.moid), CompletionItemKind.Module, m.name));
    }
  }
  if (region.kind === 'pkg3' && path[0] === 'Status' && (last === 'sc' || (path.length === 2 && !inString))) {
    return STATUS_CODES.map((s) => item(`${s.code}`, last === 'sc' ? String(s.code) : `{"sc": ${s.code}}`, CompletionItemKind.Value, s.reason, `${s.description}\n\nApplies to: ${s.commands?.join(', ') ?? 'all commands'} (DM 2.0 Appendix C)`));
  }
  if (last === 'AlertType') return ALERT_TYPES.map((a) => item(a.type, JSON.stringify(a.type), CompletionItemKind.EnumMember, a.description, a.data ? `Data: ${a.data}` : undefined));
  if (last === 'Mark') return MARKS.map((m, i) => item(m, JSON.stringify(m), CompletionItemKind.EnumMember, 'importance level (DM 2.0 5.4)', undefined, String(i)));
  if (last === 'MOID') return KNOWN_MOIDS.map((m) => item(m.moid, JSON.stringify(m.moid), CompletionItemKind.Module, `${m.name} (DM 2.0 ${m.section})`));
  if ((last === 'ClientURI' || last === 'SourceURI' || last === 'TargetURI') && inString) return clientUriItems(typed, start, end, undefined, trees, String(node!.value));
  return [];
}

/** The format of the parameter at `index` of a CMD entry (DM 2.0 5.3): hover and completion agree on it. */
export function paramFormatAt(info: Command | undefined, args: string[], index: number): 'ClientURI' | 'ServerURI' | 'MOID' | undefined {
  // Positional by the table; where a parameter may be absent (or the command is not written yet), the text decides.
  const formats = info?.params.flatMap((p) => (p.occurrence === 'OneOrMore' ? Array(Math.max(1, args.length)).fill(p.name) : [p.name])) ?? [];
  const guess = formats[index];
  // DEFAULT's MOID (5.3.10) is an MOID wherever it stands, though it reads like the start of a ClientURI.
  if (guess === 'MOID' && !(args[index] ?? '').includes('/')) return 'MOID';
  const v = args[index] ?? '';
  if (v.includes('://') || v.startsWith('http')) return 'ServerURI';
  if (looksLikeClientUri(v) || /^(urn:)?[a-z]+:mo:/i.test(v)) return 'ClientURI';
  return guess;
}

function clientUriItems(typed: string, start: number, end: number, cmd?: string, trees?: TreeContext, value = typed): Completion[] {
  const out: Completion[] = [];
  const fromTrees = trees && treeClientUriItems(trees.tree, value, typed.length, start + 1);
  if (fromTrees) return fromTrees;
  const q = typed.indexOf('?');
  if (q >= 0) {
    // After '?': query fields, inserted at the cursor inside the string.
    const at = start + 1 + typed.length;
    const allowed = QUERY_FIELDS.filter((f) => !f.commands || !cmd || f.commands.includes(cmd));
    const sep = /[?&]$/.test(typed) ? '' : '&';
    return allowed.map((f) => ({ start: at, end: at, item: { label: f.name, kind: CompletionItemKind.Field, detail: `${f.title} (${f.commands?.join(', ') ?? 'all commands'}) — DM 2.0 6.1.1.3`, documentation: f.description, insertText: sep + f.snippet, insertTextFormat: InsertTextFormat.Snippet } }));
  }
  if (!typed.includes('/')) {
    // The MOIDs of the sample trees first, then the standard ones of DM 2.0 12.
    for (const moid of trees?.tree.moids() ?? []) {
      if (KNOWN_MOIDS.some((m) => m.moid === moid)) continue;
      const n = trees!.tree.instances(moid).length;
      // Inside the quotes, so that the MIID can follow at once.
      out.push({ start: start + 1, end: end - 1, item: { label: `${moid}/`, kind: CompletionItemKind.Module, detail: `${n} MO instance${n === 1 ? '' : 's'} in ${trees!.label}`, insertText: `${moid}/`, sortText: `0${moid}` } });
    }
    for (const m of KNOWN_MOIDS) {
      out.push({ start, end, item: { label: `${m.moid}//`, kind: CompletionItemKind.Module, detail: `${m.name}: the only instance`, insertText: JSON.stringify(`${m.moid}//`), filterText: `"${m.moid}` } });
      out.push({ start, end, item: { label: `${m.moid}/*/`, kind: CompletionItemKind.Module, detail: `${m.name}: every instance`, insertText: JSON.stringify(`${m.moid}/*/`), filterText: `"${m.moid}`, sortText: `z${m.moid}` } });
    }
  }
  return out;
}

function serverUriItems(typed: string, start: number, end: number): Completion[] {
  const open = typed.lastIndexOf('[') > typed.lastIndexOf(']');
  return Object.entries(SERVER_URI_PARAMETERS).map(([name, doc]) => ({
    start: open ? start - (typed.length - typed.lastIndexOf('[')) : start,
    end,
    item: { label: `[${name}]`, kind: CompletionItemKind.Variable, detail: 'ServerURI parameter (DM 2.0 6.2)', documentation: doc, insertText: `[${name}]` },
  }));
}

function propertyNames(region: PackageRegion, objectPath: (string | number)[]): [string, string][] {
  return propertiesAt(region.kind, objectPath).map((p) => [p, PROPERTY_DOCS[p] ?? PACKAGES[region.kind].title]);
}
