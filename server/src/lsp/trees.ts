/** The sample trees and DDFs as both threads of the server build them from the same texts. */
import { type Ddf, parseDdf } from '../core/tree/ddf.js';

export interface FileText {
  file: string;
  text: string;
}

/** The sample trees, their DDFs (shipped ones first: a workspace DDF of the same MOID wins) and the server identity. */
export interface TreeInput {
  files: FileText[];
  ddfs: FileText[];
  serverId?: string;
}

/** The DDFs last parsed from each file: every edit of a sample tree rebuilds the trees with the same DDFs. */
const parsed = new Map<string, { text: string; ddfs: Ddf[] }>();

export function ddfMap(texts: readonly FileText[]): Map<string, Ddf> {
  const out = new Map<string, Ddf>();
  const seen = new Set<string>();
  for (const t of texts) {
    seen.add(t.file);
    let known = parsed.get(t.file);
    if (known?.text !== t.text) parsed.set(t.file, (known = { text: t.text, ddfs: parseDdf(t.text, t.file).ddfs }));
    for (const d of known.ddfs) out.set(d.moid, d);
  }
  // Files no longer given are forgotten.
  for (const file of parsed.keys()) if (!seen.has(file)) parsed.delete(file);
  return out;
}
