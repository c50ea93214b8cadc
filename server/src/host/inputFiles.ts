/**
 * Reading what a user names on disk for the emulated parts: a device's tree and Package#2 files,
 * with clear errors (a file that is not MO data is an error, not an empty tree), bounded reads,
 * regular files only. Shared by the CLI and the VS Code client.
 */
import * as fs from 'node:fs';
import { JsonDocument } from '../core/json/document.js';
import { loadTrees } from '../core/tree/load.js';
import type { DmTree } from '../core/tree/model.js';
import { parsePackage, type Package2 } from '../core/dm20/model.js';

/** A problem with what the user gave, said in a sentence. */
export class InputError extends Error {}

const MAX_FILE = 64 * 1024 * 1024;

export function readText(file: string, what: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new InputError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (!st.isFile()) throw new InputError(`${what} ${file} is not a regular file`);
  if (st.size > MAX_FILE) throw new InputError(`${what} ${file} is larger than ${MAX_FILE} bytes`);
  return fs.readFileSync(file, 'utf8');
}

/** A device's tree from `*.dmtree.json` files; a file that is not MO data is an error, not an empty tree. */
export function readTree(files: string[]): DmTree {
  const texts = files.map((file) => {
    const text = readText(file, 'tree');
    const doc = new JsonDocument(text);
    if (!doc.valid || !Array.isArray(doc.value)) throw new InputError(`${file} is not a DM tree: MO data is a JSON array of {ClientURI, MOData} (DM 2.0 7.2.1.4)${doc.errors[0] ? `; ${doc.errors[0].message}` : ''}`);
    return { file, text };
  });
  const { tree, diagnostics } = loadTrees(texts);
  const dup = diagnostics.find((d) => d.diagnostic.code === 'tree.duplicate-instance');
  if (dup) throw new InputError(`${dup.file}: ${dup.diagnostic.message}`);
  return tree;
}

export function readPackage2(file: string): Package2 {
  const parsed = parsePackage(readText(file, 'Package#2'), 'pkg2');
  if (!parsed.value) throw new InputError(`${file} is not a valid Package#2: ${parsed.diagnostics.find((d) => d.severity === 'error')?.message ?? ''}`);
  return parsed.value;
}
