// The editor at workspace scale, for `npm run bench`: the built language server (dist/server.js)
// over stdio with a real LSP client, on a generated workspace of 1,000 DM files and a
// 100,000-node sample tree. Time to first diagnostics, keystroke -> diagnostics on a 5 KB and a
// 1 MB Package#2, hover and completion while the 1 MB one is being typed in, find references on
// a tree node, and the server's RSS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CompletionRequest, HoverRequest, ReferencesRequest } from 'vscode-languageserver-protocol';
import { LspClient } from '../test/lsp/client.ts';
import { ValidateWorkspaceRequest } from '../server/src/lsp/contract.ts';

const MOID = 'urn:oma:mo:oma-bench:1.0';

function workspace(): { dir: string; small: string; large: string; tree: string; treeNodeLine: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-editor-bench-'));
  const items: Record<string, unknown> = {};
  for (let k = 0; k < 20_000; k++) items[`n${k}`] = { ID: `id-${k}`, Value: k, Meta: { A: 'a' } };
  const tree = path.join(dir, 'big.dmtree.json');
  fs.writeFileSync(tree, JSON.stringify([{ ClientURI: `${MOID}/i0/`, MOData: { i0: { Items: items } } }], null, 1));
  const treeNodeLine = fs.readFileSync(tree, 'utf8').split('\n').findIndex((l) => l.includes('"n7"'));
  const cmd = (k: number) => ['GET', `${MOID}/i0/Items/n${k % 20_000}/ID`];
  for (let i = 0; i < 1000; i++) {
    const kind = i % 4;
    const f = path.join(dir, `f${i}.${['pkg2.json', 'pkg3.json', 'delegation.xml', 'pkg0.hex'][kind]}`);
    if (kind === 0) fs.writeFileSync(f, JSON.stringify({ CMD: [cmd(i), cmd(i + 1), ['END']] }, null, 1));
    else if (kind === 1) fs.writeFileSync(f, JSON.stringify({ Status: [{ sc: 200 }, { sc: i % 7 ? 200 : 2000 }] }, null, 1));
    else if (kind === 2) fs.writeFileSync(f, `<delegation_confirmed>\n  <reasonCode>200</reasonCode>\n  <status>CONFIRMED</status>\n  <sessionId>S${i}</sessionId>\n</delegation_confirmed>\n`);
    else fs.writeFileSync(f, '22 80 10 07 44 4d 53 5f 49 44 31 10 02 01 00 10 02 12 67 20 04 65 53 f1 00 10 00\n');
  }
  const small = JSON.stringify({ CMD: Array.from({ length: 60 }, (_, k) => cmd(k)) }, null, 1);
  const large = JSON.stringify({ CMD: Array.from({ length: 12_000 }, (_, k) => cmd(k)) }, null, 1);
  return { dir, small, large, tree, treeNodeLine };
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

export async function editorBench(): Promise<void> {
  const w = workspace();
  const c = new LspClient();
  try {
    const t0 = process.hrtime.bigint();
    await c.initialize(w.dir);
    const first = path.join(w.dir, 'f0.pkg2.json');
    await c.open(`file://${first}`, fs.readFileSync(first, 'utf8'), 'dm-json');
    await c.diagnostics(`file://${first}`);
    const firstMs = ms(t0);
    // The workspace pass (every closed file's problems) runs in the background; typing is measured once it is done.
    const tp = process.hrtime.bigint();
    const pass = await c.connection.sendRequest(ValidateWorkspaceRequest, {});
    const passMs = ms(tp) + firstMs;
    const keystrokes = async (uri: string, text: string, n: number, during?: () => Promise<void>): Promise<number[]> => {
      await c.open(uri, text, 'dm-json');
      await c.diagnostics(uri, 1);
      const out: number[] = [];
      for (let v = 2; v < n + 2; v++) {
        // One character typed at the end of the first ClientURI, then taken back: the document stays valid.
        const next = v % 2 ? text : text.replace('/ID"', '/ID "');
        const t = process.hrtime.bigint();
        await c.change(uri, next, v);
        if (during) await during();
        await c.diagnostics(uri, v);
        out.push(ms(t));
      }
      return out;
    };
    const small = await keystrokes(`file://${w.dir}/typing-small.pkg2.json`, w.small, 40);
    const hover: number[] = [];
    const completion: number[] = [];
    const largeUri = `file://${w.dir}/typing-large.pkg2.json`;
    const large = await keystrokes(largeUri, w.large, 12, async () => {
      for (let i = 0; i < 3; i++) {
        let t = process.hrtime.bigint();
        await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: largeUri }, position: { line: 3, character: 10 } });
        hover.push(ms(t));
        t = process.hrtime.bigint();
        await c.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: largeUri }, position: { line: 3, character: 4 } });
        completion.push(ms(t));
      }
    });
    const refs: number[] = [];
    await c.open(`file://${w.tree}`, fs.readFileSync(w.tree, 'utf8'), 'dm-json');
    for (let i = 0; i < 5; i++) {
      const t = process.hrtime.bigint();
      await c.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri: `file://${w.tree}` }, position: { line: w.treeNodeLine, character: 4 }, context: { includeDeclaration: false } });
      refs.push(ms(t));
    }
    const rss = Number(fs.readFileSync(`/proc/${(c as unknown as { proc: { pid: number } }).proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? NaN) / 1024;
    const row = (name: string, value: string, target = '', met = ''): string => `${name.padEnd(66)} ${value.padStart(16)}  ${target.padEnd(10)} ${met}`;
    const ok = (v: number, t: number): string => (v < t ? 'yes' : 'NO');
    console.log(`workspace: 1,000 DM files, a sample tree of ${(20_000 * 6).toLocaleString('en')} nodes, a 5 KB and a ${(w.large.length / 1e6).toFixed(1)} MB Package#2`);
    console.log(row('figure', 'measured', 'target', 'met'));
    console.log(row('server start to the first diagnostics', `${firstMs.toFixed(0)} ms`));
    console.log(row(`server start to the problems of all ${pass.files.toLocaleString('en')} files (workspace pass)`, `${passMs.toFixed(0)} ms`));
    console.log(row('keystroke -> diagnostics, 5 KB Package#2: p50 / p99', `${pct(small, 50).toFixed(1)} / ${pct(small, 99).toFixed(1)} ms`, '< 50 ms', ok(pct(small, 99), 50)));
    console.log(row('keystroke -> diagnostics, 1 MB Package#2: p50 / p99', `${pct(large, 50).toFixed(0)} / ${pct(large, 99).toFixed(0)} ms`));
    console.log(row('hover while the 1 MB Package#2 is typed in: p99', `${pct(hover, 99).toFixed(1)} ms`, '< 50 ms', ok(pct(hover, 99), 50)));
    console.log(row('completion while the 1 MB Package#2 is typed in: p99', `${pct(completion, 99).toFixed(1)} ms`, '< 50 ms', ok(pct(completion, 99), 50)));
    console.log(row('find references on a tree node: p50 / max of 5', `${pct(refs, 50).toFixed(1)} / ${Math.max(...refs).toFixed(1)} ms`, '< 100 ms', ok(pct(refs, 50), 100)));
    console.log(row('language server RSS', `${rss.toFixed(0)} MB`));
  } finally {
    await c.close();
    fs.rmSync(w.dir, { recursive: true, force: true });
  }
}
