/**
 * Writes a file so that a reader sees the old content or the new, never half of it: a temporary
 * file beside the target, flushed, then renamed over it (rename is atomic on one file system).
 * State the emulator keeps (a mutated DM tree) is saved this way, never over a user's sample.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeFileAtomic(file: string, text: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    if (typeof text === 'string') fs.writeSync(fd, text);
    else fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
