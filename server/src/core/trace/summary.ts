/** What a trace holds, in one line for people: its messages by kind, its participants, its failures. */
import type { TraceEvent } from './events.js';
import { isDelegation } from './diagram.js';

const LABELS: Record<TraceEvent['kind'], string> = { package0: 'Package#0', package1: 'Package#1', package2: 'Package#2', package3: 'Package#3', http: 'other HTTP', note: 'note' };

export function summarize(events: readonly TraceEvent[]): string {
  const counts = new Map<string, number>();
  const parts = new Set<string>();
  let failures = 0;
  for (const e of events) {
    if (e.kind === 'note') continue;
    // Delegation messages are HTTP exchanges whose note names the message (Delegation 5.3).
    const label = isDelegation(e) ? 'delegation message' : LABELS[e.kind];
    counts.set(label, (counts.get(label) ?? 0) + 1);
    parts.add(e.from);
    parts.add(e.to);
    if ((e.status ?? 0) >= 400) failures++;
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const kinds = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  return `${total} messages (${kinds || 'none'}) between ${parts.size} participants; ${failures} answered with an HTTP error`;
}
