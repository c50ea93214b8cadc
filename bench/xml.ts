// Delegation messages (XML): full validation (well-formedness, the message tables, the rules) next
// to fast-xml-parser's XMLValidator.validate, which checks well-formedness only, in this process;
// `omadm validate` next to `xmllint --noout`, each as a whole process on the same files; and the
// time per MB of one document from 1 to 32 MB, which must not grow with the size.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../server/src/core/analyze.ts';
import { MB, delegationCorpus, delegationDocument } from './inputs.ts';
import { mb, ms, paired, vs, processMs, ratioText, spread, type Row, type SectionResult } from './measure.ts';
import { CLI, peerRequire, scratch } from './paths.ts';
import { scaling } from './scaling.ts';

const { XMLValidator } = peerRequire('fast-xml-parser') as typeof import('fast-xml-parser');

/** In-process target: full validation at most this many times fast-xml-parser's well-formedness check. */
const IN_PROCESS = 1.5;
/** Whole-process target: `omadm validate` at most this many times `xmllint --noout`. */
const PROCESS = 3;

interface Input {
  label: string;
  files: string[];
  texts: string[];
  bytes: number;
}

function ours(texts: readonly string[], names: readonly string[]): () => number {
  return () => {
    let found = 0;
    for (let i = 0; i < texts.length; i++) found += analyzeText(texts[i]!, { fileName: names[i]! }).diagnostics.length;
    return found;
  };
}

function theirs(texts: readonly string[]): () => void {
  return () => {
    for (const t of texts) if (XMLValidator.validate(t) !== true) throw new Error('fast-xml-parser finds a generated document not well-formed');
  };
}

export async function xmlBench(): Promise<SectionResult> {
  const rows: Row[] = [];
  const failed: string[] = [];
  const tmp = scratch('xml');
  try {
    const corpus = delegationCorpus(tmp.dir);
    const inputs: Input[] = [{ label: `${mb(corpus.bytes)} corpus, ${corpus.files.length.toLocaleString('en')} files, 1 in 4 faulty`, ...corpus }];
    for (const faulty of [false, true]) {
      const text = delegationDocument(10 * MB, faulty);
      const file = path.join(tmp.dir, `big-${faulty ? 'faulty' : 'valid'}.delegation.xml`);
      fs.writeFileSync(file, text);
      inputs.push({ label: `${mb(text.length)} document, ${faulty ? '1 fault per 1,000 items' : 'valid'}`, files: [file], texts: [text], bytes: text.length });
    }

    for (const input of inputs) {
      const run = ours(input.texts, input.files);
      const found = run();
      const p = await paired(run, theirs(input.texts), { budgetMs: 20_000 });
      const s = spread(p.ratios);
      console.log(`  in process, ${input.label}: omadm ${ms(spread(p.ours).median)} (${found} findings), fast-xml-parser ${ms(spread(p.peer).median)}; ratio ${ratioText(s)}`);
      rows.push({
        figure: `${input.label}: omadm / fast-xml-parser, in process (${vs(spread(p.ours).median, spread(p.peer).median)}${p.cut ? `; ${p.cut}` : ''})`,
        value: ratioText(s),
        target: `<= ${IN_PROCESS}x`,
        met: s.median <= IN_PROCESS && !p.cut,
      });
    }

    const lint = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
    for (const input of inputs) {
      if (lint.error) {
        rows.push({ figure: `${input.label}: omadm validate / xmllint --noout, processes`, value: 'xmllint not installed', target: `<= ${PROCESS}x`, met: false });
        continue;
      }
      // Both read the same files, named on the command line; the exit code says whether errors were found.
      const omadm = (): number => processMs(process.execPath, [CLI, 'validate', ...input.files], [0, 1]);
      const xmllint = (): number => processMs('xmllint', ['--noout', ...input.files], [0]);
      const p = await paired(omadm, xmllint);
      const s = spread(p.ratios);
      console.log(`  whole processes, ${input.label}: omadm validate ${ms(spread(p.ours).median)}, xmllint ${ms(spread(p.peer).median)}; ratio ${ratioText(s)}`);
      rows.push({
        figure: `${input.label}: omadm validate / xmllint --noout, processes (${vs(spread(p.ours).median, spread(p.peer).median)})`,
        value: ratioText(s),
        target: `<= ${PROCESS}x`,
        met: s.median <= PROCESS,
      });
    }

    // Scaling: one faulty document of each size, ours alternated with the peer; the check is on ours.
    const series = await scaling('one delegation document', 'fast-xml-parser', (size) => {
      const text = delegationDocument(size * MB, true);
      return { bytes: text.length, ours: ours([text], ['scale.delegation.xml']), peer: theirs([text]) };
    });
    rows.push(...series.rows);
    failed.push(...series.failed);
  } finally {
    tmp.remove();
  }
  return { rows, failed };
}
