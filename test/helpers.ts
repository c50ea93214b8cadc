/** Shared by the Node test suites: fixture paths and applying the core's text edits. */
import * as path from 'node:path';
import type { TextEdit } from '../server/src/core/diagnostic.ts';

export const ROOT = path.resolve(__dirname, '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'delegation');

export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
