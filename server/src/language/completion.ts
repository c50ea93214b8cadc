/** Completion: dispatches to the delegation or DM 2.0 package completions of the region at the cursor. */
import type { CompletionItem } from 'vscode-languageserver-types';
import { type Analysis, regionAt } from '../core/analyze.js';
import { delegationCompletion, delegationRootCompletion } from './delegationCompletion.js';
import { packageCompletion } from './packageCompletion.js';
import type { TreeContext } from '../core/tree/check.js';

/** A completion with its replacement as offsets; the adapter turns them into a range. */
export interface Completion {
  item: CompletionItem;
  start: number;
  end: number;
}

export function completeAt(analysis: Analysis, offset: number, trees?: TreeContext): Completion[] {
  if (analysis.kind === 'delegation') {
    const roots = delegationRootCompletion(analysis, offset);
    if (roots) return roots;
  }
  const region = regionAt(analysis, offset);
  if (!region) return [];
  if (region.type === 'delegation') return delegationCompletion(analysis.text, region, offset);
  return region.type === 'package' ? packageCompletion(region, offset, trees) : [];
}
