// One JSON validation in a process of its own, for the peak-memory figures of bench/dm20.ts (run as
// dist/bench/memory.js): `node memory.js ours|peer FILE pkg3|mo` reads the file, validates it once
// and prints {"rssMb", "ms"}: the process's peak resident set and the time the validation took.
import * as fs from 'node:fs';
import { jsonLanguageService, oursOn, type JsonKind } from './jsonPeers.ts';

async function main(): Promise<void> {
  const [impl, file, kind] = process.argv.slice(2) as ['ours' | 'peer', string, JsonKind];
  const text = fs.readFileSync(file, 'utf8');
  const run = impl === 'ours' ? oursOn(text, kind) : jsonLanguageService(text, kind);
  const t = performance.now();
  await run();
  const took = performance.now() - t;
  console.log(JSON.stringify({ rssMb: process.resourceUsage().maxRSS / 1024, ms: took }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
