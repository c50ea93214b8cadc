/**
 * The DM files of the workspace folders, found once at start (asynchronously, without blocking
 * the server) and then kept up to date by file events: no glob per keystroke. A file named as one
 * of the product's kinds is taken at once; a plain `.xml`, `.json` or `.http` costs a read of its
 * first bytes (DESIGN "File kinds": the root element, the package keys, the request line), never
 * more when it is not ours.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { glob } from 'tinyglobby';
import { SNIFF_LENGTH, sniffJsonPackage, sniffXmlRoot } from '../core/kinds.js';
import { recogniseRoot } from '../core/delegation/messages.js';
import { looksLikeHttp } from '../core/http/message.js';

export interface WorkspaceFile {
  file: string;
  uri: string;
  ddf: boolean;
  tree: boolean;
}

/** Named as one of the product's kinds: no need to look inside. */
const NAMED = /\.((delegation|del)\.xml|pkg[123]\.json|dmmo\.json|alert\.json|dmtree\.json|dmflow\.json|dmhttp|pkg0|pkg0\.hex|ddf)$/i;
/** Read the beginning of these to tell. */
const SNIFFED = /\.(xml|json|http)$/i;
/** Folders never walked: dependencies and tool state. */
const SKIPPED_DIR = /^(node_modules|\.[^.].*)$/;

export const TREE_NAME = /\.dmtree\.json$/i;

async function head(file: string): Promise<string | undefined> {
  let h: fs.promises.FileHandle | undefined;
  try {
    h = await fs.promises.open(file, 'r');
    const buf = Buffer.alloc(SNIFF_LENGTH);
    const { bytesRead } = await h.read(buf, 0, SNIFF_LENGTH, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await h?.close();
  }
}

/** Whether a file is one of the product's kinds: by its name, or by the first bytes of an .xml, .json or .http. */
export async function classify(file: string): Promise<WorkspaceFile | undefined> {
  const base = path.basename(file);
  const make = (): WorkspaceFile => ({ file, uri: pathToFileURL(file).href, ddf: /\.ddf$/i.test(base), tree: TREE_NAME.test(base) });
  if (NAMED.test(base)) return make();
  if (!SNIFFED.test(base)) return undefined;
  const text = await head(file);
  if (text === undefined) return undefined;
  if (/\.xml$/i.test(base)) {
    const root = sniffXmlRoot(text, SNIFF_LENGTH);
    return root !== undefined && recogniseRoot(root) ? make() : undefined;
  }
  if (/\.json$/i.test(base)) return sniffJsonPackage(text) ? make() : undefined;
  return looksLikeHttp(text) ? make() : undefined;
}

/** Every candidate file under `folder` (by name only), walked asynchronously. */
async function walk(folder: string, out: string[], limit: number): Promise<void> {
  const dirs = [folder];
  while (dirs.length && out.length < limit) {
    const dir = dirs.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIR.test(e.name)) dirs.push(p);
      } else if (e.isFile() && (NAMED.test(e.name) || SNIFFED.test(e.name))) out.push(p);
    }
  }
}

/** Files classified at once: enough to keep the disk busy, few enough to leave the server responsive. */
const PARALLEL = 16;

export class WorkspaceFiles {
  readonly files = new Map<string, WorkspaceFile>();

  constructor(public folders: string[]) {}

  /** Finds the DM files of the folders; at most `limit` candidates are looked at. */
  async scan(limit: number): Promise<void> {
    const candidates: string[] = [];
    for (const f of this.folders) await walk(f, candidates, limit);
    candidates.sort();
    for (let i = 0; i < candidates.length; i += PARALLEL) {
      const found = await Promise.all(candidates.slice(i, i + PARALLEL).map(classify));
      for (const w of found) if (w) this.files.set(w.file, w);
    }
  }

  /** A file was created or changed: it is (again) one of ours or not. */
  async update(file: string): Promise<WorkspaceFile | undefined> {
    if (!this.folders.some((f) => file.startsWith(f + path.sep) || file === f)) return undefined;
    if (file.split(path.sep).some((part) => SKIPPED_DIR.test(part))) return undefined;
    const w = await classify(file);
    if (w) this.files.set(file, w);
    else this.files.delete(file);
    return w;
  }

  delete(file: string): WorkspaceFile | undefined {
    const w = this.files.get(file);
    this.files.delete(file);
    return w;
  }

  /** The sample tree files: every `*.dmtree.json`, or those the `omadm.sampleTrees` globs name. */
  async treeFiles(patterns: string[] | undefined): Promise<string[]> {
    if (!patterns?.length) return [...this.files.values()].filter((w) => w.tree).map((w) => w.file).sort();
    // The globs stay inside the workspace folders: no absolute or '..' patterns, no symbolic links followed, a bounded result.
    const inside = patterns.filter((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'));
    if (!inside.length) return [];
    const found = await Promise.all(this.folders.map(async (cwd) => (await glob(inside, { cwd, absolute: true, followSymbolicLinks: false, deep: 32, ignore: ['**/node_modules/**', '**/.git/**'] })).filter((f) => !path.relative(cwd, f).startsWith('..'))));
    return found.flat().map((f) => path.normalize(f)).sort().slice(0, 1000);
  }

  ddfFiles(): string[] {
    return [...this.files.values()].filter((w) => w.ddf).map((w) => w.file).sort();
  }
}
