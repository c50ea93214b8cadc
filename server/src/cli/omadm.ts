/**
 * `omadm`: the command-line twin of the extension (DESIGN "The command line"). The JSON output of
 * every command is a contract; keep its shape exactly.
 */
import { parseArgs } from 'node:util';
import { MAX_FILE, STDIN_KINDS, STDIN_NAME, type StdinKind, printable, printableJson, validatePaths, type FileDiagnostic } from './validate.js';
import { decodeCommand, encodeCommand } from './notification.js';
import { resolveCommand } from './resolve.js';

const HELP = `omadm - OMA DM Workbench on the command line

Usage: omadm <command> [options]
       omadm --help | -h | help
       omadm --version

Commands and all their options (every command also takes -h, --help):
  validate [--json] PATH... [--allow-empty]
  validate [--json] --kind KIND - [--allow-empty]
                  validate every recognised file under the paths (folders recurse, symbolic
                  links are followed); - reads one document of the --kind given from standard
                  input: ${Object.keys(STDIN_KINDS).join(', ')}
  decode [--json] [--secret S] [--auth-data D] HEX-OR-BASE64-OR-@FILE-OR--
                  decode a DM Notification (Package#0); verify its digest
  encode [--json] --server-id ID [--notification-id N] [--con-type NAME]... [--timestamp T]
         [--req-mos] [--secret S --auth-data D]
                  build a DM Notification as hex, with its digest
  resolve [--json] --tree FILE... [--ddf FILE]... [--server-id ID] [--command CMD] CLIENTURI
                  the nodes a ClientURI addresses in sample trees, or the status
  serve dm-server [--port P] [--host H] [--repository DIR] [--commands FILE.pkg2.json]...
                  [--server-id ID] [--user NAME:PASSWORD]... [--tls --cert F --key F [--ca F]] [--json]
                  the mini DM Server with its Data Repository; prints its URL
  serve device --tree FILE.dmtree.json... [--server URL] [--udp-port P] [--udp-host H]
               [--host NAME=URL]... [--save] [--json]
                  an emulated device listening for DM Notifications on UDP
  serve dms1 --cert F --key F --ca F [--peer URL] [--port P] [--dm-port P] [--server-id ID]
             --device udp://HOST:PORT --dev-id ID --man M --mod M [--secret S --auth-data D]
             [--user NAME:PASSWORD]... [--json]
  serve dms2 --cert F --key F --ca F [--peer URL] [--port P] [--dm-port P] [--server-id ID]
             --device udp://HOST:PORT [--secret S --auth-data D] [--decline] [--json]
                  a delegation peer (Delegating or Delegated DM Server) with its own DM Server
  session --tree FILE... --server URL [--server-id ID] [--host NAME=URL]... [--json] [--save]
                  one client-initiated DM Session from an emulated device
  notify udp://HOST:PORT --server-id ID [--notification-id N] [--con-type NAME]...
         [--timestamp T] [--req-mos] [--secret S --auth-data D] [--json]
                  send a DM Notification as a connectionless WAP Push
  run [--env NAME] [--json] [--junit FILE] [--trace DIR] [--devices N] SCENARIO...
                  run scenarios (*.dmflow.json) headless on loopback; JUnit and traces
  debug-adapter   the scenario debugger over stdio (Debug Adapter Protocol)
  certs [--dir D]  a development CA and a TLS certificate and key for each emulated part
  demo            the example workspace end to end: validation, then a DM Session
                  between the mini DM Server and an emulated device

Run 'omadm <command> --help' for what each option means.
`;

const VALIDATE_HELP = `Usage: omadm validate [--json] PATH... [--allow-empty]
       omadm validate [--json] --kind KIND - [--allow-empty]

Validates every recognised file under the paths; folders recurse (node_modules and dot-folders
are skipped) and symbolic links are followed (a folder already on the way is not entered again).
A file reached by two paths is checked once. Recognised:
  delegation messages   *.xml whose root is a delegation message; *.delegation.xml, *.del.xml
  DM Notifications      *.pkg0, *.pkg0.hex (hex or base64, maybe in a WAP Push)
  DM 2.0 packages       *.pkg1.json *.pkg2.json *.pkg3.json *.dmmo.json *.alert.json, and *.json
                        files shaped like one (CMD, Status, MOS/Alert, [{ClientURI, MOData}]);
                        a *.pkg3.json is checked against the *.pkg2.json of the same stem
  HTTP exchanges        *.dmhttp (and *.http holding a delegation or DM 2.0 exchange): headers,
                        bodies by Content-Type, multipart/form-data parts
  sample DM trees       *.dmtree.json, checked against their DDF (*.ddf, and the standard DDFs of
                        DM 2.0 section 12); the ClientURIs of the packages found are resolved
                        against them (warnings where nothing or too much is addressed); an MO
                        instance defined again in another tree file is reported there
  DDFs                  *.ddf (DM 1.3 MgmtTree)
  scenarios             *.dmflow.json: the files they name, their ClientURIs against their device's
                        tree (docs/scenarios.md)
A file named like one of these that holds binary data gets one file.binary error. Only regular
files are read (a FIFO or a device named is refused), none larger than ${MAX_FILE / 1024 / 1024} MiB.

Options:
  --json          print one JSON array of diagnostics:
                  {"file","line","column","endLine","endColumn","severity","code","message","source"}
                  (lines and columns 1-based; standard input is "${STDIN_NAME}")
  --kind KIND     what standard input (-) holds:
                    delegation    a delegation message (XML)
                    http          an HTTP exchange (.dmhttp)
                    package       a DM 2.0 package, told by its shape
                    pkg1, pkg2, pkg3, mo, alert
                                  Package#1, #2, #3, MO data, a Generic Alert
                    notification  a DM Notification (hex or base64)
                    tree          a sample DM tree (MO data)
                    ddf           a DDF
  --allow-empty   exit 0 when a path holds no file validate recognises (by default a usage error)
  -h, --help

Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage error, unreadable path, or a path
that holds no file validate recognises (unless --allow-empty).
`;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export function main(argv: string[], io: Io = stdio): number | Promise<number> {
  const [command, ...rest] = argv;
  if (!command) {
    // No command is a usage error: the usage goes to standard error, as for every usage error.
    io.err(HELP);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP);
    return 0;
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
        return later(command, io, async () => (await import('./demo.js')).demoCommand(rest, io));
      case 'resolve':
        return resolveCommand(rest, io);
      case 'decode':
        return decodeCommand(rest, io);
      case 'encode':
        return encodeCommand(rest, io);
      case 'serve':
        return later(command, io, async () => (await import('./serve.js')).serveCommand(rest, io));
      case 'session':
        return later(command, io, async () => (await import('./serve.js')).sessionCommand(rest, io));
      case 'notify':
        return later(command, io, async () => (await import('./serve.js')).notifyCommand(rest, io));
      case 'certs':
        return later(command, io, async () => (await import('./certs.js')).certsCommand(rest, io));
      case 'run':
        return later(command, io, async () => {
          const [{ guarded }, { runCommand }] = await Promise.all([import('./serve.js'), import('./run.js')]);
          return guarded('run', io, () => runCommand(rest, io));
        });
      case 'debug-adapter':
        return later(command, io, async () => (await import('./debugAdapter.js')).debugAdapterCommand(rest, io));
      default:
        io.err(`omadm: unknown command '${command}'\n\n${HELP}`);
        return 2;
    }
  } catch (e) {
    if (isParseArgsError(e)) return argsError(command, e, io);
    throw e;
  }
}

const isParseArgsError = (e: unknown): boolean => !!(e as { code?: string } | undefined)?.code?.startsWith('ERR_PARSE_ARGS');

function argsError(command: string, e: unknown, io: Io): number {
  io.err(`omadm ${command}: ${(e as Error).message}\nRun 'omadm ${command} --help'.\n`);
  return 2;
}

/**
 * A command whose code is loaded when it runs (the servers, the emulator, the runner, the
 * debugger): the CLI is split so that `validate`, `decode`, `encode` and `resolve` start without
 * loading the HTTP, TLS and X.509 libraries. Its option errors are usage errors, as for the others.
 */
async function later(command: string, io: Io, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (isParseArgsError(e)) return argsError(command, e, io);
    throw e;
  }
}

function validateCommand(args: string[], io: Io): number | Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, kind: { type: 'string' }, 'allow-empty': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    io.out(VALIDATE_HELP);
    return 0;
  }
  const usage = (m: string): number => {
    io.err(`omadm validate: ${m}\nRun 'omadm validate --help'.\n`);
    return 2;
  };
  if (positionals.length === 0) {
    io.err(`omadm validate: give at least one file or folder\n\n${VALIDATE_HELP}`);
    return 2;
  }
  const stdinCount = positionals.filter((p) => p === '-').length;
  if (stdinCount > 1) return usage('standard input (-) can be read once');
  if (values.kind !== undefined && !Object.prototype.hasOwnProperty.call(STDIN_KINDS, values.kind)) return usage(`--kind '${values.kind}' is not one of ${Object.keys(STDIN_KINDS).join(', ')}`);
  if (stdinCount && values.kind === undefined) return usage(`reading standard input (-) needs --kind: ${Object.keys(STDIN_KINDS).join(', ')}`);
  if (!stdinCount && values.kind !== undefined) return usage('--kind says what standard input holds: give - among the paths');
  const paths = positionals.filter((p) => p !== '-');
  const options = { json: !!values.json, allowEmpty: !!values['allow-empty'], kind: values.kind };
  if (!stdinCount) return runValidate(paths, undefined, options, io);
  return readStdin().then(
    (text) => runValidate(paths, { text, kind: values.kind as StdinKind }, options, io),
    (e: unknown) => {
      io.err(`omadm validate: cannot read standard input: ${(e as Error).message}\n`);
      return 2;
    },
  );
}

function runValidate(paths: string[], stdin: { text: Buffer; kind: StdinKind } | undefined, values: { json: boolean; allowEmpty: boolean; kind: string | undefined }, io: Io): number {
  const result = validatePaths(paths, stdin ? { stdin } : {});
  for (const u of result.unreadable) io.err(`omadm validate: cannot read ${printable(u.path)}: ${u.reason}\n`);
  if (values.json) io.out(printableJson(JSON.stringify(result.diagnostics, null, 2)) + '\n');
  else printText(result.diagnostics, result.files, io);
  const allowEmpty = values.allowEmpty;
  for (const p of result.empty) {
    const what = p === '-' ? `standard input holds no ${values.kind === 'package' ? 'DM 2.0 package' : `${values.kind} document`}` : `${printable(p)} holds no file validate recognises`;
    io.err(`omadm validate: ${allowEmpty ? 'note: ' : ''}${what} (see 'omadm validate --help' for the file kinds)\n`);
  }
  if (result.unreadable.length) return 2;
  if (result.empty.length && !allowEmpty) return 2;
  return result.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

/** Standard input, up to MAX_FILE bytes. */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += b.length;
    if (total > MAX_FILE) {
      process.stdin.destroy();
      throw new Error(`larger than ${MAX_FILE} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks, total);
}

function printText(diagnostics: FileDiagnostic[], files: number, io: Io): void {
  // Written in blocks, not a write per line: a write to a pipe or a file is a system call each.
  let block = '';
  const counts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const d of diagnostics) {
    counts[d.severity]++;
    block += `${printable(d.file)}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${printable(d.message)}\n`;
    if (block.length >= 1 << 16) {
      io.out(block);
      block = '';
    }
  }
  io.out(`${block}${files} file${files === 1 ? '' : 's'} checked: ${counts.error} errors, ${counts.warning} warnings, ${counts.information + counts.hint} notes\n`);
}
