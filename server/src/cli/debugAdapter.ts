/**
 * `omadm debug-adapter`: the scenario debugger over stdio, for editors that speak the Debug
 * Adapter Protocol. Standard output carries the protocol only. VS Code runs the same adapter inline.
 */
import { OmadmDebugSession } from '../debug/adapter.js';
import type { Io } from './omadm.js';

export const DEBUG_ADAPTER_HELP = `Usage: omadm debug-adapter

The scenario debugger (*.dmflow.json) as a Debug Adapter Protocol server on standard input and
output, for editors that speak DAP. Launch arguments: "program" (the scenario file), "stopOnEntry",
"variables" (for \${name}), "secrets" (else OMADM_SECRET_<NAME>). Breakpoints: on the line where a
step begins; function breakpoints on a message or command (Package#1, Package#2, Package#3, GET,
PUT, POST, EXEC, HGET, delegation_req, ...), with conditions such as 'status == 403' or
'urn:oma:mo:...//DevID == IMEI:1'; exception filters "failed" and "invalid". Step over: the next
message; step into: the next command; step out: the next step. Evaluate a ClientURI to see the
nodes it addresses. See docs/debugging.md.

Runs until the client disconnects.
`;

export function debugAdapterCommand(args: string[], io: Io): Promise<number> | number {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(DEBUG_ADAPTER_HELP);
    return 0;
  }
  const session = new OmadmDebugSession();
  session.setRunAsServer(false);
  session.start(process.stdin, process.stdout);
  return new Promise<number>((resolve) => process.stdin.once('close', () => resolve(0)));
}
