/**
 * The Data Repository's items as files under a folder: one file per item, its name the item's key
 * (percent-encoded, so a key never leaves the folder) and an extension for its media type. Writes
 * are atomic (a reader sees the old or the new item, never part of one).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RepositoryStore, StoredData } from '../core/engine/repository.js';
import { writeFileAtomic } from './atomicWrite.js';

const EXTENSIONS: [string, string][] = [
  ['.dmmo.json', 'application/dmmo+json'],
  ['.json', 'application/json'],
  ['.txt', 'text/plain'],
  ['.xml', 'application/xml'],
  ['.html', 'text/html'],
  ['.bin', 'application/octet-stream'],
];

function fileName(key: string): string {
  return key.split('/').map((s) => encodeURIComponent(s).replace(/^\.\.?$/, (d) => d.replace(/\./g, '%2E'))).join(path.sep);
}

function keyOf(rel: string): string {
  return rel.split(path.sep).map((s) => decodeURIComponent(s)).join('/');
}

export class FileStore implements RepositoryStore {
  constructor(readonly dir: string) {}

  async get(key: string): Promise<StoredData | undefined> {
    const base = path.join(this.dir, fileName(key));
    for (const [ext, contentType] of EXTENSIONS) {
      try {
        const st = await fs.promises.stat(base + ext);
        if (!st.isFile() || st.size > 64 * 1024 * 1024) continue;
        return { contentType, body: new Uint8Array(await fs.promises.readFile(base + ext)) };
      } catch {
        // Not this extension.
      }
    }
    return undefined;
  }

  async put(key: string, data: StoredData): Promise<void> {
    const ext = EXTENSIONS.find(([, t]) => t === data.contentType)?.[0] ?? '.bin';
    const file = path.join(this.dir, fileName(key)) + ext;
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    for (const [other] of EXTENSIONS) if (other !== ext) await fs.promises.rm(path.join(this.dir, fileName(key)) + other, { force: true });
    writeFileAtomic(file, data.body);
  }

  async keys(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (depth > 8 || out.length > 10_000) return;
      for (const e of await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p, depth + 1);
        else if (e.isFile()) {
          const ext = EXTENSIONS.find(([x]) => e.name.endsWith(x));
          if (ext && !e.name.startsWith('.')) out.push(keyOf(path.relative(this.dir, p).slice(0, -ext[0].length)));
        }
      }
    };
    await walk(this.dir, 0);
    return out;
  }
}
