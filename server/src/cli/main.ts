import { main, type Io } from './omadm.js';

/**
 * Standard output and error for the commands. When the reader of standard output goes away (the
 * output piped into `head`), writing fails with EPIPE: the rest of the output is dropped, and the
 * program ends quietly with the exit code it would have had, as a filter in a pipe does.
 */
let stdoutClosed = false;
let stderrClosed = false;
const quietOnEpipe = (mark: () => void) => (e: NodeJS.ErrnoException): void => {
  if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
    mark();
    return;
  }
  throw e;
};
process.stdout.on('error', quietOnEpipe(() => (stdoutClosed = true)));
process.stderr.on('error', quietOnEpipe(() => (stderrClosed = true)));

const io: Io = {
  out: (s) => {
    if (!stdoutClosed && !process.stdout.destroyed) process.stdout.write(s);
  },
  err: (s) => {
    if (!stderrClosed && !process.stderr.destroyed) process.stderr.write(s);
  },
};

void Promise.resolve(main(process.argv.slice(2), io)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    io.err(`omadm: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
