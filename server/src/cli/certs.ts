/** `omadm certs`: development certificates for the emulated parts (DESIGN.md). */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PARTS, writeCertificates } from '../host/certs.js';
import { CliError } from './parts.js';
import { guarded } from './serve.js';
import type { Io } from './omadm.js';

export const CERTS_HELP = `Usage: omadm certs [--dir D]

Makes a development CA and, issued by it, a certificate and key for each of ${PARTS.join(', ')}
(PEM: ca.pem, ca-key.pem, <part>.pem, <part>-key.pem), valid for localhost and 127.0.0.1, usable
as TLS server and client certificates: mutual TLS between the delegation peers (Delegation
5.2.1.1, DM-DEL-S-001) and X.509 client authentication of a device (DM 2.0 9.2.1). The folder
(default: certs) gets a .gitignore so that git never takes these keys.

Exit status: 0 written, 2 usage error or not writable.
`;

export function certsCommand(args: string[], io: Io): Promise<number> {
  return guarded('certs', io, async () => {
    const { values } = parseArgs({ args, options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      io.out(CERTS_HELP);
      return 0;
    }
    const dir = path.resolve(values.dir ?? 'certs');
    let files: string[];
    try {
      files = await writeCertificates(dir);
    } catch (e) {
      throw new CliError(`cannot write ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    for (const f of files) io.out(`${f}\n`);
    return 0;
  });
}
