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

export function ddfMap(texts: readonly FileText[]): Map<string, Ddf> {
  const out = new Map<string, Ddf>();
  for (const t of texts) for (const d of parseDdf(t.text, t.file).ddfs) out.set(d.moid, d);
  return out;
}
