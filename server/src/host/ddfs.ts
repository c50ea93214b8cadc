/**
 * DDFs from disk, for the CLI and the language server: the standard ones shipped in `ddf/`
 * (DM 2.0 section 12: DevInfo, DMAcc, DACMO, SessionInfo) and any the user names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Ddf, parseDdf } from '../core/tree/ddf.js';

/** The shipped DDF folder: next to the bundle (dist/../ddf) or the sources (server/src/host/../../../ddf). */
export function shippedDdfFolder(): string | undefined {
  for (const p of [path.join(__dirname, '..', 'ddf'), path.join(__dirname, '..', '..', '..', 'ddf')]) if (fs.existsSync(p)) return p;
  return undefined;
}

export function loadDdfs(files: string[], withShipped = true): Map<string, Ddf> {
  const folder = withShipped ? shippedDdfFolder() : undefined;
  const all = [...(folder ? fs.readdirSync(folder).filter((f) => f.endsWith('.ddf')).map((f) => path.join(folder, f)) : []), ...files];
  const out = new Map<string, Ddf>();
  for (const f of all) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const d of parseDdf(text, f).ddfs) out.set(d.moid, d);
  }
  return out;
}
