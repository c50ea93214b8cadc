// Writes snippets/dm-delegation.json from the message table: one snippet per message and variant.
// `npm run snippets` regenerates it; a unit test fails when the file and the table disagree.
import { writeFileSync } from 'node:fs';
import { allSkeletonTargets, skeleton } from '../server/src/core/delegation/build.ts';
import { citation } from '../server/src/core/delegation/messages.ts';

export function delegationSnippets(): Record<string, { prefix: string[]; body: string[]; description: string }> {
  const out: Record<string, { prefix: string[]; body: string[]; description: string }> = {};
  for (const t of allSkeletonTargets()) {
    const key = t.message.variants.length > 1 ? `${t.message.name} (${t.variant.label})` : t.message.name;
    out[key] = {
      prefix: [t.message.root, `dm-${t.message.root.replace(/_/g, '-')}`],
      body: skeleton(t.message, t.variant, { snippet: true }).split('\n'),
      description: `${t.message.title}: ${t.message.summary} (${citation(t.message, t.variant)})`,
    };
  }
  return out;
}

export const SNIPPETS_FILE = 'snippets/dm-delegation.json';

if (process.argv[1]?.endsWith('snippets.ts')) {
  writeFileSync(SNIPPETS_FILE, JSON.stringify(delegationSnippets(), null, 2) + '\n');
  console.log(`wrote ${SNIPPETS_FILE}`);
}
