/**
 * `omadm`: the command-line twin of the extension (DESIGN "The command line"). The JSON output of
 * every command is a contract; keep its shape exactly.
 */
import { parseArgs } from 'node:util';
import { validatePaths, type FileDiagnostic } from './validate.js';
import { decodeCommand, encodeCommand } from './notification.js';
import { resolveCommand } from './resolve.js';
import { notifyCommand, serveCommand, sessionCommand } from './serve.js';
import { demoCommand } from './demo.js';

const HELP = `omadm - OMA DM Workbench on the command line

Usage: omadm <command> [options]

Commands:
  validate [--json] PATH...   validate every recognised file under the paths (folders recurse)
  decode [--json] [--secret S] [--auth-data D] HEX-OR-BASE64-OR-@FILE
                              decode a DM Notification (Package#0); verify its digest
  encode [--json] --server-id ID [options]
                              build a DM Notification as hex, with its digest
  resolve [--json] --tree FILE... [--server-id ID] [--command CMD] CLIENTURI
                              the nodes a ClientURI addresses in sample trees, or the status
  serve dm-server [options]   the mini DM Server with its Data Repository; prints its URL
  serve device --tree FILE [--server URL] [--udp-port P] [--save]
                              an emulated device listening for DM Notifications on UDP
  session --tree FILE --server URL [--server-id ID] [--json] [--save]
                              one client-initiated DM Session from an emulated device
  notify udp://HOST:PORT --server-id ID [encode options]
                              send a DM Notification as a connectionless WAP Push
  demo                        the example workspace end to end: validation, then a DM Session
                              between the mini DM Server and an emulated device

Run 'omadm <command> --help' for a command's options.
`;

const VALIDATE_HELP = `Usage: omadm validate [--json] PATH...

Validates every recognised file under the paths; folders recurse (node_modules and dot-folders
are skipped). Recognised:
  delegation messages   *.xml whose root is a delegation message; *.delegation.xml, *.del.xml
  DM Notifications      *.pkg0, *.pkg0.hex (hex or base64, maybe in a WAP Push)
  DM 2.0 packages       *.pkg1.json *.pkg2.json *.pkg3.json *.dmmo.json *.alert.json, and *.json
                        files shaped like one (CMD, Status, MOS/Alert, [{ClientURI, MOData}]);
                        a *.pkg3.json is checked against the *.pkg2.json of the same stem
  HTTP exchanges        *.dmhttp (and *.http holding a delegation or DM 2.0 exchange): headers,
                        bodies by Content-Type, multipart/form-data parts
  sample DM trees       *.dmtree.json, checked against their DDF (*.ddf, and the standard DDFs of
                        DM 2.0 section 12); the ClientURIs of the packages found are resolved
                        against them (warnings where nothing or too much is addressed)
  DDFs                  *.ddf (DM 1.3 MgmtTree)

Options:
  --json    print one JSON array of diagnostics:
            {"file","line","column","endLine","endColumn","severity","code","message","source"}
            (lines and columns 1-based)
  -h, --help

Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage error or unreadable path.
`;


export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export function main(argv: string[], io: Io = stdio): number | Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version') {
    io.out('0.1.0\n');
    return 0;
  }
  try {
    switch (command) {
      case 'validate':
        return validateCommand(rest, io);
      case 'demo':
        return demoCommand(rest, io);
      case 'resolve':
        return resolveCommand(rest, io);
      case 'decode':
        return decodeCommand(rest, io);
      case 'encode':
        return encodeCommand(rest, io);
      case 'serve':
        return serveCommand(rest, io);
      case 'session':
        return sessionCommand(rest, io);
      case 'notify':
        return notifyCommand(rest, io);
      default:
        io.err(`omadm: unknown command '${command}'\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`omadm ${command}: ${(e as Error).message}\nRun 'omadm ${command} --help'.\n`);
      return 2;
    }
    throw e;
  }
}

function validateCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    io.out(VALIDATE_HELP);
    return 0;
  }
  if (positionals.length === 0) {
    io.err(`omadm validate: give at least one file or folder\n\n${VALIDATE_HELP}`);
    return 2;
  }
  const result = validatePaths(positionals);
  for (const u of result.unreadable) io.err(`omadm validate: cannot read ${u.path}: ${u.reason}\n`);
  if (values.json) io.out(JSON.stringify(result.diagnostics, null, 2) + '\n');
  else printText(result.diagnostics, result.files, io);
  if (result.unreadable.length) return 2;
  return result.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

function printText(diagnostics: FileDiagnostic[], files: number, io: Io): void {
  for (const d of diagnostics) io.out(`${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}\n`);
  const count = (s: string): number => diagnostics.filter((d) => d.severity === s).length;
  io.out(`${files} file${files === 1 ? '' : 's'} checked: ${count('error')} errors, ${count('warning')} warnings, ${count('information') + count('hint')} notes\n`);
}
