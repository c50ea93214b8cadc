// DM 2.0 package figures for `npm run bench`: a 10 MB Package#3 and a 10 MB MO data file validated
// by omadm (schema + package rules) next to vscode-json-languageservice validating the same text
// against the same schema; and re-validation of a 5 KB Package#2 after a one-character edit.
import { getLanguageService, TextDocument } from 'vscode-json-languageservice';
import { analyzeText } from '../server/src/core/analyze.ts';
import { SCHEMAS } from '../server/src/core/dm20/schemas.ts';
import { LanguageService } from '../server/src/language/service.ts';

const TEN_MB = 10 * 1024 * 1024;

function bigPackage3(): string {
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < TEN_MB; i++) {
    const item = i % 3 === 0 ? `{"sc": 200, "URI": ["urn:oma:mo:oma-dcmo:1.0/cap${i}/", "urn:oma:mo:oma-dcmo:1.0/cap${i}/Operations"]}` : `{"sc": ${i % 3 === 1 ? 404 : 200}}`;
    items.push(item);
    size += item.length + 2;
  }
  return `{"Status": [\n${items.join(',\n')}\n]}`;
}

function bigMoData(): string {
  const items: string[] = [];
  let size = 0;
  for (let i = 0; size < TEN_MB; i++) {
    const item = JSON.stringify({
      DDF: 'http://www.vendor.com/DDF/devinfo1.0.ddf',
      ClientURI: `urn:oma:mo:oma-dm-devinfo:1.0/miid${i}/`,
      CV: `cv${i}`,
      MOData: { [`miid${i}`]: { DevID: `IMEI:${490154203237518 + i}`, Man: 'Vendor', Mod: 'DM_Client', DmV: '2.0', Lang: 'en', Ext: { A: { B: i } } } },
    });
    items.push(item);
    size += item.length + 2;
  }
  return `[\n${items.join(',\n')}\n]`;
}

async function theirs(text: string, uri: string, schemaId: string): Promise<number> {
  const ls = getLanguageService({});
  ls.configure({
    validate: true,
    allowComments: false,
    schemas: Object.values(SCHEMAS).map((s) => {
      const id = (s as { $id: string }).$id;
      return { uri: id, ...(id === schemaId ? { fileMatch: ['*'] } : {}), schema: s as object };
    }),
  });
  const doc = TextDocument.create(uri, 'json', 1, text);
  const parsed = ls.parseJSONDocument(doc);
  const diagnostics = await ls.doValidation(doc, parsed);
  return diagnostics.length;
}

async function best(fn: () => unknown, passes: number): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < passes; i++) {
    const t = process.hrtime.bigint();
    await fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return min;
}

export async function dm20Bench(): Promise<void> {
  for (const [label, text, file, schema] of [
    ['Package#3', bigPackage3(), 'big.pkg3.json', 'omadm:package3'],
    ['MO data', bigMoData(), 'big.dmmo.json', 'omadm:dmmo'],
  ] as const) {
    const mb = text.length / 1024 / 1024;
    let oursFound = 0;
    const oursMs = await best(() => {
      oursFound = analyzeText(text, { fileName: file }).diagnostics.length;
    }, 3);
    let theirsFound = 0;
    const theirsMs = await best(async () => {
      theirsFound = await theirs(text, `file:///${file}`, schema);
    }, 3);
    console.log(`${label}, ${mb.toFixed(1)} MB: omadm (schema + rules) ${oursMs.toFixed(0)} ms, ${oursFound} diagnostics; vscode-json-languageservice (same schema) ${theirsMs.toFixed(0)} ms, ${theirsFound} diagnostics; ratio omadm / theirs: ${(oursMs / theirsMs).toFixed(2)} (target at most 0.70)`);
  }
  // A typical 5 KB Package#2, edited one character at a time, as an editor re-validates it.
  const cmds: string[] = [];
  for (let i = 0; cmds.join(',\n').length < 5 * 1024; i++) {
    cmds.push(i % 2 ? `  ["GET", "urn:oma:mo:oma-dcmo:1.0/(x)/Operations/Enable?nv=(x)/Property:Cam${i}"]` : `  ["HPUT", "https://dr.example.com/[DevID]/${i}", "urn:oma:mo:oma-dm-devinfo:1.0//?lv=${(i % 3) + 1}"]`);
  }
  const base = `{\n "CMD": [\n${cmds.join(',\n')}\n ]\n}`;
  const service = new LanguageService();
  const times: number[] = [];
  for (let v = 1; v <= 200; v++) {
    const at = base.indexOf('Cam') + 3;
    const text = base.slice(0, at) + String.fromCharCode(65 + (v % 26)) + base.slice(at + 1);
    const t = process.hrtime.bigint();
    service.diagnostics({ uri: 'file:///edit.pkg2.json', version: v, text });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`re-validating a ${(base.length / 1024).toFixed(1)} KB Package#2 after a one-character edit: median ${times[100]!.toFixed(2)} ms, 95th percentile ${times[190]!.toFixed(2)} ms (200 edits)`);
}
