import { main } from './omadm.js';

void Promise.resolve(main(process.argv.slice(2))).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`omadm: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
