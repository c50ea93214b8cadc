/**
 * A keystroke in a large sample tree file, judged without validating the whole text again. A
 * leaf's value typed in (a node value of MO data, DM 2.0 7.2.1.4) changes none of what the
 * validation of a tree file reads but that value: the JSON stays JSON of the same shape and depth,
 * the items' ClientURI, CV and DDF stay, the instances and their nodes stay (their names are the
 * keys), and so do the counts of instances. The one check that reads a leaf's value is its format
 * against a DDF (tree/ddf.ts checkInstance): an edit in an instance whose MOID has a DDF is
 * validated in full. Otherwise the diagnostics are those of the text before, moved by the length
 * the edit added. Anything else (a key, a bracket, a comma, a new line, a value that stops being
 * one JSON value, text outside an instance) is validated in full.
 */
import type * as lsp from 'vscode-languageserver-types';
import type { Diagnostic } from '../core/diagnostic.js';
import type { ValidationResult } from './service.js';
import { isBlank, retypedToken } from '../core/json/edit.js';

/** An MO instance's object as written: where its value starts and ends, and whether a DDF checks its values. */
export interface InstanceSpan {
  start: number;
  end: number;
  checked: boolean;
}

/** A tree file as last validated in full (or moved on from it by edits judged here). */
export interface TreeSnapshot {
  text: string;
  languageId: string | undefined;
  /** The DDFs it was checked against: the same objects give the same judgement. */
  ddfs: ReadonlyMap<string, unknown> | undefined;
  instances: InstanceSpan[];
  result: ValidationResult;
}

/** Past this many diagnostics the published list is cut (service MAX_DIAGNOSTICS): then validated in full. */
const MOVABLE_DIAGNOSTICS = 1000;

function sameDdfs(a: ReadonlyMap<string, unknown> | undefined, b: ReadonlyMap<string, unknown> | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** `x` of the old text in the new one: before the edit it stays, from its end it moves by `delta`. */
function move(x: number, start: number, end: number, delta: number): number | undefined {
  if (x <= start) return x;
  if (x >= end) return x + delta;
  return undefined;
}

/**
 * The validation of `text`, a tree file edited since `prev`, when the edit is a leaf's value
 * retyped; undefined when it has to be validated in full.
 */
export function revalidateTreeEdit(prev: TreeSnapshot, doc: { uri: string; version: number; text: string; languageId?: string }, ddfs: ReadonlyMap<string, unknown> | undefined): TreeSnapshot | undefined {
  const text = doc.text;
  if (prev.languageId !== doc.languageId || !sameDdfs(prev.ddfs, ddfs) || prev.result.core.length > MOVABLE_DIAGNOSTICS) return undefined;
  const old = prev.text;
  const token = retypedToken(old, text);
  if (!token || /[\r\n]/.test(token.typed)) return undefined;
  const { delta } = token;
  const inst = prev.instances.find((s) => s.start < token.start && token.end < s.end);
  if (!inst || inst.checked) return undefined;
  // A property name is followed by its colon: retyping one renames a node.
  let after = token.end;
  while (isBlank(old.charCodeAt(after))) after++;
  if (old.charCodeAt(after) === 58) return undefined;

  // The diagnostics moved; one that starts or ends inside the retyped token is not (there is none
  // but a DDF's, excluded above), and a fix that rewrites the token's text is judged in full.
  const core: Diagnostic[] = [];
  const lineEnd = (() => {
    const n = old.indexOf('\n', token.end);
    const r = old.indexOf('\r', token.end);
    return Math.min(n < 0 ? old.length : n, r < 0 ? old.length : r);
  })();
  const column = (x: number): number => (x >= token.end && x <= lineEnd ? delta : 0);
  const diagnostics: lsp.Diagnostic[] = [];
  for (let i = 0; i < prev.result.core.length; i++) {
    const d = prev.result.core[i]!;
    const l = prev.result.diagnostics[i];
    const start = move(d.start, token.start, token.end, delta);
    const end = move(d.end, token.start, token.end, delta);
    if (start === undefined || end === undefined || !l) return undefined;
    const moved: Diagnostic = { ...d, start, end };
    if (d.fixes) {
      const fixes = [];
      for (const f of d.fixes) {
        const edits = [];
        for (const e of f.edits) {
          if (e.start < token.end && e.end > token.start) return undefined;
          edits.push({ ...e, start: move(e.start, token.start, token.end, delta)!, end: move(e.end, token.start, token.end, delta)! });
        }
        fixes.push({ ...f, edits });
      }
      moved.fixes = fixes;
    }
    core.push(moved);
    diagnostics.push({ ...l, range: { start: { line: l.range.start.line, character: l.range.start.character + column(d.start) }, end: { line: l.range.end.line, character: l.range.end.character + column(d.end) } } });
  }
  if (prev.result.diagnostics.length !== core.length) return undefined;
  const instances = prev.instances.map((s) => ({ start: move(s.start, token.start, token.end, delta)!, end: move(s.end, token.start, token.end, delta)!, checked: s.checked }));
  return { text, languageId: doc.languageId, ddfs, instances, result: { ...prev.result, uri: doc.uri, version: doc.version, core, diagnostics } };
}
