// Writes snippets/dm-delegation.json from the message table: one snippet per message and variant.
// `npm run snippets` regenerates it; a unit test fails when the file and the table disagree.
import { writeFileSync } from 'node:fs';
import { allSkeletonTargets, skeleton } from '../server/src/core/delegation/build.ts';
import { citation, messageByRoot } from '../server/src/core/delegation/messages.ts';

type Snippets = Record<string, { prefix: string[]; body: string[]; description: string }>;

export function delegationSnippets(): Snippets {
  const out: Snippets = {};
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

/** One HTTP exchange per POSTed message: the request and its response (Delegation 5.3). */
export function exchangeSnippets(): Snippets {
  const out: Snippets = {};
  for (const t of allSkeletonTargets()) {
    const transport = t.message.transport;
    if (transport.kind !== 'post') continue;
    const key = t.message.variants.length > 1 ? `${t.message.name} exchange (${t.variant.label})` : `${t.message.name} exchange`;
    const body = [
      'POST https://${1:dms.example.com}/${2:dm/delegation} HTTP/1.1',
      'Content-Type: application/vnd.dm.delegation+xml',
      ...(transport.response === 'no-content' ? [] : ['Accept: application/vnd.dm.delegation+xml']),
      '',
      ...skeleton(t.message, t.variant, { declaration: true }).trimEnd().split('\n'),
      '',
    ];
    if (transport.response === 'no-content') body.push('HTTP/1.1 204 No Content', '$0');
    else {
      const answer = messageByRoot(transport.response)!;
      body.push('HTTP/1.1 200 OK', 'Content-Type: application/vnd.dm.delegation+xml', '', ...skeleton(answer, answer.variants[0], { declaration: true }).trimEnd().split('\n'), '$0');
    }
    out[key] = {
      prefix: [`post-${t.message.root}`, `dm-${t.message.root.replace(/_/g, '-')}-exchange`],
      body,
      description: `HTTP exchange: ${t.message.name} ${transport.response === 'no-content' ? 'and its 204 No Content' : `and the ${transport.response} it answers with`} (Delegation 5.3, ${citation(t.message, t.variant)})`,
    };
  }
  return out;
}

export const SNIPPETS_FILE = 'snippets/dm-delegation.json';
export const EXCHANGE_SNIPPETS_FILE = 'snippets/dm-http.json';

if (process.argv[1]?.endsWith('snippets.ts')) {
  writeFileSync(SNIPPETS_FILE, JSON.stringify(delegationSnippets(), null, 2) + '\n');
  writeFileSync(EXCHANGE_SNIPPETS_FILE, JSON.stringify(exchangeSnippets(), null, 2) + '\n');
  console.log(`wrote ${SNIPPETS_FILE} and ${EXCHANGE_SNIPPETS_FILE}`);
}
