// The generated inputs of `npm run bench`: delegation messages (a corpus of small files and one
// large document), DM 2.0 packages of a given size, valid or with one fault per 1,000 items, and a
// sample tree file. Deterministic: the same sizes give the same bytes on every run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allSkeletonTargets, skeleton } from '../server/src/core/delegation/build.ts';

export const MB = 1024 * 1024;
/** One item in this many carries a fault, in the inputs "with errors". */
export const FAULT_EVERY = 1000;

/**
 * About 1 MB of small delegation messages, every message kind and variant in turn, written to
 * `dir`. One in four carries a fault (a bad status, a repeated sessionId), so the rules' error
 * paths are measured too; every file stays well-formed, so a well-formedness checker reads each
 * to its end, as a validator does.
 */
export function delegationCorpus(dir: string, target = MB): { files: string[]; texts: string[]; bytes: number } {
  const targets = allSkeletonTargets();
  const files: string[] = [];
  const texts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < target; i++) {
    const t = targets[i % targets.length]!;
    let text = skeleton(t.message, t.variant, { declaration: true, optional: true });
    if (i % 4 === 1) text = text.replace('<status>', '<status>X');
    if (i % 4 === 3) text = text.replace(/<sessionId>[^<]*<\/sessionId>/, `<sessionId>S-${i}</sessionId><sessionId>dup</sessionId>`);
    text = text.replace('ABCDERFGHCHDJKD', `SESSION-${i}`);
    const f = path.join(dir, `m${String(i).padStart(5, '0')}.delegation.xml`);
    fs.writeFileSync(f, text);
    files.push(f);
    texts.push(text);
    bytes += Buffer.byteLength(text);
  }
  return { files, texts, bytes };
}

/**
 * One BOOTSTRAP_CONFIRMED (Delegation 5.3.1.3) of about `bytes`, its DMAcc holding one DM Server
 * address after another. With `faulty`, one address in FAULT_EVERY has a node the DM 1.3 DMAcc does
 * not know (a finding with a quick fix); the document stays well-formed either way. One character
 * reference near the top: most of the text has none, which is where a search for '&' runs longest.
 */
export function delegationDocument(bytes: number, faulty: boolean): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n<bootstrap_confirmed>\n  <reasonCode>200</reasonCode>\n  <status>BOOTSTRAP_CONFIRMED</status>\n'
    + '  <isClientBootstapped>false</isClientBootstapped>\n  <DMAcc>\n    <AppID>w7</AppID>\n    <ServerID>DMS-2</ServerID>\n'
    + '    <Name>Delegated DM Server &amp; Co</Name>\n    <AppAddr>\n';
  const tail = '    </AppAddr>\n    <AAuthPref>HTTP-DIGEST</AAuthPref>\n  </DMAcc>\n  <sessionId>SESSION-1</sessionId>\n</bootstrap_confirmed>\n';
  const parts = [head];
  let size = head.length + tail.length;
  for (let i = 0; size < bytes; i++) {
    const type = faulty && i % FAULT_EVERY === FAULT_EVERY - 1 ? 'AdrType' : 'AddrType';
    const p = `      <A${i}>\n        <Addr>https://dms-2.example.com/dm/${i}</Addr>\n        <${type}>URI</${type}>\n        <Port><P1><PortNbr>${443 + (i % 1000)}</PortNbr></P1></Port>\n      </A${i}>\n`;
    parts.push(p);
    size += p.length;
  }
  parts.push(tail);
  return parts.join('');
}

/** A Package#3 of about `bytes`: statuses with and without URIs; with `faulty`, one `sc` in FAULT_EVERY is a string (a schema error). */
export function package3(bytes: number, faulty: boolean): string {
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const sc = faulty && i % FAULT_EVERY === FAULT_EVERY - 1 ? '"200"' : i % 3 === 1 ? '404' : '200';
    const item = i % 3 === 0 ? `{"sc": ${sc}, "URI": ["urn:oma:mo:oma-dcmo:1.0/cap${i}/", "urn:oma:mo:oma-dcmo:1.0/cap${i}/Operations"]}` : `{"sc": ${sc}}`;
    items.push(item);
    size += item.length + 2;
  }
  return `{"Status": [\n${items.join(',\n')}\n]}`;
}

/** MO data (DM 2.0 7.2.1.4) of about `bytes`, one DevInfo instance an item; with `faulty`, one `CV` in FAULT_EVERY is a number (a schema error). */
export function moData(bytes: number, faulty: boolean): string {
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const item = JSON.stringify({
      DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf',
      ClientURI: `urn:oma:mo:oma-dm-devinfo:1.0/miid${i}/`,
      CV: faulty && i % FAULT_EVERY === FAULT_EVERY - 1 ? i : `cv${i}`,
      MOData: { [`miid${i}`]: { DevID: `IMEI:${490154203237518 + i}`, Man: 'Vendor', Mod: 'DM_Client', DmV: '2.0', Lang: 'en', Ext: { A: { B: i } } } },
    });
    items.push(item);
    size += item.length + 2;
  }
  return `[\n${items.join(',\n')}\n]`;
}

export const TREE_MOID = 'urn:oma:mo:oma-bench:1.0';

/**
 * A sample tree file (`*.dmtree.json`) of one instance with `items` items, each
 * Items/n<k>/{ID, Value, Meta/{A}}: 5 nodes an item, so 20,000 items make 100,000 nodes (plus
 * the instance and Items). Pretty-printed, one node a line, as people keep such files.
 */
export function treeFile(items: number): string {
  const nodes: Record<string, unknown> = {};
  for (let k = 0; k < items; k++) nodes[`n${k}`] = { ID: `id-${k}`, Value: k, Meta: { A: 'a' } };
  return JSON.stringify([{ ClientURI: `${TREE_MOID}/i0/`, MOData: { i0: { Items: nodes } } }], null, 1);
}
